import WukongDiagnostics

/// Entry point of the syntax stage: source → tokens → tree, with diagnostics as values.
public enum Parser {
    /// Parses one file. Never traps; unparsable pieces become `.error` nodes.
    public static func parse(_ file: SourceFile) -> (syntax: FileSyntax, diagnostics: [Diagnostic]) {
        // TODO(parser): replaced by the recursive-descent parser.
        return (FileSyntax(file: file.id, items: [], comments: []), [])
    }
}
