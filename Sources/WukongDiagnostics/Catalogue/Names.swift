// Names (E02xx): declarations, scopes, attributes, modules.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func namesEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .unknownName:
            return ("unknown name", "The name is not declared in the topology (in any of its files), in an imported module, or in an enclosing `let`/`for`/`fn` scope. A close match is suggested when one exists. Since dashes are part of names, `i-1` is one name: write `i - 1` to subtract.", "bridge br-external { ports = [ens192] }\nnetwork external { bridge = br-externl }   // did you mean `br-external`?")
        case .duplicateDeclaration:
            return ("duplicate declaration", "Two top-level declarations have one name, whatever their kinds (resources, `let`, `fn`, imports and node NICs share one namespace). The note points at the first. A NIC declared inside several hosts is one logical NIC, not a duplicate; declaring it at top level and inside a host is.", "bridge br0 { ports = [ens192] }\nnetwork br0 { bridge = br0 }   // `br0` is already a bridge")
        case .unknownAttribute:
            return ("unknown attribute", "The block does not have an attribute of this name. The help lists the closest attribute this kind of block knows. A record spread `...r` whose field the block does not know is reported at the spread.", "vm web { cpus = 2 }   // did you mean `cpu`?")
        case .missingAttribute:
            return ("missing required attribute", "Some attributes are required: `cpu`, `memory` and `image` on `vm`; `id` on `vlan`; `ports` on `bond`.", "vm web { cpu = 1, memory = 2Gi }   // missing `image`")
        case .duplicateAttribute:
            return ("attribute set twice", "An attribute is written twice in one block. (A value from a spread `...r` may be overridden by one written in the block; that is not an error.)", "vm web { cpu = 1, cpu = 2 }")
        case .unknownModule:
            return ("unknown module", "Only standard-library modules exist (`std.images`, `std.sizes`, `std.dns`). Modules are embedded in the compiler.", "import std.image   // did you mean `std.images`?")
        case .definitionCycle:
            return ("cycle between definitions", "Definitions refer to each other in a cycle, so none of them has a value. The message lists the cycle.", "let a = b + 1\nlet b = a + 1")
        case .recursiveFunction:
            return ("recursive function", "Functions are pure and non-recursive so that evaluation always terminates. A function that calls itself, directly or through others, is an error at its definition.", "fn f(n: Int) -> Int = if n == 0 { 0 } else { f(n - 1) }")
        case .shadowedName:
            return ("local name shadows a topology name", "A `let` or loop variable inside a block, `for` or `if` may not reuse the name of a top-level declaration: rename the local.", "nic ens192\nfor ens192 in 1..=3 { }")
        case .invalidDeclarationName:
            return ("invalid declaration name", "A declaration named by an interpolated string must still produce a valid name: letters, digits, `_` and `-`, starting with a letter or `_`, not ending in `-`.", "for i in 1..=3 { vm \"web ${i}\" { … } }   // space in name")
        case .unknownMember:
            return ("unknown member", "The value has no member of this name. CIDRs have `.network .broadcast .prefix .size .host(n) .contains(ip)`, IPs `.is_v4 .is_v6`, networks `.subnet .gateway .name`, resources `.name`, and `vm.nic.address` reads a VM NIC's address.", "let n = external.subnet.netmask")
        default:
            return nil
        }
    }
}

// Shared by the static pass and the evaluator (see Types.swift).
extension Diagnostic {
    /// `what` describes the value ("`CIDR`", "module `std.images`"); `candidates` feed "did you mean".
    public static func noMember(_ name: String, of what: String, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.unknownMember, "\(what) has no member `\(name)`", at: span,
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
    public static func unknownAttribute(_ name: String, in block: String, candidates: [String], fixIts: [String] = [],
                                        at span: Span) -> Diagnostic {
        Diagnostic(.unknownAttribute, "unknown attribute `\(name)` in a `\(block)` block", at: span,
                   help: Suggest.didYouMean(name, among: candidates), fixIts: fixIts.map { FixIt(replace: span, with: $0) })
    }
}

// Evaluator (Build.swift).
extension Diagnostic {
    /// `keyword`, `name`: the declaration; `attribute` of type `type` is required.
    public static func missingAttribute(_ attribute: String, type: String, of keyword: String, _ name: String,
                                        at span: Span) -> Diagnostic {
        Diagnostic(.missingAttribute, "`\(keyword)` `\(name)` is missing the required attribute `\(attribute)`", at: span,
                   help: "add `\(attribute) = …` (a `\(type)`)")
    }
}
