#if canImport(WukongCompiler)
import XCTest
import WukongCompiler
import WukongDiagnostics

/// Syntax diagnostics through the whole pipeline (`Driver.compile`): positions survive, CRLF
/// files report the same lines as LF files.
final class DriverSyntaxTests: XCTestCase {
    func syntaxLines(_ text: String) -> [String] {
        let c = Driver.compile(files: [InputFile(path: "t.wk", text: text)], defaultName: "t")
        return c.diagnostics.filter { $0.code.check == "syntax" }.map { d in
            let loc = c.sources[d.span.file]!.location(of: d.span.startOffset)
            return "\(d.code.rawValue)@\(loc.line):\(loc.column)"
        }
    }

    func testCRLFFileReportsTheSameLinesAsLF() {
        let lf = "let a = 1\nlet b = 4GB\nlet c = \"\"\"\n    text\n  less\n    \"\"\"\nlet d = [a, c]\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(syntaxLines(lf), ["E0107@2:9", "E0111@5:1"])
        XCTAssertEqual(syntaxLines(crlf), syntaxLines(lf))
    }
}
#endif
