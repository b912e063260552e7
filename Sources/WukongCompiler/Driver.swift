import Foundation
import WukongDiagnostics
import WukongSyntax
import WukongSema
import WukongIR
import WukongParallel

// WukongCompiler: the library other Swift packages and tools depend on. The driver runs the
// stages in order (parse → evaluate → check → lower) for the CLI, the language server and
// library users, and re-exports nothing: callers import the stage modules they need.

/// One source file handed to the driver: its path as shown to the user (relative to the
/// topology root for directories) and its bytes.
public struct InputFile: Sendable {
    public var path: String
    public var bytes: [UInt8]
    public init(path: String, bytes: [UInt8]) { self.path = path; self.bytes = bytes }
    public init(path: String, text: String) { self.path = path; self.bytes = Array(text.utf8) }
}

/// What a compilation produced. Diagnostics are sorted (file, offset, code), de-duplicated,
/// and capped at `Driver.maxErrors` errors (then one line with the count of the rest).
public struct Compilation: Sendable {
    public var sources: SourceMap
    public var diagnostics: [Diagnostic]
    public var program: CheckedProgram?
    /// The IR, present when there were no errors.
    public var topology: Topology?
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// How the command-line tool runs a compilation: choices that make it faster and never change
/// its diagnostics. Package-level, so the library's API has no speed switches; `wukongc` (same
/// package) uses them.
package struct CompileOptions {
    /// `wukongc check`: lowering still runs for its diagnostics, but skips what only the output
    /// needs (derived MACs, firmware UUIDs); the compilation's `topology` is then nil.
    package var diagnosticsOnly = false
    /// Receives what compiling no longer needs (the evaluator's object graph, the syntax trees:
    /// hundreds of thousands of objects for a large topology) instead of having it freed, for
    /// a process that keeps everything until it exits (`wukongc`'s `Output.keepAlive`). Nil:
    /// it is freed on another thread.
    package var keepAlive: ((Any) -> Void)? = nil
    /// `wukongc build --require-topology-name` (the Argo CD plugin, docs/gitops.md): a topology
    /// without `topology NAME` is an error, since the name it would take from its directory is
    /// not stable there. The one option that adds a diagnostic.
    package var requireTopologyName = false
    package init(diagnosticsOnly: Bool = false, keepAlive: ((Any) -> Void)? = nil, requireTopologyName: Bool = false) {
        self.diagnosticsOnly = diagnosticsOnly
        self.keepAlive = keepAlive
        self.requireTopologyName = requireTopologyName
    }
}

public enum DriverError: Error, CustomStringConvertible {
    case io(String)
    public var description: String { switch self { case .io(let m): return m } }
}

/// The one pipeline shared by the CLI and the language server (`WukongLanguageServer`):
/// source → tokens → AST → checked program → IR. Nothing here prints.
public enum Driver {
    public static let maxErrors = 100

    /// Loads a `.wk` file, or every `.wk` file of a directory (recursively, sorted bytewise by
    /// path relative to the root), and compiles them as one topology.
    public static func compile(path: String) throws -> Compilation {
        try compile(path: path, options: CompileOptions())
    }

    package static func compile(path: String, options: CompileOptions) throws -> Compilation {
        let (files, name) = try load(path: path)
        return compile(files: files, defaultName: name, options: options)
    }

