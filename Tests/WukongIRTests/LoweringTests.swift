import XCTest
import WukongDiagnostics
import WukongNet
import WukongSema
@testable import WukongIR

final class LoweringTests: XCTestCase {
    // MARK: - Topology and node side

    func testTopologyDefaultsAndLabels() {
        let b = ProgramBuilder("lab")
        b.program.labels = [LabelEntry(key: b.loc("team"), value: b.loc("net")),
                            LabelEntry(key: b.loc("app.kubernetes.io/part-of"), value: b.loc("lab"))]
        b.program.nodeSelector = [LabelEntry(key: b.loc("node-role.kubernetes.io/worker"), value: b.loc(""))]
        b.host("worker-1")
        b.host("worker-2", hostname: "worker-2.lab")
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        XCTAssertEqual(t.name, "lab")
        XCTAssertEqual(t.namespace, "default")
        XCTAssertFalse(t.createNamespace)
        XCTAssertEqual(t.labels, [KeyValue("app.kubernetes.io/managed-by", "wukongc"), KeyValue("wukong.dev/topology", "lab"),
                                  KeyValue("team", "net"), KeyValue("app.kubernetes.io/part-of", "lab")])
        XCTAssertEqual(t.nodeSelector, [KeyValue("node-role.kubernetes.io/worker", "")])
        XCTAssertEqual(t.hosts, [Host(name: "worker-1", hostname: "worker-1"), Host(name: "worker-2", hostname: "worker-2.lab")])
    }

    func testNamespaceAndCreateNamespace() {
        let b = ProgramBuilder("lab", namespace: "vms")
        b.program.createNamespace = b.loc(true)
        let t = b.lower().topology
        XCTAssertEqual(t.namespace, "vms")
        XCTAssertTrue(t.createNamespace)
    }

    func testNodeNicsMergePerHostDeclarations() {
        let b = ProgramBuilder()
        b.host("w1"); b.host("w2")
        b.nic("ens192", host: "w1", address: "192.168.0.121/24", gateway: "192.168.0.1")
        b.nic("ens161")
        b.nic("ens192", host: "w2", dhcp: true)
        let t = b.lower().topology
        XCTAssertEqual(t.nics.map(\.name), ["ens192", "ens161"])
        XCTAssertEqual(t.nics[0].hosts, ["w1", "w2"])
        XCTAssertEqual(t.nics[0].settings.map(\.host), ["w1", "w2"])
        XCTAssertEqual(t.nics[0].settings[0].address, IfAddr("192.168.0.121/24"))
        XCTAssertEqual(t.nics[0].settings[0].gateway, IPAddress("192.168.0.1"))
        XCTAssertTrue(t.nics[0].settings[1].dhcp)
        XCTAssertNil(t.nics[1].hosts)
        XCTAssertEqual(t.nics[1].settings, [NodeNicSettings(host: nil)])
    }

    func testVlanIfnamesBondDefaultsAndLinkRefs() {
        let b = ProgramBuilder()
        b.nic("ens160"); b.nic("ens161"); b.nic("ens162")
        b.bond("bond0", ports: [b.link(.nic, "ens161"), b.link(.nic, "ens162")])
        b.vlan("v100", on: b.link(.nic, "ens160"), id: 100)
        b.vlan("v200", on: b.link(.bond, "bond0"), id: 200)
        b.vlan("v300", on: b.link(.vlan, "v200"), id: 300)   // declared after its base's base: chain is followed
        b.vlan("named", on: b.link(.nic, "ens160"), id: 7, ifname: "mgmt0")
        b.bridge("br-a", ports: [b.link(.vlan, "v300")])
        let t = b.lower().topology
        XCTAssertEqual(t.vlans.map(\.ifname), ["ens160.100", "bond0.200", "bond0.200.300", "mgmt0"])
        XCTAssertEqual(t.vlans[1].base, LinkRef(kind: .bond, name: "bond0", ifname: "bond0"))
        XCTAssertEqual(t.vlans[2].base, LinkRef(kind: .vlan, name: "v200", ifname: "bond0.200"))
        XCTAssertEqual(t.bonds[0].mode, "active-backup")
        XCTAssertEqual(t.bonds[0].ports.map(\.ifname), ["ens161", "ens162"])
        XCTAssertEqual(t.bridges[0].ports, [LinkRef(kind: .vlan, name: "v300", ifname: "bond0.200.300")])
    }

