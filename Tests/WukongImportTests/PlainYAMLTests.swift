import Foundation
import XCTest
@testable import WukongImport

/// The import's YAML reader (libyaml events straight into plain values): typing, aliases,
/// duplicate keys, errors with their place, and input that would overflow a recursive reader.
final class PlainYAMLTests: XCTestCase {
    func one(_ yaml: String) -> Object? { PlainYAML.single(yaml) as? Object }

    func testScalarsAreTypedOnlyWhenPlain() throws {
        let o = try XCTUnwrap(one("""
        a: true
        b: 'true'
        c: 22.04
        d: -3
        e: "7"
        f: ~
        g:
        h: [1, null, x]
        i: 0x1F
        """))
        XCTAssertEqual(o["a"] as? Bool, true)
        XCTAssertEqual(o["b"] as? String, "true")
        XCTAssertEqual(o["c"] as? String, "22.04")
        XCTAssertEqual(o["d"] as? Int, -3)
        XCTAssertEqual(o["e"] as? String, "7")
        XCTAssertNil(o["f"])
        XCTAssertNil(o["g"])
        let h = try XCTUnwrap(o["h"] as? [Any])
        XCTAssertEqual(h.count, 3)
        XCTAssertEqual(h[0] as? Int, 1)
        XCTAssert(h[1] is NSNull)
        XCTAssertEqual(h[2] as? String, "x")
        XCTAssertEqual(o["i"] as? String, "0x1F")
    }

    func testAliasesResolveToTheirAnchor() throws {
        let o = try XCTUnwrap(one("""
        base: &b {cores: 2, tags: [x]}
        copy: *b
        name: &n web
        *n : aliased key
        """))
        XCTAssertEqual((o["copy"] as? Object)?["cores"] as? Int, 2)
        XCTAssertEqual(o["web"] as? String, "aliased key")
        XCTAssertNil(one("a: *nowhere"))
    }

    func testDuplicateKeysAndSeveralDocumentsAreErrors() {
        XCTAssertNil(one("a: 1\nb: 2\na: 3\n"))
        XCTAssertNil(one("a: ~\na: 1\n"))
        XCTAssertNil(one("a: 1\n---\nb: 2\n"))
        let (values, error) = PlainYAML.documents("a: 1\n---\nb: 2\nb: 3\n")
        XCTAssertEqual(values.count, 1)
        XCTAssertEqual(error?.line, 4)
        XCTAssertEqual(error?.problem, "mapping key `b` is written twice")
    }

    func testSyntaxErrorsCarryTheirLine() throws {
        let (values, error) = PlainYAML.documents("a: 1\nb: [1, 2\nc: 3\n")
        XCTAssertTrue(values.isEmpty)
        let e = try XCTUnwrap(error)
        XCTAssertGreaterThanOrEqual(e.line, 2)
        XCTAssertFalse(e.problem.isEmpty)
    }

    func testComplexKeysKeepTheirValueOut() throws {
        let o = try XCTUnwrap(one("? [a, b]\n: 1\nc: 2\n"))
        XCTAssertEqual(o.count, 1)
        XCTAssertEqual(o["c"] as? Int, 2)
    }

    func testDeepNestingDoesNotOverflow() {
        // no recursion in the reader: libyaml's own nesting limit, if any, is the only bound
        let depth = 50_000
        let yaml = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = PlainYAML.documents(Substring(yaml))
        let empty = PlainYAML.documents("")
        XCTAssertTrue(empty.values.isEmpty)
        XCTAssertNil(empty.error)
    }

    func testStreamWithUnreadableDocumentIsNotedByLine() {
        var notes: [ImportNote] = []
        let objects = Reader.objects(of: [ImportInput(path: "in.yaml", text: "kind: A\n---\nkind: B\nkind: C\n")], notes: &notes)
        XCTAssertEqual(objects.count, 1)
        XCTAssertEqual(notes.map(\.description), ["in.yaml: the YAML document starting at line 2 is not readable (line 4 column 1: mapping key `kind` is written twice), skipped"])
    }
}
