// Kubernetes naming (E06xx): names of generated objects.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func kubernetesEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .kubernetesName:
            return (title: "invalid Kubernetes name",
                    body: """
                        Object names must be DNS-1123 subdomains (≤ 253 characters of lower-case
                        letters, digits, `-` and `.`); VirtualMachines,
                        NodeNetworkConfigurationPolicies and everything that becomes a label value
                        must be ≤ 63 characters in label syntax. Derived names
                        (`<topology>-<bridge>`, `<vm>-<network>-nad`, `<vm>-cloudinit`) are checked
                        too; the error points at the declaration that produced them.
                        """,
                    example: """
                        vm Web_1 { … }   // upper case and `_`
                        """)
        case .duplicateObject:
            return (title: "two objects with one name",
                    body: """
                        Two generated objects of one kind would get the same name.
                        """,
                    example: "")
        case .namespaceName:
            return (title: "invalid namespace",
                    body: """
                        The topology's `namespace` must be a DNS label: ≤ 63 lower-case letters,
                        digits and `-`.
                        """,
                    example: """
                        topology lab { namespace = "VMs" }
                        """)
        case .label:
            return (title: "invalid label",
                    body: """
                        Label keys are an optional DNS-subdomain prefix and `/` plus a name of ≤ 63
                        characters; values are ≤ 63 characters of letters, digits, `-`, `_`, `.`,
                        starting and ending alphanumeric. Keys under `kubevirt.io/` are reserved.
                        """,
                    example: """
                        labels = { "kubevirt.io/app" = "x" }
                        """)
        default:
            return nil
        }
    }
}

/// Why a text is not a valid Kubernetes name, label key or label value.
public indirect enum KubeNameProblem: Sendable, Equatable {
    case empty
    case uppercase
    /// An ASCII character the syntax does not allow.
    case character(String)
    case nonASCII
    case tooLong(count: Int, max: Int)
    /// A DNS label or subdomain part that does not start and end with a lowercase letter or digit.
    case lowercaseEnds
    /// The same, in a subdomain (`.`-separated).
    case lowercaseEndsAroundDots
    /// A label value that does not start and end with a letter or digit.
    case alphanumericEnds
    case moreThanOneSlash
    /// A label key whose name after `/` is empty.
    case emptyName
    /// The label key's prefix (before `/`) has `problem`.
    case prefix(KubeNameProblem)
    /// The `nad` reference's namespace (before `/`) has `problem`.
    case namespace(KubeNameProblem)
    /// The name after `/` (label key or `nad` reference) has `problem`.
    case name(KubeNameProblem)

    var text: String {
        switch self {
        case .empty: return "is empty"
        case .uppercase: return "contains uppercase letters"
        case .character(let c): return "contains `\(c)`"
        case .nonASCII: return "contains non-ASCII characters"
        case .tooLong(let count, let max): return "is longer than \(max) characters (\(count))"
        case .lowercaseEnds: return "must start and end with a lowercase letter or digit"
        case .lowercaseEndsAroundDots: return "must start and end with a lowercase letter or digit (also around each `.`)"
        case .alphanumericEnds: return "must start and end with a letter or digit"
        case .moreThanOneSlash: return "has more than one `/`"
        case .emptyName: return "has an empty name"
        case .prefix(let p): return "has a prefix that \(p.text)"
        case .namespace(let p): return "has a namespace that \(p.text)"
        case .name(let p): return "has a name that \(p.text)"
        }
    }
}

/// What a name checked by `invalidKubernetesName` becomes; `suggestion` is a corrected form for the help.
public enum KubernetesNameUse: Sendable, Equatable {
    /// The topology's `namespace`.
    case namespace(suggestion: String)
    /// The topology name, as the value of the topology label.
    case topologyLabel(suggestion: String)
    /// The topology name, as the start of NodeNetworkConfigurationPolicy names.
    case topologyInPolicyNames(suggestion: String)
    /// A network name, inside the per-VM NetworkAttachmentDefinition names `<vm>-<network>-nad`.
    case networkInNADNames(suggestion: String)
    /// A network name, as the name of its NetworkAttachmentDefinition.
    case networkAsNAD(suggestion: String)
    /// A VM name, as the VirtualMachine's name.
    case vm(suggestion: String)
    /// The name of the interface that names a NodeNetworkConfigurationPolicy.
    case policyAnchor(NodeInterface, suggestion: String)
    /// A host name, inside NodeNetworkConfigurationPolicy names.
    case hostInPolicyNames(suggestion: String)
    /// A host's `hostname`, as a `kubernetes.io/hostname` label value.
    case hostname(ofHost: String)
    /// A host without `hostname`: its name as a `kubernetes.io/hostname` label value.
    case hostAsHostname
}

