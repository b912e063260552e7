import WukongIR
import WukongNet

/// cloud-init payloads of one VM (LANGUAGE.md §7): netplan v2 networkData and `#cloud-config`
/// userData. Both are YAML written through the same libyaml emitter as the objects.
public enum CloudInit {
    /// netplan v2 (`version: 2`, one `ethernets` entry per NIC, keyed by the NIC name, matched by MAC).
    public static func networkData(_ vm: VM, networks: (String) -> Network?, clusterCIDRs: [CIDR] = [],
                                   dualStack: Bool = false) -> KubeValue {
        TreeSink.build { networkData(&$0, vm, networks: networks, clusterCIDRs: clusterCIDRs, dualStack: dualStack) }
    }

    /// KubeVirt masquerade's gateway and guest address (DOMAIN.md §8), and the routing table the
    /// pod NIC's source-policy routing uses when the default route leaves by another NIC.
    public static let masqueradeGateway = "10.0.2.1"
    public static let masqueradeGuestAddress = "10.0.2.2/32"
    public static let podReplyTable = 100
    /// KubeVirt masquerade's IPv6 on a dual-stack cluster (the guest configures it statically).
    public static let masqueradeGateway6 = "fd10:0:2::1"
    public static let masqueradeGuestAddress6 = "fd10:0:2::2/120"
    public static let masqueradeGuestSource6 = "fd10:0:2::2/128"

