import WukongDiagnostics

/// Kubernetes name and label syntax (K-NAME). Each returns what is wrong with the text, or nil.
public enum KubeName {
    @inline(__always) static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 0x41 && c <= 0x5A) }

    static func badChar(_ c: UInt8) -> KubeNameProblem {
        if c >= 0x41 && c <= 0x5A { return .uppercase }
        if c < 0x80 { return .character(String(decoding: [c], as: UTF8.self)) }
        return .nonASCII
    }

    /// RFC 1123 label: ≤ 63, `[a-z0-9-]`, starting and ending with a letter or digit.
    public static func dnsLabelProblem(_ s: String) -> KubeNameProblem? {
        let b = Array(s.utf8)
        if b.isEmpty { return .empty }
        if let c = b.first(where: { !isLowerAlnum($0) && $0 != 0x2D }) { return badChar(c) }
        if b.count > 63 { return .tooLong(count: b.count, max: 63) }
        if !isLowerAlnum(b[0]) || !isLowerAlnum(b[b.count - 1]) { return .lowercaseEnds }
        return nil
    }

    /// RFC 1123 subdomain: ≤ `max` (253), dot-separated labels of `[a-z0-9-]` starting and ending alphanumeric.
    public static func subdomainProblem(_ s: String, max: Int = 253) -> KubeNameProblem? {
        let b = Array(s.utf8)
        if b.isEmpty { return .empty }
        if let c = b.first(where: { !isLowerAlnum($0) && $0 != 0x2D && $0 != 0x2E }) { return badChar(c) }
        if b.count > max { return .tooLong(count: b.count, max: max) }
        for part in b.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard let f = part.first, let l = part.last, isLowerAlnum(f), isLowerAlnum(l) else {
                return .lowercaseEndsAroundDots
            }
        }
        return nil
    }

    /// Label value: empty, or ≤ 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func labelValueProblem(_ s: String) -> KubeNameProblem? {
        let b = Array(s.utf8)
        if b.isEmpty { return nil }
        if let c = b.first(where: { !isAlnum($0) && $0 != 0x2D && $0 != 0x2E && $0 != 0x5F }) {
            return c >= 0x80 ? .nonASCII : .character(String(decoding: [c], as: UTF8.self))
        }
        if b.count > 63 { return .tooLong(count: b.count, max: 63) }
        if !isAlnum(b[0]) || !isAlnum(b[b.count - 1]) { return .alphanumericEnds }
        return nil
    }

    /// Label key: `[prefix/]name`, prefix a DNS subdomain ≤ 253, name a non-empty label value.
    public static func labelKeyProblem(_ s: String) -> KubeNameProblem? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return .moreThanOneSlash }
        if parts.count == 2, let p = subdomainProblem(String(parts[0])) { return .prefix(p) }
        let name = String(parts[parts.count - 1])
        if name.isEmpty { return .emptyName }
        if let p = labelValueProblem(name) { return parts.count == 2 ? .name(p) : p }
        return nil
    }

    /// A `nad` reference: `name` or `namespace/name`, the namespace a DNS label, the name a subdomain.
    public static func nadReferenceProblem(_ s: String) -> KubeNameProblem? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return subdomainProblem(s)
        case 2: return dnsLabelProblem(String(parts[0])).map { .namespace($0) } ?? subdomainProblem(String(parts[1])).map { .name($0) }
        default: return .moreThanOneSlash
        }
    }

    /// A corrected form for help texts: lowercase, invalid runs → `-`, trimmed, cut to `max`.
    public static func suggestion(_ s: String, max: Int = 63) -> String {
        var out: [UInt8] = []
        for c in s.utf8 {
            let l = c >= 0x41 && c <= 0x5A ? c + 0x20 : c
            if isLowerAlnum(l) { out.append(l) } else if out.last != 0x2D { out.append(0x2D) }
        }
        if out.count > max { out = Array(out.prefix(max)) }
        while let f = out.first, !isLowerAlnum(f) { out.removeFirst() }
        while let l = out.last, !isLowerAlnum(l) { out.removeLast() }
        return out.isEmpty ? "x" : String(decoding: out, as: UTF8.self)
    }
}

