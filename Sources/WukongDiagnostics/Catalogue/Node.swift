// The node side of the topology (E04xx, W04xx): node NICs and their addresses, VLANs, bonds,
// bridges, ports, host placement, unused links.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func nodeEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .port:
            return (title: "link used twice as a port",
                    body: """
                        A NIC, VLAN or bond can be a port of one bridge or bond only; a bridge or
                        bond cannot be its own port; a `macvlan` link cannot also be a bridge or
                        bond port (the kernel refuses it).
                        """,
                    example: """
                        bridge a { ports = [ens192] }
                        bridge b { ports = [ens192] }
                        """)
        case .host:
            return (title: "host placement impossible",
                    body: """
                        A bridge targets a host that lacks one of its port NICs, or a VM is pinned
                        to a host where the bridge of one of its networks is not built, or the
                        bridges of a VM's networks share no host.
                        """,
                    example: """
                        host w1 { nic ens192 }
                        host w2 { }
                        bridge br { ports = [ens192], hosts = [w2] }
                        """)
        case .interfaceName:
            return (title: "invalid interface name",
                    body: """
                        Linux interface names are at most 15 bytes and contain no `/`, `:` or
                        whitespace. This covers NICs, VLANs (including the derived `<base>.<id>`),
                        bonds and bridges. A guest `ifname` also may not be `default`, `all` or
                        `lo`.
                        """,
                    example: """
                        vlan v on enp129s0f0np0 { id = 1234 }   // enp129s0f0np0.1234 is 18 bytes
                        """)
        case .nodeAddress:
            return (title: "bridge takes over two node addresses",
                    body: """
                        When a port NIC carries a node address, the bridge takes it over on that
                        host; a bridge can take over only one port's addressing per host.
                        """,
                    example: """
                        host w1 { nic a { address = 10.0.0.2/24 }
                                  nic b { address = 10.0.1.2/24 } }
                        bridge br { ports = [a, b] }
                        """)
        case .nodeAddressWarning:
            return (title: "DHCP node address moved to a bridge",
                    body: """
                        A port NIC with `dhcp = true` gives its addressing to the bridge; the bridge
                        has a new MAC and so gets a new lease unless the NIC's MAC is carried over
                        (Wukong copies it).
                        """,
                    example: "")
        case .unusedWarning:
            return (title: "unused declaration",
                    body: """
                        A bridge, VLAN, bond or network that nothing uses: a network is used by a VM
                        NIC, a link by a port list, a VLAN or a network. A bridge that only carries
                        node addresses counts as used.
                        """,
                    example: """
                        bridge br-old { ports = [ens193] }   // no network uses it
                        """)
        default:
            return nil
        }
    }
}

/// A node interface as messages name it: "NIC `ens192` on host `w1`", "VLAN `v100`", "ovs-bridge `br`".
public enum NodeInterface: Sendable, Equatable, CustomStringConvertible {
    /// `host`: the host the NIC is declared in, if it is declared in one.
    case nic(String, host: String? = nil)
    case vlan(String)
    case bond(String)
    case bridge(String, ovs: Bool)

    public var name: String {
        switch self {
        case .nic(let n, _), .vlan(let n), .bond(let n), .bridge(let n, _): return n
        }
    }

    /// How messages call the kind: "NIC", "VLAN", "bond", "bridge", "ovs-bridge".
    var noun: String {
        switch self {
        case .nic: return "NIC"
        case .vlan: return "VLAN"
        case .bond: return "bond"
        case .bridge(_, let ovs): return ovs ? "ovs-bridge" : "bridge"
        }
    }

    /// "NIC `ens192` on host `w1`", "ovs-bridge `br-ovs`".
    public var description: String {
        if case .nic(let n, let host) = self { return "NIC `\(n)`" + onHost(host) }
        return "\(noun) `\(name)`"
    }
}

/// Why a Linux interface name is invalid (node interfaces and guest `ifname`s).
public enum InterfaceNameProblem: Sendable, Equatable {
    case empty
    case tooLong(bytes: Int)
    case slash, colon, whitespace
    /// The name is `.` or `..`.
    case dots(String)
    /// A guest name the kernel keeps for itself (`default`, `all`, `lo`).
    case reservedByKernel

    var text: String {
        switch self {
        case .empty: return "is empty"
        case .tooLong(let n): return "is longer than 15 bytes (\(n))"
        case .slash: return "contains `/`"
        case .colon: return "contains `:`"
        case .whitespace: return "contains whitespace"
        case .dots(let name): return "is `\(name)`"
        case .reservedByKernel: return "is reserved by the kernel"
        }
    }
}

