import XCTest
import Foundation
import WukongDiagnostics
@testable import WukongSyntax

final class ExampleTests: XCTestCase {
    func testLanguageExamplesParseClean() {
        for (name, text) in LanguageExamples.all {
            let (f, d) = T.parse(text)
            XCTAssertEqual(d.map(\.message), [], name)
            XCTAssertFalse(f.items.isEmpty, name)
            XCTAssertFalse(T.dump(f.items).contains("<error>"), name)
        }
    }

    func testLabExampleShape() {
        let (f, _) = T.parse(LanguageExamples.lab)
        let kinds = f.items.map { item -> String in
            switch item.kind {
            case .importDecl: return "import"
            case .resource(let r): return r.kind.rawValue
            default: return "?"
            }
        }
        XCTAssertEqual(kinds, ["import", "import", "topology", "nic", "nic", "bridge", "network", "network", "vm"])
        XCTAssertTrue(T.dump(f.items).contains("(nic default on pod) (nic ext on external {(= address 192.168.0.200)})"))
    }

    func testVmExampleMultilineString() {
        let (f, _) = T.parse(LanguageExamples.vm)
        XCTAssertTrue(T.dump(f.items).contains("(= cloud_config \"packages: [postgresql]\")"), T.dump(f.items))
    }

    func testEveryBytePrefixOfEveryExample() {
        for (name, text) in LanguageExamples.all {
            let bytes = Array(text.utf8)
            for n in 0...bytes.count {
                let (f, d) = Parser.parse(T.source(bytes: Array(bytes[0..<n])))
                // a cut inside a multi-byte character is invalid UTF-8, anything else at most syntax errors
                XCTAssertTrue(d.allSatisfy { $0.code.check == "syntax" }, "\(name) prefix \(n)")
                // what a user is typing is incomplete in exactly one place: one diagnostic, no cascade
                XCTAssertTrue(d.count <= 1, "\(name) prefix \(n): \(d.map(\.message))")
                _ = f
            }
        }
    }
}

final class RecoveryTests: XCTestCase {
    func testTwoTyposTwoDiagnostics() {
        let text = """
        nic ens192
        bridge br-external { ports = [ens192] }
        network external {
          bridge = br-external
          subnet 192.168.0.0/24
        }
        vm a {
          cpu = 1 +
          memory = 4Gi
          image = "x"
        }
        vm b { cpu = 2, memory = 4Gi, image = "y" }
        network last { macvlan = ens192 }
        """
        let (f, d) = T.parse(text)
        XCTAssertEqual(T.codes(d), ["E0110", "E0110"], d.map(\.message).description)
        let src = T.source(text)
        XCTAssertEqual(d.map { T.lineCol($0.span, in: src) }, ["5:10", "9:10"])
        XCTAssertEqual(d[0].message, "expected `=` after `subnet`, found `192.168.0.0/24`")
        let dump = T.dump(f.items)
        XCTAssertTrue(dump.contains("(vm b {(= cpu 2) (= memory 4294967296B) (= image \"y\")})"), dump)
        XCTAssertTrue(dump.contains("(network last {(= macvlan ens192)})"), dump)
        XCTAssertTrue(dump.contains("(= image \"x\")"), "the attribute after the broken one survives: \(dump)")
    }

    func testMissingEqualsIsParsedOn() {
        let (f, d) = T.parse("let b 2\nvm a {\n  subnet 10.0.0.0/24\n  cpu = 1\n}")
        XCTAssertEqual(T.codes(d), ["E0110", "E0110"])
        XCTAssertEqual(d[0].message, "expected `=` after `let b`, found `2`")
        XCTAssertEqual(d[0].fixIts.map(\.replacement), [" ="])
        XCTAssertEqual(d[0].fixIts.first?.span.startOffset, 5, "inserted right after the name")
        XCTAssertEqual(d[1].fixIts.map(\.replacement), [" ="])
        XCTAssertEqual(T.dump(f.items), "(let b 2) (vm a {(= subnet 10.0.0.0/24) (= cpu 1)})")
    }

