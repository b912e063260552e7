import Foundation
import XCTest
import WukongCompiler

/// `wukongc check --graph` end to end (the real binary; Graphviz for the SVG).
extension GraphCLITests {
    func testCheckGraphWritesTheMarkedPicture() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let dir = try tempDir()
        let source = dir.appendingPathComponent("flawed.wk")
        try CheckGraphTests.flawed.write(to: source, atomically: true, encoding: .utf8)

        // `check`'s own output and exit status are the same with --graph.
        let plain = try run(bin, ["check", source.path])
        XCTAssertEqual(plain.status, 1)
        for (file, marker) in [("p.dot", "digraph topology {"), ("p.mmd", "flowchart LR")] {
            let out = dir.appendingPathComponent(file).path
            let r = try run(bin, ["check", source.path, "--graph", out])
            XCTAssertEqual(r.status, plain.status, file)
            XCTAssertEqual(r.stdout, plain.stdout, file)
            XCTAssertEqual(r.stderr, plain.stderr, file)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            XCTAssertTrue(text.contains(marker), file)
            XCTAssertTrue(text.contains("error E0402") && text.contains("warning W0403"), file)
            XCTAssertTrue(text.contains("1 diagnostic outside the picture"), file)
        }
        // --graph-format overrides the extension; JSON diagnostics are unchanged too.
        let json = try run(bin, ["check", "--format", "json", source.path])
        let forced = dir.appendingPathComponent("picture.txt").path
        let r = try run(bin, ["check", "--format", "json", source.path, "--graph", forced, "--graph-format", "mermaid"])
        XCTAssertEqual(r.stdout, json.stdout)
        XCTAssertTrue(try String(contentsOfFile: forced, encoding: .utf8).contains("flowchart LR"))
        // A clean topology: exit 0, the legend says so.
        let clean = dir.appendingPathComponent("clean.dot").path
        let ok = try run(bin, ["check", "examples/lab.wk", "--graph", clean])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(try String(contentsOfFile: clean, encoding: .utf8).contains("check: 0 errors, 0 warnings"))
        // Usage: one path only; --graph-format needs --graph; SVG needs Graphviz.
        XCTAssertEqual(try run(bin, ["check", source.path, "examples/lab.wk", "--graph", clean]).status, 2)
        XCTAssertEqual(try run(bin, ["check", source.path, "--graph-format", "dot"]).status, 2)
        let noDot = try run(bin, ["check", source.path, "--graph", dir.appendingPathComponent("x.svg").path], env: ["PATH": "/nonexistent"])
        XCTAssertEqual(noDot.status, 2)
        XCTAssertTrue(noDot.stderr.contains("Graphviz"), noDot.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.svg").path))
        // Unwritable target: exit 2, the diagnostics still printed.
        let unwritable = try run(bin, ["check", source.path, "--graph", dir.path + "/missing/dir/p.dot"])
        XCTAssertEqual(unwritable.status, 2)
        XCTAssertEqual(unwritable.stdout, plain.stdout)
        XCTAssertTrue(unwritable.stderr.contains("cannot write"), unwritable.stderr)
    }

    /// The marked picture renders through Graphviz: the codes are in the SVG's text, the
    /// flagged element's tooltip is its `<title>`/`xlink:title`, the error colour is used.
    func testCheckGraphSVGRenders() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        guard Self.onPath("dot") != nil else { throw XCTSkip("Graphviz `dot` is not on PATH (scripts/install-deps installs graphviz)") }
        let dir = try tempDir()
        let source = dir.appendingPathComponent("flawed.wk")
        try CheckGraphTests.flawed.write(to: source, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("flawed.svg").path
        let r = try run(bin, ["check", source.path, "--graph", out])
        XCTAssertEqual(r.status, 1, r.stderr)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"))
        let texts = Self.texts(ofSVG: svg)
        XCTAssertTrue(texts.contains("error E0402"), "\(texts)")
        XCTAssertTrue(texts.contains { $0.contains("eth0: 10.9.0.5/24") && $0.contains("E0402") }, "\(texts)")
        XCTAssertTrue(texts.contains("warning W0403"), "\(texts)")
        XCTAssertTrue(texts.contains("check: 2 errors, 2 warnings"), "\(texts)")
        XCTAssertTrue(svg.contains("#d62728"))
        XCTAssertTrue(Self.decode(svg).contains("xlink:title=\"error[E0402]"), "the tooltip")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["flawed.svg", "flawed.wk"],
                       "no temporary file left")
        if let rsvg = Self.onPath("rsvg-convert") {
            let png = dir.appendingPathComponent("flawed.png").path
            XCTAssertEqual(try run(rsvg, ["-f", "png", "-o", png, out]).status, 0)
        }
    }
}