    func testBridgeDefaultsAndNodeAddressTakeover() {
        let b = ProgramBuilder()
        b.host("w1"); b.host("w2"); b.host("w3")
        b.nic("ens192", host: "w1", address: "192.168.0.121/24", gateway: "192.168.0.1", dns: ["192.168.0.1"])
        b.nic("ens192", host: "w2", dhcp: true)
        b.nic("ens192", host: "w3", address: "192.168.0.123/24")
        b.bridge("br-ext", ports: [b.link(.nic, "ens192")], hosts: ["w1", "w2"])
        b.bridge("br-old", managed: false, ifname: "br0")
        b.bridge("br-ovs", kind: .ovs)
        let t = b.lower().topology
        let ext = t.bridges[0]
        XCTAssertEqual(ext.ifname, "br-ext")
        XCTAssertEqual(ext.kind, .linux)
        XCTAssertFalse(ext.stp)
        XCTAssertTrue(ext.managed)
        XCTAssertEqual(ext.hosts, ["w1", "w2"])
        // w3 has an address on ens192 but the bridge is not built there.
        XCTAssertEqual(ext.nodeAddresses, [
            BridgeNodeAddress(host: "w1", fromNic: "ens192", fromIfname: "ens192", address: IfAddr("192.168.0.121/24"),
                              dhcp: false, gateway: IPAddress("192.168.0.1"), dns: [IPAddress("192.168.0.1")!]),
            BridgeNodeAddress(host: "w2", fromNic: "ens192", fromIfname: "ens192", address: nil, dhcp: true,
                              gateway: nil, dns: []),
        ])
        XCTAssertEqual(t.bridges[1].ifname, "br0")
        XCTAssertFalse(t.bridges[1].managed)
        XCTAssertNil(t.bridges[1].hosts)
        XCTAssertEqual(t.bridges[2].kind, .ovs)
    }

    // MARK: - Networks and derived names

    func testNetworkAttachmentsIPAMAndNADNames() {
        let b = ProgramBuilder("lab", namespace: "vms")
        b.nic("ens160"); b.nic("ens192")
        b.vlan("v100", on: b.link(.nic, "ens160"), id: 100)
        b.bridge("br-ext", ports: [b.link(.nic, "ens192")], ifname: "brx")
        b.bridge("br-ovs", kind: .ovs)
        b.network("ext", .bridge(name: "br-ext"), subnet: "192.168.0.0/24", gateway: "192.168.0.1",
                  pool: ("192.168.0.100", "192.168.0.199"))
        b.network("mgmt", .macvlan(b.link(.vlan, "v100")))
        b.network("fast", .sriov(resource: "intel.com/sriov"))
        b.network("trunk", .ovs(name: "br-ovs"), ipam: "whereabouts", nad: nil)
        b.network("pinned", .bridge(name: "br-ext"), subnet: "10.1.0.0/24", gateway: "10.1.0.1", ipam: "static")
        b.network("legacy", .bridge(name: "br-ext"), subnet: "10.2.0.0/24", gateway: "10.2.0.1", ipam: "host-local")
        b.network("shared", .bridge(name: "br-ext"), nad: "other/existing")
        b.network("local", .bridge(name: "br-ext"), nad: "existing")
        b.vm("vm1") {
            [b.vmNic("default", on: nil), b.vmNic("e", on: "ext"), b.vmNic("m", on: "mgmt"), b.vmNic("f", on: "fast"),
             b.vmNic("t", on: "trunk"), b.vmNic("p", on: "pinned", address: .ip(b.ip("10.1.0.5"))),
             b.vmNic("l", on: "legacy", address: .ip(b.ip("10.2.0.5"))), b.vmNic("s", on: "shared"),
             b.vmNic("o", on: "local")]
        }
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        XCTAssertEqual(t.networks[0].attachment, .bridge(name: "br-ext", ifname: "brx"))
        XCTAssertEqual(t.networks[0].poolFirst, IPAddress("192.168.0.100"))
        XCTAssertEqual(t.networks[0].poolLast, IPAddress("192.168.0.199"))
        XCTAssertEqual(t.networks[0].ipam, IPAMMode.none)
        XCTAssertEqual(t.networks[1].attachment, .macvlan(LinkRef(kind: .vlan, name: "v100", ifname: "ens160.100")))
        XCTAssertEqual(t.networks[2].attachment, .sriov(resource: "intel.com/sriov"))
        XCTAssertEqual(t.networks[3].attachment, .ovs(name: "br-ovs", ifname: "br-ovs"))
        XCTAssertEqual(t.networks.map(\.nadName), ["ext", "mgmt", "fast", "trunk", nil, nil, nil, nil])
        XCTAssertEqual(t.networks[6].existingNAD, "other/existing")

        let nics = t.vms[0].nics
        XCTAssertEqual(nics.map(\.binding), [.masquerade, .bridge, .macvtap, .sriov, .bridge, .bridge, .bridge, .bridge, .bridge])
        XCTAssertEqual(nics.map(\.networkName), [nil, "vms/ext", "vms/mgmt", "vms/fast", "vms/trunk", "vms/vm1-pinned-nad",
                                                 "vms/vm1-legacy-nad", "other/existing", "vms/existing"])
        XCTAssertEqual(nics.map(\.ownNAD), [nil, nil, nil, nil, nil, "vm1-pinned-nad", "vm1-legacy-nad", nil, nil])
        XCTAssertEqual(nics[0].network, nil)
        XCTAssertEqual(nics[1].network, "ext")
        XCTAssertEqual(nics[5].address, .static(IfAddr("10.1.0.5/24")!))
        XCTAssertEqual(t.vms[0].secretName, "vm1-cloudinit")
        // uuid.uuid5(uuid.NAMESPACE_URL, "wukong://vms/vm1") in Python
        XCTAssertEqual(t.vms[0].firmwareUUID, Hash.uuidV5URL("wukong://vms/vm1"))
    }

