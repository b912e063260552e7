import Foundation
import XCTest
import WukongCompiler
import WukongIR

/// `wukongc graph` end to end: the real binary, Graphviz and librsvg (scripts/install-deps).
final class GraphCLITests: XCTestCase {
    static var binary: String? {
        // The test runner lives in the build's bin directory, next to wukongc.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.appendingPathComponent("wukongc").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        p.currentDirectoryURL = URL(fileURLWithPath: GraphRepo.root)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wukong-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// The text of every `<text>` element of an SVG, entities decoded (Graphviz writes `-` as `&#45;`).
    static func texts(ofSVG svg: String) -> [String] {
        var out: [String] = []
        var rest = svg[...]
        while let open = rest.range(of: "<text") {
            guard let gt = rest[open.upperBound...].firstIndex(of: ">"),
                  let close = rest[gt...].range(of: "</text>") else { break }
            out.append(decode(String(rest[rest.index(after: gt)..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func decode(_ s: String) -> String {
        var out = ""
        var rest = s[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if entity.hasPrefix("#x"), let n = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(n) { out.unicodeScalars.append(u) }
                else if entity.hasPrefix("#"), let n = UInt32(entity.dropFirst()), let u = Unicode.Scalar(n) { out.unicodeScalars.append(u) }
                else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// Every example renders to SVG through Graphviz, the SVG converts to PNG, and the picture
    /// names every host, network and VM (or counts it in a collapsed group's label).
    func testEveryExampleRendersAndNamesEverything() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        guard Self.onPath("dot") != nil else { throw XCTSkip("Graphviz `dot` is not on PATH (scripts/install-deps installs graphviz)") }
        guard let rsvg = Self.onPath("rsvg-convert") else { throw XCTSkip("`rsvg-convert` is not on PATH (scripts/install-deps installs librsvg2-bin)") }
        let examples = try FileManager.default.contentsOfDirectory(atPath: GraphRepo.root + "/examples").filter { $0.hasSuffix(".wk") }.sorted()
        XCTAssertFalse(examples.isEmpty)
        let dir = try tempDir()
        for file in examples {
            let name = String(file.dropLast(3))
            let path = "examples/" + file
            let svgPath = dir.appendingPathComponent(name + ".svg").path
            let pngPath = dir.appendingPathComponent(name + ".png").path
            let r = try run(bin, ["graph", path, "-o", svgPath])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
            XCTAssertTrue(svg.contains("<svg"), name)
            let png = try run(rsvg, ["-f", "png", "-o", pngPath, svgPath])
            XCTAssertEqual(png.status, 0, "\(name): rsvg-convert: \(png.stderr)")
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: pngPath))) ?? Data()
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(name): not a PNG")

            let t = try XCTUnwrap(Driver.compile(path: GraphRepo.root + "/" + path).topology, name)
            let texts = Self.texts(ofSVG: svg)
            let all = Set(texts)
            for n in t.networks { XCTAssertTrue(all.contains(n.name), "\(name): network \(n.name) not in the SVG") }
            // Hosts: "host worker-1" labels, or "hosts a … z (N hosts)" groups counting N.
            var hostsShown = t.hosts.filter { h in texts.contains { $0 == "host \(h.name)" || $0.hasPrefix("host \(h.name) (") } }.count
            hostsShown += texts.compactMap { Self.count(in: $0, unit: "hosts") }.reduce(0, +)
            XCTAssertEqual(hostsShown, t.hosts.count, "\(name): hosts")
            // VMs: their own node's title, or a group's "(N VMs)".
            var vmsShown = t.vms.filter { all.contains($0.name) }.count
            vmsShown += texts.compactMap { Self.count(in: $0, unit: "VMs") }.reduce(0, +)
            XCTAssertEqual(vmsShown, t.vms.count, "\(name): VMs")
        }
    }

    /// The Mermaid text of every example (`graph --format mermaid`) and of `check --graph` on
    /// every diagnostics test file (messages with backticks, quotes and `<`) parses with
    /// mermaid.js's own parser (scripts/mermaid-check; scripts/install-deps installs it); a
    /// broken file fails there, so the check can fail.
    func testMermaidParsesWithMermaidsOwnParser() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let python = GraphRepo.root + "/.build-tools/mermaid/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("the Mermaid parser is not installed (scripts/install-deps puts it in .build-tools/mermaid)")
        }
        let dir = try tempDir()
        var files: [String] = []
        let examples = try FileManager.default.contentsOfDirectory(atPath: GraphRepo.root + "/examples").filter { $0.hasSuffix(".wk") }.sorted()
        for file in examples {
            let out = dir.appendingPathComponent("graph-" + file + ".mmd").path
            let r = try run(bin, ["graph", "examples/" + file, "--format", "mermaid", "-o", out])
            XCTAssertEqual(r.status, 0, "\(file): \(r.stderr)")
            files.append(out)
        }
        let diagnostics = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: GraphRepo.root + "/Tests/diagnostics"))
            .filter { $0.hasSuffix(".wk") && !$0.contains(".dir/") }.sorted()
        for (i, file) in diagnostics.enumerated() {
            let out = dir.appendingPathComponent("check-\(i).mmd").path
            let r = try run(bin, ["check", "Tests/diagnostics/" + file, "--graph", out])
            XCTAssertNotEqual(r.status, 2, "\(file): \(r.stderr)")
            if FileManager.default.fileExists(atPath: out) { files.append(out) }
        }
        XCTAssertGreaterThan(files.count, examples.count + 50)
        let broken = dir.appendingPathComponent("broken.mmd").path
        try "flowchart LR\n  n0[\"a\" --- n1\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let r = try run(python, ["scripts/mermaid-check"] + files + [broken])
        let failures = r.stdout.split(separator: "\n").filter { !$0.hasPrefix("ok ") && $0.hasPrefix("/") }
        XCTAssertEqual(failures.map { String($0.prefix { $0 != ":" }) }, [broken], r.stdout + r.stderr)
        XCTAssertEqual(r.status, 1, "the broken file must fail: " + r.stdout + r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count, files.count, r.stdout)
    }

    /// N of a label ending in "(N unit)".
    static func count(in text: String, unit: String) -> Int? {
        guard text.hasSuffix(" \(unit))"), let open = text.lastIndex(of: "(") else { return nil }
        return Int(text[text.index(after: open)...].dropLast(unit.count + 2))
    }

    func testTextFormatsAndErrors() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let dot = try run(bin, ["graph", "examples/lab.wk", "--format", "dot"])
        XCTAssertEqual(dot.status, 0, dot.stderr)
        XCTAssertTrue(dot.stdout.hasPrefix("// topology lab"), dot.stdout)
        XCTAssertTrue(dot.stdout.contains("digraph topology {"))
        let mermaid = try run(bin, ["graph", "examples/lab.wk", "--format", "mermaid"])
        XCTAssertEqual(mermaid.status, 0, mermaid.stderr)
        XCTAssertTrue(mermaid.stdout.contains("flowchart LR\n"))
        XCTAssertTrue(mermaid.stdout.contains("ubuntu-vm"))

        // -o writes the file and nothing to stdout.
        let out = try tempDir().appendingPathComponent("lab.mmd").path
        let toFile = try run(bin, ["graph", "examples/lab.wk", "--format", "mermaid", "-o", out])
        XCTAssertEqual(toFile.status, 0)
        XCTAssertEqual(toFile.stdout, "")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), mermaid.stdout)
        // Without --format, -o's extension decides.
        let byExtension = try tempDir().appendingPathComponent("lab.dot").path
        XCTAssertEqual(try run(bin, ["graph", "examples/lab.wk", "-o", byExtension]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: byExtension, encoding: .utf8), dot.stdout)

        // A program with errors: the diagnostics as `check` prints them, exit 1, no picture.
        let bad = try tempDir().appendingPathComponent("bad.wk")
        try "nic ens192\nbridge br-a { ports = [ens192] }\nnetwork n { bridge = br-b, subnet = 10.0.0.0/24 }\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let failed = try run(bin, ["graph", bad.path, "--format", "dot"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stdout, "")
        XCTAssertTrue(failed.stderr.contains("error["), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("could not graph"), failed.stderr)

        // SVG without Graphviz: a clear error pointing at the text formats.
        let noDot = try run(bin, ["graph", "examples/lab.wk"], env: ["PATH": "/nonexistent"])
        XCTAssertEqual(noDot.status, 2)
        XCTAssertTrue(noDot.stderr.contains("--format dot"), noDot.stderr)
    }
}