    static func networkData<S: ValueSink>(_ s: inout S, _ vm: VM, networks: (String) -> Network?, clusterCIDRs: [CIDR],
                                          dualStack: Bool = false) {
        // The routes of every NIC that carries a declared default route; a DHCP-learned default
        // route on any other NIC (the pod NIC's above all) is demoted below the worst of them.
        var worstDefault: Int? = nil
        var defaultElsewhere = false
        var default6Elsewhere = false   // an IPv6 default route leaves by another NIC (dual-stack)
        for nic in vm.nics where nic.defaultRoute && nic.network != nil {
            defaultElsewhere = true
            if let net = nic.network.flatMap(networks), net.gateway6 != nil, nic.address6 != nil || net.subnet6 != nil {
                default6Elsewhere = true
            }
            if case .static = nic.address {
                let m = nic.metric ?? GuestNic.defaultRouteMetric
                worstDefault = max(worstDefault ?? m, m)
            }
        }
        s.mapStart()
        s.word("version")
        s.int(2)
        s.word("ethernets")
        s.mapStart()
        for nic in vm.nics {
            s.string(nic.name)
            s.mapStart()
            s.word("match")
            s.mapStart()
            s.word("macaddress")
            s.mac(nic.mac)
            s.mapEnd()
            if let ifname = nic.ifname {
                s.word("set-name")
                s.string(ifname)
            }
            let net = nic.network.flatMap(networks)
            var learnsRoutes = false
            let v6: Bool
            // a masquerade pod NIC on a dual-stack cluster: KubeVirt's IPv6, written statically
            let pod6 = dualStack && net == nil && nic.binding == .masquerade
            switch nic.address {
            case .static(let a):
                v6 = a.address.isV6
                s.word("addresses")
                s.listStart()
                s.string(a.description)
                if let a6 = nic.address6 { s.string(a6.description) }
                s.listEnd()
            case .dhcp:
                v6 = net?.subnet?.isV6 ?? false
                if pod6 {
                    s.word("addresses")
                    s.listStart()
                    s.string(masqueradeGuestAddress6)
                    s.listEnd()
                }
                if let a6 = nic.address6 {   // a leased IPv4 and a static IPv6 (ipam leases one family)
                    s.word("addresses")
                    s.listStart()
                    s.string(a6.description)
                    s.listEnd()
                }
                if v6 { s.word("dhcp6") } else { s.word("dhcp4") }
                s.bool(true)
                if !v6, nic.address6 == nil, net?.subnet6 != nil {   // dual-stack network, both leased
                    s.word("dhcp6")
                    s.bool(true)
                }
                learnsRoutes = true
                let metric: Int?
                if let m = nic.metric { metric = m }
                else if !nic.defaultRoute, let w = worstDefault { metric = GuestNic.demotedMetric(below: w) }
                else { metric = nil }
                // KubeVirt's DHCP on a bridge hands out the launcher pod's cluster DNS,
                // unreachable from the bridge: the network's own servers replace it.
                let ownDNS = nic.binding == .bridge && (net?.dns.contains { $0.isV6 == v6 } ?? false)
                if metric != nil || ownDNS {
                    if v6 { s.word("dhcp6-overrides") } else { s.word("dhcp4-overrides") }
                    s.mapStart()
                    if let metric {
                        s.word("route-metric")
                        s.int(metric)
                    }
                    if ownDNS {
                        s.word("use-dns")
                        s.bool(false)
                    }
                    s.mapEnd()
                }
            }
            if let net {
                var defaultVia = nic.defaultRoute && !learnsRoutes ? net.gateway : nil
                // dual-stack: the IPv6 default route where the NIC has a static IPv6 address; a NIC
                // with only an IPv6 address on a dual-stack network takes only the IPv6 one
                var defaultVia6 = nic.defaultRoute && nic.address6 != nil ? net.gateway6 : nil
                if net.subnet6 != nil, case .static(let a) = nic.address, a.address.isV6 {
                    defaultVia6 = nic.defaultRoute ? net.gateway6 : nil
                    defaultVia = nil
                }
                if GuestNic.carriesRoute(defaultRoute: defaultVia != nil || defaultVia6 != nil, networkRoutes: !net.routes.isEmpty) {
                    s.word("routes")
                    s.listStart()
                    for gw in [defaultVia, defaultVia6].compactMap({ $0 }) {
                        s.mapStart()
                        s.word("to")
                        if gw.isV6 { s.string("::/0") } else { s.string("0.0.0.0/0") }
                        s.word("via")
                        s.string(gw.description)
                        s.word("metric")
                        s.int(nic.metric ?? GuestNic.defaultRouteMetric)
                        s.mapEnd()
                    }
                    for r in net.routes {
                        s.mapStart()
                        s.word("to")
                        s.string(r.to.description)
                        s.word("via")
                        s.string(r.via.description)
                        if let m = nic.metric {
                            s.word("metric")
                            s.int(m)
                        }
                        s.mapEnd()
                    }
                    s.listEnd()
                }
                // Only servers of a family the NIC has an address of can be reached through it.
                let dual = nic.address6 != nil || (learnsRoutes && net.subnet6 != nil)
                let dns = net.dns.filter { $0.isV6 == v6 || dual }
                if !dns.isEmpty || !net.search.isEmpty {
                    s.word("nameservers")
                    s.mapStart()
                    if !dns.isEmpty {
                        s.word("addresses")
                        s.listStart()
                        for d in dns { s.string(d.description) }
                        s.listEnd()
                    }
                    if !net.search.isEmpty {
                        s.word("search")
                        s.listStart()
                        for d in net.search { s.string(d) }
                        s.listEnd()
                    }
                    s.mapEnd()
                }
            } else if pod6 {
                podRoutes(&s, clusterCIDRs: clusterCIDRs, policy: vm.networkConfig == .netplan,
                          v4Elsewhere: defaultElsewhere, v6Elsewhere: default6Elsewhere, metric: nic.metric)
            } else if defaultElsewhere && nic.binding != .passt {
                // passt gives the guest the pod's own address and gateway, which the compiler
                // cannot know: no routes or policy by the masquerade addresses (N-ROUTE warns)
                podReplyRoutes(&s, clusterCIDRs: clusterCIDRs, policy: vm.networkConfig == .netplan)
            }
            s.mapEnd()
        }
        s.mapEnd()
        s.mapEnd()
    }

    /// The pod NIC of a VM whose default route leaves by another NIC (LANGUAGE.md §7, DOMAIN.md §8):
    /// routes to the cluster's CIDRs via the masquerade gateway, and — where the guest renders
    /// it (netplan) — source-policy routing so replies from the masquerade address leave here.
    static func podReplyRoutes<S: ValueSink>(_ s: inout S, clusterCIDRs: [CIDR], policy: Bool) {
        writeRoutes(&s, replyRoutes(clusterCIDRs, v6: false, policy: policy), sources: policy ? [masqueradeGuestAddress] : [])
    }

    struct PodRoute { var to: String; var via: String; var table: Int? = nil; var metric: Int? = nil }

