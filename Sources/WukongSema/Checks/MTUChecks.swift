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

    /// One side of a comparison: an interface (on one host, for a host's NIC) and its effective MTU.
    struct MTUSide {
        let value: Int
        let declared: Located<Int>?
        /// `nic`, `vlan`, `bond`, `bridge`, `ovs-bridge`, `network`.
        let keyword: String
        let name: String
        let host: String?
        let nameSpan: Span

        var noun: String {
            switch keyword {
            case "nic": return "NIC"
            case "vlan": return "VLAN"
            default: return keyword
            }
        }
        var what: String { "\(noun) `\(name)`" + (host.map { " on host `\($0)`" } ?? "") }
    }

    /// The effective MTU of a declared `mtu` (nil when out of range: reported by `checkMTURange`).
    func mtuSide(_ declared: Located<Int>?, _ keyword: String, _ name: String, host: String? = nil, at nameSpan: Span) -> MTUSide? {
        if let d = declared, !(68...65535).contains(d.value) { return nil }
        return MTUSide(value: declared?.value ?? Checker.defaultMTU, declared: declared, keyword: keyword, name: name,
                       host: host, nameSpan: nameSpan)
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
                return mtuSide(d.mtu, "nic", d.decl.name, host: d.host, at: d.decl.nameSpan)
            }
        case .vlan:
            guard let i = vlanIndex[link.name] else { return [] }
            let v = p.vlans[i]
            return mtuSide(v.mtu, "vlan", v.decl.name, at: v.decl.nameSpan).map { [$0] } ?? []
        case .bond:
            guard let i = bondIndex[link.name] else { return [] }
            let b = p.bonds[i]
            return mtuSide(b.mtu, "bond", b.decl.name, at: b.decl.nameSpan).map { [$0] } ?? []
        }
    }

    func mtuSide(of b: BridgeDecl) -> MTUSide? {
        mtuSide(b.mtu, b.kind == .ovs ? "ovs-bridge" : "bridge", b.decl.name, at: b.decl.nameSpan)
    }

    /// Reports `larger` when it exceeds any of `below` (`relation`: "its port", "its base", …).
    mutating func compareMTU(_ larger: MTUSide, over below: [MTUSide], relation: String) {
        let smaller = below.filter { $0.value < larger.value }
        guard let first = smaller.first else { return }
        let least = smaller.map(\.value).min() ?? first.value
        // Group the smaller sides by interface, with their hosts, for the message and the help.
        var groups: [(side: MTUSide, hosts: [String])] = []
        for s in smaller {
            if let g = groups.firstIndex(where: { $0.side.keyword == s.keyword && $0.side.name == s.name }) {
                if let h = s.host { groups[g].hosts.append(h) }
            } else {
                groups.append((s, s.host.map { [$0] } ?? []))
            }
        }
        func onHosts(_ hs: [String], _ preposition: String) -> String {
            hs.isEmpty ? "" : " \(preposition) host\(hs.count == 1 ? "" : "s") " + joinList(hs.map { "`\($0)`" })
        }
        let described = groups.map { "\($0.side.noun) `\($0.side.name)`" + onHosts($0.hosts, "on") }
        let hints = groups.map { "\($0.side.keyword) `\($0.side.name)`" + onHosts($0.hosts, "in") }
        let values = Set(smaller.map(\.value))
        let theirs = values.count == 1 ? "the mtu \(least)" : "mtus down to \(least)"
        let has = larger.declared == nil ? "has the default mtu \(larger.value)" : "has mtu \(larger.value)"
        let notes = smaller.map { s -> DiagnosticNote in
            if let d = s.declared { return DiagnosticNote("mtu of \(s.what) set here", at: d.span) }
            return DiagnosticNote("\(s.what) sets no `mtu`: \(Checker.defaultMTU)", at: s.nameSpan)
        }
        let alternative = larger.declared != nil
            ? "lower the mtu of \(larger.keyword) `\(larger.name)` to \(least)"
            : "set `mtu = \(least)` on \(larger.keyword) `\(larger.name)`"
        add(Diagnostic(.mtu, "\(larger.what) \(has), larger than \(theirs) of \(relation) \(joinList(described))",
                       at: larger.declared?.span ?? larger.nameSpan, notes: notes,
                       help: "set `mtu = \(larger.value)` on \(joinList(hints)), or \(alternative) (frames above the smaller mtu are dropped)"))
    }

    /// A managed bridge against each of its ports, on the hosts it is built on.
    mutating func checkBridgeMTU(_ b: BridgeDecl) {
        guard b.managed?.value != false, let side = mtuSide(of: b) else { return }
        let hosts = hostsOf(bridge: b)
        for port in b.ports {
            compareMTU(side, over: mtuSides(of: port, onHosts: hosts), relation: "its port")
        }
    }

    /// A VLAN against its base link (every declaration of a base NIC).
    mutating func checkVlanMTU(_ v: VlanDecl) {
        guard let base = v.base, let side = mtuSide(v.mtu, "vlan", v.decl.name, at: v.decl.nameSpan) else { return }
        compareMTU(side, over: mtuSides(of: base), relation: "its base")
    }

    /// A network's `mtu` against its bridge (managed) or macvlan link; `nad` networks are skipped.
    mutating func checkNetworkMTUAgainstAttachment(_ i: Int, _ n: NetworkDecl) {
        guard n.nad == nil, let mtu = n.mtu, let side = mtuSide(mtu, "network", n.decl.name, at: n.decl.nameSpan) else { return }
        switch attachment[i] {
        case .bridge(let b)?, .ovs(let b)?:
            guard let br = bridge(b), br.managed?.value != false, let bs = mtuSide(of: br) else { return }
            compareMTU(side, over: [bs], relation: "its")
        case .macvlan(let link)?:
            compareMTU(side, over: mtuSides(of: link), relation: "its link")
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
            let on = nic.host.map { " on host `\($0)`" } ?? ""
            add(Diagnostic(.mtu, "NIC `\(nic.decl.name)`\(on) sets `mtu` but no node `address` or `dhcp`: the policy that sets its mtu would take over its IP configuration and remove it",
                           at: mtu.span, notes: [DiagnosticNote("VLAN `\(v.decl.name)` sits on it", at: v.base!.span)],
                           help: "declare the node's own addressing on `\(nic.decl.name)`: its `address` (with `gateway`/`dns` if it carries them) or `dhcp = true`"))
        }
    }
}
