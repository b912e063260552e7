import WukongDiagnostics

// Feature: document symbols (`textDocument/documentSymbol`). The outline of a document: its
// top-level declarations (host NICs at their host's level), each with the range of the whole
// declaration and the range of its name.

extension LanguageServer {
    func documentSymbols(_ p: LSP.DocumentSymbolParams) -> [LSP.DocumentSymbol] {
        let uri = p.textDocument.uri
        guard let buffer = documents[uri]?.text else { return [] }
        let source = SourceFile(id: FileID(0), path: "", bytes: Array(buffer.utf8))
        let path = DocumentStore.path(of: uri)
        return declarations(uri: uri).filter { path == nil || $0.path == path }.map { d in
            let kind: LSP.SymbolKind
            switch d.kind {
            case .resource: kind = d.resource == .topology ? .namespace : .struct
            case .value: kind = .variable
            case .function: kind = .function
            case .module: kind = .module
            }
            return LSP.DocumentSymbol(name: d.name, detail: d.detail, kind: kind,
                                      range: Positions.range(d.extent ?? d.span, in: source),
                                      selectionRange: Positions.range(d.span, in: source))
        }
    }
}
