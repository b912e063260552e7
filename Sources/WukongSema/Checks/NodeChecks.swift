import WukongDiagnostics
import WukongNet

extension Checker {
    // MARK: - Node NICs: node addresses (N-SUBNET, N-RESERVED, N-DUP-IP, N-NODE-ADDR), N-MTU range

    mutating func checkNodeNics() {
        var seen: [IPAddress: Int] = [:]
        for (i, nic) in p.nics.enumerated() {
            if let m = nic.mtu { _ = checkMTURange(m, of: MTUInterface(.nic, nic.decl.name, host: nic.host)) }
            if let dhcp = nic.dhcp, dhcp.value, let a = nic.address {
                add(.nodeAddressWithDHCP(nic: nic.decl.name, host: nic.host, at: dhcp.span, address: a.span))
            }
            guard let a = nic.address else { continue }
            let net = a.value.network
            if let gw = nic.gateway, !net.contains(gw.value) {
                add(.nodeGatewayOutsideSubnet(gateway: gw.value.description, subnet: net.description,
                                              address: a.value.description, at: gw.span, addressSpan: a.span))
            }
            if let role = net.reservedRole(of: a.value.address) {
                let (f, l) = net.usableRange
                add(.reservedNodeAddress(a.value.description, role: role, subnet: net.description,
                                         usable: (f.description, l.description), at: a.span))
                continue
            }
            if let gw = nic.gateway, gw.value == a.value.address {
                add(.nodeAddressIsOwnGateway(a.value.description, at: a.span, gateway: gw.span))
                continue
            }
            if let first = seen[a.value.address] {
                add(.duplicateNodeAddress(a.value.address.description, at: a.span, owner: ownerNote(.node(nicDecl: first))))
            } else {
                seen[a.value.address] = i
            }
        }
    }

    // MARK: - VLANs, bonds, bridges: N-VLAN, N-MTU, N-IFNAME, N-PORT, N-HOST, N-NODE-ADDR

    mutating func checkVlanDecls() {
        var ids: [String: Int] = [:]   // "<base kind>:<base>#<id>" → vlan
        for (i, v) in p.vlans.enumerated() {
            if let id = v.id {
                if !(1...4094).contains(id.value) {
                    add(.vlanIDOutOfRange(id.value, of: v.decl.name, at: id.span))
                } else if let base = v.base {
                    let key = base.kind.rawValue + ":" + base.name + "#" + String(id.value)
                    if let first = ids[key] {
                        let f = p.vlans[first]
                        add(.duplicateVLANID(id.value, on: base.name, usedBy: f.decl.name, at: id.span,
                                             firstSpan: f.id?.span ?? f.decl.nameSpan))
                    } else { ids[key] = i }
                }
            }
            if let m = v.mtu { _ = checkMTURange(m, of: MTUInterface(.vlan, v.decl.name)) }
            checkVlanMTU(v)
        }
        for b in p.bonds {
            if let m = b.mtu { _ = checkMTURange(m, of: MTUInterface(.bond, b.decl.name)) }
            if b.ports.isEmpty && !b.poisoned, let ps = b.portsSpan {
                add(.bondWithoutPorts(b.decl.name, at: ps))
            }
        }
        for b in p.bridges {
            if let m = b.mtu { _ = checkMTURange(m, of: MTUInterface(.bridge, b.decl.name)) }
            checkBridgeMTU(b)
        }
        checkMTUNicAddressing()
    }