/// Why a VM's network is not available on a host, for a note at the network's attachment.
public enum NetworkAvailability: Sendable {
    /// The bridge has no `hosts`: it is built where its ports exist (`hosts`), noted at `span`.
    case bridgeWherePortsExist(bridge: String, hosts: [String], span: Span)
    /// The bridge's `hosts` list, noted at `span`.
    case bridgeHosts(bridge: String, hosts: [String], span: Span)
    /// The macvlan link, noted at `span`.
    case macvlanLink(String, span: Span)

    var note: DiagnosticNote {
        switch self {
        case .bridgeWherePortsExist(let b, let hosts, let span):
            return DiagnosticNote("bridge `\(b)` is built only on \(hostList(hosts)), where its ports exist", at: span)
        case .bridgeHosts(let b, let hosts, let span):
            return DiagnosticNote("bridge `\(b)` is built only on \(hostList(hosts))", at: span)
        case .macvlanLink(let l, let span):
            return DiagnosticNote("`\(l)` exists only on some hosts", at: span)
        }
    }
}

/// " on host `w1`", or nothing for a NIC declared outside hosts.
private func onHost(_ host: String?) -> String { host.map { " on host `\($0)`" } ?? "" }

/// "`w1`, `w2` and `w3`"; past `limit` names, "`w1`, `w2`, `w3` and 2 more". `names` come sorted.
func hostList(_ names: [String], limit: Int = 3) -> String {
    let quoted = names.map { "`\($0)`" }
    if quoted.count > limit { return quoted.prefix(limit).joined(separator: ", ") + " and \(quoted.count - limit) more" }
    guard let last = quoted.last else { return "" }
    return quoted.count == 1 ? last : quoted.dropLast().joined(separator: ", ") + " and " + last
}

// Node NICs and their addresses (WukongSema/Checks/NodeChecks.swift).
extension Diagnostic {
    /// `dhcp` is the `dhcp = true`, `address` the static address of the same NIC.
    public static func nodeAddressWithDHCP(nic: String, host: String?, at dhcp: Span, address: Span) -> Diagnostic {
        Diagnostic(.nodeAddress, "\(NodeInterface.nic(nic, host: host)) has both a static `address` and `dhcp = true`",
                   at: dhcp, notes: [DiagnosticNote("static address here", at: address)],
                   help: "keep either `address` or `dhcp = true`")
    }

    /// `subnet`: the network of the node address `address`, written at `addressSpan`.
    public static func nodeGatewayOutsideSubnet(gateway: String, subnet: String, address: String, at span: Span,
                                                addressSpan: Span) -> Diagnostic {
        Diagnostic(.subnet, "gateway `\(gateway)` is outside `\(subnet)`, the subnet of node address `\(address)`",
                   at: span, notes: [DiagnosticNote("node address here", at: addressSpan)],
                   help: "use a gateway inside `\(subnet)`, or correct the address's prefix")
    }

    /// `role`: which reserved address it is ("network", "broadcast", …); `usable`: the first and last host address.
    public static func reservedNodeAddress(_ address: String, role: String, subnet: String,
                                           usable: (first: String, last: String), at span: Span) -> Diagnostic {
        Diagnostic(.reservedAddress, "node address `\(address)` is the \(role) address of `\(subnet)`", at: span,
                   help: "use an address between `\(usable.first)` and `\(usable.last)`")
    }

    public static func nodeAddressIsOwnGateway(_ address: String, at span: Span, gateway: Span) -> Diagnostic {
        Diagnostic(.reservedAddress, "node address `\(address)` is its own gateway", at: span,
                   notes: [DiagnosticNote("gateway here", at: gateway)], help: "use the router's address as `gateway`")
    }

    /// `owner`: the note at the NIC that has the address first.
    public static func duplicateNodeAddress(_ address: String, at span: Span, owner: DiagnosticNote) -> Diagnostic {
        Diagnostic(.duplicateIP, "node address `\(address)` is already used", at: span, notes: [owner],
                   help: "give every node NIC its own address")
    }

    /// `bridge` takes over the node addresses of its ports `first` (at `firstSpan`) and `second` on `host`.
    public static func bridgeTakesTwoNodeAddresses(bridge: String, first: String, second: String, host: String?,
                                                   at span: Span, firstSpan: Span) -> Diagnostic {
        Diagnostic(.nodeAddress, "bridge `\(bridge)` would take over the node addresses of both `\(first)` and `\(second)`\(onHost(host))",
                   at: span, notes: [DiagnosticNote("`\(first)` carries a node address too", at: firstSpan)],
                   help: "a bridge can carry one node address: move the other NIC's address elsewhere, or use two bridges")
    }

