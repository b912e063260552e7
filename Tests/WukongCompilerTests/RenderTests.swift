import XCTest
import Foundation
@testable import WukongDiagnostics

/// Golden tests of the three diagnostic formats on a hand-made diagnostic (independent of the
/// front end). Regenerate with WUKONG_UPDATE_GOLDEN=1.
final class RenderTests: XCTestCase {
    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden/render")

    func sample() -> (SourceMap, Diagnostic) {
        var map = SourceMap()
        let text = """
        nic ens192
        bridge br-external { ports = [ens192] }
        network external { bridge = br-external, subnet = 192.168.0.0/24 }
        vm a { cpu = 1, memory = 1Gi, image = "x"
        \tnic e on external { address = 192.168.1.200 }   // tab-indented, héllo
        }

        """
        let id = map.add(path: "topology.wk", bytes: Array(text.utf8))
        let file = map[id]!
        func span(_ needle: String) -> Span {
            let bytes = Array(needle.utf8)
            let hay = file.bytes
            for i in 0...(hay.count - bytes.count) where Array(hay[i..<(i + bytes.count)]) == bytes {
                return Span(file: id, start: i, end: i + bytes.count)
            }
            XCTFail("no \(needle)"); return .none
        }
        let d = Diagnostic(.subnet, "address `192.168.1.200` is outside the subnet `192.168.0.0/24` of network `external`",
                           at: span("192.168.1.200"),
                           notes: [DiagnosticNote("the subnet is declared here", at: span("192.168.0.0/24"))],
                           help: "pick an address in 192.168.0.0/24, or put the NIC on another network")
        return (map, d)
    }

    func check(_ name: String, _ actual: String) throws {
        let url = Self.goldenDir.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["WUKONG_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: Self.goldenDir, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "golden \(name) differs; rerun with WUKONG_UPDATE_GOLDEN=1 and review the diff")
    }

    func testHuman() throws {
        let (map, d) = sample()
        try check("human.txt", DiagnosticRenderer(sources: map, color: false).render(d, as: .human))
    }

    func testHumanColourOnlyWhenAsked() {
        let (map, d) = sample()
        XCTAssertFalse(DiagnosticRenderer(sources: map, color: false).human(d).contains("\u{1B}["))
        XCTAssertTrue(DiagnosticRenderer(sources: map, color: true).human(d).contains("\u{1B}[1;31m"))
    }

    func testJSON() throws {
        let (map, d) = sample()
        let line = DiagnosticRenderer(sources: map).render(d, as: .json)
        try check("diagnostic.json", line)
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "one object per line")
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        XCTAssertEqual(obj?["line"] as? Int, 5)
        // columns count Unicode characters: the tab is one
        XCTAssertEqual(obj?["column"] as? Int, 32)
        XCTAssertEqual(obj?["code"] as? String, "E0402")
        XCTAssertEqual((obj?["notes"] as? [[String: Any]])?.first?["line"] as? Int, 3)
    }

    /// A diagnostic naming the VM of a `for` it is about carries `instance`; others have none.
    func testJSONNamesTheInstance() throws {
        let (map, d) = sample()
        let r = DiagnosticRenderer(sources: map)
        let plain = try JSONSerialization.jsonObject(with: Data(r.json(d).utf8)) as? [String: Any]
        XCTAssertNil(plain?["instance"])
        let named = d.inInstance(vm: "a-3", of: 4, at: d.span)
        let obj = try JSONSerialization.jsonObject(with: Data(r.json(named).utf8)) as? [String: Any]
        XCTAssertEqual(obj?["instance"] as? String, "a-3")
        XCTAssertEqual((obj?["notes"] as? [[String: Any]])?.last?["message"] as? String,
                       "in VM `a-3`, one of the 4 VMs this declaration makes")
    }

    func testGNU() throws {
        let (map, d) = sample()
        try check("gnu.txt", DiagnosticRenderer(sources: map).render(d, as: .gnu))
    }

