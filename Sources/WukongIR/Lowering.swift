import WukongDiagnostics
import WukongNet
import WukongSema
import WukongParallel

/// Lowering: checked program → IR. Allocates `auto` addresses, derives MACs, default routes,
/// Kubernetes names, placement and the NodeNetworkConfigurationPolicy grouping. Reports what
/// only shows up here (N-POOL, collisions of derived names, K-NAME on derived names).
///
/// The input has passed evaluation and the topology checks without errors, but lowering never
/// traps when it has not: whatever does not resolve is skipped (or falls back to a default).
/// Everything is linear in the size of the program, except sorting (n log n).
public enum Lowering {
    /// Bond mode when `mode` is not written (the safest mode: needs no switch configuration).
    public static let defaultBondMode = "active-backup"
    /// Octets a derived MAC starts with when `mac_prefix` is not written (outside kubemacpool's `02` pool).
    public static let defaultMACPrefix: [UInt8] = [0x0e]
    /// Label keys every object carries (LANGUAGE.md §5.3).
    public static let managedByKey = "app.kubernetes.io/managed-by"
    public static let topologyKey = "wukong.dev/topology"
    public static let hostnameKey = "kubernetes.io/hostname"

    public static func lower(_ program: CheckedProgram) -> (topology: Topology, diagnostics: [Diagnostic]) {
        lower(program, deriveIdentities: true)
    }

    /// `deriveIdentities: false` (for `wukongc check`, which only wants the diagnostics) skips
    /// what no diagnostic depends on — the derived MACs and firmware UUIDs, hashed per VM — and
    /// leaves them zero/empty in the returned topology, which must then not be emitted.
    package static func lower(_ program: CheckedProgram, deriveIdentities: Bool)
        -> (topology: Topology, diagnostics: [Diagnostic]) {
        var lowering = LoweringPass(program)
        lowering.deriveIdentities = deriveIdentities
        return lowering.run()
    }
}

/// The state of one lowering run. Indexes map declared names to positions in the program's
/// arrays (lookups only: nothing is ever produced by iterating a dictionary).
struct LoweringPass {
    let program: CheckedProgram
    let topologyName: String
    let namespace: String
    var diagnostics: [Diagnostic] = []
    /// Derive MACs and firmware UUIDs (false: diagnostics only, see `Lowering.lower`).
    var deriveIdentities = true

    var hostIndex: [String: Int] = [:]
    var vlanIndex: [String: Int] = [:]
    var bondIndex: [String: Int] = [:]
    var bridgeIndex: [String: Int] = [:]
    /// Network name → index in `program.networks`.
    var networkIndex: [String: Int] = [:]
    /// Merged node NIC name → index in `nics`.
    var nicIndex: [String: Int] = [:]

    var hosts: [Host] = []
    var nics: [NodeNic] = []
    /// Linux interface name of each VLAN of `program.vlans`.
    var vlanIfnames: [String] = []
    var vlans: [Vlan] = []
    /// IR VLAN index per `program.vlans` index (nil: skipped, its base or id is missing).
    var vlanIR: [Int?] = []
    var bonds: [Bond] = []
    var bridges: [Bridge] = []
    /// IR network per `program.networks` index (nil: skipped, no attachment).
    var networks: [Network?] = []
    /// Per-NIC NADs (`<vm>-<network>-nad`) and the NIC declarations that produce them.
    var ownNADs: [(name: String, span: Span)] = []
    /// The NodeNetworkConfigurationPolicy grouping (policies, and where bridges are built).
    var plan: PolicyGrouping.Plan

    init(_ program: CheckedProgram) {
        self.program = program
        topologyName = program.topologyName.value
        namespace = program.namespace?.value ?? "default"
        plan = PolicyGrouping.plan(program)
    }