    /// `at`: the NIC's `dhcp = true`; `port`: where the NIC is listed as a port of `bridge`.
    public static func dhcpNodeAddressOnBridgePort(nic: String, host: String?, bridge: String, at span: Span,
                                                   port: Span) -> Diagnostic {
        Diagnostic(.nodeAddressWarning, "`\(nic)`\(onHost(host)) gets its node address by DHCP, and bridge `\(bridge)` takes the lease over",
                   at: span, notes: [DiagnosticNote("port of `\(bridge)` here", at: port)],
                   help: "the bridge gets the NIC's MAC (`copy-mac-from`), but a DHCP server that keys leases on the client id may still hand out a new address: prefer a static `address`, or reserve the address on the server")
    }
}

// VLANs, bonds, interface names, ports.
extension Diagnostic {
    public static func vlanIDOutOfRange(_ id: Int, of vlan: String, at span: Span) -> Diagnostic {
        Diagnostic(.vlan, "VLAN id \(id) of `\(vlan)` is outside 1–4094", at: span,
                   help: "use a VLAN id between 1 and 4094")
    }

    /// VLAN `first` (declared at `firstSpan`) has the same id on the same base.
    public static func duplicateVLANID(_ id: Int, on base: String, usedBy first: String, at span: Span,
                                       firstSpan: Span) -> Diagnostic {
        Diagnostic(.vlan, "VLAN id \(id) on `\(base)` is already used by `\(first)`", at: span,
                   notes: [DiagnosticNote("`\(first)` declared here", at: firstSpan)],
                   help: "use one VLAN declaration for id \(id) on `\(base)`")
    }

    public static func bondWithoutPorts(_ bond: String, at span: Span) -> Diagnostic {
        Diagnostic(.port, "bond `\(bond)` has no ports", at: span,
                   help: "list at least one NIC, VLAN or bond in `ports`")
    }

    /// `derived`: the name is `<base>.<id>` of a VLAN without `ifname`.
    public static func invalidInterfaceName(_ name: String, of interface: NodeInterface, derived: Bool,
                                            _ problem: InterfaceNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.interfaceName, "\(derived ? "derived " : "")interface name `\(name)` of \(interface) \(problem.text)", at: span,
                   help: "set `ifname = \"...\"` to a name of at most 15 bytes without `/`, `:` or whitespace")
    }

    /// `first` (declared at `firstSpan`) has the Linux name `name` too.
    public static func duplicateInterfaceName(_ name: String, of interface: NodeInterface, usedBy first: NodeInterface,
                                              at span: Span, firstSpan: Span) -> Diagnostic {
        Diagnostic(.interfaceName, "interface name `\(name)` of \(interface) is already used by \(first)", at: span,
                   notes: [DiagnosticNote("\(first) declared here", at: firstSpan)],
                   help: "give every node interface its own `ifname`")
    }

    /// `link` is a port of `owner` and, first (at `firstSpan`), of `firstOwner`, which may be `owner` itself.
    public static func portUsedTwice(_ link: String, by owner: NodeInterface, firstBy firstOwner: NodeInterface,
                                     at span: Span, firstSpan: Span) -> Diagnostic {
        let same = owner == firstOwner
        return Diagnostic(.port, same ? "`\(link)` is listed twice in the ports of \(owner)" : "`\(link)` is already a port of \(firstOwner)",
                          at: span, notes: [DiagnosticNote("first used as a port here", at: firstSpan)],
                          help: same ? "remove the second `\(link)`"
                              : "a link can be a port of one bridge or bond only: put a VLAN on it for the second")
    }

    /// `at`: the network's `macvlan = link`; `port`: where `link` is listed as a port of `owner`.
    public static func macvlanOnPort(network: String, link: String, portOf owner: NodeInterface, at span: Span,
                                     port: Span) -> Diagnostic {
        Diagnostic(.port, "macvlan network `\(network)` sits on `\(link)`, which is a port of \(owner)",
                   at: span, notes: [DiagnosticNote("`\(link)` enslaved here", at: port)],
                   help: "the kernel refuses macvlan on an enslaved link: attach the network to the bridge instead, or use another link")
    }

    /// `cycle`: the VLANs and bonds on the loop in order, each once (one for a link on itself).
    public static func linkCycle(_ cycle: [NodeInterface], at span: Span) -> Diagnostic {
        let message: String
        switch cycle.first {
        case .vlan(let n)? where cycle.count == 1: message = "VLAN `\(n)` sits on itself"
        case .bond(let n)? where cycle.count == 1: message = "bond `\(n)` is among its own ports"
        default: message = "link cycle: " + (cycle + cycle.prefix(1)).map { "`\($0.name)`" }.joined(separator: " → ")
        }
        return Diagnostic(.port, message, at: span,
                          help: "a VLAN's base and a bond's ports must lead down to node NICs, never back")
    }
}

