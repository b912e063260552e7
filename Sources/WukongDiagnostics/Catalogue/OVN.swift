// Pod NIC bindings and OVN-Kubernetes networks (E0540–E0549, W0409–W0410;
// docs/networks-reference.md). The N-ROUTE warning about passt lives with its siblings in Guest.swift.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func ovnEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .podBinding:
            return (title: "`binding` on a NIC that is not the pod NIC",
                    body: """
                        `binding` chooses how the pod NIC reaches the guest: `"masquerade"` (the
                        default: the guest has 10.0.2.2 behind the pod's NAT) or `"passt"` (KubeVirt
                        ≥ 1.8, feature gate `PasstBinding`: the guest has the pod's own address). A
                        NIC on a `network` gets its binding from the network's attachment (bridge
                        for bridge/OVS networks, macvtap for macvlan, SR-IOV), so it takes no
                        `binding`.
                        """,
                    example: """
                        vm a { …
                          nic lan on lan { binding = "passt" }   // only `nic … on pod` takes it
                        }
                        """)
        default:
            return nil
        }
    }
}

extension Diagnostic {
    /// `binding` (at `span`) on NIC `nic`, which is on network `network` (at `networkAt`), not on `pod`.
    public static func bindingOnSecondaryNic(nic: String, network: String, at span: Span, networkAt: Span) -> Diagnostic {
        Diagnostic(.podBinding, "`binding` is for the pod NIC: NIC `\(nic)` is on network `\(network)`", at: span,
                   notes: [DiagnosticNote("the attachment of network `\(network)` decides this NIC's binding", at: networkAt)],
                   help: "drop `binding`; a pod NIC (`nic NAME on pod`) takes `binding = \"passt\"` or `\"masquerade\"`")
    }
}
