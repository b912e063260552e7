import WukongDiagnostics
import WukongNet

// What the guest and KubeVirt do with a VM at run time (LANGUAGE.md §5.6, §6 v2, DOMAIN.md §8):
// V-IMAGE, V-IMAGE-TAG, N-MIGRATE, and the N-ROUTE warnings about the reply path, metrics and
// nameservers.

extension Checker {
    mutating func checkGuest(_ vm: VMDecl) {
        checkImage(vm)
        checkEviction(vm)
        checkGuestRoutes(vm)
    }

    // MARK: - V-IMAGE, V-IMAGE-TAG

    mutating func checkImage(_ vm: VMDecl) {
        guard let image = vm.image else { return }
        if let problem = Checker.cached(image.value, in: &imageProblems, Checker.imageTagProblem) {
            add(Diagnostic(.imageTagWarning, "image `\(image.value)` of VM `\(vm.decl.name)` \(problem)", at: image.span,
                           help: "pin a version tag or a digest (`…@sha256:…`): otherwise the VM changes at every restart"))
        }
        guard vm.networkConfig == .none else { return }
        let note = DiagnosticNote("this image applies no cloud-init configuration (`network_config = \"none\"`)", at: image.span)
        func report(_ what: String, at span: Span, help: String) {
            add(Diagnostic(.image, "\(what) of VM `\(vm.decl.name)` would never be applied: its image does not run cloud-init",
                           at: span, notes: [note], help: help))
        }
        let otherImage = "use an image that applies cloud-init (e.g. `images.fedora`)"
        for nic in vm.nics {
            if let a = nic.address, a.value.needsSubnet {
                report("the address of NIC `\(nic.decl.name)`", at: a.span, help: otherImage + ", or let the NIC use DHCP (drop `address`)")
            }
            if let i = nic.ifname {
                report("`ifname` of NIC `\(nic.decl.name)`", at: i.span, help: otherImage + ", or drop `ifname`")
            }
            if case .network(let n)? = nic.network?.value, let (_, net) = network(n), !net.routes.isEmpty, let use = nic.network {
                report("the `routes` of network `\(n)` on NIC `\(nic.decl.name)`", at: use.span, help: otherImage)
            }
        }
        for u in vm.users {
            report("user `\(u.decl.name)`", at: u.decl.nameSpan, help: otherImage + ", or drop the user")
        }
        if let r = vm.run.first {
            report("`run`", at: r.span, help: otherImage + ", or drop `run`")
        }
        if let c = vm.cloudConfig {
            report("`cloud_config`", at: c.span, help: otherImage + ", or drop `cloud_config`")
        }
    }

    /// "uses the tag `latest`" / "has neither a tag nor a digest"; nil when pinned.
    static func imageTagProblem(_ ref: String) -> String? {
        if ref.contains("@") { return nil }
        let last = ref.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(ref)
        guard let colon = last.lastIndex(of: ":") else { return "has neither a tag nor a digest" }
        return last[last.index(after: colon)...] == "latest" ? "uses the tag `latest`" : nil
    }

    // MARK: - N-MIGRATE

    mutating func checkEviction(_ vm: VMDecl) {
        guard let e = vm.eviction, EvictionMode(rawValue: e.value) == .liveMigrate else { return }
        for nic in vm.nics {
            guard case .network(let n)? = nic.network?.value, let (_, net) = network(n), net.attachments.count == 1,
                  case .macvlan = net.attachments[0].value else { continue }
            add(Diagnostic(.migrateWarning, "VM `\(vm.decl.name)` cannot live-migrate: NIC `\(nic.decl.name)` uses the macvtap binding",
                           at: e.span,
                           notes: [DiagnosticNote("network `\(n)` attaches with `macvlan` (KubeVirt's macvtap binding)",
                                                  at: nic.network?.span ?? nic.decl.nameSpan)],
                           help: "node drains would wait for a migration that never happens: set `eviction = \"shutdown\"`, or drop `eviction`"))
            return
        }
    }

    // MARK: - N-ROUTE: reply path, metrics, nameservers