    mutating func run() -> (topology: Topology, diagnostics: [Diagnostic]) {
        buildIndexes()
        lowerHosts()
        lowerNodeNics()
        lowerVlans()
        lowerBonds()
        lowerBridges()
        lowerNetworks()
        let vms = lowerVMs()
        let policies = buildPolicies()
        checkNADNames()

        var labels = [KeyValue(Lowering.managedByKey, "wukongc"), KeyValue(Lowering.topologyKey, topologyName)]
        for entry in program.labels where entry.key.value != Lowering.managedByKey && entry.key.value != Lowering.topologyKey {
            labels.append(KeyValue(entry.key.value, entry.value.value))
        }
        var topology = Topology(
            name: topologyName, namespace: namespace, createNamespace: program.createNamespace?.value ?? false,
            labels: labels, nodeSelector: program.nodeSelector.map { KeyValue($0.key.value, $0.value.value) },
            hosts: hosts, nics: nics, vlans: vlans, bonds: bonds, bridges: bridges,
            networks: networks.compactMap { $0 }, vms: vms, policies: policies)
        topology.clusterCIDRs = program.clusterCIDRs.map(\.value)
        if program.dualStack?.value == true { topology.dualStack = true }
        topology.ovnNetworks = program.ovnOutput
        return (topology, diagnostics)
    }

    // MARK: - Indexes

    mutating func buildIndexes() {
        for (i, h) in program.hosts.enumerated() where hostIndex[h.decl.name] == nil { hostIndex[h.decl.name] = i }
        for (i, v) in program.vlans.enumerated() where vlanIndex[v.decl.name] == nil { vlanIndex[v.decl.name] = i }
        for (i, b) in program.bonds.enumerated() where bondIndex[b.decl.name] == nil { bondIndex[b.decl.name] = i }
        for (i, b) in program.bridges.enumerated() where bridgeIndex[b.decl.name] == nil { bridgeIndex[b.decl.name] = i }
        for (i, n) in program.networks.enumerated() where networkIndex[n.decl.name] == nil { networkIndex[n.decl.name] = i }
    }

    /// `kubernetes.io/hostname` of a declared host (its name when unknown).
    func hostname(of host: String) -> String {
        guard let i = hostIndex[host] else { return host }
        return program.hosts[i].hostname?.value ?? host
    }

    // MARK: - Node side

    mutating func lowerHosts() {
        hosts = program.hosts.map { Host(name: $0.decl.name, hostname: $0.hostname?.value ?? $0.decl.name) }
    }

    /// One logical NIC per name: a top-level `nic` is on every host (`hosts` nil); the same name
    /// inside several hosts is one NIC present on those hosts, with each host's settings.
    mutating func lowerNodeNics() {
        for d in program.nics {
            let settings = NodeNicSettings(host: d.host, address: d.address?.value, dhcp: d.dhcp?.value ?? false,
                                           gateway: d.gateway?.value, dns: d.dns.map(\.value), mtu: d.mtu?.value)
            if let i = nicIndex[d.decl.name] {
                nics[i].settings.append(settings)
                if let h = d.host {
                    if var hs = nics[i].hosts, !hs.contains(h) {
                        hs.append(h)
                        nics[i].hosts = hs
                    }
                } else {
                    nics[i].hosts = nil
                }
            } else {
                nicIndex[d.decl.name] = nics.count
                nics.append(NodeNic(name: d.decl.name, hosts: d.host.map { [$0] }, settings: [settings]))
            }
        }
    }

    func bondIfname(_ name: String) -> String {
        guard let i = bondIndex[name] else { return name }
        return program.bonds[i].ifname?.value ?? name
    }

    /// The Linux interface name of a link on the node.
    func ifname(of use: LinkUse) -> String {
        switch use.kind {
        case .nic: return use.name
        case .bond: return bondIfname(use.name)
        case .vlan:
            guard let i = vlanIndex[use.name], i < vlanIfnames.count else { return use.name }
            return vlanIfnames[i]
        }
    }

    func linkRef(_ use: LinkUse) -> LinkRef {
        let kind: LinkKind
        switch use.kind {
        case .nic: kind = .nic
        case .vlan: kind = .vlan
        case .bond: kind = .bond
        }
        return LinkRef(kind: kind, name: use.name, ifname: ifname(of: use))
    }

    /// VLAN interface names: `ifname`, else `<base ifname>.<id>`. A VLAN may sit on a VLAN, so the
    /// chain is followed down to its first known name (iteratively; a cycle falls back to names).
    mutating func computeVlanIfnames() {
        let decls = program.vlans
        var known = [String?](repeating: nil, count: decls.count)
        for start in decls.indices where known[start] == nil {
            var chain: [Int] = []
            var onChain = Set<Int>()
            var below: String? = nil
            var cur: Int? = start
            while let c = cur {
                if let k = known[c] { below = k; break }
                if !onChain.insert(c).inserted { below = decls[c].decl.name; break }
                chain.append(c)
                cur = nil
                guard let base = decls[c].base else { below = nil; break }
                switch base.kind {
                case .vlan:
                    if let j = vlanIndex[base.name] { cur = j } else { below = base.name }
                case .nic: below = base.name
                case .bond: below = bondIfname(base.name)
                }
            }
            for c in chain.reversed() {
                let v = decls[c]
                let name: String
                if let explicit = v.ifname?.value {
                    name = explicit
                } else if let b = below, let id = v.id?.value {
                    name = "\(b).\(id)"
                } else {
                    name = v.decl.name
                }
                known[c] = name
                below = name
            }
        }
        vlanIfnames = known.enumerated().map { $0.element ?? decls[$0.offset].decl.name }
    }