    /// One family's masquerade routes when its default route leaves by another NIC: the
    /// cluster's CIDRs of that family, and with `policy` the default route in the reply table.
    static func replyRoutes(_ clusterCIDRs: [CIDR], v6: Bool, policy: Bool) -> [PodRoute] {
        let via = v6 ? masqueradeGateway6 : masqueradeGateway
        var routes = clusterCIDRs.filter { $0.isV6 == v6 }.map { PodRoute(to: $0.description, via: via) }
        if policy { routes.append(PodRoute(to: v6 ? "::/0" : "0.0.0.0/0", via: via, table: podReplyTable)) }
        return routes
    }

    /// netplan `routes` and `routing-policy` (each omitted when empty); the policy sends what
    /// comes from `sources` to the reply table.
    static func writeRoutes<S: ValueSink>(_ s: inout S, _ routes: [PodRoute], sources: [String]) {
        if !routes.isEmpty {
            s.word("routes")
            s.listStart()
            for r in routes {
                s.mapStart()
                s.word("to")
                s.string(r.to)
                s.word("via")
                s.string(r.via)
                if let t = r.table {
                    s.word("table")
                    s.int(t)
                }
                if let m = r.metric {
                    s.word("metric")
                    s.int(m)
                }
                s.mapEnd()
            }
            s.listEnd()
        }
        if !sources.isEmpty {
            s.word("routing-policy")
            s.listStart()
            for src in sources {
                s.mapStart()
                s.word("from")
                s.string(src)
                s.word("table")
                s.int(podReplyTable)
                s.mapEnd()
            }
            s.listEnd()
        }
    }

    /// The masquerade pod NIC on a dual-stack cluster (`topology { dual_stack = true }`). IPv4 as
    /// `podReplyRoutes`; IPv6 (static: KubeVirt runs no DHCPv6 for masquerade) the same way by
    /// `fd10:0:2::1`: the default route here, unless an IPv6 default route leaves by another NIC —
    /// then the cluster's IPv6 CIDRs and, on netplan, the reply table with `from fd10:0:2::2/128`.
    static func podRoutes<S: ValueSink>(_ s: inout S, clusterCIDRs: [CIDR], policy: Bool, v4Elsewhere: Bool,
                                        v6Elsewhere: Bool, metric: Int?) {
        var routes: [PodRoute] = v4Elsewhere ? replyRoutes(clusterCIDRs, v6: false, policy: policy) : []
        if v6Elsewhere {
            routes += replyRoutes(clusterCIDRs, v6: true, policy: policy)
        } else {
            routes.append(PodRoute(to: "::/0", via: masqueradeGateway6, metric: metric))
        }
        let sources = (policy && v4Elsewhere ? [masqueradeGuestAddress] : []) + (policy && v6Elsewhere ? [masqueradeGuestSource6] : [])
        writeRoutes(&s, routes, sources: sources)
    }

    /// `#cloud-config` with `users`, `runcmd`, then the top-level keys of `cloud_config`.
    /// The image's `default` user is not kept when the VM declares users (see docs/decisions.md).
    public static func userData(_ vm: VM) -> String {
        String(decoding: userData(vm, with: YAMLDocuments()), as: UTF8.self)
    }

    static let header = Array("#cloud-config\n".utf8)

    static func userData(_ vm: VM, with docs: YAMLDocuments) -> [UInt8] {
        header + docs.render { w in
            w.mappingStart()
            for f in userFields(vm) {
                w.string(f.key)
                w.value(f.value)
            }
            if let cc = vm.cloudConfig { w.forwardTopLevelPairs(of: cc) }
            w.mappingEnd()
        }
    }

    static func userFields(_ vm: VM) -> [KubeField] {
        var top: [KubeField] = []
        if !vm.users.isEmpty {
            top.append(KubeField("users", .list(vm.users.map(user))))
        }
        if !vm.run.isEmpty {
            top.append(KubeField("runcmd", .list(vm.run.map { .string($0) })))
        }
        return top
    }

    static func user(_ u: User) -> KubeValue {
        var f = [KubeField("name", .string(u.name))]
        if let h = u.passwordHash {
            f.append(KubeField("passwd", .string(h)))
            f.append(KubeField("lock_passwd", .bool(false)))
        }
        if let s = u.sudo { f.append(KubeField("sudo", .string(s))) }
        if let s = u.shell { f.append(KubeField("shell", .string(s))) }
        if !u.groups.isEmpty { f.append(KubeField("groups", .list(u.groups.map { .string($0) }))) }
        if !u.sshKeys.isEmpty { f.append(KubeField("ssh_authorized_keys", .list(u.sshKeys.map { .string($0) }))) }
        return .map(f)
    }
}
