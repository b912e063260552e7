// Network topology (E04xx, W04xx): the topology checks and address allocation.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func networkEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .attachment:
            return (title: "network needs exactly one attachment",
                    body: """
                        A network attaches VM NICs through exactly one of `bridge` (Linux bridge,
                        bridge CNI), `ovs` (OVS bridge), `macvlan` (a node link, lowered to
                        KubeVirt's macvtap binding), `sriov` (a device-plugin resource),
                        `overlay = "layer2"` (an OVN-Kubernetes overlay) or `localnet` (an
                        OVN-Kubernetes localnet network on an OVS bridge).
                        """,
                    example: """
                        network n { subnet = 10.0.0.0/24 }   // no attachment
                        """)
        case .subnet:
            return (title: "address and subnet disagree",
                    body: """
                        A static or `auto` address needs the network's `subnet`; an address, gateway
                        or pool must lie inside it. The note points at the subnet.
                        """,
                    example: """
                        network ext { bridge = br0, subnet = 192.168.0.0/24 }
                        vm a { … nic e on ext { address = 192.168.1.200 } }
                        """)
        case .prefixMismatch:
            return (title: "prefix length differs from the subnet",
                    body: """
                        An address written with a prefix (`10.0.0.5/16`) must have the prefix of its
                        network's subnet. Write the bare address to take the subnet's prefix.
                        """,
                    example: """
                        nic e on ext { address = 192.168.0.10/16 }   // subnet is /24
                        """)
        case .reservedAddress:
            return (title: "reserved address",
                    body: """
                        The address is the network address, the broadcast address or the gateway of
                        its subnet, which no NIC may take.
                        """,
                    example: """
                        nic e on ext { address = 192.168.0.0 }
                        """)
        case .duplicateIP:
            return (title: "address used twice",
                    body: """
                        Two NICs have the same address in one layer-2 domain — one network, or
                        networks on the same bridge with the same VLAN tag, or on the same macvlan
                        link — or a NIC takes a node's address on the same bridge or link. The error
                        is at the later one, the note at the other. `auto` never collides.
                        """,
                    example: """
                        nic a on ext { address = 192.168.0.10 }
                        nic b on ext { address = 192.168.0.10 }
                        """)
        case .poolExhausted:
            return (title: "address pool exhausted",
                    body: """
                        `address = auto` takes the lowest free address of the network's `pool` (or
                        subnet), skipping the network and broadcast addresses, the gateway, DNS
                        servers, route next hops, node addresses and taken addresses. None was left
                        for this NIC.
                        """,
                    example: """
                        network small { bridge = br0, subnet = 10.0.0.0/30, gateway = 10.0.0.1 }
                        // a /30 has one usable address besides the gateway
                        """)
        case .vlan:
            return (title: "invalid VLAN",
                    body: """
                        A VLAN id must be between 1 and 4094. A `vlan` tag on a `macvlan` network is
                        not possible: tag the link instead (`vlan v on ens160 { id = 100 }` and
                        `macvlan = v`).
                        """,
                    example: """
                        vlan v on ens160 { id = 4095 }
                        """)
        case .mtu:
            return (title: "MTU larger than its lower device",
                    body: """
                        Compared by effective MTU (the declared `mtu`, else 1500): a bridge's MTU
                        cannot exceed any of its ports' (on every host it is built on: a NIC may
                        have its own `mtu` per host), a VLAN's cannot exceed its base's, and a
                        network's `mtu` cannot exceed its bridge's or macvlan link's. Nothing raises
                        a port's MTU for what sits on it; frames above the smaller MTU are dropped.
                        A bond copies its MTU to its ports, so bonds are not compared with their
                        ports; unmanaged bridges and `nad` networks have no known MTU. A node NIC
                        that sets `mtu` is listed in a NodeNetworkConfigurationPolicy: as the base
                        of a VLAN, neither a bridge/bond port nor carrying a node `address`/`dhcp`,
                        that would replace its (undeclared) IP configuration, so it must declare its
                        addressing.
                        """,
                    example: """
                        nic ens192
                        bridge br0 { ports = [ens192], mtu = 9000 }   // set `mtu = 9000` on nic ens192
                        """)
        case .route:
            return (title: "route that cannot be written",
                    body: """
                        `default_route = true` on a NIC with a static address needs a `gateway` on
                        its network. A NIC's `metric` must be a route metric netplan accepts
                        (0–4294967295), and the worst metric of the declared default routes must
                        leave room for the DHCP-learned default route of a NIC without `metric` (the
                        pod NIC above all), which gets that metric + 100.
                        """,
                    example: """
                        network n { bridge = br0, subnet = 10.0.0.0/24 }
                        nic e on n { address = 10.0.0.5, default_route = true }
                        """)
        case .ipam:
            return (title: "IPAM mode does not fit",
                    body: """
                        `ipam` other than `none` is impossible on `macvlan` and `sriov` networks; a
                        static or `auto` address cannot be honoured by `whereabouts`/`dhcp`, and
                        `dhcp` not by `static`/`host-local`; `static`/`host-local` need a `gateway`
                        and cannot be combined with `nad`; one VM cannot have two NICs on one
                        `static`/`host-local` network (their NADs would share a name).
                        """,
                    example: """
                        network n { macvlan = ens160, ipam = "whereabouts" }
                        """)
        case .overlapWarning:
            return (title: "overlapping subnets on one VM",
                    body: """
                        A VM has NICs on two networks whose subnets overlap (the pod network's
                        10.0.2.0/24 included when the VM has a pod NIC), so the guest's routing is
                        ambiguous.
                        """,
                    example: """
                        network a { …, subnet = 10.0.0.0/16 }
                        network b { …, subnet = 10.0.5.0/24 }
                        """)
        case .routeWarning:
            return (title: "a route that will not work as intended",
                    body: """
                        A VM has two default routes with the same metric (the guest picks one
                        arbitrarily); or its default route leaves by a secondary NIC while it has a
                        pod NIC, and either the topology has no `cluster_cidrs` (cluster Services
                        and DNS become unreachable) or the image renders networkData without routing
                        policy (replies to clients outside `cluster_cidrs` leave by the other NIC —
                        KubeVirt's masquerade keeps the client's source address); or a NIC sets
                        `metric` but carries no route; or a NIC gets more than three nameservers
                        (glibc uses three).
                        """,
                    example: """
                        topology t { cluster_cidrs = [10.96.0.0/12, 10.244.0.0/16] }
                        vm a { …, image = images.fedora
                          nic default on pod
                          nic ext on external { address = 192.168.0.5, default_route = true }   // replies to NodePort clients leave by ext
                        }
                        """)
        case .vlanWarning:
            return (title: "VLAN tagging that will not work as intended",
                    body: """
                        An `ovs` network without `vlan` trunks every VLAN into the VM; a `vlan` on a
                        network over an unmanaged bridge needs VLAN filtering that nobody
                        configures.
                        """,
                    example: """
                        network n { ovs = br-ovs }   // add vlan = N
                        """)
        case .macvtapWarning:
            return (title: "macvtap lower device the device plugin does not offer",
                    body: """
                        A `macvlan` network lowers to KubeVirt's macvtap binding, which requests the
                        device-plugin resource `macvtap.network.kubevirt.io/<link>`. Unconfigured,
                        macvtap-cni's device plugin offers only physical NICs and bonds; for a VLAN
                        (or another virtual link) it needs an entry
                        `{"name":"<link>","lowerDevice":"<link>","mode":"bridge","capacity":50}` in
                        `DP_MACVTAP_CONF` of its ConfigMap, else no node has the resource and the VM
                        stays Pending.
                        """,
                    example: """
                        vlan v100 on ens160 { id = 100 }
                        network n { macvlan = v100 }
                        """)
        case .ipamWarning:
            return (title: "CNI dhcp IPAM",
                    body: """
                        `ipam = "dhcp"` needs the CNI dhcp daemon on every node, and its leases
                        expire under KubeVirt's bridge binding. Prefer `ipam = "none"` with DHCP in
                        the guest.
                        """,
                    example: """
                        network n { bridge = br0, ipam = "dhcp" }
                        """)
        default:
            return nil
        }
    }
}