    mutating func lowerVlans() {
        computeVlanIfnames()
        vlanIR = [Int?](repeating: nil, count: program.vlans.count)
        for (i, v) in program.vlans.enumerated() {
            guard let base = v.base, let id = v.id?.value else { continue }
            vlanIR[i] = vlans.count
            vlans.append(Vlan(name: v.decl.name, ifname: vlanIfnames[i], base: linkRef(base), id: id, mtu: v.mtu?.value))
        }
    }

    mutating func lowerBonds() {
        bonds = program.bonds.map { b in
            Bond(name: b.decl.name, ifname: b.ifname?.value ?? b.decl.name, ports: b.ports.map(linkRef),
                 mode: b.mode?.value ?? Lowering.defaultBondMode, mtu: b.mtu?.value)
        }
    }

    /// Bridges. A managed bridge takes over the node addressing of its port NICs, per host
    /// (only on the hosts it is built on).
    mutating func lowerBridges() {
        for (i, b) in program.bridges.enumerated() {
            let hostList = b.hosts?.map(\.value)
            // where it is built: its `hosts`, or its policy component's hosts (PolicyGrouping)
            let builtOn = plan.bridgeHosts[i].map { $0.map { program.hosts[$0].decl.name } }
            let managed = b.managed?.value ?? true
            var nodeAddresses: [BridgeNodeAddress] = []
            if managed {
                for port in b.ports where port.kind == .nic {
                    guard let ni = nicIndex[port.name] else { continue }
                    for s in nics[ni].settings where s.carriesNodeAddress {
                        if let h = s.host, let only = hostList, !only.contains(h) { continue }
                        nodeAddresses.append(BridgeNodeAddress(
                            host: s.host, fromNic: port.name, fromIfname: port.name, address: s.address,
                            dhcp: s.dhcp, gateway: s.gateway, dns: s.dns))
                    }
                }
            }
            bridges.append(Bridge(
                name: b.decl.name, ifname: b.ifname?.value ?? b.decl.name, kind: b.kind == .ovs ? .ovs : .linux,
                ports: b.ports.map(linkRef), stp: b.stp?.value ?? false, mtu: b.mtu?.value, hosts: builtOn,
                managed: managed, nodeAddresses: nodeAddresses))
        }
    }

    // MARK: - Networks

    func bridgeIfname(_ name: String) -> String {
        guard let i = bridgeIndex[name] else { return name }
        return program.bridges[i].ifname?.value ?? name
    }

    mutating func lowerNetworks() {
        networks = program.networks.map { n in
            guard let first = n.attachments.first else { return nil }
            let attachment: Attachment
            switch first.value {
            case .bridge(let name): attachment = .bridge(name: name, ifname: bridgeIfname(name))
            case .ovs(let name): attachment = .ovs(name: name, ifname: bridgeIfname(name))
            case .macvlan(let use): attachment = .macvlan(linkRef(use))
            case .sriov(let resource): attachment = .sriov(resource: resource)
            case .layer2: attachment = .layer2(ovnName: n.ovnNetworkName(namespace: namespace))
            case .localnet(let bridge):
                attachment = .localnet(ovnName: n.ovnNetworkName(namespace: namespace), bridge: bridge,
                                       physnet: n.localnetPhysnet(bridge: bridge))
            }
            let ipam = n.ipamMode
            let existing = n.nad?.value
            let ownsNAD = existing == nil && (ipam == .none || ipam == .whereabouts || ipam == .dhcp || ipam == .ovn)
            // under `ovn_networks = "cudn"` an OVN network's object is the ClusterUserDefinedNetwork
            // `<topology>-<network>`, and the NAD OVN-Kubernetes renders from it has that name
            let cudn = program.ovnOutput == .cudn && first.value.isOVN
            var network = Network(
                name: n.decl.name, attachment: attachment, vlan: n.vlan?.value, subnet: n.subnet?.value,
                gateway: n.gateway?.value, dns: n.dns.map(\.value), search: n.search.map(\.value), mtu: n.mtu?.value,
                poolFirst: n.pool?.value.first, poolLast: n.pool?.value.last,
                routes: n.routes.map { Route(to: $0.to.value, via: $0.via.value) }, ipam: ipam,
                existingNAD: existing, nadName: ownsNAD ? (cudn ? n.cudnName(topology: topologyName) : n.decl.name) : nil)
            network.persistentIPs = ipam == .ovn && (n.persistentIPs?.value ?? true)
            network.subnet6 = n.subnet6?.value
            network.gateway6 = n.gateway6?.value
            network.pool6First = n.pool6?.value.first
            network.pool6Last = n.pool6?.value.last
            if ipam == .ovn { network.exclude = n.exclude.map(\.value) }
            return network
        }
    }

