import Foundation
import WukongCompiler
import WukongIR

/// `wukongc lsp` (LANGUAGE.md §8): a Language Server Protocol server for editors.
///
/// The server core: its state, the dispatch table and the lifecycle (`initialize`, `shutdown`,
/// `exit`). Each feature lives in its own file of this module:
///
/// 1. **Diagnostics** (`Diagnostics.swift`): on every open/change/save, checks the topology the
///    document belongs to — with the editor's unsaved buffers — and publishes the diagnostics of
///    every file of it (an empty list clears a file that became clean).
/// 2. **Completion** (`Completion.swift`): attributes of the block around the cursor (a VM's
///    `nic` has its own), child declarations, top-level keywords, names in value positions,
///    members after `.` (a typed value's built-in members too), modules after `import std.` —
///    read from the recovering parser's tree.
/// 3. **Hover** (`Hover.swift`): an attribute's type and allowed values; a top-level name's
///    declaring line, and a VM's resolved NIC addresses and MACs.
/// 4. **Go to definition** (`Definition.swift`) of top-level names, across the topology's files.
/// 5. **References and rename** (`References.swift`) of top-level names, across the files,
///    found in the parser's trees.
/// 6. **Document symbols** (`Symbols.swift`): the outline of the top-level declarations.
/// 7. **Formatting** (`Formatting.swift`): `wukongc fmt` as one whole-document edit.
/// 8. **Code actions** (`CodeActions.swift`): quick fixes from the fix-its of the diagnostics.
/// 9. **Editor features** (`EditorFeatures.swift`): inlay hints (addresses `auto` picked, derived
///    MACs, from the IR), semantic tokens (legend from the lexer's token kinds), signature help,
///    document highlight, folding ranges, workspace symbols, prepareRename.
///
/// Underneath: `Protocol.swift` (the LSP types), `JSONRPC.swift` (envelopes, error codes),
/// `Dispatch.swift` (method → handler), `Transport.swift` (framing), `DocumentStore.swift`
/// (buffers and topologies), `Declarations.swift` (the top-level names), `SyntaxSite.swift`
/// (where a name stands in the tree: its blocks and role), `Receivers.swift` (the type of the
/// value before a `.`: method signature help, member completion), `Positions.swift` (UTF-16
/// positions).
///
/// Transport-free: `handle` takes one message body and returns the bodies to send back; the
/// CLI frames them (`Content-Length`) on stdio.
public final class LanguageServer {
    var documents = DocumentStore()
    /// URIs that got a non-empty diagnostic list, per topology root (to clear them later).
    var published: [String: Set<String>] = [:]
    /// A published diagnostic with the edits of its fix-its, per URI they edit.
    struct Fix {
        var diagnostic: LSP.Diagnostic
        var edits: [String: [LSP.TextEdit]]
    }
    /// Per file (`DocumentStore.key`), the published diagnostics that carry fix-its (code actions).
    var fixes: [String: [Fix]] = [:]
    /// Per topology root, its last compilation (errors or not): inlay hints and the outline
    /// read its checked program and IR when its text is the buffer's.
    var compiled: [String: Compilation] = [:]
    /// Per topology root, the IR of its last compilation without errors (hover shows resolved
    /// NIC addresses and MACs from it).
    var resolved: [String: Topology] = [:]
    var shutdownRequested = false
    /// The client registers file watchers on request (`initialize`'s capabilities).
    var clientWatchesFiles = false
    /// Set by `exit`: the process exit code.
    public private(set) var exitCode: Int32? = nil
    /// Notifications produced while handling a message (published diagnostics), sent after it.
    var outbox: [Data] = []
    let methods: DispatchTable

    public init() {
        var t = DispatchTable()
        // lifecycle
        t.request("initialize", LanguageServer.initialize)
        t.request("shutdown", LanguageServer.shutdown)
        t.notification("exit", LanguageServer.exit)
        t.notification("initialized", LanguageServer.initialized)
        for method in ["$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration"] { t.ignore(method) }
        // document synchronization → diagnostics
        t.notification("textDocument/didOpen", LanguageServer.didOpen)
        t.notification("textDocument/didChange", LanguageServer.didChange)
        t.notification("textDocument/didSave", LanguageServer.didSave)
        t.notification("textDocument/didClose", LanguageServer.didClose)
        // features
        t.request("textDocument/completion", LanguageServer.completion)
        t.request("textDocument/hover", LanguageServer.hover)
        t.request("textDocument/definition", LanguageServer.definition)
        t.request("textDocument/references", LanguageServer.references)
        t.request("textDocument/rename", LanguageServer.rename)
        t.request("textDocument/documentSymbol", LanguageServer.documentSymbols)
        t.request("textDocument/formatting", LanguageServer.formatting)
        t.request("textDocument/codeAction", LanguageServer.codeActions)
        t.request("textDocument/inlayHint", LanguageServer.inlayHints)
        t.request("textDocument/semanticTokens/full", LanguageServer.semanticTokens)
        t.request("textDocument/signatureHelp", LanguageServer.signatureHelp)
        t.request("textDocument/documentHighlight", LanguageServer.documentHighlight)
        t.request("textDocument/foldingRange", LanguageServer.foldingRanges)
        t.request("workspace/symbol", LanguageServer.workspaceSymbols)
        t.request("textDocument/prepareRename", LanguageServer.prepareRename)
        t.notification("workspace/didChangeWatchedFiles", LanguageServer.didChangeWatchedFiles)
        methods = t
    }

