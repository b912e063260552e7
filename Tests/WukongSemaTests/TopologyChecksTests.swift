import XCTest
import WukongDiagnostics
import WukongNet
@testable import WukongSema

/// Unit tests of the topology checks on hand-built checked programs (no parser or evaluator needed).
final class TopologyChecksTests: XCTestCase {
    // MARK: - Building programs

    /// Hands out distinct fake spans in source order.
    final class Spans {
        var next = 0
        func callAsFunction() -> Span { next += 10; return Span(file: FileID(0), start: next, end: next + 5) }
    }
    let s = Spans()

    func decl(_ name: String) -> DeclInfo { let sp = s(); return DeclInfo(name: name, nameSpan: sp, span: sp) }
    func loc<T>(_ v: T) -> Located<T> { Located(v, s()) }
    func ip(_ t: String) -> IPAddress { IPAddress(t)! }
    func cidr(_ t: String) -> CIDR { CIDR.parse(t).cidr! }
    func program(_ name: String = "lab") -> CheckedProgram { CheckedProgram(topologyName: loc(name)) }
    func link(_ name: String, _ kind: LinkDeclKind = .nic) -> LinkUse { LinkUse(kind: kind, name: name, span: s()) }

    func bridgeNet(_ name: String, bridge: String, subnet: String? = nil, gateway: String? = nil) -> NetworkDecl {
        NetworkDecl(decl: decl(name), attachments: [loc(.bridge(name: bridge))], subnet: subnet.map { loc(cidr($0)) },
                    gateway: gateway.map { loc(ip($0)) })
    }
    func nic(_ name: String, on net: String?, address: AddressSpec? = nil, mac: String? = nil,
             defaultRoute: Bool? = nil, metric: Int? = nil, ifname: String? = nil) -> VMNicDecl {
        let use: Located<NicNetworkUse>? = net.map { loc($0 == "pod" ? .pod : .network($0)) }
        return VMNicDecl(decl: decl(name), network: use, address: address.map { loc($0) }, mac: mac.map { loc(MACAddress($0)!) },
                         ifname: ifname.map { loc($0) }, metric: metric.map { loc($0) }, defaultRoute: defaultRoute.map { loc($0) })
    }
    func vm(_ name: String, _ nics: [VMNicDecl], users: [UserDecl] = []) -> VMDecl {
        VMDecl(decl: decl(name), cpu: loc(1), memory: loc(Quantity(bytes: 1 << 30)), image: loc("x:1"), users: users, nics: nics)
    }
    /// A base program: NIC ens192 under bridge br, network `ext` 192.168.0.0/24 gw .1 on it.
    func base() -> CheckedProgram {
        var p = program()
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: nil)]
        p.bridges = [BridgeDecl(decl: decl("br"), kind: .linux, ports: [link("ens192")])]
        p.networks = [bridgeNet("ext", bridge: "br", subnet: "192.168.0.0/24", gateway: "192.168.0.1")]
        return p
    }

    func codes(_ ds: [Diagnostic]) -> [String] { ds.map(\.code.rawValue).sorted() }
    func only(_ ds: [Diagnostic], _ code: DiagnosticCode, file: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
        ds.filter { $0.code == code }
    }

    // MARK: - Addresses

    func testCleanProgramHasNoDiagnostics() {
        var p = base()
        p.vms = [vm("a", [nic("default", on: "pod"), nic("e", on: "ext", address: .ip(ip("192.168.0.10")))])]
        XCTAssertEqual(TopologyChecks.check(p).map(\.message), [])
    }

    func testAddressChecksPickOneFindingPerNic() {
        var p = base()
        let outside = nic("a", on: "ext", address: .ip(ip("192.168.1.200")))
        let netAddr = nic("b", on: "ext", address: .ip(ip("192.168.0.0")))
        let bcast = nic("c", on: "ext", address: .ip(ip("192.168.0.255")))
        let gw = nic("d", on: "ext", address: .ip(ip("192.168.0.1")))
        let prefix = nic("e", on: "ext", address: .ifaddr(IfAddr(address: ip("192.168.0.5"), prefix: 16)))
        // outside AND wrong prefix: N-SUBNET only
        let both = nic("f", on: "ext", address: .ifaddr(IfAddr(address: ip("10.0.0.5"), prefix: 16)))
        p.vms = [vm("v", [outside, netAddr, bcast, gw, prefix, both])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(ds.map(\.code), [.subnet, .reservedAddress, .reservedAddress, .reservedAddress, .prefixMismatch, .subnet])
        XCTAssertEqual(ds[0].span, outside.address!.span)
        XCTAssertEqual(ds[0].notes.first?.span, p.networks[0].subnet!.span, "note at the subnet")
        XCTAssertEqual(ds[3].notes.first?.span, p.networks[0].gateway!.span, "gateway note")
        XCTAssertEqual(ds[4].fixIts.first?.replacement, "192.168.0.5/24")
    }

    func testDuplicateAddressErrorAtLaterWithNote() {
        var p = base()
        let first = nic("e", on: "ext", address: .ip(ip("192.168.0.10")))
        let second = nic("e", on: "ext", address: .ifaddr(IfAddr(address: ip("192.168.0.10"), prefix: 24)))
        let auto = nic("f", on: "ext", address: .auto)
        p.vms = [vm("a", [first]), vm("b", [second, auto])]
        let ds = only(TopologyChecks.check(p), .duplicateIP)
        XCTAssertEqual(ds.count, 1)
        XCTAssertEqual(ds[0].span, second.address!.span)
        XCTAssertEqual(ds[0].notes.map(\.span), [first.address!.span])
    }

    func testDuplicateWithNodeAddressOnTheSameBridgeOnly() {
        var p = base()
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: nil, address: loc(IfAddr("192.168.0.121/24")!))]
        // a second network on a bridge without that NIC: the same address is fine there
        p.nics.append(NodeNicDecl(decl: decl("ens193"), host: nil))
        p.bridges.append(BridgeDecl(decl: decl("br2"), kind: .linux, ports: [link("ens193")]))
        p.networks.append(bridgeNet("other", bridge: "br2", subnet: "192.168.0.0/24"))
        let clash = nic("e", on: "ext", address: .ip(ip("192.168.0.121")))
        let fine = nic("f", on: "other", address: .ip(ip("192.168.0.121")))
        p.vms = [vm("a", [clash, fine])]
        let ds = only(TopologyChecks.check(p), .duplicateIP)
        XCTAssertEqual(ds.map(\.span), [clash.address!.span])
        XCTAssertEqual(ds.first?.notes.first?.span, p.nics[0].address!.span)
    }

    func testAddressOnNetworkWithoutSubnet() {
        var p = base()
        p.networks[0] = bridgeNet("ext", bridge: "br")
        let st = nic("e", on: "ext", address: .ip(ip("10.0.0.5")))
        let au = nic("f", on: "ext", address: .auto)
        let dh = nic("g", on: "ext", address: .dhcp)
        p.vms = [vm("a", [st, au, dh])]
        XCTAssertEqual(only(TopologyChecks.check(p), .subnet).map(\.span), [st.address!.span, au.address!.span])
    }

    func testGatewayPoolAndRouteOutsideSubnet() {
        var p = base()
        p.networks[0].gateway = loc(ip("10.0.0.1"))
        p.networks[0].pool = loc(ClosedInterval(first: ip("192.168.0.100"), last: ip("192.168.1.10")))
        p.networks[0].routes = [RouteDecl(to: loc(cidr("10.10.0.0/16")), via: loc(ip("172.16.0.1")), span: s())]
        p.vms = [vm("a", [nic("e", on: "ext")])]
        let ds = only(TopologyChecks.check(p), .subnet)
        XCTAssertEqual(ds.map(\.span), [p.networks[0].gateway!.span, p.networks[0].pool!.span, p.networks[0].routes[0].via.span])
    }

    func testPoisonedNetworkStillChecksAddressesButNotUsage() {
        var p = base()
        p.networks[0].attachments = []
        p.networks[0].poisoned = true
        p.networks.append(NetworkDecl(decl: decl("wrong"), poisoned: true))
        let bad = nic("e", on: "ext", address: .ip(ip("192.168.1.200")))
        p.vms = [vm("a", [bad])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(ds.map(\.code), [.subnet], "no N-ATTACH, no N-UNUSED for poisoned networks or the bridge")
    }

    func testPoisonedNetworkWithoutSubnetIsNotMissingASubnet() {
        var p = base()
        p.networks[0].subnet = nil          // e.g. `subnet = 10.0.0.1/24` failed in evaluation
        p.networks[0].gateway = nil
        p.networks[0].ipam = loc("static")
        p.networks[0].poisoned = true
        p.vms = [vm("a", [nic("e", on: "ext", address: .ip(ip("192.168.0.5")), defaultRoute: true)])]
        XCTAssertEqual(TopologyChecks.check(p).map(\.message), [])
        // the NIC's own address failed: it is not "missing" either
        p.networks[0].poisoned = false
        p.networks[0].subnet = loc(cidr("192.168.0.0/24"))
        p.networks[0].gateway = loc(ip("192.168.0.1"))
        var bad = nic("f", on: "ext")
        bad.poisoned = true
        p.vms = [vm("a", [bad])]
        XCTAssertEqual(TopologyChecks.check(p).map(\.message), [])
    }

    // MARK: - Routes, IPAM, overlap, pod

    func testDefaultRoutes() {
        var p = base()
        p.networks.append(NetworkDecl(decl: decl("nogw"), attachments: [loc(.bridge(name: "br"))], subnet: loc(cidr("10.1.0.0/24"))))
        p.networks.append(NetworkDecl(decl: decl("mgmt"), attachments: [loc(.bridge(name: "br"))], subnet: loc(cidr("10.2.0.0/24")),
                                      gateway: loc(ip("10.2.0.1"))))
        let a = nic("a", on: "ext", address: .ip(ip("192.168.0.10")), defaultRoute: true)
        let b = nic("b", on: "nogw", address: .auto, defaultRoute: true)
        let c = nic("c", on: "mgmt", address: .ip(ip("10.2.0.10")), defaultRoute: true, metric: 50)
        let d = nic("d", on: "nogw", address: .dhcp, defaultRoute: true, metric: 10)
        p.vms = [vm("v", [a, b, c, d])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .route).map(\.span), [b.defaultRoute!.span])
        let w = only(ds, .routeWarning)
        XCTAssertEqual(w.map(\.span), [c.defaultRoute!.span], "equal metric 50 (default) on a and c; d has 10")
        XCTAssertEqual(w.first?.notes.first?.span, a.defaultRoute!.span)
    }

    func testIPAM() {
        var p = base()
        p.nics.append(NodeNicDecl(decl: decl("ens160"), host: nil))
        p.networks[0].ipam = loc("static")
        p.networks.append(NetworkDecl(decl: decl("mv"), attachments: [loc(.macvlan(link("ens160")))],
                                      subnet: loc(cidr("10.5.0.0/24")), ipam: loc("whereabouts")))
        p.networks.append(NetworkDecl(decl: decl("dh"), attachments: [loc(.bridge(name: "br"))], ipam: loc("dhcp")))
        p.networks.append(NetworkDecl(decl: decl("st"), attachments: [loc(.bridge(name: "br"))], subnet: loc(cidr("10.6.0.0/24")),
                                      ipam: loc("host-local"), nad: loc("x")))
        let noAddr = nic("a", on: "ext")
        let twice = nic("b", on: "ext", address: .ip(ip("192.168.0.11")))
        let onWhere = nic("c", on: "mv", address: .ip(ip("10.5.0.9")))
        let onDhcp = nic("d", on: "dh", address: .dhcp)
        p.vms = [vm("v", [noAddr, twice, onWhere, onDhcp])]
        let ds = TopologyChecks.check(p)
        let errs = only(ds, .ipam).map(\.span)
        XCTAssertEqual(errs, [p.networks[1].ipam!.span,            // whereabouts on macvlan
                              p.networks[3].ipam!.span,            // host-local without gateway
                              p.networks[3].nad!.span,             // nad with host-local
                              noAddr.decl.nameSpan,                // static network, no address
                              twice.network!.span])                // second NIC on one static network
        // the static address on `mv` is not reported again: the invalid `ipam` counts as `none` (no cascade)
        XCTAssertFalse(errs.contains(onWhere.address!.span))
        XCTAssertEqual(only(ds, .ipamWarning).map(\.span), [p.networks[2].ipam!.span])
    }

    func testOverlapIncludesPodNetwork() {
        var p = base()
        p.networks.append(bridgeNet("podlike", bridge: "br", subnet: "10.0.0.0/16"))
        p.networks.append(bridgeNet("inner", bridge: "br", subnet: "192.168.0.128/25"))
        let pod = nic("default", on: "pod")
        let n1 = nic("a", on: "podlike")
        let n2 = nic("b", on: "ext")
        let n3 = nic("c", on: "inner")
        p.vms = [vm("v", [pod, n1, n2, n3])]
        let ds = only(TopologyChecks.check(p), .overlapWarning)
        XCTAssertEqual(ds.map(\.span), [n1.network!.span, n3.network!.span])
        XCTAssertEqual(ds.first?.notes.first?.span, pod.network!.span)
    }

    func testTwoPodNics() {
        var p = base()
        let a = nic("a", on: "pod"), b = nic("b", on: "pod")
        p.vms = [vm("v", [a, b, nic("c", on: "ext")])]
        let ds = only(TopologyChecks.check(p), .podNetwork)
        XCTAssertEqual(ds.map(\.span), [b.network!.span])
    }

    // MARK: - Node side

    func testPortsTwiceMacvlanOnPortAndCycle() {
        var p = base()
        p.nics.append(NodeNicDecl(decl: decl("ens161"), host: nil))
        let again = link("ens192")
        p.bonds = [BondDecl(decl: decl("bond0"), ports: [again, link("ens161")])]
        let mv = Located(AttachmentUse.macvlan(link("ens161")), s())
        p.networks.append(NetworkDecl(decl: decl("m"), attachments: [mv]))
        // v1 on v2, v2 on v1
        let l1 = link("v2", .vlan), l2 = link("v1", .vlan)
        p.vlans = [VlanDecl(decl: decl("v1"), base: l1, id: loc(10)), VlanDecl(decl: decl("v2"), base: l2, id: loc(20))]
        p.bridges.append(BridgeDecl(decl: decl("br3"), kind: .linux, ports: [link("v1", .vlan)]))
        p.vms = [vm("x", [nic("a", on: "ext"), nic("b", on: "m")])]
        p.networks.append(bridgeNet("n3", bridge: "br3"))
        p.vms[0].nics.append(nic("c", on: "n3"))
        let ds = only(TopologyChecks.check(p), .port)
        XCTAssertEqual(ds.map(\.span), [again.span, mv.span, l2.span])
        XCTAssertTrue(ds[2].message.contains("cycle"), ds[2].message)
    }

    func testHostsMissingNicPinnedAndNoCommonHost() {
        var p = base()
        p.hosts = [HostDecl(decl: decl("w1")), HostDecl(decl: decl("w2"))]
        // ens192 only on w1; bridge br (every host) → N-HOST at its port
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: "w1"), NodeNicDecl(decl: decl("ens193"), host: "w2")]
        p.bridges[0].hosts = nil
        p.bridges.append(BridgeDecl(decl: decl("br1"), kind: .linux, ports: [], hosts: [loc("w1")]))
        p.bridges.append(BridgeDecl(decl: decl("br2"), kind: .linux, ports: [link("ens193")], hosts: [loc("w2")]))
        p.networks.append(bridgeNet("n1", bridge: "br1"))
        p.networks.append(bridgeNet("n2", bridge: "br2"))
        var pinned = vm("pinned", [nic("a", on: "n2")])
        pinned.host = loc("w1")
        let later = nic("b", on: "n2")
        let free = vm("free", [nic("a", on: "n1"), later])
        p.vms = [pinned, free, vm("user", [nic("e", on: "ext")])]
        let ds = only(TopologyChecks.check(p), .host)
        XCTAssertEqual(ds.map(\.span), [p.bridges[0].ports[0].span, pinned.nics[0].network!.span, later.network!.span])
    }

    func testNodeAddressTakeoverAndDhcpWarning() {
        var p = base()
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: nil, address: loc(IfAddr("192.168.0.121/24")!)),
                  NodeNicDecl(decl: decl("ens193"), host: nil, dhcp: loc(true))]
        let second = link("ens193")
        p.bridges[0].ports.append(second)
        p.vms = [vm("a", [nic("e", on: "ext")])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .nodeAddress).map(\.span), [second.span])
        XCTAssertEqual(only(ds, .nodeAddressWarning).map(\.span), [p.nics[1].dhcp!.span])
    }

    func testInterfaceNames() {
        var p = base()
        p.nics.append(NodeNicDecl(decl: decl("enp129s0f0np0"), host: nil))
        let derived = VlanDecl(decl: decl("v"), base: link("enp129s0f0np0"), id: loc(1234))
        let ok = VlanDecl(decl: decl("w"), base: link("enp129s0f0np0"), id: loc(12), ifname: loc("short.12"))
        let colon = VlanDecl(decl: decl("x"), base: link("ens192"), id: loc(13), ifname: loc("a:b"))
        p.vlans = [derived, ok, colon]
        p.bridges.append(BridgeDecl(decl: decl("brv"), kind: .linux, ports: [link("v", .vlan), link("w", .vlan), link("x", .vlan)]))
        p.networks.append(bridgeNet("nv", bridge: "brv"))
        let guest = nic("e", on: "ext", ifname: "default")
        let guest2 = nic("f", on: "nv", ifname: "eth0")
        let guest3 = nic("g", on: "pod", ifname: "eth0")
        p.vms = [vm("a", [guest, guest2, guest3])]
        let ds = only(TopologyChecks.check(p), .interfaceName)
        XCTAssertEqual(ds.map(\.span), [derived.decl.nameSpan, colon.ifname!.span, guest.ifname!.span, guest3.ifname!.span])
        XCTAssertTrue(ds[0].message.contains("enp129s0f0np0.1234"), ds[0].message)
    }

    func testVlanAndMtu() {
        var p = base()
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: nil, mtu: loc(1500))]
        let dupID = loc(100)
        p.vlans = [VlanDecl(decl: decl("v1"), base: link("ens192"), id: loc(100), mtu: loc(9000)),
                   VlanDecl(decl: decl("v2"), base: link("ens192"), id: dupID),
                   VlanDecl(decl: decl("v3"), base: link("ens192"), id: loc(4095))]
        p.bridges[0].ports.append(contentsOf: [link("v1", .vlan), link("v2", .vlan), link("v3", .vlan)])
        p.bridges[0].mtu = loc(1400)
        p.networks[0].mtu = loc(1500)
        p.networks[0].vlan = loc(0)
        p.vms = [vm("a", [nic("e", on: "ext")])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .vlan).map(\.span), [dupID.span, p.vlans[2].id!.span, p.networks[0].vlan!.span])
        XCTAssertEqual(only(ds, .mtu).map(\.span), [p.vlans[0].mtu!.span, p.networks[0].mtu!.span])
    }

    func testVlanWarnings() {
        var p = base()
        p.bridges.append(BridgeDecl(decl: decl("ovs"), kind: .ovs))
        p.bridges.append(BridgeDecl(decl: decl("old"), kind: .linux, managed: loc(false)))
        p.networks.append(NetworkDecl(decl: decl("o"), attachments: [loc(.ovs(name: "ovs"))]))
        p.networks.append(NetworkDecl(decl: decl("u"), attachments: [loc(.bridge(name: "old"))], vlan: loc(5)))
        p.nics.append(NodeNicDecl(decl: decl("ens160"), host: nil))
        p.networks.append(NetworkDecl(decl: decl("m"), attachments: [loc(.macvlan(link("ens160")))], vlan: loc(7)))
        p.vms = [vm("a", [nic("a", on: "ext"), nic("b", on: "o"), nic("c", on: "u"), nic("d", on: "m")])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .vlanWarning).map(\.span), [p.networks[1].decl.nameSpan, p.networks[2].vlan!.span])
        XCTAssertEqual(only(ds, .vlan).map(\.span), [p.networks[3].vlan!.span])
    }

    func testUnused() {
        var p = base()
        p.nics.append(NodeNicDecl(decl: decl("ens193"), host: "h", address: loc(IfAddr("10.9.0.5/24")!)))
        p.nics.append(NodeNicDecl(decl: decl("ens194"), host: nil))
        p.bridges.append(BridgeDecl(decl: decl("carrier"), kind: .linux, ports: [link("ens193")]))   // used: carries a node address
        p.bridges.append(BridgeDecl(decl: decl("idle"), kind: .linux))
        p.vlans = [VlanDecl(decl: decl("lonely"), base: link("ens194"), id: loc(5))]
        p.bonds = [BondDecl(decl: decl("b0"), ports: [link("ens194")])]
        p.networks.append(bridgeNet("spare", bridge: "br"))
        p.vms = [vm("a", [nic("e", on: "ext")])]
        let ds = only(TopologyChecks.check(p), .unusedWarning)
        XCTAssertEqual(ds.map(\.span), [p.networks[1].decl.nameSpan, p.vlans[0].decl.nameSpan, p.bonds[0].decl.nameSpan,
                                        p.bridges[2].decl.nameSpan])
        // a failed NIC network reference suppresses "unused network" (its target is unknown)
        p.vms.append(vm("b", [VMNicDecl(decl: decl("x"), network: nil, poisoned: true)]))
        XCTAssertFalse(only(TopologyChecks.check(p), .unusedWarning).contains { $0.span == p.networks[1].decl.nameSpan })
    }

    // MARK: - VMs

    func testMACs() {
        var p = base()
        p.macPrefix = loc("0f")
        let a = nic("a", on: "ext", mac: "0e:00:00:00:00:01")
        let b = nic("b", on: "ext", mac: "0E:00:00:00:00:01")
        let mc = nic("c", on: "ext", mac: "01:00:5e:00:00:01")
        let zero = nic("d", on: "ext", mac: "00:00:00:00:00:00")
        let pod = nic("default", on: "pod", mac: "02:00:00:00:00:00")
        let ok = nic("f", on: "ext", mac: "02:00:00:00:00:00")
        p.vms = [vm("x", [a, mc, zero, pod]), vm("y", [b, ok])]
        let ds = only(TopologyChecks.check(p), .duplicateMAC)
        XCTAssertEqual(ds.map(\.span), [p.macPrefix!.span, mc.mac!.span, zero.mac!.span, pod.mac!.span, b.mac!.span])
        XCTAssertEqual(ds[4].notes.first?.span, a.mac!.span)
        for good in ["0e", "02:5a", "fe"] { p.macPrefix = loc(good); p.vms = []
            XCTAssertTrue(only(TopologyChecks.check(p), .duplicateMAC).isEmpty, good) }
        for bad in ["0e:00:00", "e", "0g", "0c", "03", ""] { p.macPrefix = loc(bad)
            XCTAssertEqual(only(TopologyChecks.check(p), .duplicateMAC).count, 1, bad) }
    }

    func testResourcesAndNics() {
        var p = base()
        var v = vm("v", [nic("name", on: "ext"), nic("e", on: "ext"), nic("e", on: "pod")])
        v.cpu = loc(0)
        v.memory = loc(Quantity(bytes: 127 << 20))
        p.vms = [v, vm("empty", [])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .resources).map(\.span), [v.cpu!.span, v.memory!.span])
        XCTAssertEqual(only(ds, .vmNic).map(\.span), [v.nics[0].decl.nameSpan, v.nics[2].decl.nameSpan])
        XCTAssertEqual(only(ds, .vmNicWarning).map(\.span), [p.vms[1].decl.nameSpan])
    }

    func testPasswordHashes() {
        let good = ["$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1", "$1$abc$def",
                    "$5$salt$hash", "$y$j9T$F5Jx5fExrKuPp53xLKQ..$pVHp5V3rCQ4I0Wbu.ImI3q2ZkK9Aq3aX6JqB2K4JoG5",
                    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"]
        for g in good { XCTAssertNil(PasswordHash.problem(g), g) }
        let bad = ["plain", "$7$salt$hash", "$6$rounds=$salt$hash", "$6$salt", "$6$sa lt$hash", "$6$$hash",
                   "$6$salt$hash$extra", "$y$salt$hash"]
        for b in bad { XCTAssertNotNil(PasswordHash.problem(b), b) }
        var p = base()
        let u = UserDecl(decl: decl("admin"), passwordHash: loc("nope"), plainPassword: s())
        p.vms = [vm("v", [nic("e", on: "ext")], users: [u])]
        let ds = only(TopologyChecks.check(p), .password)
        XCTAssertEqual(Set(ds.map(\.span)), [u.passwordHash!.span, u.plainPassword!])
        XCTAssertTrue(ds.contains { $0.help?.contains("openssl passwd -6") == true })
    }

    func testSSHKeys() {
        let ed = "AAAAC3NzaC1lZDI1NTE5AAAAIGq3p2vPKv8W4d2Sg9l6h0mB7yQJmXc6aN0sK4tZk3bR"
        XCTAssertNil(SSHKey.problem("ssh-ed25519 \(ed) admin@lab"))
        XCTAssertNil(SSHKey.problem("ssh-ed25519 \(ed)"))
        XCTAssertNil(SSHKey.problem("ssh-ed25519\t\(ed) two words"))
        XCTAssertEqual(SSHKey.problem("ssh-rsa \(ed)"), .typeMismatch(declared: "ssh-rsa", body: "ssh-ed25519"))
        XCTAssertNotNil(SSHKey.problem("ssh-dss \(ed)"))
        XCTAssertNotNil(SSHKey.problem("ssh-ed25519"))
        XCTAssertNotNil(SSHKey.problem("ssh-ed25519 AAAA!!!!"))
        XCTAssertNotNil(SSHKey.problem("ssh-ed25519 \(ed)\nssh-ed25519 \(ed)"))
        // base64: padding and canonical trailing bits
        XCTAssertEqual(Base64.decode(Array("aGVsbG8=".utf8)), Array("hello".utf8))
        XCTAssertEqual(Base64.decode(Array("aGVsbG8".utf8)), Array("hello".utf8))
        XCTAssertEqual(Base64.decode(Array("aGk=".utf8)), Array("hi".utf8))
        XCTAssertNil(Base64.decode(Array("aGVsbG9=".utf8)))   // non-zero leftover bits
        XCTAssertNil(Base64.decode(Array("a===".utf8)))
        XCTAssertNil(Base64.decode(Array("aGk=aGk=".utf8)))
    }

    func testCloudConfig() {
        var p = base()
        var v = vm("v", [nic("e", on: "ext")], users: [UserDecl(decl: decl("u"))])
        v.run = [loc("echo hi")]
        let lines = [s(), s(), s()]
        v.cloudConfig = CloudConfigSource(text: "packages: [a]\nruncmd: [x]\nusers: []\n", span: s(), lineSpans: lines)
        var bad = vm("w", [nic("e", on: "ext")])
        let badLines = [s(), s()]
        bad.cloudConfig = CloudConfigSource(text: "a: 1\nb: [unclosed\n", span: s(), lineSpans: badLines)
        var list = vm("x", [nic("e", on: "ext")])
        list.cloudConfig = CloudConfigSource(text: "- a\n- b\n", span: s(), lineSpans: nil)
        var expr = vm("y", [nic("e", on: "ext")])
        expr.cloudConfig = CloudConfigSource(text: "a: [", span: s(), lineSpans: nil)
        var fine = vm("z", [nic("e", on: "ext")])
        fine.cloudConfig = CloudConfigSource(text: "users: []\n# only a comment\n", span: s(), lineSpans: nil)
        p.vms = [v, bad, list, expr, fine]
        let ds = only(TopologyChecks.check(p), .cloudConfig)
        XCTAssertEqual(ds.count, 5, ds.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(ds[0].span, lines[1])   // runcmd on line 2
        XCTAssertEqual(ds[1].span, lines[2])   // users on line 3
        XCTAssertTrue(badLines.contains(ds[2].span), "a YAML error maps to a source line")
        XCTAssertEqual(ds[3].span, list.cloudConfig!.span)
        XCTAssertEqual(ds[4].span, expr.cloudConfig!.span)
        XCTAssertEqual(CloudConfig.generatedKeys(for: fine), [])
        XCTAssertEqual(CloudConfig.generatedKeys(for: v), ["users", "runcmd"])
    }

    func testCloudConfigErrorColumnMapsIntoTheSourceLine() {
        var p = base()
        let text = "a: 1\n  b: 2\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var offset = 1000
        var spans: [Span] = []
        for l in lines { spans.append(Span(file: FileID(0), start: offset, end: offset + l.utf8.count)); offset += l.utf8.count + 7 }
        var v = vm("v", [nic("e", on: "ext")])
        v.cloudConfig = CloudConfigSource(text: text, span: s(), lineSpans: spans)
        p.vms = [v]
        let ds = only(TopologyChecks.check(p), .cloudConfig)
        XCTAssertEqual(ds.count, 1)
        let d = ds[0]
        XCTAssertEqual(d.span.end, spans[1].end, "on the second line")
        XCTAssertGreaterThan(d.span.start, spans[1].start, "at the column of the error, not the line start")
    }

    // MARK: - Kubernetes names

    func testKubernetesNameSyntax() {
        XCTAssertNil(KubeName.dnsLabelProblem("vms"))
        XCTAssertNotNil(KubeName.dnsLabelProblem("Vms"))
        XCTAssertNotNil(KubeName.dnsLabelProblem("a.b"))
        XCTAssertNotNil(KubeName.dnsLabelProblem(String(repeating: "a", count: 64)))
        XCTAssertNil(KubeName.subdomainProblem("a.b-c"))
        XCTAssertNotNil(KubeName.subdomainProblem("a..b"))
        XCTAssertNotNil(KubeName.subdomainProblem("a_b"))
        XCTAssertNil(KubeName.labelKeyProblem("app.kubernetes.io/part-of"))
        XCTAssertNil(KubeName.labelKeyProblem("tier"))
        XCTAssertNotNil(KubeName.labelKeyProblem("a/b/c"))
        XCTAssertNotNil(KubeName.labelKeyProblem("Bad_Prefix/x"))
        XCTAssertNotNil(KubeName.labelKeyProblem("x/"))
        XCTAssertNil(KubeName.labelValueProblem(""))
        XCTAssertNil(KubeName.labelValueProblem("My_Value.1"))
        XCTAssertNotNil(KubeName.labelValueProblem("-x"))
        XCTAssertEqual(KubeName.suggestion("My_Lab"), "my-lab")
    }

    func testKubernetesNames() {
        var p = base()
        p.namespace = loc("Bad_NS")
        p.labels = [LabelEntry(key: loc("kubevirt.io/vm"), value: loc("x")), LabelEntry(key: loc("ok"), value: loc("-bad"))]
        let longName = String(repeating: "b", count: 60)
        p.bridges.append(BridgeDecl(decl: decl(longName), kind: .linux, ports: []))
        p.networks.append(bridgeNet("Upper", bridge: longName))
        p.networks.append(NetworkDecl(decl: decl("st"), attachments: [loc(.bridge(name: "br"))], subnet: loc(cidr("10.1.0.0/24")),
                                      gateway: loc(ip("10.1.0.1")), ipam: loc("static")))
        // network `v-st-nad` collides with the per-NIC NAD of VM v on `st`
        p.networks.append(bridgeNet("v-st-nad", bridge: "br"))
        var badVM = vm("Web_1", [nic("e", on: "ext")])
        badVM.labels = [LabelEntry(key: loc("tier"), value: loc("db"))]
        let stNic = nic("s", on: "st", address: .ip(ip("10.1.0.5")))
        p.vms = [badVM, vm("v", [stNic, nic("u", on: "Upper"), nic("w", on: "v-st-nad")])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .namespaceName).map(\.span), [p.namespace!.span])
        XCTAssertEqual(only(ds, .label).map(\.span), [p.labels[0].key.span, p.labels[1].value.span])
        XCTAssertEqual(only(ds, .kubernetesName).map(\.span),
                       [p.bridges[1].decl.nameSpan, p.networks[1].decl.nameSpan, badVM.decl.nameSpan],
                       only(ds, .kubernetesName).map(\.message).joined(separator: "\n"))
        XCTAssertEqual(only(ds, .duplicateObject).map(\.span), [stNic.network!.span])
    }

    func testTopologyNameFromFileIsReportedOnceAtItsSpan() {
        var p = base()
        p.topologyName = loc("My_Lab")
        p.vms = [vm("a", [nic("e", on: "ext")])]
        let ds = only(TopologyChecks.check(p), .kubernetesName)
        XCTAssertEqual(ds.map(\.span), [p.topologyName.span], "label value ok, but it cannot start policy names")
    }

    func testPerHostPolicyNamesAndDuplicates() {
        var p = program("lab")
        p.hosts = [HostDecl(decl: decl("w1")), HostDecl(decl: decl("x"))]
        p.nics = [NodeNicDecl(decl: decl("ens192"), host: "w1", address: loc(IfAddr("10.0.0.5/24")!)),
                  NodeNicDecl(decl: decl("ens192"), host: "x"), NodeNicDecl(decl: decl("ens193"), host: nil)]
        // per-host policy `lab-br-x` (bridge br, host x) collides with bridge `br-x`'s policy `lab-br-x`
        p.bridges = [BridgeDecl(decl: decl("br"), kind: .linux, ports: [link("ens192")]),
                     BridgeDecl(decl: decl("br-x"), kind: .linux, ports: [link("ens193")])]
        p.networks = [bridgeNet("a", bridge: "br"), bridgeNet("b", bridge: "br-x")]
        p.vms = [vm("v", [nic("a", on: "a"), nic("b", on: "b")])]
        let ds = TopologyChecks.check(p)
        XCTAssertEqual(only(ds, .duplicateObject).map(\.span), [p.bridges[1].decl.nameSpan], ds.map(\.message).joined(separator: "\n"))
    }

    func testPolicyNamesFollowLoweringsGrouping() {
        // br-a takes over ens192's node address, so ens192 is an interface of br-a's policy and the
        // VLAN on it (under the long-named bridge) joins that policy: only `lab-br-a` is generated.
        let long = "br-" + String(repeating: "x", count: 12)
        func make(nodeAddress: Bool) -> CheckedProgram {
            var p = program(String(repeating: "t", count: 48))
            p.nics = [NodeNicDecl(decl: decl("ens192"), host: nil, address: nodeAddress ? loc(IfAddr("10.0.0.5/24")!) : nil)]
            p.vlans = [VlanDecl(decl: decl("v7"), base: link("ens192"), id: loc(7))]
            p.bridges = [BridgeDecl(decl: decl("br-a"), kind: .linux, ports: [link("ens192")]),
                         BridgeDecl(decl: decl(long), kind: .linux, ports: [link("v7", .vlan)])]
            p.networks = [bridgeNet("a", bridge: "br-a"), bridgeNet("b", bridge: long)]
            p.vms = [vm("v", [nic("a", on: "a"), nic("b", on: "b")])]
            return p
        }
        XCTAssertEqual(only(TopologyChecks.check(make(nodeAddress: true)), .kubernetesName).map(\.message), [])
        let p = make(nodeAddress: false)
        XCTAssertEqual(only(TopologyChecks.check(p), .kubernetesName).map(\.span), [p.bridges[1].decl.nameSpan])
    }

    // MARK: - Scale

    func testLinearOnManyVMs() {
        var p = base()
        p.networks[0].subnet = loc(cidr("172.16.0.0/12"))
        p.networks[0].gateway = loc(ip("172.16.0.1"))
        let n = 20_000
        p.vms.reserveCapacity(n)
        let sp = s()
        for i in 0..<n {
            let d = DeclInfo(name: "web-\(i)", nameSpan: sp, span: sp)
            let nics = [VMNicDecl(decl: DeclInfo(name: "default", nameSpan: sp, span: sp), network: Located(.pod, sp)),
                        VMNicDecl(decl: DeclInfo(name: "e", nameSpan: sp, span: sp), network: Located(.network("ext"), sp),
                                  address: Located(.ip(IPAddress(v4: 0xAC10_0100 + UInt32(i))), sp),
                                  mac: Located(MACAddress(0x0E00_0000_0000 + UInt64(i)), sp))]
            p.vms.append(VMDecl(decl: d, cpu: Located(1, sp), memory: Located(Quantity(bytes: 1 << 30), sp),
                                image: Located("x:1", sp), nics: nics))
        }
        let start = ContinuousClock.now
        let ds = TopologyChecks.check(p)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(ds.prefix(5).map(\.message), [])
        XCTAssertLessThan(elapsed, .seconds(10), "debug build; release is far faster")
    }
}
