import XCTest
import WukongDiagnostics
@testable import WukongSyntax

/// Helpers shared by the syntax tests: parse text, dump trees as compact S-expressions.
enum T {
    static func source(_ text: String) -> SourceFile { SourceFile(id: FileID(0), path: "test.wk", text: text) }
    static func source(bytes: [UInt8]) -> SourceFile { SourceFile(id: FileID(0), path: "test.wk", bytes: bytes) }

    static func parse(_ text: String) -> (FileSyntax, [Diagnostic]) {
        let r = Parser.parse(source(text))
        return (r.syntax, r.diagnostics)
    }

    static func lex(_ text: String) -> LexedFile { Lexer.lex(source(text)) }

    /// Token kinds without the trailing end-of-file.
    static func kinds(_ text: String) -> [TokenKind] {
        var k = lex(text).tokens.map(\.kind)
        if k.last == .endOfFile { k.removeLast() }
        return k
    }

    static func codes(_ ds: [Diagnostic]) -> [String] { ds.map(\.code.rawValue) }

    /// The expression of `let x = EXPR`, dumped.
    static func expr(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let (f, d) = parse("let x = " + text)
        XCTAssertEqual(d.map(\.message), [], "diagnostics for \(text)", file: file, line: line)
        guard f.items.count == 1, case .letDecl(_, _, let v) = f.items[0].kind else {
            XCTFail("not one let: \(dump(f.items))", file: file, line: line); return ""
        }
        return dump(v)
    }

    static func dump(_ items: [Item]) -> String { items.map(dump).joined(separator: " ") }

    static func dump(_ item: Item) -> String {
        switch item.kind {
        case .attribute(let n, let v): return "(= \(n.name) \(dump(v)))"
        case .spread(let e): return "(... \(dump(e)))"
        case .resource(let r):
            var s = "(\(r.kind.rawValue)"
            if let n = r.name { s += " " + dump(n) }
            if let o = r.on { s += " on " + dump(o) }
            if let b = r.body { s += " {" + dump(b.items) + "}" }
            return s + ")"
        case .importDecl(let p, let a):
            return "(import \(p.map(\.name).joined(separator: "."))\(a.map { " as " + $0.name } ?? ""))"
        case .letDecl(let n, let t, let v): return "(let \(n.name)\(t.map { ":" + dump($0) } ?? "") \(dump(v)))"
        case .fnDecl(let f):
            let ps = f.parameters.map { "\($0.name.name):\(dump($0.type))" }.joined(separator: " ")
            return "(fn \(f.name.name) (\(ps))\(f.returnType.map { "->" + dump($0) } ?? "") \(dump(f.body)))"
        case .assertDecl(let c, let m): return "(assert \(dump(c))\(m.map { " " + dump($0) } ?? ""))"
        case .forLoop(let v, let s, let b): return "(for \(v.name) \(dump(s)) {\(dump(b.items))})"
        case .ifStatement(let c, let t, let e):
            var s = "(if \(dump(c)) {\(dump(t.items))}"
            switch e {
            case .none: break
            case .block(let b)?: s += " else {\(dump(b.items))}"
            case .elseIf(let i)?: s += " else " + dump(i)
            }
            return s + ")"
        case .error: return "<error>"
        }
    }

    static func dump(_ n: DeclName) -> String {
        switch n {
        case .identifier(let i): return i.name
        case .string(let s): return dump(s)
        }
    }

    static func dump(_ s: StringLiteral) -> String {
        "\"" + s.parts.map { p -> String in
            switch p {
            case .text(let t, _): return t.replacingOccurrences(of: "\n", with: "\\n")
            case .interpolation(let e): return "${" + dump(e) + "}"
            }
        }.joined() + "\""
    }

    static func dump(_ t: TypeExpr) -> String {
        switch t.kind {
        case .named(let i): return i.name
        case .list(let e): return "[" + dump(e) + "]"
        case .record(let fs): return "{" + fs.map { "\($0.name.name):\(dump($0.type))" }.joined(separator: ",") + "}"
        case .error: return "<error>"
        }
    }

    static func dump(_ e: Expr) -> String {
        switch e.kind {
        case .integer(let v): return "\(v)"
        case .quantity(let q): return "\(q.bytes)B"
        case .ipv4(let ip): return "\(ip)"
        case .ipv4Prefix(let p): return "\(p)"
        case .string(let s): return dump(s)
        case .bool(let b): return "\(b)"
        case .keyword(let k): return k.rawValue
        case .name(let i): return i.name
        case .list(let xs): return "[" + xs.map(dump).joined(separator: " ") + "]"
        case .record(let es):
            return "{" + es.map { en -> String in
                switch en.kind {
                case .field(let k, _, let v): return "\(k)=\(dump(v))"
                case .spread(let v): return "...\(dump(v))"
                }
            }.joined(separator: " ") + "}"
        case .member(let b, let n): return "(. \(dump(b)) \(n.name))"
        case .call(let c, let args): return "(call \(dump(c))" + args.map { " " + dump($0) }.joined() + ")"
        case .unary(let op, let x): return "(\(op.rawValue) \(dump(x)))"
        case .binary(let op, let a, let b): return "(\(op.rawValue) \(dump(a)) \(dump(b)))"
        case .conditional(let c, let t, let o): return "(if \(dump(c)) \(dump(t)) \(dump(o)))"
        case .parenthesized(let x): return "(paren \(dump(x)))"
        case .error: return "<error>"
        }
    }

    /// 1-based (line, column) of a span's start.
    static func lineCol(_ sp: Span, in src: SourceFile) -> String {
        let l = src.location(of: sp.startOffset)
        return "\(l.line):\(l.column)"
    }
}
