import Dispatch
import WukongDiagnostics
import WukongSyntax

/// Frees the evaluator's object graph (hundreds of thousands of small objects for a large
/// topology) on a background queue, so the caller does not wait for it.
enum Disposal {
    final class Box: @unchecked Sendable {
        var engine: Engine?
        init(_ e: Engine) { engine = e }
    }
    static func release(_ engine: Engine) {
        let box = Box(engine)
        DispatchQueue.global(qos: .utility).async { box.engine = nil }
    }
    /// Never frees it: for a process that exits once it has used the result.
    static func keep(_ engine: Engine) {
        _ = Unmanaged.passRetained(engine)
    }
}

/// Evaluation: resolves names across the files of one topology (and `std.*` imports), expands
/// `let`/`fn`/`for`/`if`/`...`, evaluates expressions, type-checks every attribute and builds
/// the `CheckedProgram`. Reports the `names`, `types`, syntax-level value errors and `assert`.
public enum Evaluator {
    /// `files` are in source order (path relative to the topology root, bytewise); `defaultName`
    /// is the file or directory name without extension (used when there is no `topology NAME`).
    ///
    /// Standard-library modules get the `FileID`s that follow `sources`' files, in the order of
    /// `stdlibFiles`; a diagnostic inside a module points there (add `stdlibFiles` to the
    /// `SourceMap` after the topology's files to render it).
    ///
    /// `oneShot`: the process exits once it has used the result, so the evaluator's own object
    /// graph is never freed (freeing it, even on another thread, cost ≈ 10 % of the CPU of
    /// `check` on 100 000 VMs). Otherwise it is freed on a background queue.
    public static func evaluate(files: [FileSyntax], sources: SourceMap, defaultName: String, oneShot: Bool = false)
        -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
        let engine = Engine(files: files, sources: sources, defaultName: defaultName)
        let program = engine.run()
        let diagnostics = engine.diagnostics
        if oneShot { Disposal.keep(engine) } else { Disposal.release(engine) }
        return (program, diagnostics)
    }

    /// The embedded standard library as source files (`<stdlib>/images.wk` …), sorted by module name.
    public static var stdlibFiles: [(path: String, text: String)] {
        Stdlib.orderedModules.map { ("<stdlib>/\($0.name).wk", $0.text) }
    }
}
