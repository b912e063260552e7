import ArgumentParser
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongLanguageServer

// The only place that parses arguments, prints and picks exit codes: 0 ok, 1 errors, 2 usage/IO.

@main
struct Main {
    static func main() {
        tuneMalloc()
        do {
            if let check = Check.Plain(CommandLine.arguments.dropFirst()) {
                try Check.run(paths: check.paths, format: check.format, werror: check.werror)
                return
            }
            var command = try Wukongc.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = Wukongc.exitCode(for: error)
            let message = Wukongc.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(2)
        }
    }
}

/// Turns off glibc's fastbins (`mallopt(M_MXFAST, 0)`): every allocation of 1 KiB or more (an
/// array growing) first merged all the small chunks freed so far (`malloc_consolidate`), about
/// 5 % of the CPU of `check` on large topologies. Small blocks still go through the per-thread
/// cache. Looked up at run time: not every C library has `mallopt`.
func tuneMalloc() {
    #if os(Linux)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let M_MXFAST: Int32 = 1
    if let program = dlopen(nil, RTLD_NOW), let sym = dlsym(program, "mallopt") {
        _ = unsafeBitCast(sym, to: Mallopt.self)(M_MXFAST, 0)
    }
    #endif
}

/// For an input of `bytes` bytes (≥ 1 MiB): grows the heap once to about what compiling it
/// will use (≈ 28 bytes per source byte; virtual memory: pages are only backed when used) and
/// asks for transparent huge pages on that range, so the hundreds of thousands of small objects
/// of the front end are faulted in 2 MiB at a time instead of 4 KiB: half the kernel time of
/// `check` on 10 000 VMs. (glibc's own `glibc.malloc.hugetlb` did as well at 10 000 VMs but
/// doubled the kernel time at 100 000, and can only be set in the environment.)
func prepareHeap(forInputBytes bytes: Int) {
    #if os(Linux)
    guard bytes >= 1 << 20 else { return }
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let program = dlopen(nil, RTLD_NOW), let sym = dlsym(program, "mallopt") else { return }
    let mallopt = unsafeBitCast(sym, to: Mallopt.self)
    let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_THRESHOLD: Int32 = -3
    let chunk = 16 << 20
    _ = mallopt(M_MMAP_THRESHOLD, Int32(chunk * 2))   // chunks below it come from the heap (brk)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)           // and the heap is not given back when they are freed
    let total = min(bytes * 28, 4 << 30)
    var blocks: [UnsafeMutableRawPointer] = []
    var got = 0
    while got < total, let p = malloc(chunk) { blocks.append(p); got += chunk }
    if let first = blocks.first, let last = blocks.last {
        let page = 2 << 20
        let lo = (Int(bitPattern: first) + page - 1) & ~(page - 1)
        let hi = (Int(bitPattern: last) + chunk) & ~(page - 1)
        if hi > lo { _ = madvise(UnsafeMutableRawPointer(bitPattern: lo), hi - lo, 14 /* MADV_HUGEPAGE */) }
    }
    for p in blocks.reversed() { free(p) }
    #endif
}

struct Wukongc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wukongc",
        abstract: "Type-checks Wukong network topologies and emits nmstate, Multus and KubeVirt objects.",
        version: WukongVersion.string,
        subcommands: [Check.self, Build.self, Apply.self, Diff.self, Fmt.self, Explain.self, Lsp.self,
                      GraphCommand.self, StatusCommand.self, ImportCommand.self])
}

enum Output {
    static func out(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
    static func err(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    /// Writes `text` to `path` atomically; a failure is said and exits 2 (an IO error).
    static func write(_ text: String, toFile path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            err("error: cannot write \(path): \(error)\n")
            throw ExitCode(2)
        }
    }

    /// Colour only on a terminal, never with NO_COLOR set.
    static func useColor(fd: Int32) -> Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(fd) == 1
    }

