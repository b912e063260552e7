import XCTest
import WukongCompiler
import WukongDiagnostics
import WukongFormat
import WukongSyntax
import WukongIR

/// `wukongc fmt`: the layout rules, that formatting is idempotent and never changes what a file
/// means, and that files with syntax errors are left alone.
final class FormatterTests: XCTestCase {
    func format(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        var sources = SourceMap()
        let id = sources.add(path: "t.wk", bytes: Array(text.utf8))
        let r = Formatter.format(sources[id]!)
        if let out = r.text {
            // idempotent
            var again = SourceMap()
            let id2 = again.add(path: "t.wk", bytes: Array(out.utf8))
            XCTAssertEqual(Formatter.format(again[id2]!).text, out, "not idempotent", file: file, line: line)
        }
        return r.text
    }

    func check(_ input: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(format(input, file: file, line: line), expected, file: file, line: line)
    }

    func testSpacing() {
        check("let  x=1+2*  3\n", "let x = 1 + 2 * 3\n")
        check("let l = [ 1,2 ,3 ]\n", "let l = [1, 2, 3]\n")
        check("let r = {a=1,b=2}\n", "let r = { a = 1, b = 2 }\n")
        check("let e = { }\n", "let e = {}\n")
        check("fn f( i :Int )->IP=10.0.0.1+i\n", "fn f(i: Int) -> IP = 10.0.0.1 + i\n")
        check("let n = - 1\nlet b = ! true\n", "let n = -1\nlet b = !true\n")
        check("let x = a - -1\n", "let x = a - -1\n")
        check("let h = subnet . host ( 1 )\n", "let h = subnet.host(1)\n")
        check("let c = if(a){1}else{2}\n", "let c = if (a) { 1 } else { 2 }\n")
        check("vm a{\n...sizes . small\n}\n", "vm a {\n  ...sizes.small\n}\n")
    }

    func testRangesKeepTheAuthorsSpacing() {
        check("for i in 1..=20 {\n}\n", "for i in 1..=20 {\n}\n")
        check("let p = 10.0.0.1 ..= 10.0.0.9\n", "let p = 10.0.0.1 ..= 10.0.0.9\n")
        check("let p = 10.0.0.1  ..=10.0.0.9\n", "let p = 10.0.0.1 ..= 10.0.0.9\n")
    }

    /// Issue #13 (6–8): found by fuzzing; `check` asserts idempotence too.
    func testFuzzFindingsCommentsBesideRangesAndAssignments() {
        // a line comment ending in CR + space is not a change of meaning
        check("// x\r \nlet a = 1\n", "// x\nlet a = 1\n")
        // a block comment before or after a range operator: the other side says the style
        check("let a = 1 /*c*/..=1\n", "let a = 1 /*c*/ ..=1\n")
        check("let a = 1 /*c*/ ..= 1\n", "let a = 1 /*c*/ ..= 1\n")
        check("let a = 1../*c*/2\n", "let a = 1.. /*c*/ 2\n")
        // a comment between name and `=` keeps the line out of an aligned group
        check("user u {\n  password_hash = \"h\"\n  ssh_keys/*c*/ = []\n}\n",
              "user u {\n  password_hash = \"h\"\n  ssh_keys /*c*/ = []\n}\n")
        check("network n {\n  bridge = br0\n  dns/*c*/    = []\n}\n", "network n {\n  bridge = br0\n  dns /*c*/ = []\n}\n")
    }

    func testStringsAreKeptByteForByte() {
        check("let s = \"a  ${ x+1 }  b\"\n", "let s = \"a  ${ x+1 }  b\"\n")
        check("vm \"web-${i}\"{ }\n", "vm \"web-${i}\" {}\n")
    }

    func testIndentationByBracketDepth() {
        check("network n {\nbridge = br0\n    subnet = 10.0.0.0/24\n}\n",
              "network n {\n  bridge = br0\n  subnet = 10.0.0.0/24\n}\n")
        // brackets opened on one line indent the next lines once; closing goes back
        check("let r = [{\nto = 10.1.0.0/16,\nvia = 10.0.0.254\n}]\n",
              "let r = [{\n  to = 10.1.0.0/16,\n  via = 10.0.0.254\n}]\n")
        check("vm a {\nnic n on lan {\naddress = auto\n}\n}\n",
              "vm a {\n  nic n on lan {\n    address = auto\n  }\n}\n")
        check("if a {\nlet x = 1\n} else if b {\nlet y = 2\n}\nelse {\nlet z = 3\n}\n",
              "if a {\n  let x = 1\n} else if b {\n  let y = 2\n}\nelse {\n  let z = 3\n}\n")
    }

    func testContinuationLines() {
        check("let x = 1 +\n2\nlet y =\n3\n", "let x = 1 +\n  2\nlet y =\n  3\n")
    }

