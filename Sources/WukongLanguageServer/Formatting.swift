import WukongCompiler

// Feature: formatting (`textDocument/formatting`). The document as `wukongc fmt` writes it,
// as one edit replacing the whole text; no edit when it is already formatted or does not
// parse. The client's formatting options are not read: the format is the language's.

extension LanguageServer {
    func formatting(_ p: LSP.DocumentFormattingParams) throws -> [LSP.TextEdit] {
        guard let text = documents[p.textDocument.uri]?.text else { throw ResponseError.invalidParams("unknown document") }
        return LanguageServer.formattingEdits(text)
    }

    static func formattingEdits(_ text: String) -> [LSP.TextEdit] {
        let f = Driver.format(InputFile(path: "buffer.wk", text: text))
        guard let formatted = f.formatted, formatted != text else { return [] }
        let start = LSP.Position(line: 0, character: 0)
        return [LSP.TextEdit(range: LSP.Range(start: start, end: Positions.end(of: Array(text.utf8))), newText: formatted)]
    }
}
