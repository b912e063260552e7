// Network topology (E04xx, W04xx): the topology checks and address allocation.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func networkEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .attachment:
            return ("network needs exactly one attachment", "A network attaches VM NICs through exactly one of `bridge` (Linux bridge, bridge CNI), `ovs` (OVS bridge), `macvlan` (a node link, lowered to KubeVirt's macvtap binding) or `sriov` (a device-plugin resource).", "network n { subnet = 10.0.0.0/24 }   // no attachment")
        case .subnet:
            return ("address and subnet disagree", "A static or `auto` address needs the network's `subnet`; an address, gateway or pool must lie inside it. The note points at the subnet.", "network ext { bridge = br0, subnet = 192.168.0.0/24 }\nvm a { … nic e on ext { address = 192.168.1.200 } }")
        case .prefixMismatch:
            return ("prefix length differs from the subnet", "An address written with a prefix (`10.0.0.5/16`) must have the prefix of its network's subnet. Write the bare address to take the subnet's prefix.", "nic e on ext { address = 192.168.0.10/16 }   // subnet is /24")
        case .reservedAddress:
            return ("reserved address", "The address is the network address, the broadcast address or the gateway of its subnet, which no NIC may take.", "nic e on ext { address = 192.168.0.0 }")
        case .duplicateIP:
            return ("address used twice", "Two NICs have the same address in one layer-2 domain — one network, or networks on the same bridge with the same VLAN tag, or on the same macvlan link — or a NIC takes a node's address on the same bridge or link. The error is at the later one, the note at the other. `auto` never collides.", "nic a on ext { address = 192.168.0.10 }\nnic b on ext { address = 192.168.0.10 }")
        case .poolExhausted:
            return ("address pool exhausted", "`address = auto` takes the lowest free address of the network's `pool` (or subnet), skipping the network and broadcast addresses, the gateway, DNS servers, route next hops, node addresses and taken addresses. None was left for this NIC.", "network small { bridge = br0, subnet = 10.0.0.0/30, gateway = 10.0.0.1 }\n// a /30 has one usable address besides the gateway")
        case .duplicateMAC:
            return ("bad or duplicate MAC address", "Two NICs have the same explicit MAC, or a MAC is multicast or all zeros, or `02:00:00:00:00:00` (reserved by KubeVirt's in-pod bridge) is set on a pod NIC. The topology's `mac_prefix` must be one or two octets, locally administered and unicast.", "nic a on ext { mac = \"01:00:5e:00:00:01\" }   // multicast")
        case .vlan:
            return ("invalid VLAN", "A VLAN id must be between 1 and 4094. A `vlan` tag on a `macvlan` network is not possible: tag the link instead (`vlan v on ens160 { id = 100 }` and `macvlan = v`).", "vlan v on ens160 { id = 4095 }")
        case .port:
            return ("link used twice as a port", "A NIC, VLAN or bond can be a port of one bridge or bond only; a bridge or bond cannot be its own port; a `macvlan` link cannot also be a bridge or bond port (the kernel refuses it).", "bridge a { ports = [ens192] }\nbridge b { ports = [ens192] }")
        case .host:
            return ("host placement impossible", "A bridge targets a host that lacks one of its port NICs, or a VM is pinned to a host where the bridge of one of its networks is not built, or the bridges of a VM's networks share no host.", "host w1 { nic ens192 }\nhost w2 { }\nbridge br { ports = [ens192], hosts = [w2] }")
        case .interfaceName:
            return ("invalid interface name", "Linux interface names are at most 15 bytes and contain no `/`, `:` or whitespace. This covers NICs, VLANs (including the derived `<base>.<id>`), bonds and bridges. A guest `ifname` also may not be `default`, `all` or `lo`.", "vlan v on enp129s0f0np0 { id = 1234 }   // enp129s0f0np0.1234 is 18 bytes")
        case .mtu:
            return ("MTU larger than its lower device", "Compared by effective MTU (the declared `mtu`, else 1500): a bridge's MTU cannot exceed any of its ports' (on every host it is built on: a NIC may have its own `mtu` per host), a VLAN's cannot exceed its base's, and a network's `mtu` cannot exceed its bridge's or macvlan link's. Nothing raises a port's MTU for what sits on it; frames above the smaller MTU are dropped. A bond copies its MTU to its ports, so bonds are not compared with their ports; unmanaged bridges and `nad` networks have no known MTU. A node NIC that sets `mtu` is listed in a NodeNetworkConfigurationPolicy: as the base of a VLAN, neither a bridge/bond port nor carrying a node `address`/`dhcp`, that would replace its (undeclared) IP configuration, so it must declare its addressing.", "nic ens192\nbridge br0 { ports = [ens192], mtu = 9000 }   // set `mtu = 9000` on nic ens192")
        case .nodeAddress:
            return ("bridge takes over two node addresses", "When a port NIC carries a node address, the bridge takes it over on that host; a bridge can take over only one port's addressing per host.", "host w1 { nic a { address = 10.0.0.2/24 }\n          nic b { address = 10.0.1.2/24 } }\nbridge br { ports = [a, b] }")
        case .route:
            return ("default route without gateway", "`default_route = true` on a NIC with a static address needs a `gateway` on its network.", "network n { bridge = br0, subnet = 10.0.0.0/24 }\nnic e on n { address = 10.0.0.5, default_route = true }")
        case .ipam:
            return ("IPAM mode does not fit", "`ipam` other than `none` is impossible on `macvlan` and `sriov` networks; a static or `auto` address cannot be honoured by `whereabouts`/`dhcp`, and `dhcp` not by `static`/`host-local`; `static`/`host-local` need a `gateway` and cannot be combined with `nad`; one VM cannot have two NICs on one `static`/`host-local` network (their NADs would share a name).", "network n { macvlan = ens160, ipam = \"whereabouts\" }")
        case .overlapWarning:
            return ("overlapping subnets on one VM", "A VM has NICs on two networks whose subnets overlap (the pod network's 10.0.2.0/24 included when the VM has a pod NIC), so the guest's routing is ambiguous.", "network a { …, subnet = 10.0.0.0/16 }\nnetwork b { …, subnet = 10.0.5.0/24 }")
        case .routeWarning:
            return ("a route that will not work as intended", "A VM has two default routes with the same metric (the guest picks one arbitrarily); or its default route leaves by a secondary NIC while it has a pod NIC, and either the topology has no `cluster_cidrs` (cluster Services and DNS become unreachable) or the image renders networkData without routing policy (replies to clients outside `cluster_cidrs` leave by the other NIC — KubeVirt's masquerade keeps the client's source address); or a NIC sets `metric` but carries no route; or a NIC gets more than three nameservers (glibc uses three).", "topology t { cluster_cidrs = [10.96.0.0/12, 10.244.0.0/16] }\nvm a { …, image = images.fedora\n  nic default on pod\n  nic ext on external { address = 192.168.0.5, default_route = true }   // replies to NodePort clients leave by ext\n}")
        case .migrateWarning:
            return ("VM that cannot live-migrate asks for live migration", "`eviction = \"live-migrate\"` on a VM with a NIC KubeVirt cannot migrate (the macvtap binding of a `macvlan` network): node drains would wait for a migration that never happens. Use `eviction = \"shutdown\"`, or leave `eviction` out (such a VM gets `evictionStrategy: None`).", "vm a { …, eviction = \"live-migrate\"\n  nic m on management   // macvlan network\n}")
        case .unusedWarning:
            return ("unused declaration", "A bridge, VLAN, bond or network that nothing uses: a network is used by a VM NIC, a link by a port list, a VLAN or a network. A bridge that only carries node addresses counts as used.", "bridge br-old { ports = [ens193] }   // no network uses it")
        case .vlanWarning:
            return ("VLAN tagging that will not work as intended", "An `ovs` network without `vlan` trunks every VLAN into the VM; a `vlan` on a network over an unmanaged bridge needs VLAN filtering that nobody configures.", "network n { ovs = br-ovs }   // add vlan = N")
        case .nodeAddressWarning:
            return ("DHCP node address moved to a bridge", "A port NIC with `dhcp = true` gives its addressing to the bridge; the bridge has a new MAC and so gets a new lease unless the NIC's MAC is carried over (Wukong copies it).", "")
        case .macvtapWarning:
            return ("macvtap lower device the device plugin does not offer", "A `macvlan` network lowers to KubeVirt's macvtap binding, which requests the device-plugin resource `macvtap.network.kubevirt.io/<link>`. Unconfigured, macvtap-cni's device plugin offers only physical NICs and bonds; for a VLAN (or another virtual link) it needs an entry `{\"name\":\"<link>\",\"lowerDevice\":\"<link>\",\"mode\":\"bridge\",\"capacity\":50}` in `DP_MACVTAP_CONF` of its ConfigMap, else no node has the resource and the VM stays Pending.", "vlan v100 on ens160 { id = 100 }\nnetwork n { macvlan = v100 }")
        case .ipamWarning:
            return ("CNI dhcp IPAM", "`ipam = \"dhcp\"` needs the CNI dhcp daemon on every node, and its leases expire under KubeVirt's bridge binding. Prefer `ipam = \"none\"` with DHCP in the guest.", "network n { bridge = br0, ipam = \"dhcp\" }")
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