    /// Prints the diagnostics of a compilation; returns (errors, warnings). `listAll`: how to
    /// get every warning that human output folds (`DiagnosticRenderer.render(_:as:listAll:)`).
    static func report(_ c: Compilation, format: DiagnosticFormat, toStdout: Bool,
                       listAll: String = "wukongc check --format json") -> (Int, Int) {
        let renderer = DiagnosticRenderer(sources: c.sources, color: format == .human && useColor(fd: toStdout ? 1 : 2))
        let text = renderer.render(c.diagnostics, as: format, listAll: listAll)
        if toStdout { out(text) } else { err(text) }
        return (c.errorCount, c.warningCount)
    }

    static func summary(path: String, errors: Int, warnings: Int, verb: String) -> String? {
        func plural(_ n: Int, _ w: String) -> String { "\(n) \(w)\(n == 1 ? "" : "s")" }
        if errors > 0 {
            var s = "error: could not \(verb) `\(path)` due to \(plural(errors, "error"))"
            if warnings > 0 { s += "; \(plural(warnings, "warning")) emitted" }
            return s + "\n"
        }
        if warnings > 0 { return "warning: `\(path)` generated \(plural(warnings, "warning"))\n" }
        return nil
    }

    /// The one "never free" of the package: compilations, and what compiling them no longer
    /// needed (`CompileOptions.keepAlive`), stay here until the process exits. Freeing a graph
    /// of 100 000 VMs object by object only to exit right after costs a noticeable share of the run.
    nonisolated(unsafe) static var keepAlive: [Any] = []