extension Checker {
    mutating func checkKubernetesNames() {
        if let ns = p.namespace, let problem = KubeName.dnsLabelProblem(ns.value) {
            add(.invalidKubernetesName(ns.value, as: .namespace(suggestion: KubeName.suggestion(ns.value)), problem, at: ns.span))
        }
        let topo = p.topologyName
        var topoOK = true
        if let problem = KubeName.labelValueProblem(topo.value) {
            topoOK = false
            add(.invalidKubernetesName(topo.value, as: .topologyLabel(suggestion: KubeName.suggestion(topo.value)), problem,
                                       at: topo.span))
        }
        for l in p.labels { checkLabel(l, reservedCheck: true) }
        for l in p.nodeSelector { checkLabel(l, reservedCheck: false) }
        for vm in p.vms { for l in vm.labels { checkLabel(l, reservedCheck: true) } }
        for h in p.hosts {
            if let hn = h.hostname {
                if let problem = KubeName.labelValueProblem(hn.value) ?? (hn.value.isEmpty ? .empty : nil) {
                    add(.invalidKubernetesName(hn.value, as: .hostname(ofHost: h.decl.name), problem, at: hn.span))
                }
            } else if let problem = KubeName.labelValueProblem(h.decl.name) {
                add(.invalidKubernetesName(h.decl.name, as: .hostAsHostname, problem, at: h.decl.nameSpan))
            }
        }
        checkNNCPNames(topoOK: topoOK)
        checkNADAndVMNames()
    }

    mutating func checkLabel(_ l: LabelEntry, reservedCheck: Bool) {
        let key = l.key.value
        if let problem = KubeName.labelKeyProblem(key) {
            add(.invalidLabelKey(key, problem, at: l.key.span))
        } else if reservedCheck {
            let prefix = key.split(separator: "/", omittingEmptySubsequences: false).count == 2
                ? String(key.split(separator: "/", omittingEmptySubsequences: false)[0]) : ""
            if prefix == "kubevirt.io" {
                add(.reservedLabelPrefix(key, at: l.key.span))
            }
        }
        if let problem = KubeName.labelValueProblem(l.value.value) {
            add(.invalidLabelValue(l.value.value, key: key, problem, at: l.value.span))
        }
    }

    mutating func checkNADAndVMNames() {
        var nads: [String: Span] = [:]
        /// `network`: the network named like the NAD; nil for a name derived from a VM and a network.
        func register(_ name: String, _ span: Span, network: String?, into out: inout [Diagnostic]) {
            if let first = nads[name] {
                out.append(.networkAttachmentDefinitionNameClash(name, network: network, at: span, first: first))
            } else {
                nads[name] = span
            }
        }
        var perNicNetworkOK: [Bool] = []
        for n in p.networks {
            let name = n.decl.name
            if let nad = n.nad {
                if let problem = KubeName.nadReferenceProblem(nad.value) {
                    add(.invalidNADReference(nad.value, problem, at: nad.span))
                }
                perNicNetworkOK.append(false)
                continue
            }
            if n.ipamMode.nadPerNic {
                if let problem = KubeName.subdomainProblem(name) {
                    add(.invalidKubernetesName(name, as: .networkInNADNames(suggestion: KubeName.suggestion(name, max: 253)), problem,
                                               at: n.decl.nameSpan))
                    perNicNetworkOK.append(false)
                } else {
                    perNicNetworkOK.append(true)
                }
            } else {
                perNicNetworkOK.append(false)
                if let problem = KubeName.subdomainProblem(name) {
                    add(.invalidKubernetesName(name, as: .networkAsNAD(suggestion: KubeName.suggestion(name, max: 253)), problem,
                                               at: n.decl.nameSpan))
                } else {
                    register(name, n.decl.nameSpan, network: name, into: &out)
                }
            }
        }
        // by index: `for vm in p.vms` copied every VMDecl (`add` mutates `self`)
        for v in p.vms.indices {
            let name = p.vms[v].decl.name
            let start = out.count
            defer { nameInstance(v, since: start) }
            if let problem = KubeName.subdomainProblem(name, max: 63) {
                add(.invalidKubernetesName(name, as: .vm(suggestion: KubeName.suggestion(name)), problem, at: p.vms[v].decl.nameSpan))
                continue
            }
            // the first network is remembered without a Set (one allocation per VM saved)
            var firstSeen = -1
            var seen = Set<Int>()
            for nic in p.vms[v].nics {
                guard let use = nic.network, case .network(let netName) = use.value, let ni = networkIndex[netName],
                      perNicNetworkOK[ni] else { continue }
                if firstSeen < 0 {
                    firstSeen = ni
                } else if ni == firstSeen || !seen.insert(ni).inserted {
                    continue
                }
                let nad = name + "-" + netName + "-nad"
                if nad.utf8.count > 253 {
                    add(.networkAttachmentDefinitionNameTooLong(nad, at: use.span))
                } else {
                    register(nad, use.span, network: nil, into: &out)
                }
            }
        }
    }