    /// N-IFNAME for node interfaces, and two node interfaces with one Linux name.
    mutating func checkNodeInterfaceNames() {
        struct Item { let name: String; let span: Span; let what: NodeInterface; let written: Bool; var derived = false }
        var items: [Item] = []
        var seenNic = Set<String>()
        for nic in p.nics where seenNic.insert(nic.decl.name).inserted {
            items.append(Item(name: nic.decl.name, span: nic.decl.nameSpan, what: .nic(nic.decl.name), written: false))
        }
        for v in p.vlans {
            if let n = v.ifname {
                items.append(Item(name: n.value, span: n.span, what: .vlan(v.decl.name), written: true))
            } else if let n = vlanLinuxName(v) {
                items.append(Item(name: n, span: v.decl.nameSpan, what: .vlan(v.decl.name), written: true, derived: true))
            }
        }
        for b in p.bonds {
            items.append(Item(name: b.ifname?.value ?? b.decl.name, span: b.ifname?.span ?? b.decl.nameSpan,
                              what: .bond(b.decl.name), written: b.ifname != nil))
        }
        for b in p.bridges {
            items.append(Item(name: b.ifname?.value ?? b.decl.name, span: b.ifname?.span ?? b.decl.nameSpan,
                              what: b.interface, written: b.ifname != nil))
        }
        items.sort { precedes($0.span, $1.span) }
        var byName: [String: Int] = [:]
        for (i, it) in items.enumerated() {
            if let problem = linuxNameProblem(it.name) {
                add(.invalidInterfaceName(it.name, of: it.what, derived: it.derived, problem, at: it.span))
                continue
            }
            if let first = byName[it.name] {
                let f = items[first]
                guard f.written || it.written else { continue }   // two declarations with one name: a names error
                if f.derived && it.derived { continue }           // one VLAN id twice on one base: N-VLAN
                add(.duplicateInterfaceName(it.name, of: it.what, usedBy: f.what, at: it.span, firstSpan: f.span))
            } else {
                byName[it.name] = i
            }
        }
    }

    mutating func checkPorts() {
        struct Use { let owner: NodeInterface; let link: LinkUse }
        var uses: [Use] = []
        for b in p.bridges {
            for l in b.ports { uses.append(Use(owner: b.interface, link: l)) }
        }
        for b in p.bonds {
            for l in b.ports { uses.append(Use(owner: .bond(b.decl.name), link: l)) }
        }
        uses.sort { precedes($0.link.span, $1.link.span) }
        var first: [String: Int] = [:]
        for (i, u) in uses.enumerated() {
            let key = u.link.kind.rawValue + ":" + u.link.name
            if let f = first[key] {
                let prev = uses[f]
                add(.portUsedTwice(u.link.name, by: u.owner, firstBy: prev.owner, at: u.link.span, firstSpan: prev.link.span))
            } else {
                first[key] = i
            }
        }
        // A macvlan link that is enslaved to a bridge or bond.
        for n in p.networks {
            for a in n.attachments {
                guard case .macvlan(let l) = a.value, let f = first[l.kind.rawValue + ":" + l.name] else { continue }
                let u = uses[f]
                add(.macvlanOnPort(network: n.decl.name, link: l.name, portOf: u.owner, at: a.span, port: u.link.span))
            }
        }
        checkLinkCycles()
    }

