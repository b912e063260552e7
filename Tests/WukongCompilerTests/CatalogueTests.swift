import XCTest
import Foundation
import WukongDiagnostics

/// The rule of the diagnostic catalogue: message text (messages, notes, help) lives in
/// `Sources/WukongDiagnostics/Catalogue/` only; call sites pass values and spans. This test
/// greps `Sources/` for the shapes a free-text diagnostic takes and fails with the list.
final class CatalogueTests: XCTestCase {
    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
    }

    /// Shapes of free-text diagnostics: a code followed by a message, a note or help given as text.
    static let patterns: [(String, String)] = [
        (#"(?<![\w.])Diagnostic\(\s*[.\w]+\s*,"#, "Diagnostic(code, message, …)"),
        (#"(?<![\w.])(error|staticError|report)\(\s*\.\w+\s*,"#, "error(.code, message, …)"),
        (#"DiagnosticCode\s*,\s*_\s+\w+\s*:\s*String"#, "a helper taking a code and a message"),
        (#"DiagnosticNote\(\s*""#, "DiagnosticNote(\"…\")"),
        (#"\.(note|help)\(\s*""#, ".note(\"…\") / .help(\"…\")"),
        (#"\bhelp:\s*""#, "help: \"…\""),
    ]

    static func offences(in text: String) -> [(line: Int, what: String)] {
        var out: [(Int, String)] = []
        for (pattern, what) in patterns {
            let re = try! NSRegularExpression(pattern: pattern)
            let ns = text as NSString
            for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                // Command-line help of ArgumentParser (`@Option(help: "…")`) is not a diagnostic.
                let lineRange = ns.lineRange(for: NSRange(location: m.range.location, length: 0))
                let lineText = ns.substring(with: lineRange)
                if ["@Option(", "@Flag(", "@Argument("].contains(where: lineText.contains) { continue }
                let line = ns.substring(to: m.range.location).filter { $0 == "\n" }.count + 1
                out.append((line, what))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    func testNoMessageTextOutsideTheCatalogue() throws {
        let fm = FileManager.default
        let root = Self.sources.path
        guard let walker = fm.enumerator(atPath: root) else { return XCTFail("no \(root)") }
        var failures: [String] = []
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".swift") else { continue }
            // The catalogue itself, and the one initializer it builds diagnostics with.
            if rel.hasPrefix("WukongDiagnostics/Catalogue/") || rel == "WukongDiagnostics/Diagnostic.swift" { continue }
            let text = try String(contentsOfFile: root + "/" + rel, encoding: .utf8)
            for f in Self.offences(in: text) { failures.append("Sources/\(rel):\(f.line): \(f.what)") }
        }
        if !failures.isEmpty {
            XCTFail("message text outside Sources/WukongDiagnostics/Catalogue/ (\(failures.count)); add a constructor to the catalogue and pass values and spans:\n" + failures.joined(separator: "\n"))
        }
    }

    func testEveryCodeHasAnExplanation() {
        for code in DiagnosticCode.allCases {
            XCTAssertTrue(Explanations.text(for: code).hasPrefix("\(code.rawValue) ("), code.rawValue)
        }
    }
}
