import WukongDiagnostics
import WukongSema
import WukongSyntax

// Completion and hover inside a VM's `kubevirt { }` block: the fields of the KubeVirt v1.9.0
// VirtualMachine schema at the path being written, with the schema's descriptions. Found from
// the tokens alone (a path is `a.b.c` before `=`, nested records extend it), so a half-written
// line still completes. Completion.swift and Hover.swift call in first.

/// Where the cursor is in a `kubevirt { }` block.
struct KubevirtSite: Equatable {
    /// The field path (below `spec`) of the object whose fields are offered.
    var path: [String]
    /// The part of the word before the cursor.
    var prefix: String
    /// The whole word under the cursor, when hovering.
    var word: String?

    /// The site of `offset`, or nil outside a `kubevirt { }` block or after a path's `=`.
    static func locate(_ lexed: LexedFile, offset: Int) -> KubevirtSite? {
        let tokens = lexed.tokens
        // per open brace: the path it stands for, or nil when not inside a hatch
        var stack: [[String]?] = []
        var entry: [String] = []          // dotted key of the current entry
        var afterAssign = false
        var i = 0
        while i < tokens.count, tokens[i].kind != .endOfFile {
            let t = tokens[i]
            if t.startOffset >= offset { break }
            let inHatch = stack.last.map { $0 != nil } ?? false
            if t.newlineBefore || t.kind == .comma { if !(stack.last.map { $0 == nil } ?? true) { entry = []; afterAssign = false } }
            switch t.kind {
            case .lBrace:
                if i > 0, tokens[i - 1].kind == .identifier, lexed.text(of: tokens[i - 1]) == "kubevirt", !inHatch {
                    stack.append([])
                } else if i > 0, tokens[i - 1].kind == .assign, inHatch, let base = stack.last ?? nil, !entry.isEmpty {
                    stack.append(base + entry)
                } else {
                    stack.append(nil)
                }
                entry = []; afterAssign = false
            case .rBrace:
                if !stack.isEmpty { stack.removeLast() }
                entry = []; afterAssign = false
            case .assign:
                afterAssign = true
            case .identifier, _ where t.kind.isKeyword:
                if inHatch && !afterAssign && t.endOffset < offset {
                    // a complete segment: followed by `.` before the cursor
                    if i + 1 < tokens.count, tokens[i + 1].kind == .dot, tokens[i + 1].startOffset < offset {
                        entry.append(lexed.text(of: t))
                    } else if i + 1 < tokens.count, tokens[i + 1].kind == .assign {
                        entry.append(lexed.text(of: t))
                    }
                }
            default:
                break
            }
            i += 1
        }
        guard let base = stack.last ?? nil, !afterAssign else { return nil }
        // the word the cursor is in or right after
        var prefix = "", word: String? = nil
        if i > 0 || i < tokens.count {
            let around = tokens.firstIndex { ($0.kind == .identifier || $0.kind.isKeyword) && $0.startOffset <= offset && offset <= $0.endOffset }
            if let w = around {
                let text = lexed.text(of: tokens[w])
                prefix = String(text.utf8.prefix(offset - tokens[w].startOffset)).map { $0 } ?? ""
                word = text
                if let last = entry.last, last == text, tokens[w].endOffset <= offset { entry.removeLast() }
            }
        }
        return KubevirtSite(path: base + entry, prefix: prefix, word: word)
    }

    /// The schema fields at `path` starting with `prefix`.
    func completions() -> [LSP.CompletionItem] {
        let schema = KubevirtSchema.shared
        guard let node = Self.node(path) else { return [] }
        return node.childNames.filter { !$0.hasPrefix("[") && !$0.hasPrefix("{") && (prefix.isEmpty || $0.hasPrefix(prefix)) }
            .compactMap { name in
                guard let c = node.children[name] else { return nil }
                let field = schema.nodes[c]
                return LSP.CompletionItem(label: name, kind: .property, detail: field.type.name,
                                          documentation: field.description.map { .markdown($0) })
            }
    }

    /// The hover text of the field named by the word under the cursor.
    func hover() -> String? {
        guard let word, let node = Self.node(path), let c = node.children[word] else { return nil }
        let field = KubevirtSchema.shared.nodes[c]
        var text = "`spec.\(KubevirtSchema.dotted(path + [word]))`: \(field.type.name)"
        if let owner = KubevirtOwnership.owner(of: path + [word]) { text += " — set by the compiler from \(owner)" }
        if let d = field.description { text += "\n\n" + d }
        return text
    }

    static func node(_ path: [String]) -> KubevirtField? {
        let schema = KubevirtSchema.shared
        if path.isEmpty { return schema.root }
        guard case .found(let i) = schema.lookup(path) else { return nil }
        return schema.nodes[i].type == .object ? schema.nodes[i] : nil
    }
}
