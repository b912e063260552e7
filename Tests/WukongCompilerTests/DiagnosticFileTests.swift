import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics

/// Runs every `.wk` file (and every `*.dir` multi-file topology) under `Tests/diagnostics/`
/// and compares the diagnostics with the expectations written inline:
///     bridge = ens192   // error[E0302]
/// Several per line are allowed; `@+N` / `@-N` after the bracket shifts the expected line.
/// Any missing, extra or misplaced diagnostic (warnings included) fails the test.
final class DiagnosticFileTests: XCTestCase {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("diagnostics")
    }

    struct Expectation: Hashable, Comparable, CustomStringConvertible {
        let file: String
        let line: Int
        let severity: String
        let code: String
        var description: String { "\(file):\(line): \(severity)[\(code)]" }
        static func < (a: Expectation, b: Expectation) -> Bool {
            (a.file, a.line, a.code, a.severity) < (b.file, b.line, b.code, b.severity)
        }
    }

    /// Cases: a single file, or a `.dir` directory compiled as one topology.
    static func cases() -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            let comps = rel.split(separator: "/")
            if comps.dropLast().contains(where: { $0.hasSuffix(".dir") }) { continue }
            if rel.hasSuffix(".dir") || rel.hasSuffix(".wk") { out.append(rel) }
        }
        return out.sorted()
    }

    static func expectations(in path: String, text: String) -> [Expectation] {
        var out: [Expectation] = []
        // Split on the byte "\n" (a "\r\n" pair is one Character to Swift, so split the scalars).
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring(String($0)) }
        for (i, line) in lines.enumerated() {
            guard let c = line.range(of: "//") else { continue }
            let comment = line[c.upperBound...]
            var rest = Substring(comment)
            while let r = rest.range(of: #"(error|warning)\[([EW][0-9]{4})\](@[+-][0-9]+)?"#, options: .regularExpression) {
                let token = rest[r]
                let sev = token.hasPrefix("error") ? "error" : "warning"
                let open = token.firstIndex(of: "[")!, close = token.firstIndex(of: "]")!
                let code = String(token[token.index(after: open)..<close])
                var lineNo = i + 1
                if let at = token.firstIndex(of: "@"), let shift = Int(token[token.index(after: at)...].replacingOccurrences(of: "+", with: "")) {
                    lineNo += shift
                }
                out.append(Expectation(file: path, line: lineNo, severity: sev, code: code))
                rest = rest[r.upperBound...]
            }
        }
        return out
    }

    func testDiagnosticFiles() throws {
        let cases = Self.cases()
        XCTAssertFalse(cases.isEmpty, "no diagnostics test files found under \(Self.root.path)")
        var failures: [String] = []
        for rel in cases {
            let full = Self.root.appendingPathComponent(rel).path
            let (inputs, name) = try Driver.load(path: full)
            var expected: [Expectation] = []
            for f in inputs {
                expected += Self.expectations(in: f.path, text: String(decoding: f.bytes, as: UTF8.self))
            }
            let result = Driver.compile(files: inputs, defaultName: name)
            var actual: [Expectation] = []
            var rendered: [Expectation: String] = [:]
            for d in result.diagnostics where d.code != .tooManyErrors {
                guard let file = result.sources[d.span.file] else {
                    failures.append("\(rel): diagnostic without a source position: \(d.code.rawValue) \(d.message)")
                    continue
                }
                let loc = file.location(of: d.span.startOffset)
                let e = Expectation(file: file.path, line: loc.line, severity: d.severity.rawValue, code: d.code.rawValue)
                actual.append(e)
                rendered[e] = "\(d.code.rawValue) \(d.message)"
            }
            var remaining = actual
            for e in expected.sorted() {
                if let i = remaining.firstIndex(of: e) { remaining.remove(at: i) }
                else { failures.append("missing \(e)") }
            }
            for e in remaining.sorted() { failures.append("unexpected \(e): \(rendered[e] ?? "")") }
        }
        if !failures.isEmpty {
            XCTFail("\(failures.count) diagnostic mismatch(es):\n" + failures.joined(separator: "\n"))
        }
    }
}
