import Foundation
import WukongDiagnostics
import WukongSema
import WukongSyntax

// The type of the value before a `.` — what signature help of a method call (`subnet.host(|`)
// and completion of members (`subnet.|`) need. The compiler keeps no types of the buffer being
// typed (it may not even parse), so the receiver is re-read from the tokens before the dot and
// named here from what `LanguageFacts` says (attribute types, member and function signatures,
// all from `LanguageTable.swift` and `Schema`): literals, `let`s (their annotation or value; a
// block's own `let`s first, then the top level), a `fn`'s parameters in its body, resources and their attributes, a VM's NICs, record fields,
// members' and calls' results. Anything else (loop variables, operators, std modules) is
// unknown: no help, never a guess.

/// What a receiver is, as far as members go.
indirect enum ReceiverType {
    /// A value of a type as `LanguageFacts.members(ofType:)` names it (`CIDR`, `[Int]`, `VM NIC`).
    case value(String)
    /// A record value: its fields' expressions.
    case record([(name: String, value: Expr)])
    /// A declared (or generated) resource, by name.
    case resource(ResourceKind, name: String)

    /// The type name built-in members are looked up by (a resource's are its attributes and
    /// `name`, a String: completion lists them itself).
    var typeName: String? {
        if case .value(let t) = self { return t }
        return nil
    }
}

extension LanguageServer {
    /// The index of the first token of the receiver whose last token is `end` — a chain of
    /// names, literals, calls, members and bracketed expressions (`net.subnet`, `cidr("…")`,
    /// `(10.0.0.0/24)`); nil when it is none.
    static func receiverStart(_ tokens: [Token], end: Int) -> Int? {
        var j = end
        while j >= 0 {
            switch tokens[j].kind {
            case .rParen, .rBracket, .rBrace:
                guard let open = matchingOpen(tokens, close: j) else { return nil }
                // `f(…)` is a call (its callee is part of the chain); `(…)`, `[…]`, `{…}` stand alone
                if tokens[j].kind == .rParen, open > 0, tokens[open - 1].kind == .identifier
                    || (tokens[open - 1].kind.isKeyword && open > 1 && tokens[open - 2].kind == .dot) {
                    j = open - 1
                    continue
                }
                j = open
            case .stringEnd:
                var depth = 0, k = j
                while k >= 0 {
                    if tokens[k].kind == .stringEnd { depth += 1 }
                    if tokens[k].kind == .stringStart { depth -= 1; if depth == 0 { break } }
                    k -= 1
                }
                guard k >= 0 else { return nil }
                j = k
            case .identifier, .integer, .quantity, .ipv4, .ipv4Prefix, .kwTrue, .kwFalse:
                break
            default:
                // a keyword is a member's name after a dot (`subnet.host`), nothing else
                guard tokens[j].kind.isKeyword, j > 0, tokens[j - 1].kind == .dot else { return nil }
            }
            // `j` starts a primary: the chain goes on when a dot precedes it
            guard j >= 2, tokens[j - 1].kind == .dot else { return j }
            j -= 2
        }
        return nil
    }

    /// The `(`, `[` or `{` that the closing token at `close` closes.
    static func matchingOpen(_ tokens: [Token], close: Int) -> Int? {
        var depth = 0, k = close
        while k >= 0 {
            switch tokens[k].kind {
            case .rParen, .rBracket, .rBrace: depth += 1
            case .lParen, .lBracket, .lBrace:
                depth -= 1
                if depth == 0 { return k }
            default: break
            }
            k -= 1
        }
        return nil
    }

    /// The type of the receiver whose last token is `end` (just before a `.`), in the buffer
    /// `bytes` of `uri`; nil when unknown.
    func receiverType(_ lexed: LexedFile, end: Int, bytes: [UInt8], uri: String) -> ReceiverType? {
        guard end >= 0, end < lexed.tokens.count, let start = LanguageServer.receiverStart(lexed.tokens, end: end) else { return nil }
        let a = lexed.tokens[start].startOffset, b = lexed.tokens[end].endOffset
        guard a < b, b <= bytes.count else { return nil }
        // the receiver parsed alone, as the value of a `let`
        let text = Array("let r = ".utf8) + bytes[a..<b] + [0x0A]
        let (tree, diagnostics) = Parser.parse(SourceFile(id: FileID(0), path: "", bytes: text))
        guard diagnostics.isEmpty, tree.items.count == 1, case .letDecl(_, _, let value) = tree.items[0].kind else { return nil }
        var typer = ReceiverTyper(server: self, uri: uri, items: topLevelItems(uri: uri), declared: declarations(uri: uri))
        let buffer = Parser.parse(SourceFile(id: FileID(0), path: "", bytes: bytes)).0.items
        typer.enclosingFn = LanguageServer.enclosingFn(at: a, in: buffer)
        typer.scopes = LanguageServer.blocks(around: a, in: buffer)
        return typer.type(of: value)
    }