    // MARK: - VMs

    /// What VM NIC lowering needs of a network, computed once per network (so the 100 000th NIC
    /// shares the strings of the first).
    struct NetInfo {
        let name: String
        let binding: NicBinding
        let ipam: IPAMMode
        /// `<namespace>/<nad>` for every NIC, unless each NIC owns its NAD (static/host-local).
        let sharedNetworkName: String?
        let hasGateway: Bool
        let prefix: Int?
        /// Dual-stack: the IPv6 subnet's prefix (`prefix` is the IPv4 one).
        var prefix6: Int? = nil

        /// The prefix a bare address takes: its family's subnet's (the host prefix without one).
        func prefix(for ip: IPAddress) -> Int {
            if let p6 = prefix6, ip.isV6 { return p6 }
            return min(prefix ?? ip.bitWidth, ip.bitWidth)
        }
    }

    /// Lowered VMs plus what the later passes need, gathered in the same walk.
    struct VMWork {
        var autos: [AddressAllocation.Request] = []
        var derivedMACs: [MACDerivation.NicRef] = []
        var explicitMACs = Set<UInt64>()
        /// Per-NIC NADs (ipam static/host-local) with the span of the NIC declaring them.
        var ownNADs: [(name: String, span: Span)] = []
    }

    func netInfos() -> [NetInfo?] {
        zip(program.networks, networks).map { decl, net in
            guard let net, let attached = decl.attachments.first else { return nil }
            var shared: String? = "\(namespace)/\(net.nadName ?? net.name)"
            if let existing = net.existingNAD {
                shared = existing.contains("/") ? existing : "\(namespace)/\(existing)"
            } else if net.ipam.nadPerNic {
                shared = nil
            }
            return NetInfo(name: net.name, binding: attached.value.binding, ipam: net.ipam, sharedNetworkName: shared,
                           hasGateway: net.gateway != nil || net.gateway6 != nil, prefix: net.subnet?.prefix, prefix6: net.subnet6?.prefix)
        }
    }

