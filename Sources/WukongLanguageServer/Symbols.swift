import WukongDiagnostics
import WukongSema

// Feature: document symbols (`textDocument/documentSymbol`). The outline of a document: its
// top-level declarations (host NICs at their host's level), each with the range of the whole
// declaration and the range of its name — and the VMs a `for` generates (`db-1`, `db-2`, …),
// read from the last compilation of the buffer's text, at the `vm` declaration in the loop.
// Workspace symbols list the same for every file of the open documents' topologies.

extension LanguageServer {
    func documentSymbols(_ p: LSP.DocumentSymbolParams) -> [LSP.DocumentSymbol] {
        symbols(uri: p.textDocument.uri, onlyThisFile: true).map(\.symbol)
    }

    /// The symbols of the document (or of its whole topology), with the URI of each one's file.
    func symbols(uri: String, onlyThisFile: Bool) -> [(uri: String, symbol: LSP.DocumentSymbol)] {
        let (root, files, _) = documents.topology(of: uri)
        let path = DocumentStore.path(of: uri)
        var out: [(uri: String, symbol: LSP.DocumentSymbol)] = []
        var sources: [String: SourceFile] = [:]
        for f in files { sources[f.path] = SourceFile(id: FileID(0), path: f.path, bytes: f.bytes) }
        let declared = declarations(uri: uri)
        for d in declared where !onlyThisFile || path == nil || d.path == path {
            guard let source = sources[d.path] else { continue }
            let kind: LSP.SymbolKind
            switch d.kind {
            case .resource: kind = d.resource == .topology ? .namespace : .struct
            case .value: kind = .variable
            case .function: kind = .function
            case .module: kind = .module
            }
            out.append((documents.reportingURI(for: d.path, from: uri),
                        LSP.DocumentSymbol(name: d.name, detail: d.detail, kind: kind,
                                           range: Positions.range(d.extent ?? d.span, in: source),
                                           selectionRange: Positions.range(d.span, in: source))))
        }
        // VMs a `for` (or an interpolated name) generates: not among the declared names
        guard let c = compiled[root], let program = c.program else { return out }
        let names = Set(declared.map(\.name))
        for vm in program.vms where !names.contains(vm.decl.name) {
            guard let file = c.sources[vm.decl.nameSpan.file], let current = sources[file.path], current.bytes == file.bytes,
                  !onlyThisFile || path == nil || file.path == path else { continue }
            out.append((documents.reportingURI(for: file.path, from: uri),
                        LSP.DocumentSymbol(name: vm.decl.name, detail: "vm (generated)", kind: .struct,
                                           range: Positions.range(vm.decl.span, in: file),
                                           selectionRange: Positions.range(vm.decl.nameSpan, in: file))))
        }
        return out.sorted { ($0.uri, $0.symbol.range.start) < ($1.uri, $1.symbol.range.start) }
    }
}
