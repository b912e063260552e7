import WukongIR
import WukongNet

extension TopologyGraph {
    /// The picture of a lowered topology. Deterministic: everything is in IR (source) order.
    public static func build(_ topology: Topology, options: GraphOptions = GraphOptions()) -> TopologyGraph {
        GraphBuilder(topology, options: options, findings: nil).build()
    }

    /// `wukongc check --graph`: the same picture with the elements that have diagnostics marked
    /// and a legend; a diagnostic on an element the picture does not show (a VM NIC lowering
    /// skipped: on its VM; else) is listed in the legend.
    public static func build(_ topology: Topology, findings: GraphFindings, options: GraphOptions = GraphOptions()) -> TopologyGraph {
        GraphBuilder(topology, options: options, findings: findings).build()
    }
}

/// A node-side interface and the hosts it exists on ("" = every node, for a topology without hosts).
private struct Interface {
    var key: String          // "nic:ens192", "bond:bond0", "vlan:v100", "bridge:br-ext"
    var kind: GraphNodeKind
    var name: String
    var hosts: Set<String>
    /// Keys of the interfaces under it (bond and bridge ports, a VLAN's base).
    var lower: [String]
    /// Its label lines on one host, as (what, text) so lines of alike hosts can be merged.
    var lines: (String?) -> [(String, String)]
}

/// A VM node: one VM, or several collapsed (`parts` are the names shown in the title).
private struct VMUnit {
    var members: [Int]
    var parts: [String]
    var collapsed: Bool
}

private struct GraphBuilder {
    let t: Topology
    let options: GraphOptions
    let hostNames: [String]
    let everyNode: Bool
    let networkByName: [String: Network]
    let findings: GraphFindings?