    func testFirmwareUUIDMatchesPython() {
        let b = ProgramBuilder("lab", namespace: "vms")
        b.vm("ubuntu-vm")
        // python3 -c "import uuid;print(uuid.uuid5(uuid.NAMESPACE_URL,'wukong://vms/ubuntu-vm'))"
        XCTAssertEqual(b.lower().topology.vms[0].firmwareUUID, "b2f56449-5827-56b9-af41-aa84fbbb732b")
    }

    func testVMFieldsAndUsers() {
        let b = ProgramBuilder()
        var vm = VMDecl(decl: b.decl("db"), cpu: b.loc(4), memory: b.loc(Quantity(bytes: 8 << 30)), image: b.loc("img"),
                        running: b.loc(false), labels: [LabelEntry(key: b.loc("tier"), value: b.loc("db"))],
                        run: [b.loc("echo hi")])
        vm.users = [UserDecl(decl: b.decl("admin"), passwordHash: b.loc("$6$x$y"), sshKeys: [b.loc("ssh-ed25519 AAAA")],
                             sudo: b.loc("ALL=(ALL) NOPASSWD:ALL"), shell: b.loc("/bin/bash"), groups: [b.loc("wheel")])]
        vm.cloudConfig = CloudConfigSource(text: "packages: [postgresql]\n", span: b.span(), lineSpans: nil)
        b.program.vms.append(vm)
        let out = b.lower().topology.vms[0]
        XCTAssertEqual(out.cpu, 4)
        XCTAssertEqual(out.memory, Quantity(bytes: 8 << 30))
        XCTAssertFalse(out.running)
        XCTAssertEqual(out.labels, [KeyValue("tier", "db")])
        XCTAssertEqual(out.run, ["echo hi"])
        XCTAssertEqual(out.cloudConfig, "packages: [postgresql]\n")
        XCTAssertEqual(out.users, [User(name: "admin", passwordHash: "$6$x$y", sshKeys: ["ssh-ed25519 AAAA"],
                                        sudo: "ALL=(ALL) NOPASSWD:ALL", shell: "/bin/bash", groups: ["wheel"])])
    }

    // MARK: - Addresses

    func testAutoAllocationSkipsReservedAndTakenInSourceOrder() {
        let b = ProgramBuilder()
        b.host("w1")
        b.nic("ens192", host: "w1", address: "10.0.0.4/24")
        b.nic("ens193", host: "w1", address: "10.9.0.6/24")         // another subnet: not reserved here
        b.bridge("br", ports: [b.link(.nic, "ens192")])
        b.network("lan", .bridge(name: "br"), subnet: "10.0.0.0/24", gateway: "10.0.0.1", dns: ["10.0.0.2"],
                  routes: [("10.10.0.0/16", "10.0.0.3")])
        b.vm("a") { [b.vmNic("x", on: "lan", address: .auto), b.vmNic("y", on: "lan", address: .auto)] }
        b.vm("b") { [b.vmNic("x", on: "lan", address: .ip(b.ip("10.0.0.7"))), b.vmNic("y", on: "lan", address: .auto)] }
        b.vm("c") { [b.vmNic("x", on: "lan", address: .ifaddr(IfAddr("10.0.0.5/24")!)), b.vmNic("y", on: "lan", address: .auto)] }
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        let addrs = t.vms.flatMap { $0.nics.map(\.address) }
        // .0 network, .1 gateway, .2 dns, .3 route via, .4 node address, .5 and .7 static (later VMs too)
        XCTAssertEqual(addrs, [.static(IfAddr("10.0.0.6/24")!), .static(IfAddr("10.0.0.8/24")!),
                               .static(IfAddr("10.0.0.7/24")!), .static(IfAddr("10.0.0.9/24")!),
                               .static(IfAddr("10.0.0.5/24")!), .static(IfAddr("10.0.0.10/24")!)])
    }

