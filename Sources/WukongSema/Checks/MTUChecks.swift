import WukongDiagnostics

/// N-MTU by *effective* MTU (LANGUAGE.md §6 v2; DOMAIN.md §8: nothing raises a port's MTU for
/// what sits on it, except a bond for its own ports). The effective MTU of a node interface is its
/// declared `mtu`, else 1500; a NIC may have a different one per host. Compared: a bridge (managed,
/// Linux or OVS) with each of its ports on the hosts it is built on, a VLAN with its base, a
/// network with its bridge or macvlan link. Not compared: a bond with its ports (the bonding
/// driver copies its MTU to them), unmanaged bridges and `nad` networks (MTU unknown). One
/// diagnostic per pair, at the larger side, with a note at every smaller declaration.
extension Checker {
    static let defaultMTU = 1500

    /// The effective MTU of a declared `mtu` (nil when out of range: reported by `checkMTURange`).
    func mtuSide(_ declared: Located<Int>?, _ kind: MTUInterface.Kind, _ name: String, host: String? = nil, at nameSpan: Span) -> MTUSide? {
        if let d = declared, !(68...65535).contains(d.value) { return nil }
        return MTUSide(MTUInterface(kind, name, host: host), value: declared?.value ?? Checker.defaultMTU,
                       declared: declared?.span, nameSpan: nameSpan)
    }

    /// The effective MTUs of a link: one per declaration of a NIC that applies on `hosts` (nil:
    /// every declaration), one for a VLAN or bond.
    func mtuSides(of link: LinkUse, onHosts hosts: Set<Int>? = nil) -> [MTUSide] {
        switch link.kind {
        case .nic:
            var idx = nicDecls[link.name] ?? []
            if let hosts, !p.hosts.isEmpty {
                idx = idx.filter { i in
                    guard let owner = p.nics[i].host else { return true }
                    return hostIndex[owner].map(hosts.contains) ?? false
                }
            }
            return idx.compactMap { i in
                let d = p.nics[i]
                return mtuSide(d.mtu, .nic, d.decl.name, host: d.host, at: d.decl.nameSpan)
            }
        case .vlan:
            guard let i = vlanIndex[link.name] else { return [] }
            let v = p.vlans[i]
            return mtuSide(v.mtu, .vlan, v.decl.name, at: v.decl.nameSpan).map { [$0] } ?? []
        case .bond:
            guard let i = bondIndex[link.name] else { return [] }
            let b = p.bonds[i]
            return mtuSide(b.mtu, .bond, b.decl.name, at: b.decl.nameSpan).map { [$0] } ?? []
        }
    }

    func mtuSide(of b: BridgeDecl) -> MTUSide? {
        mtuSide(b.mtu, b.kind == .ovs ? .ovsBridge : .bridge, b.decl.name, at: b.decl.nameSpan)
    }

    /// Reports `larger` when it exceeds any of `below`.
    mutating func compareMTU(_ larger: MTUSide, over below: [MTUSide], relation: MTURelation) {
        let smaller = below.filter { $0.value < larger.value }
        guard !smaller.isEmpty else { return }
        add(.mtuAboveLowerDevice(larger, relation, smaller: smaller))
    }

    /// A managed bridge against each of its ports, on the hosts it is built on.
    mutating func checkBridgeMTU(_ b: BridgeDecl) {
        guard b.managed?.value != false, let side = mtuSide(of: b) else { return }
        let hosts = hostsOf(bridge: b)
        for port in b.ports {
            compareMTU(side, over: mtuSides(of: port, onHosts: hosts), relation: .port)
        }
    }

    /// A VLAN against its base link (every declaration of a base NIC).
    mutating func checkVlanMTU(_ v: VlanDecl) {
        guard let base = v.base, let side = mtuSide(v.mtu, .vlan, v.decl.name, at: v.decl.nameSpan) else { return }
        compareMTU(side, over: mtuSides(of: base), relation: .base)
    }

    /// A network's `mtu` against its bridge (managed) or macvlan link; `nad` networks are skipped.
    mutating func checkNetworkMTUAgainstAttachment(_ i: Int, _ n: NetworkDecl) {
        guard n.nad == nil, let mtu = n.mtu, let side = mtuSide(mtu, .network, n.decl.name, at: n.decl.nameSpan) else { return }
        switch attachment[i] {
        case .bridge(let b)?, .ovs(let b)?, .localnet(let b)?:
            guard let br = bridge(b), br.managed?.value != false, let bs = mtuSide(of: br) else { return }
            compareMTU(side, over: [bs], relation: .bridge)
        case .macvlan(let link)?:
            compareMTU(side, over: mtuSides(of: link), relation: .link)
        default: break
        }
    }

    /// A node NIC that sets `mtu` is listed in a policy (LANGUAGE.md §7 v2). As the base of a VLAN
    /// that is neither a bridge/bond port nor carrying a node address, listing it would replace
    /// the node's own (undeclared) IP configuration on it with none.
    mutating func checkMTUNicAddressing() {
        var bases: [String: VlanDecl] = [:]
        for v in p.vlans { if let b = v.base, b.kind == .nic, bases[b.name] == nil { bases[b.name] = v } }
        guard !bases.isEmpty else { return }
        var ports = Set<String>()
        for b in p.bridges where b.managed?.value != false { for l in b.ports where l.kind == .nic { ports.insert(l.name) } }
        for b in p.bonds { for l in b.ports where l.kind == .nic { ports.insert(l.name) } }
        for nic in p.nics {
            guard let mtu = nic.mtu, let v = bases[nic.decl.name], !ports.contains(nic.decl.name),
                  nic.address == nil, nic.dhcp?.value != true else { continue }
            add(.mtuPolicyDropsNodeAddressing(nic: nic.decl.name, host: nic.host, vlan: v.decl.name, at: mtu.span,
                                              vlanBase: v.base!.span))
        }
    }
}
