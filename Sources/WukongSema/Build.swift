import WukongDiagnostics
import WukongNet
import WukongSyntax

// Phase 3: force every attribute of every resource in source order and build the
// `CheckedProgram`. A value that failed is absent here and its owner is `poisoned`.

extension Engine {
    func run() -> CheckedProgram {
        let statics = registerStatic()
        markRecursive(namespace.topLevelFns, table: namespace.globals)
        for f in namespace.topLevelFns { for p in f.decl.parameters { checkShadow(p.name, namespace.rootEnv) } }
        for idx in statics where store.instances[idx].kind == .host { ensureExpanded(idx) }
        var cursor = 0
        for file in files { expandFile(file, statics: statics, cursor: &cursor) }
        expanding = false

        let program = build()
        for s in namespace.topLevelLets { _ = force(s) }
        for l in namespace.localLets where l.slot.state != .done { _ = force(l.slot) }
        for a in asserts { checkAssert(a) }
        reportLoopAssertFailures()
        typeFunctionBodies()
        typeUntakenBodies()
        typer.merge(into: &diagnostics)
        return program
    }

    func checkAssert(_ a: DeferredAssert) {
        let c = eval(a.condition, a.env)
        switch c.value {
        case .bool(true), .error: return
        case .bool(false):
            var text: String? = nil
            if let m = a.message {
                let v = eval(m, a.env)
                switch v.value {
                case .string(let s): text = s
                case .error: break
                default:
                    guard let t = v.value.text(limit: Engine.maxStringBytes) else {
                        report(.stringTooLarge(at: v.span))
                        return
                    }
                    text = t
                }
            }
            let key = "\(a.span)|\(text ?? "")"
            if let i = loopAssertIndex[key] {
                // the iteration's text only while it is among those shown (a loop may fail 10⁶ times)
                loopAssertFailures[i].count += 1
                if loopAssertFailures[i].iterations.count < Engine.assertIterationsShown, let it = loopIteration(a.env) {
                    loopAssertFailures[i].iterations.append(it.text)
                }
                return
            }
            guard let iteration = loopIteration(a.env) else {
                report(.assertionFailed(message: text, at: a.span))
                return
            }
            loopAssertIndex[key] = loopAssertFailures.count
            loopAssertFailures.append(LoopAssertFailure(message: text, span: a.span, iterations: [iteration.text],
                                                        valueSpan: iteration.span, count: 1))
        default:
            report(.assertNotBool(found: c.value.type.description, at: c.span))
        }
    }

    /// How many failing iterations of one `assert` its note names.
    static let assertIterationsShown = 3

    /// An `assert` in a `for` fails once per iteration at one span: one error, whose note names
    /// the iterations (`i = 3`, `i = 4` and 97 more), as Terraform names `web[3]`.
    func reportLoopAssertFailures() {
        for f in loopAssertFailures {
            report(.assertionFailed(message: f.message, at: f.span)
                .failing(in: f.iterations, more: f.count - f.iterations.count, at: f.valueSpan))
        }
        loopAssertFailures = []
        loopAssertIndex = [:]
    }

    /// The loop variables bound around `env` (`i = 3`, outer loops first) and the span of the
    /// innermost one's value; nil outside every loop.
    func loopIteration(_ env: Env) -> (text: String, span: Span)? {
        var parts: [String] = []
        var span: Span? = nil
        var e: Env? = env
        while let scope = e, scope.parent != nil {
            for (name, binding) in zip(scope.names, scope.bindings).reversed() {
                guard case .value(let v) = binding else { continue }
                parts.append("\(name) = " + (v.value.quotedText(limit: 40) ?? "…"))
                if span == nil { span = v.span }
            }
            e = scope.parent
        }
        guard let span, !parts.isEmpty else { return nil }
        return (parts.reversed().joined(separator: ", "), span)
    }

    // MARK: - Accessors