    func testAutoFromPoolAndExhaustion() {
        let b = ProgramBuilder()
        b.bridge("br")
        let ni = b.network("lan", .bridge(name: "br"), subnet: "10.0.0.0/24", gateway: "10.0.0.1",
                           pool: ("10.0.0.10", "10.0.0.12"))
        b.vm("a") { [b.vmNic("x", on: "lan", address: .ip(b.ip("10.0.0.11")))] }
        b.vm("b") { [b.vmNic("x", on: "lan", address: .auto)] }
        b.vm("c") { [b.vmNic("x", on: "lan", address: .auto)] }
        b.vm("d") { [b.vmNic("x", on: "lan", address: .auto)] }
        b.vm("e") { [b.vmNic("x", on: "lan", address: .auto)] }
        let (t, diags) = b.lower()
        XCTAssertEqual(t.vms[1].nics[0].address, .static(IfAddr("10.0.0.10/24")!))
        XCTAssertEqual(t.vms[2].nics[0].address, .static(IfAddr("10.0.0.12/24")!))
        XCTAssertEqual(diags.map(\.code), [.poolExhausted, .poolExhausted])
        XCTAssertEqual(diags[0].span, b.program.vms[3].nics[0].address!.span)
        XCTAssertEqual(diags[1].span, b.program.vms[4].nics[0].address!.span)
        XCTAssertEqual(diags[0].notes.map(\.span), [b.program.networks[ni].pool!.span])
        XCTAssertNotNil(diags[0].help)
    }

    func testExhaustedSubnetNotesTheSubnet() {
        let b = ProgramBuilder()
        b.bridge("br")
        let ni = b.network("p2p", .bridge(name: "br"), subnet: "10.0.0.0/30", gateway: "10.0.0.1")
        b.vm("a") { [b.vmNic("x", on: "p2p", address: .auto), b.vmNic("y", on: "p2p", address: .auto)] }
        let (t, diags) = b.lower()
        XCTAssertEqual(t.vms[0].nics[0].address, .static(IfAddr("10.0.0.2/30")!))  // .3 is the broadcast
        XCTAssertEqual(diags.map(\.code), [.poolExhausted])
        XCTAssertEqual(diags.first?.notes.map(\.span), [b.program.networks[ni].subnet!.span])
    }

    func testSlash31AndIPv6Allocation() {
        let b = ProgramBuilder()
        b.bridge("br")
        b.network("p2p", .bridge(name: "br"), subnet: "10.0.0.0/31")
        b.network("v6", .bridge(name: "br"), subnet: "fd00::/64", gateway: "fd00::1")
        b.vm("a") { [b.vmNic("x", on: "p2p", address: .auto), b.vmNic("y", on: "p2p", address: .auto),
                     b.vmNic("z", on: "v6", address: .auto)] }
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        XCTAssertEqual(t.vms[0].nics.map(\.address), [.static(IfAddr("10.0.0.0/31")!), .static(IfAddr("10.0.0.1/31")!),
                                                      .static(IfAddr("fd00::2/64")!)])
    }

    func testAddressModes() {
        let b = ProgramBuilder()
        b.bridge("br")
        b.network("lan", .bridge(name: "br"), subnet: "10.0.0.0/16", gateway: "10.0.0.1")
        b.network("wa", .bridge(name: "br"), subnet: "10.1.0.0/24", ipam: "whereabouts")
        b.vm("a") {
            [b.vmNic("pod", on: nil), b.vmNic("s", on: "lan", address: .ip(b.ip("10.0.3.4"))),
             b.vmNic("d", on: "lan", address: .dhcp), b.vmNic("n", on: "lan"), b.vmNic("w", on: "wa")]
        }
        let nics = b.lower().topology.vms[0].nics
        XCTAssertEqual(nics.map(\.address), [.dhcp, .static(IfAddr("10.0.3.4/16")!), .dhcp, .dhcp, .dhcp])
    }

    // MARK: - MACs

    func testDerivedMACMatchesPython() {
        let b = ProgramBuilder("lab")
        b.nic("ens192")
        b.bridge("br", ports: [b.link(.nic, "ens192")])
        b.network("external", .bridge(name: "br"))
        b.vm("ubuntu-vm") { [b.vmNic("ext", on: "external")] }
        // python3 -c "import hashlib;print(hashlib.sha256(b'lab/ubuntu-vm/ext').hexdigest()[:10])" → 849973c944
        XCTAssertEqual(b.lower().topology.vms[0].nics[0].mac.description, "0e:84:99:73:c9:44")
    }

    func testMACPrefixTwoOctets() {
        let b = ProgramBuilder("lab")
        b.program.macPrefix = b.loc("0E:aa")
        b.vm("ubuntu-vm") { [b.vmNic("ext", on: nil)] }
        XCTAssertEqual(b.lower().topology.vms[0].nics[0].mac.description, "0e:aa:84:99:73:c9")
    }

