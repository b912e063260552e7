import WukongDiagnostics

/// Entry point of the syntax stage: source → tokens → tree, with diagnostics as values.
public enum Parser {
    /// How deeply brackets, blocks, strings and operator chains may nest before E0112. Real
    /// topologies nest a dozen levels; 128 keeps the parser (and the tree walks of later stages)
    /// within a few MiB of stack even in debug builds, whose frames are 10–20 KiB per level.
    public static let maxNesting = 128

    /// Parses one file. Never traps; unparsable pieces become `.error` nodes.
    public static func parse(_ file: SourceFile) -> (syntax: FileSyntax, diagnostics: [Diagnostic]) {
        let lexed = Lexer.lex(file)
        var p = ParserImpl(source: file, lexed: lexed)
        let items = p.parseFile()
        var diags = lexed.diagnostics + p.diags
        diags = diags.enumerated().sorted { a, b in
            a.element.span.start != b.element.span.start ? a.element.span.start < b.element.span.start : a.offset < b.offset
        }.map(\.element)
        return (FileSyntax(file: file.id, items: items, comments: lexed.comments), diags)
    }
}