// Lowering: address allocation (WukongIR/Allocation.swift).
extension Diagnostic {
    /// `auto` found no free address; `pool` (if the network has one) or `subnet` is where addresses come from.
    public static func poolExhausted(network: String, vm: String, nic: String, at span: Span,
                                     pool: Span?, subnet: Span?) -> Diagnostic {
        var notes: [DiagnosticNote] = []
        if let pool {
            notes.append(DiagnosticNote("`auto` addresses of `\(network)` come from this pool", at: pool))
        } else if let subnet {
            notes.append(DiagnosticNote("`auto` addresses of `\(network)` come from this subnet", at: subnet))
        }
        return Diagnostic(.poolExhausted, "no free address left on network `\(network)` for `\(vm).\(nic)`",
                          at: span, notes: notes,
                          help: pool != nil ? "widen the pool, or give some NICs a static address"
                                            : "use a larger subnet, or give some NICs a static address")
    }
}

/// What lies in a subnet: a network's gateway or a VM NIC's address.
public enum SubnetMember: Sendable {
    case gateway, address
    var noun: String { self == .gateway ? "gateway" : "address" }
    var withArticle: String { self == .gateway ? "a gateway" : "an address" }
}

// Network declarations (WukongSema/Checks/NetworkChecks.swift). Addresses and subnets are passed
// as their text; `usable` is the first and last address a host may take in the subnet (for help).
extension Diagnostic {
    static func subnetDeclared(_ network: String, at span: Span) -> DiagnosticNote {
        DiagnosticNote("subnet of `\(network)` declared here", at: span)
    }

