import XCTest
import WukongParallel
import WukongCompiler
import WukongDiagnostics
import WukongNet
@testable import WukongIR

/// Lowering of `.wk` sources through the whole pipeline (`Driver.compile`).
final class SourceLoweringTests: XCTestCase {
    func compile(_ source: String, name: String = "lab", file: StaticString = #filePath, line: UInt = #line) -> Compilation {
        Driver.compile(files: [InputFile(path: "\(name).wk", text: source)], defaultName: name)
    }

    func lower(_ source: String, name: String = "lab", file: StaticString = #filePath, line: UInt = #line) -> Topology? {
        let c = compile(source, name: name)
        let errors = c.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.map { "\($0.code.rawValue) \($0.message)" }, [], file: file, line: line)
        XCTAssertNotNil(c.topology, file: file, line: line)
        return c.topology
    }

    /// LANGUAGE.md §1, verbatim apart from the comments.
    static let firstLook = """
        import std.images
        import std.sizes

        topology lab {
          namespace = "vms"
        }

        nic ens192
        nic ens160

        bridge br-external {
          ports = [ens192]
        }

        network external {
          bridge  = br-external
          subnet  = 192.168.0.0/24
          gateway = 192.168.0.1
          dns     = [192.168.0.1, 8.8.8.8]
        }

        network management {
          macvlan = ens160
          subnet  = 192.168.100.0/24
          gateway = 192.168.100.1
        }

        vm ubuntu-vm {
          ...sizes.medium
          image = images.ubuntu_2204

          user ubuntu {
            password_hash = "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1"
            sudo   = "ALL=(ALL) NOPASSWD:ALL"
            groups = ["sudo", "adm"]
          }

          nic default on pod
          nic ext  on external   { address = 192.168.0.200 }
          nic mgmt on management { address = auto, metric = 100 }
        }
        """

    /// LANGUAGE.md §7 v2: `eviction` maps to KubeVirt's strategy; a VM with a macvtap NIC and no
    /// `eviction` gets `None`; the image record's `network_config` and `cluster_cidrs` reach the IR.
    func testEvictionImagesAndClusterCIDRs() throws {
        let source = """
            import std.images
            topology t { cluster_cidrs = [10.96.0.0/12, 10.244.0.0/16] }
            nic ens160
            network mv { macvlan = ens160 }
            vm a { cpu = 1, memory = 1Gi, image = images.ubuntu_2404, eviction = "live-migrate", nic d on pod }
            vm b { cpu = 1, memory = 1Gi, image = images.fedora, eviction = "if-possible", nic d on pod }
            vm c { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", eviction = "shutdown", nic d on pod }
            vm d { cpu = 1, memory = 1Gi, image = { ref = "quay.io/x/y:1", network_config = "none" }, eviction = "external", nic d on pod }
            vm e { cpu = 1, memory = 1Gi, image = images.cirros, nic m on mv }
            vm f { cpu = 1, memory = 1Gi, image = images.cirros, nic d on pod }
            """
        let t = try XCTUnwrap(lower(source, name: "t"))
        XCTAssertEqual(t.vms.map(\.evictionStrategy), ["LiveMigrate", "LiveMigrateIfPossible", "None", "External", "None", nil])
        XCTAssertEqual(t.vms.map(\.networkConfig), [.netplan, .cloudInit, .cloudInit, NetworkConfigMode.none, NetworkConfigMode.none, NetworkConfigMode.none])
        XCTAssertEqual(t.vms.map(\.image)[0], "quay.io/containerdisks/ubuntu:24.04")
        XCTAssertEqual(t.vms.map(\.image)[3], "quay.io/x/y:1")
        XCTAssertEqual(t.clusterCIDRs.map(\.description), ["10.96.0.0/12", "10.244.0.0/16"])
    }

    func testFirstLookExample() throws {
        let t = try XCTUnwrap(lower(Self.firstLook, name: "first-look"))
        XCTAssertEqual(t.name, "lab")
        XCTAssertEqual(t.namespace, "vms")
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-external"])
        XCTAssertEqual(t.policies.first?.interfaces, [.bridge("br-external")])
        let vm = try XCTUnwrap(t.vms.first)
        XCTAssertEqual(vm.cpu, 2)
        XCTAssertEqual(vm.secretName, "ubuntu-vm-cloudinit")
        XCTAssertEqual(vm.firmwareUUID, "b2f56449-5827-56b9-af41-aa84fbbb732b")  // Python uuid5, see LoweringTests
        XCTAssertEqual(vm.nics.map(\.name), ["default", "ext", "mgmt"])
        XCTAssertEqual(vm.nics.map(\.binding), [.masquerade, .bridge, .macvtap])
        XCTAssertEqual(vm.nics.map(\.networkName), [nil, "vms/external", "vms/management"])
        XCTAssertEqual(vm.nics[1].address, .static(IfAddr("192.168.0.200/24")!))
        XCTAssertEqual(vm.nics[2].address, .static(IfAddr("192.168.100.2/24")!))  // .1 is the gateway
        XCTAssertEqual(vm.nics.map(\.defaultRoute), [true, false, false])          // v2: the pod NIC keeps it
        XCTAssertEqual(vm.nics.map(\.metric), [nil, nil, 100])
        // python3 -c "import hashlib;print(hashlib.sha256(b'lab/ubuntu-vm/ext').hexdigest()[:10])" → 849973c944
        XCTAssertEqual(vm.nics[1].mac.description, "0e:84:99:73:c9:44")
        XCTAssertEqual(t.networks.map(\.attachment), [.bridge(name: "br-external", ifname: "br-external"),
                                                      .macvlan(LinkRef(kind: .nic, name: "ens160", ifname: "ens160"))])
    }

    func testAllocationInSourceOrderAfterExpansion() throws {
        let t = try XCTUnwrap(lower("""
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/24, gateway = 10.0.0.1, dns = [10.0.0.3], pool = 10.0.0.1 ..= 10.0.0.20 }
            vm first { cpu = 1, memory = 1Gi, image = "x"
              nic a on lan { address = auto }
            }
            for i in 1..=3 {
              vm "web-${i}" { cpu = 1, memory = 1Gi, image = "x"
                nic a on lan { address = auto }
                nic b on lan { address = auto }
              }
            }
            vm pinned { cpu = 1, memory = 1Gi, image = "x"
              nic a on lan { address = 10.0.0.5 }
            }
            """))
        let got = t.vms.flatMap { vm in vm.nics.map { "\(vm.name).\($0.name)=\($0.address)" } }
        // pool starts at .1 (gateway), .3 is DNS, .5 is static on a later VM
        XCTAssertEqual(got, [
            "first.a=static(10.0.0.2/24)",
            "web-1.a=static(10.0.0.4/24)", "web-1.b=static(10.0.0.6/24)",
            "web-2.a=static(10.0.0.7/24)", "web-2.b=static(10.0.0.8/24)",
            "web-3.a=static(10.0.0.9/24)", "web-3.b=static(10.0.0.10/24)",
            "pinned.a=static(10.0.0.5/24)",
        ])
    }

    /// `vm.nic.address` of an `auto` NIC is evaluated before lowering allocates: both must agree.
    func testAutoAddressReadByExpressionsMatchesTheIR() throws {
        let t = try XCTUnwrap(lower("""
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/29, gateway = 10.0.0.1, dns = [10.0.0.2], pool = 10.0.0.1 ..= 10.0.0.6 }
            network lan2 { bridge = br, subnet = 10.0.0.0/29, gateway = 10.0.0.1, pool = 10.0.0.3 ..= 10.0.0.6 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic x on lan { address = auto }
              nic y on lan { address = auto }
            }
            vm b { cpu = 1, memory = 1Gi, image = "x"
              run = ["ping ${a.x.address}", "ping ${a.y.address}", "ping ${b.z.address}"]
              nic x on lan { address = 10.0.0.4 }
              nic z on lan2 { address = auto }
            }
            """))
        XCTAssertEqual(t.vms[0].nics.map(\.address), [.static(IfAddr("10.0.0.3/29")!), .static(IfAddr("10.0.0.5/29")!)])
        // `lan2` shares `br`'s untagged domain: it skips `lan`'s .3 and .5 (auto) and .4 (static)
        XCTAssertEqual(t.vms[1].nics.map(\.address), [.static(IfAddr("10.0.0.4/29")!), .static(IfAddr("10.0.0.6/29")!)])
        XCTAssertEqual(t.vms[1].run, ["ping 10.0.0.3", "ping 10.0.0.5", "ping 10.0.0.6"])
    }

    /// Networks on one bridge with one VLAN tag share a layer-2 domain (as N-DUP-IP): `auto` skips
    /// the other networks' static and earlier `auto` addresses, and `vm.nic.address` agrees.
    func testAutoSkipsAddressesOfTheSameL2Domain() throws {
        let t = try XCTUnwrap(lower("""
            nic ens192
            bridge br { ports = [ens192] }
            network blue { bridge = br, vlan = 10, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
            network green { bridge = br, vlan = 10, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
            network other { bridge = br, vlan = 20, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic n on blue { address = 10.0.0.2 }
            }
            vm b { cpu = 1, memory = 1Gi, image = "x"
              nic g on green { address = auto }
              nic o on other { address = auto }
            }
            vm c { cpu = 1, memory = 1Gi, image = "x"
              nic n on blue { address = auto }
              nic g on green { address = auto }
            }
            vm d { cpu = 1, memory = 1Gi, image = "x"
              run = ["ping ${b.g.address}", "ping ${b.o.address}", "ping ${c.n.address}", "ping ${c.g.address}"]
              nic n on blue { address = 10.0.0.5 }
            }
            """))
        let got = t.vms.flatMap { vm in vm.nics.map { "\(vm.name).\($0.name)=\($0.address)" } }
        // green skips blue's static .2; VLAN 20 is another domain, so `other` may reuse .2;
        // blue skips green's earlier .3, then green skips blue's .4 and the static .5
        XCTAssertEqual(got, [
            "a.n=static(10.0.0.2/24)",
            "b.g=static(10.0.0.3/24)", "b.o=static(10.0.0.2/24)",
            "c.n=static(10.0.0.4/24)", "c.g=static(10.0.0.6/24)",
            "d.n=static(10.0.0.5/24)",
        ])
        XCTAssertEqual(t.vms[3].run, ["ping 10.0.0.3", "ping 10.0.0.2", "ping 10.0.0.4", "ping 10.0.0.6"])
    }

    func testPoolExhaustionIsReportedAtTheAuto() {
        let source = """
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/24, gateway = 10.0.0.1, pool = 10.0.0.10 ..= 10.0.0.11 }
            for i in 1..=3 {
              vm "v-${i}" { cpu = 1, memory = 1Gi, image = "x"
                nic a on lan { address = auto }
              }
            }
            """
        let c = compile(source)
        XCTAssertNil(c.topology)
        let errors = c.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.code), [.poolExhausted])
        guard let d = errors.first, let file = c.sources[d.span.file] else { return }
        XCTAssertEqual(file.text(d.span), "auto")
        XCTAssertTrue(d.message.contains("`v-3.a`"), d.message)
        XCTAssertEqual(d.notes.first.map { file.text($0.span) }, "10.0.0.10 ..= 10.0.0.11")
    }

    func testExplicitMACCollisionRehashesTheDerivedOne() throws {
        let t = try XCTUnwrap(lower("""
            vm ubuntu-vm { cpu = 1, memory = 1Gi, image = "x"
              nic ext on pod
            }
            vm zz { cpu = 1, memory = 1Gi, image = "x"
              nic default on pod { mac = "0e:84:99:73:c9:44" }
            }
            """))
        XCTAssertEqual(t.vms[1].nics[0].mac.description, "0e:84:99:73:c9:44")
        // python3 -c "import hashlib;print(hashlib.sha256(b'lab/ubuntu-vm/ext/1').hexdigest()[:10])" → da1c633f2a
        XCTAssertEqual(t.vms[0].nics[0].mac.description, "0e:da:1c:63:3f:2a")
    }

    func testBondUnderTwoVlansUnderTwoBridgesAndPerHostPolicies() throws {
        let t = try XCTUnwrap(lower("""
            host w1 {
              nic ens192 { address = 10.10.0.11/24, gateway = 10.10.0.1 }
              nic ens224
            }
            host w2 {
              nic ens192 { address = 10.10.0.12/24, gateway = 10.10.0.1 }
              nic ens224
            }
            nic ens161
            nic ens162
            nic ens170
            bond bond0 { ports = [ens161, ens162] }
            vlan v100 on bond0 { id = 100 }
            vlan v200 on bond0 { id = 200 }
            vlan v300 on ens170 { id = 300 }
            bridge br-100 { ports = [v100] }
            bridge br-200 { ports = [v200] }
            bridge br-ext { ports = [ens192] }
            bridge br-storage { ports = [ens224], hosts = [w2] }
            network n100 { bridge = br-100 }
            network n200 { bridge = br-200 }
            network ext { bridge = br-ext, subnet = 10.10.0.0/24, gateway = 10.10.0.1 }
            network storage { bridge = br-storage }
            network mv { macvlan = v300 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic a on n100
              nic b on n200
              nic c on ext { address = auto }
              nic d on mv
            }
            vm s { cpu = 1, memory = 1Gi, image = "x"
              nic s on storage
            }
            """))
        // Ordered by the declaration that names each policy: `v300` is declared before the bridges.
        XCTAssertEqual(t.policies.map(\.name), ["lab-v300", "lab-br-100", "lab-br-ext-w1", "lab-br-ext-w2", "lab-br-storage-w2"])
        XCTAssertEqual(t.policies[0].interfaces, [.vlan("v300")])
        XCTAssertEqual(t.policies[1].interfaces, [.bond("bond0"), .vlan("v100"), .vlan("v200"), .bridge("br-100"), .bridge("br-200")])
        XCTAssertEqual(t.policies[2].interfaces, [.releasedNic("ens192"), .bridge("br-ext")])
        XCTAssertEqual(t.policies[2].nodeSelector, [KeyValue("kubernetes.io/hostname", "w1")])
        XCTAssertEqual(t.policies[3].interfaces, [.releasedNic("ens192"), .bridge("br-ext")])
        XCTAssertEqual(t.policies[4].interfaces, [.bridge("br-storage")])
        XCTAssertEqual(t.vms[0].nics[2].address, .static(IfAddr("10.10.0.2/24")!))  // .11/.12 are node addresses, .1 the gateway
        // br-ext is built per host (it takes over per-host node addresses), so only on w1 and w2
        XCTAssertEqual(t.bridges.map(\.hosts), [nil, nil, ["w1", "w2"], ["w2"]])
        XCTAssertEqual(t.vms[0].affinityHostnames, ["w1", "w2"])
        XCTAssertEqual(t.vms[1].affinityHostnames, ["w2"])
    }

    func testIRJSONOfASourceIsStable() throws {
        let a = try XCTUnwrap(lower(Self.firstLook))
        let b = try XCTUnwrap(lower(Self.firstLook))
        XCTAssertEqual(IRJSON.encode(a), IRJSON.encode(b))
        XCTAssertTrue(IRJSON.encode(a).contains("\"mac\" : \"0e:84:99:73:c9:44\""))
    }

    /// Large fleets hash their MACs and firmware UUIDs on several threads: the results are
    /// those of hashing each VM's names (in VM order, whatever the scheduling).
    func testHashesOfALargeFleetAreEachVMsOwn() throws {
        var source = "topology fleet { namespace = \"f\" }\nnic ens192\nbridge br { ports = [ens192] }\n"
        source += "network n { bridge = br, subnet = 10.0.0.0/16 }\n"
        source += "for i in 1..=2600 {\n  vm \"vm-${i}\" { cpu = 1, memory = 1Gi, image = \"x\"\n    nic e on n { address = auto }\n    nic p on pod\n  }\n}\n"
        let t = try XCTUnwrap(lower(source, name: "fleet"))
        XCTAssertEqual(t.vms.count, 2600)
        let derivation = MACDerivation(topology: "fleet", prefix: Lowering.defaultMACPrefix)
        for vm in t.vms {
            XCTAssertEqual(vm.firmwareUUID, Hash.uuidV5URL("wukong://f/" + vm.name), vm.name)
            for nic in vm.nics {
                XCTAssertEqual(nic.mac, derivation.derive(vm: vm.name, nic: nic.name, counter: 0), "\(vm.name)/\(nic.name)")
            }
        }
        XCTAssertEqual(Parallel.map(5000) { $0 * 3 }, (0..<5000).map { $0 * 3 })
    }
}