    init(_ t: Topology, options: GraphOptions, findings: GraphFindings?) {
        self.t = t
        self.options = options
        self.findings = findings
        hostNames = t.hosts.map(\.name)
        everyNode = t.hosts.isEmpty
        networkByName = Dictionary(t.networks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var byVM: [String: [String]] = [:]
        for e in findings?.elements.keys.map({ $0 }) ?? [] { if case .vmNic(let vm, let nic) = e { byVM[vm, default: []].append(nic) } }
        nicMarksByVM = byVM.mapValues { $0.sorted() }
    }

    /// VM name → names of its NICs that carry diagnostics (sorted: from a dictionary).
    let nicMarksByVM: [String: [String]]

    func marks(_ e: GraphElement) -> [GraphMark] { findings?.marks(e) ?? [] }

    func build() -> TopologyGraph {
        var graph = TopologyGraph(title: title())
        var placed = Set<GraphElement>()
        let interfaces = nodeInterfaces()
        // Clusters: one per host, or per group of at least `collapseAt` hosts with the same interfaces.
        var nodeIDs: [[String: String]] = []   // per cluster: interface key → node id
        for hosts in hostGroups(interfaces) {
            let (cluster, ids, edges) = makeCluster(hosts, interfaces, &placed)
            graph.clusters.append(cluster)
            nodeIDs.append(ids)
            graph.edges += edges
        }
        for n in t.networks {
            let id = "net:" + n.name
            var node = GraphNode(id: id, kind: .network, title: n.name, lines: networkLines(n))
            node.marks = marks(.network(n.name))
            placed.insert(.network(n.name))
            graph.nodes.append(node)
            let below: String?
            switch n.attachment {
            case .bridge(let name, _), .ovs(let name, _), .localnet(_, let name, _): below = "bridge:" + name
            case .macvlan(let link): below = link.kind.rawValue + ":" + link.name
            case .sriov, .layer2: below = nil
            }
            if let below {
                for ids in nodeIDs { if let from = ids[below] { graph.edges.append(GraphEdge(from: from, to: id)) } }
            }
        }
        if t.vms.contains(where: { $0.nics.contains { $0.network == nil } }) {
            graph.nodes.append(GraphNode(id: "pod", kind: .podNetwork, title: "pod network"))
        }
        let networks = Set(t.networks.map(\.name))
        for unit in vmUnits() {
            let (node, edges) = unit.collapsed ? groupNode(unit, networks, &placed) : vmNode(t.vms[unit.members[0]], networks, &placed)
            graph.nodes.append(node)
            graph.edges += edges
        }
        if let findings { graph.legend = legend(findings, placed) }
        return graph
    }

    /// The counts, and every diagnostic on no element shown (each once, in diagnostic order).
    func legend(_ f: GraphFindings, _ placed: Set<GraphElement>) -> GraphLegend {
        var all = f.outside
        var lists = Set<Int>()   // each shared list once
        for (e, ls) in f.elements where !placed.contains(e) { lists.formUnion(ls) }
        for l in lists.sorted() { all += f.lists[l] }
        // Dictionary order is not stable: sorted by place, then code, then message.
        let outside = all.distinct().sorted { ($0.location, $0.code, $0.message) < ($1.location, $1.code, $1.message) }
        return GraphLegend(errors: f.errors, warnings: f.warnings, outside: outside)
    }

    func title() -> String {
        let n = t.vms.count
        return "topology \(t.name) · namespace \(t.namespace) · \(n) VM\(n == 1 ? "" : "s")"
    }

    // MARK: - Node side

    func nodeInterfaces() -> [Interface] {
        let all: Set<String> = everyNode ? [""] : Set(hostNames)
        func on(_ list: [String]?) -> Set<String> {
            guard let list, !everyNode else { return all }
            return Set(list)
        }
        var presence: [String: Set<String>] = [:]
        for n in t.nics { presence["nic:" + n.name] = on(n.hosts) }
        // Bonds and VLANs exist where what they sit on exists; resolved on demand (either can sit on the other).
        let bonds = Dictionary(t.bonds.map { ("bond:" + $0.name, $0.ports.map(key)) }, uniquingKeysWith: { a, _ in a })
        let vlans = Dictionary(t.vlans.map { ("vlan:" + $0.name, [key($0.base)]) }, uniquingKeysWith: { a, _ in a })
        func resolve(_ k: String, _ depth: Int) -> Set<String> {
            if let p = presence[k] { return p }
            guard depth < 64, let lower = bonds[k] ?? vlans[k] else { return all }
            var p = all
            for l in lower { p.formIntersection(resolve(l, depth + 1)) }
            presence[k] = p
            return p
        }

        var out: [Interface] = []
        for n in t.nics {
            out.append(Interface(key: "nic:" + n.name, kind: .nic, name: n.name, hosts: on(n.hosts), lower: []) { host in
                let s = n.settings.first { $0.host == host } ?? n.settings.first { $0.host == nil }
                let released = t.bridges.contains { b in b.nodeAddresses.contains { $0.fromNic == n.name && ($0.host == host || $0.host == nil) } }
                var lines: [(String, String)] = []
                if !released, let s {
                    if let a = s.address { lines.append(("address", a.description)) } else if s.dhcp { lines.append(("address", "dhcp")) }
                }
                if let mtu = s?.mtu { lines.append(("mtu", "mtu \(mtu)")) }
                return lines
            })
        }
        for b in t.bonds {
            let k = "bond:" + b.name
            out.append(Interface(key: k, kind: .bond, name: b.name, hosts: resolve(k, 0), lower: b.ports.map(key)) { _ in
                [("kind", "bond \(b.mode)")] + (b.mtu.map { [("mtu", "mtu \($0)")] } ?? [])
            })
        }
        for v in t.vlans {
            let k = "vlan:" + v.name
            out.append(Interface(key: k, kind: .vlan, name: v.name, hosts: resolve(k, 0), lower: [key(v.base)]) { _ in
                [("kind", "VLAN \(v.id)")] + (v.mtu.map { [("mtu", "mtu \($0)")] } ?? [])
            })
        }
        for b in t.bridges {
            let kind: GraphNodeKind = b.kind == .ovs ? .ovsBridge : .bridge
            out.append(Interface(key: "bridge:" + b.name, kind: kind, name: b.name, hosts: on(b.hosts), lower: b.ports.map(key)) { host in
                var lines: [(String, String)] = [("kind", b.kind == .ovs ? "OVS bridge" : "linux bridge")]
                if let a = b.nodeAddresses.first(where: { $0.host == host }) ?? b.nodeAddresses.first(where: { $0.host == nil }) {
                    lines.append(("address", a.address?.description ?? (a.dhcp ? "dhcp" : "from \(a.fromIfname)")))
                }
                if let mtu = b.mtu { lines.append(("mtu", "mtu \(mtu)")) }
                if b.stp { lines.append(("stp", "STP")) }
                if !b.managed { lines.append(("managed", "existing, not managed")) }
                return lines
            })
        }
        return out
    }

    func key(_ l: LinkRef) -> String { l.kind.rawValue + ":" + l.name }

    /// Host names per cluster (`[nil]`: every node). Alike hosts (same interfaces) collapse from `collapseAt` on.
    func hostGroups(_ interfaces: [Interface]) -> [[String?]] {
        if everyNode { return [[nil]] }
        var signatures: [String] = []
        var members: [[String]] = []
        var index: [String: Int] = [:]
        for h in hostNames {
            let sig = interfaces.filter { $0.hosts.contains(h) }.map(\.key).joined(separator: ",")
            if let i = index[sig] { members[i].append(h) } else {
                index[sig] = members.count; signatures.append(sig); members.append([h])
            }
        }
        // Clusters in host order: a collapsed group where its first host is.
        let collapsed = Set(members.indices.filter { members[$0].count >= options.collapseAt })
        var out: [[String?]] = []
        var done = Set<Int>()
        for h in hostNames {
            let sig = interfaces.filter { $0.hosts.contains(h) }.map(\.key).joined(separator: ",")
            guard let i = index[sig] else { continue }
            if collapsed.contains(i) {
                if done.insert(i).inserted { out.append(members[i].map { Optional($0) }) }
            } else {
                out.append([h])
            }
        }
        return out
    }

    func makeCluster(_ hosts: [String?], _ interfaces: [Interface], _ placed: inout Set<GraphElement>)
        -> (GraphCluster, [String: String], [GraphEdge]) {
        let first = hosts.first.flatMap { $0 }
        let clusterID: String
        let label: String
        if let first {
            if hosts.count == 1 {
                clusterID = "host:" + first
                let hostname = t.hosts.first { $0.name == first }?.hostname ?? first
                label = "host \(first)" + (hostname == first ? "" : " (node \(hostname))")
            } else {
                clusterID = "hosts:" + first
                label = "hosts \(first) … \(hosts.last.flatMap { $0 } ?? first) (\(hosts.count) hosts)"
            }
        } else {
            clusterID = "nodes"
            label = t.nodeSelector.isEmpty ? "every node"
                : "nodes with " + t.nodeSelector.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
        var ids: [String: String] = [:]
        var nodes: [GraphNode] = []
        var edges: [GraphEdge] = []
        let present = interfaces.filter { $0.hosts.contains(first ?? "") }
        for i in present {
            let id = clusterID + "/" + i.key
            ids[i.key] = id
            var node = GraphNode(id: id, kind: i.kind, title: i.name, lines: merge(hosts.map { i.lines($0) }))
            if findings != nil {
                // Declared at the top level (every host) or inside one of this cluster's hosts.
                let elements = [GraphElement.nodeInterface(key: i.key, host: nil)]
                    + hosts.compactMap { $0 }.map { GraphElement.nodeInterface(key: i.key, host: $0) }
                node.marks = elements.flatMap(marks).distinct()
                placed.formUnion(elements)
            }
            nodes.append(node)
        }
        for i in present {
            for l in i.lower { if let from = ids[l], let to = ids[i.key] { edges.append(GraphEdge(from: from, to: to)) } }
        }
        var cluster = GraphCluster(id: clusterID, label: label, nodes: nodes)
        if findings != nil {
            let elements = hosts.compactMap { $0 }.map(GraphElement.host)
            cluster.marks = elements.flatMap(marks).distinct()
            placed.formUnion(elements)
        }
        return (cluster, ids, edges)
    }

    /// The lines of one interface over several hosts: equal values once, differing ones as a range.
    func merge(_ perHost: [[(String, String)]]) -> [String] {
        var keys: [String] = []
        var values: [String: [String]] = [:]
        for lines in perHost {
            for (k, v) in lines {
                if values[k] == nil { keys.append(k) }
                values[k, default: []].append(v)
            }
        }
        return keys.map { k in
            let vs = values[k, default: []]
            var seen = Set<String>()
            let distinct = vs.filter { seen.insert($0).inserted }
            guard let a = distinct.first, let z = distinct.last else { return "" }
            var s = distinct.count == 1 ? a : "\(a) … \(z)"
            if vs.count < perHost.count { s += " (\(vs.count) of \(perHost.count) hosts)" }
            return s
        }
    }

    // MARK: - Networks

    func networkLines(_ n: Network) -> [String] {
        var lines: [String] = []
        switch n.attachment {
        case .bridge, .ovs: break
        case .macvlan(let link): lines.append("macvlan on \(link.ifname)")
        case .sriov(let resource): lines.append("SR-IOV \(resource)")
        case .layer2(let ovnName): lines.append("OVN layer2 \(ovnName)")
        case .localnet(let ovnName, _, let physnet): lines.append("OVN localnet \(ovnName) · physnet \(physnet)")
        }
        if let v = n.vlan { lines.append("VLAN \(v)") }
        if let s = n.subnet { lines.append(s.description) }
        if let s = n.subnet6 { lines.append(s.description) }   // dual-stack
        if n.ipam != .none { lines.append("ipam \(n.ipam.rawValue)") }
        if let nad = n.existingNAD { lines.append("NAD \(nad) (existing)") }
        return lines
    }

    // MARK: - VMs

    func placement(_ vm: VM) -> String? {
        if let h = vm.pinnedHostname { return "host \(h)" }
        if let hs = vm.affinityHostnames { return "on " + hs.joined(separator: ", ") }
        return nil
    }

    func resources(_ vm: VM) -> String? {
        if let c = vm.cpu, let m = vm.memory { return "\(c) CPU · \(m)" }
        if let it = vm.instancetype { return "instancetype \(it.name)" }
        return nil
    }

    /// Splits `app-12` into ("app-", 12); nil without a numeric suffix.
    func stem(_ name: String) -> (String, Int)? {
        guard let (stem, digits) = splitTrailingIndex(name), digits.count <= 18, let n = Int(digits) else { return nil }
        return (String(stem), n)
    }

    func vmUnits() -> [VMUnit] {
        let vms = t.vms
        // Level 1: same stem, same NICs on the same networks, same placement and run state.
        var groupOf = [Int?](repeating: nil, count: vms.count)
        var groups: [[Int]] = []
        var index: [String: Int] = [:]
        let stems = vms.map { stem($0.name) }
        for (i, vm) in vms.enumerated() {
            guard let (s, _) = stems[i] else { continue }
            let sig = vm.nics.map { "\($0.name)=\($0.network ?? "")/\($0.binding.rawValue)" }.joined(separator: ",")
            let k = [s, sig, placement(vm) ?? "", vm.running ? "" : "stopped"].joined(separator: "\u{1}")
            if let g = index[k] { groups[g].append(i); groupOf[i] = g } else {
                index[k] = groups.count; groupOf[i] = groups.count; groups.append([i])
            }
        }
        var units: [VMUnit] = []
        var emitted = Set<Int>()
        for i in vms.indices {
            if let g = groupOf[i], groups[g].count >= options.collapseAt {
                guard emitted.insert(g).inserted else { continue }
                let members = groups[g]
                let byIndex = members.sorted { (stems[$0]?.1 ?? 0, $0) < (stems[$1]?.1 ?? 0, $1) }
                let a = vms[byIndex.first ?? i].name, z = vms[byIndex.last ?? i].name
                units.append(VMUnit(members: members, parts: ["\(a) … \(z)"], collapsed: true))
            } else {
                units.append(VMUnit(members: [i], parts: [vms[i].name], collapsed: false))
            }
        }
        guard units.count > options.maxVMNodes else { return units }
        // Level 2: still too many nodes: collapse by the set of networks alone.
        var merged: [VMUnit] = []
        var bucket: [String: Int] = [:]
        for u in units {
            let vm = vms[u.members[0]]
            let k = Set(vm.nics.map { $0.network ?? "\u{0}pod" }).sorted().joined(separator: ",")
            if let b = bucket[k] {
                merged[b].members += u.members
                merged[b].parts += u.parts
                merged[b].collapsed = true
            } else {
                bucket[k] = merged.count
                merged.append(u)
            }
        }
        for i in merged.indices { merged[i].members.sort() }
        return merged
    }

    func dynamicAddress(_ nic: VMNic) -> String {
        guard let net = nic.network else { return nic.binding.rawValue }
        if let n = networkByName[net], n.ipam.leasesAddresses { return n.ipam.rawValue }
        return "dhcp"
    }

    func networkNode(_ nic: VMNic, _ networks: Set<String>) -> String? {
        guard let net = nic.network else { return "pod" }
        return networks.contains(net) ? "net:" + net : nil
    }

    /// A VM's diagnostics as indices into `findings.lists`: its own and its NICs' (those of NICs
    /// the IR does not have, lowering skipped them, count for the VM), and per NIC shown.
    /// Marks `placed` every NIC declared in it.
    func vmLists(_ vm: VM, _ placed: inout Set<GraphElement>) -> (all: [Int], nics: [String: [Int]]) {
        guard let findings else { return ([], [:]) }
        var all = findings.elements[.vm(vm.name)] ?? []
        var nics: [String: [Int]] = [:]
        placed.insert(.vm(vm.name))
        if let declared = nicMarksByVM[vm.name] {
            let shown = Set(vm.nics.map(\.name))
            for nic in declared {
                placed.insert(.vmNic(vm: vm.name, nic: nic))
                let ls = findings.elements[.vmNic(vm: vm.name, nic: nic)] ?? []
                if shown.contains(nic) { nics[nic] = ls }
                all += ls
            }
        }
        return (all, nics)
    }

    /// The marks of some lists, each list once, in list order.
    func flatten<S: Sequence>(_ lists: S) -> [GraphMark] where S.Element == Int {
        guard let findings else { return [] }
        var seen = Set<Int>()
        return lists.filter { seen.insert($0).inserted }.sorted().flatMap { findings.lists[$0] }
    }

    func vmNode(_ vm: VM, _ networks: Set<String>, _ placed: inout Set<GraphElement>) -> (GraphNode, [GraphEdge]) {
        let (own, nicLists) = vmLists(vm, &placed)
        let id = "vm:" + vm.name
        var lines: [String] = []
        if let r = resources(vm) { lines.append(r) }
        if let p = placement(vm) { lines.append(p) }
        if !vm.running { lines.append("stopped") }
        var rows: [GraphRow] = []
        var edges: [GraphEdge] = []
        for (j, nic) in vm.nics.enumerated() {
            var address: String
            switch nic.address {
            case .static(let a): address = a.description
            case .dhcp: address = dynamicAddress(nic)
            }
            if let a6 = nic.address6 { address += ", " + a6.description }   // dual-stack
            let route = nic.defaultRoute && vm.nics.count > 1 ? " · default route" : ""
            var row = GraphRow(port: "n\(j)", text: "\(nic.name): \(address)\(route)")
            row.marks = flatten(nicLists[nic.name] ?? [])
            rows.append(row)
            if let from = networkNode(nic, networks) { edges.append(GraphEdge(from: from, to: id, toPort: "n\(j)")) }
        }
        var node = GraphNode(id: id, kind: .vm, title: vm.name, lines: lines, rows: rows)
        node.marks = flatten(own)
        return (node, edges)
    }

    func groupNode(_ unit: VMUnit, _ networks: Set<String>, _ placed: inout Set<GraphElement>) -> (GraphNode, [GraphEdge]) {
        let vms = unit.members.map { t.vms[$0] }
        var groupLists = Set<Int>()
        var flagged = 0
        var rowLists: [String: Set<Int>] = [:]   // network key → lists of member NICs on it
        if findings != nil {
            for vm in vms {
                let (all, nics) = vmLists(vm, &placed)
                if !all.isEmpty { flagged += 1 }
                groupLists.formUnion(all)
                for nic in vm.nics {
                    if let ls = nics[nic.name], !ls.isEmpty { rowLists[nic.network ?? "\u{0}pod", default: []].formUnion(ls) }
                }
            }
        }
        let id = "vms:" + (vms.first?.name ?? "")
        let n = vms.count
        let shown = unit.parts.prefix(3).joined(separator: ", ") + (unit.parts.count > 3 ? ", …" : "")
        let title = "\(shown) (\(n) VMs)"
        var lines: [String] = []
        for (values, many) in [(vms.compactMap(resources), "sizes"), (vms.compactMap(placement), "placements")] {
            var seen = Set<String>()
            let distinct = values.filter { seen.insert($0).inserted }
            if distinct.count == 1 { lines.append(distinct[0]) } else if distinct.count > 1 { lines.append("\(distinct.count) \(many)") }
        }
        let stopped = vms.filter { !$0.running }.count
        if stopped > 0 { lines.append(stopped == n ? "stopped" : "\(stopped) stopped") }

        // One row per network: the NIC names on it and the range of their addresses.
        var order: [String] = []
        var nicNames: [String: [String]] = [:]
        var statics: [String: [IfAddr]] = [:]
        var dynamic: [String: [String]] = [:]
        var sample: [String: VMNic] = [:]
        for vm in vms {
            for nic in vm.nics {
                let k = nic.network ?? "\u{0}pod"
                if sample[k] == nil { order.append(k); sample[k] = nic }
                if !nicNames[k, default: []].contains(nic.name) { nicNames[k, default: []].append(nic.name) }
                switch nic.address {
                case .static(let a): statics[k, default: []].append(a)
                case .dhcp:
                    let d = dynamicAddress(nic)
                    if !dynamic[k, default: []].contains(d) { dynamic[k, default: []].append(d) }
                }
            }
        }
        var rows: [GraphRow] = []
        var edges: [GraphEdge] = []
        for (j, k) in order.enumerated() {
            var parts: [String] = []
            let addrs = statics[k, default: []].sorted { ($0.address, $0.prefix) < ($1.address, $1.prefix) }
            if let a = addrs.first, let z = addrs.last {
                parts.append(addrs.count == 1 ? a.description : "\(a) … \(z)")
            }
            parts += dynamic[k, default: []]
            let names = nicNames[k, default: []]
            let nameText = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
            var row = GraphRow(port: "n\(j)", text: "\(nameText): \(parts.joined(separator: " + "))")
            row.marks = flatten(rowLists[k] ?? [])
            rows.append(row)
            if let nic = sample[k], let from = networkNode(nic, networks) {
                edges.append(GraphEdge(from: from, to: id, toPort: "n\(j)"))
            }
        }
        var node = GraphNode(id: id, kind: .vmGroup, title: title, lines: lines, rows: rows)
        node.marks = flatten(groupLists)
        node.flaggedMembers = flagged
        node.memberCount = n
        return (node, edges)
    }
}
