import WukongCompiler
import WukongDiagnostics

// Feature: diagnostics. The document-synchronization notifications (didOpen, didChange —
// incremental —, didSave, didClose, and didChangeWatchedFiles for files changed outside the
// editor) update the document store, then the topology of the document is checked
// with the editor's unsaved buffers and `textDocument/publishDiagnostics` is sent for each of
// its files — an empty list for a file that became clean. The fix-its of the diagnostics are
// kept for code actions, and the IR of an error-free check for hover.

extension LanguageServer {
    func didOpen(_ p: LSP.DidOpenTextDocumentParams) {
        // a new file may join its folder's topology
        documents.invalidateListings(for: p.textDocument.uri)
        documents[p.textDocument.uri] = DocumentStore.Document(text: p.textDocument.text, version: p.textDocument.version ?? 0)
        diagnose(p.textDocument.uri)
    }

    func didChange(_ p: LSP.DidChangeTextDocumentParams) {
        // incremental synchronization: ranged edits in order (an unranged one is the whole text)
        let uri = p.textDocument.uri
        guard let old = documents[uri]?.text ?? (p.contentChanges.first?.range == nil ? "" : nil), !p.contentChanges.isEmpty
        else { return }
        documents[uri] = DocumentStore.Document(text: DocumentStore.apply(p.contentChanges, to: old),
                                                version: p.textDocument.version ?? 0)
        diagnose(uri)
    }

    func didSave(_ p: LSP.DidSaveTextDocumentParams) {
        let uri = p.textDocument.uri
        documents.invalidateListings(for: uri)
        if let text = p.text { documents[uri]?.text = text }
        diagnose(uri)
    }

    func didClose(_ p: LSP.DidCloseTextDocumentParams) {
        let uri = p.textDocument.uri
        let root = documents[uri] == nil ? nil : documents.topology(of: uri).root
        documents[uri] = nil
        documents.invalidateListings(for: uri)
        // its diagnostics stay meaningful only while it is open (or part of an open topology)
        publish(uri, [])
        for key in published.keys { published[key]?.remove(uri) }
        fixes[DocumentStore.key(uri)] = nil
        // the other open files of its topology were checked with its unsaved buffer: check
        // them again with the disk's text
        if let root, let other = documents.documents.keys.sorted().first(where: { documents.topology(of: $0).root == root }) {
            diagnose(other)
        }
    }

    /// Files created, changed or deleted outside the editor: folder listings are read again,
    /// and the open documents of the folders concerned are checked again.
    func didChangeWatchedFiles(_ p: LSP.DidChangeWatchedFilesParams) {
        for change in p.changes { documents.invalidateListings(for: change.uri) }
        var roots = Set<String>()
        for uri in documents.documents.keys.sorted() {
            let root = documents.topology(of: uri).root
            let touched = p.changes.contains { DocumentStore.path(of: $0.uri).map { $0.hasPrefix(root + "/") || $0 == root } ?? false }
            if touched && roots.insert(root).inserted { diagnose(uri) }
        }
    }

    /// Checks the topology of `uri` and publishes the diagnostics of each of its files.
    func diagnose(_ uri: String) {
        let (root, files, name) = documents.topology(of: uri)
        let c = Driver.compile(files: files, defaultName: name)
        if let ir = c.topology { resolved[root] = ir }
        compiled[root] = c
        var byFile: [String: [LSP.Diagnostic]] = [:]
        var newFixes: [String: [Fix]] = [:]
        for f in files { byFile[documents.reportingURI(for: f.path, from: uri)] = [] }
        for d in c.diagnostics {
            guard let file = c.sources[d.span.file], files.contains(where: { $0.path == file.path }) else {
                // a diagnostic inside the standard library: shown at the top of the document
                byFile[uri, default: []].append(lspDiagnostic(d, sources: c.sources, at: nil, from: uri))
                continue
            }
            let target = documents.reportingURI(for: file.path, from: uri)
            let lsp = lspDiagnostic(d, sources: c.sources, at: file, from: uri)
            byFile[target, default: []].append(lsp)
            // a fix-it may edit another file of the topology (a declaration elsewhere)
            var edits: [String: [LSP.TextEdit]] = [:]
            for fx in d.fixIts {
                guard let fxFile = c.sources[fx.span.file], files.contains(where: { $0.path == fxFile.path }) else { continue }
                edits[documents.reportingURI(for: fxFile.path, from: uri), default: []]
                    .append(LSP.TextEdit(range: Positions.range(fx.span, in: fxFile), newText: fx.replacement))
            }
            if !edits.isEmpty { newFixes[DocumentStore.key(target), default: []].append(Fix(diagnostic: lsp, edits: edits)) }
        }
        for f in files { fixes[DocumentStore.key(documents.reportingURI(for: f.path, from: uri))] = nil }
        for (key, list) in newFixes { fixes[key] = list }
        var now = Set<String>()
        for (target, ds) in byFile.sorted(by: { $0.key < $1.key }) {
            if !ds.isEmpty { now.insert(target) }
            if ds.isEmpty && !(published[root]?.contains(target) ?? false) && target != uri { continue }
            publish(target, ds)
        }
        published[root] = now
    }

    func publish(_ uri: String, _ diagnostics: [LSP.Diagnostic]) {
        notify("textDocument/publishDiagnostics",
               LSP.PublishDiagnosticsParams(uri: uri, version: documents[uri]?.version, diagnostics: diagnostics))
    }

    func lspDiagnostic(_ d: Diagnostic, sources: SourceMap, at file: SourceFile?, from requester: String) -> LSP.Diagnostic {
        let severity: LSP.DiagnosticSeverity
        switch d.severity {
        case .error: severity = .error
        case .warning: severity = .warning
        case .note: severity = .information
        }
        var message = d.message
        if let h = d.help { message += "\nhelp: " + h }
        let related: [LSP.DiagnosticRelatedInformation] = d.notes.compactMap { n in
            guard let f = sources[n.span.file] else { return nil }
            let uri = f.path.hasPrefix("/") ? documents.reportingURI(for: f.path, from: requester) : f.path
            return LSP.DiagnosticRelatedInformation(location: LSP.Location(uri: uri, range: Positions.range(n.span, in: f)),
                                                    message: n.message)
        }
        return LSP.Diagnostic(range: file.map { Positions.range(d.span, in: $0) } ?? .zero, severity: severity,
                              code: d.code.rawValue, source: "wukongc", message: message,
                              relatedInformation: related.isEmpty ? nil : related)
    }
}
