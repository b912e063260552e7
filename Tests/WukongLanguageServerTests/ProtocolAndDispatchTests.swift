import XCTest
import WukongCompiler
@testable import WukongLanguageServer

/// The server's parts: the dispatch table and its named error codes, the Codable protocol
/// types, completion read from the recovering parser's tree in half-typed text, and the time a
/// `didChange` of a 200-line file takes.
final class ProtocolAndDispatchTests: XCTestCase {
    func reply(_ server: LanguageServer, _ json: String) -> [[String: Any]] {
        server.handle(Data(json.utf8)).map { try! JSONSerialization.jsonObject(with: $0) as! [String: Any] }
    }

    func errorCode(_ r: [[String: Any]]) -> Int? { (r.last?["error"] as? [String: Any])?["code"] as? Int }

    // MARK: Dispatch

    func testErrorCodesAreNamed() {
        XCTAssertEqual(ErrorCode.parseError.rawValue, -32700)
        XCTAssertEqual(ErrorCode.invalidRequest.rawValue, -32600)
        XCTAssertEqual(ErrorCode.methodNotFound.rawValue, -32601)
        XCTAssertEqual(ErrorCode.invalidParams.rawValue, -32602)
        XCTAssertEqual(ErrorCode.internalError.rawValue, -32603)
        XCTAssertEqual(ErrorCode.serverNotInitialized.rawValue, -32002)
        XCTAssertEqual(ErrorCode.requestCancelled.rawValue, -32800)
        XCTAssertEqual(ErrorCode.contentModified.rawValue, -32801)
    }

    func testDispatchTableRoutesEveryAdvertisedMethod() {
        let s = LanguageServer()
        for method in ["initialize", "shutdown", "exit", "initialized", "textDocument/didOpen", "textDocument/didChange",
                       "textDocument/didSave", "textDocument/didClose", "textDocument/completion", "textDocument/hover",
                       "textDocument/definition", "textDocument/references", "textDocument/rename",
                       "textDocument/documentSymbol", "textDocument/formatting", "textDocument/codeAction",
                       "textDocument/inlayHint", "textDocument/semanticTokens/full", "textDocument/signatureHelp",
                       "textDocument/documentHighlight", "textDocument/foldingRange", "workspace/symbol",
                       "textDocument/prepareRename", "workspace/didChangeWatchedFiles"] {
            XCTAssertNotNil(s.methods[method], method)
        }
        XCTAssertNil(s.methods["textDocument/linkedEditingRange"])
    }

