import Foundation
import XCTest
import WukongCompiler
import WukongIR
import WukongGraph

enum GraphRepo {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let golden = root + "/Tests/golden/graph"

    static func topology(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> Topology {
        let c = Driver.compile(files: [InputFile(path: "t.wk", text: source)], defaultName: "t")
        guard let t = c.topology else {
            XCTFail("does not compile: " + c.diagnostics.map { "\($0.code): \($0.message)" }.joined(separator: "; "), file: file, line: line)
            throw XCTSkip("no topology")
        }
        return t
    }

    /// Compares with `Tests/golden/graph/<name>`; `WUKONG_UPDATE_GOLDEN=1` rewrites it.
    static func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = golden + "/" + name
        if ProcessInfo.processInfo.environment["WUKONG_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let want = try? String(contentsOfFile: path, encoding: .utf8) else {
            XCTFail("no golden \(path) (WUKONG_UPDATE_GOLDEN=1 writes it)", file: file, line: line)
            return
        }
        if text != want {
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let b = want.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            XCTFail("\(name) differs at line \(i + 1):\n got: \(i < a.count ? a[i] : "<end>")\nwant: \(i < b.count ? b[i] : "<end>")",
                    file: file, line: line)
        }
    }
}

final class GraphTests: XCTestCase {
    /// Two hosts, a bond under a VLAN under a linux bridge, an OVS bridge, a macvlan network,
    /// the pod network, a pinned VM, two VMs shown one by one and a fleet of six collapsed.
    static let small = """
    import std.images
    topology small { namespace = "small" }

    host worker-1 { nic ens192 { address = 10.0.0.11/24, gateway = 10.0.0.1 } }
    host worker-2 { nic ens192 { address = 10.0.0.12/24, gateway = 10.0.0.1 } }
    nic ens161
    nic ens162
    nic ens170
    nic ens180
    bond bond0 { ports = [ens161, ens162], mode = "active-backup" }
    vlan bond0-100 on bond0 { id = 100 }
    bridge br-ext { ports = [ens192] }
    bridge br-100 { ports = [bond0-100], hosts = [worker-1] }
    ovs-bridge br-ovs { ports = [ens180] }

    network lan { bridge = br-ext, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
    network data { bridge = br-100, subnet = 10.100.0.0/24 }
    network tenant { ovs = br-ovs, vlan = 7, subnet = 10.7.0.0/24 }
    network mgmt { macvlan = ens170, subnet = 192.168.100.0/24 }

    vm db {
      cpu = 4
      memory = 8Gi
      image = images.debian_12
      host = worker-1
      nic lan on lan { address = 10.0.0.50, default_route = true }
      nic data on data { address = 10.100.0.50 }
    }
    for i in 1..=2 {
      vm "web-${i}" {
        cpu = 1
        memory = 1Gi
        image = images.debian_12
        nic default on pod
        nic mgmt on mgmt { address = mgmt.subnet.host(20 + i) }
      }
    }
    for i in 1..=6 {
      vm "app-${i}" {
        cpu = 2
        memory = 2Gi
        image = images.debian_12
        nic default on pod
        nic t on tenant { address = tenant.subnet.host(10 + i) }
      }
    }
    """

    func testSmallProgramDOTAndMermaid() throws {
        let t = try GraphRepo.topology(Self.small)
        let g = TopologyGraph.build(t)
        try GraphRepo.assertGolden(g.dot(), "small.dot")
        try GraphRepo.assertGolden(g.mermaid(), "small.mmd")
        // The shape of it, independent of the goldens.
        XCTAssertEqual(g.clusters.map(\.label), ["host worker-1", "host worker-2"])
        XCTAssertEqual(g.clusters[1].nodes.map(\.title), ["ens192", "ens161", "ens162", "ens170", "ens180", "bond0", "bond0-100", "br-ext", "br-ovs"],
                       "br-100 exists on worker-1 only")
        let vmTitles = g.nodes.filter { $0.kind == .vm || $0.kind == .vmGroup }.map(\.title)
        XCTAssertEqual(vmTitles, ["db", "web-1", "web-2", "app-1 … app-6 (6 VMs)"])
        let app = try XCTUnwrap(g.nodes.first { $0.kind == .vmGroup })
        XCTAssertEqual(app.rows.map(\.text), ["default: masquerade", "t: 10.7.0.11/24 … 10.7.0.16/24"])
        // Edges end at existing nodes (and ports), so neither renderer invents nodes.
        let ids = Set(g.allNodes.map(\.id))
        for e in g.edges {
            XCTAssertTrue(ids.contains(e.from) && ids.contains(e.to), "\(e)")
            if let p = e.toPort { XCTAssertTrue(g.allNodes.first { $0.id == e.to }?.rows.contains { $0.port == p } == true, "\(e)") }
        }
        XCTAssertTrue(g.edges.contains(GraphEdge(from: "host:worker-1/bridge:br-100", to: "net:data")))
        XCTAssertTrue(g.edges.contains(GraphEdge(from: "host:worker-2/nic:ens170", to: "net:mgmt")), "macvlan sits on the NIC")
        // Deterministic: the same program gives the same text.
        XCTAssertEqual(TopologyGraph.build(try GraphRepo.topology(Self.small)).dot(), g.dot())
    }

