// Names (E02xx): declarations, scopes, attributes, modules.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func namesEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .unknownName:
            return (title: "unknown name",
                    body: """
                        The name is not declared in the topology (in any of its files), in an
                        imported module, or in an enclosing `let`/`for`/`fn` scope. A close match is
                        suggested when one exists. Since dashes are part of names, `i-1` is one
                        name: write `i - 1` to subtract.
                        """,
                    example: """
                        bridge br-external { ports = [ens192] }
                        network external { bridge = br-externl }   // did you mean `br-external`?
                        """)
        case .duplicateDeclaration:
            return (title: "duplicate declaration",
                    body: """
                        Two top-level declarations have one name, whatever their kinds (resources,
                        `let`, `fn`, imports and node NICs share one namespace). The note points at
                        the first. A NIC declared inside several hosts is one logical NIC, not a
                        duplicate; declaring it at top level and inside a host is.
                        """,
                    example: """
                        bridge br0 { ports = [ens192] }
                        network br0 { bridge = br0 }   // `br0` is already a bridge
                        """)
        case .unknownAttribute:
            return (title: "unknown attribute",
                    body: """
                        The block does not have an attribute of this name. The help lists the
                        closest attribute this kind of block knows. A record spread `...r` whose
                        field the block does not know is reported at the spread.
                        """,
                    example: """
                        vm web { cpus = 2 }   // did you mean `cpu`?
                        """)
        case .missingAttribute:
            return (title: "missing required attribute",
                    body: """
                        Some attributes are required: `cpu`, `memory` and `image` on `vm`; `id` on
                        `vlan`; `ports` on `bond`.
                        """,
                    example: """
                        vm web { cpu = 1, memory = 2Gi }   // missing `image`
                        """)
        case .duplicateAttribute:
            return (title: "attribute set twice",
                    body: """
                        An attribute is written twice in one block. (A value from a spread `...r`
                        may be overridden by one written in the block; that is not an error.)
                        """,
                    example: """
                        vm web { cpu = 1, cpu = 2 }
                        """)
        case .unknownModule:
            return (title: "unknown module",
                    body: """
                        Only standard-library modules exist (`std.images`, `std.sizes`, `std.dns`).
                        Modules are embedded in the compiler.
                        """,
                    example: """
                        import std.image   // did you mean `std.images`?
                        """)
        case .definitionCycle:
            return (title: "cycle between definitions",
                    body: """
                        Definitions refer to each other in a cycle, so none of them has a value. The
                        message lists the cycle.
                        """,
                    example: """
                        let a = b + 1
                        let b = a + 1
                        """)
        case .recursiveFunction:
            return (title: "recursive function",
                    body: """
                        Functions are pure and non-recursive so that evaluation always terminates. A
                        function that calls itself, directly or through others, is an error at its
                        definition.
                        """,
                    example: """
                        fn f(n: Int) -> Int = if n == 0 { 0 } else { f(n - 1) }
                        """)
        case .shadowedName:
            return (title: "local name shadows a topology name",
                    body: """
                        A `let` or loop variable inside a block, `for` or `if` may not reuse the
                        name of a top-level declaration: rename the local.
                        """,
                    example: """
                        nic ens192
                        for ens192 in 1..=3 { }
                        """)
        case .invalidDeclarationName:
            return (title: "invalid declaration name",
                    body: """
                        A declaration named by an interpolated string must still produce a valid
                        name: letters, digits, `_` and `-`, starting with a letter or `_`, not
                        ending in `-`.
                        """,
                    example: """
                        for i in 1..=3 { vm "web ${i}" { … } }   // space in name
                        """)
        case .unknownMember:
            return (title: "unknown member",
                    body: """
                        The value has no member of this name. CIDRs have `.network .broadcast
                        .prefix .size .host(n) .contains(ip)`, IPs `.is_v4 .is_v6`, networks
                        `.subnet .gateway .name`, resources `.name`, and `vm.nic.address` reads a VM
                        NIC's address.
                        """,
                    example: """
                        let n = external.subnet.netmask
                        """)
        default:
            return nil
        }
    }
}

