import WukongCompiler
import WukongDiagnostics
import WukongIR
import WukongSema
import WukongSyntax

// Features that read a document's tokens, tree or last compilation without a site of their own:
// - inlay hints (`textDocument/inlayHint`): after `auto` the address the compiler allocated, and
//   after a VM NIC's name its derived MAC — read from the compiled IR (never recomputed), and only
//   when the compilation is of the buffer's current text (stale spans would misplace them);
// - semantic tokens (`textDocument/semanticTokens/full`): each lexer token's category
//   (`SemanticCategory`, the legend), comments included;
// - signature help (`textDocument/signatureHelp`) of `fn`s, built-in functions (`BuiltinTable`) and
//   built-in methods (`MemberTable`) on a receiver whose type `Receivers.swift` names (`subnet.host(`);
// - document highlight: the top-level name's occurrences in the document (declaration = write);
// - folding ranges: multi-line blocks, expressions and comments, runs of imports;
// - workspace symbols: the declarations of the open documents' topologies;
// - prepareRename: the name's range, or an error where rename would refuse.

/// The semantic-token category of a lexer token kind — the legend is these categories, so a
/// token kind added to the lexer must be given one here (the switch is exhaustive).
enum SemanticCategory: String, CaseIterable {
    case keyword, variable, property, function, number, string, `operator`, comment

    init?(_ kind: TokenKind) {
        switch kind {
        case .endOfFile, .invalid, .badLiteral, .interpolationStart, .interpolationEnd: return nil
        case .identifier: self = .variable
        case .kwImport, .kwTopology, .kwHost, .kwNic, .kwVlan, .kwBond, .kwBridge, .kwOvsBridge, .kwNetwork, .kwVm, .kwUser,
             .kwOn, .kwLet, .kwFn, .kwFor, .kwIn, .kwIf, .kwElse, .kwAssert, .kwTrue, .kwFalse, .kwAuto, .kwDhcp, .kwPod:
            self = .keyword
        case .integer, .quantity, .ipv4, .ipv4Prefix: self = .number
        case .stringStart, .stringText, .stringEnd: self = .string
        case .lBrace, .rBrace, .lBracket, .rBracket, .lParen, .rParen, .comma, .dot, .colon: return nil
        case .assign, .arrow, .ellipsis, .dotDot, .dotDotEqual, .equalEqual, .notEqual, .less, .lessEqual, .greater,
             .greaterEqual, .plus, .minus, .star, .slash, .percent, .ampAmp, .pipePipe, .bang:
            self = .operator
        }
    }

    /// The legend: the categories the lexer's token kinds map to, then the refinements of an
    /// identifier (a member or attribute name, a called function) and comments.
    static let legend: [SemanticCategory] = {
        var out: [SemanticCategory] = []
        for k in TokenKind.allCases { if let c = SemanticCategory(k), !out.contains(c) { out.append(c) } }
        for c in SemanticCategory.allCases where !out.contains(c) { out.append(c) }
        return out
    }()
}

extension LanguageServer {
    // MARK: Inlay hints