    func value(_ inst: Instance, _ name: String) -> LValue? {
        guard let s = inst.attr(name) else { return nil }
        let v = force(inst, s)
        return v.value.isError ? nil : v
    }
    func string(_ inst: Instance, _ name: String) -> Located<String>? { value(inst, name).flatMap(Self.string) }
    func int(_ inst: Instance, _ name: String) -> Located<Int>? { value(inst, name).flatMap(Self.int) }
    func bool(_ inst: Instance, _ name: String) -> Located<Bool>? { value(inst, name).flatMap(Self.bool) }
    func ip(_ inst: Instance, _ name: String) -> Located<IPAddress>? {
        guard let v = value(inst, name), case .ip(let a) = v.value else { return nil }
        return Located(a, v.span)
    }
    /// A per-family attribute (`subnet`, `gateway`, `pool`, a NIC's `address`): its one value or
    /// the values of its list, converted by `f` (values `f` rejects were reported by evaluation).
    func perFamily<T>(_ inst: Instance, _ name: String, _ f: (Value) -> T?) -> [Located<T>] {
        value(inst, name).map { Self.perFamily($0, f) } ?? []
    }
    /// The values of a per-family attribute (`subnet = [a, b]` or one value) that `f` converts.
    static func perFamily<T>(_ v: LValue, _ f: (Value) -> T?) -> [Located<T>] {
        if case .list(let xs) = v.value { return xs.compactMap { x in f(x.value).map { Located($0, x.span) } } }
        return f(v.value).map { [Located($0, v.span)] } ?? []
    }
    func list(_ inst: Instance, _ name: String) -> [LValue] {
        guard let v = value(inst, name), case .list(let xs) = v.value else { return [] }
        return xs
    }
    func ips(_ inst: Instance, _ name: String) -> [Located<IPAddress>] {
        list(inst, name).compactMap { if case .ip(let a) = $0.value { return Located(a, $0.span) }; return nil }
    }
    func strings(_ inst: Instance, _ name: String) -> [Located<String>] { value(inst, name).map(Self.strings) ?? [] }
    func labels(_ inst: Instance, _ name: String) -> [LabelEntry] { value(inst, name).map(Self.labels) ?? [] }
    func links(_ inst: Instance, _ name: String) -> [LinkUse] {
        list(inst, name).compactMap { x in
            if case .ref(let r) = x.value { return linkUse(r, x.span) }
            return nil
        }
    }
    func linkUse(_ r: Ref, _ span: Span) -> LinkUse? {
        switch r.kind {
        case .nic: return LinkUse(kind: .nic, name: r.name, span: span)
        case .vlan: return LinkUse(kind: .vlan, name: r.name, span: span)
        case .bond: return LinkUse(kind: .bond, name: r.name, span: span)
        default: return nil
        }
    }

    func declInfo(_ inst: Instance) -> DeclInfo {
        DeclInfo(name: inst.name, nameSpan: inst.nameSpan, span: inst.span)
    }

    /// Forces every attribute (so each error is reported once, in order) and reports missing required ones.
    func forceAll(_ idx: Int) {
        ensureExpanded(idx)
        let inst = store.instances[idx]
        if let on = inst.onSlot { _ = force(inst, on) }
        for s in inst.attrs.indices { _ = force(inst, s) }
        for a in Schema.attributes(of: inst.block) where a.required && inst.attr(a.name) == nil && !standsIn(a.unless, inst) {
            var orAttribute: String? = nil, orBlock: String? = nil
            for standIn in a.unless {
                switch standIn {
                case .attribute(let n): orAttribute = n
                case .child(let k): orBlock = k.rawValue
                }
            }
            report(.missingAttribute(a.name, type: a.type.description, of: inst.block.keyword, inst.name,
                                     orAttribute: orAttribute, orBlock: orBlock, at: inst.nameSpan))
        }
        for c in inst.children { forceAll(c) }
    }

    /// Whether the block has one of `standIns` (which make a required attribute unnecessary).
    func standsIn(_ standIns: [StandIn], _ inst: Instance) -> Bool {
        standIns.contains {
            switch $0 {
            case .attribute(let name): return inst.attr(name) != nil
            case .child(let kind): return inst.children.contains { store.instances[$0].kind == kind }
            }
        }
    }

