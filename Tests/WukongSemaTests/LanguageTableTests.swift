import XCTest
import Foundation
import WukongDiagnostics
import WukongNet
import WukongSyntax
@testable import WukongSema

/// Ties the evaluator and the static typer to the one table of operators, built-in functions
/// and members (`LanguageTable.swift`): every operator, built-in and member is applied to a
/// value of every type, once evaluated (`let x = a op b`) and once typed statically inside a
/// function nobody calls (`fn f(a: T, b: U) = a op b`), and both must report the same type
/// errors. Value errors (overflow, division by zero, address families, host bits …) are
/// evaluation's alone and not compared.
final class LanguageTableTests: XCTestCase {
    /// A representative value of a type: how a `let` writes it, and the annotation a
    /// parameter of that type carries (nil: no annotation exists; the function body then uses
    /// the global, whose static type is the value's).
    struct Rep {
        var name: String
        var value: String
        var annotation: String?
        /// An IP address family, for the pairs whose errors are value errors.
        var family: Int? = nil
    }

    static let reps: [Rep] = [
        Rep(name: "int", value: "3", annotation: "Int"),
        Rep(name: "true", value: "true", annotation: "Bool"),
        Rep(name: "false", value: "false", annotation: "Bool"),
        Rep(name: "string", value: "\"s\"", annotation: "String"),
        Rep(name: "quantity", value: "1Gi", annotation: "Quantity"),
        Rep(name: "ip4", value: "10.0.0.1", annotation: "IP", family: 4),
        Rep(name: "ip6", value: "ip(\"fd00::1\")", annotation: "IP", family: 6),
        Rep(name: "cidr4", value: "10.0.0.0/24", annotation: "CIDR"),
        Rep(name: "cidr6", value: "cidr(\"fd00::/64\")", annotation: "CIDR"),
        Rep(name: "ifaddr", value: "10.0.0.5/24", annotation: "IfAddr"),
        Rep(name: "mac", value: "mac(\"0e:00:00:aa:bb:cc\")", annotation: "MAC"),
        Rep(name: "list", value: "[1, 2]", annotation: "[Int]"),
        Rep(name: "intrange", value: "1..3", annotation: "[Int]"),
        Rep(name: "iprange", value: "10.0.0.1..=10.0.0.3", annotation: "[IP]"),
        Rep(name: "record", value: "{ a = 1 }", annotation: "{a: Int}"),
        Rep(name: "network", value: "lan", annotation: "Network"),
        Rep(name: "bridge", value: "br0", annotation: "Bridge"),
        Rep(name: "vm", value: "web", annotation: "VM"),
        Rep(name: "mode", value: "auto", annotation: "AddressMode"),
        Rep(name: "dhcp", value: "dhcp", annotation: "AddressMode"),
        Rep(name: "pod", value: "pod", annotation: nil),
        Rep(name: "vmnic", value: "web.front", annotation: nil),
    ]

    /// The codes of type errors (what the static pass may report).
    static let typeCodes: Set<DiagnosticCode> = [.typeMismatch, .unknownMember, .wrongArgumentCount, .wrongResourceKind, .notAValue]

    static let prelude = """
        nic ens192
        bridge br0 { ports = [ens192] }
        network lan { bridge = br0, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
        vm web {
          cpu = 1
          memory = 1Gi
          image = "quay.io/containerdisks/fedora:41"
          nic front on lan { address = 10.0.0.9 }
        }

        """

    /// One case: an expression over the operands `a` and `b` (`$a`, `$b` placeholders).
    struct Case {
        var label: String
        var expression: String
        var a: Rep
        var b: Rep?
    }

