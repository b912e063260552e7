import XCTest
import Foundation
import WukongDiagnostics
@testable import WukongSyntax

/// Issue #13: a slipped closing bracket is one error, and the tree keeps the shape the layout
/// shows (Recovery.swift; docs/decisions.md, Syntax).
final class ClosingBracketRecoveryTests: XCTestCase {
    func testMismatchedCloserStandsForTheRightOne() {
        let text = """
        vm a { cpu = 1, memory = 1Gi, image = "x"
          nic e on n { address = 10.0.0.5 ]
        }
        vm b { cpu = 1, memory = 1Gi, image = "x"
          cpu = = 2
        }
        vm c { cpu = 1, memory = 1Gi, image = "x" }
        """
        let (f, d) = T.parse(text)
        XCTAssertEqual(d.map(\.message), ["mismatched closing delimiter: expected `}`, found `]`",
                                          "expected an expression, found `=`"])
        XCTAssertEqual(T.lineCol(d[0].span, in: T.source(text)), "2:35")
        XCTAssertEqual(d[0].notes.map(\.message), ["`{` opened here"])
        XCTAssertEqual(d[0].fixIts.map(\.replacement), ["}"])
        XCTAssertEqual(f.items.count, 3, "vm b and vm c stay at the top level: \(T.dump(f.items))")
        XCTAssertTrue(T.dump(f.items).hasSuffix("(vm c {(= cpu 1) (= memory 1073741824B) (= image \"x\")})"))
    }

    func testMissingCloserBeforeTopLevelDeclaration() {
        let text = """
        vm a { cpu = 1, memory = 1Gi, image = "x"
          nic e on n { address = 10.0.0.5 }

        vm b { cpu = 1, memory = 1Gi, image = "x"
          cpu = = 2
        }
        vm c { cpu = 1, memory = 1Gi, image = "x" }
        """
        let (f, d) = T.parse(text)
        XCTAssertEqual(d.map(\.message), ["expected `}` to close the block before `vm`", "expected an expression, found `=`"])
        XCTAssertEqual(T.lineCol(d[0].span, in: T.source(text)), "2:36", "at the end of the line before")
        XCTAssertEqual(d[0].notes.map { T.lineCol($0.span, in: T.source(text)) }, ["1:6"])
        XCTAssertEqual(f.items.count, 3, T.dump(f.items))
    }

    func testOutdentedCloserClosesTheEnclosingBlock() {
        // the `vm`'s `}` is missing: the `}` at column 1 lines up with the `for`, not the `vm`
        let text = """
        for i in 1..=200 {
          vm "a-${i}" {
            cpu = 1

        }
        for j in 1..=200 { nic x }
        """
        let (f, d) = T.parse(text)
        XCTAssertEqual(d.map(\.message), ["expected `}` to close the block before `}`"])
        XCTAssertEqual(T.lineCol(d[0].span, in: T.source(text)), "3:12")
        XCTAssertEqual(T.dump(f.items), "(for i (..= 1 200) {(vm \"a-${i}\" {(= cpu 1)})}) (for j (..= 1 200) {(nic x)})")
    }

    func testEnclosingBlocksEndingAtOneLineReportOnce() {
        let text = "for i in xs {\n  vm a {\n    nic b on c {\n      address = 1\nlet z = 1"
        let (f, d) = T.parse(text)
        XCTAssertEqual(d.map(\.message), ["expected `}` to close the block before `let`"])
        XCTAssertEqual(T.dump(f.items), "(for i xs {(vm a {(nic b on c {(= address 1)})})}) (let z 1)")
    }

