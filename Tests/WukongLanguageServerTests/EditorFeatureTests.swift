import XCTest
import WukongCompiler
import WukongIR
import WukongSema
@testable import WukongLanguageServer

/// Issue #12's editor features, each driven by JSON-RPC messages: inlay hints, semantic tokens,
/// signature help, document highlight, folding, workspace symbols, prepareRename, incremental
/// sync, completion edits, VM NIC members, `on` targets, generated VMs in the outline, code
/// actions over ranges — and the bugs: client URIs, stale diagnostics after close, folder walks.
final class EditorFeatureTests: XCTestCase {
    var nextID = 1

    func send(_ server: LanguageServer, _ method: String, _ params: [String: Any], request: Bool = false) -> [[String: Any]] {
        var msg: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params]
        if request { msg["id"] = nextID; nextID += 1 }
        let body = try! JSONSerialization.data(withJSONObject: msg)
        return server.handle(body).map { try! JSONSerialization.jsonObject(with: $0) as! [String: Any] }
    }

    func result(_ s: LanguageServer, _ method: String, _ params: [String: Any]) -> Any? {
        send(s, method, params, request: true).last?["result"]
    }

    func open(_ s: LanguageServer, _ uri: String, _ text: String) -> [[String: Any]] {
        send(s, "textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text, "languageId": "wukong"]])
    }

    func at(_ uri: String, _ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
    }

    func diagnostics(_ replies: [[String: Any]], for uri: String) -> [[String: Any]]? {
        var out: [[String: Any]]? = nil
        for r in replies where r["method"] as? String == "textDocument/publishDiagnostics" {
            let p = r["params"] as! [String: Any]
            if p["uri"] as? String == uri { out = p["diagnostics"] as? [[String: Any]] }
        }
        return out
    }

    func tempDir(_ name: String = "wukong-lsp") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func start(_ r: Any?) -> [Int] {
        let p = ((r as? [String: Any])?["start"] as? [String: Int]) ?? [:]
        return [p["line"] ?? -1, p["character"] ?? -1]
    }

    static let network = "nic ens192\nbridge br0 { ports = [ens192] }\nnetwork lan { bridge = br0, subnet = 10.0.0.0/24 }\n"

    // MARK: capabilities

    func testEveryFeatureIsAdvertised() throws {
        let s = LanguageServer()
        let caps = try XCTUnwrap((result(s, "initialize", ["capabilities": [:]]) as? [String: Any])?["capabilities"] as? [String: Any])
        for key in ["inlayHintProvider", "documentHighlightProvider", "foldingRangeProvider", "workspaceSymbolProvider"] {
            XCTAssertEqual(caps[key] as? Bool, true, key)
        }
        XCTAssertEqual((caps["renameProvider"] as? [String: Any])?["prepareProvider"] as? Bool, true)
        XCTAssertEqual((caps["textDocumentSync"] as? [String: Any])?["change"] as? Int, 2, "incremental")
        XCTAssertEqual((caps["signatureHelpProvider"] as? [String: Any])?["triggerCharacters"] as? [String], ["(", ","])
        let legend = (caps["semanticTokensProvider"] as? [String: Any])?["legend"] as? [String: Any]
        XCTAssertEqual(legend?["tokenTypes"] as? [String], SemanticCategory.legend.map(\.rawValue))
        XCTAssertEqual(Set(SemanticCategory.legend), Set(SemanticCategory.allCases))
        XCTAssertEqual((caps["semanticTokensProvider"] as? [String: Any])?["full"] as? Bool, true)
    }

    func testWatchedFilesAreRegisteredWithAClientThatCan() throws {
        let s = LanguageServer()
        _ = send(s, "initialize", ["capabilities": ["workspace": ["didChangeWatchedFiles": ["dynamicRegistration": true]]]], request: true)
        let r = send(s, "initialized", [:])
        XCTAssertEqual(r.first?["method"] as? String, "client/registerCapability")
        let reg = ((r.first?["params"] as? [String: Any])?["registrations"] as? [[String: Any]])?.first
        XCTAssertEqual(reg?["method"] as? String, "workspace/didChangeWatchedFiles")
        XCTAssertNotNil(r.first?["id"], "a request of the server's")
        XCTAssertTrue(s.handle(Data(#"{"jsonrpc":"2.0","id":"wukong-register-1","result":null}"#.utf8)).isEmpty, "its answer is not answered")
        let plain = LanguageServer()
        _ = send(plain, "initialize", ["capabilities": [:]], request: true)
        XCTAssertTrue(send(plain, "initialized", [:]).isEmpty, "a client without dynamic registration gets no request")
    }

    // MARK: 1. inlay hints

    func testInlayHintsShowWhatTheCompilerPicked() throws {
        let s = LanguageServer()
        let uri = try tempDir().appendingPathComponent("i.wk").absoluteString
        let text = EditorFeatureTests.network + """
            vm web { cpu = 1, memory = 1Gi, image = "x"
              nic default on pod
              nic l on lan { address = auto }
              nic m on lan { address = 10.0.0.50, mac = "02:00:00:00:00:01" }
            }
            for i in 1..=3 {
              vm "db-${i}" { cpu = 1, memory = 1Gi, image = "x"
                nic l on lan { address = auto }
              }
            }

            """
        _ = open(s, uri, text)
        let ir = try XCTUnwrap(Driver.compile(files: [InputFile(path: "i.wk", text: text)], defaultName: "i").topology)
        let web = try XCTUnwrap(ir.vms.first { $0.name == "web" })
        func addr(_ vm: String, _ nic: String) -> String {
            guard case .static(let a)? = ir.vms.first(where: { $0.name == vm })?.nics.first(where: { $0.name == nic })?.address else { return "?" }
            return "\(a)"
        }
        let hints = try XCTUnwrap(result(s, "textDocument/inlayHint", ["textDocument": ["uri": uri],
            "range": ["start": ["line": 0, "character": 0], "end": ["line": 20, "character": 0]]]) as? [[String: Any]])
        let byPlace = hints.map { (start(["start": $0["position"]!]), $0["label"] as! String) }
        // `auto` on line 5 ends at character 31
        XCTAssertTrue(byPlace.contains { $0.0 == [5, 31] && $0.1 == "= \(addr("web", "l"))" }, "\(byPlace)")
        XCTAssertTrue(byPlace.contains { $0.0 == [4, 13] && $0.1 == "MAC \(web.nics[0].mac)" }, "\(byPlace)")
        XCTAssertFalse(byPlace.contains { $0.0[0] == 6 }, "an address and a MAC written: nothing to show")
        let loop = try XCTUnwrap(byPlace.first { $0.0 == [10, 33] }?.1, "\(byPlace)")
        XCTAssertEqual(loop, "= \(addr("db-1", "l")) … \(addr("db-3", "l")) (3 VMs)")
        // an edit not yet checked into an IR: no hints at stale places
        _ = send(s, "textDocument/didChange", ["textDocument": ["uri": uri, "version": 2],
                                               "contentChanges": [["range": ["start": ["line": 0, "character": 0], "end": ["line": 0, "character": 0]],
                                                                   "text": "let broken = \n"]]])
        XCTAssertEqual((result(s, "textDocument/inlayHint", ["textDocument": ["uri": uri]]) as? [Any])?.count, 0)
    }

    // MARK: 2. semantic tokens

    func testSemanticTokens() throws {
        let s = LanguageServer()
        let uri = "untitled:tokens"
        _ = open(s, uri, "let a = len(\"é😀\") // note\nnetwork n { subnet = 10.0.0.0/24 }\n")
        let data = try XCTUnwrap((result(s, "textDocument/semanticTokens/full", ["textDocument": ["uri": uri]]) as? [String: Any])?["data"] as? [Int])
        XCTAssertEqual(data.count % 5, 0)
        var line = 0, char = 0
        var tokens: [(Int, Int, Int, String)] = []
        for i in stride(from: 0, to: data.count, by: 5) {
            line += data[i]
            char = data[i] == 0 ? char + data[i + 1] : data[i + 1]
            tokens.append((line, char, data[i + 2], SemanticCategory.legend[data[i + 3]].rawValue))
        }
        let names = tokens.map { "\($0.0):\($0.1):\($0.2):\($0.3)" }
        XCTAssertEqual(Array(names.prefix(8)), ["0:0:3:keyword", "0:4:1:variable", "0:6:1:operator", "0:8:3:function",
                                                "0:12:1:string", "0:13:3:string", "0:16:1:string", "0:19:7:comment"],
                       "UTF-16 lengths: é😀 is 3 units")
        XCTAssertTrue(names.contains("1:12:6:property"), "an attribute name: \(names)")
        XCTAssertTrue(names.contains("1:21:11:number"), "\(names)")
        // a token may not span lines: a block comment is one token per line
        _ = open(s, "untitled:multi", "/* a\nbc */ let x = 1\n")
        let multi = try XCTUnwrap((result(s, "textDocument/semanticTokens/full", ["textDocument": ["uri": "untitled:multi"]]) as? [String: Any])?["data"] as? [Int])
        XCTAssertEqual(Array(multi.prefix(10)), [0, 0, 4, SemanticCategory.legend.firstIndex(of: .comment)!, 0,
                                                 1, 0, 5, SemanticCategory.legend.firstIndex(of: .comment)!, 0])
    }

    // MARK: 3. signature help

    func testSignatureHelpForFnAndBuiltins() throws {
        let s = LanguageServer()
        let uri = "untitled:sig"
        _ = open(s, uri, "fn add(a: Int, b: [Int]) -> Int = a + len(b)\nlet y = add(1, [2])\nlet z = len(\"x\")\n")
        let help = try XCTUnwrap(result(s, "textDocument/signatureHelp", at(uri, 1, 15)) as? [String: Any])
        let sig = try XCTUnwrap((help["signatures"] as? [[String: Any]])?.first)
        XCTAssertEqual(sig["label"] as? String, "add(a: Int, b: [Int]) -> Int")
        XCTAssertEqual((sig["parameters"] as? [[String: Any]])?.map { $0["label"] as! [Int] }, [[4, 10], [12, 20]])
        XCTAssertEqual(help["activeParameter"] as? Int, 1)
        let builtin = try XCTUnwrap(result(s, "textDocument/signatureHelp", at(uri, 2, 12)) as? [String: Any])
        let len = try XCTUnwrap(LanguageFacts.builtinFunctionFacts.first { $0.name == "len" })
        XCTAssertEqual(((builtin["signatures"] as? [[String: Any]])?.first)?["label"] as? String, len.signature)
        XCTAssertTrue(result(s, "textDocument/signatureHelp", at(uri, 2, 3)) is NSNull, "not in a call")
    }

    /// Signature help at the `|` of `line`, appended to `prelude` (opened as its own document).
    func signatureHelp(_ s: LanguageServer, prelude: String, _ line: String) -> Any? {
        let uri = "untitled:method-\(nextID)"
        let before = (prelude + line)[..<(prelude + line).range(of: "|")!.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        _ = open(s, uri, prelude + line.replacingOccurrences(of: "|", with: "") + "\n")
        return result(s, "textDocument/signatureHelp", at(uri, before.count - 1, before.last!.utf16.count))
    }

    /// The label, parameter ranges and active parameter of a signature help answer.
    func signature(_ help: Any?, file: StaticString = #filePath, line: UInt = #line) -> (String, [[Int]], Int)? {
        guard let help = help as? [String: Any], let sig = (help["signatures"] as? [[String: Any]])?.first else {
            XCTFail("no signature help: \(String(describing: help))", file: file, line: line)
            return nil
        }
        return (sig["label"] as? String ?? "", (sig["parameters"] as? [[String: Any]])?.map { $0["label"] as! [Int] } ?? [],
                help["activeParameter"] as? Int ?? -1)
    }

    static let methods = EditorFeatureTests.network + """
        for i in 1..=2 {
          vm "db-${i}" { cpu = 1, memory = 1Gi, image = "x"
            nic eth1 on lan { address = auto }
          }
        }
        let subnet = 10.0.0.0/24
        let typed: CIDR = "10.2.0.0/24"
        let alias = subnet
        let net = { subnet = 10.1.0.0/24, inner = { cidr = typed } }
        fn f(x: IP, y: Int) -> IP = x + y

        """

    func testSignatureHelpForMethodsFromTheLanguageTable() throws {
        let s = LanguageServer()
        let host = try XCTUnwrap(LanguageFacts.members(ofType: "CIDR").first { $0.name == "host" })
        let contains = try XCTUnwrap(LanguageFacts.members(ofType: "CIDR").first { $0.name == "contains" })
        let listContains = try XCTUnwrap(LanguageFacts.members(ofType: "[Int]").first { $0.name == "contains" })
        XCTAssertEqual(host.signature, ".host(n: Int) -> IP")
        let hostHelp = try XCTUnwrap(signature(signatureHelp(s, prelude: Self.methods, "let a = subnet.host(|")))
        XCTAssertEqual(hostHelp.0, host.signature)
        XCTAssertEqual(hostHelp.1, [[6, 12]])
        XCTAssertEqual(hostHelp.2, 0)
        let doc = ((signatureHelp(s, prelude: Self.methods, "let a = subnet.host(|") as? [String: Any])?["signatures"] as? [[String: Any]])?
            .first?["documentation"] as? [String: Any]
        XCTAssertEqual(doc?["value"] as? String, host.doc)
        // the one parameter stays active past a comma (too many arguments); the receiver kinds
        let cases: [(String, String, Int)] = [
            ("let a = subnet.host(1, |", host.signature, 0),
            ("let a = subnet.contains(|", contains.signature, 0),
            ("let a = alias.host(|", host.signature, 0),                       // a `let` of a `let`
            ("let a = typed.host(|", host.signature, 0),                       // an annotated `let`
            ("let a = net.subnet.host(|", host.signature, 0),                  // a record field
            ("let a = net.inner.cidr.host(|", host.signature, 0),              // a nested record field
            ("let a = lan.subnet.host(|", host.signature, 0),                  // a network's attribute
            ("let a = 10.0.0.0/24.host(|", host.signature, 0),                 // a CIDR literal
            ("let a = (10.0.0.0/24).host(|", host.signature, 0),               // parenthesized
            ("let a = 10.0.0.7/24.network.contains(|", contains.signature, 0), // an IfAddr literal's member
            ("let a = cidr(\"10.0.0.0/24\").host(|", host.signature, 0),       // a built-in's result
            ("let a = [1, 2].contains(|", listContains.signature, 0),          // a list literal
            ("let a = (1..3).contains(|", "", -1),                             // an operator's result: unknown
            ("fn g(c: CIDR) -> IP = c.host(|", host.signature, 0),             // a `fn` parameter in its body
            ("fn g(n: Network) -> IP = n.subnet.host(|", host.signature, 0),   // a resource-typed parameter's attribute
            ("let a = subnet.host(len(\"a,b)(\")|", host.signature, 0),        // `,` `(` `)` in a string
            ("for i in 1..=2 {\n  let s = lan.subnet\n  let t = s\n  let a = t.host(|", host.signature, 0),  // `let`s in a block
            ("vm v {\n  let s = net\n  nic n on lan { address = s.subnet.host(|", host.signature, 0),
            ("if true {\n  let net = 1\n}\nlet a = net.subnet.host(|", host.signature, 0),  // not the block's `let`
        ]
        for (line, label, active) in cases {
            let help = signatureHelp(s, prelude: Self.methods, line)
            if label.isEmpty { XCTAssertTrue(help is NSNull, line); continue }
            guard let sig = signature(help) else { continue }
            XCTAssertEqual(sig.0, label, line)
            XCTAssertEqual(sig.1.count, 1, line)
            XCTAssertEqual(sig.2, active, line)
        }
    }

    func testSignatureHelpOfCallsAroundMethodCalls() throws {
        let s = LanguageServer()
        let fn = "f(x: IP, y: Int) -> IP"
        let cases: [(String, String, Int)] = [
            ("let a = f(subnet.host(1), |", fn, 1),          // nested: the outer call after the inner one closed
            ("let a = f(subnet.host(|1), 2)", ".host(n: Int) -> IP", 0),
            ("let a = f(subnet.host(1), len(\"(,\") + |", fn, 1),
            ("let a = f(ip(\"10.0.0.1\"), |", fn, 1),
            ("let a = f(\"a(b,c\", |", fn, 1),               // `(` and `,` inside a string
            ("let a = f(|", fn, 0),
        ]
        for (line, label, active) in cases {
            guard let sig = signature(signatureHelp(s, prelude: Self.methods, line)) else { continue }
            XCTAssertEqual(sig.0, label, line)
            XCTAssertEqual(sig.2, active, line)
        }
        let params = try XCTUnwrap(signature(signatureHelp(s, prelude: Self.methods, "let a = f(subnet.host(1), |")))
        XCTAssertEqual(params.1, [[2, 7], [9, 15]])
    }

    func testNoSignatureHelpOnUnknownReceiversOrProperties() throws {
        let s = LanguageServer()
        for line in [
            "let a = nothing.host(|",                   // an unknown name
            "for n in [subnet] { let z = n.host(| }",   // a loop variable: not known statically
            "let a = \"10.0.0.0/24\".host(|",           // a String has no `host`
            "let a = subnet.size(|",                    // a property, not a method
            "let a = subnet.nope(|",
            "let a = db-1.eth1.address(|",              // a VM NIC's members take no arguments
            "let a = db-1.eth1.name(|",
            "let a = lan.nope.host(|",
            "let a = net.missing.host(|",
            "let a = .host(|",
            "let a = ).host(|",
            "let a = 1.host(|",
            "let a = f(1, 2).host(|",                   // an IP has no methods
            "let loop = loop.host(|",
            "for i in [1] {\n  let subnet = 1\n  let a = subnet.host(|",  // the block's `let` hides the top-level one
            ".f(|",                                     // a dot with no receiver is no call of `f`
        ] {
            XCTAssertTrue(signatureHelp(s, prelude: Self.methods, line) is NSNull, line)
        }
        // a cycle between `let`s ends (the compiler reports it)
        XCTAssertTrue(signatureHelp(s, prelude: "let p = q\nlet q = p\n", "let a = p.host(|") is NSNull)
    }

    func testCompletionOfMembersOfTypedValues() throws {
        let s = LanguageServer()
        func items(_ line: String) -> [[String: Any]] {
            let uri = "untitled:complete-\(nextID)"
            let lines = Self.methods.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            let column = line.utf16.distance(from: line.utf16.startIndex, to: line.range(of: "|")!.lowerBound.samePosition(in: line.utf16)!)
            _ = open(s, uri, Self.methods + line.replacingOccurrences(of: "|", with: "") + "\n")
            return (result(s, "textDocument/completion", at(uri, lines, column)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        }
        let cidr = LanguageFacts.members(ofType: "CIDR")
        for line in ["let a = subnet.|", "let a = net.subnet.|", "let a = lan.subnet.|", "let a = 10.0.0.0/24.|", "let a = subnet.|host(1)"] {
            let got = items(line)
            XCTAssertEqual(got.map { $0["label"] as? String }, cidr.map(\.name), line)
            let host = got.first { $0["label"] as? String == "host" }
            XCTAssertEqual(host?["detail"] as? String, ".host(n: Int) -> IP", line)
            XCTAssertEqual(host?["kind"] as? Int, LSP.CompletionItemKind.method.rawValue, line)
            // inserted as the name alone, as built-in functions are (the signature help then opens on `(`)
            XCTAssertEqual((host?["textEdit"] as? [String: Any])?["newText"] as? String, "host", line)
        }
        XCTAssertEqual(items("let a = subnet.ho|").map { $0["label"] as? String }, ["host"])
        XCTAssertEqual(items("let a = f(subnet.ho|").map { $0["label"] as? String }, ["host"], "inside an unclosed call")
        XCTAssertEqual(items("let a = db-1.eth1.address.|").map { $0["label"] as? String },
                       LanguageFacts.members(ofType: "IP").map(\.name), "a VM NIC's address is an IP")
        XCTAssertEqual(items("let a = nothing.|").count, 0)
        XCTAssertEqual(items("let a = net.|").map { $0["label"] as? String }, ["subnet", "inner"], "a record's fields")
        let network = items("fn g(n: Network) -> IP = n.|").compactMap { $0["label"] as? String }
        XCTAssertEqual(network, ["name"] + LanguageFacts.attributes(of: .network).map(\.name), "a Network parameter's members")
    }

    // MARK: 4. document highlight, 7. prepareRename

    func testDocumentHighlightAndPrepareRename() throws {
        let s = LanguageServer()
        let uri = try tempDir().appendingPathComponent("h.wk").absoluteString
        _ = open(s, uri, EditorFeatureTests.network + "let b = br0.name\n")
        let hs = try XCTUnwrap(result(s, "textDocument/documentHighlight", at(uri, 1, 8)) as? [[String: Any]])
        XCTAssertEqual(hs.map { start($0["range"]) }, [[1, 7], [2, 23], [3, 8]])
        XCTAssertEqual(hs.map { $0["kind"] as? Int }, [3, 2, 2], "the declaration writes")
        let prep = try XCTUnwrap(result(s, "textDocument/prepareRename", at(uri, 3, 9)) as? [String: Any])
        XCTAssertEqual(prep["placeholder"] as? String, "br0")
        XCTAssertEqual(start(prep["range"]), [3, 8])
        let refused = send(s, "textDocument/prepareRename", at(uri, 2, 14), request: true)
        XCTAssertNotNil(refused[0]["error"], "an attribute name is not renamed")
    }

    // MARK: 5. folding ranges

    func testFoldingRanges() throws {
        let s = LanguageServer()
        let uri = "untitled:fold"
        let text = "import std.sizes\nimport std.images\n// one\n// two\nvm a {\n  cpu = 1\n  nic e on pod {\n    metric = 1\n  }\n}\n"
        _ = open(s, uri, text)
        let folds = try XCTUnwrap(result(s, "textDocument/foldingRange", ["textDocument": ["uri": uri]]) as? [[String: Any]])
        let got = folds.map { "\($0["startLine"]!)-\($0["endLine"]!)-\($0["kind"] as? String ?? "code")" }
        XCTAssertEqual(got, ["0-1-imports", "2-3-comment", "4-9-code", "6-8-code"])
    }

    // MARK: 6. workspace symbols, 11. generated VMs in the outline

    func testWorkspaceSymbolsAndGeneratedVMs() throws {
        let s = LanguageServer()
        let uri = try tempDir().appendingPathComponent("w.wk").absoluteString
        _ = open(s, uri, EditorFeatureTests.network + "for i in 1..=2 {\n  vm \"db-${i}\" { cpu = 1, memory = 1Gi, image = \"x\"\n    nic l on lan { address = auto }\n  }\n}\n")
        let outline = try XCTUnwrap(result(s, "textDocument/documentSymbol", ["textDocument": ["uri": uri]]) as? [[String: Any]])
        XCTAssertEqual(outline.map { $0["name"] as? String }, ["ens192", "br0", "lan", "db-1", "db-2"])
        XCTAssertEqual(start(outline[3]["selectionRange"]), [4, 5])
        let found = try XCTUnwrap(result(s, "workspace/symbol", ["query": "db2"]) as? [[String: Any]])
        XCTAssertEqual(found.map { $0["name"] as? String }, ["db-2"])
        XCTAssertEqual((found[0]["location"] as? [String: Any])?["uri"] as? String, uri)
        let bridges = try XCTUnwrap(result(s, "workspace/symbol", ["query": "BR"]) as? [[String: Any]])
        XCTAssertEqual(bridges.map { $0["name"] as? String }, ["br0"])
    }

    // MARK: 8. incremental sync

    func testIncrementalSyncUsesUTF16() throws {
        let s = LanguageServer()
        let uri = "untitled:inc"
        _ = open(s, uri, "let s = \"é😀\"\nlet x = 1\n")
        // replace `1` (line 1, char 8) and insert after the emoji (UTF-16 char 11 on line 0)
        let r = send(s, "textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [
            ["range": ["start": ["line": 1, "character": 8], "end": ["line": 1, "character": 9]], "text": "nope"],
            ["range": ["start": ["line": 0, "character": 11], "end": ["line": 0, "character": 11]], "text": "!"],
        ]])
        XCTAssertEqual(s.documents[uri]?.text, "let s = \"é😀!\"\nlet x = nope\n")
        XCTAssertEqual(diagnostics(r, for: uri)?.first?["code"] as? String, "E0201")
        _ = send(s, "textDocument/didChange", ["textDocument": ["uri": uri, "version": 3], "contentChanges": [["text": "let a = 1\n"]]])
        XCTAssertEqual(s.documents[uri]?.text, "let a = 1\n", "a change without a range is the whole text")
    }

    // MARK: 9. completion edits, 10. VM NIC members and `on`

    func labels(_ r: Any?) -> [String] {
        ((r as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
    }

    func testCompletionReplacesTheWholeDashedWord() throws {
        let s = LanguageServer()
        let uri = "untitled:dash"
        _ = open(s, uri, "nic ens192\nbridge br-lab { ports = [ens192] }\nnetwork n { bridge = br-lb, subnet = 10.0.0.0/24 }\n")
        let r = try XCTUnwrap(result(s, "textDocument/completion", at(uri, 2, 25)) as? [String: Any])
        let item = try XCTUnwrap((r["items"] as? [[String: Any]])?.first { $0["label"] as? String == "br-lab" })
        let edit = try XCTUnwrap(item["textEdit"] as? [String: Any])
        XCTAssertEqual(edit["newText"] as? String, "br-lab")
        let range = try XCTUnwrap(edit["range"] as? [String: Any])
        XCTAssertEqual(start(range), [2, 21], "from the word's start (`br-l`), not after the dash")
        XCTAssertEqual(((range["end"] as? [String: Int]))?["character"], 26, "to its end (`b` after the cursor)")
        XCTAssertEqual(item["filterText"] as? String, "br-lab")
    }

    func testMembersOfVMNicsAndOnTargets() throws {
        let s = LanguageServer()
        let uri = try tempDir().appendingPathComponent("m.wk").absoluteString
        let text = EditorFeatureTests.network + """
            for i in 1..=2 {
              vm "db-${i}" { cpu = 1, memory = 1Gi, image = "x"
                nic l on lan { address = auto }
              }
            }
            vm web { cpu = 1, memory = 1Gi, image = "x"
              nic e on 
            }
            let a = db-1.
            let b = db-1.l.

            """
        _ = open(s, uri, text)
        let vmMembers = labels(result(s, "textDocument/completion", at(uri, 11, 13)))
        XCTAssertEqual(Array(vmMembers.prefix(2)), ["name", "l"], "the NICs first, then the attributes (`web.cpu`)")
        XCTAssertTrue(vmMembers.contains("cpu"))
        let members = labels(result(s, "textDocument/completion", at(uri, 12, 15)))
        XCTAssertTrue(Set(["name", "network", "address"]).isSubset(of: Set(members)), "\(members)")
        XCTAssertEqual(labels(result(s, "textDocument/completion", at(uri, 9, 11))), ["lan", "pod"], "only networks and pod")
    }

    // MARK: 12. code actions over ranges; bug (a): the client's URI

    func testCodeActionsForRangesOverlappingAndClientURI() throws {
        // a folder with a space and a non-ASCII letter; the client writes lower-case escapes
        let dir = try tempDir("wukong lsp é")
        let built = dir.appendingPathComponent("q.wk").absoluteString
        let uri = built.replacingOccurrences(of: "%C3%A9", with: "%c3%a9")
        XCTAssertNotEqual(uri, built)
        let s = LanguageServer()
        let text = "nic ens192\nbridge br-external { ports = [ens192] }\nnetwork n { bridge = br-externl, subnet = 10.0.0.0/24 }\n"
        let r = open(s, uri, text)
        XCTAssertEqual(diagnostics(r, for: uri)?.first?["code"] as? String, "E0201", "published under the client's URI")
        XCTAssertNil(diagnostics(r, for: built))
        for (from, to) in [([0, 0], [2, 60]), ([2, 30], [2, 40]), ([2, 21], [2, 21]), ([1, 5], [2, 22])] {
            let actions = result(s, "textDocument/codeAction", ["textDocument": ["uri": uri],
                "range": ["start": ["line": from[0], "character": from[1]], "end": ["line": to[0], "character": to[1]]]]) as? [[String: Any]]
            XCTAssertEqual(actions?.first?["title"] as? String, "Replace with `br-external`", "\(from)-\(to)")
            let changes = (actions?.first?["edit"] as? [String: Any])?["changes"] as? [String: Any]
            XCTAssertEqual(changes.map { Array($0.keys) }, [uri])
        }
        let none = result(s, "textDocument/codeAction", ["textDocument": ["uri": uri],
            "range": ["start": ["line": 0, "character": 0], "end": ["line": 1, "character": 3]]]) as? [Any]
        XCTAssertEqual(none?.count, 0)
    }

    // MARK: bug (b): stale diagnostics after closing an unsaved file

    func testClosingAnUnsavedFileRechecksTheOthers() throws {
        let dir = try tempDir()
        let aText = "topology lab { namespace = \"lab\" }\nnic ens192\nbridge br0 { ports = [ens192] }\n"
        try aText.write(to: dir.appendingPathComponent("a.wk"), atomically: true, encoding: .utf8)
        try "network n { bridge = br0, subnet = 10.0.0.0/24 }\n".write(to: dir.appendingPathComponent("b.wk"), atomically: true, encoding: .utf8)
        let a = dir.appendingPathComponent("a.wk").absoluteString, b = dir.appendingPathComponent("b.wk").absoluteString
        let s = LanguageServer()
        _ = open(s, b, "network n { bridge = br0, subnet = 10.0.0.0/24 }\n")
        var r = open(s, a, aText.replacingOccurrences(of: "br0", with: "br1"))
        XCTAssertEqual(diagnostics(r, for: b)?.first?["code"] as? String, "E0201", "the unsaved rename breaks b.wk")
        r = send(s, "textDocument/didClose", ["textDocument": ["uri": a]])
        let after = try XCTUnwrap(diagnostics(r, for: b), "b.wk is checked again with a.wk from disk")
        XCTAssertFalse(after.contains { $0["code"] as? String == "E0201" }, "\(after)")
    }

    // MARK: bug (c): the folder is walked once, not per request

    func testFolderListingIsCachedUntilAFileEvent() throws {
        let dir = try tempDir()
        let other = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        for i in 0..<1500 { FileManager.default.createFile(atPath: other.appendingPathComponent("f\(i).txt").path, contents: Data()) }
        try "topology lab {}\nnic ens192\n".write(to: dir.appendingPathComponent("a.wk"), atomically: true, encoding: .utf8)
        try "bridge br0 { ports = [ens192] }\n".write(to: dir.appendingPathComponent("b.wk"), atomically: true, encoding: .utf8)
        let b = dir.appendingPathComponent("b.wk").absoluteString
        let s = LanguageServer()
        _ = open(s, b, "bridge br0 { ports = [ens192] }\n")
        let walked = s.documents.walks
        XCTAssertGreaterThan(walked, 0)
        for method in ["textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/documentHighlight"] {
            _ = send(s, method, at(b, 0, 23), request: true)
        }
        _ = send(s, "textDocument/didChange", ["textDocument": ["uri": b, "version": 2], "contentChanges": [["text": "bridge br0 { ports = [ens192] }\n"]]])
        XCTAssertEqual(s.documents.walks, walked, "requests and edits reuse the listing")
        // a new file appears: the watched-files event makes the next request walk again
        try "network lan { bridge = br0, subnet = 10.0.0.0/24 }\n".write(to: dir.appendingPathComponent("c.wk"), atomically: true, encoding: .utf8)
        _ = send(s, "workspace/didChangeWatchedFiles", ["changes": [["uri": dir.appendingPathComponent("c.wk").absoluteString, "type": 1]]])
        XCTAssertEqual(s.documents.walks, walked + 1)
        let def = result(s, "textDocument/definition", at(b, 0, 23)) as? [String: Any]
        XCTAssertNotNil(def)
        let syms = try XCTUnwrap(result(s, "workspace/symbol", ["query": "lan"]) as? [[String: Any]])
        XCTAssertEqual(syms.map { $0["name"] as? String }, ["lan"], "c.wk joined the topology")
    }
}