    func testColonInsteadOfEquals() {
        let (f, d) = T.parse("vm a {\n  cpu: 2\n  labels = { tier: \"db\", app = \"x\" }\n}")
        XCTAssertEqual(T.codes(d), ["E0110", "E0110"])
        XCTAssertEqual(d[0].message, "expected `=` after `cpu`, found `:`")
        XCTAssertEqual(d.map { $0.fixIts.map(\.replacement) }, [[" ="], [" ="]])
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu 2) (= labels {tier=\"db\" app=\"x\"})})")
    }

    func testAssignmentInCondition() {
        let (_, d) = T.parse("if a = 1 { nic x }")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertTrue(d[0].help?.contains("`==`") ?? false)
    }

    func testMissingValueBeforeNextAttribute() {
        let (f, d) = T.parse("vm a {\n  cpu =\n  memory = 4Gi\n}\nlet r = {\n  a =\n  b = 1\n}")
        XCTAssertEqual(d.map(\.message), ["expected a value after `cpu =`, found end of line",
                                          "expected a value after `a =`, found end of line"])
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu <error>) (= memory 4294967296B)}) (let r {a=<error> b=1})")
        // a value on the next line is still fine
        XCTAssertEqual(T.parse("vm a {\n  cpu =\n    2\n}").1, [])
    }

    func testMisspelledDeclarationKeyword() {
        let (f, d) = T.parse("vn web { cpu = 1 }\nvm ok { cpu = 1 }")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(d[0].message, "expected `=` after `vn`, found `web`")
        XCTAssertTrue(d[0].help?.contains("`vm`") ?? false, d[0].help ?? "")
        XCTAssertEqual(T.dump(f.items), "<error> (vm ok {(= cpu 1)})")
    }

    func testMissingSeparatorRecoversAtNextAttribute() {
        let (f, d) = T.parse("vm a { cpu = 1 memory = 2 }\nnic z")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(d[0].message, "expected a newline or `,` after attribute `cpu`, found `memory`")
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu 1) (= memory 2)}) (nic z)")
    }

    func testMissingClosingBrace() {
        let text = "vm a {\n  cpu = 1\n"
        let (f, d) = T.parse(text)
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(d[0].message, "expected `}` to close the block, found end of file")
        XCTAssertEqual(d[0].notes.map(\.message), ["block opened here"])
        XCTAssertEqual(T.lineCol(d[0].span, in: T.source(text)), "2:10")
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu 1)})")
    }

    func testStrayClosingBrackets() {
        let (f, d) = T.parse("nic a\n}\nnic b\nvm c { cpu = 1 ] }\nnic d")
        XCTAssertEqual(T.codes(d), ["E0110", "E0110"], d.map(\.message).description)
        XCTAssertEqual(T.dump(f.items), "(nic a) (nic b) (vm c {(= cpu 1)}) (nic d)")
    }

    func testBrokenExpressionInList() {
        let (f, d) = T.parse("let a = [1, = 2, 3]\nlet b = [1 2]\nlet c = 3")
        XCTAssertEqual(T.codes(d), ["E0110", "E0110"], d.map(\.message).description)
        XCTAssertTrue(T.dump(f.items).hasSuffix("(let c 3)"))
    }

    func testUnclosedListAtEndOfBlock() {
        let (f, d) = T.parse("vm a {\n  ports = [a, b\n}\nnic z")
        XCTAssertEqual(T.codes(d), ["E0110"], d.map(\.message).description)
        XCTAssertTrue(d[0].message.hasPrefix("expected `]`"), d[0].message)
        XCTAssertEqual(T.dump(f.items), "(vm a {(= ports [a b])}) (nic z)")
    }

    func testUnclosedParenAndRecord() {
        let (_, d1) = T.parse("let a = (1 + 2\nlet b = 1")
        XCTAssertEqual(T.codes(d1), ["E0110"])
        let (f2, d2) = T.parse("let a = { x = 1\nlet b = 1")
        XCTAssertEqual(T.codes(d2), ["E0110"], d2.map(\.message).description)
        _ = f2
    }

    func testKeywordAsName() {
        let (f, d) = T.parse("vm host { cpu = 1 }\nnic x")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertTrue(d[0].help?.contains("reserved word") ?? false)
        XCTAssertEqual(T.dump(f.items), "(vm host {(= cpu 1)}) (nic x)", "parsed on as if it were a name")
    }

    func testMissingNameDropsTheDeclaration() {
        // only a topology may be nameless: a nameless `vm` becomes an error node (no cascade
        // downstream), but its body is still read for syntax errors
        let (f, d) = T.parse("vm { cpu = 1 }\nnic z")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertEqual(T.dump(f.items), "<error> (nic z)")
        let (f2, d2) = T.parse("vm a { nic on pod }")
        XCTAssertEqual(d2.map(\.message), ["expected a name after `nic`, found `on`"])
        XCTAssertEqual(T.dump(f2.items), "(vm a {<error>})")
        let (_, d3) = T.parse("vm {\n  cpu = = 1\n}")
        XCTAssertEqual(T.codes(d3), ["E0110", "E0110"], "the body's own syntax error is still found")
    }

    func testLexicalErrorsDoNotCascade() {
        let cases = ["vm a { memory = 4GB }", "vm a { address = 010.0.0.1 }", "vm a { x = 10.0.0.0/33 }",
                     "vm a { x = 1 @ 2 }", "vm a { x = \"\\q\" }", "let x = 99999999999999999999",
                     "vm a { cpu = 1; memory = 2 }", "let s = 'abc'", "vm a { address = 10.0.${i} }"]
        for text in cases {
            let (_, d) = T.parse(text)
            XCTAssertEqual(d.count, 1, "\(text): \(d.map(\.message))")
        }
    }

    func testUnterminatedStringThenMoreCode() {
        let (f, d) = T.parse("vm a {\n  image = \"abc\n  cpu = 1\n}\nnic z")
        XCTAssertEqual(T.codes(d), ["E0103"])
        XCTAssertEqual(T.dump(f.items), "(vm a {(= image \"abc\") (= cpu 1)}) (nic z)")
    }

    func testNothingMissingAfterSwallowedEnd() {
        // what an unterminated comment or multi-line string swallowed is not reported again
        for text in ["vm a {\n  cloud_config = \"\"\"\n    abc\n}", "vm a {\n/* abc\n}", "let x = [f(\"\"\"\n"] {
            let (_, d) = T.parse(text)
            XCTAssertEqual(d.count, 1, "\(text): \(d.map(\.message))")
            XCTAssertTrue(["E0103", "E0104"].contains(d.first?.code.rawValue ?? ""))
        }
        // an unterminated one-line string is not like that: the `}` on the next line still counts
        XCTAssertEqual(T.codes(T.parse("vm a {\n  image = \"abc\n  cpu = 1\n").1), ["E0103", "E0110"])
    }

    func testBrokenInterpolation() {
        let (f, d) = T.parse("vm \"web-${i +}\" { cpu = 1 }\nnic z")
        XCTAssertEqual(T.codes(d), ["E0110"])
        XCTAssertTrue(T.dump(f.items).hasSuffix("(nic z)"))
        let (_, d2) = T.parse("let s = \"${a b}\"\nnic z")
        XCTAssertEqual(T.codes(d2), ["E0110"])
        let (_, d3) = T.parse("let s = \"${}\"")
        XCTAssertEqual(T.codes(d3), ["E0110"])
    }

    func testInterpolatedRecordKeyRejected() {
        let (_, d) = T.parse("let r = { \"a${x}\" = 1 }")
        XCTAssertEqual(T.codes(d), ["E0110"])
    }

    func testEverySyntaxErrorSpanIsInsideTheFile() {
        let texts = ["vm", "vm a {", "let", "let x", "let x =", "fn", "fn f(", "fn f(a", "fn f(a:", "fn f(a: Int) ->",
                     "for", "for x", "for x in", "for x in y", "if", "if x", "if x {} else", "import", "import std.",
                     "import std.images as", "assert", "x = [", "x = (", "x = {", "x = a.", "x = f(", "...",
                     "x = if a { 1 } else", "let t: [", "let t: {a", "let t: {a:"]
        for text in texts {
            let (_, d) = T.parse(text)
            XCTAssertEqual(d.count, 1, "\(text): \(d.map(\.message))")
            for x in d {
                XCTAssertLessThanOrEqual(x.span.endOffset, text.utf8.count, text)
                XCTAssertEqual(x.code, .unexpectedToken, text)
            }
        }
    }
}