    /// The `fn` whose body holds `offset` (its parameters are names there).
    static func enclosingFn(at offset: Int, in items: [Item]) -> FnDecl? {
        for item in items where item.span.startOffset <= offset && offset <= item.span.endOffset {
            if case .fnDecl(let f) = item.kind { return f }
        }
        return nil
    }

    /// The items of the blocks (resource bodies, `for` and `if` bodies) around `offset`,
    /// outermost first: their `let`s are names there.
    static func blocks(around offset: Int, in items: [Item]) -> [[Item]] {
        func holds(_ span: Span) -> Bool { span.startOffset <= offset && offset <= span.endOffset }
        var out: [[Item]] = []
        var level = items
        while let item = level.first(where: { holds($0.span) }) {
            var inner: Block? = nil
            switch item.kind {
            case .resource(let r): inner = r.body
            case .forLoop(_, _, let body): inner = body
            case .ifStatement(_, let then, let elseBranch):
                if holds(then.span) { inner = then }
                else if case .block(let b)? = elseBranch { inner = b }
                else if case .elseIf(let i)? = elseBranch { level = [i]; continue }
            default: break
            }
            guard let block = inner, holds(block.span) else { break }
            out.append(block.items)
            level = block.items
        }
        return out
    }
}

/// Names the type of a receiver expression. A `let` is followed once (a cycle between them is
/// an error the compiler reports, not a loop here), and at most `maxDepth` deep.
struct ReceiverTyper {
    let server: LanguageServer
    let uri: String
    /// The top-level items and names of the document's topology (parsed once per request).
    let items: [Item]
    let declared: [Declared]
    var enclosingFn: FnDecl? = nil
    /// The items of the blocks around the receiver, outermost first (`blocks(around:in:)`).
    var scopes: [[Item]] = []
    /// The `let`s being followed.
    var following: Set<String> = []
    var depth = 0
    static let maxDepth = 256

    func type(of e: Expr) -> ReceiverType? {
        guard depth < ReceiverTyper.maxDepth else { return nil }
        switch e.kind {
        case .integer: return .value("Int")
        case .quantity: return .value("Quantity")
        case .ipv4: return .value("IP")
        // host bits zero: a CIDR where nothing else is expected (as evaluation settles it)
        case .ipv4Prefix(let a): return .value(a.network.description == a.description ? "CIDR" : "IfAddr")
        case .string: return .value("String")
        case .bool: return .value("Bool")
        case .list: return .value("[T]")
        case .record(let entries):
            return .record(entries.compactMap {
                if case .field(let key, _, let value) = $0.kind { return (key, value) }
                return nil
            })
        case .parenthesized(let inner): return type(of: inner)
        case .conditional(_, let then, _): return type(of: then)  // both branches have one type
        case .name(let id): return name(id.name)
        case .member(let base, let member):
            guard let b = type(of: base) else { return nil }
            return self.member(member.name, of: b)
        case .call(let callee, _):
            switch callee.kind {
            case .name(let id):
                if let f = topLevelFn(id.name) { return f.returnType.flatMap(type(of:)) }
                return LanguageFacts.builtinFunctionFacts.first { $0.name == id.name }.flatMap { ReceiverTyper.result(of: $0) }
            case .member(let base, let m):
                guard let name = type(of: base)?.typeName,
                      let rule = LanguageFacts.members(ofType: name).first(where: { $0.name == m.name && $0.isMethod }) else { return nil }
                return ReceiverTyper.result(of: rule)
            default: return nil
            }
        case .keyword, .unary, .binary, .error: return nil
        }
    }

