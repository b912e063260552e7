import XCTest
import WukongDiagnostics
import WukongNet
@testable import WukongSyntax

final class ParserTests: XCTestCase {
    func clean(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let (f, d) = T.parse(text)
        XCTAssertEqual(d.map(\.message), [], file: file, line: line)
        return T.dump(f.items)
    }

    // MARK: precedence

    func testPrecedenceLevels() {
        XCTAssertEqual(T.expr("a || b && c"), "(|| a (&& b c))")
        XCTAssertEqual(T.expr("a && b == c"), "(&& a (== b c))")
        XCTAssertEqual(T.expr("a == b..c"), "(== a (.. b c))")
        XCTAssertEqual(T.expr("ip in 10.0.0.1..=10.0.0.9"), "(in ip (..= 10.0.0.1 10.0.0.9))")
        XCTAssertEqual(T.expr("a..b + 1"), "(.. a (+ b 1))")
        XCTAssertEqual(T.expr("1 + 2 * 3"), "(+ 1 (* 2 3))")
        XCTAssertEqual(T.expr("1 * 2 + 3"), "(+ (* 1 2) 3)")
        XCTAssertEqual(T.expr("-a * b"), "(* (- a) b)")
        XCTAssertEqual(T.expr("!a.b"), "(! (. a b))")
        XCTAssertEqual(T.expr("-f(x).y"), "(- (. (call f x) y))")
        XCTAssertEqual(T.expr("a.b.c(1)(2)"), "(call (call (. (. a b) c) 1) 2)")
        XCTAssertEqual(T.expr("(1 + 2) * 3"), "(* (paren (+ 1 2)) 3)")
        XCTAssertEqual(T.expr("!!a"), "(! (! a))")
        XCTAssertEqual(T.expr("a != b || c < d && e >= f"), "(|| (!= a b) (&& (< c d) (>= e f)))")
        XCTAssertEqual(T.expr("a <= b"), "(<= a b)")
        XCTAssertEqual(T.expr("a > b"), "(> a b)")
        XCTAssertEqual(T.expr("a % b / c"), "(/ (% a b) c)")
    }

    func testLeftAssociativity() {
        XCTAssertEqual(T.expr("a - 1 - 2"), "(- (- a 1) 2)")
        XCTAssertEqual(T.expr("8 / 4 / 2"), "(/ (/ 8 4) 2)")
        XCTAssertEqual(T.expr("a || b || c"), "(|| (|| a b) c)")
    }

    func testLiterals() {
        XCTAssertEqual(T.expr("[1, 0x10, 4Gi, 10.0.0.1, 10.0.0.0/8, \"s\", true, false, auto, dhcp, pod]"),
                       "[1 16 4294967296B 10.0.0.1 10.0.0.0/8 \"s\" true false auto dhcp pod]")
        XCTAssertEqual(T.expr("[]"), "[]")
        XCTAssertEqual(T.expr("{}"), "{}")
        XCTAssertEqual(T.expr("[1, 2,]"), "[1 2]")
    }

    func testMemberAfterKeywordAndMethodCalls() {
        XCTAssertEqual(T.expr("subnet.host(1)"), "(call (. subnet host) 1)")
        XCTAssertEqual(T.expr("cidr.network"), "(. cidr network)")
        XCTAssertEqual(T.expr("db.nic-name.address"), "(. (. db nic-name) address)")
        XCTAssertEqual(T.expr("x.if.in.pod"), "(. (. (. x if) in) pod)")
        XCTAssertEqual(T.expr("min(a, b,)"), "(call min a b)")
        XCTAssertEqual(T.expr("len([])"), "(call len [])")
        XCTAssertEqual(T.expr("f()"), "(call f)")
    }

    func testRecords() {
        XCTAssertEqual(T.expr("{ a = 1, \"app.kubernetes.io/part-of\" = \"lab\", bridge = x, ...base }"),
                       "{a=1 app.kubernetes.io/part-of=\"lab\" bridge=x ...base}")
        XCTAssertEqual(T.expr("{\n  a = 1\n  b = { c = 2 }\n}"), "{a=1 b={c=2}}")
        XCTAssertEqual(T.expr("{ a = 1, }"), "{a=1}")
    }

