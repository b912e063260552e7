import WukongDiagnostics
import WukongSema

/// NodeNetworkConfigurationPolicies (LANGUAGE.md §7, DOMAIN.md §3): which policies exist, what
/// they hold and how they are named is `PolicyGrouping` (WukongSema), shared with the K-NAME
/// checks; lowering adds the node selectors and keeps a safety net for the names (the checks
/// report these first).
extension LoweringPass {
    mutating func buildPolicies() -> [NodePolicy] {
        var policies: [NodePolicy] = []
        policies.reserveCapacity(plan.policies.count)
        var names: [String: Span] = [:]
        var reported = [Bool](repeating: false, count: plan.components.count)
        let topologySelector = program.nodeSelector.map { KeyValue($0.key.value, $0.value.value) }
        let (mappings, mappingOrder) = localnetMappings()
        var mapped = Set<String>()
        for planned in plan.policies {
            let anchor = plan.components[planned.component].namedAfter
            let hostName = planned.host.map { program.hosts[$0].decl.name }
            let name = planned.name
            let interfaces: [PolicyInterface] = planned.interfaces.map { m in
                switch m.kind {
                case .bond: return .bond(m.name)
                case .vlan: return .vlan(m.name)
                case .nic: return planned.releasedNics.contains(m.name) ? .releasedNic(m.name) : .nic(m.name)
                case .bridge: return .bridge(m.name)
                }
            }
            let selector = planned.host.map { [KeyValue(Lowering.hostnameKey, hosts[$0].hostname)] } ?? topologySelector
            if !reported[planned.component], let problem = KubeNames.labelNameProblem(name) {
                reported[planned.component] = true
                diagnostics.append(.invalidPolicyName(name, problem: problem, derivedFrom: anchor.name, perHost: hostName != nil,
                                                      at: anchor.nameSpan))
            }
            if let first = names[name] {
                diagnostics.append(.duplicatePolicyName(name, derivedFrom: anchor.name, at: anchor.nameSpan, first: first))
            } else {
                names[name] = anchor.nameSpan
            }
            var policy = NodePolicy(name: name, host: hostName, nodeSelector: selector, interfaces: interfaces)
            // every policy that builds a mapped bridge (each per-host one too) carries its mappings
            for case .bridge(let b) in interfaces {
                policy.bridgeMappings += mappings[b] ?? []
                mapped.insert(b)
            }
            policies.append(policy)
        }
        // A mapped bridge that no policy builds (unmanaged, such as OpenShift's br-ex): a policy
        // `<topology>-<bridge>` of its own holding only the mappings, on the topology's nodes.
        for bridge in mappingOrder where !mapped.contains(bridge) {
            guard let maps = mappings[bridge] else { continue }
            let anchor = bridgeIndex[bridge].map { program.bridges[$0].decl }
            let name = "\(topologyName)-\(bridge)"
            if let anchor {
                if let problem = KubeNames.labelNameProblem(name) {
                    diagnostics.append(.invalidPolicyName(name, problem: problem, derivedFrom: bridge, perHost: false, at: anchor.nameSpan))
                }
                if let first = names[name] {
                    diagnostics.append(.duplicatePolicyName(name, derivedFrom: bridge, at: anchor.nameSpan, first: first))
                } else {
                    names[name] = anchor.nameSpan
                }
            }
            var policy = NodePolicy(name: name, host: nil, nodeSelector: topologySelector, interfaces: [])
            policy.bridgeMappings = maps
            policies.append(policy)
        }
        return policies
    }

    /// The OVN bridge mappings of the localnet networks, per OVS bridge (by name; each physnet
    /// once, in network order), and the bridges in order of first use.
    func localnetMappings() -> (byBridge: [String: [BridgeMapping]], order: [String]) {
        var byBridge: [String: [BridgeMapping]] = [:]
        var order: [String] = []
        for case .localnet(_, let bridge, let physnet)? in networks.map({ $0?.attachment }) {
            let mapping = BridgeMapping(localnet: physnet, bridge: bridgeIfname(bridge))
            if byBridge[bridge] == nil { order.append(bridge) }
            if !(byBridge[bridge] ?? []).contains(mapping) { byBridge[bridge, default: []].append(mapping) }
        }
        return (byBridge, order)
    }
}

/// Kubernetes name syntax for derived names.
public enum KubeNames {
    /// Why `name` is not usable as a name that is also a label value (≤ 63, DNS-1123 subdomain
    /// syntax: lowercase letters, digits, `-`, `.`, alphanumeric at both ends of every part);
    /// nil when it is fine.
    public static func labelNameProblem(_ name: String) -> LabelNameProblem? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return .empty }
        if bytes.count > 63 { return .tooLong(bytes.count) }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        for part in bytes.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard let f = part.first, let l = part.last, alnum(f), alnum(l),
                  part.allSatisfy({ alnum($0) || $0 == 0x2D }) else {
                return .invalid
            }
        }
        return nil
    }
}