    mutating func checkGuestRoutes(_ vm: VMDecl) {
        // A first pass without allocating: most VMs (the pod NIC keeps the default route, no
        // `metric`, few nameservers) have nothing to report, and the rule need not run for them.
        var hasPod = false, moved = false, anyMetric = false, manyServers = false
        for nic in vm.nics {
            // an unresolved network was reported: say nothing that depends on it
            guard let use = nic.network, !nic.poisoned else { return }
            switch use.value {
            case .pod:
                hasPod = true
                if nic.defaultRoute?.value == false { moved = true }
            case .network(let n):
                guard guestChecksReadNetworks else { break }
                guard let ni = networkIndex[n], !p.networks[ni].poisoned else { return }
                if p.networks[ni].dns.count > 3 { manyServers = true }
            }
            if nic.defaultRoute?.value == true { moved = true }
            if nic.metric != nil { anyMetric = true }
        }
        guard (hasPod && moved) || anyMetric || manyServers else { return }

        var rule: [DefaultRouteRule.Nic] = []
        var nets: [Int] = []    // network index; -1 for the pod NIC
        rule.reserveCapacity(vm.nics.count)
        nets.reserveCapacity(vm.nics.count)
        for nic in vm.nics {
            if case .network(let n)? = nic.network?.value, let ni = networkIndex[n] {
                rule.append(.init(isPod: false, explicit: nic.defaultRoute?.value, networkHasGateway: p.networks[ni].gateway != nil))
                nets.append(ni)
            } else {
                rule.append(.init(isPod: true, explicit: nic.defaultRoute?.value, networkHasGateway: false))
                nets.append(-1)
            }
        }
        let carriers = DefaultRouteRule.carriers(rule)
        if let pod = rule.firstIndex(where: { $0.isPod }), !carriers[pod], let out = carriers.firstIndex(of: true) {
            let outNic = vm.nics[out]
            let at = outNic.defaultRoute?.span ?? outNic.decl.nameSpan
            let podNote = DiagnosticNote("cluster traffic arrives on the pod NIC `\(vm.nics[pod].decl.name)`",
                                         at: vm.nics[pod].network?.span ?? vm.nics[pod].decl.nameSpan)
            if p.clusterCIDRs.isEmpty {
                add(Diagnostic(.routeWarning,
                               "the default route of VM `\(vm.decl.name)` leaves by NIC `\(outNic.decl.name)`, and the topology has no `cluster_cidrs`: cluster Services and DNS become unreachable",
                               at: at, notes: [podNote],
                               help: "add `cluster_cidrs = [<service CIDR>, <pod CIDR>]` to the topology (e.g. `[10.96.0.0/12, 10.244.0.0/16]`), or keep the default route on the pod NIC"))
            }
            if vm.networkConfig != .netplan, let image = vm.image {
                add(Diagnostic(.routeWarning,
                               "the default route of VM `\(vm.decl.name)` leaves by NIC `\(outNic.decl.name)`: replies to clients outside `cluster_cidrs` (e.g. through a NodePort) leave by it too",
                               at: at, notes: [podNote, DiagnosticNote("this image renders networkData without routing policy (`network_config = \"\(vm.networkConfig.rawValue)\"`)", at: image.span)],
                               help: "use a netplan image (e.g. `images.ubuntu_2404`), which gets source-policy routing for the pod NIC, or keep the default route on the pod NIC"))
            }
        }
        for (k, nic) in vm.nics.enumerated() {
            let ni = nets[k]
            let leases = ni < 0 || ipamModesWithoutAddresses.contains(p.networks[ni].ipam?.value ?? "none")
            let isStatic = !leases && (nic.address?.value.needsSubnet ?? false)
            if let m = nic.metric, isStatic, !carriers[k], ni < 0 || p.networks[ni].routes.isEmpty {
                add(Diagnostic(.routeWarning, "`metric` of NIC `\(nic.decl.name)` has no effect: the NIC carries no route", at: m.span,
                               help: "drop `metric`, or give the NIC a route (`default_route = true`, or `routes` on its network)"))
            }
            guard ni >= 0, p.networks[ni].dns.count > 3 else { continue }
            let v6: Bool
            if isStatic, case .ip(let a)? = nic.address?.value { v6 = a.isV6 }
            else if isStatic, case .ifaddr(let a)? = nic.address?.value { v6 = a.address.isV6 }
            else { v6 = p.networks[ni].subnet?.value.isV6 ?? false }
            let servers = p.networks[ni].dns.filter { $0.value.isV6 == v6 }
            if servers.count > 3 {
                let netName = p.networks[ni].decl.name
                add(Diagnostic(.routeWarning, "NIC `\(nic.decl.name)` gets \(servers.count) nameservers; the guest's resolver uses the first three",
                               at: nic.decl.nameSpan,
                               notes: [DiagnosticNote("the fourth nameserver of network `\(netName)`", at: servers[3].span)],
                               help: "keep at most three servers in the `dns` of network `\(netName)`"))
            }
        }
    }
}
