import WukongDiagnostics
import WukongNet
import WukongSyntax

// Member access `x.y` (LANGUAGE.md §4 "Built-in members"): modules and records, the built-in
// members of `MemberTable` (LanguageTable.swift), the attributes of resources and VM NICs
// (`Schema`), and the on-demand `auto` allocation behind `vm.nic.address`.

extension Engine {
    func member(of b: LValue, _ m: Identifier, span: Span) -> LValue {
        let name = m.name
        func unknown(_ owner: MemberOwner, _ candidates: [String]) -> LValue {
            report(.noMember(name, of: owner, candidates: candidates, at: m.span))
            return .error(span)
        }
        switch b.value {
        case .error:
            return .error(span)
        case .module(let mi):
            let mod = namespace.modules[mi]
            guard let g = mod.globals[name] else { return unknown(.module(mod.name), mod.order) }
            switch g.entry {
            case .letSlot(let s): return LValue(force(s).value, span)
            case .module(let other): return LValue(.module(other), span)
            case .fn:
                report(.functionNotAValue("\(mod.name).\(name)", at: m.span))
                return .error(span)
            default: return .error(span)
            }
        case .record(let r):
            guard let v = r[name] else { return unknown(.record, r.keys) }
            return LValue(v.value, v.value.isCompound ? v.span : span)
        default:
            break
        }
        // the built-in members of `MemberTable`
        guard let shape = b.value.shape else { return unknown(.type(b.value.type.description), []) }
        if let rule = MemberTable.rule(shape, name) {
            if rule.isMethod {
                report(.methodNotCalled(rule.name, of: b.value.type.description, callHint: rule.callHint, at: m.span))
                return .error(span)
            }
            return rule.eval(self, b, [], m, span)
        }
        // the attributes of resources and VM NICs (`Schema`)
        switch b.value {
        case .ref(let r): return resourceMember(r, m, span: span)
        case .vmNic(let vm, let nic): return nicMember(vm: vm, nic: nic, m, span: span)
        default: return unknown(.type(b.value.type.description), MemberTable.names(of: shape))
        }
    }

    func resourceMember(_ r: Ref, _ m: Identifier, span: Span) -> LValue {
        let name = m.name
        guard r.instance >= 0, r.instance < store.instances.count else { return .error(span) }
        let idx = r.instance
        let inst = store.instances[idx]
        ensureExpanded(idx)
        if inst.kind == .vm, Schema.attribute(name, of: .vm) == nil {
            for c in inst.children where store.instances[c].kind == .nic && store.instances[c].name == name {
                return LValue(.vmNic(vm: idx, nic: name), span)
            }
        }
        if inst.kind == .vlan && name == "base", let on = inst.onSlot {
            return LValue(force(inst, on).value, span)
        }
        guard Schema.attribute(name, of: inst.block) != nil else {
            var candidates = MemberTable.names(of: .ref) + Schema.attributes(of: inst.block).map(\.name)
            if inst.kind == .vm {
                candidates += inst.children.compactMap { store.instances[$0].kind == .nic ? store.instances[$0].name : nil }
            }
            report(.noMember(name, of: .resource(keyword: r.kind.keyword, name: r.name), candidates: candidates, at: m.span))
            return .error(span)
        }
        if let slot = inst.attr(name) {
            let v = force(inst, slot)
            return LValue(v.value, v.value.isCompound ? v.span : span)
        }
        switch (inst.block, name) {
        case (.host, "hostname"): return LValue(.string(inst.name), span)
        case (.bridge, "stp"): return LValue(.bool(false), span)
        case (.bridge, "managed"), (.ovsBridge, "managed"), (.vm, "running"): return LValue(.bool(true), span)
        case (.network, "ipam"): return LValue(.string("none"), span)
        case (_, "dns"), (_, "search"), (_, "routes"), (_, "run"), (_, "ports"), (_, "ssh_keys"), (_, "groups"):
            return LValue(.list([]), span)
        default:
            report(.unsetAttribute(name, of: r.kind.keyword, r.name, at: span, declared: inst.nameSpan))
            return .error(span)
        }
    }

    /// `vm.nic.network`.
    func nicNetwork(vm: Int, nic: String, span: Span) -> LValue {
        guard let idx = store.vmNic(vm, named: nic), let on = store.instances[idx].onSlot else { return .error(span) }
        return LValue(force(store.instances[idx], on).value, span)
    }