    mutating func lowerVMs() -> [VM] {
        var vms: [VM] = []
        vms.reserveCapacity(program.vms.count)
        var work = VMWork()
        let infos = netInfos()
        var placement = Placement(pass: self)
        let uuidPrefix = "wukong://\(namespace)/"
        let uuids = deriveIdentities
            ? Parallel.map(program.vms.count) { Hash.uuidV5URL(prefix: uuidPrefix, name: program.vms[$0].decl.name) }
            : [String](repeating: "", count: program.vms.count)

        for (index, vm) in program.vms.enumerated() {
            let v = vms.count
            var vmNics: [VMNic] = []
            var explicitRoute: [Bool?] = []
            vmNics.reserveCapacity(vm.nics.count)
            explicitRoute.reserveCapacity(vm.nics.count)
            for nic in vm.nics {
                guard let lowered = lowerNic(nic, vm: vm, infos: infos, work: &work, vmIndex: v, nicIndex: vmNics.count)
                else { continue }
                vmNics.append(lowered)
                explicitRoute.append(nic.defaultRoute?.value)
            }
            applyDefaultRouteRule(&vmNics, explicit: explicitRoute, infos: infos)

            let pinned = vm.host.map { hostname(of: $0.value) }
            let name = vm.decl.name
            vms.append(VM(
                name: name, cpu: vm.cpu?.value, memory: vm.memory?.value,
                image: vm.image?.value, pinnedHostname: pinned,
                affinityHostnames: pinned == nil ? placement.affinity(for: vmNics) : nil,
                running: vm.running?.value ?? true,
                labels: vm.labels.map { KeyValue($0.key.value, $0.value.value) }, run: vm.run.map(\.value),
                cloudConfig: vm.cloudConfig?.text, users: vm.users.map(Self.lowerUser), nics: vmNics,
                secretName: name + "-cloudinit", firmwareUUID: uuids[index]))
            vms[v].networkConfig = vm.networkConfig
            if !vm.disks.isEmpty { vms[v].disks = lowerDisks(vm) }
            vms[v].instancetype = vm.instancetype.map { ClusterTypeRef(name: $0.value, namespaced: vm.instancetypeNamespaced?.value ?? false) }
            vms[v].preference = vm.preference.map { ClusterTypeRef(name: $0.value, namespaced: vm.preferenceNamespaced?.value ?? false) }
            if !vm.kubevirt.isEmpty { vms[v].kubevirt = vm.kubevirt }
            vms[v].evictionStrategy = Self.evictionStrategy(vm.eviction.flatMap { EvictionMode(rawValue: $0.value) },
                                                                 nics: vmNics)
            vms[v].runStrategy = vm.runStrategy?.value
            if !vm.tolerations.isEmpty {
                vms[v].tolerations = vm.tolerations.map { t in
                    var seconds: Int? = nil
                    if case .int(let n)? = t.field("toleration_seconds")?.value.value { seconds = n }
                    return Toleration(key: t.string("key"), operator: t.string("operator").flatMap(TolerationOperator.init),
                                      value: t.string("value"), effect: t.string("effect").flatMap(TaintEffect.init), seconds: seconds)
                }
            }
            vms[v].spread = vm.spread.map { Spread(mode: $0.value, group: vm.spreadGroup?.value ?? defaultSpreadGroup(name)) }
            vms[v].firmware = vm.firmware?.value
            if !vm.nodeSelector.isEmpty { vms[v].nodeSelector = vm.nodeSelector.map { KeyValue($0.key.value, $0.value.value) } }
        }

        AddressAllocation(pass: self).allocate(work.autos, vms: &vms, diagnostics: &diagnostics)
        if deriveIdentities {
            MACDerivation(topology: topologyName, prefix: macPrefixOctets())
                .assign(work.derivedMACs, explicit: work.explicitMACs, vms: &vms)
        }
        ownNADs = work.ownNADs
        return vms
    }

    func lowerDisks(_ vm: VMDecl) -> [VMDisk] {
        let boot = vm.bootDisk
        return vm.disks.enumerated().map { k, d in
            VMDisk(name: d.decl.name, source: d.source, reference: d.sourceValue?.value, size: d.size?.value,
                   storageClass: d.storageClass?.value, access: d.access?.value, volumeMode: d.volumeMode?.value,
                   bus: d.bus?.value ?? .virtio, boot: k == boot,
                   dataVolume: d.source.hasDataVolume ? dataVolumeName(vm: vm.decl.name, disk: d.decl.name) : nil)
        }
    }

    /// Static: `map(lowerUser)` on a method captured a copy of the whole pass per VM.
    static func lowerUser(_ u: UserDecl) -> User {
        User(name: u.decl.name, passwordHash: u.passwordHash?.value, sshKeys: u.sshKeys.map(\.value),
             sudo: u.sudo?.value, shell: u.shell?.value, groups: u.groups.map(\.value))
    }

