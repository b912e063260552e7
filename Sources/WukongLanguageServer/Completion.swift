import WukongDiagnostics
import WukongSema
import WukongSyntax

// Feature: completion (`textDocument/completion`). What may be typed at the cursor, from the
// recovering parser's tree (`SyntaxSite`) of the buffer with a placeholder name inserted at
// the cursor — so `images.|`, `import std.|` and an empty line in an unclosed block parse as a
// member, an import path and an item like any other:
// - where an item starts inside a block: the block's attributes (a VM's `nic` has its own),
//   the declarations it may hold, `let`/`for`/`if`/`assert`;
// - where an item starts at top level: the resource and statement keywords;
// - after `name.`: a module's definitions, or a declared resource's attributes; after any other
//   value whose type `Receivers.swift` names (`subnet.`, `net.subnet.`), its built-in members;
// - after `import std.`: the standard-library modules;
// - in an expression: the declared names, built-in functions and value keywords;
// - nothing where a name is being declared, in a record key, a string's text or a comment.
// The word before the cursor is the prefix the labels must start with; every item's `textEdit`
// replaces the whole word around the cursor, dashes included (`br-l|` → `br-lab`, where a
// client's own word boundary would stop at `-` and insert `br-br-lab`).

/// The cursor's context for completion.
struct CompletionContext {
    /// The part of the word before the cursor.
    var prefix: String
    /// Nil when the cursor is in a comment, a string's text or a literal.
    var site: SyntaxSite?
    /// The buffer and the cursor's offset in it.
    var bytes: [UInt8]
    var offset: Int

    /// A name that no file contains, inserted at the cursor so the parser sees a name there.
    static let placeholder: [UInt8] = Array("wukongCompletionCursor".utf8)

    init(_ bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        self.offset = offset
        var patched = bytes
        patched.insert(contentsOf: CompletionContext.placeholder, at: offset)
        let source = SourceFile(id: FileID(0), path: "", bytes: patched)
        let end = offset + CompletionContext.placeholder.count
        let lexed = Lexer.lex(source)
        // the token holding the placeholder: an identifier, unless the cursor is in a comment
        // (no token), a string's text or a number
        guard let token = lexed.tokens.first(where: { $0.startOffset <= offset && end <= $0.endOffset }),
              token.kind == .identifier else {
            prefix = ""
            site = nil
            return
        }
        prefix = String(decoding: patched[token.startOffset..<offset], as: UTF8.self)
        let (tree, _) = Parser.parse(source)
        site = SyntaxSite.locate(token.startOffset..<token.endOffset, in: tree.items)
    }
}

extension LanguageServer {
    static let resourceKeywords: [String] = ["topology", "host", "nic", "vlan", "bond", "bridge", "ovs-bridge", "network", "vm"]
    static let statementKeywords: [String] = ["let", "fn", "for", "if", "assert", "import"]
    static let blockStatementKeywords: [String] = ["let", "for", "if", "assert"]
    static let valueKeywords: [String] = ["true", "false", "auto", "dhcp", "pod", "if"]

