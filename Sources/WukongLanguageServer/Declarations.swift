import WukongCompiler
import WukongDiagnostics
import WukongSyntax

// The top-level names of a document's topology (resources, host NICs, `let`, `fn`, imports),
// read from the recovering parser's trees: what completion offers in value positions, what
// hover describes, definition jumps to, references and rename act on, and the outline lists.

struct Declared {
    enum Kind { case resource, value, function, module }
    var name: String
    var kind: Kind
    var resource: ResourceKind?
    /// For an import: the module's name (`images` of `import std.images as img`).
    var module: String?
    var detail: String
    var span: Span
    var path: String
    /// The whole declaration (a block with its body).
    var extent: Span? = nil
}

extension LanguageServer {
    /// The top-level names of the document's topology, with what they are.
    func declarations(uri: String) -> [Declared] {
        let (_, files, _) = documents.topology(of: uri)
        var out: [Declared] = []
        for f in files {
            let (tree, _) = Parser.parse(SourceFile(id: FileID(0), path: f.path, bytes: f.bytes))
            for item in tree.items {
                switch item.kind {
                case .resource(let r):
                    if case .identifier(let id)? = r.name, r.kind != .user {
                        out.append(Declared(name: id.name, kind: .resource, resource: r.kind, detail: r.kind.rawValue, span: id.span,
                                            path: f.path, extent: item.span))
                    }
                    if r.kind == .host, let body = r.body {
                        for inner in body.items {
                            if case .resource(let n) = inner.kind, n.kind == .nic, case .identifier(let id)? = n.name {
                                out.append(Declared(name: id.name, kind: .resource, resource: .nic, detail: "nic", span: id.span,
                                                    path: f.path, extent: inner.span))
                            }
                        }
                    }
                case .letDecl(let id, _, _):
                    out.append(Declared(name: id.name, kind: .value, detail: "let", span: id.span, path: f.path, extent: item.span))
                case .fnDecl(let d):
                    out.append(Declared(name: d.name.name, kind: .function, detail: "fn", span: d.name.span, path: f.path,
                                        extent: item.span))
                case .importDecl(let path, let alias):
                    guard let last = path.last else { continue }
                    let name = alias ?? last
                    out.append(Declared(name: name.name, kind: .module, module: last.name,
                                        detail: "std.\(last.name)", span: name.span, path: f.path, extent: item.span))
                default: continue
                }
            }
        }
        return out
    }

    /// The identifier under the cursor, when it is not a member (`x.name`).
    func nameAt(uri: String, _ position: LSP.Position) -> String? {
        guard let text = documents[uri]?.text else { return nil }
        let bytes = Array(text.utf8)
        let offset = Positions.offset(position, in: bytes)
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        guard let i = lexed.tokens.firstIndex(where: { $0.startOffset <= offset && offset <= $0.endOffset && $0.kind == .identifier })
        else { return nil }
        if i > 0, lexed.tokens[i - 1].kind == .dot { return nil }
        return lexed.text(of: lexed.tokens[i])
    }

    /// Where a declaration is, as an LSP location (in the editor's buffer when it is open).
    func location(of d: Declared, from uri: String) -> LSP.Location {
        let isFile = DocumentStore.path(of: uri) != nil
        let bytes = (isFile ? documents.text(path: d.path) : documents[uri].map { Array($0.text.utf8) }) ?? []
        let source = SourceFile(id: FileID(0), path: d.path, bytes: bytes)
        return LSP.Location(uri: isFile ? documents.reportingURI(for: d.path, from: uri) : uri, range: Positions.range(d.span, in: source))
    }
}