    // MARK: - Messages

    /// Handles one JSON-RPC message; returns the messages to send (responses, notifications).
    public func handle(_ body: Data) -> [Data] {
        guard let header = try? JSONDecoder().decode(MessageHeader.self, from: body) else {
            let e = ResponseError(code: .parseError, message: "parse error: the message is not a JSON object")
            return [JSONCoding.encode(ResponseMessage<NullResult>(id: .null, error: e))]
        }
        guard let method = header.method else { return [] }  // a response to us: we send no requests
        outbox = []
        defer { outbox = [] }
        switch methods[method] {
        case .request(let handler)?:
            let response = handler(self, body, header.id)
            return outbox + (response.map { [$0] } ?? [])
        case .notification(let handler)?:
            handler(self, body)
            return outbox
        case nil:
            guard let id = header.id else { return [] }  // an unknown notification is ignored
            let e = ResponseError(code: .methodNotFound, message: "method not found: \(method)")
            return [JSONCoding.encode(ResponseMessage<NullResult>(id: id, error: e))]
        }
    }

    /// Queues a notification to the client.
    func notify<P: Encodable>(_ method: String, _ params: P) {
        outbox.append(JSONCoding.encode(NotificationMessage(method: method, params: params)))
    }

    // MARK: - Lifecycle

    static let capabilities = LSP.ServerCapabilities(
        textDocumentSync: LSP.TextDocumentSyncOptions(openClose: true, change: .incremental, save: LSP.SaveOptions(includeText: true)),
        documentFormattingProvider: true,
        definitionProvider: true,
        hoverProvider: true,
        codeActionProvider: true,
        documentSymbolProvider: true,
        referencesProvider: true,
        renameProvider: LSP.RenameOptions(prepareProvider: true),
        completionProvider: LSP.CompletionOptions(triggerCharacters: ["."]),
        inlayHintProvider: true,
        semanticTokensProvider: LSP.SemanticTokensOptions(
            legend: LSP.SemanticTokensLegend(tokenTypes: SemanticCategory.legend.map(\.rawValue), tokenModifiers: []), full: true),
        signatureHelpProvider: LSP.SignatureHelpOptions(triggerCharacters: ["(", ","], retriggerCharacters: nil),
        documentHighlightProvider: true,
        foldingRangeProvider: true,
        workspaceSymbolProvider: true)

    func initialize(_ p: LSP.InitializeParams) -> LSP.InitializeResult {
        clientWatchesFiles = p.watchedFilesDynamicRegistration
        return LSP.InitializeResult(capabilities: LanguageServer.capabilities,
                             serverInfo: LSP.ServerInfo(name: "wukongc", version: WukongVersion.string))
    }

    /// Asks a client that can to send `workspace/didChangeWatchedFiles` for `.wk` files (the
    /// folder listings are cached until then; files created outside the editor join a topology).
    func initialized(_: IgnoredParams) {
        guard clientWatchesFiles else { return }
        let watcher = LSP.Registration(id: "wukong-watch-wk", method: "workspace/didChangeWatchedFiles",
                                       registerOptions: LSP.DidChangeWatchedFilesRegistrationOptions(watchers: [LSP.FileSystemWatcher(globPattern: "**/*.wk")]))
        outbox.append(JSONCoding.encode(RequestMessage(id: .string("wukong-register-1"), method: "client/registerCapability",
                                                       params: LSP.RegistrationParams(registrations: [watcher]))))
    }

    func shutdown(_: IgnoredParams) -> NullResult {
        shutdownRequested = true
        return NullResult()
    }

    func exit(_: IgnoredParams) {
        exitCode = shutdownRequested ? 0 : 1
    }
}