    func testExplicitMACKeptAndCollisionRehashes() {
        let b = ProgramBuilder("lab")
        // `ubuntu-vm.ext` would derive 0e:84:99:73:c9:44; an explicit MAC elsewhere takes it first.
        b.vm("other") { [b.vmNic("n", on: nil, mac: "0E:84:99:73:C9:44")] }
        b.vm("ubuntu-vm") { [b.vmNic("ext", on: nil)] }
        let t = b.lower().topology
        XCTAssertEqual(t.vms[0].nics[0].mac.description, "0e:84:99:73:c9:44")
        // python3 -c "import hashlib;print(hashlib.sha256(b'lab/ubuntu-vm/ext/1').hexdigest()[:10])" → da1c633f2a
        XCTAssertEqual(t.vms[1].nics[0].mac.description, "0e:da:1c:63:3f:2a")
    }

    func testDerivedMACsAreUniqueLocalUnicastAndStable() {
        let b = ProgramBuilder("lab")
        for i in 0..<500 { b.vm("vm-\(i)") { [b.vmNic("default", on: nil), b.vmNic("a", on: nil)] } }
        let t1 = b.lower().topology
        let macs = t1.vms.flatMap { $0.nics.map(\.mac) }
        XCTAssertEqual(Set(macs).count, macs.count)
        XCTAssertTrue(macs.allSatisfy { $0.isLocallyAdministered && !$0.isMulticast && $0.bytes[0] == 0x0e })
        // Adding a VM in front changes nobody else's MAC.
        let b2 = ProgramBuilder("lab")
        b2.vm("new") { [b2.vmNic("default", on: nil)] }
        b2.program.vms.append(contentsOf: b.program.vms)
        let t2 = b2.lower().topology
        XCTAssertEqual(Array(t2.vms.dropFirst()).flatMap { $0.nics.map(\.mac) }, macs)
    }

    func testCollisionResolutionFollowsNameOrderNotSourceOrder() {
        // Two explicit MACs force both derived NICs that want them to rehash; whatever the
        // declaration order, the result is the same.
        func build(_ reversed: Bool) -> [String: String] {
            let b = ProgramBuilder("lab")
            let d = MACDerivation(topology: "lab", prefix: [0x0e])
            let m1 = d.derive(vm: "a", nic: "x", counter: 0).description
            let m2 = d.derive(vm: "b", nic: "x", counter: 0).description
            var decls: [() -> Void] = [
                { b.vm("a") { [b.vmNic("x", on: nil)] } },
                { b.vm("b") { [b.vmNic("x", on: nil)] } },
                { b.vm("pins") { [b.vmNic("p", on: nil, mac: m1), b.vmNic("q", on: nil, mac: m2)] } },
            ]
            if reversed { decls.reverse() }
            decls.forEach { $0() }
            var out: [String: String] = [:]
            for vm in b.lower().topology.vms { for n in vm.nics { out["\(vm.name).\(n.name)"] = n.mac.description } }
            return out
        }
        let forward = build(false)
        XCTAssertEqual(forward, build(true))
        let d = MACDerivation(topology: "lab", prefix: [0x0e])
        XCTAssertEqual(forward["a.x"], d.derive(vm: "a", nic: "x", counter: 1).description)
        XCTAssertEqual(forward["b.x"], d.derive(vm: "b", nic: "x", counter: 1).description)
    }

    // MARK: - Default route

    func testDefaultRouteRule() {
        let b = ProgramBuilder()
        b.bridge("br")
        b.network("nogw", .bridge(name: "br"), subnet: "10.0.0.0/24")
        b.network("gw1", .bridge(name: "br"), subnet: "10.1.0.0/24", gateway: "10.1.0.1")
        b.network("gw2", .bridge(name: "br"), subnet: "10.2.0.0/24", gateway: "10.2.0.1")
        // implicit, v2: the pod NIC first; when it says `false`, no-gateway skipped, `false` skipped → first eligible
        b.vm("implicit") {
            [b.vmNic("default", on: nil, defaultRoute: false), b.vmNic("a", on: "nogw"), b.vmNic("b", on: "gw1", defaultRoute: false),
             b.vmNic("c", on: "gw2", metric: 100), b.vmNic("d", on: "gw1")]
        }
        // explicit: exactly those set to true
        b.vm("explicit") {
            [b.vmNic("a", on: "gw1"), b.vmNic("b", on: "gw2", defaultRoute: true), b.vmNic("c", on: "gw1", defaultRoute: true)]
        }
        b.vm("none") { [b.vmNic("default", on: nil, defaultRoute: false), b.vmNic("a", on: "nogw")] }
        // v2: with a pod NIC and nothing explicit, the pod NIC keeps the default route
        b.vm("pod") { [b.vmNic("a", on: "gw1"), b.vmNic("default", on: nil)] }
        let t = b.lower().topology
        XCTAssertEqual(t.vms[0].nics.map(\.defaultRoute), [false, false, false, true, false])
        XCTAssertEqual(t.vms[0].nics.map(\.metric), [nil, nil, nil, 100, nil])
        XCTAssertEqual(t.vms[1].nics.map(\.defaultRoute), [false, true, true])
        XCTAssertEqual(t.vms[2].nics.map(\.defaultRoute), [false, false])
        XCTAssertEqual(t.vms[3].nics.map(\.defaultRoute), [false, true])
    }