    /// A VM NIC with everything but its derived MAC and `auto` address (filled in by later
    /// passes, which `work` collects). nil when its network did not resolve.
    func lowerNic(_ nic: VMNicDecl, vm: VMDecl, infos: [NetInfo?], work: inout VMWork, vmIndex: Int, nicIndex: Int) -> VMNic? {
        guard let use = nic.network?.value else { return nil }
        var lowered: VMNic
        switch use {
        case .pod:
            lowered = VMNic(name: nic.decl.name, network: nil, binding: nic.binding?.value.nicBinding ?? .masquerade, mac: MACAddress(0),
                            address: .dhcp, ifname: nic.ifname?.value, metric: nic.metric?.value)
        case .network(let netName):
            guard let ni = networkIndex[netName], let info = infos[ni] else { return nil }
            var ownNAD: String? = nil
            var networkName = info.sharedNetworkName
            if networkName == nil {
                let nad = "\(vm.decl.name)-\(netName)-nad"
                ownNAD = nad
                networkName = "\(namespace)/\(nad)"
                work.ownNADs.append((nad, nic.decl.nameSpan))
            }
            var address = NicAddress.dhcp
            // `auto` draws its address in AddressAllocation; whereabouts/dhcp hand out their own.
            if let spec = nic.address, GuestNic.hasStaticAddress(writesAddress: spec.value.needsSubnet, ipam: info.ipam) {
                switch spec.value {
                case .ip(let ip): address = .static(IfAddr(address: ip, prefix: info.prefix(for: ip)))
                case .ifaddr(let a): address = .static(a)
                case .auto:
                    work.autos.append(AddressAllocation.Request(vm: vmIndex, nic: nicIndex, network: ni, span: spec.span))
                case .dhcp: break
                }
            }
            lowered = VMNic(name: nic.decl.name, network: info.name, binding: info.binding, mac: MACAddress(0),
                            address: address, ifname: nic.ifname?.value, metric: nic.metric?.value,
                            networkName: networkName, ownNAD: ownNAD)
            // dual-stack `address = [v4, v6]`: the second family's static address
            if let spec = nic.address6, GuestNic.hasStaticAddress(writesAddress: true, ipam: info.ipam) {
                switch spec.value {
                case .ip(let ip): lowered.address6 = IfAddr(address: ip, prefix: info.prefix(for: ip))
                case .ifaddr(let a): lowered.address6 = a
                case .auto, .dhcp: break
                }
            }
        }
        lowered.model = nic.model?.value == .virtio ? nil : nic.model?.value  // virtio is KubeVirt's default
        if let mac = nic.mac?.value {
            lowered.mac = mac
            work.explicitMACs.insert(mac.value)
        } else {
            work.derivedMACs.append(MACDerivation.NicRef(vm: vmIndex, nic: nicIndex))
        }
        return lowered
    }

    /// LANGUAGE.md §5.6, through the one rule the checks use too.
    func applyDefaultRouteRule(_ nics: inout [VMNic], explicit: [Bool?], infos: [NetInfo?]) {
        DefaultRouteRule.forEachCarrier(
            count: nics.count, isPod: { nics[$0].network == nil }, explicit: { explicit[$0] },
            networkHasGateway: { k in nics[k].network.flatMap { networkIndex[$0] }.flatMap { infos[$0]?.hasGateway } ?? false }
        ) { nics[$0].defaultRoute = true }
    }

    /// LANGUAGE.md §7: `eviction` as KubeVirt's strategy; when absent, `None` for a VM with a NIC
    /// that cannot live-migrate (macvtap), else nil (the cluster's default).
    static func evictionStrategy(_ mode: EvictionMode?, nics: [VMNic]) -> String? {
        if let mode { return mode.kubevirtStrategy }
        return nics.contains(where: { !$0.binding.canLiveMigrate }) ? EvictionMode.shutdown.kubevirtStrategy : nil
    }

    /// `mac_prefix` as octets ("0e", "0e:12"); the default when absent or malformed (checks report it).
    func macPrefixOctets() -> [UInt8] {
        guard let text = program.macPrefix?.value else { return Lowering.defaultMACPrefix }
        let parts = text.split(separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return Lowering.defaultMACPrefix }
        var out: [UInt8] = []
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return Lowering.defaultMACPrefix }
            out.append(b)
        }
        return out
    }

    // MARK: - NAD names

    /// Two generated NetworkAttachmentDefinitions with one name (a network `a-b-nad` and the
    /// per-NIC NAD of VM `a` on network `b`): E0602 at the later one.
    mutating func checkNADNames() {
        var seen: [String: Span] = [:]
        for (i, n) in program.networks.enumerated() {
            guard let nad = networks[i]?.nadName else { continue }
            if let first = seen[nad] {
                diagnostics.append(duplicateNAD(nad, at: n.decl.nameSpan, first: first))
            } else {
                seen[nad] = n.decl.nameSpan
            }
        }
        for (nad, span) in ownNADs {
            if let first = seen[nad] {
                diagnostics.append(duplicateNAD(nad, at: span, first: first))
            } else {
                seen[nad] = span
            }
        }
    }

    func duplicateNAD(_ name: String, at span: Span, first: Span) -> Diagnostic {
        .duplicateNetworkAttachmentDefinition(name, at: span, first: first)
    }
}
