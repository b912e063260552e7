import XCTest
import Foundation

/// Runs the real `wukongc` binary: exit codes, formats, flags.
final class CLITests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: String? {
        // The test runner lives in the build's bin directory, next to wukongc.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path,
            Bundle.main.bundleURL.appendingPathComponent("wukongc").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil) throws -> Run {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        p.currentDirectoryURL = cwd ?? Self.repoRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Standard error on another thread: a child that fills one pipe while the other is
        // read would block forever (10 000 JSON diagnostics on stderr, say).
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box(), errors = err.fileHandleForReading, group = DispatchGroup()
        DispatchQueue.global().async(group: group) { box.data = errors.readDataToEndOfFile() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let e = box.data
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func tempFile(_ text: String, name: String = "t.wk") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wukong-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let f = dir.appendingPathComponent(name)
        try text.write(to: f, atomically: true, encoding: .utf8)
        return f
    }

    static let bad = """
    nic ens192
    bridge br-external { ports = [ens192] }
    network external { bridge = br-externl, subnet = 192.168.0.0/24 }
    """

    func testCheckExitCodes() throws {
        XCTAssertEqual(try run(["check", "examples/lab.wk"]).status, 0)
        let bad = try run(["check", try tempFile(Self.bad).path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("error[E0201]: unknown name `br-externl`"), bad.stdout)
        XCTAssertTrue(bad.stdout.contains("help: did you mean `br-external`?"), bad.stdout)
        XCTAssertTrue(bad.stderr.contains("could not check"), bad.stderr)
        XCTAssertEqual(try run(["check", "/nonexistent/x.wk"]).status, 2)
        XCTAssertEqual(try run(["check", "--format", "yaml", "examples/lab.wk"]).status, 2)
        XCTAssertEqual(try run(["frobnicate"]).status, 2)
    }

    func testFmt() throws {
        let f = try tempFile("network n {\nbridge=br0\n}\n")
        let check = try run(["fmt", "--check", f.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertEqual(check.stdout, f.path + "\n")
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "network n {\nbridge=br0\n}\n", "--check changes nothing")
        XCTAssertEqual(try run(["fmt", f.path]).status, 0)
        XCTAssertEqual(try String(contentsOf: f, encoding: .utf8), "network n {\n  bridge = br0\n}\n")
        XCTAssertEqual(try run(["fmt", "--check", f.deletingLastPathComponent().path]).status, 0)
        // a file with syntax errors is reported and left as it is
        let bad = try tempFile("let a = [1,\n")
        let r = try run(["fmt", bad.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("could not format"), r.stderr)
        XCTAssertEqual(try String(contentsOf: bad, encoding: .utf8), "let a = [1,\n")
        XCTAssertEqual(try run(["fmt", "/nonexistent/x.wk"]).status, 2)
        let dir = f.deletingLastPathComponent()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["t.wk"], "no temporary file left behind")
    }

    /// `wukongc lsp` over stdio: framed requests in, framed responses and diagnostics out.
    func testLanguageServerOverStdio() throws {
        guard let bin = Self.binary else { throw XCTSkip("wukongc binary not found") }
        func frame(_ json: String) -> Data { Data("Content-Length: \(json.utf8.count)\r\n\r\n\(json)".utf8) }
        let uri = try tempFile("").absoluteString
        var input = Data()
        input += frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
        input += frame(#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#)
        input += frame(#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"\#(uri)","version":1,"languageId":"wukong","text":"let x = nope\n"}}}"#)
        input += frame(#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#)
        input += frame(#"{"jsonrpc":"2.0","method":"exit"}"#)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["lsp"]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin; p.standardOutput = stdout
        try p.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(out.contains(#""id":1"#) && out.contains("capabilities"), out)
        XCTAssertTrue(out.contains("textDocument/publishDiagnostics") && out.contains("E0201"), out)
        XCTAssertTrue(out.hasPrefix("Content-Length: "), out)
    }

    func testFormats() throws {
        let f = try tempFile(Self.bad).path
        let gnu = try run(["check", "--format", "gnu", f])
        XCTAssertTrue(gnu.stdout.hasPrefix("\(f):3:29: error: unknown name `br-externl` [E0201]"), gnu.stdout)
        let json = try run(["check", "--format", "json", f])
        let lines = json.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let obj = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        XCTAssertEqual(obj?["line"] as? Int, 3)
        XCTAssertEqual(obj?["column"] as? Int, 29)
        XCTAssertEqual(obj?["end_column"] as? Int, 39)
        XCTAssertEqual(obj?["code"] as? String, "E0201")
        XCTAssertEqual(obj?["severity"] as? String, "error")
        XCTAssertNotNil(obj?["notes"] as? [Any])
    }

    func testNoColourWhenPiped() throws {
        let r = try run(["check", try tempFile(Self.bad).path], env: ["NO_COLOR": "1"])
        XCTAssertFalse(r.stdout.contains("\u{1B}["))
    }

    func testWerror() throws {
        let warn = """
        nic ens192
        bridge br-unused { ports = [ens192] }
        """
        let f = try tempFile(warn).path
        let plain = try run(["check", f])
        XCTAssertEqual(plain.status, 0, plain.stdout)
        XCTAssertTrue(plain.stdout.contains("warning[W0403]"), plain.stdout)
        XCTAssertEqual(try run(["check", "--werror", f]).status, 1)
    }

    /// Plain `check` arguments skip ArgumentParser (start-up); spellings only ArgumentParser
    /// understands (`--format=json`, `--`, options after the paths) must give the same result.
    func testPlainCheckArgumentsActLikeParsedOnes() throws {
        let bad = try tempFile(Self.bad).path
        let warn = try tempFile("nic ens192\nbridge br-unused { ports = [ens192] }\n").path
        let pairs: [([String], [String])] = [
            (["check", bad], ["check", "--", bad]),
            (["check", "--format", "json", bad], ["check", "--format=json", bad]),
            (["check", "--format", "gnu", bad, "examples/lab.wk"], ["check", bad, "examples/lab.wk", "--format=gnu"]),
            (["check", "--werror", warn], ["check", "--werror", "--", warn]),
            (["check", warn, "--werror", "--format", "human"], ["check", "--format=human", warn, "--werror"]),
            (["check", "/nonexistent/x.wk"], ["check", "--", "/nonexistent/x.wk"]),
        ]
        for (plain, parsed) in pairs {
            let a = try run(plain), b = try run(parsed)
            XCTAssertEqual(a.status, b.status, "\(plain) vs \(parsed)")
            XCTAssertEqual(a.stdout, b.stdout, "\(plain) vs \(parsed)")
            XCTAssertEqual(a.stderr, b.stderr, "\(plain) vs \(parsed)")
        }
        // What the plain path does not take still reaches ArgumentParser.
        XCTAssertEqual(try run(["check", "--format", "yaml", bad]).status, 2)
        XCTAssertEqual(try run(["check"]).status, 2)
        XCTAssertTrue(try run(["check", "--help"]).stdout.contains("USAGE"))
    }

    /// Inputs of ≥ 1 MiB get a pre-grown heap with huge pages (`prepareHeap`) and are parsed in
    /// two halves: same result as any other input.
    func testLargeInput() throws {
        var text = "topology big { namespace = \"big\" }\nnic ens192\nbridge br { ports = [ens192] }\n"
        text += "network front { bridge = br, subnet = 10.4.0.0/16, gateway = 10.4.0.1 }\n"
        var i = 0
        while text.utf8.count < (1 << 20) + 4096 {
            i += 1
            text += "vm vm-\(i) {\n  cpu = 2\n  memory = 4Gi\n  image = \"quay.io/containerdisks/fedora:41\"\n"
            text += "  nic default on pod\n  nic front on front { address = 10.4.\(i / 250).\(i % 250 + 2) }\n}\n"
        }
        let ok = try run(["check", try tempFile(text).path])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertEqual(ok.stdout, "")
        let bad = try run(["check", try tempFile(text + "vm late { cpu = }\n").path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("vm late { cpu = }"), bad.stdout)
    }

    /// The issue's fleet: 10 000 VMs whose subnet holds the pod network. Human output shows 3
    /// W0401 and one line counting the rest, naming the option of the command that lists them all.
    func testRepeatedWarningFolded() throws {
        let text = """
        nic ens192
        bridge br0 { ports = [ens192] }
        network wide { bridge = br0, subnet = 10.0.0.0/8 }
        for i in 1..=10000 {
          vm "web-${i}" { cpu = 1, memory = 1Gi, image = "x:1"
            nic default on pod
            nic a on wide { address = 10.1.0.0 + i }
          }
        }
        """
        let f = try tempFile(text).path
        func count(_ s: String, _ needle: String) -> Int { s.components(separatedBy: needle).count - 1 }
        let human = try run(["check", f])
        XCTAssertEqual(human.status, 0, human.stderr)
        XCTAssertEqual(count(human.stdout, "warning[W0401]"), 3, human.stdout)
        XCTAssertTrue(human.stdout.hasSuffix("\n… and 9 997 more W0401 like this; `--format json` lists all\n"), human.stdout)
        XCTAssertTrue(human.stderr.contains("generated 10000 warnings"), human.stderr)
        let json = try run(["check", "--format", "json", f])
        XCTAssertEqual(count(json.stdout, "\"code\":\"W0401\""), 10_000)
        XCTAssertEqual(json.stdout.split(separator: "\n").count, 10_000)
        let build = try run(["build", f])
        XCTAssertEqual(build.status, 0, build.stderr)
        XCTAssertEqual(count(build.stderr, "warning[W0401]"), 3)
        XCTAssertTrue(build.stderr.contains("… and 9 997 more W0401 like this; `--diagnostics-format json` lists all"), build.stderr)
        XCTAssertEqual(count(build.stdout, "kind: VirtualMachine\n"), 10_000)
        let buildJSON = try run(["build", "--diagnostics-format", "json", "-o", f + ".out", f])
        XCTAssertEqual(count(buildJSON.stderr, "\"code\":\"W0401\""), 10_000)
    }

    /// `build --require-topology-name` (the Argo CD plugin): an unnamed topology is E0003 at line 1,
    /// or at an unnamed `topology` keyword; nothing on stdout. A named one builds as without it.
    func testRequireTopologyName() throws {
        let body = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork n { bridge = br0 }\n"
        let unnamed = try tempFile(body, name: "site.wk")
        let r = try run(["build", "--require-topology-name", "--diagnostics-format", "gnu", unnamed.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasPrefix("\(unnamed.path):1:1: error: the topology has no name: `--require-topology-name` refuses the name `site`"), r.stderr)
        XCTAssertEqual(try run(["build", unnamed.path]).status, 0, "only with the flag")
        let keyword = try tempFile("// lab\ntopology { namespace = \"lab\" }\n" + body)
        let k = try run(["build", "--require-topology-name", "--diagnostics-format", "gnu", keyword.path])
        XCTAssertEqual(k.status, 1)
        XCTAssertTrue(k.stderr.hasPrefix("\(keyword.path):2:1: error: the topology has no name"), k.stderr)
        let named = try tempFile("topology lab { namespace = \"lab\" }\n" + body)
        let a = try run(["build", "--require-topology-name", named.path]), b = try run(["build", named.path])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        XCTAssertTrue(a.stdout.contains("name: lab-br0"), a.stdout)
    }

    func testExplain() throws {
        let r = try run(["explain", "E0402"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("N-SUBNET"))
        XCTAssertEqual(try run(["explain", "N-DUP-IP"]).status, 0)
        let bad = try run(["explain", "E9999"])
        XCTAssertEqual(bad.status, 2)
    }

    func testBuildStopsOnErrorsAndWritesNothing() throws {
        let f = try tempFile(Self.bad)
        let out = f.deletingLastPathComponent().appendingPathComponent("out")
        let r = try run(["build", f.path, "-o", out.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testBuildDirectoryAndIR() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wukong-cli-\(UUID().uuidString)")
        let out = dir.appendingPathComponent("out")
        let r = try run(["build", "examples/lab.wk", "-o", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertTrue(files.contains("kustomization.yaml"), "\(files)")
        XCTAssertTrue(files.contains("virtualmachine-ubuntu-vm.yaml"), "\(files)")
        let ir = try run(["build", "examples/lab.wk", "--emit", "ir"])
        XCTAssertEqual(ir.status, 0)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(ir.stdout.utf8)))
        let json = try run(["build", "examples/lab.wk", "--format", "json"])
        XCTAssertEqual(json.status, 0)
        XCTAssertTrue(json.stdout.contains("\"kind\""))
        // building again replaces the directory and leaves no temporary or old sibling behind
        let again = try run(["build", "examples/lab.wk", "-o", out.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), files)
        // byte-identical output on a second run
        XCTAssertEqual(try run(["build", "examples/lab.wk"]).stdout, try run(["build", "examples/lab.wk"]).stdout)
    }

    func testApplyRefusesBeforeSendingOnErrors() throws {
        let r = try run(["apply", try tempFile(Self.bad).path, "--kubeconfig", "/nonexistent"])
        XCTAssertEqual(r.status, 1, "compile errors stop apply before the kubeconfig is even read")
        let r2 = try run(["apply", "examples/lab.wk", "--kubeconfig", "/nonexistent"])
        XCTAssertEqual(r2.status, 2)
        XCTAssertTrue(r2.stderr.contains("kubeconfig"), r2.stderr)
        XCTAssertEqual(try run(["apply", "examples/lab.wk", "--dry-run", "client"]).status, 2)
    }
}