    /// A warning code seen more than `repeatedWarningsShown` times: human output shows that many,
    /// then one line counting the rest; json and gnu list every one; errors are never folded.
    func testRepeatedWarningsFoldInHumanOutputOnly() {
        let (map, d) = sample()
        let r = DiagnosticRenderer(sources: map)
        let w = Diagnostic(.overlapWarning, "overlap", at: d.span)
        let other = Diagnostic(.unusedWarning, "unused", at: d.span)
        func count(_ s: String, _ needle: String) -> Int { s.components(separatedBy: needle).count - 1 }
        let limit = DiagnosticRenderer.repeatedWarningsShown
        XCTAssertEqual(limit, 3)
        // exactly the limit: nothing folded, blank line between diagnostics as before
        let three = r.render(Array(repeating: w, count: 3) + [other], as: .human)
        XCTAssertEqual(three, Array(repeating: r.human(w), count: 3).joined(separator: "\n") + "\n" + r.human(other))
        let many = Array(repeating: w, count: 10_000) + [other, d, d, d, d]
        let human = r.render(many, as: .human, listAll: "--format json")
        XCTAssertEqual(count(human, "warning[W0401]"), 3)
        XCTAssertEqual(count(human, "warning[W0403]"), 1)
        XCTAssertEqual(count(human, "error[E0402]"), 4)
        XCTAssertTrue(human.contains(r.human(w) + "\n… and 9 997 more W0401 like this; `--format json` lists all\n\n"), human)
        XCTAssertEqual(count(r.render(many, as: .json), "\"code\":\"W0401\""), 10_000)
        XCTAssertEqual(count(r.render(many, as: .gnu), "[W0401]"), 10_000)
        XCTAssertTrue(r.render([w, w, w, w], as: .human, listAll: "--diagnostics-format json")
            .hasSuffix("… and 1 more W0401 like this; `--diagnostics-format json` lists all\n"))
        XCTAssertEqual(r.render([], as: .human), "")
    }

    func testGroupedDigits() {
        XCTAssertEqual(DiagnosticRenderer.groupedDigits(0), "0")
        XCTAssertEqual(DiagnosticRenderer.groupedDigits(999), "999")
        XCTAssertEqual(DiagnosticRenderer.groupedDigits(9_997), "9 997")
        XCTAssertEqual(DiagnosticRenderer.groupedDigits(1_000_000), "1 000 000")
        XCTAssertEqual(DiagnosticRenderer.groupedDigits(Int.min), "-9 223 372 036 854 775 808")
    }

    func testColumnsCountScalarsNotBytes() {
        var map = SourceMap()
        let id = map.add(path: "u.wk", bytes: Array("let é = 1 // ü\nx".utf8))
        let f = map[id]!
        // "x" on line 2 col 1; the byte offset of "1" (after a 2-byte é) is column 9
        XCTAssertEqual(f.location(of: Array("let é = ".utf8).count).column, 9)
        XCTAssertEqual(f.location(of: f.bytes.count - 1).line, 2)
    }

    func testByteOrderMarkIsNoColumn() {
        var map = SourceMap()
        let id = map.add(path: "bom.wk", bytes: [0xEF, 0xBB, 0xBF] + Array("nic a".utf8))
        XCTAssertEqual(map[id]!.location(of: 3).column, 1)
        XCTAssertEqual(map[id]!.location(of: 7).column, 5)
    }

    func testEveryCodeHasAnExplanation() {
        for c in DiagnosticCode.allCases {
            let t = Explanations.text(for: c)
            XCTAssertTrue(t.hasPrefix(c.rawValue), "\(c)")
            XCTAssertGreaterThan(t.count, 60, "\(c) explanation too short")
        }
        XCTAssertEqual(DiagnosticCode.lookup("n-subnet"), .subnet)
        XCTAssertEqual(DiagnosticCode.lookup("E0402"), .subnet)
    }

    func testSuggestions() {
        XCTAssertEqual(Suggest.similar(to: "br-externl", among: ["br-external", "br-internal", "ens192"]), ["br-external"])
        XCTAssertEqual(Suggest.similar(to: "br-extrenal", among: ["br-external", "br-eternal"]), ["br-external", "br-eternal"])
        XCTAssertEqual(Suggest.similar(to: "ab", among: ["ac", "abcd"]), ["ac"])
        XCTAssertEqual(Suggest.didYouMean("cpus", among: ["cpu", "memory"]), "did you mean `cpu`?")
    }
}