    func testRecordsInListsOverSeveralLines() {
        let text = """
        let routes = [
          { to = 10.1.0.0/16, via = 10.0.0.254 },
          {
            to  = 10.2.0.0/16
            via = 10.0.0.253
          },
        ]
        """
        XCTAssertEqual(clean(text), "(let routes [{to=10.1.0.0/16 via=10.0.0.254} {to=10.2.0.0/16 via=10.0.0.253}])")
    }

    func testConditionalExpression() {
        XCTAssertEqual(T.expr("if a { 1 } else { 2 }"), "(if a 1 2)")
        XCTAssertEqual(T.expr("if a { 1 } else if b { 2 } else { 3 }"), "(if a 1 (if b 2 3))")
        XCTAssertEqual(T.expr("if a {\n 1\n}\nelse {\n 2\n}"), "(if a 1 2)")
        XCTAssertEqual(T.expr("1 + if a { 1 } else { 2 }"), "(+ 1 (if a 1 2))")
        XCTAssertEqual(T.expr("if x != 0 && 10 / x > 1 { {a = 1} } else { {} }"),
                       "(if (&& (!= x 0) (> (/ 10 x) 1)) {a=1} {})")
    }

    func testConditionalNeedsElse() {
        let (_, d) = T.parse("let x = if a { 1 }\nlet y = 2")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertTrue(d[0].message.contains("expected `else`"))
    }

    // MARK: newline rules

    func testNewlinesSeparateAttributes() {
        XCTAssertEqual(clean("vm a {\n  cpu = 1\n  memory = 2Gi\n}"), "(vm a {(= cpu 1) (= memory 2147483648B)})")
        XCTAssertEqual(clean("vm a { cpu = 1, memory = 2Gi, }"), "(vm a {(= cpu 1) (= memory 2147483648B)})")
        XCTAssertEqual(clean("nic a\nnic b, nic c"), "(nic a) (nic b) (nic c)")
    }

    func testNewlineIgnoredAfterOperatorsAndSeparators() {
        XCTAssertEqual(clean("let a = 1 +\n  2"), "(let a (+ 1 2))")
        XCTAssertEqual(clean("let a =\n  2"), "(let a 2)")
        XCTAssertEqual(clean("let a = 1 ..\n 2"), "(let a (.. 1 2))")
        XCTAssertEqual(clean("let a = 1 ..=\n 2"), "(let a (..= 1 2))")
        XCTAssertEqual(clean("let a = x &&\n y ||\n z"), "(let a (|| (&& x y) z))")
        XCTAssertEqual(clean("fn f(a: Int) ->\n Int = a"), "(fn f (a:Int)->Int a)")
        XCTAssertEqual(clean("vm a { cpu = 1,\n memory = 2 }"), "(vm a {(= cpu 1) (= memory 2)})")
    }

    func testNewlineBeforeOperatorEndsAttribute() {
        // `- 1` on the next line is not a continuation at block level
        let (_, d) = T.parse("let a = 1\n- 1")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(d[0].span.startOffset, 10)
    }

    func testNewlinesInsignificantInBracketsAndParens() {
        XCTAssertEqual(clean("let a = [\n1\n,\n2\n]"), "(let a [1 2])")
        XCTAssertEqual(clean("let a = (1\n+ 2)"), "(let a (paren (+ 1 2)))")
        XCTAssertEqual(clean("let a = f(\n x\n ,\n y\n)"), "(let a (call f x y))")
        XCTAssertEqual(clean("let a = [x\n.y]"), "(let a [(. x y)])")
    }

    func testBraceInsideBracketsMakesNewlinesSignificant() {
        XCTAssertEqual(clean("let a = [{\n a = 1\n b = 2\n}]"), "(let a [{a=1 b=2}])")
        let (_, d) = T.parse("let a = [{ a = 1\n + 2 }]")
        XCTAssertEqual(T.codes(d), ["E0110"], "inside `{}` the newline ends the field again")
    }