    // MARK: - Program

    func build() -> CheckedProgram {
        var program = CheckedProgram(topologyName: Located(defaultName, firstLineSpan()))
        for idx in store.ordered { forceAll(idx) }
        var vmCount = 0
        for idx in store.ordered where store.instances[idx].kind == .vm { vmCount += 1 }
        program.vms.reserveCapacity(vmCount)
        for idx in store.ordered where !store.instances[idx].excluded {
            let inst = store.instances[idx]
            switch inst.kind {
            case .topology:
                if case .identifier? = inst.decl.name {
                    program.topologyName = Located(inst.name, inst.nameSpan)
                    program.topologyNameDeclared = true
                }
                program.topologySpan = inst.span
                program.namespace = string(inst, "namespace")
                program.createNamespace = bool(inst, "create_namespace")
                program.labels = labels(inst, "labels")
                program.nodeSelector = labels(inst, "node_selector")
                program.macPrefix = string(inst, "mac_prefix")
                program.dualStack = bool(inst, "dual_stack")
                program.clusterCIDRs = list(inst, "cluster_cidrs").compactMap {
                    if case .cidr(let c) = $0.value { return Located(c, $0.span) }
                    return nil
                }
                program.ovnNetworks = string(inst, "ovn_networks")
            case .host:
                program.hosts.append(HostDecl(decl: declInfo(inst), hostname: string(inst, "hostname")))
                for c in inst.children where !store.instances[c].excluded {
                    program.nics.append(nodeNic(store.instances[c], host: inst.name))
                }
            case .nic:
                program.nics.append(nodeNic(inst, host: nil))
            case .vlan:
                var base: LinkUse? = nil
                if let on = inst.onSlot, case .ref(let r) = force(inst, on).value { base = linkUse(r, force(inst, on).span) }
                program.vlans.append(VlanDecl(decl: declInfo(inst), base: base, id: int(inst, "id"), ifname: string(inst, "ifname"),
                                              mtu: int(inst, "mtu"), poisoned: inst.poisoned || base == nil))
            case .bond:
                program.bonds.append(BondDecl(decl: declInfo(inst), ports: links(inst, "ports"),
                                              portsSpan: inst.valueSpan(of: "ports"), mode: string(inst, "mode"),
                                              ifname: string(inst, "ifname"), mtu: int(inst, "mtu"), poisoned: inst.poisoned))
            case .bridge, .ovsBridge:
                var hosts: [Located<String>]? = nil
                if inst.attr("hosts") != nil {
                    hosts = list(inst, "hosts").compactMap { if case .ref(let r) = $0.value { return Located(r.name, $0.span) }; return nil }
                }
                program.bridges.append(BridgeDecl(
                    decl: declInfo(inst), kind: inst.kind == .bridge ? .linux : .ovs, ports: links(inst, "ports"),
                    portsSpan: inst.valueSpan(of: "ports"), stp: bool(inst, "stp"), mtu: int(inst, "mtu"), hosts: hosts,
                    managed: bool(inst, "managed"), ifname: string(inst, "ifname"), poisoned: inst.poisoned))
            case .network:
                program.networks.append(network(inst))
            case .vm:
                program.vms.append(vm(inst))
            case .user, .disk:
                break
            }
        }
        return program
    }

    func nodeNic(_ inst: Instance, host: String?) -> NodeNicDecl {
        var address: Located<IfAddr>? = nil
        if let v = value(inst, "address"), case .ifaddr(let a) = v.value { address = Located(a, v.span) }
        return NodeNicDecl(decl: declInfo(inst), host: host, address: address, dhcp: bool(inst, "dhcp"),
                           gateway: ip(inst, "gateway"), dns: ips(inst, "dns"), mtu: int(inst, "mtu"))
    }

