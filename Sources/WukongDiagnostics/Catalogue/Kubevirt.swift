// The `kubevirt { }` escape hatch of a VM (E0530–E0533; docs/vm-reference.md): fields of the
// generated VirtualMachine set by path, checked against the KubeVirt v1.9.0 schema.
// Constructors: one per diagnostic, returning the whole `Diagnostic`; call sites pass values and spans.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func kubevirtEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .kubevirtUnknownField:
            return (title: "unknown VirtualMachine field",
                    body: """
                        A path in a `kubevirt { }` block names fields of the VirtualMachine's
                        `spec`, as the KubeVirt v1.9.0 schema spells them (camelCase). The API
                        server rejects unknown fields, so the compiler does too, and suggests
                        the nearest field of the same object.
                        """,
                    example: """
                        kubevirt { template.spec.domain.ioThreadPolicy = "auto" }   // ioThreadsPolicy
                        """)
        case .kubevirtType:
            return (title: "wrong type for a VirtualMachine field",
                    body: """
                        The value of a `kubevirt { }` field must have the schema's type: a string,
                        an integer, a bool, a quantity, a list or a record; an enumerated field
                        takes one of its listed values. Records are checked field by field.
                        """,
                    example: """
                        kubevirt { template.spec.domain.rebootPolicy = "Restart" }   // Reboot or Terminate
                        """)
        case .kubevirtOwned:
            return (title: "field owned by the compiler",
                    body: """
                        Some VirtualMachine fields are generated from the VM's attributes and
                        declarations (NICs, disks, cloud-init, CPU and memory, placement, run
                        strategy, firmware, …). Setting them in `kubevirt { }` would silently
                        fight the attribute, so it is an error: set the attribute instead.
                        """,
                    example: """
                        kubevirt { template.spec.evictionStrategy = "LiveMigrate" }   // use `eviction`
                        """)
        case .kubevirtPath:
            return (title: "path goes through a list or map",
                    body: """
                        A `kubevirt { }` path names object fields only: a list is set whole, as a
                        list of records, and a map (labels, resource requests) as a record.
                        Paths have no list indices.
                        """,
                    example: """
                        kubevirt { template.spec.dnsConfig.nameservers.first = "1.1.1.1" }
                        """)
        default:
            return nil
        }
    }
}

extension Diagnostic {
    /// `field` (at `span`) is not a field of the object at `parent` (a dotted path; empty for `spec`).
    public static func kubevirtUnknownField(_ field: String, parent: String, suggestions: [String], at span: Span)
        -> Diagnostic {
        let owner = parent.isEmpty ? "spec" : "spec.\(parent)"
        let help: String
        if let dym = Suggest.didYouMean(field, among: suggestions) { help = dym }
        else { help = "see the fields of `\(owner)` in the KubeVirt v1.9.0 VirtualMachine reference" }
        return Diagnostic(.kubevirtUnknownField, "`\(field)` is not a field of VirtualMachine `\(owner)`", at: span,
                          help: help)
    }

    /// The value at `span` for field `path` is not of the expected type (`expected` as the schema names it).
    public static func kubevirtWrongType(path: String, expected: String, found: String, at span: Span) -> Diagnostic {
        Diagnostic(.kubevirtType, "`\(path.isEmpty ? "kubevirt" : "spec." + path)` expects \(expected), found \(found)", at: span,
                   help: "write a value of the type the KubeVirt v1.9.0 schema gives this field")
    }

    /// `path` (at `span`) is generated from the attribute `attribute` (written at `attributeAt`, if it is).
    public static func kubevirtOwned(path: String, attribute: String, at span: Span, attributeAt: Span? = nil) -> Diagnostic {
        Diagnostic(.kubevirtOwned, "`spec.\(path)` is set by the compiler from \(attribute)", at: span,
                   notes: attributeAt.map { [DiagnosticNote("\(attribute) is set here", at: $0)] } ?? [],
                   help: "set it through \(attribute) instead of `kubevirt { }`")
    }

    /// `path` (at `span`) continues below `through`, a list, map or unchecked object.
    public static func kubevirtPathThrough(path: String, through: String, kind: String, at span: Span) -> Diagnostic {
        Diagnostic(.kubevirtPath, "`spec.\(path)` goes through `\(through)`, which is \(kind)", at: span,
                   help: "set `\(through)` whole, e.g. `\(through) = [{ … }]` for a list or `{ … }` for a map")
    }
}
