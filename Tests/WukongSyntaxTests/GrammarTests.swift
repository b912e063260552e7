import XCTest
import Foundation
import WukongDiagnostics
@testable import WukongSyntax

/// Checks `grammar/`: every EBNF sample parses with the real parser, every production has a
/// sample, and the TextMate grammar is well-formed.
final class GrammarTests: XCTestCase {
    static var grammarDir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("grammar")
    }

    func read(_ name: String) throws -> String {
        let url = Self.grammarDir.appendingPathComponent(name)
        return try String(contentsOf: url, encoding: .utf8)
    }

    func matches(_ pattern: String, in text: String) throws -> [[String]] {
        let re = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    func testEverySampleParsesWithoutDiagnostics() throws {
        let ebnf = try read("wukong.ebnf")
        let samples = try matches(#"\(\* sample: ([\s\S]*?) \*\)"#, in: ebnf).map { $0[1] }
        XCTAssertGreaterThan(samples.count, 50)
        for sample in samples {
            let (f, d) = T.parse(sample)
            XCTAssertEqual(d.map(\.message), [], "sample: \(sample)")
            XCTAssertFalse(f.items.isEmpty, "sample: \(sample)")
            XCTAssertFalse(T.dump(f.items).contains("<error>"), "sample: \(sample)")
        }
    }

    func testEveryProductionHasASample() throws {
        let ebnf = try read("wukong.ebnf")
        // production heads are at the start of a line: `name = …`
        let lines = ebnf.components(separatedBy: "\n")
        var current: String? = nil
        var withSample: Set<String> = []
        var all: [String] = []
        for line in lines {
            if let m = try matches(#"^([a-z][a-z0-9-]*) ="#, in: line).first {
                current = m[1]
                all.append(m[1])
            }
            if line.contains("(* sample:"), let c = current { withSample.insert(c) }
        }
        XCTAssertGreaterThan(all.count, 40)
        XCTAssertEqual(Set(all).count, all.count, "each production defined once")
        for p in all { XCTAssertTrue(withSample.contains(p), "production `\(p)` has no sample") }
        // every production used on a right-hand side is defined (or is the lexical NEWLINE)
        let defined = Set(all).union(["NEWLINE"])
        let bodies = ebnf.replacingOccurrences(of: #"\(\*[\s\S]*?\*\)"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""[^"]*"|'[^']*'|\?[^?]*\?"#, with: "", options: .regularExpression)
        for m in try matches(#"(?<![a-z0-9-])([a-z][a-z0-9-]*[a-z0-9]|NEWLINE)(?![a-z0-9-])"#, in: bodies) {
            XCTAssertTrue(defined.contains(m[1]), "`\(m[1])` is used but not defined")
        }
    }

    func testTextMateGrammarIsValid() throws {
        let data = try XCTUnwrap(try read("wukong.tmLanguage.json").data(using: .utf8))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["scopeName"] as? String, "source.wukong")
        XCTAssertEqual(json["fileTypes"] as? [String], ["wk"])
        XCTAssertNotNil(json["name"] as? String)
        XCTAssertNotNil(json["patterns"] as? [Any])
        let repo = try XCTUnwrap(json["repository"] as? [String: Any])
        for key in ["comments", "block-comment", "string", "multiline-string", "interpolation", "numbers",
                    "keywords", "attribute-names", "declarations"] {
            XCTAssertNotNil(repo[key], "repository has `\(key)`")
        }
        // every regex compiles, every include points at a repository entry
        var regexes: [String] = []
        var includes: [String] = []
        func walk(_ v: Any) {
            if let d = v as? [String: Any] {
                for (k, x) in d {
                    if ["match", "begin", "end"].contains(k), let s = x as? String { regexes.append(s) }
                    if k == "include", let s = x as? String { includes.append(s) }
                    walk(x)
                }
            } else if let a = v as? [Any] { a.forEach(walk) }
        }
        walk(json)
        XCTAssertGreaterThan(regexes.count, 20)
        for r in regexes { XCTAssertNoThrow(try NSRegularExpression(pattern: r), r) }
        for i in includes where i != "$self" {
            XCTAssertTrue(i.hasPrefix("#") && repo[String(i.dropFirst())] != nil, "include \(i)")
        }
    }

    func testTextMateKnowsEveryKeyword() throws {
        let data = try XCTUnwrap(try read("wukong.tmLanguage.json").data(using: .utf8))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let repo = try XCTUnwrap(json["repository"] as? [String: Any])
        let patterns = try XCTUnwrap((repo["keywords"] as? [String: Any])?["patterns"] as? [[String: Any]])
        let regexes = try patterns.compactMap { $0["match"] as? String }.map { try NSRegularExpression(pattern: "^(?:" + $0 + ")$") }
        for word in TokenKind.keywords {
            let hit = regexes.contains { $0.firstMatch(in: word, range: NSRange(location: 0, length: (word as NSString).length)) != nil }
            XCTAssertTrue(hit, "keyword `\(word)` is highlighted")
        }
        let unanchored = try patterns.compactMap { $0["match"] as? String }.map { try NSRegularExpression(pattern: $0) }
        for name in ["br-nic", "vm-1", "my_host", "ifname", "on-call"] {
            XCTAssertFalse(unanchored.contains { $0.firstMatch(in: name, range: NSRange(location: 0, length: (name as NSString).length)) != nil },
                           "no keyword inside the name `\(name)`")
        }
    }

    func testTextMateNumberPatterns() throws {
        let data = try XCTUnwrap(try read("wukong.tmLanguage.json").data(using: .utf8))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let repo = try XCTUnwrap(json["repository"] as? [String: Any])
        let numbers = try XCTUnwrap((repo["numbers"] as? [String: Any])?["patterns"] as? [[String: Any]])
        func scope(of text: String) throws -> String? {
            for p in numbers {
                guard let m = p["match"] as? String, let name = p["name"] as? String else { continue }
                let re = try NSRegularExpression(pattern: "^(?:" + m + ")$")
                if re.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil { return name }
            }
            return nil
        }
        XCTAssertEqual(try scope(of: "192.168.0.0/24"), "constant.numeric.ipv4.cidr.wukong")
        XCTAssertEqual(try scope(of: "10.0.0.1"), "constant.numeric.ipv4.wukong")
        XCTAssertEqual(try scope(of: "1.2.3"), "invalid.illegal.ipv4.wukong")
        XCTAssertEqual(try scope(of: "4Gi"), "constant.numeric.quantity.wukong")
        XCTAssertEqual(try scope(of: "4GB"), "invalid.illegal.quantity.wukong")
        XCTAssertEqual(try scope(of: "0x2a"), "constant.numeric.hex.wukong")
        XCTAssertEqual(try scope(of: "1_000"), "constant.numeric.integer.wukong")
    }
}

/// The repository's own `.wk` files: examples and the standard library parse clean, and every
/// byte prefix of them (what an editor sends while a user types) gives at most one diagnostic.
final class RepositoryFilesTests: XCTestCase {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func wkFiles(in dir: String) -> [(String, [UInt8])] {
        let url = Self.root.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".wk") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) else { return nil }
            return ("\(dir)/\(name)", [UInt8](data))
        }
    }

    func testExamplesAndStdlibParseClean() throws {
        let files = wkFiles(in: "examples") + wkFiles(in: "stdlib")
        try XCTSkipIf(files.isEmpty, "no examples/stdlib next to the tests")
        for (path, bytes) in files {
            let (f, d) = Parser.parse(T.source(bytes: bytes))
            XCTAssertEqual(d.map(\.message), [], path)
            XCTAssertFalse(T.dump(f.items).contains("<error>"), path)
        }
    }

    func testEveryPrefixOfTheExamples() throws {
        let files = wkFiles(in: "examples") + wkFiles(in: "stdlib")
        try XCTSkipIf(files.isEmpty, "no examples/stdlib next to the tests")
        for (path, bytes) in files {
            for n in 0...bytes.count {
                let (_, d) = Parser.parse(T.source(bytes: Array(bytes[0..<n])))
                XCTAssertTrue(d.count <= 1, "\(path) prefix \(n): \(d.map(\.message))")
            }
        }
    }
}
