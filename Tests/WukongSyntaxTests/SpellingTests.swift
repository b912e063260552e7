import XCTest
import WukongDiagnostics
@testable import WukongSyntax

/// `Spelling` writes what the lexer reads back unchanged (the import writes `.wk` with it).
final class SpellingTests: XCTestCase {
    /// The decoded text of the one string literal in `let x = <literal>`, nil if it is not one
    /// plain literal (an interpolation, a lexical error).
    func readBack(_ literal: String) -> String? {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: Array("let x = \(literal)\n".utf8)))
        guard lexed.diagnostics.isEmpty else { return nil }
        var text = ""
        for t in lexed.tokens {
            switch t.kind {
            case .stringText: text += lexed.stringText(of: t) ?? ""
            case .interpolationStart, .interpolationEnd: return nil
            default: break
            }
        }
        return text
    }

    func testQuotedReadsBackUnchanged() {
        let samples = ["", "plain", "a \"quoted\" word", "back\\slash", "line\nbreak", "tab\there", "cr\r", "nul\u{0}",
                       "del\u{7F}", "${not} interpolated", "$${twice}", "$", "{$}", "ünïcödé →", "emoji 🐒", "end $"]
        for s in samples {
            XCTAssertEqual(readBack(Spelling.quoted(s)), s, Spelling.quoted(s))
        }
    }

    func testBareNamesAreTheLexersIdentifiers() {
        for name in ["br-lab", "db_1", "web-10", "ens192", "disk", "kubevirt"] { XCTAssertTrue(Spelling.isBareName(name), name) }
        // keywords, other tokens, several tokens, nothing
        for name in ["vm", "network", "for", "true", "1abc", "a.b", "a b", "bond0.100", "-x", "", "\"x\""] {
            XCTAssertFalse(Spelling.isBareName(name), name)
        }
    }

    func testBareKeysAreIdentifiersOrKeywords() {
        for key in ["ioThreadsPolicy", "for", "network", "true", "a-b", "_x"] { XCTAssertTrue(Spelling.isBareKey(key), key) }
        for key in ["a.b", "1a", "a b", "", "\"x\"", "kubevirt.io/x"] { XCTAssertFalse(Spelling.isBareKey(key), key) }
        // what is bare reads back as the same key
        let (f, d) = Parser.parse(SourceFile(id: FileID(0), path: "", text: "let r = { for = 1, a-b = 2 }\n"))
        XCTAssertEqual(d.count, 0)
        XCTAssertEqual(T.dump(f.items), "(let r {for=1 a-b=2})")
    }
}
