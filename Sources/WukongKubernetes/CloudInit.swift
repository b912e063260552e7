import WukongIR
import WukongNet

/// cloud-init payloads of one VM (LANGUAGE.md §7): netplan v2 networkData and `#cloud-config`
/// userData. Both are YAML written through the same libyaml emitter as the objects.
public enum CloudInit {
    /// The default-route metric when a NIC carrying the default route sets none.
    public static let defaultRouteMetric = 50

    /// netplan v2 (`version: 2`, one `ethernets` entry per NIC, keyed by the NIC name, matched by MAC).
    public static func networkData(_ vm: VM, networks: (String) -> Network?) -> KubeValue {
        // The routes of every NIC that carries a declared default route; a DHCP-learned default
        // route on any other NIC (the pod NIC's above all) is demoted below the worst of them.
        var worstDefault: Int? = nil
        for nic in vm.nics where nic.defaultRoute && nic.network != nil {
            if case .static = nic.address {
                let m = nic.metric ?? defaultRouteMetric
                worstDefault = max(worstDefault ?? m, m)
            }
        }
        var ethernets: [KubeField] = []
        ethernets.reserveCapacity(vm.nics.count)
        for nic in vm.nics {
            var f: [KubeField] = [KubeField("match", .map([KubeField("macaddress", .string(nic.mac.text))]))]
            if let ifname = nic.ifname { f.append(KubeField("set-name", .string(ifname))) }
            let net = nic.network.flatMap(networks)
            var learnsRoutes = false
            switch nic.address {
            case .static(let a):
                f.append(KubeField("addresses", .list([.string(a.description)])))
            case .dhcp:
                let v6 = net?.subnet?.isV6 ?? false
                f.append(KubeField(v6 ? "dhcp6" : "dhcp4", .bool(true)))
                learnsRoutes = true
                let metric: Int?
                if let m = nic.metric { metric = m }
                else if !nic.defaultRoute, let w = worstDefault { metric = w + 100 }
                else { metric = nil }
                if let metric {
                    f.append(KubeField(v6 ? "dhcp6-overrides" : "dhcp4-overrides",
                                       .map([KubeField("route-metric", .int(metric))])))
                }
            }
            if let net {
                var routes: [KubeValue] = []
                if nic.defaultRoute, !learnsRoutes, let gw = net.gateway {
                    routes.append(.map([KubeField("to", .string(gw.isV6 ? "::/0" : "0.0.0.0/0")),
                                        KubeField("via", .string(gw.description)),
                                        KubeField("metric", .int(nic.metric ?? defaultRouteMetric))]))
                }
                for r in net.routes {
                    var rf = [KubeField("to", .string(r.to.description)), KubeField("via", .string(r.via.description))]
                    if let m = nic.metric { rf.append(KubeField("metric", .int(m))) }
                    routes.append(.map(rf))
                }
                if !routes.isEmpty { f.append(KubeField("routes", .list(routes))) }
                if !net.dns.isEmpty || !net.search.isEmpty {
                    var ns: [KubeField] = []
                    if !net.dns.isEmpty { ns.append(KubeField("addresses", .list(net.dns.map { .string($0.description) }))) }
                    if !net.search.isEmpty { ns.append(KubeField("search", .list(net.search.map { .string($0) }))) }
                    f.append(KubeField("nameservers", .map(ns)))
                }
            }
            ethernets.append(KubeField(nic.name, .map(f)))
        }
        return .map([KubeField("version", .int(2)), KubeField("ethernets", .map(ethernets))])
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