    /// A bond among its own ports, a VLAN on itself, or any loop through VLAN bases and bond ports.
    mutating func checkLinkCycles() {
        let nv = p.vlans.count
        let count = nv + p.bonds.count
        guard count > 0 else { return }
        func node(_ l: LinkUse) -> Int? {
            switch l.kind {
            case .nic: return nil
            case .vlan: return vlanIndex[l.name]
            case .bond: return bondIndex[l.name].map { nv + $0 }
            }
        }
        func interface(_ n: Int) -> NodeInterface { n < nv ? .vlan(p.vlans[n].decl.name) : .bond(p.bonds[n - nv].decl.name) }
        func span(_ n: Int) -> Span { n < nv ? p.vlans[n].decl.span : p.bonds[n - nv].decl.span }
        func edges(_ n: Int) -> [LinkUse] {
            if n < nv { return p.vlans[n].base.map { [$0] } ?? [] }
            return p.bonds[n - nv].ports
        }
        var order = Array(0..<count)
        order.sort { precedes(span($0), span($1)) }
        var color = [UInt8](repeating: 0, count: count)   // 0 white, 1 on the stack, 2 done
        for start in order where color[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            color[start] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                let (n, e) = stack[top]
                let es = edges(n)
                if e >= es.count { color[n] = 2; stack.removeLast(); continue }
                stack[top].next = e + 1
                guard let m = node(es[e]) else { continue }
                if color[m] == 0 {
                    color[m] = 1
                    stack.append((m, 0))
                } else if color[m] == 1 {
                    let from = stack.lastIndex { $0.node == m } ?? top
                    add(.linkCycle(stack[from...].map { interface($0.node) }, at: es[e].span))
                }
            }
        }
    }

    /// N-HOST: a bridge built on a host that lacks one of its port NICs.
    mutating func checkBridgeHosts() {
        guard !p.hosts.isEmpty else { return }
        let all = Set(p.hosts.indices)
        for b in p.bridges where !b.poisoned && b.managed?.value != false {
            let targets = hostsOf(bridge: b) ?? all
            for port in b.ports {
                for nic in underlyingNics(port) {
                    guard let has = hostsHaving(nic: nic) else { continue }
                    let missing = targets.subtracting(has)
                    guard let h = missing.min() else { continue }
                    add(.bridgeHostLacksNic(bridge: b.decl.name, hosts: hostNames(missing), nic: nic,
                                            under: port.name == nic ? nil : port.name,
                                            at: port.span, hostSpan: p.hosts[h].decl.nameSpan))
                    break
                }
            }
        }
    }

    /// N-HOST for a VM: pinned to a host where one of its networks is not available, or networks with no common host.
    mutating func checkPlacement(_ v: Int) {
        guard !p.hosts.isEmpty else { return }
        let vm = p.vms[v]
        if let pin = vm.host {
            guard let h = hostIndex[pin.value] else { return }
            for nic in vm.nics {
                guard let use = nic.network, case .network(let n) = use.value, let ni = networkIndex[n],
                      let hs = networkHosts[ni], !hs.contains(h) else { continue }
                add(.networkNotOnPinnedHost(network: n, host: pin.value, vm: vm.decl.name, networkHosts: hostNames(hs),
                                            at: use.span, pin: pin.span, availability: availability(ni)))
            }
            return
        }
        guard !vm.poisoned else { return }
        var common: Set<Int>? = nil
        var firstRestricted: Int? = nil
        for (k, nic) in vm.nics.enumerated() {
            guard let use = nic.network, case .network(let n) = use.value, let ni = networkIndex[n],
                  let hs = networkHosts[ni] else { continue }
            let next = common.map { $0.intersection(hs) } ?? hs
            if next.isEmpty {
                var restrictedBy: (nic: String, hosts: [String], span: Span)? = nil
                if let f = firstRestricted, f != k, let fu = vm.nics[f].network {
                    restrictedBy = (vm.nics[f].decl.name, hostNames(common ?? []), fu.span)
                }
                add(.networksShareNoHost(vm: vm.decl.name, network: n, networkHosts: hostNames(hs), restrictedBy: restrictedBy,
                                         at: use.span, availability: availability(ni)))
                return
            }
            if firstRestricted == nil { firstRestricted = k }
            common = next
        }
    }

    /// Where network `ni` is available, for a note at its attachment.
    func availability(_ ni: Int) -> NetworkAvailability? {
        switch attachment[ni] {
        case .bridge(let b)?, .ovs(let b)?, .localnet(let b)?:
            guard let br = bridge(b) else { return nil }
            guard let hs = br.hosts, let first = hs.first, let last = hs.last else {
                guard let built = networkHosts[ni] else { return nil }
                return .bridgeWherePortsExist(bridge: b, hosts: hostNames(built), span: br.portsSpan ?? br.decl.nameSpan)
            }
            return .bridgeHosts(bridge: b, hosts: hostNames(Set(hs.compactMap { hostIndex[$0.value] })),
                                span: first.span.to(last.span))
        case .macvlan(let l)?:
            return .macvlanLink(l.name, span: l.span)
        default: return nil
        }
    }

    /// N-NODE-ADDR: one bridge taking node addresses from two of its ports on one host; DHCP on a port NIC.
    mutating func checkBridgeNodeAddresses() {
        let allHosts: [Int?] = p.hosts.isEmpty ? [nil] : p.hosts.indices.map { $0 }
        for b in p.bridges where b.managed?.value != false {
            let nicPorts = b.ports.filter { $0.kind == .nic }
            guard !nicPorts.isEmpty else { continue }
            let targets: [Int?] = hostsOf(bridge: b).map { $0.sorted().map { Optional($0) } } ?? allHosts
            for h in targets {
                let carriers = nicPorts.filter { port in
                    nicDecls(port.name, onHost: h).contains { $0.address != nil || $0.dhcp?.value == true }
                }
                if carriers.count >= 2 {
                    add(.bridgeTakesTwoNodeAddresses(bridge: b.decl.name, first: carriers[0].name, second: carriers[1].name,
                                                     host: h.map { p.hosts[$0].decl.name },
                                                     at: carriers[1].span, firstSpan: carriers[0].span))
                    break
                }
            }
            for port in nicPorts {
                for d in nicDecls[port.name] ?? [] {
                    let nic = p.nics[d]
                    guard let dhcp = nic.dhcp, dhcp.value, nic.address == nil else { continue }   // both: E0413
                    if let owner = nic.host, let hs = hostsOf(bridge: b), let hi = hostIndex[owner], !hs.contains(hi) { continue }
                    add(.dhcpNodeAddressOnBridgePort(nic: nic.decl.name, host: nic.host, bridge: b.decl.name,
                                                     at: dhcp.span, port: port.span))
                }
            }
        }
    }

    // MARK: - N-UNUSED

    mutating func checkUnused() {
        var usedNetworks = Set<String>()
        var networkRefFailed = false
        for vm in p.vms {
            if vm.poisoned { networkRefFailed = true }
            for nic in vm.nics {
                guard let use = nic.network else { networkRefFailed = true; continue }
                if case .network(let n) = use.value { usedNetworks.insert(n) }
            }
        }
        let linkRefFailed = p.networks.contains(where: \.poisoned) || p.bridges.contains(where: \.poisoned)
            || p.bonds.contains(where: \.poisoned) || p.vlans.contains(where: \.poisoned)
        if !networkRefFailed {
            for n in p.networks where !n.poisoned && !usedNetworks.contains(n.decl.name) {
                add(.unusedNetwork(n.decl.name, at: n.decl.nameSpan))
            }
        }
        guard !linkRefFailed else { return }
        var usedLinks = Set<String>()
        var usedBridges = Set<String>()
        for b in p.bridges { for l in b.ports { usedLinks.insert(l.kind.rawValue + ":" + l.name) } }
        for b in p.bonds { for l in b.ports { usedLinks.insert(l.kind.rawValue + ":" + l.name) } }
        for v in p.vlans { if let l = v.base { usedLinks.insert(l.kind.rawValue + ":" + l.name) } }
        for n in p.networks {
            for a in n.attachments {
                switch a.value {
                case .macvlan(let l): usedLinks.insert(l.kind.rawValue + ":" + l.name)
                case .bridge(let b), .ovs(let b), .localnet(let b): usedBridges.insert(b)
                case .sriov, .layer2: break
                }
            }
        }
        for v in p.vlans where !v.poisoned && !usedLinks.contains("vlan:" + v.decl.name) {
            add(.unusedLink(.vlan(v.decl.name), at: v.decl.nameSpan))
        }
        for b in p.bonds where !b.poisoned && !usedLinks.contains("bond:" + b.decl.name) {
            add(.unusedLink(.bond(b.decl.name), at: b.decl.nameSpan))
        }
        for b in p.bridges where !b.poisoned && !usedBridges.contains(b.decl.name) {
            let carriesNodeAddress = b.ports.contains { port in
                port.kind == .nic && (nicDecls[port.name] ?? []).contains { p.nics[$0].address != nil || p.nics[$0].dhcp?.value == true }
            }
            if carriesNodeAddress { continue }
            add(.unusedLink(b.interface, at: b.decl.nameSpan))
        }
    }

    mutating func computeNetworkHosts() {
        let plan = PolicyGrouping.plan(p)
        self.plan = plan
        networkHosts = p.networks.indices.map { i -> Set<Int>? in
            guard !p.hosts.isEmpty else { return nil }
            switch attachment[i] {
            // only bridges restrict placement (LANGUAGE.md §6/§7; lowering's affinity does the same),
            // on the hosts where the policy grouping builds them
            case .bridge(let b)?, .ovs(let b)?, .localnet(let b)?: return bridgeIndex[b].flatMap { plan.bridgeHosts[$0] }.map(Set.init)
            default: return nil
            }
        }
    }
}

/// Why a Linux interface name is invalid (N-IFNAME), or nil.
func linuxNameProblem(_ name: String) -> InterfaceNameProblem? {
    if name.isEmpty { return .empty }
    if name.utf8.count > 15 { return .tooLong(bytes: name.utf8.count) }
    for s in name.unicodeScalars {
        if s == "/" { return .slash }
        if s == ":" { return .colon }
        if s.properties.isWhitespace || s.value < 0x20 { return .whitespace }
    }
    if name == "." || name == ".." { return .dots(name) }
    return nil
}

extension BridgeDecl {
    /// How messages name this bridge.
    var interface: NodeInterface { .bridge(decl.name, ovs: kind == .ovs) }
}