    func testElseOnNextLine() {
        XCTAssertEqual(clean("if a {\n  nic x\n}\nelse {\n  nic y\n}"), "(if a {(nic x)} else {(nic y)})")
        XCTAssertEqual(clean("if a { nic x }\nelse if b { nic y }\nelse { nic z }"),
                       "(if a {(nic x)} else (if b {(nic y)} else {(nic z)}))")
    }

    func testTrailingSeparators() {
        XCTAssertEqual(clean("vm a { cpu = 1, }\n\n"), "(vm a {(= cpu 1)})")
        XCTAssertEqual(clean("fn f(a: Int, b: Int,) -> Int = a"), "(fn f (a:Int b:Int)->Int a)")
        XCTAssertEqual(clean("let t: {a: Int, b: [IP],} = x"), "(let t:{a:Int,b:[IP]} x)")
    }

    // MARK: declarations

    func testImports() {
        XCTAssertEqual(clean("import std.images\nimport std.sizes as sz"),
                       "(import std.images) (import std.sizes as sz)")
        XCTAssertEqual(clean("import std.network"), "(import std.network)", "keywords in module paths")
    }

    func testAsIsContextual() {
        XCTAssertEqual(clean("let as = 1"), "(let as 1)")
    }

    func testResources() {
        XCTAssertEqual(clean("topology lab { namespace = \"vms\" }"), "(topology lab {(= namespace \"vms\")})")
        XCTAssertEqual(clean("topology { }"), "(topology {})")
        XCTAssertEqual(clean("host worker-1 { hostname = \"w\"\n nic ens192 { address = 192.168.0.121/24 }\n nic ens160 }"),
                       "(host worker-1 {(= hostname \"w\") (nic ens192 {(= address 192.168.0.121/24)}) (nic ens160)})")
        XCTAssertEqual(clean("nic ens161"), "(nic ens161)")
        XCTAssertEqual(clean("nic x on y"), "(nic x on y)")
        XCTAssertEqual(clean("vlan mgmt-vlan on ens160 { id = 100 }"), "(vlan mgmt-vlan on ens160 {(= id 100)})")
        XCTAssertEqual(clean("bond bond0 { ports = [ens161, ens162], mode = \"active-backup\" }"),
                       "(bond bond0 {(= ports [ens161 ens162]) (= mode \"active-backup\")})")
        XCTAssertEqual(clean("bridge br-mgmt { ports = [mgmt-vlan], stp = false, mtu = 1500 }"),
                       "(bridge br-mgmt {(= ports [mgmt-vlan]) (= stp false) (= mtu 1500)})")
        XCTAssertEqual(clean("ovs-bridge br-ovs { ports = [bond0] }"), "(ovs-bridge br-ovs {(= ports [bond0])})")
        XCTAssertEqual(clean("network n { bridge = br, vlan = 200, pool = 10.0.0.10 ..= 10.0.0.20 }"),
                       "(network n {(= bridge br) (= vlan 200) (= pool (..= 10.0.0.10 10.0.0.20))})")
        XCTAssertEqual(clean("vm a { host = worker-1\n user admin { groups = [\"wheel\"] }\n nic default on pod }"),
                       "(vm a {(= host worker-1) (user admin {(= groups [\"wheel\"])}) (nic default on pod)})")
    }

    func testResourceKindsAndSpans() {
        let text = "ovs-bridge br { }"
        let (f, _) = T.parse(text)
        guard case .resource(let r) = f.items[0].kind else { return XCTFail() }
        XCTAssertEqual(r.kind, .ovsBridge)
        XCTAssertEqual(r.keywordSpan.length, 10)
        XCTAssertEqual(f.items[0].span.startOffset, 0)
        XCTAssertEqual(f.items[0].span.endOffset, text.utf8.count)
        XCTAssertEqual(r.body?.span.startOffset, 14)
    }

    func testKeywordAttributeNames() {
        XCTAssertEqual(clean("network n {\n  bridge = br-x\n  vlan = 200\n  host = worker-1\n  dhcp = true\n  on = 1\n  if = 2\n}"),
                       "(network n {(= bridge br-x) (= vlan 200) (= host worker-1) (= dhcp true) (= on 1) (= if 2)})")
        XCTAssertEqual(clean("let r = { vm = 1, nic = 2, ovs-bridge = 3 }"), "(let r {vm=1 nic=2 ovs-bridge=3})")
    }

