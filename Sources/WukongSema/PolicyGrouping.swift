import WukongDiagnostics

/// NodeNetworkConfigurationPolicy grouping (LANGUAGE.md §7, DOMAIN.md §3) — the one place that
/// decides which policies exist: the K-NAME checks (NamingChecks) validate their names, lowering
/// (WukongIR/Policies.swift) emits them.
///
/// nmstate wants every interface in exactly one policy and dependent configuration together, so
/// the managed node-side interfaces — managed bridges and ovs-bridges, VLANs, bonds, and port NICs
/// whose node address moves to a bridge ("released" NICs) — are split into connected components
/// along bridge→port, vlan→base and bond→port. Plain port NICs are not interfaces of any policy
/// (nmstate enslaves them) and do not connect components.
///
/// One policy per component, named `<topology>-<first bridge of the component>` (a component
/// without a bridge — a VLAN or bond under a macvlan network — is named after its topmost VLAN
/// or bond, first in source order). A component is split per host (`-<host>` suffix) when one of
/// its bridges is restricted to hosts or takes over a per-host node address; each host's policy
/// then lists what is built there.
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
        /// The interfaces built on that host, in policy order (a NIC only where it is released).
        public let interfaces: [Member]
    }

    public struct Plan: Sendable {
        /// In output order: by the source position of what names them (bridges first on a tie).
        public let components: [Component]
        /// The policies, in output order.
        public let policies: [PlannedPolicy]
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
        var perHostBridge = [Bool](repeating: false, count: p.bridges.count)
        var released = Set<String>()
        for (i, b) in p.bridges.enumerated() where b.managed?.value ?? true {
            bridgeNode[i] = nodes.count
            var mask: [Bool]? = nil
            if let only = b.hosts {
                var m = [Bool](repeating: false, count: hostCount)
                for h in only { if let hi = hostIndex[h.value] { m[hi] = true } }
                mask = m
            }
            nodes.append(Node(member: Member(kind: .bridge, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan), hostMask: mask))
            if b.hosts != nil { perHostBridge[i] = true }
            let only = b.hosts?.map(\.value)
            for port in b.ports where port.kind == .nic {
                for d in nicDecls[port.name] ?? [] {
                    let n = p.nics[d]
                    guard n.address != nil || n.dhcp?.value == true else { continue }
                    if let h = n.host, let only, !only.contains(h) { continue }
                    releases[i].append((port.name, n.host))
                    released.insert(port.name)
                    if n.host != nil { perHostBridge[i] = true }
                }
            }
        }
        var vlanNode = [Int?](repeating: nil, count: p.vlans.count)
        for (i, v) in p.vlans.enumerated() where v.base != nil && v.id != nil {
            vlanNode[i] = nodes.count
            nodes.append(Node(member: Member(kind: .vlan, index: i, name: v.decl.name, nameSpan: v.decl.nameSpan)))
        }
        var bondNode = [Int?](repeating: nil, count: p.bonds.count)
        for (i, b) in p.bonds.enumerated() {
            bondNode[i] = nodes.count
            nodes.append(Node(member: Member(kind: .bond, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan)))
        }
        // Released NICs, in NIC order (first declaration).
        var nicNode: [String: Int] = [:]
        for name in nicOrder where released.contains(name) {
            guard let d = nicDecls[name]?.first else { continue }
            nicNode[name] = nodes.count
            nodes.append(Node(member: Member(kind: .nic, index: d, name: name, nameSpan: p.nics[d].decl.nameSpan)))
        }
        guard !nodes.isEmpty else { return Plan(components: [], policies: []) }

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

        // Host presence: a bridge's own hosts; anything else is built wherever one of its parents
        // is (everywhere when it has no parent, or a parent that is everywhere).
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 visiting, 2 done
        func resolveMask(_ m: Int) -> [Bool]? {
            if nodes[m].member.kind == .bridge || state[m] == 2 { return nodes[m].hostMask }
            if state[m] == 1 { return nil }  // a cycle (reported by the checks): everywhere
            state[m] = 1
            var mask: [Bool]? = [Bool](repeating: false, count: hostCount)
            if nodes[m].parents.isEmpty { mask = nil }
            for parent in nodes[m].parents {
                guard let pm = resolveMask(parent) else { mask = nil; break }
                if var acc = mask {
                    for h in acc.indices where pm[h] { acc[h] = true }
                    mask = acc
                }
            }
            nodes[m].hostMask = mask
            state[m] = 2
            return mask
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
                anchor = ms.filter { nodes[$0].parents.isEmpty && nodes[$0].member.kind != .nic }.min { key($0) < key($1) }
            }
            // The hosts: every host where a member is built — a bridge's hosts; anything without a
            // bridge above it is everywhere.
            var hosts: [Int]? = nil
            let bridgesIn = ms.filter { nodes[$0].member.kind == .bridge }
            if hostCount > 0 && bridgesIn.contains(where: { perHostBridge[nodes[$0].member.index] }) {
                var any = [Bool](repeating: false, count: hostCount)
                var everywhere = ms.contains { nodes[$0].parents.isEmpty && nodes[$0].member.kind != .bridge }
                for b in bridgesIn {
                    guard let mask = nodes[b].hostMask else { everywhere = true; break }
                    for h in mask.indices where mask[h] { any[h] = true }
                }
                hosts = (0..<hostCount).filter { everywhere || any[$0] }
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
                for m in draft.nodes where present(m) {
                    let member = nodes[m].member
                    if member.kind == .nic {
                        let isReleased = bridgesIn.contains { bm in
                            present(bm) && releases[nodes[bm].member.index].contains {
                                $0.nic == member.name && ($0.host == nil || $0.host == hostName)
                            }
                        }
                        if !isReleased { continue }
                    }
                    interfaces.append(member)
                }
                guard !interfaces.isEmpty else { continue }
                let name = policyName(topology: topology, anchor: draft.component.namedAfter.name, host: hostName)
                policies.append(PlannedPolicy(name: name, host: target, component: ci, interfaces: interfaces))
            }
        }
        return Plan(components: drafts.map(\.component), policies: policies)
    }
}