final class RobustnessTests: XCTestCase {
    func nested(_ open: String, _ close: String, _ n: Int, prefix: String = "let x = ") -> String {
        prefix + String(repeating: open, count: n) + "1" + String(repeating: close, count: n) + "\nlet after = 2"
    }

    func assertTooDeep(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let (f, d) = T.parse(text)
        XCTAssertEqual(T.codes(d), ["E0112"], file: file, line: line)
        XCTAssertTrue(T.dump(f.items).hasSuffix("(let after 2)"), "the rest of the file survives", file: file, line: line)
    }

    func testDeepBrackets() { assertTooDeep(nested("[", "]", 10_000)) }
    func testDeepParens() { assertTooDeep(nested("(", ")", 10_000)) }
    func testDeepRecords() { assertTooDeep(nested("{a=", "}", 10_000)) }
    func testDeepUnary() { assertTooDeep("let x = " + String(repeating: "-", count: 10_000) + "1\nlet after = 2") }
    func testDeepCalls() { assertTooDeep("let x = f" + String(repeating: "(1)", count: 10_000) + "\nlet after = 2") }
    func testLongOperatorChain() {
        assertTooDeep("let x = 1" + String(repeating: " + 1", count: 10_000) + "\nlet after = 2")
    }

    func testDeepBlocks() {
        let text = String(repeating: "if a {\n", count: 10_000) + String(repeating: "}\n", count: 10_000) + "let after = 2"
        assertTooDeep(text)
    }

