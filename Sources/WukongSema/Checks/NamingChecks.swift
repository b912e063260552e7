import WukongDiagnostics

/// Kubernetes name and label syntax (K-NAME). Each returns why the text is invalid, or nil.
public enum KubeName {
    @inline(__always) static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 0x41 && c <= 0x5A) }

    static func badChar(_ c: UInt8) -> String {
        if c >= 0x41 && c <= 0x5A { return "contains uppercase letters" }
        if c < 0x80 { return "contains `\(String(decoding: [c], as: UTF8.self))`" }
        return "contains non-ASCII characters"
    }

    /// RFC 1123 label: ≤ 63, `[a-z0-9-]`, starting and ending with a letter or digit.
    public static func dnsLabelProblem(_ s: String) -> String? {
        let b = Array(s.utf8)
        if b.isEmpty { return "is empty" }
        if let c = b.first(where: { !isLowerAlnum($0) && $0 != 0x2D }) { return badChar(c) }
        if b.count > 63 { return "is longer than 63 characters (\(b.count))" }
        if !isLowerAlnum(b[0]) || !isLowerAlnum(b[b.count - 1]) { return "must start and end with a lowercase letter or digit" }
        return nil
    }

    /// RFC 1123 subdomain: ≤ `max` (253), dot-separated labels of `[a-z0-9-]` starting and ending alphanumeric.
    public static func subdomainProblem(_ s: String, max: Int = 253) -> String? {
        let b = Array(s.utf8)
        if b.isEmpty { return "is empty" }
        if let c = b.first(where: { !isLowerAlnum($0) && $0 != 0x2D && $0 != 0x2E }) { return badChar(c) }
        if b.count > max { return "is longer than \(max) characters (\(b.count))" }
        for part in b.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard let f = part.first, let l = part.last, isLowerAlnum(f), isLowerAlnum(l) else {
                return "must start and end with a lowercase letter or digit (also around each `.`)"
            }
        }
        return nil
    }

    /// Label value: empty, or ≤ 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    public static func labelValueProblem(_ s: String) -> String? {
        let b = Array(s.utf8)
        if b.isEmpty { return nil }
        if let c = b.first(where: { !isAlnum($0) && $0 != 0x2D && $0 != 0x2E && $0 != 0x5F }) {
            return c >= 0x80 ? "contains non-ASCII characters" : "contains `\(String(decoding: [c], as: UTF8.self))`"
        }
        if b.count > 63 { return "is longer than 63 characters (\(b.count))" }
        if !isAlnum(b[0]) || !isAlnum(b[b.count - 1]) { return "must start and end with a letter or digit" }
        return nil
    }

    /// Label key: `[prefix/]name`, prefix a DNS subdomain ≤ 253, name a non-empty label value.
    public static func labelKeyProblem(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "has more than one `/`" }
        if parts.count == 2, let p = subdomainProblem(String(parts[0])) { return "has a prefix that \(p)" }
        let name = String(parts[parts.count - 1])
        if name.isEmpty { return "has an empty name" }
        if let p = labelValueProblem(name) { return parts.count == 2 ? "has a name that \(p)" : p }
        return nil
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
            add(Diagnostic(.namespaceName, "namespace `\(ns.value)` is not a DNS label: it \(problem)", at: ns.span,
                           help: "use at most 63 lowercase letters, digits and `-`, e.g. `\"\(KubeName.suggestion(ns.value))\"`"))
        }
        let topo = p.topologyName
        var topoOK = true
        if let problem = KubeName.labelValueProblem(topo.value) {
            topoOK = false
            add(Diagnostic(.kubernetesName, "topology name `\(topo.value)` is not a valid label value: it \(problem)", at: topo.span,
                           help: "name the topology with at most 63 lowercase letters, digits and `-` (`topology \(KubeName.suggestion(topo.value)) { ... }`)"))
        }
        for l in p.labels { checkLabel(l, reservedCheck: true) }
        for l in p.nodeSelector { checkLabel(l, reservedCheck: false) }
        for vm in p.vms { for l in vm.labels { checkLabel(l, reservedCheck: true) } }
        for h in p.hosts {
            if let hn = h.hostname {
                if let problem = KubeName.labelValueProblem(hn.value) ?? (hn.value.isEmpty ? "is empty" : nil) {
                    add(Diagnostic(.label, "hostname `\(hn.value)` of host `\(h.decl.name)` cannot be a `kubernetes.io/hostname` label value: it \(problem)",
                                   at: hn.span, help: "use the node's name as shown by `kubectl get nodes`"))
                }
            } else if let problem = KubeName.labelValueProblem(h.decl.name) {
                add(Diagnostic(.label, "host `\(h.decl.name)` cannot be a `kubernetes.io/hostname` label value: it \(problem)",
                               at: h.decl.nameSpan, help: "set `hostname = \"<node name>\"` in the host"))
            }
        }
        checkNNCPNames(topoOK: topoOK)
        checkNADAndVMNames()
    }

    mutating func checkLabel(_ l: LabelEntry, reservedCheck: Bool) {
        let key = l.key.value
        if let problem = KubeName.labelKeyProblem(key) {
            add(Diagnostic(.label, "label key `\(key)` \(problem)", at: l.key.span,
                           help: "a key is `[prefix/]name`: the name at most 63 letters, digits, `-`, `_` or `.`, the optional prefix a DNS subdomain"))
        } else if reservedCheck {
            let prefix = key.split(separator: "/", omittingEmptySubsequences: false).count == 2
                ? String(key.split(separator: "/", omittingEmptySubsequences: false)[0]) : ""
            if prefix == "kubevirt.io" {
                add(Diagnostic(.label, "label key `\(key)` uses the reserved prefix `kubevirt.io/`", at: l.key.span,
                               help: "KubeVirt owns `kubevirt.io/` labels: use your own prefix"))
            }
        }
        if let problem = KubeName.labelValueProblem(l.value.value) {
            add(Diagnostic(.label, "label value `\(l.value.value)` of `\(key)` \(problem)", at: l.value.span,
                           help: "a value is at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"))
        }
    }

    mutating func checkNADAndVMNames() {
        var nads: [String: Span] = [:]
        func register(_ name: String, _ span: Span, what: String, into out: inout [Diagnostic]) {
            if let first = nads[name] {
                out.append(Diagnostic(.duplicateObject, "two NetworkAttachmentDefinitions would be named `\(name)`", at: span,
                                      notes: [DiagnosticNote("the other one comes from here", at: first)],
                                      help: "rename \(what) so the generated names differ"))
            } else {
                nads[name] = span
            }
        }
        var perNicNetworkOK: [Bool] = []
        for n in p.networks {
            let ipam = n.ipam?.value ?? "none"
            let name = n.decl.name
            if let nad = n.nad {
                let parts = nad.value.split(separator: "/", omittingEmptySubsequences: false)
                let problem: String? = parts.count > 2 ? "has more than one `/`"
                    : parts.count == 2 ? (KubeName.dnsLabelProblem(String(parts[0])).map { "has a namespace that \($0)" }
                                          ?? KubeName.subdomainProblem(String(parts[1])).map { "has a name that \($0)" })
                    : KubeName.subdomainProblem(nad.value)
                if let problem {
                    add(Diagnostic(.kubernetesName, "`nad` \"\(nad.value)\" \(problem)", at: nad.span,
                                   help: "name an existing NetworkAttachmentDefinition as `\"name\"` or `\"namespace/name\"`"))
                }
                perNicNetworkOK.append(false)
                continue
            }
            if ipamModesPerNic.contains(ipam) {
                if let problem = KubeName.subdomainProblem(name) {
                    add(Diagnostic(.kubernetesName, "network name `\(name)` cannot be part of the NetworkAttachmentDefinition names `<vm>-\(name)-nad`: it \(problem)",
                                   at: n.decl.nameSpan, help: "rename the network, e.g. `\(KubeName.suggestion(name, max: 253))`"))
                    perNicNetworkOK.append(false)
                } else {
                    perNicNetworkOK.append(true)
                }
            } else {
                perNicNetworkOK.append(false)
                if let problem = KubeName.subdomainProblem(name) {
                    add(Diagnostic(.kubernetesName, "network name `\(name)` is not a valid NetworkAttachmentDefinition name: it \(problem)",
                                   at: n.decl.nameSpan, help: "rename the network, e.g. `\(KubeName.suggestion(name, max: 253))`"))
                } else {
                    register(name, n.decl.nameSpan, what: "network `\(name)`", into: &out)
                }
            }
        }
        // by index: `for vm in p.vms` copied every VMDecl (`add` mutates `self`)
        for v in p.vms.indices {
            let name = p.vms[v].decl.name
            if let problem = KubeName.subdomainProblem(name, max: 63) {
                add(Diagnostic(.kubernetesName, "VM name `\(name)` is not a valid VirtualMachine name: it \(problem)",
                               at: p.vms[v].decl.nameSpan,
                               help: "VM names become label values and host names: use at most 63 lowercase letters, digits, `-` and `.`, e.g. `\(KubeName.suggestion(name))`"))
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
                    add(Diagnostic(.kubernetesName, "NetworkAttachmentDefinition name `\(nad)` is longer than 253 characters", at: use.span,
                                   help: "shorten the VM or the network name"))
                } else {
                    register(nad, use.span, what: "the VM or the network", into: &out)
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
            add(Diagnostic(.kubernetesName, "topology name `\(topo.value)` cannot start NodeNetworkConfigurationPolicy names: it \(problem)",
                           at: topo.span, help: "name the topology with lowercase letters, digits and `-` (`topology \(KubeName.suggestion(topo.value)) { ... }`)"))
            return
        }
        guard topoOK else { return }
        var names: [String: Span] = [:]
        var badHosts = Set<Int>()
        for c in comps {
            if let problem = KubeName.subdomainProblem(c.name, max: 63) {
                add(Diagnostic(.kubernetesName, "the name `\(c.name)` of \(c.what) cannot be part of NodeNetworkConfigurationPolicy names: it \(problem)",
                               at: c.span, help: "rename it with lowercase letters, digits and `-`, e.g. `\(KubeName.suggestion(c.name))`"))
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
                            add(Diagnostic(.kubernetesName, "host name `\(hn)` cannot be part of NodeNetworkConfigurationPolicy names: it \(problem)",
                                           at: p.hosts[h].decl.nameSpan, help: "rename the host, e.g. `\(KubeName.suggestion(hn))`, and set `hostname` to the node name"))
                        }
                        continue
                    }
                    policies.append((PolicyGrouping.policyName(topology: topo.value, anchor: c.name, host: hn), c.span))
                }
            }
            for (name, span) in policies {
                if name.utf8.count > 63 {
                    add(Diagnostic(.kubernetesName, "NodeNetworkConfigurationPolicy name `\(name)` is longer than 63 characters (\(name.utf8.count))",
                                   at: span, help: "shorten the topology, \(c.what) or host name"))
                } else if let first = names[name] {
                    add(Diagnostic(.duplicateObject, "two NodeNetworkConfigurationPolicies would be named `\(name)`", at: span,
                                   notes: [DiagnosticNote("the other one comes from here", at: first)],
                                   help: "rename one of the bridges or hosts so the generated names differ"))
                } else {
                    names[name] = span
                }
            }
        }
    }

    /// The nmstate policies lowering will emit (PolicyGrouping), in discovery order, each with
    /// what names it (components without a name source — VLAN/bond cycles, reported elsewhere — are left out).
    func policyComponents() -> [(name: String, span: Span, what: String, hosts: [Int])] {
        (plan ?? PolicyGrouping.plan(p)).components.sorted { $0.discoveryRank < $1.discoveryRank }.compactMap { c in
            guard let a = c.anchor else { return nil }
            let what: String
            switch a.kind {
            case .bridge: what = "\(p.bridges[a.index].kind == .ovs ? "ovs-bridge" : "bridge") `\(a.name)`"
            case .vlan: what = "VLAN `\(a.name)`"
            case .bond: what = "bond `\(a.name)`"
            case .nic: what = "NIC `\(a.name)`"
            }
            return (a.name, a.nameSpan, what, c.hosts ?? [])
        }
    }
}
