import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongFormat
import WukongIR
import WukongSema
import WukongSyntax

/// `wukongc lsp` (LANGUAGE.md §8): a Language Server Protocol server for editors.
///
/// It keeps the open documents in memory and, on every open/change/save, checks the topology
/// the document belongs to — with the editor's unsaved text — and publishes the diagnostics of
/// every file of that topology (an empty list clears a file that became clean). It formats
/// documents (`wukongc fmt`) and answers "go to definition" for top-level names.
///
/// Which files form a topology: a document alone, unless its directory holds several `.wk`
/// files with at most one `topology` declaration between them — then the directory (walked
/// recursively, as `wukongc check DIR`) is one topology. (A folder of independent examples,
/// each with its own `topology`, is checked file by file.)
///
/// Transport-free: `handle` takes one message body and returns the bodies to send back; the
/// CLI frames them (`Content-Length`) on stdio. Positions are converted to the UTF-16 code
/// units LSP counts in.
public final class LanguageServer {
    struct Document {
        var text: String
        var version: Int
    }

    var documents: [String: Document] = [:]  // by URI
    /// URIs that got a non-empty diagnostic list, per topology root (to clear them later).
    var published: [String: Set<String>] = [:]
    /// Per URI, the published diagnostics that carry fix-its, with their edits (code actions).
    var fixes: [String: [(diagnostic: [String: Any], edits: [[String: Any]])]] = [:]
    /// Per topology root, the IR of its last compilation without errors (hover shows resolved
    /// NIC addresses and MACs from it).
    var resolved: [String: Topology] = [:]
    var shutdownRequested = false
    /// Set by `exit`: the process exit code.
    public private(set) var exitCode: Int32? = nil

    public init() {}

    // MARK: - Messages

