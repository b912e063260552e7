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
        return policies
    }
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
