import XCTest
import Yams
import WukongCompiler
import WukongDiagnostics
import WukongIR
import WukongNet
@testable import WukongKubernetes

/// Three facts about a VM NIC that both the checks and lowering/back end act on, each decided by
/// one rule in WukongNet/VMSettings.swift: `NicBinding.canLiveMigrate`, `GuestNic.hasStaticAddress`,
/// `GuestNic.carriesRoute`. Each test has NICs for which the rule holds and NICs for which it does
/// not, and asserts that the diagnostic and the generated output both follow it, so changing one
/// side alone fails it.
final class GuestRulesTests: XCTestCase {
    static let declarations = """
        import std.images
        nic ens160
        nic ens192
        bridge br0 { ports = [ens192] }
        network mv { macvlan = ens160, subnet = 192.168.100.0/24 }
        network br { bridge = br0, subnet = 192.168.0.0/24, gateway = 192.168.0.1 }
        network wa { bridge = br0, subnet = 10.5.0.0/24, ipam = "whereabouts" }
        network rt { bridge = br0, subnet = 10.1.0.0/24, routes = [{ to = 10.9.0.0/16, via = 10.1.0.254 }] }

        """

    /// The diagnostics of `vms` (after `declarations`) and its lowering, which runs on the checked
    /// program even when the checks report errors.
    func compile(_ vms: String, file: StaticString = #filePath, line: UInt = #line) throws -> (diagnostics: [Diagnostic], topology: Topology) {
        let c = Driver.compile(files: [InputFile(path: "lab.wk", text: Self.declarations + vms)], defaultName: "lab")
        let program = try XCTUnwrap(c.program, file: file, line: line)
        return (c.diagnostics, Lowering.lower(program).topology)
    }

    func networkData(_ vm: VM, _ t: Topology) throws -> [String: Any] {
        let text = YAMLOutput.document(CloudInit.networkData(vm, networks: { n in t.networks.first { $0.name == n } }))
        return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
    }

    /// Rule 1: a macvtap NIC cannot live-migrate. The check warns where such a VM asks for live
    /// migration; lowering gives such a VM that asks nothing `evictionStrategy: None`.
    func testMacvtapNicCannotLiveMigrate() throws {
        let (ds, t) = try compile("""
            vm m { cpu = 1, memory = 1Gi, image = images.ubuntu_2404, eviction = "live-migrate"
              nic n on mv { address = 192.168.100.5 }
            }
            vm b { cpu = 1, memory = 1Gi, image = images.ubuntu_2404, eviction = "live-migrate"
              nic n on br { address = 192.168.0.5 }
            }
            vm mq { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic n on mv { address = 192.168.100.6 }
            }
            vm bq { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic n on br { address = 192.168.0.6 }
            }
            """)
        XCTAssertEqual(ds.filter { $0.code == .migrateWarning }.map(\.message),
                       ["VM `m` cannot live-migrate: NIC `n` uses the macvtap binding"])
        XCTAssertEqual(t.vms.map(\.name), ["m", "b", "mq", "bq"])
        XCTAssertEqual(t.vms.map(\.evictionStrategy), ["LiveMigrate", "LiveMigrate", "None", nil])
    }

    /// Rule 2: a NIC has a static address when it writes one (or `auto`) on a network whose IPAM
    /// does not lease addresses. The check rejects a written address on a whereabouts network;
    /// lowering gives that NIC DHCP like the one that writes none, and networkData follows.
    func testStaticAddressOnlyWhereTheIPAMLeavesIt() throws {
        let (ds, t) = try compile("""
            vm v { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic s on br { address = 192.168.0.5 }
              nic w on wa { address = 10.5.0.5 }
              nic l on wa
            }
            """)
        XCTAssertEqual(ds.filter { $0.code == .ipam }.map(\.message),
                       ["network `wa` assigns addresses by `ipam = \"whereabouts\"`; NIC `w` cannot have a static or `auto` address"])
        let vm = try XCTUnwrap(t.vms.first)
        XCTAssertEqual(vm.nics.map(\.address), [.static(IfAddr(address: IPAddress(v4: 0xC0A8_0005), prefix: 24)), .dhcp, .dhcp])
        let d = try networkData(vm, t)
        XCTAssertEqual(dig(d, "ethernets", "s", "addresses") as? [String], ["192.168.0.5/24"])
        for nic in ["w", "l"] {
            XCTAssertNil(dig(d, "ethernets", nic, "addresses"), nic)
            XCTAssertEqual(dig(d, "ethernets", nic, "dhcp4") as? Bool, true, nic)
        }
    }

    /// Rule 3: a NIC with a static address carries a route when it carries the default route or
    /// its network has `routes`. The check warns that `metric` has no effect exactly where
    /// networkData sets the metric nowhere (a DHCP NIC's lease takes it as its route metric).
    func testMetricOnlyWhereTheNicCarriesARoute() throws {
        let (ds, t) = try compile("""
            vm v { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic default on pod
              nic none on br { address = 192.168.0.5, metric = 100 }
              nic own on rt { address = 10.1.0.5, metric = 110 }
              nic dyn on br { address = dhcp, metric = 120 }
            }
            vm w { cpu = 1, memory = 1Gi, image = images.ubuntu_2404
              nic gw on br { address = 192.168.0.6, metric = 130 }
            }
            """)
        let warned = ds.filter { $0.code == .routeWarning }.map(\.message)
        XCTAssertEqual(warned, ["`metric` of NIC `none` has no effect: the NIC carries no route"])
        var rendered: [String: [Int]] = [:]
        for vm in t.vms {
            let d = try networkData(vm, t)
            for nic in vm.nics where nic.metric != nil {
                let routes = dig(d, "ethernets", nic.name, "routes") as? [[String: Any]] ?? []
                rendered[nic.name] = routes.compactMap { $0["metric"] as? Int }
                    + [dig(d, "ethernets", nic.name, "dhcp4-overrides", "route-metric") as? Int].compactMap { $0 }
            }
        }
        XCTAssertEqual(rendered, ["none": [], "own": [110], "dyn": [120], "gw": [130]])
        for (nic, metrics) in rendered {
            XCTAssertEqual(warned.contains { $0.contains("NIC `\(nic)`") }, metrics.isEmpty, nic)
        }
    }
}
