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
                        configuration, no VLAN (`vlan` is for bridge, OVS, SR-IOV and localnet
                        networks). `ovn_name`, `persistent_ips` and `exclude` mean something on OVN
                        networks only (`overlay = "layer2"`, `localnet = <ovs-bridge>`), `physnet`
                        on localnet networks only, and `persistent_ips` and `exclude` only with
                        OVN's own IPAM (`ipam = "ovn"`), each `exclude` range inside the `subnet`.
                        `ovn_name` is the cluster-wide network name in the NAD; OVN-Kubernetes
                        reserves `default` and `ovn-kubernetes`. With `ovn_networks = "cudn"` a
                        ClusterUserDefinedNetwork names its network itself (no `ovn_name`), and a
                        secondary layer2 one cannot exclude addresses from OVN's allocation.
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
        case .ovnLocalnet:
            return (title: "localnet bridge-mapping name used twice or unusable",
                    body: """
                        A localnet network reaches the physical network through an OVN bridge
                        mapping `<physnet>:<ovs-bridge>` on every node, which the compiler writes
                        into the NNCP of the bridge from the network's `physnet` (default: the
                        bridge's name). One `physnet` names one bridge: nmstate rejects two mappings
                        with one `localnet` key, and OVN could not tell which bridge a packet
                        leaves by. The name is stored as `<localnet>:<bridge>,…`, so it cannot be
                        empty or contain `,` or `:`. Several physnets on one bridge are fine.
                        """,
                    example: """
                        network a { localnet = br-a, physnet = "dc" }
                        network b { localnet = br-b, physnet = "dc" }   // "dc" already maps br-a
                        """)
        case .ovnSame:
            return (title: "one OVN network configured two ways",
                    body: """
                        Networks that share an `ovn_name` are one OVN-Kubernetes network, and
                        OVN-Kubernetes requires every NAD of one network name to agree: the same
                        topology, subnet, excluded ranges (including the gateway, DNS servers and
                        route next hops it excludes), MTU, VLAN, physical network, IPAM and
                        persistent IPs. The later network is the error, the first one the note.
                        """,
                    example: """
                        network a { overlay = "layer2", ovn_name = "blue", mtu = 1400 }
                        network b { overlay = "layer2", ovn_name = "blue", mtu = 1300 }
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
    /// `physnet` on a network that is not a localnet network.
    case localnetOnly
    /// `ovn_name` under `ovn_networks = "cudn"`.
    case namedByCUDN
}

extension Diagnostic {
    public static func ovnAttributeMisuse(_ attribute: String, network: String, _ why: OVNMisuse, at span: Span) -> Diagnostic {
        switch why {
        case .vlanOnOverlay:
            return Diagnostic(.ovn, "`vlan` cannot be set on network `\(network)`: a layer2 overlay has no VLAN", at: span,
                              help: "drop `vlan`; VLANs belong to networks on a bridge, an OVS bridge or SR-IOV")
        case .notOVN:
            return Diagnostic(.ovn, "`\(attribute)` is for OVN-Kubernetes networks, and network `\(network)` is not one", at: span,
                              help: "drop `\(attribute)`, or make the network an OVN network (`overlay = \"layer2\"` or `localnet = <ovs-bridge>`)")
        case .localnetOnly:
            return Diagnostic(.ovn, "`\(attribute)` is for localnet networks, and network `\(network)` is not one", at: span,
                              help: "drop `\(attribute)`, or attach the network with `localnet = <ovs-bridge>`")
        case .namedByCUDN:
            return Diagnostic(.ovn, "`\(attribute)` cannot be set on network `\(network)`: with `ovn_networks = \"cudn\"` the ClusterUserDefinedNetwork names its OVN network itself", at: span,
                              help: "drop `\(attribute)`, or emit NADs (`ovn_networks = \"nad\"` on the topology)")
        case .needsOVNIPAM:
            return Diagnostic(.ovn, "`\(attribute)` on network `\(network)` needs OVN's own IPAM", at: span,
                              help: "set `ipam = \"ovn\"` (OVN allocates, NICs take `dhcp`), or drop `\(attribute)`")
        }
    }

    /// An `exclude` range (at `span`) not inside the subnet (at `subnetAt`) of OVN network `network`.
    public static func excludeOutsideSubnet(_ range: String, subnet: String, network: String, at span: Span, subnetAt: Span) -> Diagnostic {
        Diagnostic(.ovn, "`exclude` range \(range) is not inside subnet \(subnet) of network `\(network)`", at: span,
                   notes: [DiagnosticNote("the subnet", at: subnetAt)],
                   help: "OVN-Kubernetes rejects excluded ranges outside the network's subnets; fix the range or drop it")
    }

    /// Layer2 network `network` under `ovn_networks = "cudn"` (at `cudnAt`) needs `what` excluded (at `span`).
    public static func layer2CUDNCannotExclude(_ what: String, network: String, at span: Span, cudnAt: Span) -> Diagnostic {
        Diagnostic(.ovn, "network `\(network)` needs \(what) kept out of OVN's allocation, which a secondary layer2 ClusterUserDefinedNetwork cannot express", at: span,
                   notes: [DiagnosticNote("OVN networks are emitted as ClusterUserDefinedNetworks here", at: cudnAt)],
                   help: "emit NADs (`ovn_networks = \"nad\"`: `excludeSubnets`), or use `ipam = \"none\"` with static or `auto` addresses")
    }

    /// `physnet` (at `span`) empty or with `,`/`:` (N-LOCALNET).
    public static func physnetSyntax(_ name: String, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.ovnLocalnet, "`physnet` \"\(name)\" of network `\(network)` cannot be a bridge-mapping name", at: span,
                   help: "OVN stores bridge mappings as `<localnet>:<bridge>,…`: use a non-empty name without `,` or `:`")
    }

    /// Physical network `physnet` of network `network` (at `span`) on bridge `bridge`, already
    /// mapped to bridge `firstBridge` by network `firstNetwork` (at `first`) (N-LOCALNET).
    public static func physnetOnTwoBridges(_ physnet: String, network: String, bridge: String, at span: Span,
                                           firstNetwork: String, firstBridge: String, first: Span) -> Diagnostic {
        Diagnostic(.ovnLocalnet, "physical network \"\(physnet)\" of network `\(network)` is on OVS bridge `\(bridge)`, but network `\(firstNetwork)` maps it to `\(firstBridge)`", at: span,
                   notes: [DiagnosticNote("\"\(physnet)\" mapped to `\(firstBridge)` here", at: first)],
                   help: "one bridge-mapping name names one bridge: give network `\(network)` another `physnet`")
    }

    /// Networks `network` (at `span`) and `firstNetwork` (at `first`) share OVN network `ovnName`
    /// but differ in `property` (N-OVN-SAME).
    public static func ovnNetworkDiffers(_ ovnName: String, network: String, firstNetwork: String, property: String,
                                         here: String, there: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.ovnSame, "network `\(network)` is OVN network \"\(ovnName)\" like network `\(firstNetwork)`, but its \(property) differs: \(here) here, \(there) there", at: span,
                   notes: [DiagnosticNote("network `\(firstNetwork)` configures \"\(ovnName)\" here", at: first)],
                   help: "OVN-Kubernetes requires every NAD of one network name to agree: make the two networks identical, or give one another `ovn_name`")
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
                   help: "use `overlay = \"layer2\"` or `localnet = <ovs-bridge>`, or another `ipam` mode (`whereabouts` for cluster-wide allocation on a bridge)")
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