    /// A `macvlan` network on VLAN `vlan`, whose interface name is `device`; `vlanDecl`: the VLAN's declaration.
    public static func macvtapLowerDeviceNotOffered(network: String, vlan: String, device: String, at span: Span,
                                                    vlanDecl: Span?) -> Diagnostic {
        let entry = "{\"name\":\"\(device)\",\"lowerDevice\":\"\(device)\",\"mode\":\"bridge\",\"capacity\":50}"
        return Diagnostic(.macvtapWarning, "macvlan network `\(network)` sits on VLAN `\(vlan)`: macvtap-cni's device plugin exposes no resource `macvtap.network.kubevirt.io/\(device)` for it unless configured, and its VMs stay Pending",
                          at: span, notes: vlanDecl.map { [DiagnosticNote("VLAN `\(vlan)` (`\(device)`) declared here", at: $0)] } ?? [],
                          help: "add `\(entry)` to `DP_MACVTAP_CONF` in macvtap-cni's device-plugin ConfigMap, or use a NIC or bond as the link")
    }
    public static func moreThanOneAttachment(network: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.attachment, "network `\(network)` has more than one attachment", at: span,
                   notes: [DiagnosticNote("first attachment here", at: first)],
                   help: "keep exactly one of `bridge`, `ovs`, `macvlan`, `sriov`, `overlay` or `localnet`")
    }
    public static func noAttachment(network: String, at span: Span) -> Diagnostic {
        Diagnostic(.attachment, "network `\(network)` has no attachment", at: span,
                   help: "set exactly one of `bridge = <bridge>`, `ovs = <ovs-bridge>`, `macvlan = <nic, vlan or bond>`, `sriov = \"<resource>\"`, `overlay = \"layer2\"` or `localnet = <ovs-bridge>`")
    }
    public static func ipamNeedsSubnet(ipam: String, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.subnet, "`ipam = \"\(ipam)\"` needs a `subnet` on network `\(network)`", at: span,
                   help: "add `subnet = <network>/<prefix>` to network `\(network)`")
    }
    /// A network's gateway or a NIC's address outside the network's subnet.
    public static func outsideSubnet(_ member: SubnetMember, _ address: String, subnet: String, network: String,
                                     at span: Span, subnetDecl: Span, usable: (String, String)) -> Diagnostic {
        Diagnostic(.subnet, "\(member.noun) `\(address)` is outside the subnet `\(subnet)` of network `\(network)`",
                   at: span, notes: [subnetDeclared(network, at: subnetDecl)],
                   help: "use \(member.withArticle) between `\(usable.0)` and `\(usable.1)`, "
                       + (member == .gateway ? "or correct the subnet" : "or put the NIC on another network"))
    }
    /// A network's gateway or a NIC's address that the subnet reserves; `role`: which reserved
    /// address it is (`network`, `broadcast`, …).
    public static func reservedAddress(_ member: SubnetMember, _ address: String, role: String, subnet: String,
                                       network: String, at span: Span, subnetDecl: Span, usable: (String, String)) -> Diagnostic {
        Diagnostic(.reservedAddress, "\(member.noun) `\(address)` is the \(role) address of `\(subnet)`",
                   at: span, notes: [subnetDeclared(network, at: subnetDecl)],
                   help: "use \(member.withArticle) between `\(usable.0)` and `\(usable.1)`")
    }
    /// `first ..= last`: the pool; `outside`: its bound that lies outside the subnet.
    public static func poolOutsideSubnet(first: String, last: String, outside: String, subnet: String, network: String,
                                         at span: Span, subnetDecl: Span, usable: (String, String)) -> Diagnostic {
        Diagnostic(.subnet, "pool `\(first) ..= \(last)` leaves the subnet `\(subnet)` of network `\(network)` (`\(outside)`)",
                   at: span, notes: [subnetDeclared(network, at: subnetDecl)],
                   help: "keep the pool between `\(usable.0)` and `\(usable.1)`")
    }
    public static func routeViaOutsideSubnet(_ via: String, subnet: String, network: String, at span: Span,
                                             subnetDecl: Span) -> Diagnostic {
        Diagnostic(.subnet, "route via `\(via)` is outside the subnet `\(subnet)` of network `\(network)`",
                   at: span, notes: [subnetDeclared(network, at: subnetDecl)],
                   help: "a route's `via` must be reachable on the network: use an address in `\(subnet)`")
    }
    public static func vlanIdOutOfRange(_ id: Int, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.vlan, "VLAN id \(id) of network `\(network)` is outside 1–4094", at: span,
                   help: "use a VLAN id between 1 and 4094, or remove `vlan` for untagged traffic")
    }
    /// `link`: the macvlan network's link, which a VLAN `id` would sit on.
    public static func vlanOnMacvlan(network: String, id: Int, link: String, at span: Span, attachment: Span) -> Diagnostic {
        Diagnostic(.vlan, "`vlan` is not supported on macvlan network `\(network)`", at: span,
                   notes: [DiagnosticNote("macvlan attachment here", at: attachment)],
                   help: "declare `vlan <name> on \(link) { id = \(id) }` and use `macvlan = <name>`")
    }
    public static func ovsNetworkTrunksEveryVlan(network: String, at span: Span) -> Diagnostic {
        Diagnostic(.vlanWarning, "ovs network `\(network)` has no `vlan`: its ports trunk every VLAN into the VM",
                   at: span, help: "set `vlan = <id>` to give the VM an access port")
    }
    /// `unmanaged`: where the bridge says `managed = false`.
    public static func vlanOnUnmanagedBridge(network: String, bridge: String, at span: Span, unmanaged: Span) -> Diagnostic {
        Diagnostic(.vlanWarning, "`vlan` on network `\(network)` over unmanaged bridge `\(bridge)`: the tag needs VLAN filtering that nobody configures",
                   at: span, notes: [DiagnosticNote("bridge `\(bridge)` is unmanaged here", at: unmanaged)],
                   help: "enable VLAN filtering on `\(bridge)` yourself, or let wukongc manage the bridge")
    }
    /// `attachment`: the attribute that rules out IPAM (`macvlan` or `sriov`).
    public static func ipamOnDirectAttachment(ipam: String, attachment: String, network: String, at span: Span,
                                              attachmentAt: Span) -> Diagnostic {
        Diagnostic(.ipam, "`ipam = \"\(ipam)\"` cannot be used on \(attachment) network `\(network)`", at: span,
                   notes: [DiagnosticNote("\(attachment) attachment here", at: attachmentAt)],
                   help: "remove `ipam` (the default `none`): the guest gets its address from cloud-init")
    }
    public static func ipamNeedsGateway(ipam: String, network: String, at span: Span) -> Diagnostic {
        Diagnostic(.ipam, "`ipam = \"\(ipam)\"` needs a `gateway` on network `\(network)`", at: span,
                   help: "add `gateway = <address>` to network `\(network)`")
    }
    public static func nadWithPerNicIPAM(ipam: String, network: String, at span: Span, ipamAt: Span) -> Diagnostic {
        Diagnostic(.ipam, "`nad` cannot be combined with `ipam = \"\(ipam)\"` on network `\(network)`", at: span,
                   notes: [DiagnosticNote("`ipam` set here", at: ipamAt)],
                   help: "remove `nad` (wukongc generates one NAD per NIC), or use `ipam = \"none\"`")
    }
    public static func cniDHCPLeasesExpire(network: String, at span: Span) -> Diagnostic {
        Diagnostic(.ipamWarning, "`ipam = \"dhcp\"` on network `\(network)`: leases expire under KubeVirt's bridge binding",
                   at: span,
                   help: "use the default `ipam = \"none\"` and `address = dhcp` on the NICs, so the guest runs DHCP itself")
    }
}