    func testLongElseIfChain() {
        let text = "if a { }" + String(repeating: " else if a { }", count: 10_000) + "\nlet after = 2"
        assertTooDeep(text)
        let expr = "let x = if a { 1 }" + String(repeating: " else if a { 1 }", count: 10_000) + " else { 2 }\nlet after = 2"
        assertTooDeep(expr)
    }

    func testDeepTypes() {
        assertTooDeep("let x: " + String(repeating: "[", count: 10_000) + "Int" + String(repeating: "]", count: 10_000)
                      + " = 1\nlet after = 2")
    }

    func testDeepInterpolation() {
        var text = "let x = "
        for _ in 0..<10_000 { text += "\"${" }
        let (f, d) = T.parse(text)
        XCTAssertEqual(T.codes(d), ["E0112"])
        XCTAssertEqual(f.items.count, 1)
    }

    func testModerateNestingParses() {
        let (f, d) = T.parse(nested("[", "]", 100))
        XCTAssertEqual(d, [])
        XCTAssertEqual(f.items.count, 2)
        var text = "let x = "
        for _ in 0..<30 { text += "\"${" }
        text += "1"
        for _ in 0..<30 { text += "}\"" }
        XCTAssertEqual(T.parse(text).1, [])
    }

    /// The parser at its nesting limit must fit in a small thread stack even in a debug build.
    func testNestingLimitFitsSmallStack() {
        let texts = [nested("[", "]", Parser.maxNesting - 2), nested("(", ")", Parser.maxNesting - 2),
                     nested("{a=", "}", Parser.maxNesting - 2),
                     String(repeating: "if a {\n", count: Parser.maxNesting - 2) + String(repeating: "}\n", count: Parser.maxNesting - 2),
                     "let x = " + String(repeating: "\"${", count: Lexer.maxInterpolationDepth) + "1"
                        + String(repeating: "}\"", count: Lexer.maxInterpolationDepth)]
        for text in texts {
            let done = expectation(description: "parsed")
            let thread = Thread {
                let (_, d) = T.parse(text)
                XCTAssertEqual(d, [])
                done.fulfill()
            }
            #if DEBUG
            var size = 4 << 20 // debug frames are large
            #else
            var size = 512 << 10
            #endif
            // AddressSanitizer's redzones make every frame several times larger (scripts/sanitize)
            if ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil { size *= 4 }
            thread.stackSize = size
            thread.start()
            wait(for: [done], timeout: 60)
        }
    }