    /// Below the threshold VMs stay one by one; at it they collapse (docs/decisions.md).
    func testCollapseThreshold() throws {
        func fleet(_ n: Int) -> String {
            """
            topology f { namespace = "f" }
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/24 }
            for i in 1..=\(n) {
              vm "app-${i}" { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/debian:12"
                nic lan on lan { address = lan.subnet.host(10 + i) } }
            }
            """
        }
        let five = TopologyGraph.build(try GraphRepo.topology(fleet(5)))
        XCTAssertEqual(five.nodes.filter { $0.kind == .vm }.count, 5)
        let six = TopologyGraph.build(try GraphRepo.topology(fleet(6)))
        XCTAssertEqual(six.nodes.filter { $0.kind == .vm || $0.kind == .vmGroup }.map(\.title), ["app-1 … app-6 (6 VMs)"])
        // Sorted by index, not as strings: app-10 comes after app-9.
        let twelve = TopologyGraph.build(try GraphRepo.topology(fleet(12)))
        XCTAssertEqual(twelve.nodes.last?.title, "app-1 … app-12 (12 VMs)")
        XCTAssertEqual(twelve.nodes.last?.rows.map(\.text), ["lan: 10.0.0.11/24 … 10.0.0.22/24"])
    }

    /// VMs whose names have no index still collapse, by their networks, once there are more
    /// VM nodes than `maxVMNodes`.
    func testUnnumberedVMsCollapseByNetworks() throws {
        let src = """
        topology f { namespace = "f" }
        for i in 1..=50 {
          vm "x${i}y" { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/debian:12"
            nic default on pod }
        }
        """
        let g = TopologyGraph.build(try GraphRepo.topology(src))
        XCTAssertEqual(g.nodes.filter { $0.kind == .vm || $0.kind == .vmGroup }.map(\.title), ["x1y, x2y, x3y, … (50 VMs)"])
        let g2 = TopologyGraph.build(try GraphRepo.topology(src), options: GraphOptions(maxVMNodes: 100))
        XCTAssertEqual(g2.nodes.filter { $0.kind == .vm }.count, 50)
    }

    /// 10 000 VMs on eight alike hosts: a picture of a few nodes, whatever the fleet's size.
    func testTenThousandVMsGiveABoundedGraph() throws {
        var src = "topology big { namespace = \"big\" }\n"
        for h in 1...8 { src += "host w-\(h) { nic ens192 { address = 10.0.0.\(10 + h)/22, gateway = 10.0.0.1 } }\n" }
        src += """
        nic ens160
        bridge br-ext { ports = [ens192] }
        bridge br-back { ports = [ens160] }
        network front { bridge = br-ext, subnet = 10.0.0.0/22 }
        network back { bridge = br-back, subnet = 10.128.0.0/16 }
        for i in 1..=10000 {
          vm "app-${i}" {
            cpu = 1
            memory = 1Gi
            image = "quay.io/containerdisks/debian:12"
            nic default on pod
            nic back on back { address = back.subnet.host(10 + i) }
          }
        }
        for i in 1..=150 {
          vm "db-${i}" { cpu = 4, memory = 8Gi, image = "quay.io/containerdisks/debian:12", host = w-1
            nic front on front { address = auto } }
          vm "db-${150 + i}" { cpu = 4, memory = 8Gi, image = "quay.io/containerdisks/debian:12", host = w-2
            nic front on front { address = auto } }
        }
        """
        let t = try GraphRepo.topology(src)
        XCTAssertEqual(t.vms.count, 10_300)
        let g = TopologyGraph.build(t)
        XCTAssertEqual(g.clusters.map(\.label), ["hosts w-1 … w-8 (8 hosts)"])
        XCTAssertEqual(g.nodes.filter { $0.kind == .vm || $0.kind == .vmGroup }.map(\.title),
                       ["app-1 … app-10000 (10000 VMs)", "db-1 … db-150 (150 VMs)", "db-151 … db-300 (150 VMs)"])
        XCTAssertLessThanOrEqual(g.allNodes.count, 12)
        XCTAssertLessThan(g.dot().utf8.count, 8_000)
        XCTAssertLessThan(g.mermaid().utf8.count, 4_000)
    }
}
