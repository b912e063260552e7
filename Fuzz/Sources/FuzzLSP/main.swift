import Foundation
import FuzzSupport
import WukongLanguageServer

// The language server's message handler under random edit/request sequences. The input is
// chunks separated by 0x01: the first is the document opened; each later chunk is one step (a
// full or incremental edit, or any request the server answers) —
// its first byte picks the request or edit, the next two a position, the rest is text. Every
// answer must be JSON, and every request must get exactly one answer with its id.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLSP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let chunks = bytes.split(separator: 0x01, maxSplits: 64, omittingEmptySubsequences: false)
    var session = Session()
    session.request("initialize", ["capabilities": [:] as [String: Any]])
    session.notify("initialized", [:])
    var text = String(decoding: chunks.first ?? [], as: UTF8.self)
    var version = 1
    session.notify("textDocument/didOpen", ["textDocument": ["uri": Session.uri, "languageId": "wukong", "version": version, "text": text]])
    for chunk in chunks.dropFirst() {
        let c = Array(chunk)
        let op = c.first ?? 0
        let line = c.count > 1 ? Int(c[1] % 64) : 0
        let character = c.count > 2 ? Int(c[2] % 128) : 0
        let rest = c.count > 3 ? String(decoding: c[3...], as: UTF8.self) : ""
        let position: [String: Any] = ["line": line, "character": character]
        let doc: [String: Any] = ["uri": Session.uri]
        switch op % 20 {
        case 12:  // an incremental edit: replace from the position to the next line's start (the
                  // server's buffer then differs from `text` until the next full edit resends it)
            version += 1
            session.notify("textDocument/didChange", ["textDocument": ["uri": Session.uri, "version": version],
                                                      "contentChanges": [["range": ["start": position, "end": ["line": line + 1, "character": 0]],
                                                                          "text": rest]]])
        case 13: session.request("textDocument/inlayHint", ["textDocument": doc,
                                                             "range": ["start": ["line": 0, "character": 0], "end": position]])
        case 14: session.request("textDocument/semanticTokens/full", ["textDocument": doc])
        case 15: session.request("textDocument/signatureHelp", ["textDocument": doc, "position": position])
        case 16: session.request("textDocument/documentHighlight", ["textDocument": doc, "position": position])
        case 17: session.request("textDocument/foldingRange", ["textDocument": doc])
        case 18: session.request("workspace/symbol", ["query": rest])
        case 19: session.request("textDocument/prepareRename", ["textDocument": doc, "position": position])
        case 0, 1:  // an edit: insert the text at the position (full-document sync)
            text = Session.insert(rest, into: text, line: line, character: character)
            version += 1
            session.notify("textDocument/didChange", ["textDocument": ["uri": Session.uri, "version": version],
                                                      "contentChanges": [["text": text]]])
        case 2:  // a deletion of up to 255 characters at the position
            text = Session.delete(Int(c.last ?? 1), from: text, line: line, character: character)
            version += 1
            session.notify("textDocument/didChange", ["textDocument": ["uri": Session.uri, "version": version],
                                                      "contentChanges": [["text": text]]])
        case 3: session.request("textDocument/completion", ["textDocument": doc, "position": position])
        case 4: session.request("textDocument/hover", ["textDocument": doc, "position": position])
        case 5: session.request("textDocument/definition", ["textDocument": doc, "position": position])
        case 6: session.request("textDocument/references", ["textDocument": doc, "position": position,
                                                             "context": ["includeDeclaration": true]])
        case 7: session.request("textDocument/rename", ["textDocument": doc, "position": position, "newName": rest])
        case 8: session.request("textDocument/formatting", ["textDocument": doc, "options": ["tabSize": 2, "insertSpaces": true]])
        case 9: session.request("textDocument/documentSymbol", ["textDocument": doc])
        case 10: session.request("textDocument/codeAction", ["textDocument": doc,
                                                              "range": ["start": position, "end": position],
                                                              "context": ["diagnostics": [] as [Any]]])
        default:
            session.notify("textDocument/didSave", ["textDocument": doc])
        }
    }
    session.notify("textDocument/didClose", ["textDocument": ["uri": Session.uri]])
    session.request("shutdown", [:])
    session.notify("exit", [:])
    return 0
}

struct Session {
    /// A document in a directory that does not exist: a topology of its own (no disk walk).
    static let uri = "file:///nonexistent-wukong-fuzz/fuzz.wk"
    let server = LanguageServer()
    var nextID = 1

    mutating func request(_ method: String, _ params: [String: Any]) {
        let id = nextID
        nextID += 1
        let answers = send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        let mine = answers.filter { ($0["id"] as? Int) == id }
        if mine.count != 1 { Fuzz.fail("\(method) got \(mine.count) answers with its id") }
    }

    func notify(_ method: String, _ params: [String: Any]) {
        let answers = send(["jsonrpc": "2.0", "method": method, "params": params])
        if answers.contains(where: { $0["id"] != nil && $0["method"] == nil }) { Fuzz.fail("\(method) (a notification) got an answer") }
    }

    func send(_ message: [String: Any]) -> [[String: Any]] {
        guard let body = try? JSONSerialization.data(withJSONObject: message) else { return [] }
        return server.handle(body).map { data in
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                Fuzz.fail("an answer is not a JSON object", String(decoding: data, as: UTF8.self))
            }
            return object
        }
    }

    /// The offset of (line, character) in `text`, clamped to the text (characters, not UTF-16:
    /// the server must cope with positions that fall anywhere).
    static func offset(in text: String, line: Int, character: Int) -> String.Index {
        var i = text.startIndex
        var l = 0
        while l < line, let nl = text[i...].firstIndex(of: "\n") { i = text.index(after: nl); l += 1 }
        return text.index(i, offsetBy: character, limitedBy: text[i...].firstIndex(of: "\n") ?? text.endIndex) ?? text.endIndex
    }

    static func insert(_ s: String, into text: String, line: Int, character: Int) -> String {
        var t = text
        t.insert(contentsOf: s, at: offset(in: text, line: line, character: character))
        return t
    }

    static func delete(_ n: Int, from text: String, line: Int, character: Int) -> String {
        var t = text
        let from = offset(in: text, line: line, character: character)
        let to = text.index(from, offsetBy: n, limitedBy: text.endIndex) ?? text.endIndex
        t.removeSubrange(from..<to)
        return t
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Fuzz.initialize()
    return 0
}