    func testInterpolatedDeclarationNames() {
        XCTAssertEqual(clean("for i in 1..=20 {\n  vm \"web-${i}\" { nic ext on \"net-${i % 2}\" }\n}"),
                       "(for i (..= 1 20) {(vm \"web-${i}\" {(nic ext on \"net-${(% i 2)}\")})})")
    }

    func testSpreads() {
        XCTAssertEqual(clean("vm a {\n  ...sizes.medium\n  cpu = 1\n}"), "(vm a {(... (. sizes medium)) (= cpu 1)})")
        XCTAssertEqual(clean("let r = { ...a, b = 1 }"), "(let r {...a b=1})")
    }

    func testLetFnAssert() {
        XCTAssertEqual(clean("let n: Int = 3"), "(let n:Int 3)")
        XCTAssertEqual(clean("let ips: [IP] = []"), "(let ips:[IP] [])")
        XCTAssertEqual(clean("let r: {a: Int, b: [{c: String}]} = x"), "(let r:{a:Int,b:[{c:String}]} x)")
        XCTAssertEqual(clean("fn web_ip(i: Int) -> IP = 10.0.0.10 + i"), "(fn web_ip (i:Int)->IP (+ 10.0.0.10 i))")
        XCTAssertEqual(clean("fn f() = 1"), "(fn f () 1)")
        XCTAssertEqual(clean("assert n > 0, \"n must be positive\""), "(assert (> n 0) \"n must be positive\")")
        XCTAssertEqual(clean("assert ok"), "(assert ok)")
        XCTAssertEqual(clean("vm a { assert ok, cpu = 1 }"), "(vm a {(assert ok) (= cpu 1)})")
        XCTAssertEqual(clean("vm a { assert ok, \"m\", cpu = 1 }"), "(vm a {(assert ok \"m\") (= cpu 1)})")
    }

    func testForAndIfStatements() {
        XCTAssertEqual(clean("for n in [lan-a, lan-b] { nic \"nic-${n.name}\" on n }"),
                       "(for n [lan-a lan-b] {(nic \"nic-${(. n name)}\" on n)})")
        XCTAssertEqual(clean("if enable_ovs { ovs-bridge br-ovs { ports = [ens161] } }"),
                       "(if enable_ovs {(ovs-bridge br-ovs {(= ports [ens161])})})")
        XCTAssertEqual(clean("vm a {\n  for i in 0..3 { nic \"n${i}\" on pod }\n  if x { cpu = 2 } else { cpu = 1 }\n}"),
                       "(vm a {(for i (.. 0 3) {(nic \"n${i}\" on pod)}) (if x {(= cpu 2)} else {(= cpu 1)})})")
    }

    func testIfStatementSpans() {
        let text = "if a { } else if b { } else { }"
        let (f, _) = T.parse(text)
        guard case .ifStatement(_, _, .elseIf(let inner)?) = f.items[0].kind else { return XCTFail() }
        XCTAssertEqual(f.items[0].span.endOffset, text.utf8.count)
        XCTAssertEqual(inner.span.startOffset, 14)
        XCTAssertEqual(inner.span.endOffset, text.utf8.count)
    }

    // MARK: strings

    func testStringParts() {
        let (f, d) = T.parse("let s = \"a${x}b${ \"in${y}\" }\"")
        XCTAssertEqual(d, [])
        guard case .letDecl(_, _, let v) = f.items[0].kind, case .string(let s) = v.kind else { return XCTFail() }
        XCTAssertEqual(s.parts.count, 4)
        XCTAssertNil(s.plainText)
        XCTAssertEqual(T.dump(v), "\"a${x}b${\"in${y}\"}\"")
        XCTAssertFalse(s.isMultiline)
    }