    func testBlankLines() {
        check("\n\nlet a = 1\n\n\n\nlet b = 2\n\n\n", "let a = 1\n\nlet b = 2\n")
        check("vm a {\n\n  cpu = 1\n\n}\n", "vm a {\n  cpu = 1\n}\n")
    }

    func testCommentsStay() {
        check("// head\nlet a = 1 // one\n/* block */ let b = 2\n", "// head\nlet a = 1 // one\n/* block */ let b = 2\n")
        check("vm a {\n// inside\ncpu = 1\n}\n", "vm a {\n  // inside\n  cpu = 1\n}\n")
        // a comment the author aligned keeps its column; one written after one space keeps one space
        check("nic ens192          // a\nbridge br0 { ports = [ens192] }   // b\n",
              "nic ens192          // a\nbridge br0 { ports = [ens192] }   // b\n")
        check("let a  =  1   // c\n", "let a = 1     // c\n")
        check("let a = 1 // c\n", "let a = 1 // c\n")
    }

    func testAssignmentsAlignOnlyWhereTheAuthorAligned() {
        check("network n {\n  bridge  = br0\n  subnet = 10.0.0.0/24\n  gateway = 10.0.0.1\n}\n",
              "network n {\n  bridge = br0\n  subnet = 10.0.0.0/24\n  gateway = 10.0.0.1\n}\n")
        check("network n {\n  bridge  = br0\n  subnet  = 10.0.0.0/24\n  gateway = 10.0.0.1\n}\n",
              "network n {\n  bridge  = br0\n  subnet  = 10.0.0.0/24\n  gateway = 10.0.0.1\n}\n")
        // re-indented, the group stays aligned
        check("network n {\nbridge  = br0\ngateway = 10.0.0.1\n}\n", "network n {\n  bridge  = br0\n  gateway = 10.0.0.1\n}\n")
    }

    func testMultilineStringMovesWithItsLine() {
        let input = "vm a {\n      cloud_config = \"\"\"\n        packages: [git]\n        \"\"\"\n}\n"
        let out = format(input)
        XCTAssertEqual(out, "vm a {\n  cloud_config = \"\"\"\n    packages: [git]\n    \"\"\"\n}\n")
    }

    func testLineEndingsAndByteOrderMark() {
        check("\u{FEFF}let a = 1\r\nlet b = 2\r\n", "let a = 1\nlet b = 2\n")
        check("let a = 1", "let a = 1\n")
        check("", "")
    }

    func testSyntaxErrorsAreNotFormatted() {
        var sources = SourceMap()
        let id = sources.add(path: "t.wk", bytes: Array("let a = [1, \n".utf8))
        let r = Formatter.format(sources[id]!)
        XCTAssertNil(r.text)
        XCTAssertFalse(r.diagnostics.isEmpty)
    }

    /// The examples are written in the canonical layout (`wukongc fmt --check examples` passes).
    func testExamplesAreFormatted() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try Driver.format(paths: [root.appendingPathComponent("examples").path])
        XCTAssertGreaterThan(files.count, 10)
        for f in files { XCTAssertFalse(f.changed, "\(f.path) is not formatted: run `wukongc fmt examples`") }
    }

    /// Every example and every diagnostics test file that parses: formatting is idempotent and
    /// the formatted file compiles to the same diagnostics (codes, in order) and the same IR.
    func testFormattingKeepsMeaningOfEveryTestFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var paths: [String] = []
        for dir in ["examples", "Tests/diagnostics", "stdlib"] {
            let base = root.appendingPathComponent(dir).path
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            while let rel = walker.nextObject() as? String {
                if rel.hasSuffix(".wk") && !rel.contains(".dir/") { paths.append(base + "/" + rel) }
            }
        }
        XCTAssertGreaterThan(paths.count, 50)
        var formattedCount = 0
        for path in paths.sorted() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let f = Driver.format(InputFile(path: path, bytes: bytes))
            guard let text = f.formatted else { continue }
            formattedCount += 1
            let again = Driver.format(InputFile(path: path, text: text))
            XCTAssertEqual(again.formatted, text, "not idempotent: \(path)")
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let before = Driver.compile(files: [InputFile(path: path, bytes: bytes)], defaultName: name)
            let after = Driver.compile(files: [InputFile(path: path, text: text)], defaultName: name)
            XCTAssertEqual(before.diagnostics.map(\.code), after.diagnostics.map(\.code), "diagnostics changed: \(path)")
            XCTAssertEqual(before.diagnostics.map(\.message), after.diagnostics.map(\.message), "messages changed: \(path)")
            if let a = before.topology, let b = after.topology {
                XCTAssertEqual(IRJSON.encode(a), IRJSON.encode(b), "IR changed: \(path)")
            }
        }
        XCTAssertGreaterThan(formattedCount, 40)
    }
}
