import WukongDiagnostics
import WukongSyntax
import WukongParallel

/// Frees an object graph (the evaluator's: hundreds of thousands of small objects for a large
/// topology) on another thread, so the caller does not wait for it.
package enum Disposal {
    private final class Box: @unchecked Sendable {
        var value: Any?
        init(_ value: Any) { self.value = value }
    }
    package static func release(_ value: Any) {
        let box = Box(value)
        Parallel.detach { box.value = nil }
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
    /// The evaluator's own object graph is freed on another thread.
    public static func evaluate(files: [FileSyntax], sources: SourceMap, defaultName: String)
        -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
        let (program, diagnostics, state) = evaluateKeepingState(files: files, sources: sources, defaultName: defaultName)
        Disposal.release(state)
        return (program, diagnostics)
    }

    /// `evaluate`, handing the evaluator's object graph to the caller (`state`), which decides
    /// when it is freed: `wukongc` never frees it (freeing it, even on another thread, cost
    /// ≈ 10 % of the CPU of `check` on 100 000 VMs).
    package static func evaluateKeepingState(files: [FileSyntax], sources: SourceMap, defaultName: String)
        -> (program: CheckedProgram, diagnostics: [Diagnostic], state: AnyObject) {
        let engine = Engine(files: files, sources: sources, defaultName: defaultName)
        let program = engine.run()
        return (program, engine.diagnostics, engine)
    }

    /// The embedded standard library as source files (`<stdlib>/images.wk` …), sorted by module name.
    public static var stdlibFiles: [(path: String, text: String)] {
        Stdlib.orderedModules.map { ("<stdlib>/\($0.name).wk", $0.text) }
    }
}
