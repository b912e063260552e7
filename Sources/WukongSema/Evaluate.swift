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
    public static func evaluate(files: [FileSyntax], sources: SourceMap, defaultName: String)
        -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
        let engine = Engine(files: files, sources: sources, defaultName: defaultName)
        let program = engine.run()
        let diagnostics = engine.diagnostics
        Disposal.release(engine)
        return (program, diagnostics)
    }

    /// The embedded standard library as source files (`<stdlib>/images.wk` …), sorted by module name.
    public static var stdlibFiles: [(path: String, text: String)] {
        Stdlib.orderedModules.map { ("<stdlib>/\($0.name).wk", $0.text) }
    }
}
