import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics

/// Every example and every standard-library module checks clean: no error, no warning.
final class ExampleCheckTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func examplePaths() throws -> [String] {
        let dir = Self.repoRoot.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            .filter { $0.hasSuffix(".wk") || !$0.contains(".") }
            .map { dir.appendingPathComponent($0).path }
    }

    func testExamplesCheckClean() throws {
        let paths = try examplePaths()
        XCTAssertGreaterThanOrEqual(paths.count, 10)
        for path in paths {
            let c = try Driver.compile(path: path)
            let renderer = DiagnosticRenderer(sources: c.sources)
            XCTAssertTrue(c.diagnostics.isEmpty, "\(path):\n" + c.diagnostics.map { renderer.gnu($0) }.joined())
            XCTAssertNotNil(c.topology, path)
        }
    }

    func testStdlibModulesCheckClean() throws {
        let dir = Self.repoRoot.appendingPathComponent("stdlib")
        let modules = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".wk") }.sorted()
        XCTAssertTrue(modules.contains("images.wk") && modules.contains("sizes.wk") && modules.contains("dns.wk"), "\(modules)")
        for m in modules {
            let name = String(m.dropLast(3))
            // Importing the module and using nothing else must be clean.
            let c = Driver.compile(files: [InputFile(path: "use-\(name).wk", text: "import std.\(name)\n")], defaultName: "stdlib")
            XCTAssertTrue(c.diagnostics.isEmpty, "std.\(name): " + c.diagnostics.map(\.message).joined(separator: "; "))
        }
    }

    /// LANGUAGE.md §9: the error program fails with exactly its four checks, at the marked places.
    func testSection9ErrorProgram() throws {
        let text = """
        nic ens192
        bridge br-external { ports = [ens192] }
        network external { bridge = br-externl, subnet = 192.168.0.0/24 }   // names: did you mean br-external
        network wrong    { bridge = ens192 }                                // types: Nic where Bridge expected
        vm a { cpu = 1, memory = 1Gi, image = "x"
          nic e on external { address = 192.168.1.200 }                     // N-SUBNET (note at subnet)
        }
        vm b { cpu = 1, memory = 1Gi, image = "x"
          nic e on external { address = 192.168.0.0 }                       // N-RESERVED
        }
        """
        let c = Driver.compile(files: [InputFile(path: "s9.wk", text: text)], defaultName: "s9")
        let errors = c.diagnostics.filter { $0.severity == .error }
        let got = errors.map { d -> String in
            let l = c.sources[d.span.file]!.location(of: d.span.startOffset)
            return "\(l.line):\(d.code.check)"
        }
        XCTAssertEqual(got, ["3:names", "4:types", "6:N-SUBNET", "9:N-RESERVED"])
        XCTAssertEqual(errors.first?.help, "did you mean `br-external`?")
        XCTAssertEqual(errors[2].notes.count, 1, "N-SUBNET has a note at the subnet")
    }
}