    /// Reads the inputs of one topology. The default name is the file or directory name without extension.
    public static func load(path: String) throws -> (files: [InputFile], defaultName: String) {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DriverError.io("\(path): no such file or directory")
        }
        let url = URL(fileURLWithPath: path)
        let base = url.standardizedFileURL.lastPathComponent
        if !isDir.boolValue {
            guard let bytes = readFile(path) else { throw DriverError.io("\(path): cannot read file") }
            let name = base.hasSuffix(".wk") ? String(base.dropLast(3)) : base
            return ([InputFile(path: path, bytes: bytes)], name)
        }
        guard let walker = fm.enumerator(atPath: path) else { throw DriverError.io("\(path): cannot read directory") }
        var rels: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".wk") { rels.append(rel) }
        }
        rels.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        if rels.isEmpty { throw DriverError.io("\(path): no .wk files in directory") }
        var files: [InputFile] = []
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for rel in rels {
            let full = prefix + rel
            guard let bytes = readFile(full) else { throw DriverError.io("\(full): cannot read file") }
            files.append(InputFile(path: full, bytes: bytes))
        }
        return (files, base)
    }

    /// The bytes of a file, read straight into the array (no `Data` to copy them out of); nil
    /// when it cannot be opened or read.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var bytes: [UInt8] = []
        var capacity = max(Int(st.st_size), 0) + 1  // one more byte: a file that grew is noticed
        while true {
            var failed = false
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                count = 0
                while count < buf.count {
                    let n = read(fd, buf.baseAddress! + count, buf.count - count)
                    if n == 0 { break }
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = true; break
                    }
                    count += n
                }
            }
            if failed { return nil }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
            if chunk.count < capacity { return bytes }
            capacity = max(capacity, 1 << 16)  // still more: read on in chunks
        }
    }

    /// Compiles in-memory files as one topology. `files` are sorted by path here, so the caller's order never matters.
    public static func compile(files: [InputFile], defaultName: String) -> Compilation {
        compile(files: files, defaultName: defaultName, options: CompileOptions())
    }

    package static func compile(files input: [InputFile], defaultName: String, options: CompileOptions) -> Compilation {
        let diagnosticsOnly = options.diagnosticsOnly
        let files = input.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        var sources = SourceMap()
        var bag = DiagnosticBag()
        var trees: [FileSyntax] = []
        for f in files {
            let id = sources.add(path: f.path, bytes: f.bytes)
            let (tree, diags) = Parser.parse(sources[id]!)
            trees.append(tree)
            bag.add(contentsOf: diags)
        }
        let (program, evalDiags, state) = Evaluator.evaluateKeepingState(files: trees, sources: sources,
                                                                          defaultName: defaultName)
        // What only evaluation needed: kept for the caller, or freed on another thread.
        let leftovers: (AnyObject, [FileSyntax]) = (state, trees)
        trees = []
        if let keep = options.keepAlive { keep(leftovers) } else { Disposal.release(leftovers) }
        // The embedded standard library's files come right after the topology's, so a
        // diagnostic inside a module renders with its source.
        for f in Evaluator.stdlibFiles { sources.add(path: f.path, bytes: Array(f.text.utf8)) }
        bag.add(contentsOf: evalDiags)
        var topology: Topology? = nil
        if bag.hasErrors {
            bag.add(contentsOf: TopologyChecks.check(program))
        } else {
            let (checkDiags, lowered) = checkAndLower(program, deriveIdentities: !diagnosticsOnly)
            bag.add(contentsOf: checkDiags)
            if !bag.hasErrors, let lowered {
                bag.add(contentsOf: lowered.diagnostics)
                if !bag.hasErrors && !diagnosticsOnly { topology = lowered.topology }
            }
        }
        if options.requireTopologyName && !program.topologyNameDeclared {
            bag.add(.unnamedTopology(defaultName: program.topologyName.value,
                                     at: topologyKeyword(program, sources) ?? program.topologyName.span))
            topology = nil
        }
        return Compilation(sources: sources, diagnostics: cap(bag.sorted()), program: program, topology: topology)
    }

    /// The `topology` keyword of an unnamed `topology { … }` declaration (where its name would go).
    static func topologyKeyword(_ program: CheckedProgram, _ sources: SourceMap) -> Span? {
        guard let t = program.topologySpan, let f = sources[t.file] else { return nil }
        let keyword = Array("topology".utf8), start = t.startOffset
        guard start + keyword.count <= f.bytes.count, Array(f.bytes[start..<(start + keyword.count)]) == keyword else { return nil }
        return Span(file: t.file, start: start, end: start + keyword.count)
    }

    /// Programs with at least this many VMs are checked and lowered on two threads.
    static let parallelLoweringVMs = 256

    /// The topology checks and lowering of a program that evaluated without errors. Both only
    /// read the program, so on a large one lowering runs on a second thread beside the checks;
    /// the caller uses its result only when the checks found no errors (lowering never traps on
    /// a program the checks reject, see `Lowering`). Same diagnostics as one after the other.
    /// `lowered` is nil when the checks found errors and lowering was not run.
    static func checkAndLower(_ program: CheckedProgram, parallel: Bool? = nil, deriveIdentities: Bool = true)
        -> (checks: [Diagnostic], lowered: (topology: Topology, diagnostics: [Diagnostic])?) {
        if !(parallel ?? (program.vms.count >= parallelLoweringVMs)) {
            let checks = TopologyChecks.check(program)
            if checks.contains(where: { $0.severity == .error }) { return (checks, nil) }
            return (checks, Lowering.lower(program, deriveIdentities: deriveIdentities))
        }
        var checks: [Diagnostic] = []
        var lowered: (topology: Topology, diagnostics: [Diagnostic])? = nil
        Parallel.run(2) { i in
            if i == 0 { checks = TopologyChecks.check(program) } else { lowered = Lowering.lower(program, deriveIdentities: deriveIdentities) }
        }
        return (checks, lowered)
    }

    /// At most `maxErrors` errors, then one `E0002` line counting the rest. Warnings are kept.
    static func cap(_ ds: [Diagnostic]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var errors = 0, dropped = 0
        var last: Span = .none
        for d in ds {
            if d.severity == .error {
                errors += 1
                if errors > maxErrors { dropped += 1; continue }
                last = d.span
            }
            out.append(d)
        }
        if dropped > 0 {
            out.append(.tooManyErrors(dropped: dropped, at: last))
        }
        return out
    }
}
