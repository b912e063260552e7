import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics

/// Runs every `.wk` file (and every `*.dir` multi-file topology) under `Tests/diagnostics/`
/// and compares the diagnostics with the expectations written inline:
///     bridge = ens192   // error[E0302]
///     address = 10.1.0.5   // error[E0402]:15 "outside the subnet"
/// The general form is `severity[CODE]@±N:COL "fragment"`, every part after `]` optional:
/// - `@+N` / `@-N` shifts the expected line (default: the line of the comment);
/// - `:COL` pins the 1-based column (in Unicode scalars, as the renderers count) where the
///   diagnostic's span starts;
/// - `"fragment"` (no `"` inside) must occur in the diagnostic's message.
/// Several per line are allowed. Any missing, extra or misplaced diagnostic (warnings included)
/// fails the test.
///
/// Each directory of `Tests/diagnostics/` also has `rendered.golden`: the human rendering (no
/// colour) of every case in the directory, concatenated, with paths relative to
/// `Tests/diagnostics/`. `WUKONG_UPDATE_GOLDEN=1` rewrites them; review the diff.
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
        /// Pinned start column, if any (expectations only).
        var column: Int? = nil
        /// A fragment the message must contain, if any (expectations only).
        var fragment: String? = nil
        var description: String {
            "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(severity)[\(code)]" + (fragment.map { " \"\($0)\"" } ?? "")
        }
        static func < (a: Expectation, b: Expectation) -> Bool {
            (a.file, a.line, a.code, a.severity, a.column ?? 0, a.fragment ?? "")
                < (b.file, b.line, b.code, b.severity, b.column ?? 0, b.fragment ?? "")
        }
        /// Whether an actual diagnostic (at `column`, saying `message`) meets this expectation.
        func matches(_ actual: Expectation, column actualColumn: Int, message: String) -> Bool {
            file == actual.file && line == actual.line && severity == actual.severity && code == actual.code
                && (column == nil || column == actualColumn)
                && (fragment.map { message.contains($0) } ?? true)
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
            let pattern = #"(error|warning)\[([EW][0-9]{4})\](@[+-][0-9]+)?(:[0-9]+)?( +"[^"]*")?"#
            while let r = rest.range(of: pattern, options: .regularExpression) {
                var token = rest[r]
                var fragment: String? = nil
                if let q = token.firstIndex(of: "\"") {
                    fragment = String(token[token.index(after: q)...].dropLast())
                    token = token[..<q]
                }
                token = token.drop { $0 != "[" }  // the column pin must not see `error`/`warning`
                let sev = rest[r].hasPrefix("error") ? "error" : "warning"
                let open = token.firstIndex(of: "[")!, close = token.firstIndex(of: "]")!
                let code = String(token[token.index(after: open)..<close])
                var after = token[token.index(after: close)...].trimmingCharacters(in: .whitespaces)[...]
                var lineNo = i + 1
                var column: Int? = nil
                if let colon = after.firstIndex(of: ":") {
                    column = Int(after[after.index(after: colon)...])
                    after = after[..<colon]
                }
                if after.hasPrefix("@"), let shift = Int(after.dropFirst().replacingOccurrences(of: "+", with: "")) {
                    lineNo += shift
                }
                out.append(Expectation(file: path, line: lineNo, severity: sev, code: code, column: column,
                                       fragment: fragment))
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
            var actual: [(e: Expectation, column: Int, message: String)] = []
            for d in result.diagnostics where d.code != .tooManyErrors {
                guard let file = result.sources[d.span.file] else {
                    failures.append("\(rel): diagnostic without a source position: \(d.code.rawValue) \(d.message)")
                    continue
                }
                let loc = file.location(of: d.span.startOffset)
                let e = Expectation(file: file.path, line: loc.line, severity: d.severity.rawValue, code: d.code.rawValue)
                actual.append((e, loc.column, d.message))
            }
            var remaining = actual
            // The most specific expectations first, so that a bare `error[E0402]` does not take
            // the diagnostic a pinned one on the same line needs.
            let ordered = expected.sorted { a, b in
                let sa = (a.column == nil ? 0 : 1) + (a.fragment == nil ? 0 : 1)
                let sb = (b.column == nil ? 0 : 1) + (b.fragment == nil ? 0 : 1)
                return sa != sb ? sa > sb : a < b
            }
            for e in ordered {
                if let i = remaining.firstIndex(where: { e.matches($0.e, column: $0.column, message: $0.message) }) {
                    remaining.remove(at: i)
                } else {
                    let near = actual.filter { $0.e == Expectation(file: e.file, line: e.line, severity: e.severity, code: e.code) }
                        .map { "\($0.e.line):\($0.column) \($0.message)" }
                    failures.append("missing \(e)" + (near.isEmpty ? "" : " (found " + near.joined(separator: "; ") + ")"))
                }
            }
            for a in remaining.sorted(by: { $0.e < $1.e }) {
                failures.append("unexpected \(a.e) col \(a.column): \(a.e.code) \(a.message)")
            }
        }
        if !failures.isEmpty {
            XCTFail("\(failures.count) diagnostic mismatch(es):\n" + failures.joined(separator: "\n"))
        }
    }

    /// The human rendering (no colour) of every case of one directory of `Tests/diagnostics/`,
    /// with file paths relative to that root.
    static func rendered(directory: String, cases: [String]) throws -> String {
        var out = ""
        for rel in cases where rel.hasPrefix(directory + "/") {
            let full = root.appendingPathComponent(rel).path
            var (inputs, name) = try Driver.load(path: full)
            let prefix = root.path + "/"
            for i in inputs.indices where inputs[i].path.hasPrefix(prefix) {
                inputs[i].path = String(inputs[i].path.dropFirst(prefix.count))
            }
            let result = Driver.compile(files: inputs, defaultName: name)
            let renderer = DiagnosticRenderer(sources: result.sources, color: false)
            out += "=== \(rel)\n"
            // As the CLI prints the list (a repeated warning code folded after its first few).
            if !result.diagnostics.isEmpty { out += renderer.render(result.diagnostics, as: .human) + "\n" }
        }
        return out
    }

    func testRenderedGoldens() throws {
        let cases = Self.cases()
        let dirs = Set(cases.compactMap { $0.split(separator: "/").count > 1 ? String($0.split(separator: "/")[0]) : nil }).sorted()
        XCTAssertFalse(dirs.isEmpty)
        let update = ProcessInfo.processInfo.environment["WUKONG_UPDATE_GOLDEN"] == "1"
        for dir in dirs {
            let actual = try Self.rendered(directory: dir, cases: cases)
            let url = Self.root.appendingPathComponent(dir).appendingPathComponent("rendered.golden")
            if update {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("missing golden \(url.path) (run with WUKONG_UPDATE_GOLDEN=1 and review the diff)")
                continue
            }
            if actual != expected {
                let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
                let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                XCTFail("\(dir)/rendered.golden differs at line \(i + 1):\n- \(i < a.count ? a[i] : "<end>")\n+ \(i < b.count ? b[i] : "<end>")\n(WUKONG_UPDATE_GOLDEN=1 rewrites it)")
            }
        }
    }
}