// A VM's NICs (NetworkChecks.swift): addresses, IPAM, default routes, overlapping subnets, V-POD.
extension Diagnostic {
    /// `first`: the NIC already on `pod`, at `firstAt`.
    public static func secondPodNic(vm: String, at span: Span, first: String, firstAt: Span) -> Diagnostic {
        Diagnostic(.podNetwork, "VM `\(vm)` has more than one NIC on `pod`", at: span,
                   notes: [DiagnosticNote("NIC `\(first)` is already on `pod`", at: firstAt)],
                   help: "keep one pod NIC; put the others on declared networks")
    }
    /// `first`: the NIC already on the network, at `firstAt`.
    public static func twoNicsOnPerNicIPAM(vm: String, ipam: String, network: String, at span: Span,
                                           first: String, firstAt: Span) -> Diagnostic {
        Diagnostic(.ipam, "VM `\(vm)` has two NICs on `ipam = \"\(ipam)\"` network `\(network)`", at: span,
                   notes: [DiagnosticNote("NIC `\(first)` is already on `\(network)`", at: firstAt)],
                   help: "their NetworkAttachmentDefinitions would share the name `\(vm)-\(network)-nad`: keep one NIC on `\(network)`")
    }
    public static func defaultRouteWithoutGateway(nic: String, network: String, at span: Span, networkDecl: Span) -> Diagnostic {
        Diagnostic(.route, "`default_route = true` on NIC `\(nic)`, but network `\(network)` has no `gateway`",
                   at: span, notes: [DiagnosticNote("network `\(network)` declared here", at: networkDecl)],
                   help: "add `gateway = <address>` to network `\(network)`, or remove `default_route = true`")
    }
    /// `other`: the NIC with the earlier default route of the same family and metric, at `otherAt`.
    public static func sameDefaultRouteMetric(vm: String, metric: Int, at span: Span, other: String, otherAt: Span) -> Diagnostic {
        Diagnostic(.routeWarning, "VM `\(vm)` has two default routes with metric \(metric)", at: span,
                   notes: [DiagnosticNote("NIC `\(other)` also carries a default route with metric \(metric)", at: otherAt)],
                   help: "give one of them another `metric` (the lower one wins), or set `default_route = false`")
    }
    /// The subnet `mine` of NIC `nic` overlaps `theirs` of NIC `other` (at `otherAt`); `theirsIsPod`:
    /// `theirs` is the pod network's.
    public static func overlappingSubnets(_ mine: String, nic: String, theirs: String, theirsIsPod: Bool, other: String,
                                          vm: String, at span: Span, otherAt: Span) -> Diagnostic {
        let desc = theirsIsPod ? "the pod network `\(theirs)`" : "`\(theirs)`"
        return Diagnostic(.overlapWarning, "subnet `\(mine)` of NIC `\(nic)` overlaps \(desc) of NIC `\(other)` in VM `\(vm)`",
                          at: span, notes: [DiagnosticNote("NIC `\(other)` here", at: otherAt)],
                          help: "the guest cannot route both: use non-overlapping subnets")
    }
    /// A NIC on a per-NIC IPAM network (static/host-local) without a static or `auto` address;
    /// `writesDHCP`: it says `address = dhcp` (else it has no address); `ipamAt`: the network's `ipam`.
    public static func perNicIPAMNeedsAddress(nic: String, ipam: String, network: String, writesDHCP: Bool,
                                              at span: Span, ipamAt: Span?) -> Diagnostic {
        Diagnostic(.ipam, "NIC `\(nic)` on `ipam = \"\(ipam)\"` network `\(network)` needs a static or `auto` address",
                   at: span, notes: ipamAt.map { [DiagnosticNote("`ipam` set here", at: $0)] } ?? [],
                   help: writesDHCP ? "set `address = <ip>` or `address = auto`, or use `ipam = \"whereabouts\"` for dynamic addresses"
                                    : "set `address = <ip>` or `address = auto` on NIC `\(nic)`")
    }
    /// A static or `auto` address on a network whose IPAM leases addresses; `ipamAt`: the network's `ipam`.
    public static func addressOnLeasingIPAM(nic: String, ipam: String, network: String, at span: Span, ipamAt: Span?) -> Diagnostic {
        Diagnostic(.ipam, "network `\(network)` assigns addresses by `ipam = \"\(ipam)\"`; NIC `\(nic)` cannot have a static or `auto` address",
                   at: span, notes: ipamAt.map { [DiagnosticNote("`ipam` set here", at: $0)] } ?? [],
                   help: "remove the address (or write `address = dhcp`), or use `ipam = \"none\"` with static addresses")
    }
    public static func staticAddressWithoutSubnet(nic: String, network: String, at span: Span, networkDecl: Span) -> Diagnostic {
        Diagnostic(.subnet, "NIC `\(nic)` has a static address, but network `\(network)` has no `subnet`",
                   at: span, notes: [DiagnosticNote("network `\(network)` declared here", at: networkDecl)],
                   help: "add `subnet = <network>/<prefix>` to network `\(network)`, or use `address = dhcp`")
    }
    /// `written` (an address with `prefix`) on a subnet of `subnetPrefix`; the fix-it writes `address`
    /// with the subnet's prefix (quoted for IPv6, which is written as a string).
    public static func prefixMismatch(written: String, prefix: Int, address: String, isV6: Bool, subnet: String,
                                      subnetPrefix: Int, network: String, at span: Span, subnetDecl: Span) -> Diagnostic {
        let fixed = isV6 ? "\"\(address)/\(subnetPrefix)\"" : "\(address)/\(subnetPrefix)"
        return Diagnostic(.prefixMismatch, "address `\(written)` has prefix /\(prefix), but the subnet `\(subnet)` of network `\(network)` is /\(subnetPrefix)",
                          at: span, notes: [subnetDeclared(network, at: subnetDecl)],
                          help: "write `\(address)` (the prefix comes from the subnet) or `\(address)/\(subnetPrefix)`",
                          fixIts: [FixIt(replace: span, with: fixed)])
    }
    public static func addressIsGateway(_ address: String, network: String, at span: Span, gatewayDecl: Span,
                                        usable: (String, String)) -> Diagnostic {
        Diagnostic(.reservedAddress, "address `\(address)` is the gateway of network `\(network)`",
                   at: span, notes: [DiagnosticNote("gateway of `\(network)` declared here", at: gatewayDecl)],
                   help: "use another address between `\(usable.0)` and `\(usable.1)`")
    }
    /// `sharedWith`: the holder's network when it is another one on the same layer 2; `holder`: the
    /// note `DiagnosticNote.addressOfVMNic` or `.nodeAddress` built.
    public static func addressInUse(_ address: String, network: String, sharedWith: String?, nic: String,
                                    at span: Span, holder: DiagnosticNote) -> Diagnostic {
        let on = sharedWith.map { "network `\(network)`, which shares its layer 2 with `\($0)`" } ?? "network `\(network)`"
        return Diagnostic(.duplicateIP, "address `\(address)` is already used on \(on)", at: span, notes: [holder],
                          help: "give NIC `\(nic)` another address, or `address = auto`")
    }
}

