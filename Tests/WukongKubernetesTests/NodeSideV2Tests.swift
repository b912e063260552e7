import Foundation
import XCTest
import WukongCompiler
import WukongDiagnostics
import WukongIR
@testable import WukongKubernetes

/// LANGUAGE.md §7 v2, node side: per-host policies for members that exist only on some hosts,
/// NICs listed for their `mtu`, node-address takeover with the NIC's MAC, routes and DNS.
final class NodeSideV2Tests: XCTestCase {
    func compile(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> Topology {
        let c = Driver.compile(files: [InputFile(path: "lab.wk", text: source)], defaultName: "lab")
        XCTAssertEqual(c.diagnostics.filter { $0.severity == .error }.map { "\($0.code.rawValue) \($0.message)" }, [],
                       file: file, line: line)
        return try XCTUnwrap(c.topology, file: file, line: line)
    }

    func policies(_ t: Topology) throws -> [[String: Any]] {
        try parsed(KubernetesBackend.objects(for: t)).filter { $0["kind"] as? String == "NodeNetworkConfigurationPolicy" }
    }

    func interfaces(_ policy: [String: Any]) throws -> [[String: Any]] {
        try XCTUnwrap(dig(policy, "spec", "desiredState", "interfaces") as? [[String: Any]])
    }

    /// A bond of NICs declared only inside a host exists on that host only — even when it is the
    /// only host declared (the cluster has other nodes): per-host policies with hostname selectors,
    /// and the VMs on its bridge go where the bridge is built.
    func testBondOfHostOnlyNicsGetsPerHostPolicies() throws {
        let t = try compile("""
            host worker-1 { hostname = "worker-1.lab"
              nic ens161
              nic ens162
            }
            host worker-2 { hostname = "worker-2.lab"
              nic ens161
              nic ens162
            }
            host worker-3
            nic ens192
            bond bond0 { ports = [ens161, ens162] }
            bridge br-data { ports = [bond0], hosts = [worker-1, worker-2] }
            bridge br-lan { ports = [ens192] }
            network data { bridge = br-data }
            network lan { bridge = br-lan }
            vm db { cpu = 1, memory = 1Gi, image = "x"
              nic d on data
            }
            vm web { cpu = 1, memory = 1Gi, image = "x"
              nic l on lan
            }
            """)
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-data-worker-1", "lab-br-data-worker-2", "lab-br-lan"])
        XCTAssertEqual(t.policies.map(\.nodeSelector), [
            [KeyValue("kubernetes.io/hostname", "worker-1.lab")], [KeyValue("kubernetes.io/hostname", "worker-2.lab")], []])
        XCTAssertEqual(t.policies[0].interfaces, [.bond("bond0"), .bridge("br-data")])
        XCTAssertEqual(t.vms.map(\.affinityHostnames), [["worker-1.lab", "worker-2.lab"], nil])

        // One host declared: the bond (and the bridge over it, which has no `hosts`) exists there only.
        let one = try compile("""
            host worker-1 { hostname = "worker-1.lab"
              nic ens161
              nic ens162
            }
            bond bond0 { ports = [ens161, ens162], mtu = 9000 }
            bridge br-data { ports = [bond0], mtu = 9000 }
            network data { bridge = br-data }
            vm db { cpu = 1, memory = 1Gi, image = "x"
              nic d on data
            }
            """)
        XCTAssertEqual(one.policies.map(\.name), ["lab-br-data-worker-1"])
        XCTAssertEqual(one.policies[0].nodeSelector, [KeyValue("kubernetes.io/hostname", "worker-1.lab")])
        XCTAssertEqual(one.bridges[0].hosts, ["worker-1"])
        XCTAssertEqual(one.vms[0].affinityHostnames, ["worker-1.lab"])
        let nncp = try policies(one)
        XCTAssertEqual(dig(nncp[0], "spec", "nodeSelector") as? [String: String], ["kubernetes.io/hostname": "worker-1.lab"])

        // A VLAN on a host-only NIC under a macvlan network: its own per-host policy.
        let vlan = try compile("""
            host w1 { nic ens170 }
            host w2
            vlan v300 on ens170 { id = 300 }
            network mv { macvlan = v300 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic a on mv
            }
            """)
        XCTAssertEqual(vlan.policies.map(\.name), ["lab-v300-w1"])
    }

    /// A NIC that sets `mtu` is listed: as a bridge port with IPv4 disabled and its per-host mtu,
    /// as a VLAN base or on its own with its node addressing, default route and DNS.
    /// A bridge without `hosts` straight over a NIC declared in one host exists there only: its
    /// policy is that host's (the twin's per-host-policy fixture), and its VMs follow it.
    func testBridgeOverHostOnlyNicIsPerHost() throws {
        let t = try compile("""
            host worker-1 {
              nic ens161
              nic ens162
            }
            host worker-2 {
              nic ens161
              nic ens162
            }
            nic ens192
            nic ens193
            bridge br-data { ports = [ens161] }
            bridge br-both { ports = [ens162, ens193] }
            bridge br-lan { ports = [ens192] }
            network data { bridge = br-data }
            network both { bridge = br-both }
            network lan { bridge = br-lan }
            vm db { cpu = 1, memory = 1Gi, image = "x:1"
              nic d on data
            }
            vm web { cpu = 1, memory = 1Gi, image = "x:1"
              nic b on both
              nic l on lan
            }
            """)
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-data-worker-1", "lab-br-data-worker-2",
                                                "lab-br-both-worker-1", "lab-br-both-worker-2", "lab-br-lan"])
        XCTAssertEqual(t.policies.map(\.nodeSelector.first?.value), ["worker-1", "worker-2", "worker-1", "worker-2", nil])
        XCTAssertEqual(t.vms.map(\.affinityHostnames), [["worker-1", "worker-2"], ["worker-1", "worker-2"]])
    }

    func testNicWithMtuIsListedWithItsAddressing() throws {
        let t = try compile("""
            host w1 { nic ens224 { mtu = 9000 } }
            host w2 { nic ens224 { mtu = 9216 } }
            nic ens170 { address = 10.0.0.5/24, gateway = 10.0.0.1, dns = [10.0.0.53], mtu = 9000 }
            nic ens180 { dhcp = true, mtu = 9000 }
            nic ens190 { mtu = 1400 }                  // a macvlan link only: not listed
            vlan v100 on ens170 { id = 100, mtu = 9000 }
            bridge br-storage { ports = [ens224], mtu = 9000 }
            bridge br-v { ports = [v100], mtu = 9000 }
            network storage { bridge = br-storage }
            network v { bridge = br-v }
            network mv { macvlan = ens190 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic s on storage
              nic v on v
              nic m on mv
            }
            """)
        XCTAssertEqual(t.policies.map(\.name), ["lab-ens180", "lab-br-storage-w1", "lab-br-storage-w2", "lab-br-v"])
        XCTAssertEqual(t.policies[1].interfaces, [.nic("ens224"), .bridge("br-storage")])
        XCTAssertEqual(t.policies[3].interfaces, [.vlan("v100"), .nic("ens170"), .bridge("br-v")])
        let nncp = try policies(t)

        // ens180 on its own: DHCP kept, explicit ipv6
        let alone = try interfaces(nncp[0])
        XCTAssertEqual(alone.count, 1)
        XCTAssertEqual(alone[0]["type"] as? String, "ethernet")
        XCTAssertEqual(alone[0]["state"] as? String, "up")
        XCTAssertEqual(alone[0]["mtu"] as? Int, 9000)
        XCTAssertEqual(dig(alone[0], "ipv4", "dhcp") as? Bool, true)
        XCTAssertEqual(dig(alone[0], "ipv6", "enabled") as? Bool, false)

        // bridge port: IPv4 disabled, each host's mtu
        for (i, mtu) in [(1, 9000), (2, 9216)] {
            let ifs = try interfaces(nncp[i])
            XCTAssertEqual(ifs.map { $0["name"] as? String }, ["ens224", "br-storage"])
            XCTAssertEqual(ifs[0]["type"] as? String, "ethernet")
            XCTAssertEqual(ifs[0]["mtu"] as? Int, mtu)
            XCTAssertEqual(dig(ifs[0], "ipv4", "enabled") as? Bool, false)
        }

        // VLAN base carrying the node address: listed with it, its default route and DNS
        let vifs = try interfaces(nncp[3])
        XCTAssertEqual(vifs.map { $0["name"] as? String }, ["ens170.100", "ens170", "br-v"])
        XCTAssertEqual(vifs[1]["mtu"] as? Int, 9000)
        XCTAssertEqual(dig(vifs[1], "ipv4", "address", 0, "ip") as? String, "10.0.0.5")
        XCTAssertEqual(dig(vifs[1], "ipv4", "address", 0, "prefix-length") as? Int, 24)
        XCTAssertEqual(dig(vifs[1], "ipv6", "enabled") as? Bool, false)
        XCTAssertEqual(dig(nncp[3], "spec", "desiredState", "routes", "config") as? [[String: String]], [
            ["destination": "0.0.0.0/0", "next-hop-address": "10.0.0.1", "next-hop-interface": "ens170"]])
        XCTAssertEqual(dig(nncp[3], "spec", "desiredState", "dns-resolver", "config", "server") as? [String], ["10.0.0.53"])

        // every listed interface has an explicit ipv4 block; every one with an mtu set carries it
        for p in nncp {
            for i in try interfaces(p) {
                XCTAssertNotNil(i["ipv4"], "\(i)")
            }
        }
        XCTAssertFalse(nncp.contains { p in ((try? interfaces(p)) ?? []).contains { $0["name"] as? String == "ens190" } })
    }

    /// A bridge taking a static node address over copies the port's MAC, re-points its default
    /// route, carries its DNS and an explicit `ipv6` block.
    func testTakeoverCopiesTheMacRoutesAndDNS() throws {
        let t = try compile("""
            nic ens192 { address = 192.168.0.10/24, gateway = 192.168.0.1, dns = [192.168.0.1, 1.1.1.1] }
            bridge br-ext { ports = [ens192] }
            network ext { bridge = br-ext, subnet = 192.168.0.0/24, gateway = 192.168.0.1 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic e on ext { address = 192.168.0.20 }
            }
            """)
        let nncp = try policies(t)
        XCTAssertEqual(nncp.count, 1)
        XCTAssertNil(dig(nncp[0], "spec", "nodeSelector"))
        let ifs = try interfaces(nncp[0])
        XCTAssertEqual(ifs.map { $0["name"] as? String }, ["ens192", "br-ext"])
        XCTAssertEqual(dig(ifs[0], "ipv4", "enabled") as? Bool, false)
        XCTAssertEqual(ifs[1]["copy-mac-from"] as? String, "ens192")
        XCTAssertEqual(dig(ifs[1], "ipv4", "address", 0, "ip") as? String, "192.168.0.10")
        XCTAssertEqual(dig(ifs[1], "ipv6", "enabled") as? Bool, false)
        XCTAssertEqual(dig(nncp[0], "spec", "desiredState", "routes", "config") as? [[String: String]], [
            ["destination": "0.0.0.0/0", "next-hop-address": "192.168.0.1", "next-hop-interface": "br-ext"]])
        XCTAssertEqual(dig(nncp[0], "spec", "desiredState", "dns-resolver", "config", "server") as? [String], ["192.168.0.1", "1.1.1.1"])
    }
}
