import Foundation

// Feature: code actions (`textDocument/codeAction`). Quick fixes: one per fix-it of a
// published diagnostic overlapping the requested range (`did you mean` replacements, a
// network address for a CIDR with host bits, a missing `=` …).

extension LanguageServer {
    func codeActions(_ p: LSP.CodeActionParams) -> [LSP.CodeAction] {
        let uri = p.textDocument.uri
        var out: [LSP.CodeAction] = []
        for (diagnostic, edits) in fixes[uri] ?? [] where diagnostic.range.overlaps(p.range) {
            for edit in edits {
                let text = edit.newText.trimmingCharacters(in: .whitespaces)
                let insertion = edit.range.start == edit.range.end
                out.append(LSP.CodeAction(title: insertion ? "Insert `\(text)`" : "Replace with `\(text)`", kind: "quickfix",
                                          diagnostics: [diagnostic], isPreferred: edits.count == 1,
                                          edit: LSP.WorkspaceEdit(changes: [uri: [edit]])))
            }
        }
        return out
    }
}
