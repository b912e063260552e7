import WukongDiagnostics
import WukongNet

extension Checker {
    // MARK: - Node NICs: node addresses (N-SUBNET, N-RESERVED, N-DUP-IP, N-NODE-ADDR), N-MTU range

    mutating func checkNodeNics() {
        var seen: [IPAddress: Int] = [:]
        for (i, nic) in p.nics.enumerated() {
            let on = nic.host.map { " on host `\($0)`" } ?? ""
            if let m = nic.mtu { _ = checkMTURange(m, of: MTUInterface(.nic, nic.decl.name, host: nic.host)) }
            if let dhcp = nic.dhcp, dhcp.value, let a = nic.address {
                add(Diagnostic(.nodeAddress, "NIC `\(nic.decl.name)`\(on) has both a static `address` and `dhcp = true`",
                               at: dhcp.span, notes: [DiagnosticNote("static address here", at: a.span)],
                               help: "keep either `address` or `dhcp = true`"))
            }
            guard let a = nic.address else { continue }
            let net = a.value.network
            if let gw = nic.gateway, !net.contains(gw.value) {
                add(Diagnostic(.subnet, "gateway `\(gw.value)` is outside `\(net)`, the subnet of node address `\(a.value)`",
                               at: gw.span, notes: [DiagnosticNote("node address here", at: a.span)],
                               help: "use a gateway inside `\(net)`, or correct the address's prefix"))
            }
            if let what = net.reservedRole(of: a.value.address) {
                let (f, l) = net.usableRange
                add(Diagnostic(.reservedAddress, "node address `\(a.value)` is the \(what) address of `\(net)`", at: a.span,
                               help: "use an address between `\(f)` and `\(l)`"))
                continue
            }
            if let gw = nic.gateway, gw.value == a.value.address {
                add(Diagnostic(.reservedAddress, "node address `\(a.value)` is its own gateway", at: a.span,
                               notes: [DiagnosticNote("gateway here", at: gw.span)], help: "use the router's address as `gateway`"))
                continue
            }
            if let first = seen[a.value.address] {
                add(Diagnostic(.duplicateIP, "node address `\(a.value.address)` is already used", at: a.span,
                               notes: [ownerNote(.node(nicDecl: first))],
                               help: "give every node NIC its own address"))
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
                    add(Diagnostic(.vlan, "VLAN id \(id.value) of `\(v.decl.name)` is outside 1–4094", at: id.span,
                                   help: "use a VLAN id between 1 and 4094"))
                } else if let base = v.base {
                    let key = base.kind.rawValue + ":" + base.name + "#" + String(id.value)
                    if let first = ids[key] {
                        let f = p.vlans[first]
                        add(Diagnostic(.vlan, "VLAN id \(id.value) on `\(base.name)` is already used by `\(f.decl.name)`", at: id.span,
                                       notes: [DiagnosticNote("`\(f.decl.name)` declared here", at: f.id?.span ?? f.decl.nameSpan)],
                                       help: "use one VLAN declaration for id \(id.value) on `\(base.name)`"))
                    } else { ids[key] = i }
                }
            }
            if let m = v.mtu { _ = checkMTURange(m, of: MTUInterface(.vlan, v.decl.name)) }
            checkVlanMTU(v)
        }
        for b in p.bonds {
            if let m = b.mtu { _ = checkMTURange(m, of: MTUInterface(.bond, b.decl.name)) }
            if b.ports.isEmpty && !b.poisoned, let ps = b.portsSpan {
                add(Diagnostic(.port, "bond `\(b.decl.name)` has no ports", at: ps,
                               help: "list at least one NIC, VLAN or bond in `ports`"))
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
        struct Item { let name: String; let span: Span; let what: String; let written: Bool; var derived = false }
        var items: [Item] = []
        var seenNic = Set<String>()
        for nic in p.nics where seenNic.insert(nic.decl.name).inserted {
            items.append(Item(name: nic.decl.name, span: nic.decl.nameSpan, what: "NIC `\(nic.decl.name)`", written: false))
        }
        for v in p.vlans {
            if let n = v.ifname {
                items.append(Item(name: n.value, span: n.span, what: "VLAN `\(v.decl.name)`", written: true))
            } else if let n = vlanLinuxName(v) {
                items.append(Item(name: n, span: v.decl.nameSpan, what: "VLAN `\(v.decl.name)`", written: true, derived: true))
            }
        }
        for b in p.bonds {
            items.append(Item(name: b.ifname?.value ?? b.decl.name, span: b.ifname?.span ?? b.decl.nameSpan,
                              what: "bond `\(b.decl.name)`", written: b.ifname != nil))
        }
        for b in p.bridges {
            let kind = b.kind == .ovs ? "ovs-bridge" : "bridge"
            items.append(Item(name: b.ifname?.value ?? b.decl.name, span: b.ifname?.span ?? b.decl.nameSpan,
                              what: "\(kind) `\(b.decl.name)`", written: b.ifname != nil))
        }
        items.sort { precedes($0.span, $1.span) }
        var byName: [String: Int] = [:]
        for (i, it) in items.enumerated() {
            if let problem = linuxNameProblem(it.name) {
                let subject = it.derived ? "derived interface name `\(it.name)` of \(it.what)" : "interface name `\(it.name)` of \(it.what)"
                add(Diagnostic(.interfaceName, "\(subject) \(problem)", at: it.span,
                               help: "set `ifname = \"...\"` to a name of at most 15 bytes without `/`, `:` or whitespace"))
                continue
            }
            if let first = byName[it.name] {
                let f = items[first]
                guard f.written || it.written else { continue }   // two declarations with one name: a names error
                if f.derived && it.derived { continue }           // one VLAN id twice on one base: N-VLAN
                add(Diagnostic(.interfaceName, "interface name `\(it.name)` of \(it.what) is already used by \(f.what)", at: it.span,
                               notes: [DiagnosticNote("\(f.what) declared here", at: f.span)],
                               help: "give every node interface its own `ifname`"))
            } else {
                byName[it.name] = i
            }
        }
    }

    mutating func checkPorts() {
        struct Use { let owner: String; let ownerName: String; let link: LinkUse }
        var uses: [Use] = []
        for b in p.bridges {
            let kind = b.kind == .ovs ? "ovs-bridge" : "bridge"
            for l in b.ports { uses.append(Use(owner: "\(kind) `\(b.decl.name)`", ownerName: kind + ":" + b.decl.name, link: l)) }
        }
        for b in p.bonds {
            for l in b.ports { uses.append(Use(owner: "bond `\(b.decl.name)`", ownerName: "bond:" + b.decl.name, link: l)) }
        }
        uses.sort { precedes($0.link.span, $1.link.span) }
        var first: [String: Int] = [:]
        for (i, u) in uses.enumerated() {
            let key = u.link.kind.rawValue + ":" + u.link.name
            if let f = first[key] {
                let prev = uses[f]
                let message = prev.ownerName == u.ownerName
                    ? "`\(u.link.name)` is listed twice in the ports of \(u.owner)"
                    : "`\(u.link.name)` is already a port of \(prev.owner)"
                add(Diagnostic(.port, message, at: u.link.span,
                               notes: [DiagnosticNote("first used as a port here", at: prev.link.span)],
                               help: prev.ownerName == u.ownerName ? "remove the second `\(u.link.name)`"
                                   : "a link can be a port of one bridge or bond only: put a VLAN on it for the second"))
            } else {
                first[key] = i
            }
        }
        // A macvlan link that is enslaved to a bridge or bond.
        for n in p.networks {
            for a in n.attachments {
                guard case .macvlan(let l) = a.value, let f = first[l.kind.rawValue + ":" + l.name] else { continue }
                let u = uses[f]
                add(Diagnostic(.port, "macvlan network `\(n.decl.name)` sits on `\(l.name)`, which is a port of \(u.owner)",
                               at: a.span, notes: [DiagnosticNote("`\(l.name)` enslaved here", at: u.link.span)],
                               help: "the kernel refuses macvlan on an enslaved link: attach the network to the bridge instead, or use another link"))
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
        func name(_ n: Int) -> String { n < nv ? p.vlans[n].decl.name : p.bonds[n - nv].decl.name }
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
                    let path = stack[from...].map { "`\(name($0.node))`" } + ["`\(name(m))`"]
                    let message: String
                    if m == n {
                        message = n < nv ? "VLAN `\(name(n))` sits on itself" : "bond `\(name(n))` is among its own ports"
                    } else {
                        message = "link cycle: " + path.joined(separator: " → ")
                    }
                    add(Diagnostic(.port, message, at: es[e].span,
                                   help: "a VLAN's base and a bond's ports must lead down to node NICs, never back"))
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
                    let via = port.name == nic ? "" : " (under `\(port.name)`)"
                    let noun = missing.count == 1 ? "host" : "hosts"
                    add(Diagnostic(.host, "bridge `\(b.decl.name)` is built on \(noun) \(hostList(missing)), which \(missing.count == 1 ? "has" : "have") no NIC `\(nic)`\(via)",
                                   at: port.span, notes: [DiagnosticNote("host `\(p.hosts[h].decl.name)` declared here", at: p.hosts[h].decl.nameSpan)],
                                   help: "declare `nic \(nic)` inside \(hostList(missing)), or restrict the bridge with `hosts = [...]`"))
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
                add(Diagnostic(.host, "network `\(n)` is not available on host `\(pin.value)`, where VM `\(vm.decl.name)` is pinned",
                               at: use.span, notes: [DiagnosticNote("pinned here", at: pin.span)] + availabilityNote(ni),
                               help: hs.isEmpty ? "network `\(n)` exists on no host: fix its bridge's `hosts` or its link's NICs"
                                   : "pin the VM to \(hostList(hs)), or build the network's bridge on `\(pin.value)` too"))
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
                var notes: [DiagnosticNote] = []
                if let f = firstRestricted, f != k, let fu = vm.nics[f].network {
                    notes.append(DiagnosticNote("NIC `\(vm.nics[f].decl.name)` restricts the VM to \(hostList(common ?? []))", at: fu.span))
                }
                add(Diagnostic(.host, hs.isEmpty ? "network `\(n)` of VM `\(vm.decl.name)` is available on no host"
                                   : "the networks of VM `\(vm.decl.name)` share no host: `\(n)` is only on \(hostList(hs))",
                               at: use.span, notes: notes + availabilityNote(ni),
                               help: "build the bridges of the VM's networks on at least one common host"))
                return
            }
            if firstRestricted == nil { firstRestricted = k }
            common = next
        }
    }

    func availabilityNote(_ ni: Int) -> [DiagnosticNote] {
        switch attachment[ni] {
        case .bridge(let b)?, .ovs(let b)?:
            guard let br = bridge(b) else { return [] }
            guard let hs = br.hosts, let first = hs.first, let last = hs.last else {
                guard let built = networkHosts[ni] else { return [] }
                return [DiagnosticNote("bridge `\(b)` is built only on \(hostList(built)), where its ports exist",
                                       at: br.portsSpan ?? br.decl.nameSpan)]
            }
            return [DiagnosticNote("bridge `\(b)` is built only on \(hostList(Set(hs.compactMap { hostIndex[$0.value] })))",
                                   at: first.span.to(last.span))]
        case .macvlan(let l)?:
            return [DiagnosticNote("`\(l.name)` exists only on some hosts", at: l.span)]
        default: return []
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
                    let on = h.map { " on host `\(p.hosts[$0].decl.name)`" } ?? ""
                    add(Diagnostic(.nodeAddress, "bridge `\(b.decl.name)` would take over the node addresses of both `\(carriers[0].name)` and `\(carriers[1].name)`\(on)",
                                   at: carriers[1].span,
                                   notes: [DiagnosticNote("`\(carriers[0].name)` carries a node address too", at: carriers[0].span)],
                                   help: "a bridge can carry one node address: move the other NIC's address elsewhere, or use two bridges"))
                    break
                }
            }
            for port in nicPorts {
                for d in nicDecls[port.name] ?? [] {
                    let nic = p.nics[d]
                    guard let dhcp = nic.dhcp, dhcp.value, nic.address == nil else { continue }   // both: E0413
                    if let owner = nic.host, let hs = hostsOf(bridge: b), let hi = hostIndex[owner], !hs.contains(hi) { continue }
                    let on = nic.host.map { " on host `\($0)`" } ?? ""
                    add(Diagnostic(.nodeAddressWarning, "`\(nic.decl.name)`\(on) gets its node address by DHCP, and bridge `\(b.decl.name)` takes the lease over",
                                   at: dhcp.span, notes: [DiagnosticNote("port of `\(b.decl.name)` here", at: port.span)],
                                   help: "the bridge gets the NIC's MAC (`copy-mac-from`), but a DHCP server that keys leases on the client id may still hand out a new address: prefer a static `address`, or reserve the address on the server"))
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
                add(Diagnostic(.unusedWarning, "network `\(n.decl.name)` is not used by any NIC", at: n.decl.nameSpan,
                               help: "attach a VM NIC to it (`nic <name> on \(n.decl.name)`) or remove it"))
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
                case .bridge(let b), .ovs(let b): usedBridges.insert(b)
                case .sriov: break
                }
            }
        }
        for v in p.vlans where !v.poisoned && !usedLinks.contains("vlan:" + v.decl.name) {
            add(Diagnostic(.unusedWarning, "VLAN `\(v.decl.name)` is not used", at: v.decl.nameSpan,
                           help: "use it as a bridge port or a macvlan link, or remove it"))
        }
        for b in p.bonds where !b.poisoned && !usedLinks.contains("bond:" + b.decl.name) {
            add(Diagnostic(.unusedWarning, "bond `\(b.decl.name)` is not used", at: b.decl.nameSpan,
                           help: "use it as a bridge port, a VLAN base or a macvlan link, or remove it"))
        }
        for b in p.bridges where !b.poisoned && !usedBridges.contains(b.decl.name) {
            let carriesNodeAddress = b.ports.contains { port in
                port.kind == .nic && (nicDecls[port.name] ?? []).contains { p.nics[$0].address != nil || p.nics[$0].dhcp?.value == true }
            }
            if carriesNodeAddress { continue }
            let kind = b.kind == .ovs ? "ovs-bridge" : "bridge"
            add(Diagnostic(.unusedWarning, "\(kind) `\(b.decl.name)` is not used by any network", at: b.decl.nameSpan,
                           help: "attach a network to it (`network <name> { \(b.kind == .ovs ? "ovs" : "bridge") = \(b.decl.name) }`) or remove it"))
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
            case .bridge(let b)?, .ovs(let b)?: return bridgeIndex[b].flatMap { plan.bridgeHosts[$0] }.map(Set.init)
            default: return nil
            }
        }
    }
}

/// Why a Linux interface name is invalid (N-IFNAME), or nil.
func linuxNameProblem(_ name: String) -> String? {
    if name.isEmpty { return "is empty" }
    if name.utf8.count > 15 { return "is longer than 15 bytes (\(name.utf8.count))" }
    for s in name.unicodeScalars {
        if s == "/" { return "contains `/`" }
        if s == ":" { return "contains `:`" }
        if s.properties.isWhitespace || s.value < 0x20 { return "contains whitespace" }
    }
    if name == "." || name == ".." { return "is `\(name)`" }
    return nil
}
