// Kubernetes naming (E06xx): names of generated objects.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func kubernetesEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .kubernetesName:
            return ("invalid Kubernetes name", "Object names must be DNS-1123 subdomains (≤ 253 characters of lower-case letters, digits, `-` and `.`); VirtualMachines, NodeNetworkConfigurationPolicies and everything that becomes a label value must be ≤ 63 characters in label syntax. Derived names (`<topology>-<bridge>`, `<vm>-<network>-nad`, `<vm>-cloudinit`) are checked too; the error points at the declaration that produced them.", "vm Web_1 { … }   // upper case and `_`")
        case .duplicateObject:
            return ("two objects with one name", "Two generated objects of one kind would get the same name.", "")
        case .namespaceName:
            return ("invalid namespace", "The topology's `namespace` must be a DNS label: ≤ 63 lower-case letters, digits and `-`.", "topology lab { namespace = \"VMs\" }")
        case .label:
            return ("invalid label", "Label keys are an optional DNS-subdomain prefix and `/` plus a name of ≤ 63 characters; values are ≤ 63 characters of letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. Keys under `kubevirt.io/` are reserved.", "labels = { \"kubevirt.io/app\" = \"x\" }")
        default:
            return nil
        }
    }
}

extension Diagnostic {
    /// Lowering: two networks of VMs derive one NetworkAttachmentDefinition name.
    public static func duplicateNetworkAttachmentDefinition(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateObject, "two NetworkAttachmentDefinitions would be named `\(name)`", at: span,
                   notes: [DiagnosticNote("the other one comes from here", at: first)],
                   help: "rename the network or the VM so that the derived names differ")
    }
}
