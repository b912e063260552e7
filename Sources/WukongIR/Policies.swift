import WukongDiagnostics
import WukongSema

/// NodeNetworkConfigurationPolicy grouping (LANGUAGE.md §7, DOMAIN.md §3): nmstate wants every
/// interface in exactly one policy and dependent configuration together, so the managed
/// node-side interfaces — managed bridges and ovs-bridges, VLANs, bonds, and port NICs whose node
/// address moves to a bridge ("released" NICs) — are split into connected components along
/// bridge→port, vlan→base and bond→port. Plain port NICs are not interfaces of any policy (nmstate
/// enslaves them) and do not connect components.
///
/// One policy per component, named `<topology>-<first bridge of the component>` (a component
/// without a bridge — a VLAN or bond under a macvlan network — is named after its topmost VLAN
/// or bond, first in source order). A component is split per host (`-<host>` suffix, selector
/// `kubernetes.io/hostname`) when one of its bridges is restricted to hosts or takes over a
/// per-host node address; each host's policy then lists what is built there.
extension LoweringPass {
    enum MemberKind: Int { case bond = 0, vlan = 1, nic = 2, bridge = 3 }

    struct Member {
        let kind: MemberKind
        /// Index in program.bridges / program.vlans / program.bonds, or in the merged NICs.
        let index: Int
        let name: String
        let nameSpan: Span
        /// Hosts it is built on (by host index); nil = everywhere the component applies.
        var hostMask: [Bool]?
        var parents: [Int] = []
    }

