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
        case .ovn:
            return (title: "attribute that an OVN-Kubernetes network cannot carry",
                    body: """
                        `overlay = "layer2"` networks are OVN-Kubernetes overlays: no node
                        configuration, no VLAN (`vlan` is for bridge, OVS and SR-IOV networks).
                        `ovn_name` and `persistent_ips` mean something on OVN networks only, and
                        `persistent_ips` only with OVN's own IPAM (`ipam = "ovn"`). `ovn_name` is
                        the cluster-wide network name in the NAD; OVN-Kubernetes reserves
                        `default` and `ovn-kubernetes`.
                        """,
                    example: """
                        network tenant { overlay = "layer2", vlan = 100 }
                        """)
        case .ovnIPAM:
            return (title: "IPAM mode the attachment cannot carry",
                    body: """
                        An OVN-Kubernetes network allocates addresses itself (`ipam = "ovn"`: the
                        NAD's `subnets`) or not at all (`ipam = "none"`, the default: the guest gets
                        its static or `auto` address from cloud-init); an OVN NAD has no `ipam`
                        key, so `whereabouts`, `static`, `host-local` and `dhcp` are errors there.
                        `ipam = "ovn"` is for OVN networks only.
                        """,
                    example: """
                        network tenant { overlay = "layer2", subnet = 10.0.0.0/24, ipam = "whereabouts" }
                        """)
        case .ovnMTU:
            return (title: "IPv6 OVN network with an MTU below 1280",
                    body: """
                        IPv6 needs a link MTU of at least 1280 bytes; OVN-Kubernetes' user-defined
                        network CRDs reject a smaller `mtu` on a network with an IPv6 subnet.
                        """,
                    example: """
                        network tenant { overlay = "layer2", subnet = "fd00:10::/64", mtu = 1200 }
                        """)
        default:
            return nil
        }
    }
}

/// Why an attribute does not apply to a network (N-OVN).
public enum OVNMisuse: Sendable, Equatable {
    /// `vlan` on a layer2 overlay.
    case vlanOnOverlay
    /// `ovn_name`/`persistent_ips` on a network that is not an OVN network.
    case notOVN
    /// `persistent_ips` without `ipam = "ovn"`.
    case needsOVNIPAM
}

extension Diagnostic {
    public static func ovnAttributeMisuse(_ attribute: String, network: String, _ why: OVNMisuse, at span: Span) -> Diagnostic {
        switch why {
        case .vlanOnOverlay:
            return Diagnostic(.ovn, "`vlan` cannot be set on network `\(network)`: a layer2 overlay has no VLAN", at: span,
                              help: "drop `vlan`; VLANs belong to networks on a bridge, an OVS bridge or SR-IOV")
        case .notOVN:
            return Diagnostic(.ovn, "`\(attribute)` is for OVN-Kubernetes networks, and network `\(network)` is not one", at: span,
                              help: "drop `\(attribute)`, or make the network an OVN overlay (`overlay = \"layer2\"`)")
        case .needsOVNIPAM:
            return Diagnostic(.ovn, "`\(attribute)` on network `\(network)` needs OVN's own IPAM", at: span,
                              help: "set `ipam = \"ovn\"` (OVN allocates, NICs take `dhcp`), or drop `\(attribute)`")
        }
    }

    /// `ovn_name` `default`, `ovn-kubernetes` or empty.
    public static func reservedOVNName(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.ovn, "`ovn_name` \"\(name)\" cannot name a secondary network", at: span,
                   help: "OVN-Kubernetes reserves `default` and `ovn-kubernetes`; choose another name, or drop `ovn_name` (default `<namespace>.<network>`)")
    }

    /// `ipam = mode` (at `span`) on OVN network `network`.
    public static func ipamNotForOVN(_ mode: String, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.ovnIPAM, "`ipam = \"\(mode)\"` cannot be used on OVN-Kubernetes network `\(network)`", at: span,
                   help: "use `ipam = \"ovn\"` (OVN allocates, NICs take `dhcp`) or `\"none\"` (static or `auto` addresses by cloud-init)")
    }

    /// `ipam = "ovn"` (at `span`) on a network that is not an OVN network.
    public static func ovnIPAMOnNonOVN(network: String, at span: Span) -> Diagnostic {
        Diagnostic(.ovnIPAM, "`ipam = \"ovn\"` needs an OVN-Kubernetes network, and network `\(network)` is not one", at: span,
                   help: "use `overlay = \"layer2\"`, or another `ipam` mode (`whereabouts` for cluster-wide allocation on a bridge)")
    }

    /// `mtu` (at `span`) below 1280 on OVN network `network` with IPv6 subnet (at `subnetAt`).
    public static func ovnIPv6MTU(_ mtu: Int, network: String, at span: Span, subnetAt: Span) -> Diagnostic {
        Diagnostic(.ovnMTU, "`mtu` \(mtu) of network `\(network)` is below 1280, the minimum for IPv6", at: span,
                   notes: [DiagnosticNote("the network has an IPv6 subnet", at: subnetAt)],
                   help: "set `mtu` to at least 1280")
    }

    /// `binding` (at `span`) on NIC `nic`, which is on network `network` (at `networkAt`), not on `pod`.
    public static func bindingOnSecondaryNic(nic: String, network: String, at span: Span, networkAt: Span) -> Diagnostic {
        Diagnostic(.podBinding, "`binding` is for the pod NIC: NIC `\(nic)` is on network `\(network)`", at: span,
                   notes: [DiagnosticNote("the attachment of network `\(network)` decides this NIC's binding", at: networkAt)],
                   help: "drop `binding`; a pod NIC (`nic NAME on pod`) takes `binding = \"passt\"` or `\"masquerade\"`")
    }
}
