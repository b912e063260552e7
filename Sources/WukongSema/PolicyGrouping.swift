import WukongDiagnostics

/// NodeNetworkConfigurationPolicy grouping (LANGUAGE.md §7, DOMAIN.md §3) — the one place that
/// decides which policies exist: the K-NAME checks (NamingChecks) validate their names, lowering
/// (WukongIR/Policies.swift) emits them.
///
/// nmstate wants every interface in exactly one policy and dependent configuration together, so
/// the managed node-side interfaces — managed bridges and ovs-bridges, VLANs, bonds, port NICs
/// whose node address moves to a bridge ("released" NICs), and NICs listed for their `mtu` (a
/// bridge/bond port, VLAN base or node-address carrier that sets `mtu`; LANGUAGE.md §7 v2) — are
/// split into connected components along bridge→port, vlan→base and bond→port. Plain port NICs
/// are not interfaces of any policy (nmstate enslaves them) and do not connect components.
///
/// One policy per component, named `<topology>-<first bridge of the component>` (a component
/// without a bridge — a VLAN or bond under a macvlan network — is named after its topmost VLAN
/// or bond, first in source order; a NIC listed on its own after the NIC). A component is split
/// per host (`-<host>` suffix) when one of its members exists only on some hosts: a bridge with
/// `hosts`, a NIC declared inside hosts (released or listed there), a VLAN or bond over such NICs
/// (it exists where all its links exist). Each host's policy then lists what is built there, and
/// the component's bridges exist on those hosts only (`Plan.bridgeHosts`, used for VM placement).
public enum PolicyGrouping {
    /// Member kinds, in the order a policy lists them.
    public enum Kind: Int, Sendable { case bond = 0, vlan = 1, nic = 2, bridge = 3 }

    public struct Member: Sendable {
        public let kind: Kind
        /// Index in `program.bridges` / `vlans` / `bonds`; for a NIC, its first declaration in `program.nics`.
        public let index: Int
        public let name: String
        public let nameSpan: Span
    }

    public struct Component: Sendable {
        /// Bonds, VLANs, released NICs, bridges, each in declaration order.
        public let members: [Member]
        /// What the policies are named after: the first bridge, else the topmost VLAN or bond
        /// first in source order; nil when there is none (only in a VLAN/bond cycle, an error).
        public let anchor: Member?
        /// The hosts (ascending indices into `program.hosts`) it is split over; nil when it is one
        /// policy for every node.
        public let hosts: [Int]?
        /// Rank in discovery order (by the component's first bridge, else VLAN, else bond, in
        /// declaration order); the checks report in this order.
        public let discoveryRank: Int

        /// The member the policy names use (the anchor, else the first member).
        public var namedAfter: Member { anchor ?? members[0] }
    }

    public struct PlannedPolicy: Sendable {
        public let name: String
        /// Index into `program.hosts` for a per-host policy.
        public let host: Int?
        /// Index into `Plan.components`.
        public let component: Int
        /// The interfaces built on that host, in policy order (a NIC only where it is released or
        /// its declaration there is listed for its `mtu`).
        public let interfaces: [Member]
        /// The NICs among `interfaces` whose node address moves to a bridge on that host.
        public let releasedNics: [String]
    }

    public struct Plan: Sendable {
        /// In output order: by the source position of what names them (bridges first on a tie).
        public let components: [Component]
        /// The policies, in output order.
        public let policies: [PlannedPolicy]
        /// Per `program.bridges` index: the hosts (ascending indices into `program.hosts`) it is
        /// built on — its `hosts`, or its component's hosts when that is split per host; nil = every
        /// node. VM placement and N-HOST follow it.
        public let bridgeHosts: [[Int]?]
    }

    /// `<topology>-<anchor>[-<host>]`.
    public static func policyName(topology: String, anchor: String, host: String?) -> String {
        var name = topology + "-" + anchor
        if let host { name += "-" + host }
        return name
    }