    mutating func buildPolicies() -> [NodePolicy] {
        let hostCount = program.hosts.count
        var members: [Member] = []

        var bridgeNode = [Int?](repeating: nil, count: program.bridges.count)
        for (i, b) in program.bridges.enumerated() where bridges[i].managed {
            bridgeNode[i] = members.count
            var mask: [Bool]? = nil
            if let only = b.hosts {
                var m = [Bool](repeating: false, count: hostCount)
                for h in only { if let hi = hostIndex[h.value] { m[hi] = true } }
                mask = m
            }
            members.append(Member(kind: .bridge, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan, hostMask: mask))
        }
        var vlanNode = [Int?](repeating: nil, count: program.vlans.count)
        for (i, v) in program.vlans.enumerated() where vlanIR[i] != nil {
            vlanNode[i] = members.count
            members.append(Member(kind: .vlan, index: i, name: v.decl.name, nameSpan: v.decl.nameSpan))
        }
        var bondNode = [Int?](repeating: nil, count: program.bonds.count)
        for (i, b) in program.bonds.enumerated() {
            bondNode[i] = members.count
            members.append(Member(kind: .bond, index: i, name: b.decl.name, nameSpan: b.decl.nameSpan))
        }
        // Released NICs, in NIC order.
        var releasedNames = Set<String>()
        for b in bridges where b.managed { for a in b.nodeAddresses { releasedNames.insert(a.fromNic) } }
        var nicNode: [String: Int] = [:]
        for (i, n) in nics.enumerated() where releasedNames.contains(n.name) {
            let span = program.nics.first { $0.decl.name == n.name }?.decl.nameSpan ?? .none
            nicNode[n.name] = members.count
            members.append(Member(kind: .nic, index: i, name: n.name, nameSpan: span))
        }
        guard !members.isEmpty else { return [] }

        func node(of use: LinkUse) -> Int? {
            switch use.kind {
            case .vlan: return vlanIndex[use.name].flatMap { vlanNode[$0] }
            case .bond: return bondIndex[use.name].flatMap { bondNode[$0] }
            case .nic: return nicNode[use.name]
            }
        }

        // Union-find over members; parents for host propagation.
        var root = Array(members.indices)
        func find(_ x: Int) -> Int {
            var r = x
            while root[r] != r { r = root[r] }
            var y = x
            while root[y] != r { let next = root[y]; root[y] = r; y = next }
            return r
        }
        func link(_ parent: Int, _ child: Int) {
            members[child].parents.append(parent)
            let a = find(parent), b = find(child)
            if a != b { root[max(a, b)] = min(a, b) }
        }
        for (i, b) in program.bridges.enumerated() {
            guard let bn = bridgeNode[i] else { continue }
            for p in b.ports { if let pn = node(of: p) { link(bn, pn) } }
        }
        for (i, v) in program.vlans.enumerated() {
            guard let vn = vlanNode[i], let base = v.base, let bn = node(of: base) else { continue }
            link(vn, bn)
        }
        for (i, b) in program.bonds.enumerated() {
            guard let bn = bondNode[i] else { continue }
            for p in b.ports { if let pn = node(of: p) { link(bn, pn) } }
        }

        // Host presence: a bridge's own hosts; anything else is built wherever one of its parents
        // is (everywhere when it has no parent, or a parent that is everywhere).
        var state = [UInt8](repeating: 0, count: members.count)  // 0 new, 1 visiting, 2 done
        func resolveMask(_ m: Int) -> [Bool]? {
            if members[m].kind == .bridge || state[m] == 2 { return members[m].hostMask }
            if state[m] == 1 { return nil }  // a cycle (reported by the checks): everywhere
            state[m] = 1
            var mask: [Bool]? = [Bool](repeating: false, count: hostCount)
            if members[m].parents.isEmpty { mask = nil }
            for p in members[m].parents {
                guard let pm = resolveMask(p) else { mask = nil; break }
                if var acc = mask {
                    for h in acc.indices where pm[h] { acc[h] = true }
                    mask = acc
                }
            }
            members[m].hostMask = mask
            state[m] = 2
            return mask
        }
        for m in members.indices { _ = resolveMask(m) }

        // Components, each ordered for output: bonds, VLANs, released NICs, bridges (source order).
        var groups: [Int: [Int]] = [:]
        var rootsInOrder: [Int] = []
        for m in members.indices {
            let r = find(m)
            if groups[r] == nil { rootsInOrder.append(r) }
            groups[r, default: []].append(m)
        }
        struct Component { var members: [Int]; var anchor: Int }
        var components: [Component] = rootsInOrder.map { r in
            let ms = (groups[r] ?? []).sorted { (members[$0].kind.rawValue, $0) < (members[$1].kind.rawValue, $1) }
            var anchor = ms.first { members[$0].kind == .bridge }
            if anchor == nil {
                let tops = ms.filter { members[$0].parents.isEmpty && members[$0].kind != .nic }
                anchor = tops.min { spanKey(members[$0].nameSpan, $0) < spanKey(members[$1].nameSpan, $1) }
            }
            return Component(members: ms, anchor: anchor ?? ms[0])
        }
        components.sort { a, b in
            let x = members[a.anchor], y = members[b.anchor]
            return (spanKey(x.nameSpan, x.kind == .bridge ? 0 : 1), a.anchor) < (spanKey(y.nameSpan, y.kind == .bridge ? 0 : 1), b.anchor)
        }

        var policies: [NodePolicy] = []
        var names: [String: Span] = [:]
        let topologySelector = program.nodeSelector.map { KeyValue($0.key.value, $0.value.value) }
        for c in components {
            let anchor = members[c.anchor]
            let bridgeMembers = c.members.filter { members[$0].kind == .bridge }
            let perHost = hostCount > 0 && bridgeMembers.contains { m in
                let b = bridges[members[m].index]
                return b.hosts != nil || b.nodeAddresses.contains { $0.host != nil }
            }
            var targets: [Int?] = [nil]
            if perHost {
                var any = [Bool](repeating: false, count: hostCount)
                var everywhere = false
                for m in c.members {
                    guard let mask = members[m].hostMask else { everywhere = true; break }
                    for h in mask.indices where mask[h] { any[h] = true }
                }
                targets = (0..<hostCount).filter { everywhere || any[$0] }.map { Optional($0) }
            }
            var reportedName = false
            for target in targets {
                let hostName = target.map { program.hosts[$0].decl.name }
                func present(_ m: Int) -> Bool {
                    guard let t = target, let mask = members[m].hostMask else { return true }
                    return mask[t]
                }
                var interfaces: [PolicyInterface] = []
                for m in c.members where present(m) {
                    let member = members[m]
                    switch member.kind {
                    case .bond: interfaces.append(.bond(member.name))
                    case .vlan: interfaces.append(.vlan(member.name))
                    case .bridge: interfaces.append(.bridge(member.name))
                    case .nic:
                        let released = bridgeMembers.contains { bm in
                            present(bm) && bridges[members[bm].index].nodeAddresses.contains {
                                $0.fromNic == member.name && ($0.host == nil || $0.host == hostName)
                            }
                        }
                        if released { interfaces.append(.releasedNic(member.name)) }
                    }
                }
                guard !interfaces.isEmpty else { continue }
                var name = "\(topologyName)-\(anchor.name)"
                if let h = hostName { name += "-\(h)" }
                let selector = target.map { [KeyValue(Lowering.hostnameKey, hosts[$0].hostname)] } ?? topologySelector
                if !reportedName, let problem = KubeNames.labelNameProblem(name) {
                    reportedName = true
                    diagnostics.append(Diagnostic(
                        .kubernetesName,
                        "NodeNetworkConfigurationPolicy name `\(name)` derived from `\(anchor.name)` \(problem)",
                        at: anchor.nameSpan,
                        help: "shorten or rename the topology, `\(anchor.name)`\(hostName == nil ? "" : " or the host") (policy names are label values: at most 63 lowercase letters, digits, `-` and `.`)"))
                }
                if let first = names[name] {
                    diagnostics.append(Diagnostic(
                        .duplicateObject, "two NodeNetworkConfigurationPolicies would be named `\(name)`",
                        at: anchor.nameSpan, notes: [DiagnosticNote("the other policy is derived from here", at: first)],
                        help: "rename `\(anchor.name)` so that the derived policy names differ"))
                } else {
                    names[name] = anchor.nameSpan
                }
                policies.append(NodePolicy(name: name, host: hostName, nodeSelector: selector, interfaces: interfaces))
            }
        }
        return policies
    }

    func spanKey(_ s: Span, _ tie: Int) -> SpanKey {
        SpanKey(file: s.file.raw, start: s.start, tie: tie)
    }
}

struct SpanKey: Comparable {
    let file: Int32
    let start: Int32
    let tie: Int
    static func < (a: SpanKey, b: SpanKey) -> Bool { (a.file, a.start, a.tie) < (b.file, b.start, b.tie) }
}

/// Kubernetes name syntax for derived names.
public enum KubeNames {
    /// Why `name` is not usable as a name that is also a label value (≤ 63, DNS-1123 subdomain
    /// syntax: lowercase letters, digits, `-`, `.`, alphanumeric at both ends of every part);
    /// nil when it is fine.
    public static func labelNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "is empty" }
        if bytes.count > 63 { return "is longer than 63 characters (\(bytes.count))" }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        for part in bytes.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard let f = part.first, let l = part.last, alnum(f), alnum(l),
                  part.allSatisfy({ alnum($0) || $0 == 0x2D }) else {
                return "is not a valid Kubernetes name (lowercase letters, digits, `-` and `.` only, alphanumeric at both ends)"
            }
        }
        return nil
    }
}