    // MARK: - Placement

    func testPlacementPinnedAndAffinity() {
        let b = ProgramBuilder()
        b.host("w1", hostname: "w1.lab"); b.host("w2"); b.host("w3")
        b.bridge("br-a", hosts: ["w3", "w1", "w2"])
        b.bridge("br-b", hosts: ["w2", "w3"])
        b.bridge("br-all")
        b.network("a", .bridge(name: "br-a"))
        b.network("bb", .bridge(name: "br-b"))
        b.network("all", .bridge(name: "br-all"))
        b.vm("pinned", host: "w1") { [b.vmNic("x", on: "a")] }
        b.vm("both") { [b.vmNic("x", on: "a"), b.vmNic("y", on: "bb"), b.vmNic("z", on: "all")] }
        b.vm("one") { [b.vmNic("x", on: "a")] }
        b.vm("free") { [b.vmNic("default", on: nil), b.vmNic("z", on: "all")] }
        let vms = b.lower().topology.vms
        XCTAssertEqual(vms[0].pinnedHostname, "w1.lab")
        XCTAssertNil(vms[0].affinityHostnames)
        XCTAssertEqual(vms[1].affinityHostnames, ["w2", "w3"])
        XCTAssertEqual(vms[2].affinityHostnames, ["w1.lab", "w2", "w3"])  // host source order
        XCTAssertNil(vms[3].affinityHostnames)
        XCTAssertNil(vms[3].pinnedHostname)
    }

    // MARK: - Policies

    func testBondUnderTwoVlansUnderTwoBridgesIsOnePolicy() {
        let b = ProgramBuilder("lab")
        b.nic("ens1"); b.nic("ens2"); b.nic("ens3")
        b.bridge("br-plain", ports: [b.link(.nic, "ens3")])
        b.bond("bond0", ports: [b.link(.nic, "ens1"), b.link(.nic, "ens2")])
        b.vlan("v10", on: b.link(.bond, "bond0"), id: 10)
        b.vlan("v20", on: b.link(.bond, "bond0"), id: 20)
        b.bridge("br-20", ports: [b.link(.vlan, "v20")])
        b.bridge("br-10", ports: [b.link(.vlan, "v10")])
        b.program.nodeSelector = [LabelEntry(key: b.loc("role"), value: b.loc("kv"))]
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        XCTAssertEqual(t.policies, [
            NodePolicy(name: "lab-br-plain", host: nil, nodeSelector: [KeyValue("role", "kv")], interfaces: [.bridge("br-plain")]),
            NodePolicy(name: "lab-br-20", host: nil, nodeSelector: [KeyValue("role", "kv")],
                       interfaces: [.bond("bond0"), .vlan("v10"), .vlan("v20"), .bridge("br-20"), .bridge("br-10")]),
        ])
    }

    func testMacvlanOnlyVlanIsItsOwnComponentAndUnmanagedBridgesProduceNothing() {
        let b = ProgramBuilder("lab")
        b.nic("ens160"); b.nic("ens192")
        b.vlan("v100", on: b.link(.nic, "ens160"), id: 100)
        b.vlan("v200", on: b.link(.nic, "ens160"), id: 200)
        b.bridge("br-mgmt", ports: [b.link(.vlan, "v200")])
        b.bridge("br-existing", ports: [b.link(.nic, "ens192")], managed: false)
        b.network("m", .macvlan(b.link(.vlan, "v100")))
        let t = b.lower().topology
        // Plain NIC ens160 is not an interface and does not join v100 to br-mgmt.
        XCTAssertEqual(t.policies.map(\.name), ["lab-v100", "lab-br-mgmt"])
        XCTAssertEqual(t.policies[0].interfaces, [.vlan("v100")])
        XCTAssertEqual(t.policies[1].interfaces, [.vlan("v200"), .bridge("br-mgmt")])
    }

    func testPerHostSplitForRestrictedBridges() {
        let b = ProgramBuilder("lab")
        b.host("w1", hostname: "w1.lab"); b.host("w2"); b.host("w3")
        b.nic("ens1"); b.nic("ens2")
        b.vlan("v5", on: b.link(.nic, "ens2"), id: 5)
        b.bridge("br-a", ports: [b.link(.nic, "ens1")], hosts: ["w2", "w1"])
        b.bridge("br-b", ports: [b.link(.vlan, "v5")], hosts: ["w2"])
        b.bridge("br-c", ports: [b.link(.vlan, "v5")], hosts: ["w3"])  // N-PORT in a real program; still no trap
        let (t, _) = b.lower()
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-a-w1", "lab-br-a-w2", "lab-br-b-w2", "lab-br-b-w3"])
        XCTAssertEqual(t.policies[0].nodeSelector, [KeyValue("kubernetes.io/hostname", "w1.lab")])
        XCTAssertEqual(t.policies[0].host, "w1")
        XCTAssertEqual(t.policies[2].interfaces, [.vlan("v5"), .bridge("br-b")])
        XCTAssertEqual(t.policies[3].interfaces, [.vlan("v5"), .bridge("br-c")])
    }

