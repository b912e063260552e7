import ArgumentParser
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongGraph

enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    case svg, dot, mermaid

    /// The format asked for, else what the file's extension says (.dot/.gv, .mmd/.mermaid), else SVG.
    static func resolve(_ format: GraphFormat?, file: String?) -> GraphFormat {
        if let format { return format }
        switch file.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "dot", "gv": return .dot
        case "mmd", "mermaid": return .mermaid
        default: return .svg
        }
    }

    /// The text of a graph in this format (SVG through Graphviz `dot` at `dot`).
    func render(_ graph: TopologyGraph, dot: String?) throws -> String {
        switch self {
        case .mermaid: return graph.mermaid()
        case .dot: return graph.dot()
        case .svg: return try GraphCommand.svg(graph.dot(), dot: dot ?? "dot")
        }
    }
}

/// `wukongc check --graph FILE [--graph-format F]`: the picture with the diagnostics marked.
struct CheckGraphOutput {
    var file: String
    var format: GraphFormat
    var dot: String? = nil

    init(file: String, format: GraphFormat?) {
        self.file = file
        self.format = GraphFormat.resolve(format, file: file)
    }

    /// Like `graph`: a missing Graphviz is said before compiling (exit 2).
    mutating func findDot() throws {
        guard format == .svg else { return }
        dot = GraphCommand.findOnPath("dot")
        if dot == nil {
            Output.err("error: an SVG `--graph` needs Graphviz's `dot` on PATH (apt-get install graphviz); "
                       + "use a .dot or .mmd file, or `--graph-format dot|mermaid`\n")
            throw ExitCode(2)
        }
    }

    func write(_ c: Compilation) throws {
        let text = try format.render(Driver.checkGraph(c), dot: dot)
        try Output.write(text, toFile: file)
    }
}

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
    var resolvedFormat: GraphFormat { GraphFormat.resolve(format, file: output) }

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
        let text = try format.render(graph, dot: dot)
        if let output {
            try Output.write(text, toFile: output)
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