    func testLegalProgramsIgnoreIndentation() {
        // brackets that balance are believed whatever the layout
        let text = "vm a {\ncpu = 1\nnic x on pod\n}\nfor i in xs {\nvm b {\nnic y\n}\n}\n  let z = [\n1]\n"
        let (f, d) = T.parse(text)
        XCTAssertEqual(d, [])
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu 1) (nic x on pod)}) (for i xs {(vm b {(nic y)})}) (let z [1])")
    }

    func testClosersOfGroupsWithinALine() {
        // `}` for `)`: another `}` follows for the record, so this one stands for the `)`
        XCTAssertEqual(T.parse("let r = { a = f(1} }\nlet s = 2").1.map(\.message),
                       ["mismatched closing delimiter: expected `)`, found `}`"])
        // `)` deleted: the `}` closes the record, which opened on this line; the call left open
        // is an error value (its arguments may have taken in what followed: no checks cascade)
        let (f, d) = T.parse("let r = { a = f(1 }\nlet s = 2")
        XCTAssertEqual(d.map(\.message), ["expected `)`, found `}`"])
        XCTAssertEqual(T.dump(f.items), "(let r {a=<error>}) (let s 2)")
        // `]` deleted before the next attribute on the line
        let (f2, d2) = T.parse("bond b { ports = [x, y, mode = \"m\" }\nnic z")
        XCTAssertEqual(d2.map(\.message), ["expected `]`, found `mode`"])
        XCTAssertEqual(T.dump(f2.items), "(bond b {(= ports [x y]) (= mode \"m\")}) (nic z)")
    }

    func testStrayCloserIsSkipped() {
        let (f, d) = T.parse("vm a { cpu = [1]] }\nnic z")
        XCTAssertEqual(d.map(\.message), ["expected an attribute or declaration, found `]`"])
        XCTAssertEqual(T.dump(f.items), "(vm a {(= cpu [1])}) (nic z)")
    }

    func testParameterListEndsBeforeArrow() {
        let (f, d) = T.parse("fn f(i: Int -> Int = i\nlet x = f(1)")
        XCTAssertEqual(d.map(\.message), ["expected `)` to close the parameter list, found `->`"])
        XCTAssertEqual(T.dump(f.items).components(separatedBy: ") (").count, 2, T.dump(f.items))
        XCTAssertEqual(T.parse("fn f(i: Int] -> Int = i").1.map(\.message),
                       ["mismatched closing delimiter: expected `)`, found `]`"])
    }

    func testBranchEndsAtElseOrLineEnd() {
        XCTAssertEqual(T.parse("let x = if a { 1 else { 2 }\nnic z").1.map(\.message),
                       ["expected `}` to close the branch, found `else`"])
        let (f, d) = T.parse("let x = if a { 1 } else { 2\nnic z")
        XCTAssertEqual(d.map(\.message), ["expected `}` to close the branch, found `nic`"])
        XCTAssertTrue(T.dump(f.items).hasSuffix("(nic z)"), "the next line is not skipped: \(T.dump(f.items))")
    }

    func testElseEndsTheBlockBeforeIt() {
        let (f, d) = T.parse("if a {\n  nic x\n else {\n  nic y\n}\nnic z")
        XCTAssertEqual(d.map(\.message), ["expected `}` to close the block, found end of line"])
        XCTAssertEqual(T.dump(f.items), "(if a {(nic x)} else {(nic y)}) (nic z)")
    }

    func testBraceEndingTheLineOpensTheBodyNotAnElement() {
        let (f, d) = T.parse("for x in [1, 2 {\n  nic y\n}\nnic z")
        XCTAssertEqual(d.map(\.message), ["expected `]`, found `{`"])
        XCTAssertEqual(T.dump(f.items), "(for x [1 2] {(nic y)}) (nic z)")
    }

    func testWhatStartsNoRecordFieldEndsTheRecord() {
        // the `,` after the unclosed record goes to the list: its next element parses on
        let (f, d) = T.parse("let l = [\n  { a = 1, { a = 2 },\n  { a = 3 },\n]\nnic z")
        XCTAssertEqual(d.map(\.message), ["expected `}`, found `{`"])
        XCTAssertEqual(T.dump(f.items), "(let l [{a=1} {a=2} {a=3}]) (nic z)")
        let (f2, d2) = T.parse("vm a { image = { ref = \"x\"\n  nic d on n\n}\nnic z")
        XCTAssertEqual(d2.map(\.message), ["expected `}`, found end of line"])
        XCTAssertEqual(T.dump(f2.items), "(vm a {(= image {ref=\"x\"}) (nic d on n)}) (nic z)")
    }

    func testSlippedInterpolationEnd() {
        for (text, message) in [("vm \"a-${i\" { cpu = 1 }\nnic z", "expected `}` to close the interpolation, found `\"`"),
                                ("vm \"a-${i]\" { cpu = 1 }\nnic z", "mismatched closing delimiter: expected `}`, found `]`"),
                                ("vm \"a-${i)\" { cpu = 1 }\nnic z", "mismatched closing delimiter: expected `}`, found `)`")] {
            let (f, d) = T.parse(text)
            XCTAssertEqual(d.map(\.message), [message], text)
            XCTAssertEqual(T.dump(f.items), "(vm \"a-${i}\" {(= cpu 1)}) (nic z)", text)
            // the string tokens stay balanced
            let kinds = T.lex(text).tokens.map(\.kind)
            XCTAssertEqual(kinds.filter { $0 == .interpolationStart }.count, kinds.filter { $0 == .interpolationEnd }.count)
        }
        // a string within the interpolation is not taken for the end of the outer one
        XCTAssertEqual(T.parse("let s = \"${\"x\" + \"y\"").1.map(\.code.rawValue), ["E0103"])
    }

    /// A file of nothing but slips: every closer decision looks ahead a bounded number of tokens,
    /// and all of them together a bounded multiple of the file.
    func testManySlipsParseInLinearTime() {
        // each `]` ends 100 unclosed `(`, and each of those decisions sees 250 more closers
        let line = "let x = [" + String(repeating: "(", count: 100) + "1]" + String(repeating: " ]", count: 250) + "\n"
        let text = String(repeating: line, count: 200) + "nic z"
        let start = clock()
        let (f, _) = T.parse(text)
        let elapsed = Double(clock() - start) / Double(CLOCKS_PER_SEC)
        XCTAssertTrue(T.dump(f.items).hasSuffix("(nic z)"))
        // CPU time; without the overall budget this takes about 4× as long
        #if DEBUG
        XCTAssertLessThan(elapsed, 5, "debug build")
        #else
        XCTAssertLessThan(elapsed, 1, "release build")
        #endif
    }
}