    func testInvalidUTF8File() {
        let bytes: [UInt8] = Array("nic a\nlet s = \"".utf8) + [0xFF, 0xFE] + Array("\"\nnic b\n".utf8) + [0xC3] + Array("\nnic c".utf8)
        let (f, d) = Parser.parse(T.source(bytes: bytes))
        XCTAssertEqual(T.codes(d), ["E0102", "E0102"])
        XCTAssertTrue(T.dump(f.items).hasSuffix("(nic c)"))
        guard case .letDecl(_, _, let v) = f.items[1].kind, case .string(let s) = v.kind else { return XCTFail() }
        XCTAssertEqual(s.plainText, "\u{FFFD}")
    }

    func testNulByteFile() {
        let bytes: [UInt8] = Array("nic a\n".utf8) + [0, 0, 0] + Array("\nnic b".utf8)
        let (f, d) = Parser.parse(T.source(bytes: bytes))
        XCTAssertEqual(T.codes(d), ["E0101"])
        XCTAssertEqual(T.dump(f.items), "(nic a) <error> (nic b)")
    }

    func testRandomBytesNeverCrash() {
        var rng = SplitMix(seed: 42)
        let alphabet = Array("vm nic { } [ ] ( ) \" ${ } = , . .. ..= -> / 10.0.0.1 4Gi 0x /* */ // \n \\ if else for in let fn".utf8)
        for _ in 0..<300 {
            let len = Int(rng.next() % 200)
            var bytes: [UInt8] = []
            for _ in 0..<len {
                let r = rng.next()
                bytes.append(r % 7 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : alphabet[Int((r >> 16) % UInt64(alphabet.count))])
            }
            let (_, d) = Parser.parse(T.source(bytes: bytes))
            for x in d {
                XCTAssertLessThanOrEqual(x.span.endOffset, bytes.count)
                XCTAssertGreaterThanOrEqual(x.span.startOffset, 0)
            }
        }
    }

    func testFiveMegabyteFile() {
        var text = "import std.images\nnetwork external { bridge = br-external, subnet = 10.0.0.0/8 }\n"
        var i = 0
        while text.utf8.count < 5_000_000 {
            text += """
            vm "web-\(i)" {
              cpu    = 2
              memory = 4Gi
              image  = images.ubuntu_2204 // comment
              labels = { tier = "web", "app.kubernetes.io/part-of" = "lab-${i}" }
              nic ext on external { address = 10.\(i / 65536 % 256).\(i / 256 % 256).\(i % 256), metric = 100 + \(i % 7) }
            }

            """
            i += 1
        }
        let src = T.source(text)
        // CPU time, not wall time: the machine may be busy with other work
        let start = clock()
        let (f, d) = Parser.parse(src)
        let elapsed = Double(clock() - start) / Double(CLOCKS_PER_SEC)
        XCTAssertEqual(d.count, 0)
        XCTAssertEqual(f.items.count, i + 2)
        #if DEBUG
        XCTAssertLessThan(elapsed, 60, "debug build")
        #else
        XCTAssertLessThan(elapsed, 1.0, "release build")
        #endif
    }
}

/// A tiny deterministic generator for the fuzz-ish test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