// Who holds an address already (N-DUP-IP notes, shared with the node address checks).
extension DiagnosticNote {
    public static func addressOfVMNic(nic: String, vm: String, at span: Span) -> DiagnosticNote {
        DiagnosticNote("also the address of NIC `\(nic)` of VM `\(vm)`", at: span)
    }
    /// `host`: the host the NIC is declared in, if any.
    public static func nodeAddress(of nic: String, host: String?, at span: Span) -> DiagnosticNote {
        DiagnosticNote("node address of `\(nic)`" + (host.map { " on host `\($0)`" } ?? ""), at: span)
    }
}

// N-MTU (WukongSema/Checks/MTUChecks.swift, NodeChecks.swift).

/// An interface (or network) as the MTU diagnostics name it; `host`: the host of a NIC declared in one.
public struct MTUInterface: Sendable, Equatable {
    /// How it is declared; the raw value is the keyword help texts use.
    public enum Kind: String, Sendable {
        case nic, vlan, bond, bridge, ovsBridge = "ovs-bridge", network
    }
    public let kind: Kind
    public let name: String
    public let host: String?
    public init(_ kind: Kind, _ name: String, host: String? = nil) { self.kind = kind; self.name = name; self.host = host }

    /// The node interface it is (nil for a network), which says how messages name it.
    var node: NodeInterface? {
        switch kind {
        case .nic: return .nic(name, host: host)
        case .vlan: return .vlan(name)
        case .bond: return .bond(name)
        case .bridge, .ovsBridge: return .bridge(name, ovs: kind == .ovsBridge)
        case .network: return nil
        }
    }
    var noun: String { node?.noun ?? "network" }
    /// "NIC `ens192` on host `w1`", "bridge `br0`", "network `lan`".
    var described: String { node?.description ?? "network `\(name)`" }
}

