import Foundation

// The Language Server Protocol types this server reads and writes, as Codable structs under
// the `LSP` namespace (`LSP.Range` is not `Swift.Range`). Only the members the server uses are
// declared: decoding ignores the others. Member names are the protocol's (camelCase), so the
// synthesized coding keys are the JSON keys; optional members are left out when nil.

enum LSP {
    // MARK: Basic structures

    /// 0-based line and UTF-16 code unit offset.
    struct Position: Codable, Equatable, Comparable, Sendable {
        var line: Int
        var character: Int
        static func < (a: Position, b: Position) -> Bool {
            (a.line, a.character) < (b.line, b.character)
        }
    }

    struct Range: Codable, Equatable, Sendable {
        var start: Position
        var end: Position
        static let zero = Range(start: Position(line: 0, character: 0), end: Position(line: 0, character: 0))
        /// Whether the two ranges share a position (touching counts).
        func overlaps(_ other: Range) -> Bool { !(end < other.start) && !(other.end < start) }
    }

    struct Location: Codable, Equatable, Sendable {
        var uri: String
        var range: Range
    }

    struct TextEdit: Codable, Equatable, Sendable {
        var range: Range
        var newText: String
    }

    struct WorkspaceEdit: Codable, Equatable, Sendable {
        /// Edits per document URI.
        var changes: [String: [TextEdit]]
    }

    struct TextDocumentIdentifier: Codable, Equatable, Sendable {
        var uri: String
    }

    struct VersionedTextDocumentIdentifier: Codable, Equatable, Sendable {
        var uri: String
        var version: Int?
    }

    struct TextDocumentItem: Codable, Equatable, Sendable {
        var uri: String
        var languageId: String?
        var version: Int?
        var text: String
    }

    // MARK: Diagnostics

    enum DiagnosticSeverity: Int, Codable, Sendable {
        case error = 1, warning = 2, information = 3, hint = 4
    }

    struct DiagnosticRelatedInformation: Codable, Equatable, Sendable {
        var location: Location
        var message: String
    }

    struct Diagnostic: Codable, Equatable, Sendable {
        var range: Range
        var severity: DiagnosticSeverity?
        var code: String?
        var source: String?
        var message: String
        var relatedInformation: [DiagnosticRelatedInformation]?
    }

    struct PublishDiagnosticsParams: Codable, Equatable, Sendable {
        var uri: String
        var version: Int?
        var diagnostics: [Diagnostic]
    }

    // MARK: Lifecycle

    struct InitializeResult: Codable, Equatable, Sendable {
        var capabilities: ServerCapabilities
        var serverInfo: ServerInfo?
    }

    /// Of the client's capabilities only `workspace.didChangeWatchedFiles.dynamicRegistration`
    /// is read; anything else (or nothing) decodes.
    struct InitializeParams: Decodable {
        var watchedFilesDynamicRegistration = false
        private struct Capabilities: Decodable { var workspace: Workspace? }
        private struct Workspace: Decodable { var didChangeWatchedFiles: Watched? }
        private struct Watched: Decodable { var dynamicRegistration: Bool? }
        private enum CodingKeys: String, CodingKey { case capabilities }
        init(from decoder: Decoder) throws {
            let c = try? decoder.container(keyedBy: CodingKeys.self)
            let caps = (try? c?.decodeIfPresent(Capabilities.self, forKey: .capabilities)) ?? nil
            watchedFilesDynamicRegistration = caps?.workspace?.didChangeWatchedFiles?.dynamicRegistration ?? false
        }
    }

    struct FileSystemWatcher: Codable, Equatable, Sendable {
        var globPattern: String
    }

    struct DidChangeWatchedFilesRegistrationOptions: Codable, Equatable, Sendable {
        var watchers: [FileSystemWatcher]
    }

    struct Registration: Codable, Equatable, Sendable {
        var id: String
        var method: String
        var registerOptions: DidChangeWatchedFilesRegistrationOptions
    }