    /// NodeNetworkConfigurationPolicy names: `<topology>-<first bridge of the component>[-<host>]`, ≤ 63 and
    /// a DNS subdomain; two policies with one name.
    mutating func checkNNCPNames(topoOK: Bool) {
        let comps = policyComponents()
        guard !comps.isEmpty else { return }
        let topo = p.topologyName
        if topoOK, let problem = KubeName.subdomainProblem(topo.value, max: 63) {
            add(.invalidKubernetesName(topo.value, as: .topologyInPolicyNames(suggestion: KubeName.suggestion(topo.value)), problem,
                                       at: topo.span))
            return
        }
        guard topoOK else { return }
        var names: [String: Span] = [:]
        var badHosts = Set<Int>()
        for c in comps {
            if let problem = KubeName.subdomainProblem(c.name, max: 63) {
                add(.invalidKubernetesName(c.name, as: .policyAnchor(c.what, suggestion: KubeName.suggestion(c.name)), problem,
                                           at: c.span))
                continue
            }
            var policies: [(String, Span)] = []
            if c.hosts.isEmpty {
                policies = [(PolicyGrouping.policyName(topology: topo.value, anchor: c.name, host: nil), c.span)]
            } else {
                for h in c.hosts {
                    let hn = p.hosts[h].decl.name
                    if let problem = KubeName.subdomainProblem(hn, max: 63) {
                        if badHosts.insert(h).inserted {
                            add(.invalidKubernetesName(hn, as: .hostInPolicyNames(suggestion: KubeName.suggestion(hn)), problem,
                                                       at: p.hosts[h].decl.nameSpan))
                        }
                        continue
                    }
                    policies.append((PolicyGrouping.policyName(topology: topo.value, anchor: c.name, host: hn), c.span))
                }
            }
            for (name, span) in policies {
                if name.utf8.count > 63 {
                    add(.policyNameTooLong(name, anchor: c.what, at: span))
                } else if let first = names[name] {
                    add(.policyNameClash(name, at: span, first: first))
                } else {
                    names[name] = span
                }
            }
        }
    }

    /// The nmstate policies lowering will emit (PolicyGrouping), in discovery order, each with
    /// what names it (components without a name source — VLAN/bond cycles, reported elsewhere — are left out).
    func policyComponents() -> [(name: String, span: Span, what: NodeInterface, hosts: [Int])] {
        (plan ?? PolicyGrouping.plan(p)).components.sorted { $0.discoveryRank < $1.discoveryRank }.compactMap { c in
            guard let a = c.anchor else { return nil }
            let what: NodeInterface
            switch a.kind {
            case .bridge: what = .bridge(a.name, ovs: p.bridges[a.index].kind == .ovs)
            case .vlan: what = .vlan(a.name)
            case .bond: what = .bond(a.name)
            case .nic: what = .nic(a.name)
            }
            return (a.name, a.nameSpan, what, c.hosts ?? [])
        }
    }
}