    public static func plan(_ p: CheckedProgram) -> Plan {
        let hostCount = p.hosts.count
        func index(_ names: [String]) -> [String: Int] {
            var d: [String: Int] = [:]
            for (i, n) in names.enumerated() where d[n] == nil { d[n] = i }
            return d
        }
        let hostIndex = index(p.hosts.map(\.decl.name))
        let vlanIndex = index(p.vlans.map(\.decl.name))
        let bondIndex = index(p.bonds.map(\.decl.name))
        var nicDecls: [String: [Int]] = [:]
        var nicOrder: [String] = []
        for (i, n) in p.nics.enumerated() {
            if nicDecls[n.decl.name] == nil { nicOrder.append(n.decl.name) }
            nicDecls[n.decl.name, default: []].append(i)
        }
        func mask(_ names: [String]) -> [Bool] {
            var m = [Bool](repeating: false, count: hostCount)
            for h in names { if let hi = hostIndex[h] { m[hi] = true } }
            return m
        }

        // Where each link exists (LANGUAGE.md §7 v2): a NIC declared inside hosts only there, a
        // VLAN where its base exists, a bond where all its ports exist. nil = every node.
        func nicHosts(_ name: String) -> [Bool]? {
            guard hostCount > 0, let ds = nicDecls[name] else { return nil }
            var hs: [String] = []
            for d in ds {
                guard let h = p.nics[d].host else { return nil }
                hs.append(h)
            }
            return mask(hs)
        }
        var linkMemo: [String: [Bool]?] = [:]
        var linkVisiting = Set<String>()
        func exists(_ use: LinkUse) -> [Bool]? {
            guard hostCount > 0 else { return nil }
            let key = use.kind.rawValue + ":" + use.name
            if let known = linkMemo[key] { return known }
            guard linkVisiting.insert(key).inserted else { return nil }   // a cycle (N-PORT): everywhere
            var result: [Bool]? = nil
            switch use.kind {
            case .nic: result = nicHosts(use.name)
            case .vlan:
                if let i = vlanIndex[use.name], let base = p.vlans[i].base { result = exists(base) }
            case .bond:
                if let i = bondIndex[use.name] {
                    for port in p.bonds[i].ports { result = intersect(result, exists(port)) }
                }
            }
            linkVisiting.remove(key)
            linkMemo[key] = result
            return result
        }

        // NICs a policy lists for their `mtu` (LANGUAGE.md §7 v2): ports of managed bridges and of
        // bonds, VLAN bases, and NICs carrying a node address — per declaration (per host).
        var portNics = Set<String>()
        var vlanBases = Set<String>()
        for b in p.bridges where b.managed?.value ?? true {
            for port in b.ports where port.kind == .nic { portNics.insert(port.name) }
        }
        for b in p.bonds { for port in b.ports where port.kind == .nic { portNics.insert(port.name) } }
        for v in p.vlans { if let base = v.base, base.kind == .nic { vlanBases.insert(base.name) } }
        func listedForMTU(_ d: NodeNicDecl) -> Bool {
            guard d.mtu != nil else { return false }
            let name = d.decl.name
            return portNics.contains(name) || vlanBases.contains(name) || d.address != nil || d.dhcp?.value == true
        }

        struct Node {
            let member: Member
            /// Hosts it is built on; nil = everywhere the component applies.
            var hostMask: [Bool]?
            var parents: [Int] = []
        }
        var nodes: [Node] = []

        // Managed bridges, with the node addresses they take over: (NIC, its host) per declaration.
        var bridgeNode = [Int?](repeating: nil, count: p.bridges.count)
        var releases = [[(nic: String, host: String?)]](repeating: [], count: p.bridges.count)
        var released = Set<String>()
        for (i, b) in p.bridges.enumerated() where b.managed?.value ?? true {
            bridgeNode[i] = nodes.count
            var m: [Bool]? = hostCount > 0 ? b.hosts.map { mask($0.map(\.value)) } : nil
            // Without `hosts`, a bridge can be built only where all its ports exist (a bridge over a
            // NIC declared in one host is that host's alone; the cluster has other nodes).
            if hostCount > 0 && b.hosts == nil { for port in b.ports { m = intersect(m, exists(port)) } }
            nodes.append(Node(member: Member(kind: .bridge, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan), hostMask: m))
            let only = b.hosts?.map(\.value)
            for port in b.ports where port.kind == .nic {
                for d in nicDecls[port.name] ?? [] {
                    let n = p.nics[d]
                    guard n.address != nil || n.dhcp?.value == true else { continue }
                    if let h = n.host, let only, !only.contains(h) { continue }
                    releases[i].append((port.name, n.host))
                    released.insert(port.name)
                }
            }
        }
        var vlanNode = [Int?](repeating: nil, count: p.vlans.count)
        for (i, v) in p.vlans.enumerated() where v.base != nil && v.id != nil {
            vlanNode[i] = nodes.count
            nodes.append(Node(member: Member(kind: .vlan, index: i, name: v.decl.name, nameSpan: v.decl.nameSpan),
                              hostMask: exists(LinkUse(kind: .vlan, name: v.decl.name, span: v.decl.nameSpan))))
        }
        var bondNode = [Int?](repeating: nil, count: p.bonds.count)
        for (i, b) in p.bonds.enumerated() {
            bondNode[i] = nodes.count
            nodes.append(Node(member: Member(kind: .bond, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan),
                              hostMask: exists(LinkUse(kind: .bond, name: b.decl.name, span: b.decl.nameSpan))))
        }
        // Listed NICs (released, or listed for their mtu), in NIC order (first declaration); built
        // on the hosts of the declarations that list them.
        var nicNode: [String: Int] = [:]
        for name in nicOrder {
            guard let ds = nicDecls[name], let first = ds.first else { continue }
            let listing = ds.filter { released.contains(name) || listedForMTU(p.nics[$0]) }
            guard !listing.isEmpty else { continue }
            var m: [Bool]? = nil
            if hostCount > 0, !listing.contains(where: { p.nics[$0].host == nil }) {
                m = mask(listing.compactMap { p.nics[$0].host })
            }
            nicNode[name] = nodes.count
            nodes.append(Node(member: Member(kind: .nic, index: first, name: name, nameSpan: p.nics[first].decl.nameSpan), hostMask: m))
        }
        guard !nodes.isEmpty else { return Plan(components: [], policies: [], bridgeHosts: bridgeHostsDeclared(p, mask: mask)) }

        func node(of use: LinkUse) -> Int? {
            switch use.kind {
            case .vlan: return vlanIndex[use.name].flatMap { vlanNode[$0] }
            case .bond: return bondIndex[use.name].flatMap { bondNode[$0] }
            case .nic: return nicNode[use.name]
            }
        }

        // Union-find over the nodes; parents for host propagation.
        var root = Array(nodes.indices)
        func find(_ x: Int) -> Int {
            var r = x
            while root[r] != r { r = root[r] }
            var y = x
            while root[y] != r { let next = root[y]; root[y] = r; y = next }
            return r
        }
        func link(_ parent: Int, _ child: Int) {
            nodes[child].parents.append(parent)
            let a = find(parent), b = find(child)
            if a != b { root[max(a, b)] = min(a, b) }
        }
        for (i, b) in p.bridges.enumerated() {
            guard let bn = bridgeNode[i] else { continue }
            for port in b.ports { if let pn = node(of: port) { link(bn, pn) } }
        }
        for (i, v) in p.vlans.enumerated() {
            guard let vn = vlanNode[i], let base = v.base, let bn = node(of: base) else { continue }
            link(vn, bn)
        }
        for (i, b) in p.bonds.enumerated() {
            guard let bn = bondNode[i] else { continue }
            for port in b.ports { if let pn = node(of: port) { link(bn, pn) } }
        }

        // Host presence: a bridge's own hosts; anything else is built where it exists and, when it
        // has parents, only where one of them is built (everywhere when a parent is).
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 visiting, 2 done
        func resolveMask(_ m: Int) -> [Bool]? {
            if nodes[m].member.kind == .bridge || state[m] == 2 { return nodes[m].hostMask }
            if state[m] == 1 { return nodes[m].hostMask }  // a cycle (reported by the checks)
            state[m] = 1
            var above: [Bool]? = nil
            if !nodes[m].parents.isEmpty {
                above = [Bool](repeating: false, count: hostCount)
                for parent in nodes[m].parents {
                    guard let pm = resolveMask(parent) else { above = nil; break }
                    for h in pm.indices where pm[h] { above![h] = true }
                }
            }
            nodes[m].hostMask = intersect(nodes[m].hostMask, above)
            state[m] = 2
            return nodes[m].hostMask
        }
        for m in nodes.indices { _ = resolveMask(m) }

        // Components in discovery order, members ordered for output.
        var groups: [Int: [Int]] = [:]
        var rootsInOrder: [Int] = []
        for m in nodes.indices {
            let r = find(m)
            if groups[r] == nil { rootsInOrder.append(r) }
            groups[r, default: []].append(m)
        }
        struct Draft { var component: Component; var nodes: [Int]; var namedAfter: Int }
        var drafts: [Draft] = []
        drafts.reserveCapacity(rootsInOrder.count)
        for (rank, r) in rootsInOrder.enumerated() {
            let ms = (groups[r] ?? []).sorted { (nodes[$0].member.kind.rawValue, $0) < (nodes[$1].member.kind.rawValue, $1) }
            var anchor = ms.first { nodes[$0].member.kind == .bridge }
            if anchor == nil {
                func key(_ m: Int) -> (Int32, Int32, Int) { (nodes[m].member.nameSpan.file.raw, nodes[m].member.nameSpan.start, m) }
                let tops = ms.filter { nodes[$0].parents.isEmpty }
                anchor = tops.filter { nodes[$0].member.kind != .nic }.min { key($0) < key($1) }
                    ?? tops.min { key($0) < key($1) }   // a NIC listed on its own (its mtu and address)
            }
            // Restricted to hosts when a member is (a bridge's `hosts`, a host-only NIC, a bond or VLAN
            // over one): one policy per host where some member is built.
            var hosts: [Int]? = nil
            if hostCount > 0 && ms.contains(where: { nodes[$0].hostMask != nil }) {
                var any = [Bool](repeating: false, count: hostCount)
                for m in ms {
                    guard let mask = nodes[m].hostMask else { any = [Bool](repeating: true, count: hostCount); break }
                    for h in mask.indices where mask[h] { any[h] = true }
                }
                hosts = (0..<hostCount).filter { any[$0] }
            }
            let component = Component(members: ms.map { nodes[$0].member }, anchor: anchor.map { nodes[$0].member },
                                      hosts: hosts, discoveryRank: rank)
            drafts.append(Draft(component: component, nodes: ms, namedAfter: anchor ?? ms[0]))
        }
        // Output order: by the source position of what names each component, bridges first.
        drafts.sort { a, b in
            let x = nodes[a.namedAfter].member, y = nodes[b.namedAfter].member
            let kx = (x.nameSpan.file.raw, x.nameSpan.start, x.kind == .bridge ? 0 : 1)
            let ky = (y.nameSpan.file.raw, y.nameSpan.start, y.kind == .bridge ? 0 : 1)
            return kx != ky ? kx < ky : a.namedAfter < b.namedAfter
        }

        // Where each bridge is built: its `hosts`, within its component's hosts when that is split.
        var bridgeHosts = bridgeHostsDeclared(p, mask: mask)
        for draft in drafts {
            guard let hs = draft.component.hosts else { continue }
            for m in draft.nodes where nodes[m].member.kind == .bridge {
                let own = nodes[m].hostMask
                bridgeHosts[nodes[m].member.index] = hs.filter { own?[$0] ?? true }
            }
        }

        var policies: [PlannedPolicy] = []
        let topology = p.topologyName.value
        for (ci, draft) in drafts.enumerated() {
            let bridgesIn = draft.nodes.filter { nodes[$0].member.kind == .bridge }
            let targets: [Int?] = draft.component.hosts.map { $0.map { Optional($0) } } ?? [nil]
            for target in targets {
                let hostName = target.map { p.hosts[$0].decl.name }
                func present(_ m: Int) -> Bool {
                    guard let t = target, let mask = nodes[m].hostMask else { return true }
                    return mask[t]
                }
                var interfaces: [Member] = []
                var releasedHere: [String] = []
                for m in draft.nodes where present(m) {
                    let member = nodes[m].member
                    if member.kind == .nic {
                        let isReleased = bridgesIn.contains { bm in
                            present(bm) && releases[nodes[bm].member.index].contains {
                                $0.nic == member.name && ($0.host == nil || $0.host == hostName)
                            }
                        }
                        if isReleased {
                            releasedHere.append(member.name)
                        } else {
                            // listed for its mtu where this host's declaration sets one
                            let decl = (nicDecls[member.name] ?? []).map { p.nics[$0] }.first {
                                $0.host == nil || $0.host == hostName
                            }
                            guard let decl, listedForMTU(decl) else { continue }
                        }
                    }
                    interfaces.append(member)
                }
                guard !interfaces.isEmpty else { continue }
                let name = policyName(topology: topology, anchor: draft.component.namedAfter.name, host: hostName)
                policies.append(PlannedPolicy(name: name, host: target, component: ci, interfaces: interfaces,
                                              releasedNics: releasedHere))
            }
        }
        return Plan(components: drafts.map(\.component), policies: policies, bridgeHosts: bridgeHosts)
    }

    /// Every bridge's declared `hosts` as host indices (nil = every node).
    static func bridgeHostsDeclared(_ p: CheckedProgram, mask: ([String]) -> [Bool]) -> [[Int]?] {
        p.bridges.map { b in
            guard !p.hosts.isEmpty, let hs = b.hosts else { return nil }
            let m = mask(hs.map(\.value))
            return m.indices.filter { m[$0] }
        }
    }
}

/// Hosts in both (nil = every host).
@inline(__always)
func intersect(_ a: [Bool]?, _ b: [Bool]?) -> [Bool]? {
    guard let a else { return b }
    guard let b else { return a }
    return zip(a, b).map { $0 && $1 }
}