    func testPlainStringAndSpans() {
        let text = "let s = \"a\\nb\""
        let (f, _) = T.parse(text)
        guard case .letDecl(_, _, let v) = f.items[0].kind, case .string(let s) = v.kind else { return XCTFail() }
        XCTAssertEqual(s.plainText, "a\nb")
        XCTAssertEqual(s.span.startOffset, 8)
        XCTAssertEqual(s.span.endOffset, text.utf8.count)
        guard case .text(_, let sp) = s.parts[0] else { return XCTFail() }
        XCTAssertEqual(sp.startOffset, 9)
        XCTAssertEqual(sp.endOffset, text.utf8.count - 1)
    }

    func testMultilineStringOnePartPerLine() {
        let text = "vm a {\n  cloud_config = \"\"\"\n    packages: [postgresql]\n    runcmd:\n      - echo ${name}\n    \"\"\"\n}"
        let (f, d) = T.parse(text)
        XCTAssertEqual(d, [])
        guard case .resource(let r) = f.items[0].kind, case .attribute(_, let v) = r.body!.items[0].kind,
              case .string(let s) = v.kind else { return XCTFail() }
        XCTAssertTrue(s.isMultiline)
        let src = T.source(text)
        let lines = s.parts.compactMap { p -> String? in
            if case .text(let t, let sp) = p { return "\(src.location(of: sp.startOffset).line):\(t)" }
            return nil
        }
        XCTAssertEqual(lines, ["3:packages: [postgresql]\n", "4:runcmd:\n", "5:  - echo "])
        XCTAssertEqual(T.dump(v), "\"packages: [postgresql]\\nruncmd:\\n  - echo ${name}\"")
        // the column of the text part is after the removed indentation
        if case .text(_, let sp) = s.parts[0] { XCTAssertEqual(src.location(of: sp.startOffset).column, 5) }
    }

    func testMultilineIndentationErrorInParser() {
        let (_, d) = T.parse("let s = \"\"\"\n    a\n  b\n    \"\"\"\nlet t = 1")
        XCTAssertEqual(T.codes(d), ["E0111"])
    }

    // MARK: spans and locations

    func testCRLFSameLocations() {
        let lf = "vm a {\n  cpu = 1\n  nic e on n { address = 10.0.0.1 }\n}\nnic x\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let (f1, d1) = T.parse(lf)
        let (f2, d2) = T.parse(crlf)
        XCTAssertEqual(d1, [])
        XCTAssertEqual(d2, [])
        XCTAssertEqual(T.dump(f1.items), T.dump(f2.items))
        let s1 = T.source(lf), s2 = T.source(crlf)
        func positions(_ items: [Item], _ src: SourceFile) -> [String] {
            var out: [String] = []
            for it in items {
                out.append(T.lineCol(it.span, in: src))
                if case .resource(let r) = it.kind, let b = r.body {
                    out.append(T.lineCol(b.span, in: src))
                    out += positions(b.items, src)
                }
            }
            return out
        }
        XCTAssertEqual(positions(f1.items, s1), positions(f2.items, s2))
        XCTAssertEqual(positions(f1.items, s1), ["1:1", "1:6", "2:3", "3:3", "3:14", "3:16", "5:1"])
        // end of a span on a CRLF line is the same column too
        XCTAssertEqual(s2.location(of: f2.items[0].span.endOffset).line, 4)
    }

    func testErrorsOnCRLFLines() {
        let (_, d) = T.parse("vm a {\r\n  cpu = 1 2\r\n}\r\n")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(T.lineCol(d[0].span, in: T.source("vm a {\r\n  cpu = 1 2\r\n}\r\n")), "2:11")
    }

    func testEmptyFile() {
        for text in ["", "\n\n", "// only a comment", "/* block */", "\u{FEFF}"] {
            let (f, d) = T.parse(text)
            XCTAssertEqual(f.items.count, 0)
            XCTAssertEqual(d, [], text)
        }
    }

    func testCommentsKeptAside() {
        let (f, d) = T.parse("// a\nnic x // b\n/* c */")
        XCTAssertEqual(d, [])
        XCTAssertEqual(f.comments.count, 3)
        XCTAssertEqual(f.items.count, 1)
    }
}
