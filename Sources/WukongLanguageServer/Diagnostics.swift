import WukongCompiler
import WukongDiagnostics

// Feature: diagnostics. The document-synchronization notifications (didOpen, didChange,
// didSave, didClose) update the document store, then the topology of the document is checked
// with the editor's unsaved buffers and `textDocument/publishDiagnostics` is sent for each of
// its files — an empty list for a file that became clean. The fix-its of the diagnostics are
// kept for code actions, and the IR of an error-free check for hover.

extension LanguageServer {
    func didOpen(_ p: LSP.DidOpenTextDocumentParams) {
        documents[p.textDocument.uri] = DocumentStore.Document(text: p.textDocument.text, version: p.textDocument.version ?? 0)
        diagnose(p.textDocument.uri)
    }

    func didChange(_ p: LSP.DidChangeTextDocumentParams) {
        // full synchronization: the last change holds the whole text
        guard let text = p.contentChanges.last?.text else { return }
        documents[p.textDocument.uri] = DocumentStore.Document(text: text, version: p.textDocument.version ?? 0)
        diagnose(p.textDocument.uri)
    }

    func didSave(_ p: LSP.DidSaveTextDocumentParams) {
        let uri = p.textDocument.uri
        if let text = p.text { documents[uri]?.text = text }
        diagnose(uri)
    }

    func didClose(_ p: LSP.DidCloseTextDocumentParams) {
        let uri = p.textDocument.uri
        documents[uri] = nil
        // its diagnostics stay meaningful only while it is open (or part of an open topology)
        publish(uri, [])
        for key in published.keys { published[key]?.remove(uri) }
    }

    /// Checks the topology of `uri` and publishes the diagnostics of each of its files.
    func diagnose(_ uri: String) {
        let (root, files, name) = documents.topology(of: uri)
        let c = Driver.compile(files: files, defaultName: name)
        if let ir = c.topology { resolved[root] = ir }
        var byFile: [String: [LSP.Diagnostic]] = [:]
        var newFixes: [String: [(diagnostic: LSP.Diagnostic, edits: [LSP.TextEdit])]] = [:]
        for f in files { byFile[DocumentStore.reportingURI(for: f.path, from: uri)] = [] }
        for d in c.diagnostics {
            guard let file = c.sources[d.span.file], files.contains(where: { $0.path == file.path }) else {
                // a diagnostic inside the standard library: shown at the top of the document
                byFile[uri, default: []].append(LanguageServer.lspDiagnostic(d, sources: c.sources, at: nil))
                continue
            }
            let target = DocumentStore.reportingURI(for: file.path, from: uri)
            let lsp = LanguageServer.lspDiagnostic(d, sources: c.sources, at: file)
            byFile[target, default: []].append(lsp)
            let edits: [LSP.TextEdit] = d.fixIts.compactMap { fx in
                guard fx.span.file == d.span.file else { return nil }
                return LSP.TextEdit(range: Positions.range(fx.span, in: file), newText: fx.replacement)
            }
            if !edits.isEmpty { newFixes[target, default: []].append((lsp, edits)) }
        }
        for f in files { fixes[DocumentStore.reportingURI(for: f.path, from: uri)] = nil }
        for (target, list) in newFixes { fixes[target] = list }
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

    static func lspDiagnostic(_ d: Diagnostic, sources: SourceMap, at file: SourceFile?) -> LSP.Diagnostic {
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
            let uri = f.path.hasPrefix("/") ? DocumentStore.uri(of: f.path) : f.path
            return LSP.DiagnosticRelatedInformation(location: LSP.Location(uri: uri, range: Positions.range(n.span, in: f)),
                                                    message: n.message)
        }
        return LSP.Diagnostic(range: file.map { Positions.range(d.span, in: $0) } ?? .zero, severity: severity,
                              code: d.code.rawValue, source: "wukongc", message: message,
                              relatedInformation: related.isEmpty ? nil : related)
    }
}
