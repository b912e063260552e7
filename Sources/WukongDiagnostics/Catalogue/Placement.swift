// Placement and lifecycle of a VM (E0520–E0524; docs/vm-reference.md).
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func placementEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .placement:
            return (title: "conflicting node selector",
                    body: """
                        A VM's `node_selector` is merged with the topology's: a key both set to
                        different values is an error (the topology's selector is where its node
                        networking is built). `kubernetes.io/hostname` in a VM's selector must
                        agree with its `host` pin and be one of the hosts where the bridges of
                        its networks exist. `spread_group` needs `spread` and must be a label
                        value (it labels the pod `wukong.dev/spread: <group>`).
                        """,
                    example: """
                        vm a { host = worker-1, node_selector = { "kubernetes.io/hostname" = "worker-2" }, … }
                        """)
        case .runStrategy:
            return (title: "run_strategy beside running",
                    body: """
                        `running` is a shorthand for `run_strategy = "Always"` (true) or
                        `"Halted"` (false). A VM sets one of them, not both.
                        """,
                    example: """
                        vm a { running = true, run_strategy = "Manual", … }
                        """)
        case .toleration:
            return (title: "invalid toleration",
                    body: """
                        Each record of `tolerations` takes `key`, `operator` (`Exists` or `Equal`,
                        the default), `value`, `effect` (`NoSchedule`, `PreferNoSchedule`,
                        `NoExecute`; none = every effect) and `toleration_seconds` (Int). As the
                        Kubernetes API server requires: `Exists` takes no `value`, `Equal` needs a
                        `key`, and `toleration_seconds` needs `effect = "NoExecute"`.
                        """,
                    example: """
                        tolerations = [{ key = "gpu", operator = "Exists", value = "yes" }]
                        """)
        case .nicModel:
            return (title: "NIC model on an SR-IOV NIC",
                    body: """
                        `model` chooses the emulated NIC the guest sees (`virtio`, the default, or
                        `e1000e`). An SR-IOV NIC is a host device passed through to the guest:
                        there is nothing to emulate, so it takes no `model`.
                        """,
                    example: """
                        nic vf on fast-net { model = "e1000e" }   // network fast-net { sriov = "…" }
                        """)
        default:
            return nil
        }
    }
}

/// A combination of toleration fields the Kubernetes API server rejects.
public enum TolerationProblem: Sendable { case valueWithExists, equalWithoutKey, secondsWithoutNoExecute }

extension Diagnostic {
    /// VM `vm` selects `key` = `value` (at `span`) where the topology's node_selector says `topologyValue` (at `topology`).
    public static func nodeSelectorConflictsTopology(key: String, value: String, vm: String, topologyValue: String,
                                                     at span: Span, topology: Span) -> Diagnostic {
        Diagnostic(.placement, "`node_selector` of VM `\(vm)` sets `\(key)` to `\(value)`, the topology's to `\(topologyValue)`",
                   at: span, notes: [DiagnosticNote("the topology's `node_selector` sets it here; it also places the node networking", at: topology)],
                   help: "drop `\(key)` from the VM's `node_selector`, or change the topology's")
    }

    /// `kubernetes.io/hostname` = `value` (at `span`) on a VM pinned to `host` (hostname `hostname`, at `pin`).
    public static func nodeSelectorConflictsPin(value: String, vm: String, host: String, hostname: String,
                                                at span: Span, pin: Span) -> Diagnostic {
        Diagnostic(.placement, "`node_selector` of VM `\(vm)` selects the node `\(value)`, but the VM is pinned to `\(host)` (`\(hostname)`)",
                   at: span, notes: [DiagnosticNote("pinned here", at: pin)],
                   help: "drop `kubernetes.io/hostname` from `node_selector`: `host` already selects the node")
    }

    /// `kubernetes.io/hostname` = `value` (at `span`) on a VM whose networks' bridges exist only on `hosts`.
    public static func nodeSelectorOutsideBridges(value: String, vm: String, hosts: [String], at span: Span) -> Diagnostic {
        Diagnostic(.placement, "`node_selector` of VM `\(vm)` selects the node `\(value)`, where the bridges of its networks do not exist",
                   at: span, help: "the bridges exist on \(hosts.map { "`\($0)`" }.joined(separator: ", ")): select one of them, or drop the key")
    }

    public static func spreadGroupWithoutSpread(at span: Span) -> Diagnostic {
        Diagnostic(.placement, "`spread_group` has no `spread` to apply to", at: span,
                   help: "set `spread = \"host\"` (preferred) or `spread = \"host-required\"`, or drop `spread_group`")
    }

    /// A spread group that is not a label value (it becomes `wukong.dev/spread: <group>`).
    public static func invalidSpreadGroup(_ group: String, _ problem: KubeNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.placement, "`spread_group` `\(group)` \(problem.text)", at: span,
                   help: "the group labels the VM's pod as `wukong.dev/spread`: at most 63 letters, digits, `-`, `_` or `.`")
    }

    public static func unknownTolerationField(_ name: String, candidates: [String], at span: Span) -> Diagnostic {
        Diagnostic(.toleration, "a toleration has no field `\(name)`", at: span,
                   help: Suggest.didYouMean(name, among: candidates) ?? "the fields are \(candidates.map { "`\($0)`" }.joined(separator: ", "))")
    }

    public static func tolerationFieldType(_ name: String, expected: String, found: String, at span: Span) -> Diagnostic {
        Diagnostic(.toleration, "toleration field `\(name)` must be \(expected), found \(found)", at: span)
    }

    public static func badTolerationValue(_ name: String, _ value: String, allowed: [String], at span: Span) -> Diagnostic {
        Diagnostic(.toleration, "`\(value)` is not a valid toleration `\(name)`", at: span,
                   help: "expected one of \(allowed.map { "`\($0)`" }.joined(separator: ", "))")
    }

    public static func tolerationMismatch(_ problem: TolerationProblem, at span: Span) -> Diagnostic {
        switch problem {
        case .valueWithExists:
            return Diagnostic(.toleration, "a toleration with `operator = \"Exists\"` takes no `value`", at: span,
                              help: "drop `value` (Exists matches any value), or use `operator = \"Equal\"`")
        case .equalWithoutKey:
            return Diagnostic(.toleration, "a toleration without `key` must have `operator = \"Exists\"`", at: span,
                              help: "set `key`, or `operator = \"Exists\"` to tolerate every taint")
        case .secondsWithoutNoExecute:
            return Diagnostic(.toleration, "`toleration_seconds` applies only with `effect = \"NoExecute\"`", at: span,
                              help: "set `effect = \"NoExecute\"`, or drop `toleration_seconds`")
        }
    }

    public static func modelOnSRIOV(nic: String, vm: String, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.nicModel, "NIC `\(nic)` of VM `\(vm)` is an SR-IOV device on `\(network)`: it takes no `model`", at: span,
                   help: "drop `model`: the guest sees the virtual function's own hardware")
    }

    /// Both `run_strategy` (at `span`) and `running` (at `running`).
    public static func runStrategyBesideRunning(vm: String, at span: Span, running: Span) -> Diagnostic {
        Diagnostic(.runStrategy, "VM `\(vm)` sets both `run_strategy` and `running`", at: span,
                   notes: [DiagnosticNote("`running` is a shorthand for `run_strategy` \"Always\"/\"Halted\"", at: running)],
                   help: "drop `running` and keep `run_strategy`")
    }
}