// Host placement.
extension Diagnostic {
    /// `hosts`: the hosts the bridge is built on that lack the NIC `nic` (one of them declared at `hostSpan`);
    /// `port`: the port `nic` lies under, when it is a VLAN or bond rather than the NIC itself.
    public static func bridgeHostLacksNic(bridge: String, hosts: [String], nic: String, under port: String?,
                                          at span: Span, hostSpan: Span) -> Diagnostic {
        let via = port.map { " (under `\($0)`)" } ?? ""
        let list = hostList(hosts)
        let (noun, verb) = hosts.count == 1 ? ("host", "has") : ("hosts", "have")
        return Diagnostic(.host, "bridge `\(bridge)` is built on \(noun) \(list), which \(verb) no NIC `\(nic)`\(via)",
                          at: span, notes: [DiagnosticNote("host `\(hosts[0])` declared here", at: hostSpan)],
                          help: "declare `nic \(nic)` inside \(list), or restrict the bridge with `hosts = [...]`")
    }

    /// VM `vm` is pinned (at `pin`) to `host`; `networkHosts`: where `network` is available (empty: nowhere).
    public static func networkNotOnPinnedHost(network: String, host: String, vm: String, networkHosts: [String],
                                              at span: Span, pin: Span, availability: NetworkAvailability?) -> Diagnostic {
        Diagnostic(.host, "network `\(network)` is not available on host `\(host)`, where VM `\(vm)` is pinned",
                   at: span, notes: [DiagnosticNote("pinned here", at: pin)] + (availability.map { [$0.note] } ?? []),
                   help: networkHosts.isEmpty ? "network `\(network)` exists on no host: fix its bridge's `hosts` or its link's NICs"
                       : "pin the VM to \(hostList(networkHosts)), or build the network's bridge on `\(host)` too")
    }

    /// `networkHosts`: where `network` is available (empty: nowhere); `restrictedBy`: the VM's first NIC that
    /// narrowed its hosts (to `hosts`, at `span`), when it is another NIC.
    public static func networksShareNoHost(vm: String, network: String, networkHosts: [String],
                                           restrictedBy: (nic: String, hosts: [String], span: Span)?,
                                           at span: Span, availability: NetworkAvailability?) -> Diagnostic {
        var notes: [DiagnosticNote] = []
        if let r = restrictedBy {
            notes.append(DiagnosticNote("NIC `\(r.nic)` restricts the VM to \(hostList(r.hosts))", at: r.span))
        }
        if let availability { notes.append(availability.note) }
        return Diagnostic(.host, networkHosts.isEmpty ? "network `\(network)` of VM `\(vm)` is available on no host"
                              : "the networks of VM `\(vm)` share no host: `\(network)` is only on \(hostList(networkHosts))",
                          at: span, notes: notes,
                          help: "build the bridges of the VM's networks on at least one common host")
    }
}

// Unused declarations.
extension Diagnostic {
    public static func unusedNetwork(_ network: String, at span: Span) -> Diagnostic {
        Diagnostic(.unusedWarning, "network `\(network)` is not used by any NIC", at: span,
                   help: "attach a VM NIC to it (`nic <name> on \(network)`) or remove it")
    }

    /// An unused VLAN, bond or bridge.
    public static func unusedLink(_ link: NodeInterface, at span: Span) -> Diagnostic {
        let message: String, help: String
        switch link {
        case .bridge(let n, let ovs):
            message = "\(link) is not used by any network"
            help = "attach a network to it (`network <name> { \(ovs ? "ovs" : "bridge") = \(n) }`) or remove it"
        case .bond:
            message = "\(link) is not used"
            help = "use it as a bridge port, a VLAN base or a macvlan link, or remove it"
        case .vlan, .nic:
            message = "\(link) is not used"
            help = "use it as a bridge port or a macvlan link, or remove it"
        }
        return Diagnostic(.unusedWarning, message, at: span, help: help)
    }
}