// Shared by the static pass and the evaluator (see Types.swift).

/// What has no member `y` in "x has no member `y`".
public enum MemberOwner: Sendable {
    /// An imported module, by its path (`std.images`).
    case module(String)
    case record
    /// A value known by its type only (`VType.description`: `CIDR`, `Bridge`).
    case type(String)
    /// A declared resource: its keyword (`bridge`) and name.
    case resource(keyword: String, name: String)
    /// A VM NIC, named `vm.nic`.
    case vmNic(String)
    /// A VM NIC whose name the static pass does not know.
    case someVMNic

    var text: String {
        switch self {
        case .module(let m): return "module `\(m)`"
        case .record: return "the record"
        case .type(let t): return "`\(t)`"
        case .resource(let keyword, let name): return "\(keyword) `\(name)`"
        case .vmNic(let n): return "nic `\(n)`"
        case .someVMNic: return "a VM NIC"
        }
    }
}

extension Diagnostic {
    /// `candidates` feed "did you mean".
    public static func noMember(_ name: String, of owner: MemberOwner, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownMember, "\(owner.text) has no member `\(name)`", at: span,
                   help: Suggest.didYouMean(name, among: candidates))
    }
    public static func noMethod(_ name: String, of type: String, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownMember, "`\(type)` has no method `\(name)`", at: span,
                   help: Suggest.didYouMean(name, among: candidates))
    }
    /// A method read like a property; `callHint` shows how to call it.
    public static func methodNotCalled(_ name: String, of type: String, callHint: String, at span: Span) -> Diagnostic {
        Diagnostic(.unknownMember, "`\(name)` is a method of `\(type)`", at: span, help: "call it: `\(callHint)`")
    }
    /// `candidates` feed "did you mean"; each of `fixIts` is offered as a replacement of the name.
    /// `fromSpread`: the attribute came from a spread `...r` (at `span`).
    public static func unknownAttribute(_ name: String, in block: String, candidates: [String], fixIts: [String] = [],
                                        fromSpread: Bool = false, at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute,
                   "unknown attribute `\(name)`\(fromSpread ? " (from this spread)" : "") in a `\(block)` block", at: span,
                   help: Suggest.didYouMean(name, among: candidates), fixIts: fixIts.map { FixIt(replace: span, with: $0) })
    }
}