    func network(_ inst: Instance) -> NetworkDecl {
        var attachments: [Located<AttachmentUse>] = []
        for s in inst.attrs.indices {
            let v = force(inst, s)
            switch (inst.attrs[s].name, v.value) {
            case ("bridge", .ref(let r)): attachments.append(Located(.bridge(name: r.name), v.span))
            case ("ovs", .ref(let r)): attachments.append(Located(.ovs(name: r.name), v.span))
            case ("macvlan", .ref(let r)):
                if let l = linkUse(r, v.span) { attachments.append(Located(.macvlan(l), v.span)) }
            case ("sriov", .string(let res)): attachments.append(Located(.sriov(resource: res), v.span))
            case ("overlay", .string(let t)) where OverlayTopology(rawValue: t) == .layer2: attachments.append(Located(.layer2, v.span))
            case ("localnet", .ref(let r)): attachments.append(Located(.localnet(bridge: r.name), v.span))
            default: continue
            }
        }
        // per-family attributes (dual-stack): one value, or a list of one per family
        var extras: [FamilyExtra] = []
        let subnets = splitFamilies(perFamily(inst, "subnet") { if case .cidr(let c) = $0 { return c }; return nil },
                                    isV6: \.isV6, primaryIsV6: nil, allowSecond: true)
        let subnet = subnets.primary
        let dual = subnets.secondary != nil
        func place<T>(_ name: String, _ xs: [Located<T>], isV6: (T) -> Bool, text: (T) -> String)
            -> (Located<T>?, Located<T>?) {
            let r = placeFamilies(xs, isV6: isV6, subnetIsV6: subnet?.value.isV6, dual: dual)
            for (x, first) in r.extras {
                extras.append(FamilyExtra(attribute: name, text: text(x.value), isV6: isV6(x.value), span: x.span, first: first))
            }
            return (r.primary, r.secondary)
        }
        for (x, first) in subnets.extras {
            extras.append(FamilyExtra(attribute: "subnet", text: x.value.description, isV6: x.value.isV6, span: x.span, first: first))
        }
        let gateways = place("gateway", perFamily(inst, "gateway") { if case .ip(let a) = $0 { return a }; return nil },
                             isV6: \.isV6, text: \.description)
        let pools = place("pool", perFamily(inst, "pool") { v -> ClosedInterval? in
            if case .range(.ip(let f, let l)) = v { return ClosedInterval(first: f, last: l) }; return nil
        }, isV6: \.first.isV6, text: { "\($0.first) ..= \($0.last)" })
        let pool = pools.0
        var routes: [RouteDecl] = []
        for r in list(inst, "routes") {
            guard case .record(let rec) = r.value, let to = rec["to"], let via = rec["via"],
                  case .cidr(let c) = to.value, case .ip(let a) = via.value else { continue }
            routes.append(RouteDecl(to: Located(c, to.span), via: Located(a, via.span), span: r.span))
        }
        var decl = NetworkDecl(decl: declInfo(inst), attachments: attachments, vlan: int(inst, "vlan"), subnet: subnet,
                               gateway: gateways.0, dns: ips(inst, "dns"), search: strings(inst, "search"),
                               mtu: int(inst, "mtu"), pool: pool, routes: routes, ipam: string(inst, "ipam"),
                               nad: string(inst, "nad"), poisoned: inst.poisoned)
        decl.subnet6 = subnets.secondary
        decl.gateway6 = gateways.1
        decl.pool6 = pools.1
        decl.familyExtras = extras
        decl.ovnName = string(inst, "ovn_name")
        decl.persistentIPs = bool(inst, "persistent_ips")
        decl.physnet = string(inst, "physnet")
        decl.exclude = list(inst, "exclude").compactMap {
            if case .cidr(let c) = $0.value { return Located(c, $0.span) }
            return nil
        }
        return decl
    }

