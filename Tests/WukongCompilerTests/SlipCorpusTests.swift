import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongSyntax

/// Issue #13, "never cascade": one slip of a closing bracket is one error. The corpus is made in
/// memory from every example: each `}`, `]` and `)` token (an interpolation's `}` included) is
/// deleted, or replaced by each of the other two closers, one at a time. Every such program must
/// give exactly one diagnostic through the whole `check` pipeline: the syntax error, with no
/// follow-on syntax error and no semantic error or warning caused by a wrongly nested tree.
final class SlipCorpusTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Slip {
        let file: String
        let offset: Int
        let original: UInt8
        /// The replacement closer, or nil for a deletion.
        let replacement: UInt8?
        var description: String {
            let what = replacement.map { "`\(Character(UnicodeScalar($0)))` for" } ?? "deleted"
            return "\(file)@\(offset): \(what) `\(Character(UnicodeScalar(original)))`"
        }
        func apply(to bytes: [UInt8]) -> [UInt8] {
            var out = bytes
            if let replacement { out[offset] = replacement } else { out.remove(at: offset) }
            return out
        }
    }

    static func examples() throws -> [(name: String, bytes: [UInt8])] {
        let dir = repoRoot.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wk") }.sorted()
            .map { ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    /// Every slip of one closing-bracket token of `bytes`.
    static func slips(of name: String, _ bytes: [UInt8]) -> [Slip] {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: name, bytes: bytes))
        let closers: [UInt8] = Array("}])".utf8)
        var out: [Slip] = []
        for t in lexed.tokens {
            switch t.kind {
            case .rBrace, .rBracket, .rParen, .interpolationEnd: break
            default: continue
            }
            let c = bytes[t.startOffset]
            out.append(Slip(file: name, offset: t.startOffset, original: c, replacement: nil))
            for r in closers where r != c {
                out.append(Slip(file: name, offset: t.startOffset, original: c, replacement: r))
            }
        }
        return out
    }

    /// The shape fuzzing found (issue #13): with a `vm`'s `}` missing in a `for`, the `for` took
    /// the rest of the file, and loops after it ran once per iteration of it.
    func testUnclosedBlockDoesNotSwallowTheLoopsAfterIt() {
        let text = """
        for i in 1..=200 {
          vm "a-${i}" { cpu = 1, memory = 1Gi, image = "x:1"
            nic default on pod
        }

        for j in 1..=200 {
          for k in 1..=200 {
            let z = j + k
          }
        }
        """
        let start = Date()
        let c = Driver.compile(files: [InputFile(path: "loops.wk", text: text)], defaultName: "loops")
        XCTAssertEqual(c.diagnostics.map(\.message), ["expected `}` to close the block before `}`"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    func testEveryClosingBracketSlipGivesOneDiagnostic() throws {
        let examples = try Self.examples()
        XCTAssertGreaterThanOrEqual(examples.count, 10)
        var failures: [String] = []
        var count = 0
        for (name, bytes) in examples {
            for slip in Self.slips(of: name, bytes) {
                count += 1
                let c = Driver.compile(files: [InputFile(path: name, bytes: slip.apply(to: bytes))], defaultName: "slip")
                let diags = c.diagnostics.filter { $0.code != .tooManyErrors }
                if diags.count == 1 && diags[0].severity == .error { continue }
                let lines = diags.map { d -> String in
                    let l = c.sources[d.span.file].map { $0.location(of: d.span.startOffset) }
                    return "    \(l.map { "\($0.line):\($0.column)" } ?? "?") \(d.severity.rawValue)[\(d.code.rawValue)] \(d.message)"
                }
                failures.append("\(slip.description): \(diags.count) diagnostics\n" + lines.joined(separator: "\n"))
            }
        }
        XCTAssertGreaterThan(count, 300)
        if !failures.isEmpty {
            XCTFail("\(failures.count) of \(count) slips do not give exactly one error:\n" + failures.joined(separator: "\n"))
        }
    }
}