    func testPerHostComponentWithAnUnrestrictedMacvlanVlanCoversEveryHost() {
        let b = ProgramBuilder("lab")
        b.host("w1"); b.host("w2")
        b.nic("ens1"); b.nic("ens2")
        b.bond("bond0", ports: [b.link(.nic, "ens1"), b.link(.nic, "ens2")])
        b.vlan("v10", on: b.link(.bond, "bond0"), id: 10)
        b.vlan("v20", on: b.link(.bond, "bond0"), id: 20)
        b.bridge("br-10", ports: [b.link(.vlan, "v10")], hosts: ["w2"])
        b.network("mv", .macvlan(b.link(.vlan, "v20")))
        let t = b.lower().topology
        // v20 (macvlan, unrestricted) needs bond0 on every host; br-10 and v10 only on w2.
        XCTAssertEqual(t.policies, [
            NodePolicy(name: "lab-br-10-w1", host: "w1", nodeSelector: [KeyValue("kubernetes.io/hostname", "w1")],
                       interfaces: [.bond("bond0"), .vlan("v20")]),
            NodePolicy(name: "lab-br-10-w2", host: "w2", nodeSelector: [KeyValue("kubernetes.io/hostname", "w2")],
                       interfaces: [.bond("bond0"), .vlan("v10"), .vlan("v20"), .bridge("br-10")]),
        ])
    }

    func testPerHostNodeAddressesSplitAndReleaseTheNic() {
        let b = ProgramBuilder("lab")
        b.host("w1"); b.host("w2")
        b.nic("ens192", host: "w1", address: "192.168.0.121/24", gateway: "192.168.0.1")
        b.nic("ens192", host: "w2")
        b.bridge("br-ext", ports: [b.link(.nic, "ens192")])
        let t = b.lower().topology
        XCTAssertEqual(t.policies, [
            NodePolicy(name: "lab-br-ext-w1", host: "w1", nodeSelector: [KeyValue("kubernetes.io/hostname", "w1")],
                       interfaces: [.releasedNic("ens192"), .bridge("br-ext")]),
            NodePolicy(name: "lab-br-ext-w2", host: "w2", nodeSelector: [KeyValue("kubernetes.io/hostname", "w2")],
                       interfaces: [.bridge("br-ext")]),
        ])
    }

    func testTopLevelDHCPNicIsReleasedInOneSharedPolicy() {
        let b = ProgramBuilder("lab")
        b.nic("ens192", dhcp: true)
        b.vlan("v7", on: b.link(.nic, "ens192"), id: 7)   // a VLAN on a released NIC joins its component
        b.bridge("br-ext", ports: [b.link(.nic, "ens192")])
        b.network("m", .macvlan(b.link(.vlan, "v7")))
        let t = b.lower().topology
        XCTAssertEqual(t.bridges[0].nodeAddresses.map(\.dhcp), [true])
        XCTAssertEqual(t.policies, [
            NodePolicy(name: "lab-br-ext", host: nil, nodeSelector: [],
                       interfaces: [.vlan("v7"), .releasedNic("ens192"), .bridge("br-ext")]),
        ])
    }

    func testDuplicatePolicyNameIsReportedAtTheLaterBridge() {
        let b = ProgramBuilder("lab")
        b.host("x")
        b.bridge("br", hosts: ["x"])      // lab-br-x
        b.bridge("br-x")                  // lab-br-x again
        let (t, diags) = b.lower()
        XCTAssertEqual(t.policies.map(\.name), ["lab-br-x", "lab-br-x"])
        XCTAssertEqual(diags.map(\.code), [.duplicateObject])
        XCTAssertEqual(diags.first?.span, b.program.bridges[1].decl.nameSpan)
        XCTAssertEqual(diags.first?.notes.map(\.span), [b.program.bridges[0].decl.nameSpan])
    }

    func testPolicyNameTooLongOrBadSyntax() {
        let b = ProgramBuilder("a-rather-long-topology-name-for-testing")
        b.host("worker-number-one")
        b.bridge("br-external-uplink", hosts: ["worker-number-one"])
        b.bridge("Br_Caps")
        let (_, diags) = b.lower()
        XCTAssertEqual(diags.map(\.code), [.kubernetesName, .kubernetesName])
        XCTAssertEqual(diags.map(\.span), [b.program.bridges[0].decl.nameSpan, b.program.bridges[1].decl.nameSpan])
        XCTAssertTrue(diags[0].message.contains("longer than 63"))
        XCTAssertNil(KubeNames.labelNameProblem("lab-br-ext.w1"))
        XCTAssertNotNil(KubeNames.labelNameProblem("lab-br-"))
        XCTAssertNotNil(KubeNames.labelNameProblem("lab..x"))
    }