    struct RegistrationParams: Codable, Equatable, Sendable {
        var registrations: [Registration]
    }

    struct ServerInfo: Codable, Equatable, Sendable {
        var name: String
        var version: String?
    }

    enum TextDocumentSyncKind: Int, Codable, Sendable {
        case none = 0, full = 1, incremental = 2
    }

    struct SaveOptions: Codable, Equatable, Sendable {
        var includeText: Bool
    }

    struct TextDocumentSyncOptions: Codable, Equatable, Sendable {
        var openClose: Bool
        var change: TextDocumentSyncKind
        var save: SaveOptions?
    }

    struct CompletionOptions: Codable, Equatable, Sendable {
        var triggerCharacters: [String]?
    }

    struct SemanticTokensLegend: Codable, Equatable, Sendable {
        var tokenTypes: [String]
        var tokenModifiers: [String]
    }

    struct SemanticTokensOptions: Codable, Equatable, Sendable {
        var legend: SemanticTokensLegend
        var full: Bool
    }

    struct SignatureHelpOptions: Codable, Equatable, Sendable {
        var triggerCharacters: [String]?
        var retriggerCharacters: [String]?
    }

    struct RenameOptions: Codable, Equatable, Sendable {
        var prepareProvider: Bool
    }

    struct ServerCapabilities: Codable, Equatable, Sendable {
        var textDocumentSync: TextDocumentSyncOptions?
        var documentFormattingProvider: Bool?
        var definitionProvider: Bool?
        var hoverProvider: Bool?
        var codeActionProvider: Bool?
        var documentSymbolProvider: Bool?
        var referencesProvider: Bool?
        var renameProvider: RenameOptions?
        var completionProvider: CompletionOptions?
        var inlayHintProvider: Bool?
        var semanticTokensProvider: SemanticTokensOptions?
        var signatureHelpProvider: SignatureHelpOptions?
        var documentHighlightProvider: Bool?
        var foldingRangeProvider: Bool?
        var workspaceSymbolProvider: Bool?
    }

    // MARK: Document synchronization params