    func testUnknownMethod() {
        let s = LanguageServer()
        let r = reply(s, #"{"jsonrpc":"2.0","id":"req-7","method":"textDocument/typeDefinition","params":{}}"#)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(errorCode(r), ErrorCode.methodNotFound.rawValue)
        XCTAssertEqual(r[0]["id"] as? String, "req-7", "a string id is echoed")
        XCTAssertTrue(((r[0]["error"] as? [String: Any])?["message"] as? String)?.contains("typeDefinition") ?? false)
        XCTAssertTrue(reply(s, #"{"jsonrpc":"2.0","method":"workspace/unknownNotification"}"#).isEmpty,
                      "an unknown notification is not answered")
        XCTAssertTrue(reply(s, #"{"jsonrpc":"2.0","id":3,"result":{}}"#).isEmpty, "a response is not answered")
    }

    func testMalformedParams() {
        let s = LanguageServer()
        _ = reply(s, #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:x","text":"let a = 1\n"}}}"#)
        for (method, params) in [("textDocument/hover", #"{"textDocument":{"uri":"untitled:x"}}"#),
                                 ("textDocument/completion", #"{"textDocument":{"uri":"untitled:x"},"position":{"line":"0","character":0}}"#),
                                 ("textDocument/rename", #"{"textDocument":{"uri":"untitled:x"},"position":{"line":0,"character":4}}"#),
                                 ("textDocument/codeAction", #"{"textDocument":{"uri":"untitled:x"}}"#),
                                 ("textDocument/definition", "[1,2]"),
                                 ("textDocument/documentSymbol", "null")] {
            let r = reply(s, #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
            XCTAssertEqual(r.count, 1, method)
            XCTAssertEqual(errorCode(r), ErrorCode.invalidParams.rawValue, method)
            XCTAssertEqual(r[0]["id"] as? Int, 1)
        }
        // the message says what was wrong
        let r = reply(s, #"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:x"}}}"#)
        XCTAssertTrue(((r[0]["error"] as? [String: Any])?["message"] as? String)?.contains("position") ?? false, "\(r)")
        // a notification with malformed params is dropped without an answer
        XCTAssertTrue(reply(s, #"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"contentChanges":3}}"#).isEmpty)
        // a handler's own failure keeps its code
        let unknown = reply(s, #"{"jsonrpc":"2.0","id":4,"method":"textDocument/formatting","params":{"textDocument":{"uri":"untitled:nope"}}}"#)
        XCTAssertEqual(errorCode(unknown), ErrorCode.invalidParams.rawValue)
    }

    func testParseErrorAndNullID() {
        let s = LanguageServer()
        for body in ["not json", "[1, 2]", "\"text\""] {
            let r = reply(s, body)
            XCTAssertEqual(errorCode(r), ErrorCode.parseError.rawValue, body)
            XCTAssertTrue(r[0]["id"] is NSNull, body)
        }
        // `"id": null` is answered (with a null id); optional params may be left out
        let r = reply(s, #"{"jsonrpc":"2.0","id":null,"method":"shutdown"}"#)
        XCTAssertEqual(r.count, 1)
        XCTAssertTrue(r[0]["id"] is NSNull)
        XCTAssertTrue(r[0]["result"] is NSNull, "shutdown answers null")
        XCTAssertNil(r[0]["error"])
    }

    func testRequestWithoutParams() throws {
        let s = LanguageServer()
        let r = reply(s, #"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#)
        let result = try XCTUnwrap(r[0]["result"] as? [String: Any])
        let caps = try XCTUnwrap(result["capabilities"] as? [String: Any])
        XCTAssertEqual((caps["textDocumentSync"] as? [String: Any])?["change"] as? Int, 2, "incremental")
        XCTAssertEqual((caps["completionProvider"] as? [String: Any])?["triggerCharacters"] as? [String], ["."])
        XCTAssertEqual((result["serverInfo"] as? [String: Any])?["name"] as? String, "wukongc")
    }

    // MARK: Codable round-trips

    func roundTrip<T: Codable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = JSONCoding.encode(value)
        XCTAssertFalse(data.isEmpty, file: file, line: line)
        XCTAssertEqual(try JSONDecoder().decode(T.self, from: data), value, String(decoding: data, as: UTF8.self), file: file, line: line)
    }

    func testProtocolTypesRoundTrip() throws {
        let range = LSP.Range(start: .init(line: 1, character: 2), end: .init(line: 3, character: 4))
        let location = LSP.Location(uri: "file:///tmp/a.wk", range: range)
        let edit = LSP.TextEdit(range: range, newText: "br-lan")
        let diagnostic = LSP.Diagnostic(range: range, severity: .warning, code: "W0403", source: "wukongc", message: "m\nhelp: h",
                                        relatedInformation: [.init(location: location, message: "declared here")])
        try roundTrip(range.start)
        try roundTrip(range)
        try roundTrip(location)
        try roundTrip(edit)
        try roundTrip(LSP.WorkspaceEdit(changes: ["file:///tmp/a.wk": [edit, edit]]))
        try roundTrip(diagnostic)
        try roundTrip(LSP.Diagnostic(range: .zero, severity: nil, code: nil, source: nil, message: "bare", relatedInformation: nil))
        try roundTrip(LSP.PublishDiagnosticsParams(uri: "untitled:x", version: 3, diagnostics: [diagnostic]))
        try roundTrip(LSP.CompletionList(isIncomplete: false, items: [.init(label: "address", kind: .property, detail: "IfAddr"),
                                                                     .init(label: "vm", kind: .keyword, detail: nil)]))
        try roundTrip(LSP.Hover(contents: .markdown("`bridge`: Bridge"), range: range))
        try roundTrip(LSP.DocumentSymbol(name: "br0", detail: "bridge", kind: .struct, range: range, selectionRange: range,
                                         children: [.init(name: "x", detail: nil, kind: .variable, range: range, selectionRange: range)]))
        try roundTrip(LSP.CodeAction(title: "Replace with `br0`", kind: "quickfix", diagnostics: [diagnostic], isPreferred: true,
                                     edit: .init(changes: ["u": [edit]])))
        try roundTrip(LSP.InitializeResult(capabilities: LanguageServer.capabilities, serverInfo: .init(name: "wukongc", version: "1")))
        try roundTrip(LSP.DidOpenTextDocumentParams(textDocument: .init(uri: "u", languageId: "wukong", version: 1, text: "let a = 1\n")))
        try roundTrip(LSP.DidChangeTextDocumentParams(textDocument: .init(uri: "u", version: 2), contentChanges: [.init(range: nil, text: "t")]))
        try roundTrip(LSP.DidSaveTextDocumentParams(textDocument: .init(uri: "u"), text: nil))
        try roundTrip(LSP.DidCloseTextDocumentParams(textDocument: .init(uri: "u")))
        try roundTrip(LSP.TextDocumentPositionParams(textDocument: .init(uri: "u"), position: range.end))
        try roundTrip(LSP.ReferenceParams(textDocument: .init(uri: "u"), position: range.end, context: .init(includeDeclaration: false)))
        try roundTrip(LSP.RenameParams(textDocument: .init(uri: "u"), position: range.end, newName: "n"))
        try roundTrip(LSP.DocumentFormattingParams(textDocument: .init(uri: "u")))
        try roundTrip(LSP.DocumentSymbolParams(textDocument: .init(uri: "u")))
        try roundTrip(LSP.CodeActionParams(textDocument: .init(uri: "u"), range: range))
        try roundTrip(ResponseError(code: .contentModified, message: "changed", data: .object(["k": .array([.int(1), .string("s")])])))
        for v: JSONValue in [.null, .bool(true), .int(-3), .double(1.5), .string("x"), .array([.null]), .object(["a": .bool(false)])] {
            try roundTrip(v)
        }
        try roundTrip(RequestMessage(id: .int(9), method: "textDocument/hover",
                                     params: LSP.TextDocumentPositionParams(textDocument: .init(uri: "u"), position: range.start)))
    }

    func testWireShapes() throws {
        func object<T: Encodable>(_ v: T) -> [String: Any] {
            try! JSONSerialization.jsonObject(with: JSONCoding.encode(v)) as! [String: Any]
        }
        // absent optionals are left out; the severity and kinds are numbers
        let d = object(LSP.Diagnostic(range: .zero, severity: .error, code: "E0201", source: "wukongc", message: "m",
                                      relatedInformation: nil))
        XCTAssertEqual(Set(d.keys), ["range", "severity", "code", "source", "message"])
        XCTAssertEqual(d["severity"] as? Int, 1)
        XCTAssertEqual((object(LSP.CompletionItem(label: "l", kind: .module, detail: nil)))["kind"] as? Int, 9)
        XCTAssertEqual((object(LSP.DocumentSymbol(name: "n", detail: nil, kind: .namespace, range: .zero, selectionRange: .zero)))["kind"]
                       as? Int, 3)
        // a response carries `result` (null included) or `error`, never both
        let ok = object(ResponseMessage<LSP.Hover?>(id: .int(1), result: nil))
        XCTAssertTrue(ok["result"] is NSNull)
        XCTAssertNil(ok["error"])
        let failed = object(ResponseMessage<NullResult>(id: .string("a"), error: .invalidParams("x")))
        XCTAssertNil(failed["result"])
        XCTAssertEqual((failed["error"] as? [String: Any])?["code"] as? Int, -32602)
        XCTAssertEqual(failed["jsonrpc"] as? String, "2.0")
        // URIs keep their slashes
        XCTAssertTrue(String(decoding: JSONCoding.encode(LSP.TextDocumentIdentifier(uri: "file:///a/b.wk")), as: UTF8.self)
            .contains("file:///a/b.wk"))
    }

    // MARK: Completion from the tree

    func complete(_ text: String, uri: String = "untitled:complete", at marker: String = "|") -> [String] {
        let s = LanguageServer()
        let parts = text.components(separatedBy: marker)
        precondition(parts.count == 2)
        let before = parts[0].split(separator: "\n", omittingEmptySubsequences: false)
        let line = before.count - 1, character = before.last!.utf16.count
        s.documents[uri] = DocumentStore.Document(text: parts[0] + parts[1], version: 1)
        let list = s.completion(LSP.TextDocumentPositionParams(textDocument: .init(uri: uri),
                                                               position: .init(line: line, character: character)))
        return list.items.map(\.label)
    }

    func testHalfTypedVMNic() {
        XCTAssertEqual(complete("vm a {\n  nic x on n {\n    ad|"), ["address"], "a VM NIC's attributes")
        let all = complete("vm a {\n  nic x on n {\n    |")
        XCTAssertTrue(all.contains("address") && all.contains("mac") && all.contains("let"), "\(all)")
        XCTAssertFalse(all.contains("dhcp"), "\(all)")
        // a node NIC (top level, or in a host) is another block
        let node = complete("nic ens192 {\n  |\n}\n")
        XCTAssertTrue(node.contains("dhcp") && !node.contains("mac"), "\(node)")
        XCTAssertEqual(complete("host h1 {\n  nic ens192 { dh| }\n}\n"), ["dhcp"])
        // inside `for` in a VM: still the VM's block
        let loop = complete("vm a {\n  for i in [1] {\n    ima|\n  }\n}\n")
        XCTAssertEqual(loop, ["image"])
    }

    func testHalfTypedNetwork() {
        XCTAssertEqual(complete("network n {\n  bri|"), ["bridge"])
        XCTAssertEqual(complete("network n { bri|"), ["bridge"])
        XCTAssertEqual(complete("network n {\n  subnet = 10.0.0.0/24, bri|\n}\n"), ["bridge"], "after `,` in a block")
        XCTAssertEqual(complete("network n {\n  bri|\n  subnet = 10.0.0.0/24\n}\n"), ["bridge"], "followed by other items")
        // the value after `=` is a name
        let values = complete("bridge br0 { }\nnetwork n {\n  bridge = |")
        XCTAssertTrue(values.contains("br0") && values.contains("len") && values.contains("auto"), "\(values)")
        XCTAssertFalse(values.contains("subnet"))
    }

    func testMembers() {
        let defs = complete("import std.images\nvm a {\n  image = images.|")
        XCTAssertTrue(defs.contains("fedora") && defs.contains("ubuntu_2204"), "\(defs)")
        XCTAssertTrue(complete("import std.images\nvm a {\n  image = images.fe|\n}\n").allSatisfy { $0.hasPrefix("fe") })
        XCTAssertEqual(Set(complete("import std.|")), ["dns", "images", "sizes"])
        XCTAssertEqual(complete("import st|"), ["std"])
        let aliased = complete("import std.images as img\nlet x = img.|\n")
        XCTAssertTrue(aliased.contains("fedora"), "\(aliased)")
        let resource = complete("nic ens192\nbridge br0 { ports = [ens192] }\nlet p = br0.po|\n")
        XCTAssertEqual(resource, ["ports"])
        XCTAssertEqual(complete("let a = 1\nlet b = a.lan.|\n"), [], "a member of a member: not a declared name's")
    }

    func testNoCompletionWhereNothingFits() {
        XCTAssertEqual(complete("// a comment |\n"), [])
        XCTAssertEqual(complete("let s = \"some te|xt\"\n"), [])
        XCTAssertEqual(complete("vm we|"), [], "a name being declared")
        XCTAssertEqual(complete("let labels = { ke| }\n"), [], "a record key")
        // an interpolation is code
        XCTAssertTrue(complete("let n = 1\nlet s = \"x${|}\"\n").contains("n"))
    }

    func testTopLevel() {
        let top = complete("nic ens192\n|")
        XCTAssertTrue(top.contains("vm") && top.contains("import") && top.contains("fn"), "\(top)")
        XCTAssertFalse(top.contains("address"))
        XCTAssertEqual(complete("ne|"), ["network"])
        XCTAssertEqual(complete("vm a { }\nne|\n"), ["network"])
    }

    // MARK: References from the tree

    func testReferencesRespectShadowingAndInterpolation() {
        let s = LanguageServer()
        let uri = "untitled:refs"
        let text = """
            nic ens192
            bridge lan { ports = [ens192] }
            fn f(lan: Int) -> Int = lan + 1
            for lan in [1, 2] { assert lan > 0 }
            network n { bridge = lan, subnet = 10.0.0.0/24 }
            let s = "lan ${lan.name} ${ {lan = 1}.lan }"
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic lan on n
            }

            """
        s.documents[uri] = DocumentStore.Document(text: text, version: 1)
        let refs = s.references(LSP.ReferenceParams(textDocument: .init(uri: uri), position: .init(line: 1, character: 8),
                                                    context: .init(includeDeclaration: true)))
        XCTAssertEqual(refs.map(\.range.start.line), [1, 4, 5], "not the parameter, the loop variable, string text, keys or the VM NIC")
        XCTAssertEqual(refs.map(\.range.start.character), [7, 21, 15])
        let withoutDeclaration = s.references(LSP.ReferenceParams(textDocument: .init(uri: uri), position: .init(line: 4, character: 22),
                                                                  context: .init(includeDeclaration: false)))
        XCTAssertEqual(withoutDeclaration.map(\.range.start.line), [4, 5])
    }

    // MARK: Speed

    /// A `didChange` of a 200-line file is re-checked and answered in well under 20 ms (in an
    /// optimized build; a debug build is allowed more).
    func testDidChangeOf200LinesIsFast() throws {
        var text = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork lan { bridge = br0, subnet = 10.0.0.0/16 }\n"
        var i = 0
        while text.split(separator: "\n").count < 200 {
            text += "vm web-\(i) {\n  cpu = 1\n  memory = 1Gi\n  image = \"quay.io/containerdisks/fedora:40\"\n"
                + "  nic default on pod\n  nic l on lan { address = auto }\n}\n"
            i += 1
        }
        let s = LanguageServer()
        let uri = "untitled:fleet"
        func change(_ version: Int) -> Double {
            let body = JSONCoding.encode(NotificationMessage(method: "textDocument/didChange", params: LSP.DidChangeTextDocumentParams(
                textDocument: .init(uri: uri, version: version), contentChanges: [.init(range: nil, text: text + "// \(version)\n")])))
            let start = DispatchTime.now().uptimeNanoseconds
            let out = s.handle(body)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            XCTAssertEqual(out.count, 1, "one publishDiagnostics")
            return ms
        }
        _ = s.handle(JSONCoding.encode(NotificationMessage(method: "textDocument/didOpen", params: LSP.DidOpenTextDocumentParams(
            textDocument: .init(uri: uri, languageId: "wukong", version: 1, text: text)))))
        let best = (2...6).map(change).min()!
        #if DEBUG
        let limit = 200.0
        #else
        let limit = 20.0
        #endif
        XCTAssertLessThan(best, limit, "didChange of a 200-line file took \(best) ms")
        print("didChange of a \(text.split(separator: "\n").count)-line file: \(best) ms")
    }
}