    func completion(_ p: LSP.TextDocumentPositionParams) -> LSP.CompletionList {
        guard let text = documents[p.textDocument.uri]?.text else { return LSP.CompletionList(isIncomplete: false, items: []) }
        let bytes = Array(text.utf8)
        let offset = Positions.offset(p.position, in: bytes)
        if let k = KubevirtSite.locate(Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes)), offset: offset) {
            return LSP.CompletionList(isIncomplete: false, items: k.completions())   // KubevirtCompletion.swift
        }
        let ctx = CompletionContext(bytes, offset: offset)
        let items = completionItems(ctx, uri: p.textDocument.uri)
        return LSP.CompletionList(isIncomplete: false, items: LanguageServer.withTextEdits(items, prefix: ctx.prefix, at: offset, in: bytes))
    }

    /// Gives each item a `textEdit` over the word at the cursor: from the prefix's start to the
    /// end of the name characters after the cursor.
    static func withTextEdits(_ items: [LSP.CompletionItem], prefix: String, at offset: Int, in bytes: [UInt8]) -> [LSP.CompletionItem] {
        func isNameByte(_ b: UInt8) -> Bool {
            b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || (b | 0x20) >= 97 && (b | 0x20) <= 122 || b >= 48 && b <= 57
        }
        let start = max(0, offset - prefix.utf8.count)
        var end = offset
        while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        let range = Positions.range(Span(file: FileID(0), start: start, end: end), in: file)
        return items.map { item in
            var item = item
            item.textEdit = LSP.TextEdit(range: range, newText: item.label)
            item.filterText = item.label
            return item
        }
    }

    func completionItems(_ ctx: CompletionContext, uri: String) -> [LSP.CompletionItem] {
        guard let site = ctx.site else { return [] }
        var items: [LSP.CompletionItem] = []
        func add(_ label: String, _ kind: LSP.CompletionItemKind, detail: String? = nil) {
            guard ctx.prefix.isEmpty || label.hasPrefix(ctx.prefix) else { return }
            items.append(LSP.CompletionItem(label: label, kind: kind, detail: detail))
        }
        switch site.role {
        case .declaredName, .noCode:
            break
        case .importPath(let before):
            if before.isEmpty {
                add("std", .module, detail: "the standard library")
            } else if before == ["std"] {
                for m in LanguageFacts.stdlibModules { add(m.name, .module, detail: "std.\(m.name)") }
            }
        case .member where !vmNicMembers(site.memberPath ?? [], uri: uri).isEmpty:
            // `vm.nic.|`: the members of a VM's NIC
            for m in vmNicMembers(site.memberPath!, uri: uri) { add(m.name, .property, detail: m.signature) }
        case .member(let base?) where base == "std" || declarations(uri: uri).contains(where: { $0.name == base && $0.kind != .value })
            || vmNics(base, uri: uri) != nil:
            // a module's definitions, a VM's NICs, or a resource's members
            if base == "std" {
                for m in LanguageFacts.stdlibModules { add(m.name, .module, detail: "std.\(m.name)") }
                break
            }
            let declared = declarations(uri: uri)
            if let imported = declared.first(where: { $0.name == base && $0.kind == .module }),
               let m = LanguageFacts.stdlibModules.first(where: { $0.name == imported.module }) {
                for d in m.definitions { add(d, .variable, detail: "std.\(m.name)") }
            } else if let nics = vmNics(base, uri: uri) {
                for m in resourceMembers(.vm, nics: nics) { add(m.name, m.kind, detail: m.detail) }
            } else if let r = declared.first(where: { $0.name == base }), let kind = r.resource {
                for m in resourceMembers(kind, nics: nil) { add(m.name, m.kind, detail: m.detail) }
            }
        case .member:
            // a value's members (`subnet.|`, `net.subnet.|`, `10.0.0.0/24.|`, `n.|` of `n: Network`)
            for m in typedMembers(ctx, uri: uri) { add(m.name, m.kind, detail: m.detail) }
        case .attributeName, .itemHead:
            guard let block = site.block else {
                for k in LanguageServer.resourceKeywords + LanguageServer.statementKeywords { add(k, .keyword) }
                break
            }
            for a in LanguageFacts.attributes(of: block, nestedIn: site.parentBlock) {
                add(a.name, .property, detail: a.type + (a.required ? " (required)" : ""))
            }
            for c in LanguageFacts.children(of: block) { add(c.rawValue, .keyword) }
            for k in LanguageServer.blockStatementKeywords { add(k, .keyword) }
        case .value where site.onOf != nil:
            // `nic x on |`: what it may sit on (a VM's NIC: networks and `pod`)
            onTargets(site, uri: uri).forEach { add($0.name, $0.kind, detail: $0.detail) }
        case .value where LanguageServer.dotBefore(ctx) != nil:
            // a member the recovering parser did not see as one (`f(subnet.|` in an unclosed call)
            for m in typedMembers(ctx, uri: uri) { add(m.name, m.kind, detail: m.detail) }
        case .value:
            for d in declarations(uri: uri) {
                add(d.name, d.kind == .function ? .function : d.kind == .module ? .module : .variable, detail: d.detail)
            }
            for f in LanguageFacts.builtinFunctions { add(f, .function, detail: "built-in") }
            for k in LanguageServer.valueKeywords { add(k, .keyword) }
        }
        return items
    }
}