    /// Evaluates every case as `let`s and types every case in an uncalled function; returns
    /// the cases where the type errors differ.
    func mismatches(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        // programs of a few hundred definitions (evaluation is not meant for tens of thousands of `fn`s)
        let chunk = 300
        if cases.count > chunk {
            return stride(from: 0, to: cases.count, by: chunk).flatMap {
                mismatches(Array(cases[$0..<min($0 + chunk, cases.count)]), file: file, line: line)
            }
        }
        var globals = ""
        for (i, r) in Self.reps.enumerated() { globals += "let g\(i) = \(r.value)\n" }
        func index(_ r: Rep) -> Int { Self.reps.firstIndex { $0.name == r.name }! }

        var evaluated = Self.prelude + globals
        var typed = Self.prelude + globals
        var evalLines: [Int] = [], typedLines: [Int] = []
        func lineCount(_ s: String) -> Int { s.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
        for (k, c) in cases.enumerated() {
            let ea = "g\(index(c.a))", eb = c.b.map { "g\(index($0))" } ?? ""
            evalLines.append(lineCount(evaluated))
            evaluated += "let x\(k) = " + c.expression.replacingOccurrences(of: "$a", with: ea).replacingOccurrences(of: "$b", with: eb) + "\n"
            var params: [String] = []
            var sa = ea, sb = eb
            if let t = c.a.annotation { params.append("a: \(t)"); sa = "a" }
            if let b = c.b, let t = b.annotation { params.append("b: \(t)"); sb = "b" }
            typedLines.append(lineCount(typed))
            typed += "fn f\(k)(\(params.joined(separator: ", "))) = "
                + c.expression.replacingOccurrences(of: "$a", with: sa).replacingOccurrences(of: "$b", with: sb) + "\n"
        }
        let e = codesByLine(evaluated), s = codesByLine(typed)
        // the representatives themselves are clean
        XCTAssertEqual(e[-1] ?? [], [], "prelude", file: file, line: line)
        XCTAssertEqual(s[-1] ?? [], [], "prelude", file: file, line: line)
        var out: [String] = []
        for (k, c) in cases.enumerated() {
            let dynamic = e[evalLines[k]] ?? [], statically = s[typedLines[k]] ?? []
            if dynamic != statically {
                out.append("\(c.label) [\(c.a.name)\(c.b.map { ", " + $0.name } ?? "")]: evaluation \(dynamic.sorted()), static \(statically.sorted())")
            }
        }
        return out
    }

    /// Type-error codes by 0-based line (-1: the prelude and the globals).
    func codesByLine(_ text: String) -> [Int: Set<String>] {
        var sources = SourceMap()
        let id = sources.add(path: "main.wk", bytes: Array(text.utf8))
        let (tree, parseDiags) = Parser.parse(sources[id]!)
        XCTAssertEqual(parseDiags.map(\.message), [], "the generated program parses")
        let engine = Engine(files: [tree], sources: sources, defaultName: "t")
        _ = engine.run()
        var lineStarts = [0]
        for (i, b) in text.utf8.enumerated() where b == 10 { lineStarts.append(i + 1) }
        let preludeLines = Self.prelude.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } + Self.reps.count
        var out: [Int: Set<String>] = [:]
        for d in engine.diagnostics where Self.typeCodes.contains(d.code) && d.span.file == id {
            // the last line starting at or before the diagnostic
            var lo = 0, hi = lineStarts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= Int(d.span.start) { lo = mid } else { hi = mid - 1 }
            }
            out[lo < preludeLines ? -1 : lo, default: []].insert(d.code.rawValue)
        }
        return out
    }

    /// Pairs whose errors are value errors: addresses of two families (`<`, `-`, `min` …).
    func valueErrorPair(_ a: Rep, _ b: Rep) -> Bool {
        if let x = a.family, let y = b.family { return x != y }
        return false
    }

    func testEveryBinaryOperatorOverEveryPairOfTypes() {
        var cases: [Case] = []
        for op in OperatorTable.operators {
            for a in Self.reps {
                // `true || x`, `false && x`: evaluation never looks at `x` (the static pass does)
                if (op == .or && a.name == "true") || (op == .and && a.name == "false") { continue }
                for b in Self.reps where !valueErrorPair(a, b) {
                    cases.append(Case(label: op.rawValue, expression: "$a \(op.rawValue) $b", a: a, b: b))
                }
            }
        }
        XCTAssertEqual(mismatches(cases), [])
    }

    func testEveryUnaryOperatorOverEveryType() {
        var cases: [Case] = []
        for op in ["-", "!"] {
            for a in Self.reps { cases.append(Case(label: op, expression: "\(op)$a", a: a)) }
        }
        XCTAssertEqual(mismatches(cases), [])
    }

    func testEveryBuiltinFunctionOverEveryType() {
        var cases: [Case] = []
        for f in BuiltinTable.functions {
            for a in Self.reps {
                if f.arity == 1 {
                    cases.append(Case(label: f.name, expression: "\(f.name)($a)", a: a))
                    cases.append(Case(label: f.name + " arity", expression: "\(f.name)($a, $a)", a: a))
                } else {
                    cases.append(Case(label: f.name + " arity", expression: "\(f.name)($a)", a: a))
                    for b in Self.reps where !valueErrorPair(a, b) {
                        cases.append(Case(label: f.name, expression: "\(f.name)($a, $b)", a: a, b: b))
                    }
                }
            }
        }
        XCTAssertEqual(mismatches(cases), [])
    }

    /// A VM's members other than the table's are its NICs, by name: which VM a `VM` value is
    /// decides them, so a VM receiver is left out (the static pass types them as unknown).
    func testEveryMemberAndMethodOverEveryType() {
        var names = Set(MemberTable.rules.map(\.name))
        names.insert("nope")
        let methods = Set(MemberTable.rules.filter(\.isMethod).map(\.name) + ["prefix", "nope"])
        var cases: [Case] = []
        for name in names.sorted() {
            for a in Self.reps where a.name != "vm" || MemberTable.rule(.ref, name) != nil {
                cases.append(Case(label: ".\(name)", expression: "$a.\(name)", a: a))
                cases.append(Case(label: ".\(name)()", expression: "$a.\(name)()", a: a))
                for b in Self.reps where methods.contains(name) {
                    cases.append(Case(label: ".\(name)(b)", expression: "$a.\(name)($b)", a: a, b: b))
                }
            }
        }
        XCTAssertEqual(mismatches(cases), [])
    }

    // MARK: - Decisions the table made

    func testARangeIsAListForEveryOperator() {
        var sources = SourceMap()
        let text = """
            let a = "x" in 1..5
            let b = 3 in 1..5
            let c = [0] + (1..3)
            let d = (1..3) + [9]
            let e = 10.0.0.2 in 10.0.0.1..=10.0.0.3
            let f = 4 in 10.0.0.1..=10.0.0.3
            let g = [1, 2] == 1..3
            let h = (1..3).contains(2)
            """
        let id = sources.add(path: "main.wk", bytes: Array(text.utf8))
        let (tree, _) = Parser.parse(sources[id]!)
        let engine = Engine(files: [tree], sources: sources, defaultName: "t")
        _ = engine.run()
        XCTAssertEqual(engine.diagnostics.map { "\($0.code.rawValue) \($0.message)" }, [])
        func value(_ name: String) -> Value? {
            guard case .letSlot(let s)? = engine.namespace.globals[name]?.entry else { return nil }
            return engine.force(s).value
        }
        XCTAssertEqual(value("a"), .bool(false))
        XCTAssertEqual(value("b"), .bool(true))
        XCTAssertEqual(value("c").map(\.text), "[0, 1, 2]")
        XCTAssertEqual(value("d").map(\.text), "[1, 2, 9]")
        XCTAssertEqual(value("e"), .bool(true))
        XCTAssertEqual(value("f"), .bool(false))
        XCTAssertEqual(value("g"), .bool(true))
        XCTAssertEqual(value("h"), .bool(true))
    }

    // MARK: - The table's own consistency

    func testTablesHaveNoDuplicatesAndDeriveTheirLists() {
        var seen = Set<String>()
        for r in MemberTable.rules { XCTAssertTrue(seen.insert("\(r.receiver).\(r.name)").inserted, "\(r.receiver).\(r.name)") }
        XCTAssertEqual(LanguageFacts.builtinFunctions, ["len", "str", "ip", "cidr", "mac", "min", "max"])
        XCTAssertEqual(Engine.builtinFunctions, Set(LanguageFacts.builtinFunctions))
        XCTAssertEqual(NameRules.keywords, Set(TokenKind.keywords))
        XCTAssertEqual(TokenKind.keywords.count, TokenKind.allCases.filter(\.isKeyword).count)
        for r in MemberTable.rules { XCTAssertTrue(Schema.builtinMembers.contains(r.name), r.name) }
        for a in Schema.vm { XCTAssertTrue(Schema.builtinMembers.contains(a.name), a.name) }
        XCTAssertEqual(LanguageFacts.members(ofType: "CIDR").map(\.signature),
                       [".network: IP", ".broadcast: IP", ".prefix: Int", ".size: Int", ".host(n: Int) -> IP", ".contains(ip: IP) -> Bool"])
        XCTAssertEqual(LanguageFacts.members(ofType: "[Int]").map(\.name), ["contains"])
        XCTAssertEqual(LanguageFacts.members(ofType: "Network").map(\.name), ["name"])
        XCTAssertEqual(LanguageFacts.builtinFunctionFacts.first?.signature, "len(x: [T] | String | record) -> Int")
    }
}