    /// The attributes `vm` reads. The builder walks a VM's attributes once and looks each name
    /// up here, instead of scanning the attributes once per attribute it could read.
    enum VMField { case cpu, memory, image, host, running, labels, run, cloudConfig, eviction, kubevirt, instancetype,
                   instancetypeNamespaced, preference, preferenceNamespaced, nodeSelector, runStrategy, spread,
                   spreadGroup, tolerations, firmware }
    static func vmField(_ name: String) -> VMField? {
        switch name {
        case "cpu": .cpu
        case "memory": .memory
        case "image": .image
        case "host": .host
        case "running": .running
        case "labels": .labels
        case "run": .run
        case "cloud_config": .cloudConfig
        case "eviction": .eviction
        case "kubevirt": .kubevirt
        case "instancetype": .instancetype
        case "instancetype_namespaced": .instancetypeNamespaced
        case "preference": .preference
        case "preference_namespaced": .preferenceNamespaced
        case "node_selector": .nodeSelector
        case "run_strategy": .runStrategy
        case "spread": .spread
        case "spread_group": .spreadGroup
        case "tolerations": .tolerations
        case "firmware": .firmware
        default: nil
        }
    }

    func vm(_ inst: Instance) -> VMDecl {
        var users: [UserDecl] = []
        var nics: [VMNicDecl] = []
        var userCount = 0
        for c in inst.children where store.instances[c].kind == .user { userCount += 1 }
        users.reserveCapacity(userCount)
        nics.reserveCapacity(inst.children.count - userCount)
        var disks: [DiskDecl] = []
        for c in inst.children where !store.instances[c].excluded {
            let child = store.instances[c]
            if child.kind == .disk {
                disks.append(disk(child))
            } else if child.kind == .user {
                users.append(UserDecl(decl: declInfo(child), passwordHash: string(child, "password_hash"),
                                      plainPassword: child.plainPassword, sshKeys: strings(child, "ssh_keys"),
                                      sudo: string(child, "sudo"), shell: string(child, "shell"), groups: strings(child, "groups")))
            } else {
                nics.append(vmNic(child))
            }
        }
        var decl = VMDecl(decl: declInfo(inst), users: users, nics: nics, poisoned: inst.poisoned)
        var rare = VMRareSettings()
        var hatch: LValue? = nil
        for s in inst.attrs.indices {
            guard let field = Engine.vmField(inst.attrs[s].name) else { continue }
            let v = force(inst, s)
            if v.value.isError { continue }
            switch field {
            case .cpu: decl.cpu = Self.int(v)
            case .memory: if case .quantity(let q) = v.value { decl.memory = Located(q, v.span) }
            case .image:
                switch v.value {
                case .string(let ref): decl.image = Located(ref, v.span)
                case .record(let r):
                    if case .string(let ref)? = r["ref"]?.value { decl.image = Located(ref, v.span) }
                    if case .string(let mode)? = r["network_config"]?.value, let m = NetworkConfigMode(rawValue: mode) {
                        decl.networkConfig = m
                    }
                default: break
                }
            case .host: if case .ref(let r) = v.value { decl.host = Located(r.name, v.span) }
            case .running: decl.running = Self.bool(v)
            case .labels: decl.labels = Self.labels(v)
            case .run: decl.run = Self.strings(v)
            case .cloudConfig:
                if case .string(let text) = v.value {
                    decl.cloudConfig = CloudConfigSource(text: text, span: v.span, lineSpans: lineSpans(inst.attrs[s].expr, text: text))
                }
            case .eviction: rare.eviction = Self.string(v)
            case .kubevirt: hatch = v
            case .instancetype: rare.instancetype = Self.string(v)
            case .instancetypeNamespaced: rare.instancetypeNamespaced = Self.bool(v)
            case .preference: rare.preference = Self.string(v)
            case .preferenceNamespaced: rare.preferenceNamespaced = Self.bool(v)
            case .nodeSelector: rare.nodeSelector = Self.labels(v)
            case .runStrategy: rare.runStrategy = Self.string(v).flatMap { l in RunStrategy(rawValue: l.value).map { Located($0, l.span) } }
            case .spread: rare.spread = Self.string(v).flatMap { l in SpreadMode(rawValue: l.value).map { Located($0, l.span) } }
            case .spreadGroup: rare.spreadGroup = Self.string(v)
            case .tolerations: if case .list(let xs) = v.value { rare.tolerations = xs.compactMap(toleration) }
            case .firmware: rare.firmware = Self.string(v).flatMap { l in FirmwareKind(rawValue: l.value).map { Located($0, l.span) } }
            }
        }
        if let hatch { rare.kubevirt = kubevirtSettings(hatch, of: inst) }
        if !disks.isEmpty {
            decl.disks = disks
            if let b = decl.bootDisk, let mode = disks[b].networkConfig { decl.networkConfig = mode }
        }
        if !rare.isEmpty { decl.rare = Boxed(rare) }
        return decl
    }

