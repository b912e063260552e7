import XCTest
import Foundation
import WukongCompiler
import WukongIR

/// The `--emit ir` JSON is a contract: readable enum shapes, and it decodes back to the same IR.
final class IRJSONShapeTests: XCTestCase {
    func testRoundTripAndShapes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
        for name in ["lab.wk", "multi-host.wk", "sriov.wk", "ovs.wk", "bond.wk"] {
            let c = try Driver.compile(path: root.appendingPathComponent(name).path)
            let topology = try XCTUnwrap(c.topology, name)
            let json = IRJSON.encode(topology)
            XCTAssertFalse(json.contains("\"_0\""), "\(name): Swift's default payload keys leaked into the IR JSON")
            let back = try JSONDecoder().decode(Topology.self, from: Data(json.utf8))
            XCTAssertEqual(back, topology, name)
        }
    }
}
