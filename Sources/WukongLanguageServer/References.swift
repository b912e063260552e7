import WukongDiagnostics
import WukongSyntax

// Feature: references and rename (`textDocument/references`, `textDocument/rename`) of the
// top-level name under the cursor, across the files of the document's topology. Rename
// refuses modules (renamed in their `import … as`), invalid names, keywords and names already
// declared.

extension LanguageServer {
    func references(_ p: LSP.ReferenceParams) -> [LSP.Location] {
        let uri = p.textDocument.uri
        guard let target = nameAt(uri: uri, p.position),
              let decl = declarations(uri: uri).first(where: { $0.name == target }) else { return [] }
        let include = p.context?.includeDeclaration ?? true
        return occurrences(of: target, uri: uri)
            .filter { include || !($0.path == decl.path && $0.span.startOffset == decl.span.startOffset) }
            .map { LSP.Location(uri: $0.uri, range: Positions.range($0.span, in: $0.source)) }
    }

    func rename(_ p: LSP.RenameParams) throws -> LSP.WorkspaceEdit {
        let uri = p.textDocument.uri
        let declared = declarations(uri: uri)
        guard let target = nameAt(uri: uri, p.position), let decl = declared.first(where: { $0.name == target }) else {
            throw ResponseError.invalidParams("no declared name here")
        }
        let newName = p.newName
        if decl.kind == .module { throw ResponseError.invalidParams("rename the module in its `import … as` instead") }
        guard LanguageServer.isValidName(newName) else { throw ResponseError.invalidParams("`\(newName)` is not a valid name") }
        if newName != target, declared.contains(where: { $0.name == newName }) {
            throw ResponseError.invalidParams("`\(newName)` is already declared")
        }
        var changes: [String: [LSP.TextEdit]] = [:]
        for o in occurrences(of: target, uri: uri) {
            changes[o.uri, default: []].append(LSP.TextEdit(range: Positions.range(o.span, in: o.source), newText: newName))
        }
        return LSP.WorkspaceEdit(changes: changes)
    }

    struct Occurrence {
        var uri: String
        var path: String
        var span: Span
        var source: SourceFile
    }

    /// Every place the top-level name `name` stands in the files of the topology: its
    /// declaration and its references, from tokens. Not counted: members (`x.name`), attribute
    /// names and record keys (`name =`), parameter and field names (`name:`), a VM's NIC and
    /// user names, and names inside strings (`on "net-${i}"` is text).
    func occurrences(of name: String, uri: String) -> [Occurrence] {
        let (_, files, _) = documents.topology(of: uri)
        var out: [Occurrence] = []
        for f in files {
            let source = SourceFile(id: FileID(0), path: f.path, bytes: f.bytes)
            let lexed = Lexer.lex(source)
            let tokens = lexed.tokens
            var blocks: [Bool] = []  // per open `{`: inside a VM
            var lineHead: TokenKind? = nil
            for (i, t) in tokens.enumerated() {
                let previous = i > 0 ? tokens[i - 1].kind : nil
                if t.newlineBefore || previous == nil || previous == .lBrace || previous == .comma { lineHead = t.kind }
                switch t.kind {
                case .lBrace: blocks.append(lineHead == .kwVm || (blocks.last ?? false))
                case .rBrace: _ = blocks.popLast()
                default: break
                }
                guard t.kind == .identifier, lexed.text(of: t) == name else { continue }
                let next = i + 1 < tokens.count ? tokens[i + 1].kind : nil
                if previous == .dot { continue }
                if (next == .assign || next == .colon) && previous != .kwLet { continue }
                if (previous == .kwNic || previous == .kwUser) && (blocks.last ?? false) { continue }
                out.append(Occurrence(uri: DocumentStore.reportingURI(for: f.path, from: uri), path: f.path,
                                      span: Span(file: FileID(0), start: t.startOffset, end: t.endOffset), source: source))
            }
        }
        return out
    }

    static func isValidName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "_") || (first | 0x20) >= 97 && (first | 0x20) <= 122 else { return false }
        for b in bytes where !(b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || (b | 0x20) >= 97 && (b | 0x20) <= 122 || b >= 48 && b <= 57) {
            return false
        }
        return bytes.last != UInt8(ascii: "-") && !TokenKind.keywords.contains(s)
    }
}