/// One side of an MTU comparison: the interface, its effective MTU, where its `mtu` is set (nil:
/// not set, the default applies) and its name.
public struct MTUSide: Sendable {
    public let interface: MTUInterface
    public let value: Int
    public let declared: Span?
    public let nameSpan: Span
    public init(_ interface: MTUInterface, value: Int, declared: Span?, nameSpan: Span) {
        self.interface = interface; self.value = value; self.declared = declared; self.nameSpan = nameSpan
    }
}

/// What the lower devices are to the larger side of an MTU comparison.
public enum MTURelation: Sendable {
    /// a bridge's ports, a VLAN's base, a network's bridge, a macvlan network's link
    case port, base, bridge, link
    var phrase: String {
        switch self {
        case .port: return "its port"
        case .base: return "its base"
        case .bridge: return "its"
        case .link: return "its link"
        }
    }
}

extension Diagnostic {
    public static func mtuOutOfRange(_ mtu: Int, of interface: MTUInterface, at span: Span) -> Diagnostic {
        Diagnostic(.mtu, "mtu \(mtu) of \(interface.described) is outside 68–65535", at: span,
                   help: "use an mtu between 68 and 65535 (1500 is the Ethernet default)")
    }

    /// `larger` has a larger MTU than each of `smaller` (non-empty), its lower devices: one
    /// diagnostic at `larger`, a note at each smaller one; a NIC declared on several hosts is
    /// named once with its hosts.
    public static func mtuAboveLowerDevice(_ larger: MTUSide, _ relation: MTURelation, smaller: [MTUSide]) -> Diagnostic {
        let least = smaller.map(\.value).min() ?? larger.value
        var groups: [(side: MTUInterface, hosts: [String])] = []
        for s in smaller.map(\.interface) {
            if let g = groups.firstIndex(where: { $0.side.kind == s.kind && $0.side.name == s.name }) {
                if let h = s.host { groups[g].hosts.append(h) }
            } else {
                groups.append((s, s.host.map { [$0] } ?? []))
            }
        }
        func onHosts(_ hs: [String], _ preposition: String) -> String {
            hs.isEmpty ? "" : " \(preposition) host\(hs.count == 1 ? "" : "s") " + joinedWithAnd(hs.map { "`\($0)`" })
        }
        let described = groups.map { "\($0.side.noun) `\($0.side.name)`" + onHosts($0.hosts, "on") }
        let hints = groups.map { "\($0.side.kind.rawValue) `\($0.side.name)`" + onHosts($0.hosts, "in") }
        let theirs = Set(smaller.map(\.value)).count == 1 ? "the mtu \(least)" : "mtus down to \(least)"
        let top = larger.interface
        let has = larger.declared == nil ? "has the default mtu \(larger.value)" : "has mtu \(larger.value)"
        let notes = smaller.map { s -> DiagnosticNote in
            if let d = s.declared { return DiagnosticNote("mtu of \(s.interface.described) set here", at: d) }
            return DiagnosticNote("\(s.interface.described) sets no `mtu`: \(s.value)", at: s.nameSpan)
        }
        let alternative = larger.declared != nil
            ? "lower the mtu of \(top.kind.rawValue) `\(top.name)` to \(least)"
            : "set `mtu = \(least)` on \(top.kind.rawValue) `\(top.name)`"
        return Diagnostic(.mtu, "\(top.described) \(has), larger than \(theirs) of \(relation.phrase) \(joinedWithAnd(described))",
                          at: larger.declared ?? larger.nameSpan, notes: notes,
                          help: "set `mtu = \(larger.value)` on \(joinedWithAnd(hints)), or \(alternative) (frames above the smaller mtu are dropped)")
    }