// Evaluator: registration of declarations, modules, scopes (Declarations.swift).
extension Diagnostic {
    /// Two top-level declarations named `name`; `first` is the one that comes first in source order.
    public static func duplicateDeclaration(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "`\(name)` is declared more than once", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)], help: "rename one of them")
    }
    /// Two definitions of one standard-library module.
    public static func duplicateModuleDefinition(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "`\(name)` is declared more than once", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)])
    }
    /// A top-level `nic` whose name a host declared first (at `first`).
    public static func topLevelNicDeclaredInHost(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "`\(name)` is declared more than once", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)],
                   help: "a NIC declared at top level is present on every host; remove the declaration inside the host")
    }
    /// A `nic` inside a host whose name the topology declares at top level (at `first`).
    public static func hostNicDeclaredAtTopLevel(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "`\(name)` is declared more than once", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)],
                   help: "a NIC declared at top level is present on every host; remove one of the declarations")
    }
    public static func duplicateHostNic(_ name: String, host: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "`\(name)` is declared more than once in host `\(host)`", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)], help: "remove one of them")
    }
    public static func duplicateTopology(at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "a topology has only one `topology` declaration", at: span,
                   notes: [DiagnosticNote("first declared here", at: first)], help: "merge the two `topology` blocks")
    }
    /// `module` (a path, `std.images`) imported as `name` at `span` and as `firstName` at `firstImport`;
    /// `lastComponent` is the name it gets without `as`.
    public static func moduleImportedTwice(_ module: String, as firstName: String, lastComponent: String,
                                           at span: Span, firstImport: Span) -> Diagnostic {
        Diagnostic(.duplicateDeclaration, "module `\(module)` is already imported as `\(firstName)`", at: span,
                   notes: [DiagnosticNote("first imported here", at: firstImport)],
                   help: "import it under one name in every file: `import \(module)\(firstName == lastComponent ? "" : " as " + firstName)`")
    }
    /// `known`: the modules that exist (the help lists them or suggests one); nil for an import
    /// inside the standard library itself.
    public static func unknownModule(_ path: String, known: [String]?, at span: Span) -> Diagnostic {
        Diagnostic(.unknownModule, "unknown module `\(path)`", at: span,
                   help: known.map { known in
                       Suggest.didYouMean(path, among: known)
                           ?? "the standard library has \(known.map { "`\($0)`" }.joined(separator: ", "))"
                   })
    }
    public static func itemNotAllowedInModule(at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "a module holds only `let`, `fn` and `import`", at: span)
    }
    public static func importNotAtTopLevel(at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "`import` is only allowed at the top level of a file", at: span)
    }
    /// A `user` or `disk` (keyword `kind`) outside a `vm`.
    public static func onlyInsideVM(_ kind: String, at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "a `\(kind)` can only be declared inside a `vm`", at: span)
    }
    /// A resource of keyword `kind` inside a block of keyword `block`.
    public static func resourceNotAllowed(_ kind: String, inside block: String, at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "a `\(kind)` cannot be declared inside a `\(block)`", at: span)
    }
    public static func attributeOutsideBlock(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute, "attribute `\(name)` outside of a block", at: span,
                   help: "attributes belong inside a resource's `{ }`")
    }
    public static func spreadOutsideBlock(at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute, "`...` outside of a block", at: span, help: "spreads belong inside a resource's `{ }`")
    }
    /// `on` written on a block (keyword `block`) that has no `on` clause.
    public static func onNotAllowed(in block: String, at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute, "a `\(block)` takes no `on`", at: span,
                   help: "`on` names the link of a `vlan` or the network of a VM's `nic`")
    }
    /// A `vlan` (`vmNic: false`) or a VM's `nic` (`vmNic: true`) without its `on` clause.
    public static func missingOn(_ name: String, vmNic: Bool, at span: Span) -> Diagnostic {
        vmNic
            ? Diagnostic(.missingAttribute, "`nic` `\(name)` needs a network", at: span,
                         help: "write `nic \(name) on <network>` (or `on pod`)")
            : Diagnostic(.missingAttribute, "`vlan` `\(name)` needs the link it sits on", at: span,
                         help: "write `vlan \(name) on <nic, bond or vlan> { … }`")
    }
    /// An interpolated declaration name whose value `name` is not a valid name.
    public static func invalidDeclarationName(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidDeclarationName, "`\(name)` is not a valid name", at: span,
                   help: "a name starts with a letter or `_`, continues with letters, digits, `_` or `-`, and does not end in `-`")
    }
    /// A local `name` (at `span`) that a top-level declaration (at `declared`) has too.
    public static func shadowsTopLevel(_ name: String, at span: Span, declared: Span) -> Diagnostic {
        Diagnostic(.shadowedName, "`\(name)` shadows a top-level declaration", at: span,
                   notes: [DiagnosticNote("declared here", at: declared)], help: "choose another name")
    }
    public static func attributeSetTwice(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateAttribute, "attribute `\(name)` is set twice", at: span,
                   notes: [DiagnosticNote("first set here", at: first)], help: "remove one of them")
    }
    /// A record literal that writes the field `name` twice.
    public static func fieldSetTwice(_ name: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateAttribute, "field `\(name)` is set twice", at: span,
                   notes: [DiagnosticNote("first set here", at: first)], help: "remove one of them")
    }
}

