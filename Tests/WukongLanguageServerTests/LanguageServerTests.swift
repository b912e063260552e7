import XCTest
import WukongCompiler
import WukongLanguageServer

/// `wukongc lsp`: the protocol exchange, diagnostics with UTF-16 positions, clearing them,
/// directory topologies with unsaved buffers, formatting and go-to-definition.
final class LanguageServerTests: XCTestCase {
    var nextID = 1

    func send(_ server: LanguageServer, _ method: String, _ params: [String: Any], request: Bool = false) -> [[String: Any]] {
        var msg: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params]
        if request { msg["id"] = nextID; nextID += 1 }
        let body = try! JSONSerialization.data(withJSONObject: msg)
        return server.handle(body).map { try! JSONSerialization.jsonObject(with: $0) as! [String: Any] }
    }

    func diagnostics(_ replies: [[String: Any]], for uri: String) -> [[String: Any]]? {
        for r in replies where r["method"] as? String == "textDocument/publishDiagnostics" {
            let p = r["params"] as! [String: Any]
            if p["uri"] as? String == uri { return p["diagnostics"] as? [[String: Any]] }
        }
        return nil
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wukong-lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testLifecycle() {
        let s = LanguageServer()
        let r = send(s, "initialize", ["capabilities": [:]], request: true)
        let caps = (r[0]["result"] as! [String: Any])["capabilities"] as! [String: Any]
        XCTAssertEqual(caps["documentFormattingProvider"] as? Bool, true)
        XCTAssertEqual(caps["definitionProvider"] as? Bool, true)
        let unknown = send(s, "textDocument/linkedEditingRange", [:], request: true)
        XCTAssertEqual((unknown[0]["error"] as? [String: Any])?["code"] as? Int, -32601)
        XCTAssertEqual(send(s, "shutdown", [:], request: true).count, 1)
        _ = send(s, "exit", [:])
        XCTAssertEqual(s.exitCode, 0)
        let rude = LanguageServer()
        _ = send(rude, "exit", [:])
        XCTAssertEqual(rude.exitCode, 1, "exit without shutdown")
        XCTAssertEqual(LanguageServer().handle(Data("not json".utf8)).count, 1, "a parse error is answered")
    }

    func testDiagnosticsUseUTF16AndClear() throws {
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("a.wk").absoluteString
        let s = LanguageServer()
        // "é" and "😀" before the error: 1 and 2 UTF-16 units
        let text = "let s = \"é😀\"; let x = nope\n"
        let bad = "let s = \"é😀\"\nlet x = \"é😀\" + nope\n"
        _ = text
        var r = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": bad, "languageId": "wukong"]])
        let ds = try XCTUnwrap(diagnostics(r, for: uri))
        XCTAssertEqual(ds.count, 1)
        XCTAssertEqual(ds[0]["code"] as? String, "E0201")
        let start = (ds[0]["range"] as! [String: Any])["start"] as! [String: Int]
        // `nope` starts after `let x = "é😀" + ` : 8 + 1 + 1 + 2 + 1 + 3 = 16 UTF-16 units
        XCTAssertEqual(start["line"], 1)
        XCTAssertEqual(start["character"], 16)
        r = send(s, "textDocument/didChange", ["textDocument": ["uri": uri, "version": 2],
                                               "contentChanges": [["text": "let s = 1\n"]]])
        XCTAssertEqual(diagnostics(r, for: uri)?.count, 0, "fixed: the list is cleared")
    }

    func testNotesAndHelp() throws {
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("t.wk").absoluteString
        let s = LanguageServer()
        let text = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork n { bridge = br0, subnet = 10.0.0.0/24 }\n"
            + "vm a { cpu = 1, memory = 1Gi, image = \"x\"\n  nic e on n { address = 10.0.1.5 }\n}\n"
        let r = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let ds = try XCTUnwrap(diagnostics(r, for: uri))
        let subnet = try XCTUnwrap(ds.first { $0["code"] as? String == "E0402" })
        XCTAssertTrue((subnet["message"] as! String).contains("help:"))
        let related = try XCTUnwrap(subnet["relatedInformation"] as? [[String: Any]])
        XCTAssertEqual(((related[0]["location"] as! [String: Any])["uri"] as? String), uri)
    }

    func testDirectoryTopologyWithUnsavedBuffer() throws {
        let dir = try tempDir()
        try "topology lab { namespace = \"lab\" }\nnic ens192\nbridge br0 { ports = [ens192] }\n"
            .write(to: dir.appendingPathComponent("a.wk"), atomically: true, encoding: .utf8)
        try "network n { bridge = br0, subnet = 10.0.0.0/24 }\n"
            .write(to: dir.appendingPathComponent("b.wk"), atomically: true, encoding: .utf8)
        let a = dir.appendingPathComponent("a.wk").absoluteString
        let b = dir.appendingPathComponent("b.wk").absoluteString
        let s = LanguageServer()
        var r = send(s, "textDocument/didOpen", ["textDocument": ["uri": b, "version": 1,
                                                                  "text": "network n { bridge = br0, subnet = 10.0.0.0/24 }\n"]])
        XCTAssertEqual(diagnostics(r, for: b)?.map { $0["code"] as! String }, ["W0403"], "br0 comes from a.wk")
        // an unsaved edit of a.wk renames the bridge: b.wk gets the error
        r = send(s, "textDocument/didOpen", ["textDocument": ["uri": a, "version": 1,
                                                              "text": "topology lab { namespace = \"lab\" }\nnic ens192\nbridge br1 { ports = [ens192] }\n"]])
        XCTAssertEqual(diagnostics(r, for: b)?.first?["code"] as? String, "E0201")
        // go to definition across files
        let def = send(s, "textDocument/definition", ["textDocument": ["uri": b], "position": ["line": 0, "character": 22]],
                       request: true)
        XCTAssertTrue(def[0]["result"] is NSNull, "br0 no longer exists")
        let def2 = send(s, "textDocument/definition", ["textDocument": ["uri": a], "position": ["line": 2, "character": 24]],
                        request: true)
        let loc = try XCTUnwrap(def2[0]["result"] as? [String: Any])
        XCTAssertEqual(loc["uri"] as? String, a)
        XCTAssertEqual(((loc["range"] as! [String: Any])["start"] as! [String: Int])["line"], 1)
    }

    func testFolderOfIndependentTopologiesIsCheckedFileByFile() throws {
        let dir = try tempDir()
        try "topology one {}\nlet x = 1\n".write(to: dir.appendingPathComponent("one.wk"), atomically: true, encoding: .utf8)
        try "topology two {}\nlet x = 2\n".write(to: dir.appendingPathComponent("two.wk"), atomically: true, encoding: .utf8)
        let s = LanguageServer()
        let uri = dir.appendingPathComponent("one.wk").absoluteString
        let r = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": "topology one {}\nlet x = 1\n"]])
        XCTAssertEqual(diagnostics(r, for: uri)?.count, 0, "no duplicate `x` with two.wk")
    }

    func testFormatting() throws {
        let s = LanguageServer()
        let uri = "file:///tmp/wukong-lsp-format.wk"
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": "let  a=1\n"]])
        let r = send(s, "textDocument/formatting", ["textDocument": ["uri": uri], "options": ["tabSize": 2]], request: true)
        let edits = try XCTUnwrap(r[0]["result"] as? [[String: Any]])
        XCTAssertEqual(edits.first?["newText"] as? String, "let a = 1\n")
    }

    func labels(_ reply: [[String: Any]]) -> [String] {
        ((reply[0]["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
    }

    func testCompletion() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("c.wk").absoluteString
        let text = """
            import std.images
            nic ens192
            bridge br0 { ports = [ens192] }
            network lan {
              sub
              bridge = b
            }
            vm a {
              image = images.
              nic e on lan {
                ad
              }
            }
            let z = br0.
            """
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text + "\n"]])
        func complete(_ line: Int, _ character: Int) -> [String] {
            labels(send(s, "textDocument/completion", ["textDocument": ["uri": uri], "position": ["line": line, "character": character]],
                        request: true))
        }
        XCTAssertEqual(complete(4, 5), ["subnet"], "attributes of a network block")
        XCTAssertTrue(complete(5, 12).contains("br0"), "names in a value position")
        XCTAssertTrue(complete(8, 17).contains("fedora"), "a module's definitions")
        XCTAssertEqual(complete(10, 6), ["address"], "a VM NIC's attributes (not a node NIC's)")
        let members = complete(13, 12)
        XCTAssertTrue(members.contains("ports") && members.contains("name"), "\(members)")
        XCTAssertEqual(Set(complete(0, 11)), ["dns", "images", "sizes"], "import std.")
        let top = complete(14, 0)
        XCTAssertTrue(top.contains("vm") && top.contains("network") && top.contains("let"), "\(top)")
    }

    func testHover() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("h.wk").absoluteString
        let text = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork lan {\n  bridge = br0\n  ipam = \"none\"\n}\n"
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        func hover(_ line: Int, _ character: Int) -> String? {
            let r = send(s, "textDocument/hover", ["textDocument": ["uri": uri], "position": ["line": line, "character": character]],
                         request: true)
            return ((r[0]["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        }
        XCTAssertTrue(hover(3, 12)?.contains("bridge br0 { ports = [ens192] }") ?? false, hover(3, 12) ?? "nil")
        XCTAssertTrue(hover(3, 3)?.contains("`bridge`: Bridge") ?? false, hover(3, 3) ?? "nil")
        XCTAssertTrue(hover(4, 3)?.contains("whereabouts") ?? false, hover(4, 3) ?? "nil")
        XCTAssertNil(hover(5, 0))
    }

    /// Completion, hover and definition at every position of every line of some real files and
    /// of half-typed text: answers, never a trap.
    func testEveryPositionAnswers() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var texts: [String] = []
        for name in ["lab.wk", "database.wk", "fleet-200.wk"] {
            texts.append(try String(contentsOf: root.appendingPathComponent("examples/\(name)"), encoding: .utf8))
        }
        texts.append("vm a { nic e on \"x${ 1 +\nlet = {[ .\n é😀 ..= }}}} network .")
        let s = LanguageServer()
        for (n, text) in texts.enumerated() {
            let uri = "untitled:doc-\(n)"
            _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
            for method in ["textDocument/inlayHint", "textDocument/semanticTokens/full", "textDocument/foldingRange"] {
                let r = send(s, method, ["textDocument": ["uri": uri]], request: true)
                XCTAssertNil(r.first?["error"], method)
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (l, line) in lines.enumerated() {
                for c in stride(from: 0, through: line.utf16.count + 1, by: 1) {
                    let pos: [String: Any] = ["textDocument": ["uri": uri], "position": ["line": l, "character": c]]
                    for method in ["textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/references",
                                   "textDocument/signatureHelp", "textDocument/documentHighlight"] {
                        let r = send(s, method, pos, request: true)
                        XCTAssertEqual(r.count, 1)
                        XCTAssertNil(r.first?["error"], "\(method) at \(l):\(c)")
                    }
                }
            }
        }
        // malformed parameters get an error response, not a trap
        for method in ["textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/formatting"] {
            let r = send(s, method, ["textDocument": 42, "position": ["line": "x"]], request: true)
            XCTAssertNotNil(r.first?["error"], method)
        }
        _ = send(s, "textDocument/didOpen", ["textDocument": "nonsense"])
        _ = send(s, "textDocument/didChange", ["contentChanges": 3])
    }

    func testQuickFixes() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("q.wk").absoluteString
        let text = "nic ens192\nbridge br-external { ports = [ens192] }\nnetwork n { bridge = br-externl, subnet = 10.0.0.5/24 }\n"
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let r = send(s, "textDocument/codeAction", ["textDocument": ["uri": uri],
                                                    "range": ["start": ["line": 2, "character": 25], "end": ["line": 2, "character": 25]],
                                                    "context": ["diagnostics": []]], request: true)
        let actions = try XCTUnwrap(r[0]["result"] as? [[String: Any]])
        XCTAssertEqual(actions.map { $0["title"] as? String }, ["Replace with `br-external`"])
        let changes = (actions[0]["edit"] as? [String: Any])?["changes"] as? [String: [[String: Any]]]
        XCTAssertEqual(changes?[uri]?.first?["newText"] as? String, "br-external")
        // the host-bits fix-it of the subnet, elsewhere on the line
        let r2 = send(s, "textDocument/codeAction", ["textDocument": ["uri": uri],
                                                     "range": ["start": ["line": 2, "character": 45], "end": ["line": 2, "character": 46]]],
                      request: true)
        XCTAssertEqual((r2[0]["result"] as? [[String: Any]])?.first?["title"] as? String, "Replace with `10.0.0.0/24`")
    }

    func testHoverOnAVMShowsResolvedNICs() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("v.wk").absoluteString
        let text = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork lan { bridge = br0, subnet = 10.0.0.0/24 }\n"
            + "vm web { cpu = 1, memory = 1Gi, image = \"x\"\n  nic default on pod\n  nic l on lan { address = auto }\n}\n"
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let r = send(s, "textDocument/hover", ["textDocument": ["uri": uri], "position": ["line": 3, "character": 4]], request: true)
        let value = ((r[0]["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String ?? ""
        XCTAssertTrue(value.contains("`l` on `lan`: `10.0.0.1/24`"), value)
        XCTAssertTrue(value.contains("`default` on `pod`: DHCP, MAC `"), value)
    }

    func testRenameAndReferences() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("r.wk").absoluteString
        let text = """
            nic ens192
            bridge lan { ports = [ens192] }
            network lan-net { bridge = lan, subnet = 10.0.0.0/24 }
            let names = "${lan.name}"
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic lan on lan-net { address = auto }
              labels = { lan = "x" }
            }
            let b = a.lan.address

            """
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let refs = send(s, "textDocument/references", ["textDocument": ["uri": uri], "position": ["line": 1, "character": 8],
                                                       "context": ["includeDeclaration": true]], request: true)
        let lines = (refs[0]["result"] as? [[String: Any]] ?? []).map { (($0["range"] as! [String: Any])["start"] as! [String: Int])["line"]! }
        XCTAssertEqual(lines, [1, 2, 3], "declaration, `bridge = lan`, `${lan.name}` — not the VM's NIC, the label key or the member")
        let r = send(s, "textDocument/rename", ["textDocument": ["uri": uri], "position": ["line": 2, "character": 28],
                                                "newName": "br-lan"], request: true)
        let edits = try XCTUnwrap(((r[0]["result"] as? [String: Any])?["changes"] as? [String: [[String: Any]]])?[uri])
        var out = Array(text.utf8)
        let file = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for e in edits.reversed() {
            let start = (e["range"] as! [String: Any])["start"] as! [String: Int]
            let end = (e["range"] as! [String: Any])["end"] as! [String: Int]
            let a = LanguageServerTests.offset(file, start["line"]!, start["character"]!)
            let b = LanguageServerTests.offset(file, end["line"]!, end["character"]!)
            out.replaceSubrange(a..<b, with: Array((e["newText"] as! String).utf8))
        }
        let renamed = String(decoding: out, as: UTF8.self)
        XCTAssertEqual(Driver.compile(files: [InputFile(path: "r.wk", text: renamed)], defaultName: "r").errorCount, 0, renamed)
        XCTAssertTrue(renamed.contains("bridge br-lan { ports") && renamed.contains("nic lan on lan-net"), renamed)
        let taken = send(s, "textDocument/rename", ["textDocument": ["uri": uri], "position": ["line": 1, "character": 8],
                                                    "newName": "lan-net"], request: true)
        XCTAssertNotNil(taken[0]["error"], "a name already declared")
        let invalid = send(s, "textDocument/rename", ["textDocument": ["uri": uri], "position": ["line": 1, "character": 8],
                                                      "newName": "vm"], request: true)
        XCTAssertNotNil(invalid[0]["error"], "a keyword")
    }

    static func offset(_ lines: [String], _ line: Int, _ character: Int) -> Int {
        var o = 0
        for l in lines.prefix(line) { o += l.utf8.count + 1 }
        return o + String(lines[line].utf16.prefix(character))!.utf8.count
    }

    func testDocumentSymbols() throws {
        let s = LanguageServer()
        let dir = try tempDir()
        let uri = dir.appendingPathComponent("o.wk").absoluteString
        let text = "import std.sizes\nnic ens192\nbridge br0 {\n  ports = [ens192]\n}\nlet n = 3\nfn f(i: Int) -> Int = i\n"
        _ = send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let r = send(s, "textDocument/documentSymbol", ["textDocument": ["uri": uri]], request: true)
        let symbols = try XCTUnwrap(r[0]["result"] as? [[String: Any]])
        XCTAssertEqual(symbols.map { $0["name"] as? String }, ["sizes", "ens192", "br0", "n", "f"])
        let bridge = symbols[2]
        XCTAssertEqual(((bridge["range"] as? [String: Any])?["end"] as? [String: Int])?["line"], 4, "the whole block")
        XCTAssertEqual(((bridge["selectionRange"] as? [String: Any])?["start"] as? [String: Int])?["character"], 7)
    }

    func testFraming() {
        let body = Data("{\"jsonrpc\":\"2.0\"}".utf8)
        var input = LSPFraming.frame(body) + LSPFraming.frame(body)
        func read(_ n: Int) -> Data {
            let chunk = input.prefix(n)
            input = input.dropFirst(chunk.count)
            return Data(chunk)
        }
        XCTAssertEqual(LSPFraming.readMessage(read), body)
        XCTAssertEqual(LSPFraming.readMessage(read), body)
        XCTAssertNil(LSPFraming.readMessage(read))
    }
}