    /// A node NIC (declared in `host`, if any) whose `mtu` lists it in a policy while it is the base
    /// of VLAN `vlan` (at `vlanBase`) and declares no node addressing.
    public static func mtuPolicyDropsNodeAddressing(nic: String, host: String?, vlan: String, at span: Span, vlanBase: Span) -> Diagnostic {
        let on = host.map { " on host `\($0)`" } ?? ""
        return Diagnostic(.mtu, "NIC `\(nic)`\(on) sets `mtu` but no node `address` or `dhcp`: the policy that sets its mtu would take over its IP configuration and remove it",
                          at: span, notes: [DiagnosticNote("VLAN `\(vlan)` sits on it", at: vlanBase)],
                          help: "declare the node's own addressing on `\(nic)`: its `address` (with `gateway`/`dns` if it carries them) or `dhcp = true`")
    }
}

/// "a", "a and b", "a, b and c".
private func joinedWithAnd(_ items: [String]) -> String {
    items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
}

// NodeNetworkConfigurationPolicy names in lowering (WukongIR/Policies.swift): a safety net behind
// the K-NAME checks, which report these first.

/// Why a name cannot be a Kubernetes name that is also a label value.
public enum LabelNameProblem: Sendable, Equatable {
    case empty
    /// Longer than 63 characters; the length in bytes.
    case tooLong(Int)
    /// Not lowercase letters, digits, `-` and `.`, alphanumeric at both ends of every part.
    case invalid

