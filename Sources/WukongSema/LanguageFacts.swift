import WukongDiagnostics
import WukongSyntax

/// What editors need to know of the language without compiling anything: the attributes of
/// each block with their types, the built-in functions, the standard-library modules. Read
/// from the same tables the checker uses (`Schema`, `Stdlib`).
public enum LanguageFacts {
    public struct Attribute: Sendable, Equatable {
        public var name: String
        /// The type as it reads in messages (`CIDR`, `[Link]`, `IP, IfAddr, \`auto\` or \`dhcp\``).
        public var type: String
        public var required: Bool
        /// The allowed values of an enumerated string setting.
        public var allowed: [String]?
    }

    /// The attributes of the block declared by `kind` (`nested`: the enclosing block's kind,
    /// which tells a VM's `nic` from a node `nic`).
    public static func attributes(of kind: ResourceKind, nestedIn parent: ResourceKind? = nil) -> [Attribute] {
        let parentBlock = parent.map { Schema.blockKind($0, nested: nil) }
        return Schema.attributes(of: Schema.blockKind(kind, nested: parentBlock)).map {
            Attribute(name: $0.name, type: $0.type.description, required: $0.required, allowed: $0.allowed)
        }
    }

    /// The resources that may be declared inside a block of `kind`.
    public static func children(of kind: ResourceKind) -> [ResourceKind] {
        let block = Schema.blockKind(kind, nested: nil)
        return ResourceKind.allCases.filter { Schema.allowsChild($0, in: block) }
    }

    public static let builtinFunctions: [String] = ["len", "str", "ip", "cidr", "mac", "min", "max"]

    /// The standard-library modules (`std.<name>`) and the names each defines, in source order.
    public static var stdlibModules: [(name: String, definitions: [String])] {
        Stdlib.orderedModules.map { module in
            let (tree, _) = Parser.parse(SourceFile(id: FileID(0), path: "<stdlib>/\(module.name).wk", text: module.text))
            var names: [String] = []
            for item in tree.items {
                switch item.kind {
                case .letDecl(let id, _, _): names.append(id.name)
                case .fnDecl(let d): names.append(d.name.name)
                default: continue
                }
            }
            return (module.name, names)
        }
    }
}
