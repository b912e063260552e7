import Foundation
import XCTest

/// `wukongc import` end to end: the file is written, notes and faults go to standard error with
/// the diagnostics of the written file, and the exit status says whether it has errors.
final class ImportCLITests: XCTestCase {
    static var binary: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.appendingPathComponent("wukongc").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let exe = try XCTUnwrap(Self.binary, "wukongc not built next to the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testImportWritesFileAndReportsInItsTerms() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wukong-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("apps.wk").path
        let r = try run(["import", Repo.root + "/Tests/import/wukong-cr", "-o", out])
        XCTAssertEqual(r.status, 1, r.stderr)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssert(text.hasPrefix("// Imported by `wukongc import`"), text)
        XCTAssert(r.stderr.contains("warning: imported configuration: Wukong/apps/monitor"), r.stderr)
        XCTAssert(r.stderr.contains("error[E0405]"), r.stderr)
        XCTAssert(r.stderr.contains("--> \(out):"), r.stderr)
        XCTAssertEqual(r.stdout, "")
        // then the file itself is what `fmt --check` accepts
        XCTAssertEqual(try run(["fmt", "--check", out]).status, 0)
    }

    func testImportToStdout() throws {
        let r = try run(["import", Repo.root + "/Tests/import/operator-vm"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssert(r.stdout.contains("vm legacy {"), r.stdout)
        let piped = try run(["import", "-"], stdin: try String(contentsOfFile: Repo.root + "/Tests/import/operator-vm/objects.yaml", encoding: .utf8))
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, r.stdout)
        let missing = try run(["import", "/nonexistent.yaml"])
        XCTAssertEqual(missing.status, 2)
    }
}