    /// Handles one JSON-RPC message; returns the messages to send (responses, notifications).
    public func handle(_ body: Data) -> [Data] {
        guard let obj = try? JSONSerialization.jsonObject(with: body), let msg = obj as? [String: Any] else {
            return [encode(["jsonrpc": "2.0", "id": NSNull(),
                            "error": ["code": -32700, "message": "parse error: the message is not a JSON object"]])]
        }
        let method = msg["method"] as? String
        let id = msg["id"]
        let params = msg["params"] as? [String: Any] ?? [:]
        guard let method else { return [] }  // a response to us: we send no requests
        var out: [[String: Any]] = []
        func respond(_ result: Any) { if let id { out.append(["jsonrpc": "2.0", "id": id, "result": result]) } }
        func fail(_ code: Int, _ message: String) {
            if let id { out.append(["jsonrpc": "2.0", "id": id, "error": ["code": code, "message": message]]) }
        }
        switch method {
        case "initialize":
            respond([
                "capabilities": [
                    "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": true]],
                    "documentFormattingProvider": true,
                    "definitionProvider": true,
                    "hoverProvider": true,
                    "codeActionProvider": true,
                    "documentSymbolProvider": true,
                    "referencesProvider": true,
                    "renameProvider": true,
                    "completionProvider": ["triggerCharacters": ["."]],
                ],
                "serverInfo": ["name": "wukongc", "version": WukongVersion.string],
            ])
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
            break
        case "shutdown":
            shutdownRequested = true
            respond(NSNull())
        case "exit":
            exitCode = shutdownRequested ? 0 : 1
        case "textDocument/didOpen":
            if let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String, let text = doc["text"] as? String {
                documents[uri] = Document(text: text, version: doc["version"] as? Int ?? 0)
                out += diagnose(uri)
            }
        case "textDocument/didChange":
            if let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String,
               let changes = params["contentChanges"] as? [[String: Any]], let text = changes.last?["text"] as? String {
                documents[uri] = Document(text: text, version: doc["version"] as? Int ?? 0)
                out += diagnose(uri)
            }
        case "textDocument/didSave":
            if let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String {
                if let text = params["text"] as? String { documents[uri]?.text = text }
                out += diagnose(uri)
            }
        case "textDocument/didClose":
            if let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String {
                documents[uri] = nil
                // its diagnostics stay meaningful only while it is open (or part of an open topology)
                out.append(publish(uri, []))
                for key in published.keys { published[key]?.remove(uri) }
            }
        case "textDocument/formatting":
            guard let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String,
                  let text = documents[uri]?.text else { fail(-32602, "unknown document"); break }
            respond(formattingEdits(text))
        case "textDocument/completion":
            guard let (uri, line, character) = LanguageServer.textPosition(params) else { fail(-32602, "invalid params"); break }
            respond(completions(uri: uri, line: line, character: character))
        case "textDocument/hover":
            guard let (uri, line, character) = LanguageServer.textPosition(params) else { fail(-32602, "invalid params"); break }
            respond(hover(uri: uri, line: line, character: character) ?? NSNull())
        case "textDocument/codeAction":
            guard let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String,
                  let range = params["range"] as? [String: Any] else { fail(-32602, "invalid params"); break }
            respond(codeActions(uri: uri, range: range))
        case "textDocument/references", "textDocument/rename":
            guard let (uri, line, character) = LanguageServer.textPosition(params) else { fail(-32602, "invalid params"); break }
            guard let target = nameAt(uri: uri, line: line, character: character),
                  let decl = declarations(uri: uri).first(where: { $0.name == target }) else {
                if method == "textDocument/rename" { fail(-32602, "no declared name here") } else { respond([Any]()) }
                break
            }
            let found = occurrences(of: target, uri: uri)
            if method == "textDocument/references" {
                let include = (params["context"] as? [String: Any])?["includeDeclaration"] as? Bool ?? true
                respond(found.filter { include || !($0.path == decl.path && $0.span.startOffset == decl.span.startOffset) }
                    .map { ["uri": $0.uri, "range": LanguageServer.range($0.span, in: $0.source)] })
                break
            }
            guard let newName = params["newName"] as? String else { fail(-32602, "invalid params"); break }
            if decl.kind == .module { fail(-32602, "rename the module in its `import … as` instead"); break }
            guard LanguageServer.isValidName(newName) else { fail(-32602, "`\(newName)` is not a valid name"); break }
            if newName != target, declarations(uri: uri).contains(where: { $0.name == newName }) {
                fail(-32602, "`\(newName)` is already declared"); break
            }
            var changes: [String: [[String: Any]]] = [:]
            for o in found {
                changes[o.uri, default: []].append(["range": LanguageServer.range(o.span, in: o.source), "newText": newName])
            }
            respond(["changes": changes])
        case "textDocument/documentSymbol":
            guard let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String else {
                fail(-32602, "invalid params"); break
            }
            respond(symbols(uri: uri))
        case "textDocument/definition":
            guard let (uri, line, character) = LanguageServer.textPosition(params) else { fail(-32602, "invalid params"); break }
            respond(definition(uri: uri, line: line, character: character) ?? NSNull())
        default:
            if id != nil { fail(-32601, "method not found: \(method)") }
        }
        return out.map(encode)
    }

    /// The `textDocument.uri` and `position` of a request's params.
    static func textPosition(_ params: [String: Any]) -> (uri: String, line: Int, character: Int)? {
        guard let doc = params["textDocument"] as? [String: Any], let uri = doc["uri"] as? String,
              let pos = params["position"] as? [String: Any], let line = pos["line"] as? Int,
              let character = pos["character"] as? Int else { return nil }
        return (uri, line, character)
    }

    func encode(_ obj: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    // MARK: - Documents and topologies

    static func path(of uri: String) -> String? {
        guard uri.hasPrefix("file://"), let url = URL(string: uri) else { return nil }
        return url.path
    }

    static func uri(of path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    /// The text of a file: the editor's buffer when open, else the disk.
    func text(path: String) -> [UInt8]? {
        if let d = documents[LanguageServer.uri(of: path)] { return Array(d.text.utf8) }
        for (uri, d) in documents where LanguageServer.path(of: uri) == path { return Array(d.text.utf8) }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// The files of the topology `uri` belongs to, and its default name.
    func topology(of uri: String) -> (root: String, files: [InputFile], name: String) {
        guard let path = LanguageServer.path(of: uri) else {
            let text = documents[uri]?.text ?? ""
            return (uri, [InputFile(path: uri, text: text)], "untitled")
        }
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let single = (path, [InputFile(path: path, bytes: text(path: path) ?? [])], name)
        let dir = url.deletingLastPathComponent().path
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return single }
        var rels: [String] = []
        var visited = 0
        while let rel = walker.nextObject() as? String {
            // a folder that is not a topology (a home directory, /tmp): give up early
            visited += 1
            if visited > 5000 || rels.count > 2000 { return single }
            if rel.hasSuffix(".wk") { rels.append(rel) }
        }
        guard rels.count > 1 else { return single }
        rels.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var files: [InputFile] = []
        var topologies = 0
        for rel in rels {
            let full = dir + "/" + rel
            guard let bytes = text(path: full) else { continue }
            topologies += LanguageServer.topologyDeclarations(bytes)
            if topologies > 1 { return single }
            files.append(InputFile(path: full, bytes: bytes))
        }
        return (dir, files, url.deletingLastPathComponent().lastPathComponent)
    }

    /// `topology` keywords that start a declaration (tokens, so comments and strings don't count).
    static func topologyDeclarations(_ bytes: [UInt8]) -> Int {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        var n = 0
        var previous: TokenKind? = nil
        for t in lexed.tokens {
            if t.kind == .kwTopology && previous != .dot && (t.newlineBefore || previous == nil) { n += 1 }
            previous = t.kind
        }
        return n
    }

    /// Checks the topology of `uri` and publishes the diagnostics of each of its files.
    func diagnose(_ uri: String) -> [[String: Any]] {
        let (root, files, name) = topology(of: uri)
        let c = Driver.compile(files: files, defaultName: name)
        if let ir = c.topology { resolved[root] = ir }
        var byFile: [String: [[String: Any]]] = [:]
        var newFixes: [String: [(diagnostic: [String: Any], edits: [[String: Any]])]] = [:]
        for f in files { byFile[LanguageServer.path(of: uri) == nil ? uri : LanguageServer.uri(of: f.path)] = [] }
        for d in c.diagnostics {
            guard let file = c.sources[d.span.file], files.contains(where: { $0.path == file.path }) else {
                // a diagnostic inside the standard library: shown at the top of the document
                byFile[uri, default: []].append(lspDiagnostic(d, sources: c.sources, at: nil))
                continue
            }
            let target = LanguageServer.path(of: uri) == nil ? uri : LanguageServer.uri(of: file.path)
            let lsp = lspDiagnostic(d, sources: c.sources, at: file)
            byFile[target, default: []].append(lsp)
            let edits: [[String: Any]] = d.fixIts.compactMap { fx in
                guard fx.span.file == d.span.file else { return nil }
                return ["range": LanguageServer.range(fx.span, in: file), "newText": fx.replacement]
            }
            if !edits.isEmpty { newFixes[target, default: []].append((lsp, edits)) }
        }
        for f in files { fixes[LanguageServer.path(of: uri) == nil ? uri : LanguageServer.uri(of: f.path)] = nil }
        for (target, list) in newFixes { fixes[target] = list }
        var out: [[String: Any]] = []
        var now = Set<String>()
        for (target, ds) in byFile.sorted(by: { $0.key < $1.key }) {
            if !ds.isEmpty { now.insert(target) }
            if ds.isEmpty && !(published[root]?.contains(target) ?? false) && target != uri { continue }
            out.append(publish(target, ds))
        }
        published[root] = now
        return out
    }

    func publish(_ uri: String, _ diagnostics: [[String: Any]]) -> [String: Any] {
        var params: [String: Any] = ["uri": uri, "diagnostics": diagnostics]
        if let v = documents[uri]?.version { params["version"] = v }
        return ["jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params]
    }

    func lspDiagnostic(_ d: Diagnostic, sources: SourceMap, at file: SourceFile?) -> [String: Any] {
        let severity: Int
        switch d.severity {
        case .error: severity = 1
        case .warning: severity = 2
        case .note: severity = 3
        }
        var message = d.message
        if let h = d.help { message += "\nhelp: " + h }
        var out: [String: Any] = [
            "range": file.map { LanguageServer.range(d.span, in: $0) } ?? LanguageServer.zeroRange,
            "severity": severity, "code": d.code.rawValue, "source": "wukongc", "message": message,
        ]
        let related: [[String: Any]] = d.notes.compactMap { n in
            guard let f = sources[n.span.file] else { return nil }
            let uri = f.path.hasPrefix("/") ? LanguageServer.uri(of: f.path) : f.path
            return ["location": ["uri": uri, "range": LanguageServer.range(n.span, in: f)], "message": n.message]
        }
        if !related.isEmpty { out["relatedInformation"] = related }
        return out
    }

    static var zeroRange: [String: Any] { ["start": ["line": 0, "character": 0], "end": ["line": 0, "character": 0]] }

    /// A span as an LSP range: 0-based lines, UTF-16 code units.
    static func range(_ span: Span, in file: SourceFile) -> [String: Any] {
        ["start": position(span.startOffset, in: file), "end": position(max(span.startOffset, span.endOffset), in: file)]
    }

    static func position(_ offset: Int, in file: SourceFile) -> [String: Any] {
        let loc = file.location(of: offset)
        let lineStart = file.lineStarts[loc.line - 1]
        let end = max(lineStart, min(loc.offset, file.bytes.count))
        let units = String(decoding: file.bytes[lineStart..<end], as: UTF8.self).utf16.count
        return ["line": loc.line - 1, "character": units]
    }

    /// The byte offset of an LSP position in `text`.
    static func offset(line: Int, character: Int, in bytes: [UInt8]) -> Int {
        var l = 0, i = 0
        while l < line, i < bytes.count { if bytes[i] == 0x0A { l += 1 }; i += 1 }
        var units = 0
        while i < bytes.count, bytes[i] != 0x0A, units < character {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            units += len == 4 ? 2 : 1
            i += len
        }
        return min(i, bytes.count)
    }

    // MARK: - Code actions

    /// Quick fixes: one per fix-it of a diagnostic overlapping the range (`did you mean`
    /// replacements, a network address for a CIDR with host bits, a missing `=` …).
    func codeActions(uri: String, range: [String: Any]) -> [[String: Any]] {
        func point(_ p: Any?) -> (Int, Int) {
            let d = p as? [String: Any]
            return (d?["line"] as? Int ?? 0, d?["character"] as? Int ?? 0)
        }
        let (rs, re) = (point(range["start"]), point(range["end"]))
        var out: [[String: Any]] = []
        for (diagnostic, edits) in fixes[uri] ?? [] {
            let r = diagnostic["range"] as? [String: Any] ?? [:]
            let (ds, de) = (point(r["start"]), point(r["end"]))
            guard !(de < rs) && !(re < ds) else { continue }
            for edit in edits {
                let text = (edit["newText"] as? String ?? "").trimmingCharacters(in: .whitespaces)
                let er = edit["range"] as? [String: Any] ?? [:]
                let insertion = point(er["start"]) == point(er["end"])
                out.append(["title": insertion ? "Insert `\(text)`" : "Replace with `\(text)`", "kind": "quickfix",
                            "diagnostics": [diagnostic], "isPreferred": edits.count == 1,
                            "edit": ["changes": [uri: [edit]]]])
            }
        }
        return out
    }

    // MARK: - Formatting

    func formattingEdits(_ text: String) -> [[String: Any]] {
        let f = Driver.format(InputFile(path: "buffer.wk", text: text))
        guard let formatted = f.formatted, formatted != text else { return [] }
        let bytes = Array(text.utf8)
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        let end = LanguageServer.position(bytes.count, in: file)
        return [["range": ["start": ["line": 0, "character": 0], "end": end], "newText": formatted]]
    }

    // MARK: - Definition

    /// The declaration of the top-level name under the cursor (a resource, `let`, `fn`, a host
    /// NIC or an import), in the files of the document's topology.
    func definition(uri: String, line: Int, character: Int) -> [String: Any]? {
        guard let text = documents[uri]?.text else { return nil }
        let bytes = Array(text.utf8)
        let offset = LanguageServer.offset(line: line, character: character, in: bytes)
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        guard let token = lexed.tokens.first(where: { $0.startOffset <= offset && offset <= $0.endOffset && $0.kind == .identifier })
        else { return nil }
        // `x.name` is a member, not a top-level name
        if let i = lexed.tokens.firstIndex(of: token), i > 0, lexed.tokens[i - 1].kind == .dot { return nil }
        let name = lexed.text(of: token)
        guard let d = declarations(uri: uri).first(where: { $0.name == name }) else { return nil }
        return location(of: d, from: uri)
    }

    /// Where a declaration is, as an LSP location (in the editor's buffer when it is open).
    func location(of d: Declared, from uri: String) -> [String: Any] {
        let isFile = LanguageServer.path(of: uri) != nil
        let bytes = (isFile ? text(path: d.path) : documents[uri].map { Array($0.text.utf8) }) ?? []
        let source = SourceFile(id: FileID(0), path: d.path, bytes: bytes)
        return ["uri": isFile ? LanguageServer.uri(of: d.path) : uri, "range": LanguageServer.range(d.span, in: source)]
    }
}

// MARK: - Completion and hover

extension LanguageServer {
    /// Where the cursor stands, from the tokens before it.
    struct Context {
        /// The innermost resource block around the cursor (for/if bodies take their block's).
        var block: ResourceKind?
        var parentBlock: ResourceKind?
        /// The cursor is where an attribute or declaration starts (first token of its line).
        var lineStart: Bool
        /// The name before a `.` right before the cursor (`images.` → "images").
        var memberOf: String?
        /// The partial name being typed.
        var prefix: String
    }

    func context(_ bytes: [UInt8], offset: Int) -> Context {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        var before = lexed.tokens.filter { $0.kind != .endOfFile && $0.endOffset <= offset }
        var prefix = ""
        if let last = before.last, last.endOffset == offset, last.kind == .identifier || last.kind.isKeyword {
            prefix = lexed.text(of: last)
            before.removeLast()
        }
        // blocks: a `{` whose line starts with a resource keyword opens that resource's block;
        // another `{` (for/if body) keeps the block it is in; a record literal (`= {`) has none
        var stack: [(kind: ResourceKind?, record: Bool)] = []
        var lineHead: TokenKind? = nil
        var previous: TokenKind? = nil
        for t in before {
            if t.newlineBefore || previous == nil || previous == .lBrace || previous == .comma { lineHead = t.kind }
            switch t.kind {
            case .lBrace:
                if previous == .assign || previous == .lBracket || previous == .comma && stack.last?.record == true
                    || previous == .lParen || previous == .colon {
                    stack.append((nil, true))
                } else if let head = lineHead, let kind = head.resourceKind {
                    stack.append((kind, false))
                } else {
                    stack.append((stack.last(where: { !$0.record })?.kind, stack.last?.record ?? false))
                }
            case .rBrace, .interpolationEnd:
                if t.kind == .rBrace { _ = stack.popLast() }
            default: break
            }
            previous = t.kind
        }
        let blocks = stack.filter { !$0.record }.compactMap(\.kind)
        var ctx = Context(block: stack.last?.record == true ? nil : blocks.last,
                          parentBlock: blocks.count >= 2 ? blocks[blocks.count - 2] : nil,
                          lineStart: false, memberOf: nil, prefix: prefix)
        if let last = before.last {
            if last.kind == .dot, last.endOffset == offset - prefix.utf8.count, before.count >= 2 {
                let base = before[before.count - 2]
                if base.kind == .identifier || base.kind.isKeyword { ctx.memberOf = lexed.text(of: base) }
            }
            // the first token of a line, or right after `{` / `,` of a block
            let start = prefix.isEmpty ? offset : offset - prefix.utf8.count
            var p = start
            var onlySpace = true
            while p > 0, bytes[p - 1] != 0x0A {
                if bytes[p - 1] != 0x20 && bytes[p - 1] != 0x09 { onlySpace = false; break }
                p -= 1
            }
            ctx.lineStart = onlySpace || last.kind == .lBrace || (last.kind == .comma && stack.last?.record == false)
        } else {
            ctx.lineStart = true
        }
        return ctx
    }

    static let resourceKeywords: [String] = ["topology", "host", "nic", "vlan", "bond", "bridge", "ovs-bridge", "network", "vm"]
    static let statementKeywords: [String] = ["let", "fn", "for", "if", "assert", "import"]
    static let valueKeywords: [String] = ["true", "false", "auto", "dhcp", "pod", "if"]

    func completions(uri: String, line: Int, character: Int) -> [String: Any] {
        guard let text = documents[uri]?.text else { return ["isIncomplete": false, "items": []] }
        let bytes = Array(text.utf8)
        let offset = LanguageServer.offset(line: line, character: character, in: bytes)
        let ctx = context(bytes, offset: offset)
        var items: [[String: Any]] = []
        func add(_ label: String, kind: Int, detail: String? = nil) {
            guard ctx.prefix.isEmpty || label.hasPrefix(ctx.prefix) else { return }
            var item: [String: Any] = ["label": label, "kind": kind]
            if let detail { item["detail"] = detail }
            items.append(item)
        }
        let declared = declarations(uri: uri)
        if let base = ctx.memberOf {
            // a module's definitions, or a resource's members
            let modules = LanguageFacts.stdlibModules
            if base == "std" {
                for m in modules { add(m.name, kind: 9, detail: "std.\(m.name)") }
            } else if let imported = declared.first(where: { $0.name == base && $0.kind == .module }),
               let m = modules.first(where: { $0.name == imported.module }) {
                for d in m.definitions { add(d, kind: 6, detail: "std.\(m.name)") }
            } else if let r = declared.first(where: { $0.name == base }), let kind = r.resource {
                add("name", kind: 10, detail: "String")
                for a in LanguageFacts.attributes(of: kind) { add(a.name, kind: 10, detail: a.type) }
            }
            return ["isIncomplete": false, "items": items]
        }
        if ctx.lineStart, let block = ctx.block {
            for a in LanguageFacts.attributes(of: block, nestedIn: ctx.parentBlock) {
                add(a.name, kind: 10, detail: a.type + (a.required ? " (required)" : ""))
            }
            for c in LanguageFacts.children(of: block) { add(c.rawValue, kind: 14) }
            for k in ["let", "for", "if", "assert"] { add(k, kind: 14) }
            return ["isIncomplete": false, "items": items]
        }
        if ctx.lineStart {
            for k in LanguageServer.resourceKeywords + LanguageServer.statementKeywords { add(k, kind: 14) }
            return ["isIncomplete": false, "items": items]
        }
        for d in declared {
            add(d.name, kind: d.kind == .function ? 3 : d.kind == .module ? 9 : 6, detail: d.detail)
        }
        for f in LanguageFacts.builtinFunctions { add(f, kind: 3, detail: "built-in") }
        for k in LanguageServer.valueKeywords { add(k, kind: 14) }
        return ["isIncomplete": false, "items": items]
    }

    struct Declared {
        enum Kind { case resource, value, function, module }
        var name: String
        var kind: Kind
        var resource: ResourceKind?
        var module: String?
        var detail: String
        var span: Span
        var path: String
        /// The whole declaration (a block with its body).
        var extent: Span? = nil
    }

    /// The top-level names of the document's topology, with what they are.
    func declarations(uri: String) -> [Declared] {
        let (_, files, _) = topology(of: uri)
        var out: [Declared] = []
        for f in files {
            let (tree, _) = Parser.parse(SourceFile(id: FileID(0), path: f.path, bytes: f.bytes))
            for item in tree.items {
                switch item.kind {
                case .resource(let r):
                    if case .identifier(let id)? = r.name, r.kind != .user {
                        out.append(Declared(name: id.name, kind: .resource, resource: r.kind, detail: r.kind.rawValue, span: id.span, path: f.path,
                                            extent: item.span))
                    }
                    if r.kind == .host, let body = r.body {
                        for inner in body.items {
                            if case .resource(let n) = inner.kind, n.kind == .nic, case .identifier(let id)? = n.name {
                                out.append(Declared(name: id.name, kind: .resource, resource: .nic, detail: "nic", span: id.span, path: f.path,
                                                    extent: inner.span))
                            }
                        }
                    }
                case .letDecl(let id, _, _):
                    out.append(Declared(name: id.name, kind: .value, detail: "let", span: id.span, path: f.path, extent: item.span))
                case .fnDecl(let d):
                    out.append(Declared(name: d.name.name, kind: .function, detail: "fn", span: d.name.span, path: f.path, extent: item.span))
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
    func nameAt(uri: String, line: Int, character: Int) -> String? {
        guard let text = documents[uri]?.text else { return nil }
        let bytes = Array(text.utf8)
        let offset = LanguageServer.offset(line: line, character: character, in: bytes)
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        guard let i = lexed.tokens.firstIndex(where: { $0.startOffset <= offset && offset <= $0.endOffset && $0.kind == .identifier })
        else { return nil }
        if i > 0, lexed.tokens[i - 1].kind == .dot { return nil }
        return lexed.text(of: lexed.tokens[i])
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
        let (_, files, _) = topology(of: uri)
        let isFile = LanguageServer.path(of: uri) != nil
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
                out.append(Occurrence(uri: isFile ? LanguageServer.uri(of: f.path) : uri, path: f.path,
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

    /// The outline of a document: its top-level declarations (host NICs under their host's level).
    func symbols(uri: String) -> [[String: Any]] {
        guard let buffer = documents[uri]?.text else { return [] }
        let source = SourceFile(id: FileID(0), path: "", bytes: Array(buffer.utf8))
        let path = LanguageServer.path(of: uri) ?? uri
        return declarations(uri: uri).filter { $0.path == path || LanguageServer.path(of: uri) == nil }.map { d in
            let kind: Int
            switch d.kind {
            case .resource: kind = d.resource == .topology ? 3 : 23
            case .value: kind = 13
            case .function: kind = 12
            case .module: kind = 2
            }
            return ["name": d.name, "detail": d.detail, "kind": kind,
                    "range": LanguageServer.range(d.extent ?? d.span, in: source),
                    "selectionRange": LanguageServer.range(d.span, in: source)]
        }
    }

    /// Hover: for a top-level name, what it is and the line that declares it; for an attribute
    /// name, its type.
    func hover(uri: String, line: Int, character: Int) -> [String: Any]? {
        guard let buffer = documents[uri]?.text else { return nil }
        let bytes = Array(buffer.utf8)
        let offset = LanguageServer.offset(line: line, character: character, in: bytes)
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        guard let i = lexed.tokens.firstIndex(where: {
            $0.startOffset <= offset && offset < max($0.endOffset, $0.startOffset + 1) && ($0.kind == .identifier || $0.kind.isKeyword)
        }) else { return nil }
        let token = lexed.tokens[i]
        let name = lexed.text(of: token)
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        let range = LanguageServer.range(Span(file: FileID(0), start: token.startOffset, end: token.endOffset), in: file)
        // an attribute: `name =` at the start of a line inside a block
        if i + 1 < lexed.tokens.count, lexed.tokens[i + 1].kind == .assign {
            let ctx = context(bytes, offset: token.startOffset)
            if let block = ctx.block, let a = LanguageFacts.attributes(of: block, nestedIn: ctx.parentBlock).first(where: { $0.name == name }) {
                var value = "`\(name)`: \(a.type)" + (a.required ? " (required)" : "")
                if let allowed = a.allowed { value += " — one of " + allowed.map { "`\"\($0)\"`" }.joined(separator: ", ") }
                return ["contents": ["kind": "markdown", "value": value], "range": range]
            }
        }
        guard token.kind == .identifier, i == 0 || lexed.tokens[i - 1].kind != .dot,
              let d = declarations(uri: uri).first(where: { $0.name == name }) else { return nil }
        let declaringText = SourceFile(id: FileID(0), path: d.path, bytes: text(path: d.path) ?? Array(buffer.utf8))
        let lineText = declaringText.lineText(declaringText.location(of: d.span.startOffset).line)
            .trimmingCharacters(in: .whitespaces)
        var value = "\(d.detail) `\(name)`\n\n```wukong\n\(lineText)\n```"
        if d.resource == .vm, let vm = resolved[topology(of: uri).root]?.vms.first(where: { $0.name == name }) {
            // what the compiler decided: addresses (`auto` included) and derived MACs
            value += "\n\nNICs (last successful check):"
            for nic in vm.nics {
                let address: String
                switch nic.address {
                case .dhcp: address = "DHCP"
                case .static(let a): address = "`\(a)`"
                }
                value += "\n- `\(nic.name)` on `\(nic.network ?? "pod")`: \(address), MAC `\(nic.mac)`"
            }
        }
        return ["contents": ["kind": "markdown", "value": value], "range": range]
    }
}

/// Reads and writes LSP's framing (`Content-Length: N\r\n\r\n` + N bytes).
public enum LSPFraming {
    /// One message body from `read` (which returns up to n bytes, empty at end of input); nil at end.
    public static func readMessage(_ read: (Int) -> Data) -> Data? {
        var header = Data()
        while !(header.count >= 4 && header.suffix(4) == Data("\r\n\r\n".utf8)) {
            let b = read(1)
            if b.isEmpty { return nil }
            header.append(b)
            if header.count > 8192 { return nil }
        }
        var length = 0
        for line in String(decoding: header, as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        var body = Data()
        while body.count < length {
            let chunk = read(length - body.count)
            if chunk.isEmpty { return nil }
            body.append(chunk)
        }
        return body
    }

    public static func frame(_ body: Data) -> Data {
        Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}
