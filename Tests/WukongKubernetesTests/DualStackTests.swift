import XCTest
import Yams
import WukongCompiler
import WukongIR
import WukongNet
@testable import WukongKubernetes

/// Dual-stack (docs/networks-reference.md): per-family addresses through lowering, networkData
/// and the NAD IPAM, and the masquerade pod NIC's IPv6 on a `dual_stack` topology.
final class DualStackTests: XCTestCase {
    func compile(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Topology {
        let c = Driver.compile(files: [InputFile(path: "ds.wk", text: text)], defaultName: "ds")
        XCTAssertEqual(c.diagnostics.filter { $0.severity == .error }.map(\.message), [], file: file, line: line)
        let program = try XCTUnwrap(c.program, file: file, line: line)
        return Lowering.lower(program).topology
    }

    func networkData(_ vm: VM, _ t: Topology) throws -> [String: Any] {
        let text = YAMLOutput.document(CloudInit.networkData(vm, networks: { n in t.networks.first { $0.name == n } },
                                                             clusterCIDRs: t.clusterCIDRs, dualStack: t.dualStack ?? false))
        return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
    }

    static let lab = """
        import std.images
        nic ens192
        bridge br0 { ports = [ens192] }
        network lab { bridge = br0, subnet = [10.0.0.0/24, "fd00:10::/64"], gateway = [10.0.0.1, "fd00:10::1"],
                      dns = [10.0.0.53, "fd00:10::53"] }

        """

    /// `auto` takes one address of each family (in source order per family, past statics of both).
    func testAutoAllocatesBothFamilies() throws {
        let t = try compile(Self.lab + """
            vm a { cpu = 1, memory = 1Gi, image = images.fedora
              nic s on lab { address = [10.0.0.2, "fd00:10::2"] }
              nic x on lab { address = auto }
              nic y on lab { address = "fd00:10::3" }
            }
            """)
        let nics = try XCTUnwrap(t.vms.first).nics
        XCTAssertEqual(nics.map { n -> String in if case .static(let a) = n.address { return a.description }; return "dhcp" },
                       ["10.0.0.2/24", "10.0.0.3/24", "fd00:10::3/64"])
        XCTAssertEqual(nics.map { $0.address6?.description }, ["fd00:10::2/64", "fd00:10::4/64", nil])
    }

    /// `vm.nic.address` of a dual-stack `auto` NIC is its IPv4 address, the one lowering gives it
    /// (the evaluator and lowering place the per-family values by the same rule).
    func testAutoAddressMemberIsTheIPv4OneOfTheIR() throws {
        let t = try compile(Self.lab + """
            vm a { cpu = 1, memory = 1Gi, image = images.fedora
              nic s on lab { address = [10.0.0.2, "fd00:10::2"] }
              nic n on lab { address = auto }
            }
            vm b { cpu = 1, memory = 1Gi, image = images.fedora, run = ["ping ${a.n.address} ${a.s.address}"]
              nic n on lab { address = auto }
            }
            """)
        XCTAssertEqual(t.vms[1].run, ["ping 10.0.0.3 10.0.0.2"])
        if case .static(let a) = t.vms[0].nics[1].address { XCTAssertEqual(a.description, "10.0.0.3/24") } else { XCTFail() }
    }

    /// networkData: both addresses, both default routes, the DNS servers of both families.
    func testNetworkDataCarriesBothFamilies() throws {
        let t = try compile(Self.lab + """
            vm a { cpu = 1, memory = 1Gi, image = images.fedora
              nic n on lab { address = auto }
            }
            """)
        let d = try networkData(try XCTUnwrap(t.vms.first), t)
        XCTAssertEqual(dig(d, "ethernets", "n", "addresses") as? [String], ["10.0.0.2/24", "fd00:10::2/64"])
        let routes = try XCTUnwrap(dig(d, "ethernets", "n", "routes") as? [[String: Any]])
        XCTAssertEqual(routes.map { $0["to"] as? String }, ["0.0.0.0/0", "::/0"])
        XCTAssertEqual(routes.map { $0["via"] as? String }, ["10.0.0.1", "fd00:10::1"])
        XCTAssertEqual(dig(d, "ethernets", "n", "nameservers", "addresses") as? [String], ["10.0.0.53", "fd00:10::53"])
    }

    /// `dual_stack = true`: the masquerade pod NIC gets fd10:0:2::2/120; with the default route on
    /// another NIC, a netplan guest gets the IPv6 reply table and `from fd10:0:2::2/128` as for
    /// IPv4; a cloud-init renderer gets the cluster routes only; alone, the pod NIC has `::/0`.
    func testMasqueradePodNicIPv6() throws {
        let t = try compile("""
            topology ds { dual_stack = true, cluster_cidrs = [10.96.0.0/12, "fd00:96::/108"] }

            """ + Self.lab + """
            vm np { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic default on pod
              nic n on lab { address = auto, default_route = true }
            }
            vm ci { cpu = 1, memory = 1Gi, image = images.fedora
              nic default on pod
              nic n on lab { address = auto, default_route = true }
            }
            vm solo { cpu = 1, memory = 1Gi, image = images.fedora
              nic default on pod
            }
            """)
        XCTAssertEqual(t.dualStack, true)
        let np = try networkData(t.vms[0], t)
        XCTAssertEqual(dig(np, "ethernets", "default", "addresses") as? [String], ["fd10:0:2::2/120"])
        let routes = try XCTUnwrap(dig(np, "ethernets", "default", "routes") as? [[String: Any]])
        XCTAssertTrue(routes.contains { $0["to"] as? String == "::/0" && $0["via"] as? String == "fd10:0:2::1" && $0["table"] as? Int == 100 })
        XCTAssertTrue(routes.contains { $0["to"] as? String == "fd00:96::/108" && $0["via"] as? String == "fd10:0:2::1" })
        let policy = try XCTUnwrap(dig(np, "ethernets", "default", "routing-policy") as? [[String: Any]])
        XCTAssertEqual(policy.map { $0["from"] as? String }, ["10.0.2.2/32", "fd10:0:2::2/128"])

        let ci = try networkData(t.vms[1], t)
        XCTAssertNil(dig(ci, "ethernets", "default", "routing-policy"))
        let ciRoutes = try XCTUnwrap(dig(ci, "ethernets", "default", "routes") as? [[String: Any]])
        XCTAssertEqual(ciRoutes.map { $0["to"] as? String }, ["10.96.0.0/12", "fd00:96::/108"])

        let solo = try networkData(t.vms[2], t)
        XCTAssertEqual(dig(solo, "ethernets", "default", "routes") as? [[String: String]], [["to": "::/0", "via": "fd10:0:2::1"]])
    }

    /// A NIC with only an IPv6 address on a dual-stack network: the IPv6 gateway, IPv6 prefix.
    func testIPv6OnlyNicOnDualStackNetwork() throws {
        let t = try compile(Self.lab + """
            vm a { cpu = 1, memory = 1Gi, image = images.fedora
              nic n on lab { address = "fd00:10::9" }
            }
            """)
        let d = try networkData(try XCTUnwrap(t.vms.first), t)
        XCTAssertEqual(dig(d, "ethernets", "n", "addresses") as? [String], ["fd00:10::9/64"])
        let routes = try XCTUnwrap(dig(d, "ethernets", "n", "routes") as? [[String: Any]])
        XCTAssertEqual(routes.map { $0["to"] as? String }, ["::/0"])
        XCTAssertEqual(routes.map { $0["via"] as? String }, ["fd00:10::1"])
    }

    /// Without `dual_stack` the pod NIC is IPv4 only, as before.
    func testSingleStackClusterPodNicUnchanged() throws {
        let t = try compile(Self.lab + """
            vm solo { cpu = 1, memory = 1Gi, image = images.fedora
              nic default on pod
            }
            """)
        let d = try networkData(try XCTUnwrap(t.vms.first), t)
        XCTAssertNil(dig(d, "ethernets", "default", "addresses"))
        XCTAssertNil(dig(d, "ethernets", "default", "routes"))
    }
}
