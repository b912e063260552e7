import WukongDiagnostics
import WukongNet

// A VM's placement and lifecycle attributes (docs/vm-reference.md): V-PLACE for a node
// selector that contradicts the topology's, the host pin or the hosts of its bridges; V-RUN
// for `run_strategy` beside its shorthand `running`.

extension Checker {
    mutating func checkPlacementAttributes(_ vm: VMDecl) {
        if let r = vm.runStrategy, let running = vm.running {
            add(.runStrategyBesideRunning(vm: vm.decl.name, at: r.span, running: running.span))
        }
        if let g = vm.spreadGroup {
            if vm.spread == nil {
                add(.spreadGroupWithoutSpread(at: g.span))
            } else if let problem = KubeName.labelValueProblem(g.value) {
                add(.invalidSpreadGroup(g.value, problem, at: g.span))
            }
        }
        for t in vm.tolerations { checkToleration(t) }
        for nic in vm.nics {
            guard let m = nic.model, let use = nic.network, case .network(let n) = use.value, let ni = networkIndex[n],
                  case .sriov? = attachment[ni] else { continue }
            add(.modelOnSRIOV(nic: nic.decl.name, vm: vm.decl.name, network: n, at: m.span))
        }
        guard !vm.nodeSelector.isEmpty else { return }
        for l in vm.nodeSelector {
            checkLabel(l, reservedCheck: false)
            let key = l.key.value, value = l.value.value
            if let t = p.nodeSelector.first(where: { $0.key.value == key }), t.value.value != value {
                add(.nodeSelectorConflictsTopology(key: key, value: value, vm: vm.decl.name, topologyValue: t.value.value,
                                                   at: l.value.span, topology: t.value.span))
                continue
            }
            guard key == "kubernetes.io/hostname" else { continue }
            if let pin = vm.host {
                guard let h = hostIndex[pin.value] else { continue }
                let hostname = hostnameOf(h)
                if hostname != value {
                    add(.nodeSelectorConflictsPin(value: value, vm: vm.decl.name, host: pin.value, hostname: hostname,
                                                  at: l.value.span, pin: pin.span))
                }
            } else if let allowed = bridgeHosts(vm), !allowed.contains(where: { hostnameOf($0) == value }) {
                add(.nodeSelectorOutsideBridges(value: value, vm: vm.decl.name, hosts: hostNames(allowed), at: l.value.span))
            }
        }
    }

    /// V-TOLERATION: known fields of the right types and values, and the combinations the
    /// Kubernetes API server accepts.
    mutating func checkToleration(_ t: TolerationDecl) {
        var ok = true
        for f in t.fields {
            let name = f.name.value
            guard tolerationFields.contains(name) else {
                add(.unknownTolerationField(name, candidates: tolerationFields, at: f.name.span))
                ok = false
                continue
            }
            let wantsInt = name == "toleration_seconds"
            switch f.value.value {
            case .string(let s) where !wantsInt:
                if name == "operator", TolerationOperator(rawValue: s) == nil {
                    add(.badTolerationValue(name, s, allowed: TolerationOperator.allCases.map(\.rawValue), at: f.value.span))
                    ok = false
                } else if name == "effect", TaintEffect(rawValue: s) == nil {
                    add(.badTolerationValue(name, s, allowed: TaintEffect.allCases.map(\.rawValue), at: f.value.span))
                    ok = false
                }
            case .int where wantsInt:
                break
            case .string: add(.tolerationFieldType(name, expected: "Int", found: "String", at: f.value.span)); ok = false
            case .int: add(.tolerationFieldType(name, expected: "String", found: "Int", at: f.value.span)); ok = false
            case .other(let type):
                add(.tolerationFieldType(name, expected: wantsInt ? "Int" : "String", found: type, at: f.value.span)); ok = false
            }
        }
        guard ok else { return }
        let exists = t.string("operator") == TolerationOperator.exists.rawValue
        if exists, let v = t.field("value") {
            add(.tolerationMismatch(.valueWithExists, at: v.name.span))
        } else if !exists, t.field("key") == nil {
            add(.tolerationMismatch(.equalWithoutKey, at: t.span))
        }
        if let s = t.field("toleration_seconds"), t.string("effect") != TaintEffect.noExecute.rawValue {
            add(.tolerationMismatch(.secondsWithoutNoExecute, at: s.name.span))
        }
    }

    func hostnameOf(_ h: Int) -> String { p.hosts[h].hostname?.value ?? p.hosts[h].decl.name }

    /// The hosts where the bridges of all the VM's networks exist; nil = unrestricted.
    func bridgeHosts(_ vm: VMDecl) -> Set<Int>? {
        guard !p.hosts.isEmpty else { return nil }
        var common: Set<Int>? = nil
        for nic in vm.nics {
            guard let use = nic.network, case .network(let n) = use.value, let ni = networkIndex[n],
                  ni < networkHosts.count, let hs = networkHosts[ni] else { continue }
            common = common.map { $0.intersection(hs) } ?? hs
        }
        return common
    }
}
