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
        checkPodBinding(vm)
    }

    // MARK: - N-BINDING

    /// `binding` chooses the pod NIC's binding; a NIC on a network gets its network's.
    mutating func checkPodBinding(_ vm: VMDecl) {
        for nic in vm.nics {
            guard let b = nic.binding, case .network(let n)? = nic.network?.value, let use = nic.network else { continue }
            add(.bindingOnSecondaryNic(nic: nic.decl.name, network: n, at: b.span, networkAt: use.span))
        }
    }

    // MARK: - V-IMAGE, V-IMAGE-TAG

    mutating func checkImage(_ vm: VMDecl) {
        if let image = vm.image, let problem = Checker.imageTagProblem(image.value) {
            add(.imageNotPinned(image.value, vm: vm.decl.name, problem: problem, at: image.span))
        }
        // the image the guest boots: the VM's, or its boot disk's (whose tag checkDisk checks)
        var boot = vm.image
        if let b = vm.bootDisk, vm.disks[b].source == .image { boot = vm.disks[b].sourceValue }
        guard let image = boot, vm.networkConfig == .none else { return }
        func unapplied(_ setting: CloudInitSetting, at span: Span) {
            add(.neverApplied(setting, vm: vm.decl.name, at: span, image: image.span))
        }
        for nic in vm.nics {
            if let a = nic.address, a.value.needsSubnet {
                unapplied(.address(nic: nic.decl.name), at: a.span)
            }
            if let i = nic.ifname {
                unapplied(.ifname(nic: nic.decl.name), at: i.span)
            }
            if case .network(let n)? = nic.network?.value, let (_, net) = network(n), !net.routes.isEmpty, let use = nic.network {
                unapplied(.routes(network: n, nic: nic.decl.name), at: use.span)
            }
        }
        for u in vm.users {
            unapplied(.user(u.decl.name), at: u.decl.nameSpan)
        }
        if let r = vm.run.first {
            unapplied(.run, at: r.span)
        }
        if let c = vm.cloudConfig {
            unapplied(.cloudConfig, at: c.span)
        }
    }

    /// Why `ref` is not pinned; nil when it has a digest or a tag other than `latest`. Scans
    /// without allocating (fleets repeat one image thousands of times).
    static func imageTagProblem(_ ref: String) -> ImageTagProblem? {
        // on the contiguous UTF-8 bytes: `String.contains(String)` goes through Foundation's
        // string search, and the generic `UTF8View` index walk is several times slower
        var ref = ref
        return ref.withUTF8 { bytes in
            if bytes.contains(UInt8(ascii: "@")) { return nil }
            let name = bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
            guard let colon = bytes[name...].lastIndex(of: UInt8(ascii: ":")) else { return .untagged }
            return bytes[(colon + 1)...].elementsEqual("latest".utf8) ? .latest : nil
        }
    }

    // MARK: - N-MIGRATE

    mutating func checkEviction(_ vm: VMDecl) {
        guard let e = vm.eviction, EvictionMode(rawValue: e.value) == .liveMigrate else { return }
        for nic in vm.nics {
            guard case .network(let n)? = nic.network?.value, let (_, net) = network(n), net.attachments.count == 1,
                  !net.attachments[0].value.binding.canLiveMigrate else { continue }
            add(.cannotLiveMigrate(vm: vm.decl.name, nic: nic.decl.name, network: n, at: e.span,
                                   nicAt: nic.network?.span ?? nic.decl.nameSpan))
            return
        }
    }

    // MARK: - N-ROUTE: reply path, metrics, nameservers

    mutating func checkGuestRoutes(_ vm: VMDecl) {
        var metricNearLimit = false
        for nic in vm.nics {
            guard let m = nic.metric else { continue }
            if !GuestNic.metricRange.contains(m.value) {
                add(.metricOutOfRange(m.value, nic: nic.decl.name, at: m.span))
            } else if GuestNic.demotedMetric(below: m.value) == nil {
                metricNearLimit = true
            }
        }
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
                rule.append(.init(isPod: false, explicit: nic.defaultRoute?.value, networkHasGateway: p.networks[ni].gateway != nil || p.networks[ni].gateway6 != nil))
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
            let podNic = vm.nics[pod].decl.name, podAt = vm.nics[pod].network?.span ?? vm.nics[pod].decl.nameSpan
            if let b = vm.nics[pod].binding, b.value == .passt {
                // neither cluster routes nor a policy can be written: one warning says so
                add(.replyPathWithPasst(vm: vm.decl.name, nic: outNic.decl.name, at: at, podNic: podNic, podAt: podAt,
                                        bindingAt: b.span))
            } else if p.clusterCIDRs.isEmpty {
                add(.defaultRouteWithoutClusterCIDRs(vm: vm.decl.name, nic: outNic.decl.name, at: at, podNic: podNic, podAt: podAt))
            }
            if vm.nics[pod].binding?.value != .passt, vm.networkConfig != .netplan, let image = vm.image {
                add(.replyPathWithoutPolicy(vm: vm.decl.name, nic: outNic.decl.name, at: at, podNic: podNic, podAt: podAt,
                                            networkConfig: vm.networkConfig.rawValue, image: image.span))
            }
        }
        func isStatic(_ k: Int) -> Bool {
            GuestNic.hasStaticAddress(writesAddress: vm.nics[k].address?.value.needsSubnet ?? false,
                                      ipam: nets[k] < 0 ? nil : p.networks[nets[k]].ipamMode)
        }
        if metricNearLimit {
            // the worst declared default route, and a DHCP NIC whose learned default route goes below it
            var worst: (metric: Int, nic: Int)? = nil
            for k in vm.nics.indices where carriers[k] && nets[k] >= 0 && isStatic(k) {
                let m = vm.nics[k].metric?.value ?? GuestNic.defaultRouteMetric
                if m > worst?.metric ?? Int.min { worst = (m, k) }
            }
            if let worst, GuestNic.demotedMetric(below: worst.metric) == nil, GuestNic.metricRange.contains(worst.metric),
               let demoted = vm.nics.indices.first(where: { !carriers[$0] && !isStatic($0) && vm.nics[$0].metric == nil }),
               let at = vm.nics[worst.nic].metric?.span {
                add(.metricLeavesNoRoomForDemotion(worst.metric, nic: vm.nics[worst.nic].decl.name, at: at,
                                                   demoted: vm.nics[demoted].decl.name,
                                                   demotedAt: vm.nics[demoted].network?.span ?? vm.nics[demoted].decl.nameSpan))
            }
        }
        for (k, nic) in vm.nics.enumerated() {
            let ni = nets[k]
            let staticAddress = isStatic(k)
            if let m = nic.metric, staticAddress,
               !GuestNic.carriesRoute(defaultRoute: carriers[k], networkRoutes: ni >= 0 && !p.networks[ni].routes.isEmpty) {
                add(.metricWithoutRoute(nic: nic.decl.name, at: m.span))
            }
            guard ni >= 0, p.networks[ni].dns.count > 3 else { continue }
            let v6: Bool
            if staticAddress, case .ip(let a)? = nic.address?.value { v6 = a.isV6 }
            else if staticAddress, case .ifaddr(let a)? = nic.address?.value { v6 = a.address.isV6 }
            else { v6 = p.networks[ni].subnet?.value.isV6 ?? false }
            let servers = p.networks[ni].dns.filter { $0.value.isV6 == v6 }
            if servers.count > 3 {
                add(.tooManyNameservers(nic: nic.decl.name, count: servers.count, network: p.networks[ni].decl.name,
                                        at: nic.decl.nameSpan, fourth: servers[3].span))
            }
        }
    }
}