    // The conversions of one checked value (`value(_:_:)` and its kin look the attribute up first).
    static func string(_ v: LValue) -> Located<String>? {
        if case .string(let s) = v.value { return Located(s, v.span) }
        return nil
    }
    static func int(_ v: LValue) -> Located<Int>? {
        if case .int(let i) = v.value { return Located(i, v.span) }
        return nil
    }
    static func bool(_ v: LValue) -> Located<Bool>? {
        if case .bool(let b) = v.value { return Located(b, v.span) }
        return nil
    }
    static func strings(_ v: LValue) -> [Located<String>] {
        guard case .list(let xs) = v.value else { return [] }
        return xs.compactMap { if case .string(let s) = $0.value { return Located(s, $0.span) }; return nil }
    }
    static func labels(_ v: LValue) -> [LabelEntry] {
        guard case .record(let r) = v.value else { return [] }
        var out: [LabelEntry] = []
        for (i, k) in r.keys.enumerated() {
            guard case .string(let s) = r.values[i].value else { continue }
            out.append(LabelEntry(key: Located(k, r.keySpans[i]), value: Located(s, r.values[i].span)))
        }
        return out
    }

    func toleration(_ v: LValue) -> TolerationDecl? {
        guard case .record(let r) = v.value else { return nil }
        var fields: [TolerationDecl.Field] = []
        for (i, k) in r.keys.enumerated() {
            let x = r.values[i]
            let value: TolerationDecl.FieldValue
            switch x.value {
            case .string(let s): value = .string(s)
            case .int(let n): value = .int(n)
            default: value = .other(type: x.value.type.description)
            }
            fields.append(TolerationDecl.Field(name: Located(k, r.keySpans[i]), value: Located(value, x.span)))
        }
        return TolerationDecl(span: v.span, fields: fields)
    }

    /// The checked settings of a `kubevirt { }` block (the schema is parsed on first use only).
    func kubevirtSettings(_ hatch: LValue, of inst: Instance) -> [KubevirtSetting] {
        var diags: [Diagnostic] = []
        defer { diags.forEach(report) }
        // an owned field's error notes where its attribute is written
        return KubevirtSchema.shared.settings(hatch, ownerSpan: { self.value(inst, $0)?.span }, into: &diags)
    }

    /// The image reference of an `image` value: the string, or the record's `ref`.
    func imageReference(_ v: LValue) -> String? {
        switch v.value {
        case .string(let ref): return ref
        case .record(let r): if case .string(let ref)? = r["ref"]?.value { return ref }
        default: break
        }
        return nil
    }

    func disk(_ inst: Instance) -> DiskDecl {
        var d = DiskDecl(decl: declInfo(inst), poisoned: inst.poisoned)
        for s in inst.attrs.indices {
            guard let kind = DiskSourceKind(rawValue: inst.attrs[s].name), kind != .blank else { continue }
            let v = force(inst, s)
            if v.value.isError { d.poisoned = true; continue }
            d.sources.append(Located(kind, inst.attrs[s].nameSpan))
            if d.sourceValue == nil {
                var text: String? = nil
                if kind == .image {
                    text = imageReference(v)
                    if case .record(let r) = v.value, case .string(let mode)? = r["network_config"]?.value {
                        d.networkConfig = NetworkConfigMode(rawValue: mode)
                    }
                } else if case .string(let t) = v.value {
                    text = t
                }
                if let text { d.sourceValue = Located(text, v.span) }
            }
        }
        if let v = value(inst, "size"), case .quantity(let q) = v.value { d.size = Located(q, v.span) }
        d.storageClass = string(inst, "storage_class")
        d.access = string(inst, "access").flatMap { l in DiskAccess(rawValue: l.value).map { Located($0, l.span) } }
        d.volumeMode = string(inst, "volume_mode").flatMap { l in DiskVolumeMode(rawValue: l.value).map { Located($0, l.span) } }
        d.bus = string(inst, "bus").flatMap { l in DiskBus(rawValue: l.value).map { Located($0, l.span) } }
        d.boot = bool(inst, "boot")
        return d
    }

