import Foundation

// Feature: code actions (`textDocument/codeAction`). Quick fixes: one per fix-it of a
// published diagnostic that the requested range overlaps — any range: a cursor inside or at
// either end of it, a selection covering part or all of it, or one over the fix-it's own edit
// (`did you mean` replacements, a network address for a CIDR with host bits, a missing `=` …).
// A diagnostic the client sends back in `context` matches the server's by code and range.
// Fixes are found by the file's path, so a client URI spelled differently from one built from
// the path (percent-encoding case, a space) still finds them; edits use the client's URI.

extension LanguageServer {
    func codeActions(_ p: LSP.CodeActionParams) -> [LSP.CodeAction] {
        let uri = p.textDocument.uri
        let asked = p.context?.diagnostics ?? []
        var out: [LSP.CodeAction] = []
        for fix in fixes[DocumentStore.key(uri)] ?? [] {
            let d = fix.diagnostic
            let mine = fix.edits[uri] ?? fix.edits.first(where: { DocumentStore.key($0.key) == DocumentStore.key(uri) })?.value ?? []
            let hit = d.range.overlaps(p.range) || mine.contains { $0.range.overlaps(p.range) }
                || asked.contains { $0.code == d.code && $0.range == d.range }
            guard hit else { continue }
            let count = fix.edits.values.reduce(0) { $0 + $1.count }
            for (target, edits) in fix.edits.sorted(by: { $0.key < $1.key }) {
                for edit in edits {
                    let text = edit.newText.trimmingCharacters(in: .whitespaces)
                    let insertion = edit.range.start == edit.range.end
                    out.append(LSP.CodeAction(title: insertion ? "Insert `\(text)`" : "Replace with `\(text)`", kind: "quickfix",
                                              diagnostics: [d], isPreferred: count == 1,
                                              edit: LSP.WorkspaceEdit(changes: [target: [edit]])))
                }
            }
        }
        return out
    }
}
