import XCTest
import Foundation
import WukongDiagnostics
import WukongSyntax
import WukongNet
@testable import WukongSema

/// The standard library: embedded copy up to date with `stdlib/`, every module clean.
final class StdlibTests: XCTestCase {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Fails when `stdlib/*.wk` changed without `scripts/gen-stdlib` being run.
    func testGeneratedFileIsUpToDate() throws {
        let dir = Self.repoRoot.appendingPathComponent("stdlib")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wk") }.sorted()
        XCTAssertEqual(names.map { String($0.dropLast(3)) }, Stdlib.modules.keys.sorted(),
                       "stdlib/ and Stdlib.generated.swift list different modules: run scripts/gen-stdlib")
        for n in names {
            var text = try String(contentsOf: dir.appendingPathComponent(n), encoding: .utf8)
            if text.hasSuffix("\n") { text.removeLast() }
            XCTAssertEqual(Stdlib.modules[String(n.dropLast(3))], text, "\(n) changed: run scripts/gen-stdlib")
        }
        let generated = try String(contentsOf: Self.repoRoot.appendingPathComponent("Sources/WukongSema/Stdlib.generated.swift"),
                                   encoding: .utf8)
        for n in names { XCTAssertTrue(generated.contains("\"\(n.dropLast(3))\": #"), "\(n) missing from the generated file") }
    }

    func evaluateModule(_ name: String) -> (Engine, [Diagnostic]) {
        var sources = SourceMap()
        let id = sources.add(path: "main.wk", bytes: Array("import std.\(name)\n".utf8))
        let (tree, d) = Parser.parse(sources[id]!)
        let engine = Engine(files: [tree], sources: sources, defaultName: "t")
        _ = engine.run()
        guard let mi = engine.namespace.moduleIndex[name] else { return (engine, d + engine.diagnostics) }
        let m = engine.namespace.modules[mi]
        for n in m.order {
            if case .letSlot(let s)? = m.globals[n]?.entry { _ = engine.force(s) }
        }
        return (engine, d + engine.diagnostics)
    }

    func testEveryModuleEvaluatesClean() {
        for name in Stdlib.modules.keys.sorted() {
            let (engine, diags) = evaluateModule(name)
            XCTAssertEqual(diags.map { "\($0.code.rawValue) \($0.message)" }, [], "std.\(name)")
            XCTAssertFalse(engine.namespace.modules[engine.namespace.moduleIndex[name]!].order.isEmpty, "std.\(name) is empty")
        }
    }

    func value(_ engine: Engine, _ module: String, _ name: String) -> Value? {
        let m = engine.namespace.modules[engine.namespace.moduleIndex[module]!]
        guard case .letSlot(let s)? = m.globals[name]?.entry else { return nil }
        return engine.force(s).value
    }

    func testImages() {
        let (e, _) = evaluateModule("images")
        let modes = ["ubuntu_2204": "netplan", "ubuntu_2404": "netplan", "fedora": "cloud-init",
                     "centos_stream9": "cloud-init", "debian_12": "cloud-init", "cirros": "none"]
        for (n, mode) in modes {
            guard case .record(let r)? = value(e, "images", n), case .string(let ref)? = r["ref"]?.value,
                  case .string(let m)? = r["network_config"]?.value else { return XCTFail("images.\(n)") }
            XCTAssertTrue(ref.hasPrefix("quay.io/"), ref)
            XCTAssertNil(Checker.imageTagProblem(ref), "\(ref) is pinned")
            XCTAssertEqual(m, mode, n)
        }
        guard case .record(let u)? = value(e, "images", "ubuntu_2204") else { return XCTFail("ubuntu_2204") }
        XCTAssertEqual(u["ref"]?.value, .string("quay.io/containerdisks/ubuntu:22.04"))
    }

    func testSizes() {
        let (e, _) = evaluateModule("sizes")
        let expected: [(String, Int, Int64)] = [("small", 1, 2), ("medium", 2, 4), ("large", 4, 8), ("xlarge", 8, 16)]
        for (n, cpu, gi) in expected {
            guard case .record(let r)? = value(e, "sizes", n) else { return XCTFail("sizes.\(n)") }
            XCTAssertEqual(r["cpu"]?.value, .int(cpu))
            XCTAssertEqual(r["memory"]?.value, .quantity(Quantity(bytes: gi << 30)))
        }
    }

    func testDNS() {
        let (e, _) = evaluateModule("dns")
        for n in ["google", "cloudflare", "quad9"] {
            guard case .list(let xs)? = value(e, "dns", n) else { return XCTFail("dns.\(n)") }
            let ips = xs.compactMap { if case .ip(let a) = $0.value { return a }; return nil }
            XCTAssertEqual(ips.count, xs.count)
            XCTAssertTrue(ips.contains { $0.isV4 } && ips.contains { $0.isV6 }, n)
        }
    }

    func testStdlibFilesFollowTheTopologyFiles() {
        XCTAssertEqual(Evaluator.stdlibFiles.map(\.path), Stdlib.modules.keys.sorted().map { "<stdlib>/\($0).wk" })
    }
}