    func inlayHints(_ p: LSP.TextDocumentParams) -> [LSP.InlayHint] {
        let uri = p.textDocument.uri
        guard let text = documents[uri]?.text else { return [] }
        let root = documents.topology(of: uri).root
        let bytes = Array(text.utf8)
        let path = DocumentStore.path(of: uri) ?? uri
        guard let c = compiled[root], let ir = c.topology, let program = c.program,
              let file = c.sources.files.first(where: { $0.path == path && $0.bytes == bytes })
        else { return [] }
        let irVMs = Dictionary(ir.vms.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // NIC declarations by their name's span: several when a `for` generates the VM
        var addressHints: [Int: [(vm: String, text: String)]] = [:]
        var macHints: [Int: [(vm: String, text: String)]] = [:]
        for vm in program.vms {
            guard let lowered = irVMs[vm.decl.name] else { continue }
            for nic in vm.nics where nic.decl.nameSpan.file == file.id {
                guard let resolved = lowered.nics.first(where: { $0.name == nic.decl.name }) else { continue }
                if let a = nic.address, a.value == .auto, a.span.file == file.id, case .static(let addr) = resolved.address {
                    addressHints[a.span.endOffset, default: []].append((vm.decl.name, "\(addr)"))
                }
                if nic.mac == nil {
                    macHints[nic.decl.nameSpan.endOffset, default: []].append((vm.decl.name, "\(resolved.mac)"))
                }
            }
        }
        func hints(_ table: [Int: [(vm: String, text: String)]], what: String) -> [LSP.InlayHint] {
            table.sorted { $0.key < $1.key }.map { offset, values in
                let label = values.count == 1 ? values[0].text
                    : "\(values[0].text) … \(values[values.count - 1].text) (\(values.count) VMs)"
                let tooltip = values.prefix(50).map { "\($0.vm): \($0.text)" }.joined(separator: "\n")
                    + (values.count > 50 ? "\n… \(values.count - 50) more" : "")
                return LSP.InlayHint(position: Positions.position(offset, in: file), label: (what == "MAC" ? "MAC " : "= ") + label,
                                     kind: 1, tooltip: (what == "MAC" ? "MAC derived by the compiler\n" : "address allocated for `auto`\n") + tooltip, paddingLeft: true, paddingRight: false)
            }
        }
        return (hints(addressHints, what: "address") + hints(macHints, what: "MAC")).sorted { $0.position < $1.position }
    }

    // MARK: Semantic tokens

    func semanticTokens(_ p: LSP.TextDocumentParams) -> LSP.SemanticTokens {
        guard let text = documents[p.textDocument.uri]?.text else { return LSP.SemanticTokens(data: []) }
        let bytes = Array(text.utf8)
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        let lexed = Lexer.lex(file)
        var spans: [(start: Int, end: Int, category: SemanticCategory)] = []
        let tokens = lexed.tokens
        for (i, t) in tokens.enumerated() {
            guard var category = SemanticCategory(t.kind), t.endOffset > t.startOffset else { continue }
            if t.kind == .identifier {
                let next = i + 1 < tokens.count ? tokens[i + 1].kind : .endOfFile
                if i > 0, tokens[i - 1].kind == .dot { category = .property }
                else if next == .lParen { category = .function }
                else if next == .assign, t.newlineBefore || i == 0 || tokens[i - 1].kind == .lBrace || tokens[i - 1].kind == .comma {
                    category = .property  // an attribute name
                }
            }
            spans.append((t.startOffset, t.endOffset, category))
        }
        for c in lexed.comments { spans.append((c.startOffset, c.endOffset, .comment)) }
        spans.sort { $0.start < $1.start }
        var data: [Int] = []
        var last = LSP.Position(line: 0, character: 0)
        for s in spans {
            // a token may not span lines: a multi-line comment or string is one token per line
            var start = s.start
            while start < s.end {
                var end = start
                while end < s.end, bytes[end] != 0x0A { end += 1 }
                if end > start {
                    let a = Positions.position(start, in: file), b = Positions.position(end, in: file)
                    data += [a.line - last.line, a.line == last.line ? a.character - last.character : a.character,
                             b.character - a.character, SemanticCategory.legend.firstIndex(of: s.category)!, 0]
                    last = a
                }
                start = end + 1
            }
        }
        return LSP.SemanticTokens(data: data)
    }

    // MARK: Signature help

    func signatureHelp(_ p: LSP.TextDocumentPositionParams) -> LSP.SignatureHelp? {
        let uri = p.textDocument.uri
        guard let text = documents[uri]?.text else { return nil }
        let bytes = Array(text.utf8)
        let offset = Positions.offset(p.position, in: bytes)
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        // the innermost unclosed `(` before the cursor, right after a function's name
        var depth = 0, commas = 0
        var i = (lexed.tokens.lastIndex { $0.endOffset <= offset && $0.kind != .endOfFile } ?? -1)
        while i >= 0 {
            let t = lexed.tokens[i]
            switch t.kind {
            case .rParen, .rBracket, .rBrace: depth += 1
            case .lBracket, .lBrace: if depth == 0 { return nil } else { depth -= 1 }
            case .comma: if depth == 0 { commas += 1 }
            case .lParen:
                if depth > 0 { depth -= 1; break }
                guard i > 0 else { return nil }
                let callee = lexed.tokens[i - 1]
                let isMethod = i >= 2 && lexed.tokens[i - 2].kind == .dot
                // a method's name may be a keyword (`subnet.host(`)
                guard callee.kind == .identifier || isMethod && callee.kind.isKeyword else { return nil }
                let name = lexed.text(of: callee)
                let found = isMethod ? methodSignature(name, receiverEnd: i - 3, lexed, bytes: bytes, uri: uri)
                    : signature(of: name, uri: uri)
                guard let (label, doc) = found else { return nil }
                let parameters = LanguageServer.parameterRanges(label)
                return LSP.SignatureHelp(signatures: [LSP.SignatureInformation(label: label, documentation: doc.map { .markdown($0) },
                                                                              parameters: parameters.map { LSP.ParameterInformation(label: $0) })],
                                         activeSignature: 0, activeParameter: min(commas, max(0, parameters.count - 1)))
            default: break
            }
            i -= 1
        }
        return nil
    }

    /// A user `fn`'s signature as written, else a built-in function's from `BuiltinTable`.
    func signature(of name: String, uri: String) -> (String, String?)? {
        if let d = declarations(uri: uri).first(where: { $0.name == name && $0.kind == .function }),
           let bytes = documents.text(path: d.path) ?? documents[uri].map({ Array($0.text.utf8) }) {
            let (tree, _) = Parser.parse(SourceFile(id: FileID(0), path: d.path, bytes: bytes))
            for item in tree.items {
                guard case .fnDecl(let f) = item.kind, f.name.name == name else { continue }
                func source(_ s: Span) -> String {
                    String(decoding: bytes[max(0, s.startOffset)..<min(bytes.count, max(s.startOffset, s.endOffset))], as: UTF8.self)
                }
                let params = f.parameters.map { "\($0.name.name): \(source($0.type.span))" }.joined(separator: ", ")
                return ("\(name)(\(params))" + (f.returnType.map { " -> " + source($0.span) } ?? ""), nil)
            }
        }
        if let b = LanguageFacts.builtinFunctionFacts.first(where: { $0.name == name }) { return (b.signature, b.doc) }
        return nil
    }

    /// A built-in method's signature (`MemberTable`, through `LanguageFacts`) on the receiver
    /// ending at token `receiverEnd`; nil when the receiver's type is unknown or has no such method.
    func methodSignature(_ name: String, receiverEnd: Int, _ lexed: LexedFile, bytes: [UInt8], uri: String) -> (String, String?)? {
        guard let type = receiverType(lexed, end: receiverEnd, bytes: bytes, uri: uri)?.typeName,
              let m = LanguageFacts.members(ofType: type).first(where: { $0.name == name && $0.isMethod }) else { return nil }
        return (m.signature, m.doc)
    }

    /// The UTF-16 ranges of the parameters in `f(a: T, b: [U]) -> R` (top-level commas).
    static func parameterRanges(_ label: String) -> [[Int]] {
        let units = Array(label.utf16)
        guard let open = units.firstIndex(of: UInt16(UInt8(ascii: "("))) else { return [] }
        var out: [[Int]] = []
        var depth = 0, start = open + 1
        for j in (open + 1)..<units.count {
            switch units[j] {
            case UInt16(UInt8(ascii: "(")), UInt16(UInt8(ascii: "[")), UInt16(UInt8(ascii: "{")): depth += 1
            case UInt16(UInt8(ascii: "]")), UInt16(UInt8(ascii: "}")): depth -= 1
            case UInt16(UInt8(ascii: ")")):
                if depth == 0 {
                    if j > start { out.append([start, j]) }
                    return out
                }
                depth -= 1
            case UInt16(UInt8(ascii: ",")) where depth == 0:
                out.append([start, j])
                start = j + 2 <= units.count && units[j + 1] == UInt16(UInt8(ascii: " ")) ? j + 2 : j + 1
            default: break
            }
        }
        return out
    }

    // MARK: Document highlight

    func documentHighlight(_ p: LSP.TextDocumentPositionParams) -> [LSP.DocumentHighlight] {
        let uri = p.textDocument.uri
        guard let name = nameAt(uri: uri, p.position) else { return [] }
        let declared = declarations(uri: uri).filter { $0.name == name }
        guard !declared.isEmpty else { return [] }
        let path = DocumentStore.path(of: uri)
        return occurrences(of: name, uri: uri).filter { path == nil || $0.path == path }.map { o in
            let isDeclaration = declared.contains { $0.path == o.path && $0.span.startOffset == o.span.startOffset }
            return LSP.DocumentHighlight(range: Positions.range(o.span, in: o.source), kind: isDeclaration ? .write : .read)
        }
    }

    // MARK: Folding ranges

    func foldingRanges(_ p: LSP.TextDocumentParams) -> [LSP.FoldingRange] {
        guard let text = documents[p.textDocument.uri]?.text else { return [] }
        let file = SourceFile(id: FileID(0), path: "", bytes: Array(text.utf8))
        let lexed = Lexer.lex(file)
        let (tree, _) = Parser.parse(file)
        var out: [LSP.FoldingRange] = []
        func line(_ offset: Int) -> Int { Positions.position(offset, in: file).line }
        func fold(_ span: Span, _ kind: String? = nil) {
            let a = line(span.startOffset), b = line(max(span.startOffset, span.endOffset - 1))
            if b > a { out.append(LSP.FoldingRange(startLine: a, endLine: b, kind: kind)) }
        }
        func walk(_ list: [Item]) {
            for item in list {
                fold(item.span)
                switch item.kind {
                case .resource(let r): if let body = r.body { walk(body.items) }
                case .forLoop(_, _, let body): walk(body.items)
                case .ifStatement(_, let then, let elseBranch):
                    walk(then.items)
                    if case .block(let b)? = elseBranch { fold(b.span); walk(b.items) }
                default: break
                }
            }
        }
        walk(tree.items)
        // runs of imports
        var run: [Item] = []
        for item in tree.items {
            if case .importDecl = item.kind { run.append(item); continue }
            if run.count > 1 { fold(Span(file: FileID(0), start: run[0].span.startOffset, end: run[run.count - 1].span.endOffset), "imports") }
            run = []
        }
        if run.count > 1 { fold(Span(file: FileID(0), start: run[0].span.startOffset, end: run[run.count - 1].span.endOffset), "imports") }
        // comments: a block comment, or consecutive line comments
        var group: Span? = nil
        for c in lexed.comments {
            if let g = group, line(c.startOffset) == line(max(g.startOffset, g.endOffset - 1)) + 1 {
                group = Span(file: FileID(0), start: g.startOffset, end: c.endOffset)
            } else {
                if let g = group { fold(g, "comment") }
                group = c
            }
        }
        if let g = group { fold(g, "comment") }
        return out.sorted { ($0.startLine, $0.endLine) < ($1.startLine, $1.endLine) }
    }

    // MARK: Workspace symbols

    func workspaceSymbols(_ p: LSP.WorkspaceSymbolParams) -> [LSP.SymbolInformation] {
        let query = p.query.lowercased()
        func matches(_ name: String) -> Bool {
            // the query's characters in order (as rust-analyzer and gopls match)
            var rest = Substring(query)
            for ch in name.lowercased() where rest.first == ch { rest = rest.dropFirst() }
            return rest.isEmpty
        }
        var seen = Set<String>()
        var out: [LSP.SymbolInformation] = []
        for uri in documents.documents.keys.sorted() {
            let root = documents.topology(of: uri).root
            guard seen.insert(root).inserted else { continue }
            for s in symbols(uri: uri, onlyThisFile: false) where matches(s.symbol.name) {
                out.append(LSP.SymbolInformation(name: s.symbol.name, kind: s.symbol.kind,
                                                 location: LSP.Location(uri: s.uri, range: s.symbol.selectionRange),
                                                 containerName: s.symbol.detail))
            }
        }
        return out
    }

    // MARK: prepareRename

    func prepareRename(_ p: LSP.TextDocumentPositionParams) throws -> LSP.PrepareRenameResult? {
        let uri = p.textDocument.uri
        guard let text = documents[uri]?.text, let name = nameAt(uri: uri, p.position),
              let decl = declarations(uri: uri).first(where: { $0.name == name }) else {
            throw ResponseError.invalidParams("no declared name here")
        }
        if decl.kind == .module { throw ResponseError.invalidParams("rename the module in its `import … as` instead") }
        let bytes = Array(text.utf8)
        let offset = Positions.offset(p.position, in: bytes)
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        guard let t = Lexer.lex(file).tokens.first(where: { $0.startOffset <= offset && offset <= $0.endOffset && $0.kind == .identifier })
        else { return nil }
        return LSP.PrepareRenameResult(range: Positions.range(Span(file: FileID(0), start: t.startOffset, end: t.endOffset), in: file),
                                       placeholder: name)
    }
}
