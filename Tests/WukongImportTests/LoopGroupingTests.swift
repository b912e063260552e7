import Foundation
import XCTest
import WukongCompiler
import WukongImport

/// Fleets come back as one `for` when their VMs differ by an index, addresses that grow with it,
/// their own name inside strings, or a few string values (an `if` on the index) — and the
/// objects built from the import are those of the source.
final class LoopGroupingTests: XCTestCase {
    /// source → build → import → build; the import's text and whether the objects agree.
    func roundTrip(_ source: String) throws -> String {
        let c = Driver.compile(files: [InputFile(path: "src.wk", text: source)], defaultName: "t")
        let before = try XCTUnwrap(Repo.yaml(c), "\(c.diagnostics.map(\.message))")
        let outcome = Driver.importYAML([ImportInput(path: "src.yaml", text: before)], defaultName: "t", path: "t.wk")
        XCTAssertEqual(outcome.compilation.errorCount, 0, "\(outcome.compilation.diagnostics.map(\.message))\n\(outcome.text)")
        XCTAssertEqual(Repo.yaml(outcome.compilation), before, "objects differ after the round trip\n\(outcome.text)")
        return outcome.text
    }

    func fleet(_ count: Int, labels: String) -> String {
        """
        import std.images
        topology t { namespace = "t" }
        nic eth1
        bridge br0 { ports = [eth1] }
        network lab { bridge = br0, subnet = 10.0.0.0/24 }
        for i in 1..=\(count) {
          vm "web-${i}" {
            cpu = 1
            memory = 1Gi
            image = images.ubuntu_2404
            labels = \(labels)
            run = ["echo web-${i} > /etc/motd"]
            nic lab0 on lab { address = 10.0.0.10 + i }
          }
        }
        """
    }

    func testOwnNameInStringsIsInterpolated() throws {
        let text = try roundTrip(fleet(5, labels: #"{ app = "web-${i}", tier = "front" }"#))
        XCTAssert(text.contains("for i in 1..=5 {"), text)
        XCTAssert(text.contains(#"app = "web-${i}""#), text)
        XCTAssert(text.contains(#"run = ["echo web-${i} > /etc/motd"]"#), text)
        XCTAssertEqual(text.components(separatedBy: "vm ").count, 2, text)
    }

    func testPeriodicValueBecomesARemainderRule() throws {
        let text = try roundTrip(fleet(30, labels: #"{ role = if i % 10 == 0 { "cache" } else { "app" } }"#))
        XCTAssert(text.contains(#"role = if i % 10 == 0 { "cache" } else { "app" }"#), text)
        XCTAssertEqual(text.components(separatedBy: "vm ").count, 2, text)
    }

    func testFewExceptionsAreListed() throws {
        let text = try roundTrip(fleet(12, labels: #"{ role = if i == 4 || i == 9 { "db" } else if i == 7 { "lb" } else { "app" } }"#))
        XCTAssert(text.contains(#"role = if i in [4, 9] { "db" } else if i == 7 { "lb" } else { "app" }"#), text)
    }

    func testManyDifferencesStaySeparate() throws {
        // a value per VM: no condition per four VMs, so the VMs are written one by one
        let text = try roundTrip(fleet(6, labels: #"{ shard = str(i * 7) }"#))
        XCTAssertFalse(text.contains("for i in"), text)
        XCTAssertEqual(text.components(separatedBy: "vm ").count, 7, text)
    }
}
