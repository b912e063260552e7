import ArgumentParser
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongGraph

enum GraphFormat: String, ExpressibleByArgument, CaseIterable { case svg, dot, mermaid }

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a topology: node NICs, bonds, VLANs, bridges, networks and VMs, hosts as clusters.",
        discussion: "SVG needs Graphviz (`dot`) on PATH; `--format dot` and `--format mermaid` need nothing.")

    @Argument(help: "A topology file or directory.") var path: String
    @Option(name: .shortAndLong, help: "Write the picture to FILE instead of standard output.") var output: String?
    @Option(help: "Output format: svg (through Graphviz `dot`), dot or mermaid. Default: from the -o file's extension (.dot/.gv, .mmd/.mermaid), else svg.")
    var format: GraphFormat?
    @Option(name: .customLong("diagnostics-format"), help: "Diagnostic format: human, json or gnu.")
    var diagnosticsFormat: DiagnosticFormat = .human

    /// `--format`, else what `-o`'s extension says, else SVG.
    var resolvedFormat: GraphFormat {
        if let format { return format }
        switch output.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "dot", "gv": return .dot
        case "mmd", "mermaid": return .mermaid
        default: return .svg
        }
    }

    func run() throws {
        let format = resolvedFormat
        // Found before compiling: a missing Graphviz is said at once, not after a long compile.
        var dot: String? = nil
        if format == .svg {
            dot = Self.findOnPath("dot")
            if dot == nil {
                Output.err("error: `--format svg` needs Graphviz's `dot` on PATH (apt-get install graphviz); "
                           + "use `--format dot` or `--format mermaid` for text\n")
                throw ExitCode(2)
            }
        }
        let c = try Output.compile(path)
        let (errors, warnings) = Output.report(c, format: diagnosticsFormat, toStdout: false)
        guard errors == 0, let topology = c.topology else {
            if diagnosticsFormat == .human, let s = Output.summary(path: path, errors: errors, warnings: warnings, verb: "graph") {
                Output.err(s)
            }
            throw ExitCode(1)
        }
        let graph = TopologyGraph.build(topology)
        let text: String
        switch format {
        case .mermaid: text = graph.mermaid()
        case .dot: text = graph.dot()
        case .svg: text = try Self.svg(graph.dot(), dot: dot ?? "dot")
        }
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                Output.err("error: cannot write \(output): \(error)\n")
                throw ExitCode(2)
            }
        } else {
            Output.out(text)
        }
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `dot -Tsvg` on the DOT text (through a temporary file: no pipe to feed while reading
    /// the other); its own messages go straight to standard error.
    static func svg(_ dotText: String, dot: String) throws -> String {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("wukongc-graph-\(getpid())-\(UUID().uuidString).dot")
        defer { try? FileManager.default.removeItem(at: input) }
        do { try dotText.write(to: input, atomically: false, encoding: .utf8) } catch {
            Output.err("error: cannot write \(input.path): \(error)\n")
            throw ExitCode(2)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: dot)
        p.arguments = ["-Tsvg", input.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.standardError
        do { try p.run() } catch {
            Output.err("error: cannot run \(dot): \(error)\n")
            throw ExitCode(2)
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            Output.err("error: \(dot) -Tsvg failed (exit \(p.terminationStatus)); `--format dot` shows its input\n")
            throw ExitCode(2)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
