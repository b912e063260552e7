import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics

/// What an editor sends while a user types: every line prefix (and, for small files, every
/// byte prefix) of every example and diagnostics test file must go through the whole pipeline
/// without a crash, a trap or a hang, and every diagnostic must carry a source position.
final class RobustnessTests: XCTestCase {
    static let testsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repoRoot = testsRoot.deletingLastPathComponent()

    static func corpus() -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        let fm = FileManager.default
        for dir in [repoRoot.appendingPathComponent("examples"), testsRoot.appendingPathComponent("diagnostics"),
                    repoRoot.appendingPathComponent("stdlib")] {
            guard let walker = fm.enumerator(atPath: dir.path) else { continue }
            var rels: [String] = []
            while let rel = walker.nextObject() as? String { if rel.hasSuffix(".wk") { rels.append(rel) } }
            for rel in rels.sorted() {
                if let data = fm.contents(atPath: dir.appendingPathComponent(rel).path) {
                    out.append((rel, [UInt8](data)))
                }
            }
        }
        return out
    }

    /// Set once a compile hung, so the remaining inputs are skipped instead of piling up threads.
    nonisolated(unsafe) static var hung = false

    /// Compiles on a worker thread with a watchdog, so a hang fails the test instead of CI's clock.
    func compileChecked(_ name: String, _ bytes: [UInt8], seconds: Double = 20) {
        if Self.hung { return }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var missing: [String] = []
        Thread.detachNewThread {
            let c = Driver.compile(files: [InputFile(path: name, bytes: bytes)], defaultName: "prefix")
            _ = Driver.format(InputFile(path: name, bytes: bytes))  // `wukongc fmt` on the same input
            for d in c.diagnostics where c.sources[d.span.file] == nil {
                missing.append("\(d.code.rawValue) \(d.message)")
            }
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            Self.hung = true
            let tail = String(decoding: bytes.suffix(60), as: UTF8.self)
            XCTFail("\(name): compiling a \(bytes.count)-byte prefix did not finish in \(Int(seconds)) s; it ends with: \(tail.debugDescription)")
            return
        }
        XCTAssertTrue(missing.isEmpty, "\(name): diagnostics without position: \(missing)")
    }

    func testEveryLinePrefixCompiles() {
        let corpus = Self.corpus()
        XCTAssertFalse(corpus.isEmpty)
        for (name, bytes) in corpus {
            var cut = 0
            while cut <= bytes.count {
                compileChecked(name, Array(bytes[0..<cut]))
                guard let nl = bytes[cut...].firstIndex(of: 0x0A) else { break }
                cut = nl + 1
            }
            compileChecked(name, bytes)
        }
    }

    func testEveryBytePrefixOfSmallFilesCompiles() {
        for (name, bytes) in Self.corpus() where bytes.count <= 700 {
            for cut in 0...bytes.count { compileChecked(name, Array(bytes[0..<cut])) }
        }
    }

    func testHostileInputs() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("nul", Array("nic a\0\nnic b\n".utf8)),
            ("invalid-utf8", [0x6E, 0x69, 0x63, 0x20, 0xFF, 0xFE, 0x0A, 0xC3]),
            ("bom-crlf", [0xEF, 0xBB, 0xBF] + Array("nic ens192\r\nbridge br0 { ports = [ens192] }\r\n".utf8)),
            ("unterminated-string", Array("vm a { image = \"abc".utf8)),
            ("unterminated-multiline", Array("vm a { cloud_config = \"\"\"\n  x: 1\n".utf8)),
            ("unterminated-comment", Array("/* /* */ nic a".utf8)),
            ("brackets", Array(String(repeating: "[", count: 10_000).utf8)),
            ("parens", Array(("let x = " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)).utf8)),
            ("braces", Array(("vm a " + String(repeating: "{", count: 10_000)).utf8)),
            ("interpolations", Array(("let x = " + String(repeating: "\"${", count: 5_000)).utf8)),
            ("unary", Array(("let x = " + String(repeating: "-", count: 10_000) + "1").utf8)),
            ("binary", Array(("let x = 1" + String(repeating: " + 1", count: 20_000)).utf8)),
            ("member-chain", Array(("let x = a" + String(repeating: ".b", count: 10_000)).utf8)),
            ("garbage", (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
        ]
        for (name, bytes) in cases { compileChecked(name, bytes) }
    }

    func testFiveMegabyteFile() {
        var text = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork n { bridge = br0, subnet = 10.0.0.0/8, gateway = 10.0.0.1 }\n"
        var i = 0
        while text.utf8.count < 5_000_000 {
            i += 1
            text += "vm v\(i) { cpu = 1, memory = 1Gi, image = \"img\"\n  nic e on n { address = 10.\(i / 65536 % 256).\(i / 256 % 256).\(i % 256 + 0) }\n}\n"
        }
        // Whatever it reports, it must finish and keep positions.
        compileChecked("big.wk", Array(text.utf8), seconds: 300)
    }
}
