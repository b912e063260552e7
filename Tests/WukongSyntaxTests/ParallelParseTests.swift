import XCTest
import WukongDiagnostics
@testable import WukongSyntax

/// Large files are lexed and parsed in two halves on two threads (`Parser.parseInHalves`); the
/// halves are only used when both are free of diagnostics, and then must be exactly the tree of
/// the whole file, wherever the cut falls.
final class ParallelParseTests: XCTestCase {
    static func fleet(_ n: Int) -> String {
        var s = "// fleet\ntopology t { namespace = \"t\" }\nnic ens192\nbridge br { ports = [ens192] }\n"
        s += "network front { bridge = br, subnet = 10.4.0.0/16, gateway = 10.4.0.1 }\n"
        for i in 1...n {
            s += "vm vm-\(i) {\n  cpu = 2\n  memory = 4Gi\n  image = \"quay.io/containerdisks/fedora:41\"\n"
            s += "  user admin { password_hash = \"$6$rounds=4096$salt$abc\", sudo = \"ALL=(ALL) NOPASSWD:ALL\" }\n"
            s += "  nic default on pod\n  nic front on front { address = 10.4.\(i / 200).\(i % 200 + 2) }\n}\n"
            if i % 7 == 0 { s += "let x\(i) = [\n  1,\n  2\n]\n" }
            if i % 11 == 0 { s += "/* a block comment\n}\nvm not-a-vm {\n*/\n" }
            if i % 13 == 0 { s += "let text\(i) = \"\"\"\nline\n}\nvm inside {\n\"\"\"\n" }
            if i % 17 == 0 { s += "for k in 1..=2 {\n  vm \"v-\(i)-${k}\" { cpu = 1, memory = 1Gi, image = \"i\" }\n}\n" }
        }
        return s
    }

    /// Every cut the splitter could choose (any line start after a line that is just `}`), not
    /// only the one after the middle.
    static func cuts(_ bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        for i in 0..<(bytes.count - 3) where bytes[i] == 0x0A && bytes[i + 1] == 0x7D {
            if bytes[i + 2] == 0x0A { out.append(i + 3) }
            if bytes[i + 2] == 0x0D && bytes[i + 3] == 0x0A { out.append(i + 4) }
        }
        return out
    }

    func check(_ text: String, expectHalves: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let source = SourceFile(id: FileID(0), path: "t.wk", text: text)
        let whole = Parser.parseWhole(source)
        let wholeItems = String(reflecting: whole.syntax.items), wholeComments = String(reflecting: whole.syntax.comments)
        var used = 0
        for cut in Self.cuts(source.bytes) {
            guard let halves = Parser.parseInHalves(source, at: cut) else { continue }
            used += 1
            XCTAssertEqual(whole.diagnostics.map(\.message), [], "cut at \(cut)", file: file, line: line)
            XCTAssertEqual(halves.diagnostics.count, 0, file: file, line: line)
            XCTAssertEqual(String(reflecting: halves.syntax.items), wholeItems, "cut at \(cut)", file: file, line: line)
            XCTAssertEqual(String(reflecting: halves.syntax.comments), wholeComments, "cut at \(cut)", file: file, line: line)
        }
        if expectHalves { XCTAssertGreaterThan(used, 10, file: file, line: line) } else { XCTAssertEqual(used, 0, file: file, line: line) }
    }

    func testHalvesAreTheWholeFileWhereverTheCut() {
        XCTAssertEqual(Parser.parseWhole(SourceFile(id: FileID(0), path: "t.wk", text: Self.fleet(60))).diagnostics.map(\.message), [])
        check(Self.fleet(60), expectHalves: true)
        check(Self.fleet(60).replacingOccurrences(of: "\n", with: "\r\n"), expectHalves: true)
        check("\u{FEFF}" + Self.fleet(30), expectHalves: true)
    }

    func testAFileWithDiagnosticsIsNeverTakenFromHalves() {
        var broken = Self.fleet(60)
        broken += "vm late { cpu = }\n"          // an error near the end: every second half has it
        check(broken, expectHalves: false)
        check("vm early { cpu = = 1 }\n" + Self.fleet(60), expectHalves: false)
        check("let s = \"\"\"\n" + Self.fleet(20), expectHalves: false)   // unterminated string runs over every cut
    }

    func testLargeFilesTakeTheTwoHalves() {
        let text = Self.fleet(3000)
        XCTAssertGreaterThan(text.utf8.count, Parser.parallelBytes)
        let source = SourceFile(id: FileID(0), path: "t.wk", text: text)
        XCTAssertNotNil(Parser.splitPoint(source.bytes))
        let parsed = Parser.parse(source), whole = Parser.parseWhole(source)
        XCTAssertEqual(parsed.diagnostics.count, 0)
        XCTAssertEqual(parsed.syntax.items.count, whole.syntax.items.count)
        XCTAssertEqual(String(reflecting: parsed.syntax.items.suffix(40)), String(reflecting: whole.syntax.items.suffix(40)))
    }
}