    struct DidOpenTextDocumentParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentItem
    }

    struct TextDocumentContentChangeEvent: Codable, Equatable, Sendable {
        /// Incremental sync: the replaced range (UTF-16 positions); nil for the whole text.
        var range: Range?
        var text: String
    }

    struct DidChangeTextDocumentParams: Codable, Equatable, Sendable {
        var textDocument: VersionedTextDocumentIdentifier
        var contentChanges: [TextDocumentContentChangeEvent]
    }

    struct DidSaveTextDocumentParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
        var text: String?
    }

    struct DidCloseTextDocumentParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
    }

    struct FileEvent: Codable, Equatable, Sendable {
        var uri: String
        /// 1 created, 2 changed, 3 deleted.
        var type: Int
    }

    struct DidChangeWatchedFilesParams: Codable, Equatable, Sendable {
        var changes: [FileEvent]
    }

    // MARK: Request params

    /// Completion, hover, definition.
    struct TextDocumentPositionParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
        var position: Position
    }

    struct ReferenceContext: Codable, Equatable, Sendable {
        var includeDeclaration: Bool
    }

    struct ReferenceParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
        var position: Position
        var context: ReferenceContext?
    }

    struct RenameParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
        var position: Position
        var newName: String
    }

    /// `options` (tab size, spaces) are not read: the format is the language's.
    struct DocumentFormattingParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
    }

    struct DocumentSymbolParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
    }

    struct CodeActionContext: Codable, Equatable, Sendable {
        /// The client's diagnostics at the range (the server matches its own by range and code).
        var diagnostics: [Diagnostic]?
    }

    struct CodeActionParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
        var range: Range
        var context: CodeActionContext?
    }

    /// Inlay hints, semantic tokens, folding ranges (`range` of an inlay request is not read:
    /// a document's hints are few).
    struct TextDocumentParams: Codable, Equatable, Sendable {
        var textDocument: TextDocumentIdentifier
    }

    struct WorkspaceSymbolParams: Codable, Equatable, Sendable {
        var query: String
    }

    // MARK: Results

    enum CompletionItemKind: Int, Codable, Sendable {
        case text = 1, method, function, constructor, field, variable, `class`, interface, module, property
        case unit, value, `enum`, keyword, snippet, color, file, reference, folder, enumMember
        case constant, `struct`, event, `operator`, typeParameter
    }

    struct CompletionItem: Codable, Equatable, Sendable {
        var label: String
        var kind: CompletionItemKind?
        var detail: String?
        /// Longer text (a `kubevirt { }` field's schema description).
        var documentation: MarkupContent? = nil
        /// Replaces the whole word at the cursor (dashes included: `br-l|ab` → `br-lab`).
        var textEdit: TextEdit?
        /// The word the client filters by (the label; clients would otherwise stop at `-`).
        var filterText: String?
    }

    struct CompletionList: Codable, Equatable, Sendable {
        var isIncomplete: Bool
        var items: [CompletionItem]
    }

    struct MarkupContent: Codable, Equatable, Sendable {
        /// "plaintext" or "markdown".
        var kind: String
        var value: String
        static func markdown(_ value: String) -> MarkupContent { MarkupContent(kind: "markdown", value: value) }
    }

    struct Hover: Codable, Equatable, Sendable {
        var contents: MarkupContent
        var range: Range?
    }

    enum SymbolKind: Int, Codable, Sendable {
        case file = 1, module, namespace, package, `class`, method, property, field, constructor, `enum`
        case interface, function, variable, constant, string, number, boolean, array, object, key
        case null, enumMember, `struct`, event, `operator`, typeParameter
    }

    struct DocumentSymbol: Codable, Equatable, Sendable {
        var name: String
        var detail: String?
        var kind: SymbolKind
        var range: Range
        var selectionRange: Range
        var children: [DocumentSymbol]?
    }

    struct InlayHint: Codable, Equatable, Sendable {
        var position: Position
        var label: String
        /// 1 type, 2 parameter.
        var kind: Int?
        var tooltip: String?
        var paddingLeft: Bool?
        var paddingRight: Bool?
    }

    struct SemanticTokens: Codable, Equatable, Sendable {
        /// Five integers per token: Δline, Δstart (UTF-16), length, type index, modifier bits.
        var data: [Int]
    }

    struct ParameterInformation: Codable, Equatable, Sendable {
        /// UTF-16 [start, end) of the parameter in the signature's label.
        var label: [Int]
    }

    struct SignatureInformation: Codable, Equatable, Sendable {
        var label: String
        var documentation: MarkupContent?
        var parameters: [ParameterInformation]
    }

    struct SignatureHelp: Codable, Equatable, Sendable {
        var signatures: [SignatureInformation]
        var activeSignature: Int
        var activeParameter: Int
    }

    enum DocumentHighlightKind: Int, Codable, Sendable {
        case text = 1, read, write
    }

    struct DocumentHighlight: Codable, Equatable, Sendable {
        var range: Range
        var kind: DocumentHighlightKind?
    }

    struct FoldingRange: Codable, Equatable, Sendable {
        var startLine: Int
        var endLine: Int
        /// "comment", "imports", "region"; nil for code.
        var kind: String?
    }

    struct SymbolInformation: Codable, Equatable, Sendable {
        var name: String
        var kind: SymbolKind
        var location: Location
        var containerName: String?
    }

    struct PrepareRenameResult: Codable, Equatable, Sendable {
        var range: Range
        var placeholder: String
    }

    struct CodeAction: Codable, Equatable, Sendable {
        var title: String
        /// "quickfix", …
        var kind: String?
        var diagnostics: [Diagnostic]?
        var isPreferred: Bool?
        var edit: WorkspaceEdit?
    }
}