extension Diagnostic {
    /// `name` cannot be used as `use` says, because of `problem`.
    public static func invalidKubernetesName(_ name: String, as use: KubernetesNameUse, _ problem: KubeNameProblem,
                                             at span: Span) -> Diagnostic {
        let code: DiagnosticCode, subject: String, help: String
        switch use {
        case .namespace(let s):
            (code, subject) = (.namespaceName, "namespace `\(name)` is not a DNS label")
            help = "use at most 63 lowercase letters, digits and `-`, e.g. `\"\(s)\"`"
        case .topologyLabel(let s):
            (code, subject) = (.kubernetesName, "topology name `\(name)` is not a valid label value")
            help = "name the topology with at most 63 lowercase letters, digits and `-` (`topology \(s) { ... }`)"
        case .topologyInPolicyNames(let s):
            (code, subject) = (.kubernetesName, "topology name `\(name)` cannot start NodeNetworkConfigurationPolicy names")
            help = "name the topology with lowercase letters, digits and `-` (`topology \(s) { ... }`)"
        case .networkInNADNames(let s):
            (code, subject) = (.kubernetesName, "network name `\(name)` cannot be part of the NetworkAttachmentDefinition names `<vm>-\(name)-nad`")
            help = "rename the network, e.g. `\(s)`"
        case .networkAsNAD(let s):
            (code, subject) = (.kubernetesName, "network name `\(name)` is not a valid NetworkAttachmentDefinition name")
            help = "rename the network, e.g. `\(s)`"
        case .vm(let s):
            (code, subject) = (.kubernetesName, "VM name `\(name)` is not a valid VirtualMachine name")
            help = "VM names become label values and host names: use at most 63 lowercase letters, digits, `-` and `.`, e.g. `\(s)`"
        case .policyAnchor(let interface, let s):
            (code, subject) = (.kubernetesName, "the name `\(name)` of \(interface) cannot be part of NodeNetworkConfigurationPolicy names")
            help = "rename it with lowercase letters, digits and `-`, e.g. `\(s)`"
        case .hostInPolicyNames(let s):
            (code, subject) = (.kubernetesName, "host name `\(name)` cannot be part of NodeNetworkConfigurationPolicy names")
            help = "rename the host, e.g. `\(s)`, and set `hostname` to the node name"
        case .hostname(let host):
            (code, subject) = (.label, "hostname `\(name)` of host `\(host)` cannot be a `kubernetes.io/hostname` label value")
            help = "use the node's name as shown by `kubectl get nodes`"
        case .hostAsHostname:
            (code, subject) = (.label, "host `\(name)` cannot be a `kubernetes.io/hostname` label value")
            help = "set `hostname = \"<node name>\"` in the host"
        }
        return Diagnostic(code, "\(subject): it \(problem.text)", at: span, help: help)
    }

    /// A `nad = "…"` reference that is not `name` or `namespace/name`.
    public static func invalidNADReference(_ reference: String, _ problem: KubeNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.kubernetesName, "`nad` \"\(reference)\" \(problem.text)", at: span,
                   help: "name an existing NetworkAttachmentDefinition as `\"name\"` or `\"namespace/name\"`")
    }

    public static func networkAttachmentDefinitionNameTooLong(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.kubernetesName, "NetworkAttachmentDefinition name `\(name)` is longer than 253 characters", at: span,
                   help: "shorten the VM or the network name")
    }

    /// `anchor`: the interface whose name the policy name carries after the topology's.
    public static func policyNameTooLong(_ name: String, anchor: NodeInterface, at span: Span) -> Diagnostic {
        Diagnostic(.kubernetesName, "NodeNetworkConfigurationPolicy name `\(name)` is longer than 63 characters (\(name.utf8.count))",
                   at: span, help: "shorten the topology, \(anchor) or host name")
    }
}

// Labels.
extension Diagnostic {
    public static func invalidLabelKey(_ key: String, _ problem: KubeNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.label, "label key `\(key)` \(problem.text)", at: span,
                   help: "a key is `[prefix/]name`: the name at most 63 letters, digits, `-`, `_` or `.`, the optional prefix a DNS subdomain")
    }

    public static func reservedLabelPrefix(_ key: String, at span: Span) -> Diagnostic {
        Diagnostic(.label, "label key `\(key)` uses the reserved prefix `kubevirt.io/`", at: span,
                   help: "KubeVirt owns `kubevirt.io/` labels: use your own prefix")
    }

    public static func invalidLabelValue(_ value: String, key: String, _ problem: KubeNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.label, "label value `\(value)` of `\(key)` \(problem.text)", at: span,
                   help: "a value is at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit")
    }
}

// Two generated objects with one name (checks and lowering).
extension Diagnostic {
    /// `kinds`: the object kind in the plural; `first`: where the other object comes from.
    private static func duplicateObject(_ kinds: String, named name: String, at span: Span, first: Span,
                                        help: String) -> Diagnostic {
        Diagnostic(.duplicateObject, "two \(kinds) would be named `\(name)`", at: span,
                   notes: [DiagnosticNote("the other one comes from here", at: first)], help: help)
    }

    /// Lowering: two networks of VMs derive one NetworkAttachmentDefinition name.
    public static func duplicateNetworkAttachmentDefinition(_ name: String, at span: Span, first: Span) -> Diagnostic {
        duplicateObject("NetworkAttachmentDefinitions", named: name, at: span, first: first,
                        help: "rename the network or the VM so that the derived names differ")
    }

    /// Checks: `network` is the network named like the NetworkAttachmentDefinition; nil when the name is
    /// derived from a VM and a network (`<vm>-<network>-nad`).
    public static func networkAttachmentDefinitionNameClash(_ name: String, network: String?, at span: Span,
                                                            first: Span) -> Diagnostic {
        duplicateObject("NetworkAttachmentDefinitions", named: name, at: span, first: first,
                        help: "rename \(network.map { "network `\($0)`" } ?? "the VM or the network") so the generated names differ")
    }

    public static func policyNameClash(_ name: String, at span: Span, first: Span) -> Diagnostic {
        duplicateObject("NodeNetworkConfigurationPolicies", named: name, at: span, first: first,
                        help: "rename one of the bridges or hosts so the generated names differ")
    }
}
