import WukongDiagnostics
import WukongSyntax

/// What editors need to know of the language without compiling anything: the attributes of
/// each block with their types, the built-in functions and members with their signatures, the
/// keywords, the standard-library modules. Read from the same tables the checker uses
/// (`Schema`, `LanguageTable.swift`, `TokenKind.keywords`, `Stdlib`).
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

    /// The built-in functions' names, in `BuiltinTable` order.
    public static let builtinFunctions: [String] = BuiltinTable.functions.map(\.name)

    /// A built-in function or member as hover and completion show it.
    public struct Builtin: Sendable, Equatable {
        public var name: String
        /// `len(x: [T] | String | record) -> Int`, `.host(n: Int) -> IP`, `.prefix: Int`.
        public var signature: String
        public var doc: String
        public var isMethod: Bool
    }

    /// The built-in functions with their signatures (from `BuiltinTable`).
    public static var builtinFunctionFacts: [Builtin] {
        BuiltinTable.functions.map { Builtin(name: $0.name, signature: $0.signature, doc: $0.doc, isMethod: false) }
    }

    /// The built-in members and methods of values of a type, by the type's name as annotations
    /// and messages write it (`CIDR`, `IfAddr`, `IP`, `[Int]`, `Network`, `VM NIC` …), from
    /// `MemberTable`; a resource's attributes are `attributes(of:)`.
    public static func members(ofType typeName: String) -> [Builtin] {
        let shape: Shape?
        if typeName.hasPrefix("[") { shape = .list }
        else if typeName == "VM NIC" { shape = .vmNic }
        else if let t = Engine.typeNames[typeName] { shape = Shape(t) ?? (t == .link ? .ref : nil) }
        else { shape = nil }
        guard let shape else { return [] }
        return MemberTable.rules(of: shape).map { Builtin(name: $0.name, signature: $0.signature, doc: $0.doc, isMethod: $0.isMethod) }
    }

    /// Every built-in member name (any type): what a VM NIC cannot be named.
    public static var builtinMemberNames: Set<String> { Schema.builtinMembers }

    /// The reserved words (the lexer's list).
    public static var keywords: [String] { TokenKind.keywords }

    /// The records of a standard-library module whose fields are literals
    /// (`let medium = { cpu = 2, memory = 4Gi }`), in source order: each field's value as the
    /// language writes it (strings decoded). Tools that write `.wk` match values against them.
    public static func stdlibRecords(_ module: String) -> [(name: String, fields: [String: String])] {
        guard let text = Stdlib.modules[module] else { return [] }
        let (tree, _) = Parser.parse(SourceFile(id: FileID(0), path: "<stdlib>/\(module).wk", text: text))
        return tree.items.compactMap { item in
            guard case .letDecl(let id, _, let value) = item.kind, case .record(let entries) = value.kind else { return nil }
            var fields: [String: String] = [:]
            for entry in entries {
                guard case .field(let key, _, let v) = entry.kind else { continue }
                switch v.kind {
                case .integer(let n): fields[key] = String(n)
                case .quantity(let q): fields[key] = q.description
                case .string(let s): if let t = s.plainText { fields[key] = t }
                default: continue
                }
            }
            return (id.name, fields)
        }
    }

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
