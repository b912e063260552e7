import WukongDiagnostics
import WukongSyntax

/// Evaluation: resolves names across the files of one topology (and `std.*` imports), expands
/// `let`/`fn`/`for`/`if`/`...`, evaluates expressions, type-checks every attribute and builds
/// the `CheckedProgram`. Reports the `names`, `types`, syntax-level value errors and `assert`.
public enum Evaluator {
    /// `files` are in source order (path relative to the topology root, bytewise); `defaultName`
    /// is the file or directory name without extension (used when there is no `topology NAME`).
    public static func evaluate(files: [FileSyntax], sources: SourceMap, defaultName: String)
        -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
        // TODO(sema-eval): the evaluator.
        let firstLine = files.first.map { Span(file: $0.file, start: 0, end: 0) } ?? .none
        return (CheckedProgram(topologyName: Located(defaultName, firstLine)), [])
    }
}
