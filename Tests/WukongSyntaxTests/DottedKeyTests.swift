import XCTest
@testable import WukongSyntax

/// Dotted record keys (`a.b = 1` is `a = { b = 1 }`) and `kubevirt { }` (docs/vm-reference.md).
final class DottedKeyTests: XCTestCase {
    func testDottedKeysNestAndMerge() {
        let (a, d1) = T.parse("let r = { a.b = 1, a.c.d = 2, e = 3 }")
        let (b, d2) = T.parse("let r = { a = { b = 1, c = { d = 2 } }, e = 3 }")
        XCTAssertEqual(d1.map(\.message), [])
        XCTAssertEqual(d2.map(\.message), [])
        XCTAssertEqual(T.dump(a.items), T.dump(b.items))
    }

    func testKubevirtBlockIsARecordAttribute() {
        let (a, d1) = T.parse("vm v { kubevirt {\n  template.spec.hostname = \"x\"\n} }")
        let (b, _) = T.parse("vm v { kubevirt = {\n  template = { spec = { hostname = \"x\" } }\n} }")
        XCTAssertEqual(d1.map(\.message), [])
        XCTAssertEqual(T.dump(a.items), T.dump(b.items))
    }

    func testQuotedKeysStayWhole() {
        let (a, _) = T.parse("let r = { \"a.b\" = 1 }")
        XCTAssertTrue(T.dump(a.items).contains("a.b"), T.dump(a.items))
    }
}