    func testDuplicateNADNames() {
        let b = ProgramBuilder("lab")
        b.bridge("br")
        b.network("a-b-nad", .bridge(name: "br"))
        b.network("b", .bridge(name: "br"), subnet: "10.0.0.0/24", gateway: "10.0.0.1", ipam: "static")
        b.vm("a") { [b.vmNic("n", on: "b", address: .ip(b.ip("10.0.0.5")))] }
        let (_, diags) = b.lower()
        XCTAssertEqual(diags.map(\.code), [.duplicateObject])
        XCTAssertEqual(diags.first?.span, b.program.vms[0].nics[0].decl.nameSpan)
    }

    // MARK: - Robustness, JSON, determinism

    func testUnresolvedReferencesAreSkippedNotTrapped() {
        let b = ProgramBuilder()
        b.program.vlans.append(VlanDecl(decl: b.decl("v"), base: nil, poisoned: true))
        b.vlan("loop1", on: b.link(.vlan, "loop2"), id: 1)
        b.vlan("loop2", on: b.link(.vlan, "loop1"), id: 2)
        b.program.networks.append(NetworkDecl(decl: b.decl("broken"), poisoned: true))
        b.program.vms.append(VMDecl(decl: b.decl("vm"), nics: [
            VMNicDecl(decl: b.decl("lost"), network: nil, poisoned: true),
            b.vmNic("onbroken", on: "broken", address: .auto),
            b.vmNic("unknown", on: "nowhere"),
        ]))
        let (t, _) = b.lower()
        XCTAssertEqual(t.vlans.map(\.name), ["loop1", "loop2"])
        XCTAssertEqual(t.networks, [])
        XCTAssertEqual(t.vms.first?.nics, [])
    }

    func testIRJSONIsStableSortedAndUnescaped() {
        let b = ProgramBuilder("lab", namespace: "vms")
        b.nic("ens192")
        b.bridge("br", ports: [b.link(.nic, "ens192")])
        b.network("ext", .bridge(name: "br"), subnet: "192.168.0.0/24", gateway: "192.168.0.1")
        b.vm("v") { [b.vmNic("default", on: nil), b.vmNic("e", on: "ext", address: .auto)] }
        let json = IRJSON.encode(b.lower().topology)
        XCTAssertEqual(json, IRJSON.encode(b.lower().topology))
        XCTAssertTrue(json.hasSuffix("}\n"))
        XCTAssertTrue(json.contains("\"app.kubernetes.io/managed-by\""))
        XCTAssertFalse(json.contains("\\/"))
        XCTAssertTrue(json.contains("\"192.168.0.2/24\""))
        XCTAssertTrue(json.contains("\"networkName\" : \"vms/ext\""))
        // sorted keys: "bonds" before "bridges" before "createNamespace" at the top level
        let top = ["bonds", "bridges", "createNamespace", "hosts", "labels", "name", "namespace", "vms"].map { "\n  \"\($0)\" : " }
        let positions = top.compactMap { json.range(of: $0)?.lowerBound }
        XCTAssertEqual(positions.count, top.count)
        XCTAssertEqual(positions, positions.sorted())
    }

    func testDeterministic() {
        let b = ProgramBuilder()
        b.host("w1"); b.host("w2")
        b.nic("ens1", host: "w1", address: "10.0.0.2/24"); b.nic("ens1", host: "w2", address: "10.0.0.3/24")
        b.bridge("br", ports: [b.link(.nic, "ens1")])
        b.network("n", .bridge(name: "br"), subnet: "10.0.0.0/24", gateway: "10.0.0.1")
        for i in 0..<50 { b.vm("vm\(i)") { [b.vmNic("default", on: nil), b.vmNic("x", on: "n", address: .auto)] } }
        let first = b.lower()
        for _ in 0..<3 {
            let again = b.lower()
            XCTAssertEqual(again.topology, first.topology)
            XCTAssertEqual(again.diagnostics, first.diagnostics)
        }
    }

    func testManyVMsLowerLinearly() {
        let b = ProgramBuilder()
        b.bridge("br")
        b.network("n", .bridge(name: "br"), subnet: "10.0.0.0/8", gateway: "10.0.0.1")
        for i in 0..<10_000 { b.vm("vm-\(i)") { [b.vmNic("x", on: "n", address: .auto)] } }
        let (t, diags) = b.lower()
        XCTAssertEqual(diags, [])
        XCTAssertEqual(t.vms.last?.nics.first?.address, .static(IfAddr("10.0.39.17/8")!))  // 10 000th free after .0, .1
    }
}