    /// `vm.nic.address`: the NIC's address, allocated when it is `auto`.
    func nicAddress(vm: Int, nic: String, span: Span) -> LValue {
        guard let idx = store.vmNic(vm, named: nic) else { return .error(span) }
        let inst = store.instances[idx]
        let full = "\(store.instances[vm].name).\(nic)"
        guard let slot = inst.attr("address") else {
            report(.nicAddressByDHCP(full, at: span, declared: inst.nameSpan))
            return .error(span)
        }
        let v = force(inst, slot)
        switch v.value {
        case .ip(let a): return LValue(.ip(a), span)
        case .ifaddr(let a): return LValue(.ip(a.address), span)
        case .dhcp:
            report(.nicAddressByDHCP(full, at: span, declared: inst.attrs[slot].nameSpan))
            return .error(span)
        case .auto:
            return allocated(idx, span: span)
        case .list(let xs):
            // dual-stack `[v4, v6]`: the member is the IPv4 address, as for `auto` (docs/decisions.md)
            let ips = xs.compactMap { x -> IPAddress? in
                if case .ip(let a) = x.value { return a }
                if case .ifaddr(let a) = x.value { return a.address }
                return nil
            }
            guard let a = ips.first(where: { !$0.isV6 }) ?? ips.first else { return .error(span) }
            return LValue(.ip(a), span)
        default:
            return .error(span)
        }
    }

    /// The `Schema.vmNic` attributes of `vm.nic` (its built-in members are in `MemberTable`).
    func nicMember(vm: Int, nic: String, _ m: Identifier, span: Span) -> LValue {
        guard let idx = store.vmNic(vm, named: nic) else { return .error(span) }
        let inst = store.instances[idx]
        let full = "\(store.instances[vm].name).\(nic)"
        guard Schema.attribute(m.name, of: .vmNic) != nil else {
            report(.noMember(m.name, of: .vmNic(full), candidates: MemberTable.names(of: .vmNic) + Schema.vmNic.map(\.name),
                             at: m.span))
            return .error(span)
        }
        guard let slot = inst.attr(m.name) else {
            report(.unsetNicAttribute(m.name, nic: full, at: span, declared: inst.nameSpan))
            return .error(span)
        }
        let v = force(inst, slot)
        return LValue(v.value, span)
    }

    // MARK: - auto

    /// The address `auto` gives a VM NIC (LANGUAGE.md §5.6), computed once for every network on
    /// first use. An exhausted pool or a missing subnet yields `.error` silently: the topology
    /// checks report those.
    func allocated(_ nic: Int, span: Span) -> LValue {
        if expanding {
            report(.autoAddressDuringExpansion(at: span))
            return .error(span)
        }
        if store.allocating {
            report(.autoAddressInOwnAllocation(at: span))
            return .error(span)
        }
        if store.allocation == nil { store.allocating = true; runAllocation(); store.allocating = false }
        if let a = store.allocation?[nic] { return LValue(.ip(a), span) }
        return .error(span)
    }