    var phrase: String {
        switch self {
        case .empty: return "is empty"
        case .tooLong(let n): return "is longer than 63 characters (\(n))"
        case .invalid: return "is not a valid Kubernetes name (lowercase letters, digits, `-` and `.` only, alphanumeric at both ends)"
        }
    }
}

extension Diagnostic {
    /// The policy name `name`, derived from `anchor` (a bridge, or the topology) and, when
    /// `perHost`, a host's name.
    public static func invalidPolicyName(_ name: String, problem: LabelNameProblem, derivedFrom anchor: String,
                                         perHost: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.kubernetesName, "NodeNetworkConfigurationPolicy name `\(name)` derived from `\(anchor)` \(problem.phrase)",
                   at: span,
                   help: "shorten or rename the topology, `\(anchor)`\(perHost ? " or the host" : "") (policy names are label values: at most 63 lowercase letters, digits, `-` and `.`)")
    }
    /// Two policies derived from `anchor` (at `span`) and from `first`.
    public static func duplicatePolicyName(_ name: String, derivedFrom anchor: String, at span: Span, first: Span) -> Diagnostic {
        Diagnostic(.duplicateObject, "two NodeNetworkConfigurationPolicies would be named `\(name)`",
                   at: span, notes: [DiagnosticNote("the other policy is derived from here", at: first)],
                   help: "rename `\(anchor)` so that the derived policy names differ")
    }
}

// Dual-stack (docs/networks-reference.md): per-family lists of `subnet`, `gateway`, `pool` and a
// VM NIC's `address` take at most one IPv4 and one IPv6 value, each of a family the network has.
extension Diagnostic {
    /// `value` (written in `attribute`) is a second value of its family (`first`: the earlier
    /// one), or — `first` nil — of a family network `network` has no subnet of.
    /// `nic`: the VM NIC whose `address` it is.
    public static func addressFamilyClash(attribute: String, _ value: String, isV6: Bool, network: String, nic: String? = nil,
                                          at span: Span, first: Span?, subnetDecl: Span?) -> Diagnostic {
        let family = isV6 ? "IPv6" : "IPv4"
        if let first {
            let owner = nic.map { "NIC `\($0)`" } ?? "network `\(network)`"
            return Diagnostic(.subnet, "`\(attribute)` of \(owner) lists a second \(family) value `\(value)`: one value per address family",
                              at: span, notes: [DiagnosticNote("the \(family) value is already given here", at: first)],
                              help: "keep one \(family) and at most one \(isV6 ? "IPv4" : "IPv6") value")
        }
        return Diagnostic(.subnet, "\(attribute) `\(value)` is \(family), but network `\(network)` has no \(family) subnet",
                          at: span, notes: subnetDecl.map { [subnetDeclared(network, at: $0)] } ?? [],
                          help: isV6 ? "make the network dual-stack: `subnet = [<IPv4 CIDR>, \"<IPv6 CIDR>\"]`, or drop the IPv6 value"
                                     : "make the network dual-stack: `subnet = [<IPv4 CIDR>, \"<IPv6 CIDR>\"]`, or drop the IPv4 value")
    }
    /// A dual-stack network whose CNI IPAM (`ipam`: whereabouts, dhcp) leases both families to
    /// the pod: KubeVirt's bridge binding passes only the IPv4 lease on (DOMAIN.md §2.6).
    public static func ipv6LeaseNeverReachesGuest(ipam: String, network: String, at span: Span, ipamAt: Span) -> Diagnostic {
        Diagnostic(.ipamWarning, "the IPv6 subnet of network `\(network)` never reaches its VMs: with `ipam = \"\(ipam)\"` KubeVirt's bridge binding hands the guest only the IPv4 lease (no DHCPv6 or router advertisements)",
                   at: span, notes: [DiagnosticNote("`ipam = \"\(ipam)\"` here", at: ipamAt)],
                   help: "use `ipam = \"none\"` with `address = auto` (cloud-init writes both families), or `ipam = \"static\"`")
    }
}
