import Foundation
import WukongDiagnostics
import WukongSema
import WukongSyntax

// Feature: hover (`textDocument/hover`). On an attribute name (found in the parser's tree,
// with the block it belongs to): its type, whether it is required and its allowed values. On a
// top-level name: what it declares and the line that declares it; for a VM, the addresses and
// MACs of its NICs as the last error-free check resolved them.

extension LanguageServer {
    func hover(_ p: LSP.TextDocumentPositionParams) -> LSP.Hover? {
        let uri = p.textDocument.uri
        guard let buffer = documents[uri]?.text else { return nil }
        let bytes = Array(buffer.utf8)
        let offset = Positions.offset(p.position, in: bytes)
        let file = SourceFile(id: FileID(0), path: "", bytes: bytes)
        let lexed = Lexer.lex(file)
        guard let i = lexed.tokens.firstIndex(where: {
            $0.startOffset <= offset && offset < max($0.endOffset, $0.startOffset + 1) && ($0.kind == .identifier || $0.kind.isKeyword)
        }) else { return nil }
        let token = lexed.tokens[i]
        let name = lexed.text(of: token)
        let range = Positions.range(Span(file: FileID(0), start: token.startOffset, end: token.endOffset), in: file)
        if let k = KubevirtSite.locate(lexed, offset: offset), let text = k.hover() {   // KubevirtCompletion.swift
            return LSP.Hover(contents: .markdown(text), range: range)
        }
        // an attribute name, in a block
        let (tree, _) = Parser.parse(file)
        let site = SyntaxSite.locate(token.startOffset..<token.endOffset, in: tree.items)
        if site.role == .attributeName, let block = site.block,
           let a = LanguageFacts.attributes(of: block, nestedIn: site.parentBlock).first(where: { $0.name == name }) {
            var value = "`\(name)`: \(a.type)" + (a.required ? " (required)" : "")
            if let allowed = a.allowed { value += " — one of " + allowed.map { "`\"\($0)\"`" }.joined(separator: ", ") }
            return LSP.Hover(contents: .markdown(value), range: range)
        }
        // a top-level name (not a member `x.name`)
        guard token.kind == .identifier, i == 0 || lexed.tokens[i - 1].kind != .dot,
              let d = declarations(uri: uri).first(where: { $0.name == name }) else { return nil }
        let declaringText = SourceFile(id: FileID(0), path: d.path, bytes: documents.text(path: d.path) ?? bytes)
        let lineText = declaringText.lineText(declaringText.location(of: d.span.startOffset).line)
            .trimmingCharacters(in: .whitespaces)
        var value = "\(d.detail) `\(name)`\n\n```wukong\n\(lineText)\n```"
        if d.resource == .vm, let vm = resolved[documents.topology(of: uri).root]?.vms.first(where: { $0.name == name }) {
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
        return LSP.Hover(contents: .markdown(value), range: range)
    }
}