    /// The attributes `vmNic` reads (as `vmField` for a VM).
    enum NicField { case address, mac, ifname, metric, defaultRoute, model, binding }
    static func nicField(_ name: String) -> NicField? {
        switch name {
        case "address": .address
        case "mac": .mac
        case "ifname": .ifname
        case "metric": .metric
        case "default_route": .defaultRoute
        case "model": .model
        case "binding": .binding
        default: nil
        }
    }

    func vmNic(_ inst: Instance) -> VMNicDecl {
        var network: Located<NicNetworkUse>? = nil
        if let on = inst.onSlot {
            let v = force(inst, on)
            switch v.value {
            case .pod: network = Located(.pod, v.span)
            case .ref(let r): network = Located(.network(r.name), v.span)
            default: break
            }
        }
        func spec(_ v: Value) -> AddressSpec? {
            switch v {
            case .ip(let a): return .ip(a)
            case .ifaddr(let a): return .ifaddr(a)
            case .auto: return .auto
            case .dhcp: return .dhcp
            default: return nil
            }
        }
        var nic = VMNicDecl(decl: declInfo(inst), network: network, poisoned: inst.poisoned || network == nil)
        var rare = NicRareSettings()
        for s in inst.attrs.indices {
            guard let field = Engine.nicField(inst.attrs[s].name) else { continue }
            let v = force(inst, s)
            if v.value.isError { continue }
            switch field {
            case .address:
                // `address = [v4, v6]`: `address` the IPv4 one, `address6` the IPv6 one (one per family);
                // a single value (every NIC of a fleet) takes no list
                guard case .list = v.value else {
                    nic.address = spec(v.value).map { Located($0, v.span) }
                    continue
                }
                let specs = Self.perFamily(v, spec)
                if specs.isEmpty { continue }
                let split = splitFamilies(specs, isV6: { $0.staticAddress?.isV6 ?? false }, primaryIsV6: nil, allowSecond: true)
                nic.address = specs.count == 1 ? specs[0] : split.primary
                if specs.count > 1 {
                    rare.address6 = split.secondary
                    rare.addressExtras = split.extras.map { x, first in
                        FamilyExtra(attribute: "address", text: x.value.staticAddress?.description ?? "",
                                    isV6: x.value.staticAddress?.isV6 ?? false, span: x.span, first: first)
                    }
                }
            case .mac: if case .mac(let m) = v.value { nic.mac = Located(m, v.span) }
            case .ifname: nic.ifname = Self.string(v)
            case .metric: nic.metric = Self.int(v)
            case .defaultRoute: nic.defaultRoute = Self.bool(v)
            case .model: rare.model = Self.string(v).flatMap { l in NicModel(rawValue: l.value).map { Located($0, l.span) } }
            case .binding: rare.binding = Self.string(v).flatMap { b in PodBinding(rawValue: b.value).map { Located($0, b.span) } }
            }
        }
        if !rare.isEmpty { nic.rare = Boxed(rare) }
        return nic
    }

    /// For `cloud_config` written as one plain string literal: the span of each line of its value.
    func lineSpans(_ e: Expr?, text: String) -> [Span]? {
        guard var e else { return nil }
        while case .parenthesized(let x) = e.kind { e = x }
        guard case .string(let lit) = e.kind, lit.plainText != nil else { return nil }
        var spans: [Span] = []
        for p in lit.parts { if case .text(_, let s) = p { spans.append(s) } }
        var lines = 1
        for u in text.utf8 where u == 0x0A { lines += 1 }
        if text.hasSuffix("\n") { lines -= 1 }
        if spans.count == lines { return spans }
        if lines == 1 { return [lit.span] }
        return nil
    }
}
