import XCTest
import Foundation
import WukongDiagnostics
import WukongSyntax
@testable import WukongLanguageServer

/// Completion and hover of schema fields inside `kubevirt { }` (KubevirtCompletion.swift).
final class KubevirtCompletionTests: XCTestCase {
    /// The site at the `|` of `text`.
    func site(_ text: String) -> KubevirtSite? {
        let bytes = Array(text.utf8)
        let offset = bytes.firstIndex(of: UInt8(ascii: "|"))!
        var without = bytes
        without.remove(at: offset)
        return KubevirtSite.locate(Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: without)), offset: offset)
    }

    func testCompletesTheFieldsAtThePath() throws {
        let top = try XCTUnwrap(site("vm a {\n  kubevirt {\n    te|\n  }\n}\n"))
        XCTAssertEqual(top.completions().map(\.label), ["template"])
        let domain = try XCTUnwrap(site("vm a {\n  kubevirt {\n    template.spec.domain.io|\n  }\n}\n"))
        XCTAssertEqual(domain.path, ["template", "spec", "domain"])
        let items = domain.completions()
        XCTAssertEqual(items.map(\.label), ["ioThreads", "ioThreadsPolicy"])
        XCTAssertNotNil(items.last?.documentation, "the schema's description")
        let nested = try XCTUnwrap(site("vm a { kubevirt {\n  template.spec = {\n    dns|\n  }\n} }\n"))
        XCTAssertEqual(nested.completions().map(\.label), ["dnsConfig", "dnsPolicy"])
    }

    func testNothingOutsideTheBlockOrInAValue() {
        XCTAssertNil(site("vm a {\n  cp|\n}\n"))
        XCTAssertNil(site("vm a {\n  kubevirt {\n    template.spec.hostname = \"x|\"\n  }\n}\n"))
        XCTAssertNil(site("vm a {\n  kubevirt { }\n  me|\n}\n"))
    }

    func testHoverShowsTypeDescriptionAndOwner() throws {
        let h = try XCTUnwrap(site("vm a { kubevirt {\n  template.spec.domain.ioThreadsPo|licy = \"auto\"\n} }\n")?.hover())
        XCTAssertTrue(h.hasPrefix("`spec.template.spec.domain.ioThreadsPolicy`: string"), h)
        XCTAssertTrue(h.contains("IOThreads"), h)
        let owned = try XCTUnwrap(site("vm a { kubevirt {\n  template.spec.evictionStra|tegy = \"None\"\n} }\n")?.hover())
        XCTAssertTrue(owned.contains("set by the compiler from `eviction`"), owned)
    }

    /// Every offset of the example and of half-typed text: an answer, never a trap.
    func testEveryOffsetAnswers() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("examples/tuned-vm.wk"), encoding: .utf8)
        for text in [example, "vm a { kubevirt { template..spec. = { = } kubevirt {{ }}}} x.", "kubevirt { a.b.c.", "kubevirt {"] {
            let bytes = Array(text.utf8)
            let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
            for offset in 0...bytes.count {
                let site = KubevirtSite.locate(lexed, offset: offset)
                _ = site?.completions()
                _ = site?.hover()
            }
        }
    }
}