    /// Allocates every `auto` address at once (`AutoAllocation`, the implementation lowering
    /// uses too), from the evaluated networks, statics and node addresses.
    func runAllocation() {
        store.allocation = [:]
        var requests: [(nic: Int, network: Int)] = []
        var statics: [(nic: Int, network: Int, address: IPAddress)] = []
        var networkSlot: [Int: Int] = [:]  // network instance → index in `nets`
        var nets: [Int] = []
        for vm in store.ordered where store.instances[vm].kind == .vm && !store.instances[vm].excluded {
            ensureExpanded(vm)
            for c in store.instances[vm].children {
                let nic = store.instances[c]
                guard nic.kind == .nic, !nic.excluded, let on = nic.onSlot else { continue }
                guard case .ref(let r) = force(nic, on).value, r.kind == .network else { continue }
                let n: Int
                if let known = networkSlot[r.instance] { n = known } else {
                    n = nets.count
                    networkSlot[r.instance] = n
                    nets.append(r.instance)
                }
                guard let slot = nic.attr("address") else { continue }
                switch force(nic, slot).value {
                case .ip(let a): statics.append((c, n, a))
                case .ifaddr(let a): statics.append((c, n, a.address))
                case .auto: requests.append((c, n))
                case .list(let xs):   // dual-stack `[v4, v6]`
                    for x in xs {
                        if case .ip(let a) = x.value { statics.append((c, n, a)) }
                        if case .ifaddr(let a) = x.value { statics.append((c, n, a.address)) }
                    }
                default: break
                }
            }
        }
        guard !requests.isEmpty else { return }
        var nodeAddresses: [IPAddress] = []
        for inst in store.instances where inst.block == .nodeNic && !inst.excluded {
            if let slot = inst.attr("address"), case .ifaddr(let a) = force(inst, slot).value { nodeAddresses.append(a.address) }
        }
        var domainIDs: [String: Int] = [:]
        var domains: [Int] = []
        var pools: [AutoAllocation.NetworkPool?] = []
        for netIdx in nets {
            let net = store.instances[netIdx]
            ensureExpanded(netIdx)
            var attachments: [AttachmentUse] = []
            var vlan: Int? = nil
            for s in net.attrs.indices {
                let name = net.attrs[s].name
                guard ["bridge", "ovs", "macvlan", "sriov", "overlay", "localnet", "vlan"].contains(name) else { continue }
                switch (name, force(net, s).value) {
                case ("bridge", .ref(let r)): attachments.append(.bridge(name: r.name))
                case ("ovs", .ref(let r)): attachments.append(.ovs(name: r.name))
                case ("macvlan", .ref(let r)):
                    let kind: LinkDeclKind
                    switch r.kind {
                    case .nic: kind = .nic
                    case .vlan: kind = .vlan
                    case .bond: kind = .bond
                    default: continue
                    }
                    attachments.append(.macvlan(LinkUse(kind: kind, name: r.name, span: net.span)))
                case ("sriov", .string(let res)): attachments.append(.sriov(resource: res))
                case ("overlay", .string(let t)) where OverlayTopology(rawValue: t) == .layer2: attachments.append(.layer2)
                case ("localnet", .ref(let r)): attachments.append(.localnet(bridge: r.name))
                case ("vlan", .int(let v)): vlan = v
                default: continue
                }
            }
            let key = L2Domain.key(attachments.count == 1 ? attachments[0] : nil, vlan: vlan, network: net.name)
            let domain = domainIDs[key] ?? domainIDs.count
            domainIDs[key] = domain
            domains.append(domain)
            // the member is the IPv4 address on a dual-stack network: the values of the subnet's
            // family, placed by the rules Build uses (`splitFamilies`, `placeFamilies`)
            func values<T>(_ name: String, _ f: (Value) -> T?) -> [Located<T>] {
                guard let slot = net.attr(name) else { return [] }
                let v = force(net, slot)
                if case .list(let xs) = v.value { return xs.compactMap { x in f(x.value).map { Located($0, x.span) } } }
                return f(v.value).map { [Located($0, v.span)] } ?? []
            }
            let subnets = splitFamilies(values("subnet") { if case .cidr(let c) = $0 { return c }; return nil },
                                        isV6: \.isV6, primaryIsV6: nil, allowSecond: true)
            guard let subnet = subnets.primary?.value else {
                pools.append(nil)
                continue
            }
            let dual = subnets.secondary != nil
            var pool: (first: IPAddress, last: IPAddress)? = nil
            let pools1 = values("pool") { v -> (IPAddress, IPAddress)? in
                if case .range(.ip(let f, let l)) = v { return (f, l) }; return nil
            }
            if let p = placeFamilies(pools1, isV6: { $0.0.isV6 }, subnetIsV6: subnet.isV6, dual: dual).primary { pool = p.value }
            var reserved: [IPAddress] = []
            let gateways = values("gateway") { if case .ip(let a) = $0 { return a }; return nil }
            if let g = placeFamilies(gateways, isV6: \.isV6, subnetIsV6: subnet.isV6, dual: dual).primary { reserved.append(g.value) }
            if let d = net.attr("dns"), case .list(let xs) = force(net, d).value {
                for x in xs { if case .ip(let a) = x.value { reserved.append(a) } }
            }
            if let rs = net.attr("routes"), case .list(let xs) = force(net, rs).value {
                for x in xs { if case .record(let rec) = x.value, case .ip(let a)? = rec["via"]?.value { reserved.append(a) } }
            }
            pools.append(AutoAllocation.NetworkPool(subnet: subnet, pool: pool, reserved: reserved, domain: domain))
        }
        var staticsPerDomain = [[IPAddress]](repeating: [], count: domainIDs.count)
        for s in statics { staticsPerDomain[domains[s.network]].append(s.address) }
        let addresses = AutoAllocation.allocate(networks: pools, statics: staticsPerDomain, nodeAddresses: nodeAddresses,
                                                requests: requests.map(\.network))
        var result: [Int: IPAddress] = [:]
        for (r, a) in zip(requests, addresses) { if let a { result[r.nic] = a } }
        store.allocation = result
    }
}
