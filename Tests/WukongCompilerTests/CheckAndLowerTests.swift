import XCTest
import Foundation
@testable import WukongCompiler
import WukongDiagnostics
import WukongSyntax
import WukongSema

/// Large programs are checked and lowered on two threads (`Driver.checkAndLower`); lowering then
/// also runs on programs the checks reject. Over every example and diagnostics file that
/// evaluates without errors: the parallel way gives what the sequential one gives, and lowering
/// a program with check errors does not trap.
final class CheckAndLowerTests: XCTestCase {
    func testParallelCheckAndLowerMatchesSequential() throws {
        var programs = 0, rejected = 0
        for (name, bytes) in RobustnessTests.corpus() {
            var sources = SourceMap()
            let id = sources.add(path: name, bytes: bytes)
            let (tree, parseDiags) = Parser.parse(sources[id]!)
            let (program, evalDiags) = Evaluator.evaluate(files: [tree], sources: sources, defaultName: "t")
            if (parseDiags + evalDiags).contains(where: { $0.severity == .error }) { continue }
            programs += 1
            let sequential = Driver.checkAndLower(program, parallel: false)
            let parallel = Driver.checkAndLower(program, parallel: true)
            XCTAssertEqual(sequential.checks, parallel.checks, name)
            XCTAssertNotNil(parallel.lowered, name)
            if sequential.checks.contains(where: { $0.severity == .error }) {
                rejected += 1
                XCTAssertNil(sequential.lowered, name)
            } else {
                XCTAssertEqual(sequential.lowered?.topology, parallel.lowered?.topology, name)
                XCTAssertEqual(sequential.lowered?.diagnostics, parallel.lowered?.diagnostics, name)
            }
        }
        // The corpus must exercise both: programs that lower and programs the checks reject.
        XCTAssertGreaterThan(programs - rejected, 10)
        XCTAssertGreaterThan(rejected, 10)
    }

    /// `wukongc check` lowers without deriving MACs and UUIDs: the same diagnostics as a full
    /// compile for every file of the corpus (and every prefix of one with `auto` pools), no IR.
    func testDiagnosticsOnlyCompileReportsTheSame() throws {
        var inputs = RobustnessTests.corpus()
        if let (name, bytes) = inputs.first(where: { $0.0.hasSuffix("fleet-200.wk") }) {
            var cut = 0
            while let nl = bytes[cut...].firstIndex(of: 0x0A) {
                cut = nl + 1
                inputs.append(("\(name)#\(cut)", Array(bytes[0..<cut])))
            }
        }
        var lowered = 0
        for (name, bytes) in inputs {
            let full = Driver.compile(files: [InputFile(path: name, bytes: bytes)], defaultName: "t")
            let quick = Driver.compile(files: [InputFile(path: name, bytes: bytes)], defaultName: "t",
                                         options: CompileOptions(diagnosticsOnly: true))
            XCTAssertEqual(full.diagnostics, quick.diagnostics, name)
            XCTAssertNil(quick.topology, name)
            if full.topology != nil { lowered += 1 }
        }
        XCTAssertGreaterThan(lowered, 10)
    }
}