extension LanguageServer {
    /// The NICs of the VM `name` with their networks (nil = pod): from the last compilation
    /// (so VMs a `for` generates, `db-1`, count), nil when no VM has that name.
    func vmNics(_ name: String, uri: String) -> [(name: String, network: String?)]? {
        let root = documents.topology(of: uri).root
        if let vm = compiled[root]?.program?.vms.first(where: { $0.decl.name == name }) {
            return vm.nics.map { nic in
                let network: String?
                if case .network(let n)? = nic.network?.value { network = n } else { network = nil }
                return (nic.decl.name, network)
            }
        }
        if let vm = resolved[root]?.vms.first(where: { $0.name == name }) { return vm.nics.map { ($0.name, $0.network) } }
        return nil
    }

    /// The members of `vm.nic` (`["db-1", "lan"]`), when that VM has that NIC.
    func vmNicMembers(_ path: [String], uri: String) -> [LanguageFacts.Builtin] {
        guard path.count == 2, let nics = vmNics(path[0], uri: uri), nics.contains(where: { $0.name == path[1] }) else { return [] }
        return LanguageFacts.members(ofType: "VM NIC")
    }

    /// The built-in members of the value before the `.` at the cursor, when its type is known.
    func typedMembers(_ ctx: CompletionContext, uri: String) -> [(name: String, kind: LSP.CompletionItemKind, detail: String)] {
        guard let (lexed, dot) = LanguageServer.dotBefore(ctx),
              let type = receiverType(lexed, end: dot - 1, bytes: ctx.bytes, uri: uri) else { return [] }
        switch type {
        case .value(let name):
            return LanguageFacts.members(ofType: name).map { ($0.name, $0.isMethod ? .method : .property, $0.signature) }
        case .resource(let kind, let name):
            return resourceMembers(kind, nics: kind == .vm ? vmNics(name, uri: uri) : nil)
        case .record(let fields):
            return fields.map { ($0.name, .field, "record field") }
        }
    }

    /// A resource's members: `name`, a VM's NICs, the attributes of its kind.
    func resourceMembers(_ kind: ResourceKind, nics: [(name: String, network: String?)]?) -> [(name: String, kind: LSP.CompletionItemKind, detail: String)] {
        [("name", .property, "String")] + (nics ?? []).map { ($0.name, .field, "VM NIC on \($0.network ?? "pod")") }
            + LanguageFacts.attributes(of: kind).map { ($0.name, .property, $0.type) }
    }

    /// The buffer's tokens and the index of the `.` right before the word at the cursor, if any.
    static func dotBefore(_ ctx: CompletionContext) -> (LexedFile, Int)? {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: ctx.bytes))
        let wordStart = ctx.offset - ctx.prefix.utf8.count
        guard let dot = lexed.tokens.lastIndex(where: { $0.endOffset <= wordStart && $0.kind != .endOfFile }),
              lexed.tokens[dot].kind == .dot, lexed.tokens[dot].endOffset == wordStart else { return nil }
        return (lexed, dot)
    }

    /// What may follow `on`: for a VM's NIC the networks and `pod`; for a node resource the
    /// node links (NICs, bonds, VLANs, bridges).
    func onTargets(_ site: SyntaxSite, uri: String) -> [(name: String, kind: LSP.CompletionItemKind, detail: String)] {
        let declared = declarations(uri: uri)
        if site.onOf == .nic && site.blocks.contains(.vm) {
            return declared.filter { $0.resource == .network }.map { ($0.name, .variable, "network") }
                + [("pod", .keyword, "the pod network")]
        }
        let links: Set<ResourceKind> = [.nic, .bond, .vlan, .bridge, .ovsBridge]
        return declared.filter { $0.resource.map(links.contains) ?? false }.map { ($0.name, .variable, $0.detail) }
    }
}