    /// Loads and compiles; IO problems exit 2. `diagnosticsOnly` (`check`): no IR is kept.
    static func compile(_ path: String, diagnosticsOnly: Bool = false, requireTopologyName: Bool = false) throws -> Compilation {
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { prepareHeap(forInputBytes: Int(st.st_size)) }
        do {
            let c = try Driver.compile(path: path, options: CompileOptions(diagnosticsOnly: diagnosticsOnly,
                                                                          keepAlive: { keepAlive.append($0) },
                                                                          requireTopologyName: requireTopologyName))
            keepAlive.append(c)
            return c
        } catch {
            err("error: \(error)\n")
            throw ExitCode(2)
        }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report every problem in one or more topologies (a .wk file or a directory of .wk files).")

    @Argument(help: "Topology files or directories.") var paths: [String]
    @Option(help: "Diagnostic format: human, json (one object per line) or gnu.") var format: DiagnosticFormat = .human
    @Flag(help: "Treat warnings as errors.") var werror = false
    @Option(help: "Also write the topology picture to FILE with the elements that have diagnostics marked (errors red, warnings orange). Format from the extension (.svg, .dot/.gv, .mmd/.mermaid) or --graph-format.")
    var graph: String?
    @Option(name: .customLong("graph-format"), help: "Format of --graph: svg (through Graphviz `dot`), dot or mermaid.")
    var graphFormat: GraphFormat?

    func run() throws {
        guard let graph else {
            if graphFormat != nil { throw ValidationError("--graph-format needs --graph FILE") }
            return try Check.run(paths: paths, format: format, werror: werror)
        }
        guard paths.count == 1 else { throw ValidationError("--graph draws one topology: give one path") }
        var output = CheckGraphOutput(file: graph, format: graphFormat)
        try output.findDot()
        try Check.run(paths: paths, format: format, werror: werror, graph: output)
    }

    /// `check` with nothing but paths, `--format human|json|gnu` and `--werror`, recognised
    /// without ArgumentParser: its reflection-driven set-up costs about 2 ms, a third of checking
    /// a keystroke-sized file. Anything else (help, `--format=json`, a repeated option, a path
    /// starting with `-`, an error) goes through ArgumentParser as before.
    struct Plain {
        var paths: [String] = []
        var format: DiagnosticFormat = .human
        var werror = false

        init?(_ args: ArraySlice<String>) {
            guard args.first == "check" else { return nil }
            var sawFormat = false
            var rest = args.dropFirst()
            while let a = rest.popFirst() {
                if a == "--werror" {
                    if werror { return nil }
                    werror = true
                } else if a == "--format" {
                    guard !sawFormat, let v = rest.popFirst(), let f = DiagnosticFormat(rawValue: v) else { return nil }
                    sawFormat = true
                    format = f
                } else if a.isEmpty || a.hasPrefix("-") {
                    return nil
                } else {
                    paths.append(a)
                }
            }
            if paths.isEmpty { return nil }
        }
    }

    static func run(paths: [String], format: DiagnosticFormat, werror: Bool, graph: CheckGraphOutput? = nil) throws {
        var failed = false
        for path in paths {
            let c = try Output.compile(path, diagnosticsOnly: true)
            let (errors, warnings) = Output.report(c, format: format, toStdout: true, listAll: "--format json")
            if format == .human, let s = Output.summary(path: path, errors: errors, warnings: warnings, verb: "check") {
                Output.err(s)
            }
            // Written whatever the diagnostics; only an IO or Graphviz failure changes the exit status (2).
            try graph?.write(c)
            if errors > 0 || (werror && warnings > 0) { failed = true }
        }
        if failed { throw ExitCode(1) }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain a diagnostic code (E0402) or check id (N-SUBNET).")
    @Argument(help: "A code such as E0402, or a check id such as N-SUBNET.") var code: String

    func run() throws {
        guard let c = DiagnosticCode.lookup(code) else {
            Output.err("error: unknown code `\(code)`\n")
            let all = DiagnosticCode.allCases.map(\.rawValue) + DiagnosticCode.allCases.map(\.check)
            if let hint = Suggest.didYouMean(code.uppercased(), among: all) { Output.err("help: \(hint)\n") }
            throw ExitCode(2)
        }
        Output.out(Explanations.text(for: c))
    }
}

struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite .wk files in the canonical layout (files, or directories recursively; `-` formats stdin to stdout).")

    @Argument(help: "Files or directories; `-` reads standard input and writes the result to standard output.") var paths: [String]
    @Flag(help: "Change nothing; list the files that are not formatted and exit 1 if there are any.") var check = false

    func run() throws {
        var files: [FormattedFile] = []
        do {
            for path in paths {
                if path == "-" {
                    let data = FileHandle.standardInput.readDataToEndOfFile()
                    files.append(Driver.format(InputFile(path: "<stdin>", bytes: [UInt8](data))))
                } else {
                    files += try Driver.format(paths: [path])
                }
            }
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(2)
        }
        var failed = false
        for f in files {
            if f.formatted == nil {
                let renderer = DiagnosticRenderer(sources: f.sources, color: Output.useColor(fd: 2))
                Output.err(renderer.render(f.diagnostics, as: .human))
                Output.err("error: could not format `\(f.path)`\n")
                failed = true
                continue
            }
            if f.path == "<stdin>" {
                if check { if f.changed { Output.out("<stdin>\n"); failed = true } } else { Output.out(f.formatted ?? "") }
                continue
            }
            guard f.changed else { continue }
            if check {
                Output.out(f.path + "\n")
                failed = true
                continue
            }
            do { try Driver.writeFormatted(f) } catch {
                Output.err("error: \(error)\n")
                throw ExitCode(2)
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct Lsp: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the language server (Language Server Protocol over stdin/stdout) for editors.")

    func run() throws {
        let server = LanguageServer()
        let input = FileHandle.standardInput
        while let body = LSPFraming.readMessage({ n in input.readData(ofLength: n) }) {
            for reply in server.handle(body) { FileHandle.standardOutput.write(LSPFraming.frame(reply)) }
            if let code = server.exitCode { throw ExitCode(code) }
        }
        // end of input without `exit`: the client went away
        throw ExitCode(server.exitCode ?? 1)
    }
}
