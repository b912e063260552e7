import Foundation
import XCTest
import WukongCompiler
import WukongDiagnostics
import WukongIR
@testable import WukongKubernetes

/// OVN-Kubernetes localnet networks and `ovn_networks = "cudn"` (docs/networks-reference.md):
/// bridge mappings in the NNCPs, the NAD's physicalNetworkName/vlanID, ClusterUserDefinedNetworks.
final class LocalnetTests: XCTestCase {
    func compile(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> Topology {
        let c = Driver.compile(files: [InputFile(path: "lab.wk", text: source)], defaultName: "lab")
        XCTAssertEqual(c.diagnostics.filter { $0.severity == .error }.map { "\($0.code.rawValue) \($0.message)" }, [],
                       file: file, line: line)
        return try XCTUnwrap(c.topology, file: file, line: line)
    }

    func docs(_ t: Topology, _ kind: String) throws -> [[String: Any]] {
        try parsed(KubernetesBackend.objects(for: t)).filter { $0["kind"] as? String == kind }
    }

    /// Every per-host policy that builds a mapped bridge carries its mappings (each physnet once,
    /// several on one bridge); an unmanaged bridge gets a mappings-only policy of its own.
    func testBridgeMappingsPerPolicyAndForUnmanagedBridges() throws {
        let t = try compile("""
            topology lab { namespace = "vms", node_selector = { "role" = "vm" } }
            host w1 { nic ens4 }
            host w2 { nic ens4 }
            ovs-bridge br-phys { ports = [ens4] }
            ovs-bridge br-ex { managed = false }
            network a { localnet = br-phys, physnet = "blue", vlan = 10 }
            network b { localnet = br-phys, physnet = "red" }
            network c { localnet = br-phys, physnet = "blue", vlan = 11 }
            network d { localnet = br-ex }
            vm v { cpu = 1, memory = 1Gi, image = "x"
              nic a on a
              nic b on b
              nic c on c
              nic d on d
            }
            """)
        let blueRed = [BridgeMapping(localnet: "blue", bridge: "br-phys"), BridgeMapping(localnet: "red", bridge: "br-phys")]
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-phys-w1", "lab-br-phys-w2", "lab-br-ex"])
        XCTAssertEqual(t.policies.map(\.bridgeMappings), [blueRed, blueRed, [BridgeMapping(localnet: "br-ex", bridge: "br-ex")]])
        XCTAssertEqual(t.policies[2].interfaces, [])
        XCTAssertEqual(t.policies[2].nodeSelector, [KeyValue("role", "vm")])

        let nncps = try docs(t, "NodeNetworkConfigurationPolicy")
        let own = try XCTUnwrap(dig(nncps[2], "spec", "desiredState") as? [String: Any])
        XCTAssertEqual(Set(own.keys), ["ovn"], "a mappings-only policy lists no interfaces")
        let maps = try XCTUnwrap(dig(nncps[0], "spec", "desiredState", "ovn", "bridge-mappings") as? [[String: String]])
        XCTAssertEqual(maps, [["localnet": "blue", "bridge": "br-phys"], ["localnet": "red", "bridge": "br-phys"]])

        let nads = try docs(t, "NetworkAttachmentDefinition")
        let cfg = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(XCTUnwrap(dig(nads[0], "spec", "config") as? String).utf8)) as? [String: Any])
        XCTAssertEqual(cfg["topology"] as? String, "localnet")
        XCTAssertEqual(cfg["physicalNetworkName"] as? String, "blue")
        XCTAssertEqual(cfg["vlanID"] as? Int, 10)
        XCTAssertEqual(cfg["name"] as? String, "vms.a")
        // VMs on a localnet network are placed where its bridge is built, like on an OVS network
        XCTAssertEqual(t.vms[0].affinityHostnames, ["w1", "w2"])
    }

    /// `ovn_networks = "cudn"`: one ClusterUserDefinedNetwork `<topology>-<network>` per OVN network,
    /// selecting the topology's namespace; VM NICs reference the NAD OVN-Kubernetes renders from it.
    func testClusterUserDefinedNetworks() throws {
        let t = try compile("""
            topology lab { namespace = "vms", ovn_networks = "cudn" }
            ovs-bridge br-ex { managed = false }
            network ln { localnet = br-ex, physnet = "dc", vlan = 100, subnet = 10.0.0.0/24, gateway = 10.0.0.1, ipam = "ovn", exclude = [10.0.0.0/28], persistent_ips = false }
            network l2 { overlay = "layer2", subnet = 10.1.0.0/24, mtu = 1400 }
            vm v { cpu = 1, memory = 1Gi, image = "x"
              nic a on ln
              nic b on l2 { address = 10.1.0.5 }
            }
            """)
        XCTAssertEqual(try docs(t, "NetworkAttachmentDefinition").count, 0)
        let cudns = try docs(t, "ClusterUserDefinedNetwork")
        XCTAssertEqual(cudns.compactMap { dig($0, "metadata", "name") as? String }, ["lab-ln", "lab-l2"])
        XCTAssertNil(dig(cudns[0], "metadata", "namespace"))
        XCTAssertEqual(dig(cudns[0], "spec", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") as? String, "vms")
        let ln = try XCTUnwrap(dig(cudns[0], "spec", "network", "localnet") as? [String: Any])
        XCTAssertEqual(dig(cudns[0], "spec", "network", "topology") as? String, "Localnet")
        XCTAssertEqual(ln["physicalNetworkName"] as? String, "dc")
        XCTAssertEqual(ln["subnets"] as? [String], ["10.0.0.0/24"])
        XCTAssertEqual(ln["excludeSubnets"] as? [String], ["10.0.0.0/28"], "the gateway lies in the excluded range already")
        XCTAssertEqual(ln["ipam"] as? [String: String], ["mode": "Enabled"])
        XCTAssertEqual(dig(ln, "vlan", "access", "id") as? Int, 100)
        XCTAssertEqual(dig(cudns[1], "spec", "network", "layer2", "ipam", "mode") as? String, "Disabled")
        XCTAssertEqual(dig(cudns[1], "spec", "network", "layer2", "mtu") as? Int, 1400)
        XCTAssertEqual(t.vms[0].nics.map(\.networkName), ["vms/lab-ln", "vms/lab-l2"])
    }
}
