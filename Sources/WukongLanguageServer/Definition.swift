// Feature: go to definition (`textDocument/definition`). The declaration of the top-level
// name under the cursor (a resource, `let`, `fn`, a host NIC or an import), in the files of
// the document's topology; `null` for members (`x.name`) and names declared nowhere.

extension LanguageServer {
    func definition(_ p: LSP.TextDocumentPositionParams) -> LSP.Location? {
        let uri = p.textDocument.uri
        guard let name = nameAt(uri: uri, p.position),
              let d = declarations(uri: uri).first(where: { $0.name == name }) else { return nil }
        return location(of: d, from: uri)
    }
}