// Evaluator: names, cycles and recursion (Expressions.swift, Coerce.swift, Engine.swift, Operators.swift).
extension Diagnostic {
    /// `candidates` feed "did you mean"; each of `fixIts` is offered as a replacement of the name.
    public static func unknownName(_ name: String, candidates: [String], fixIts: [String] = [], at span: Span) -> Diagnostic {
        Diagnostic(.unknownName, "unknown name `\(name)`", at: span,
                   help: Suggest.didYouMean(name, among: candidates), fixIts: fixIts.map { FixIt(replace: span, with: $0) })
    }
    /// A name with dashes whose `parts` are all known names or numbers: probably a subtraction.
    public static func unknownNameLikeSubtraction(_ name: String, parts: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownName, "unknown name `\(name)`", at: span,
                   help: "did you mean `\(parts.joined(separator: " - "))`?")
    }
    /// `candidates`: the type names, for "did you mean".
    public static func unknownType(_ name: String, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownName, "unknown type `\(name)`", at: span, help: Suggest.didYouMean(name, among: candidates))
    }
    /// Evaluating `name` needs `name` again. `chain`: the definitions on the way, from the first
    /// evaluation of `name` to its re-entry (both included); one or two entries: a self-reference.
    public static func definitionCycle(_ name: String, chain: [String], at span: Span) -> Diagnostic {
        let path = chain.map { "`\($0)`" }.joined(separator: " → ")
        if chain.count <= 2 {
            return Diagnostic(.definitionCycle, "`\(name)` is defined in terms of itself", at: span,
                              help: "break the cycle: \(path)")
        }
        return Diagnostic(.definitionCycle, "definition cycle: \(path)", at: span,
                          help: "one of these definitions must not depend on the others")
    }
    /// A function that calls itself directly (or, found during evaluation, through others).
    public static func functionCallsItself(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.recursiveFunction, "function `\(name)` calls itself", at: span,
                   help: "functions are not recursive; compute the value without recursion")
    }
    /// `cycle`: the functions that call each other, the first one being `cycle[0]`.
    public static func functionCallsItselfThrough(_ cycle: [String], at span: Span) -> Diagnostic {
        let path = (cycle + cycle.prefix(1)).map { "`\($0)`" }.joined(separator: " → ")
        return Diagnostic(.recursiveFunction, "function `\(cycle[0])` calls itself through \(path)", at: span,
                          help: "functions are not recursive; break the cycle")
    }
}

// Evaluator: attributes (Build.swift, Members.swift, Coerce.swift).
extension Diagnostic {
    /// `keyword`, `name`: the declaration; `attribute` of type `type` is required.
    /// `orAttribute`/`orBlock`: what may stand in for the attribute (`instancetype` for `cpu`, a `disk` for `image`).
    public static func missingAttribute(_ attribute: String, type: String, of keyword: String, _ name: String,
                                        orAttribute: String? = nil, orBlock: String? = nil, at span: Span) -> Diagnostic {
        var help = "add `\(attribute) = …` (a `\(type)`)"
        if let a = orAttribute { help += ", or set `\(a)`" }
        if let b = orBlock { help += ", or declare a `\(b)`" }
        return Diagnostic(.missingAttribute, "`\(keyword)` `\(name)` is missing the required attribute `\(attribute)`", at: span,
                          help: help)
    }
    /// `imageRecord`: the record is an `image` (`{ref, network_config}`); `candidates` feed "did you mean".
    public static func unknownField(_ name: String, imageRecord: Bool, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute, "unknown field `\(name)`\(imageRecord ? " of an image record" : "")", at: span,
                   help: Suggest.didYouMean(name, among: candidates))
    }
    /// The field `name` of type `type` is required; `imageRecord` as for `unknownField`.
    public static func missingField(_ name: String, type: String, imageRecord: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.missingAttribute, "missing field `\(name)`\(imageRecord ? " of an image record" : "")", at: span,
                   help: "add `\(name) = …` (a `\(type)`)")
    }
}
