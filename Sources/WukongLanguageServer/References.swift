import WukongDiagnostics
import WukongSyntax

// Feature: references and rename (`textDocument/references`, `textDocument/rename`) of the
// top-level name under the cursor, across the files of the document's topology, found in the
// recovering parser's trees (no token walk of its own). Rename
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
    /// declarations and its references, read from the parser's trees. Counted: the names of
    /// resources (not a VM's NICs and users), `let`, `fn` and import aliases, and names in
    /// expressions, interpolations included (`"${lan.name}"`). Not counted: members (`x.name`),
    /// attribute names, record keys, string text, and the body of a `for` or `fn` whose loop
    /// variable or parameter has the same name (it shadows the top-level one).
    func occurrences(of name: String, uri: String) -> [Occurrence] {
        let (_, files, _) = documents.topology(of: uri)
        var out: [Occurrence] = []
        for f in files {
            let source = SourceFile(id: FileID(0), path: f.path, bytes: f.bytes)
            let (tree, _) = Parser.parse(source)
            var finder = OccurrenceFinder(name: name)
            finder.items(tree.items, inVM: false)
            for span in finder.spans.sorted(by: { $0.startOffset < $1.startOffset }) {
                out.append(Occurrence(uri: documents.reportingURI(for: f.path, from: uri), path: f.path, span: span, source: source))
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

/// Collects the spans where a name is declared or referenced (see `occurrences(of:uri:)`).
private struct OccurrenceFinder {
    let name: String
    var spans: [Span] = []

    mutating func identifier(_ id: Identifier) {
        if id.name == name { spans.append(id.span) }
    }

    mutating func items(_ items: [Item], inVM: Bool) {
        for item in items { self.item(item, inVM: inVM) }
    }

    mutating func item(_ item: Item, inVM: Bool) {
        switch item.kind {
        case .attribute(_, let value):
            expr(value)
        case .spread(let e):
            expr(e)
        case .resource(let r):
            switch r.name {
            case .identifier(let id)?: if !(inVM && (r.kind == .nic || r.kind == .user)) { identifier(id) }
            case .string(let s)?: string(s)
            case nil: break
            }
            if let on = r.on { expr(on) }
            if let body = r.body { items(body.items, inVM: inVM || r.kind == .vm) }
        case .importDecl(let path, let alias):
            if let declared = alias ?? path.last { identifier(declared) }
        case .letDecl(let id, _, let value):
            identifier(id)
            expr(value)
        case .fnDecl(let d):
            identifier(d.name)
            if !d.parameters.contains(where: { $0.name.name == name }) { expr(d.body) }
        case .assertDecl(let condition, let message):
            expr(condition)
            if let message { expr(message) }
        case .forLoop(let variable, let sequence, let body):
            expr(sequence)
            if variable.name != name { items(body.items, inVM: inVM) }
        case .ifStatement(let condition, let then, let elseBranch):
            expr(condition)
            items(then.items, inVM: inVM)
            switch elseBranch {
            case .block(let b)?: items(b.items, inVM: inVM)
            case .elseIf(let i)?: self.item(i, inVM: inVM)
            case nil: break
            }
        case .error:
            break
        }
    }

    mutating func expr(_ e: Expr) {
        switch e.kind {
        case .name(let id): identifier(id)
        case .member(let base, _): expr(base)
        case .string(let s): string(s)
        case .list(let elements): for x in elements { expr(x) }
        case .record(let entries):
            for entry in entries {
                switch entry.kind {
                case .field(_, _, let value): expr(value)
                case .spread(let v): expr(v)
                }
            }
        case .call(let callee, let arguments):
            expr(callee)
            for a in arguments { expr(a) }
        case .unary(_, let operand): expr(operand)
        case .binary(_, let lhs, let rhs):
            expr(lhs)
            expr(rhs)
        case .conditional(let condition, let then, let otherwise):
            expr(condition)
            expr(then)
            expr(otherwise)
        case .parenthesized(let inner): expr(inner)
        case .integer, .quantity, .ipv4, .ipv4Prefix, .bool, .keyword, .error: break
        }
    }

    mutating func string(_ s: StringLiteral) {
        for part in s.parts {
            if case .interpolation(let e) = part { expr(e) }
        }
    }
}