    /// A name: a `fn` parameter (in its body), a top-level `let`, a declared resource, a VM a
    /// `for` generated.
    func name(_ name: String) -> ReceiverType? {
        if let p = enclosingFn?.parameters.first(where: { $0.name.name == name }) { return type(of: p.type) }
        if let (annotation, value, around) = visibleLet(name) {
            if let annotation { return type(of: annotation) }
            var inner = self
            guard inner.following.insert(name).inserted else { return nil }
            // its value sees the blocks around it, not the ones inside
            inner.scopes = Array(inner.scopes.prefix(around))
            inner.enclosingFn = nil
            inner.depth += 1
            return inner.type(of: value)
        }
        if let d = declared.first(where: { $0.name == name }) {
            return d.resource.map { .resource($0, name: name) }
        }
        if server.vmNics(name, uri: uri) != nil { return .resource(.vm, name: name) }
        return nil
    }

    /// The member `name` of a receiver of type `base` (not a method).
    func member(_ name: String, of base: ReceiverType) -> ReceiverType? {
        switch base {
        case .record(let fields):
            guard let field = fields.last(where: { $0.name == name }) else { return nil }
            var inner = self
            inner.depth += 1
            return inner.type(of: field.value)
        case .resource(let kind, let resource):
            if kind == .vm, server.vmNics(resource, uri: uri)?.contains(where: { $0.name == name }) ?? false { return .value("VM NIC") }
            if let a = LanguageFacts.attributes(of: kind).first(where: { $0.name == name }) { return .value(ReceiverTyper.oneValue(a.type)) }
            return nil
        case .value:
            break
        }
        guard let typeName = base.typeName,
              let rule = LanguageFacts.members(ofType: typeName).first(where: { $0.name == name && !$0.isMethod }) else { return nil }
        return ReceiverTyper.result(of: rule)
    }

    /// A type annotation: a named type (a resource's: `Network`), or a list.
    func type(of t: TypeExpr) -> ReceiverType? {
        switch t.kind {
        case .named(let id):
            // a resource type is one whose values have the members of a resource (`name`) and
            // whose name is a declaration keyword's (`OvsBridge`: `ovs-bridge`)
            if let kind = ResourceKind.allCases.first(where: { $0.rawValue.replacingOccurrences(of: "-", with: "") == id.name.lowercased() }),
               LanguageFacts.members(ofType: id.name).contains(where: { $0.name == "name" }) {
                return .resource(kind, name: "")
            }
            return .value(id.name)
        case .list: return .value("[T]")
        case .record, .error: return nil
        }
    }

    /// The result type of a signature as `LanguageFacts` writes it: `.host(n: Int) -> IP`,
    /// `.prefix: Int`, `cidr(s: String) -> CIDR`.
    static func result(of b: LanguageFacts.Builtin) -> ReceiverType? {
        let s = b.signature
        if b.isMethod || !s.hasPrefix(".") {
            guard let arrow = s.range(of: " -> ", options: .backwards) else { return nil }
            return .value(oneValue(String(s[arrow.upperBound...])))
        }
        let property = ".\(b.name): "
        guard s.hasPrefix(property) else { return nil }
        return .value(oneValue(String(s.dropFirst(property.count))))
    }

    /// A per-family attribute (`CIDR or [CIDR]`) reads as the one value written (as the static
    /// typer reads it).
    static func oneValue(_ type: String) -> String {
        let parts = type.components(separatedBy: " or ")
        if parts.count == 2, parts[1] == "[\(parts[0])]" { return parts[0] }
        return type
    }
}

extension ReceiverTyper {
    /// The `let name` visible here — in the innermost block around that declares it, else at
    /// top level in the document's topology: its annotation, value and how many blocks are
    /// around it (the scopes its value sees).
    func visibleLet(_ name: String) -> (TypeExpr?, Expr, Int)? {
        for (around, block) in ([items] + scopes).enumerated().reversed() {
            for item in block {
                if case .letDecl(let id, let type, let value) = item.kind, id.name == name { return (type, value, around) }
            }
        }
        return nil
    }

    /// The top-level `fn name` of the document's topology.
    func topLevelFn(_ name: String) -> FnDecl? {
        for item in items {
            if case .fnDecl(let f) = item.kind, f.name.name == name { return f }
        }
        return nil
    }
}

extension LanguageServer {
    func topLevelItems(uri: String) -> [Item] {
        documents.topology(of: uri).files.flatMap { f in
            Parser.parse(SourceFile(id: FileID(0), path: f.path, bytes: f.bytes)).0.items
        }
    }
}
