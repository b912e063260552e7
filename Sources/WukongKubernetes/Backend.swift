import WukongIR
import WukongParallel
import WukongNet

/// IR → Kubernetes objects (LANGUAGE.md §7). Everything derived (names, MACs, addresses,
/// default routes, policy grouping, placement) comes from the IR; this only lays it out.
///
/// Order: `Namespace` (if `create_namespace`), one `Secret` per VM, the
/// `NodeNetworkConfigurationPolicy`s, the `NetworkAttachmentDefinition`s (first one per
/// network, in network order, then the per-NIC ones of `static`/`host-local` networks in
/// VM/NIC order), the `VirtualMachine`s.
public enum KubernetesBackend {
    public static let cniVersion = "0.3.1"
    /// OVN-Kubernetes NADs use CNI 1.0.0, as its documentation and OpenShift's do.
    public static let ovnCNIVersion = "1.0.0"
    public static let resourceNameAnnotation = "k8s.v1.cni.cncf.io/resourceName"

    public static func objects(for topology: Topology) -> [KubeObject] {
        Builder(topology).build()
    }

    /// The same bytes as `YAMLOutput.stream(objects(for: topology), into: sink)`, without the
    /// whole object tree: Secrets and VirtualMachines are built and emitted a batch of VMs at a
    /// time (batches in parallel, handed over in order), each batch's objects released as soon
    /// as its YAML exists.
    public static func streamYAML(for topology: Topology, into sink: (UnsafeRawBufferPointer) -> Void) {
        Builder(topology).streamYAML(into: sink)
    }

    /// The objects of `objects(for:)`, in order, a batch at a time: `render` runs on each batch
    /// (several batches concurrently, on worker threads), `each` receives the results in order
    /// on the calling thread.
    public static func stream<T>(_ topology: Topology, render: ([KubeObject]) -> T, each: (T) -> Void) {
        Builder(topology).stream(render, each)
    }
}

/// Lays out the objects of a topology (see `KubernetesBackend`).
struct Builder {
    let t: Topology
    var networkIndex: [String: Int] = [:]
    var bondIndex: [String: Int] = [:]
    var vlanIndex: [String: Int] = [:]
    var bridgeIndex: [String: Int] = [:]
    var nicIndex: [String: Int] = [:]
    /// NICs that are ports of a managed bridge or of a bond (enslaved: no IP of their own).
    var portNics: Set<String> = []
    let topologyLabels: KubeValue

    init(_ t: Topology) {
        self.t = t
        for (i, n) in t.networks.enumerated() where networkIndex[n.name] == nil { networkIndex[n.name] = i }
        for (i, n) in t.bonds.enumerated() where bondIndex[n.name] == nil { bondIndex[n.name] = i }
        for (i, n) in t.vlans.enumerated() where vlanIndex[n.name] == nil { vlanIndex[n.name] = i }
        for (i, n) in t.bridges.enumerated() where bridgeIndex[n.name] == nil { bridgeIndex[n.name] = i }
        for (i, n) in t.nics.enumerated() where nicIndex[n.name] == nil { nicIndex[n.name] = i }
        for b in t.bridges where b.managed { for l in b.ports where l.kind == .nic { portNics.insert(l.name) } }
        for b in t.bonds { for l in b.ports where l.kind == .nic { portNics.insert(l.name) } }
        topologyLabels = Builder.labels(t.labels, [])
    }

    func network(_ name: String) -> Network? { networkIndex[name].map { t.networks[$0] } }

    func build() -> [KubeObject] {
        // Secrets and VMs are independent per VM: built in chunks on several threads for large
        // topologies, joined in VM order.
        let chunks = Parallel.chunks(t.vms.count)
        let secrets = Parallel.map(chunks) { r in
            let docs = YAMLDocuments()
            return r.map { secret(t.vms[$0], docs) }
        }
        let machines = Parallel.map(chunks) { r in r.map { virtualMachine(t.vms[$0]) } }
        var out: [KubeObject] = []
        out.reserveCapacity(1 + t.vms.count * 3 + t.policies.count + t.networks.count)
        out.append(contentsOf: head())
        for part in secrets { out.append(contentsOf: part) }
        out.append(contentsOf: middle())
        out.append(contentsOf: nicNADs(t.vms.indices))
        for part in machines { out.append(contentsOf: part) }
        return out
    }

    /// The `Namespace`, if any.
    func head() -> [KubeObject] {
        guard t.createNamespace else { return [] }
        return [object("v1", "Namespace", t.namespace, namespaced: false, labels: topologyLabels, rest: [])]
    }

    /// The objects between the Secrets and the per-NIC NADs: NNCPs, then the NADs of networks.
    func middle() -> [KubeObject] {
        var out: [KubeObject] = []
        for p in t.policies { out.append(policy(p)) }
        for n in t.networks {
            guard let nad = n.nadName else { continue }
            if t.ovnNetworks == .cudn, let ovn = n.attachment.ovn {
                out.append(clusterUserDefinedNetwork(n, name: nad, topology: ovn.topology))
            } else {
                out.append(networkNAD(n, name: nad))
            }
        }
        return out
    }

    /// The NADs of the NICs of `static`/`host-local` networks of the VMs in `vms`, in VM/NIC order.
    func nicNADs(_ vms: Range<Int>) -> [KubeObject] {
        var out: [KubeObject] = []
        for vm in t.vms[vms] {
            for nic in vm.nics {
                guard let nad = nic.ownNAD, let netName = nic.network, let n = network(netName) else { continue }
                out.append(nicNAD(n, nic: nic, name: nad))
            }
        }
        return out
    }

    /// The output in runs of consecutive objects, each made by one job: the Namespace, the
    /// Secrets of a batch of VMs, the NNCPs and network NADs, the per-NIC NADs of a batch of
    /// VMs, the VirtualMachines of a batch of VMs.
    enum Job {
        case head
        case secrets(Range<Int>)
        case middle
        case nicNADs(Range<Int>)
        case machines(Range<Int>)
    }

    func jobs(workers: Int) -> [Job] {
        let count = t.vms.count
        let size = max(1, min(256, count / max(1, workers * 4)))
        var batches: [Range<Int>] = []
        var start = 0
        while start < count {
            batches.append(start..<min(count, start + size))
            start += size
        }
        var out: [Job] = [.head]
        out += batches.map { .secrets($0) }
        out.append(.middle)
        if t.vms.contains(where: { vm in vm.nics.contains { $0.ownNAD != nil } }) {
            out += batches.map { .nicNADs($0) }
        }
        out += batches.map { .machines($0) }
        return out
    }

    func objects(_ job: Job, _ docs: YAMLDocuments) -> [KubeObject] {
        switch job {
        case .head: return head()
        case .secrets(let r): return r.map { secret(t.vms[$0], docs) }
        case .middle: return middle()
        case .nicNADs(let r): return nicNADs(r)
        case .machines(let r): return r.map { virtualMachine(t.vms[$0]) }
        }
    }

    /// A job's objects as one libyaml stream: the Secrets and VirtualMachines are emitted
    /// straight from the IR, without their object trees.
    func yaml(_ job: Job) -> YAMLText {
        let w = YAMLWriter()
        var sink = w
        switch job {
        case .secrets(let r):
            let docs = YAMLDocuments()
            for i in r {
                w.beginDocument()
                secret(&sink, t.vms[i], docs)
                w.endDocument()
            }
        case .machines(let r):
            for i in r {
                w.beginDocument()
                virtualMachine(&sink, t.vms[i])
                w.endDocument()
            }
        case .head, .middle, .nicNADs:
            for o in objects(job, YAMLDocuments()) { w.document(o.body) }
        }
        return w.finishText()
    }

    /// Each object of a job as a document of its own, with its file name (`OutputDirectory`):
    /// Secrets and VirtualMachines straight from the IR, like `yaml(_:)`.
    func documents(_ job: Job, _ each: (_ name: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Void) {
        let out = YAMLDocuments()
        switch job {
        case .secrets(let r):
            let docs = YAMLDocuments()
            for i in r {
                let vm = t.vms[i]
                out.withRendered({ w in
                    var sink = w
                    secret(&sink, vm, docs)
                }, { each("secret-" + vm.secretName + ".yaml", $0) })
            }
        case .machines(let r):
            for i in r {
                let vm = t.vms[i]
                out.withRendered({ w in
                    var sink = w
                    virtualMachine(&sink, vm)
                }, { each("virtualmachine-" + vm.name + ".yaml", $0) })
            }
        case .head, .middle, .nicNADs:
            for o in objects(job, YAMLDocuments()) {
                out.withRendered({ $0.value(o.body) }, { each(OutputDirectory.fileName(o), $0) })
            }
        }
    }

    func streamYAML(into sink: (UnsafeRawBufferPointer) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var joiner = YAMLJoiner(sink: sink)
            let parallel = t.vms.count >= Parallel.threshold
            let jobs = jobs(workers: parallel ? Parallel.workers : 1)
            Parallel.pipeline(jobs.count, parallel: parallel, { yaml(jobs[$0]) }, { joiner.add($0) })
            joiner.finish()
        }
    }

    /// The objects of `build()`, in its order, a batch at a time: `render` runs on each batch
    /// (several concurrently, on worker threads), `each` gets the results in object order on
    /// the calling thread; a batch's objects are released once rendered.
    func stream<T>(_ render: ([KubeObject]) -> T, _ each: (T) -> Void) {
        let parallel = t.vms.count >= Parallel.threshold
        let jobs = jobs(workers: parallel ? Parallel.workers : 1)
        Parallel.pipeline(jobs.count, parallel: parallel, { render(objects(jobs[$0], YAMLDocuments())) }, each)
    }

    // MARK: common

    /// Topology labels, then `extra` (a key already present takes the later value, in place).
    static func labels(_ base: [KeyValue], _ extra: [KeyValue]) -> KubeValue {
        var fields: [KubeField] = []
        fields.reserveCapacity(base.count + extra.count)
        var at: [String: Int] = [:]
        for kv in base + extra {
            if let i = at[kv.key] { fields[i].value = .string(kv.value); continue }
            at[kv.key] = fields.count
            fields.append(KubeField(kv.key, .string(kv.value)))
        }
        return .map(fields)
    }

    func object(_ apiVersion: String, _ kind: String, _ name: String, namespaced: Bool, labels: KubeValue,
                annotations: [KubeField] = [], rest: [KubeField]) -> KubeObject {
        var md = [KubeField("name", .string(name))]
        if namespaced { md.append(KubeField("namespace", .string(t.namespace))) }
        if case .map(let l) = labels, !l.isEmpty { md.append(KubeField("labels", labels)) }
        if !annotations.isEmpty { md.append(KubeField("annotations", .map(annotations))) }
        var body = [KubeField("apiVersion", .string(apiVersion)), KubeField("kind", .string(kind)),
                    KubeField("metadata", .map(md))]
        body.append(contentsOf: rest)
        return KubeObject(apiVersion: apiVersion, kind: kind, name: name, namespace: namespaced ? t.namespace : nil,
                          body: .map(body))
    }

    static func selector(_ kvs: [KeyValue]) -> KubeValue {
        .map(kvs.map { KubeField($0.key, .string($0.value)) })
    }

    // MARK: Secret

    func secret(_ vm: VM, _ docs: YAMLDocuments) -> KubeObject {
        KubeObject(apiVersion: "v1", kind: "Secret", name: vm.secretName, namespace: t.namespace,
                   body: TreeSink.build { secret(&$0, vm, docs) })
    }

    func secret<S: ValueSink>(_ s: inout S, _ vm: VM, _ docs: YAMLDocuments) {
        // userData depends only on the users, `run` and `cloud_config`, which neighbouring VMs
        // (those of one `for`, say) usually share: rendered and encoded once per run of them.
        let userB64: String
        if let c = docs.lastUserData, c.users == vm.users, c.run == vm.run, c.cloudConfig == vm.cloudConfig {
            userB64 = c.base64
        } else {
            userB64 = Base64.encode(CloudInit.userData(vm, with: docs))
            docs.lastUserData = (vm.users, vm.run, vm.cloudConfig, userB64)
        }
        s.mapStart()
        header(&s, "v1", "Secret", name: vm.secretName, labels: topologyLabels)
        s.word("type")
        s.word("Opaque")
        s.word("data")
        s.mapStart()
        s.word("userdata")
        s.base64Text(userB64)
        s.word("networkdata")
        docs.withRendered({ w in
            var w = w
            CloudInit.networkData(&w, vm, networks: { self.network($0) }, clusterCIDRs: t.clusterCIDRs,
                                  dualStack: t.dualStack ?? false)
        }, { s.base64($0) })
        s.mapEnd()
        s.mapEnd()
    }

    /// `apiVersion`, `kind` and `metadata` (name, namespace, labels) of a namespaced object
    /// without annotations; `object(...)` lays out the same keys.
    func header<S: ValueSink>(_ s: inout S, _ apiVersion: StaticString, _ kind: StaticString, name: String,
                              labels: KubeValue) {
        s.word("apiVersion")
        s.word(apiVersion)
        s.word("kind")
        s.word(kind)
        s.word("metadata")
        s.mapStart()
        s.word("name")
        s.string(name)
        s.word("namespace")
        s.string(t.namespace)
        if case .map(let l) = labels, !l.isEmpty {
            s.word("labels")
            s.value(labels)
        }
        s.mapEnd()
    }

    // MARK: NodeNetworkConfigurationPolicy

    func policy(_ p: NodePolicy) -> KubeObject {
        var interfaces: [KubeValue] = []
        var routes: [KubeValue] = []
        var dns: [String] = []
        var dnsSeen: Set<String> = []
        /// The node's default route through `ifname` and its resolvers (first occurrence order).
        func addRouteAndDNS(gateway: IPAddress?, dns servers: [IPAddress], via ifname: String) {
            if let gw = gateway {
                routes.append(.map([
                    KubeField("destination", .string(gw.isV6 ? "::/0" : "0.0.0.0/0")),
                    KubeField("next-hop-address", .string(gw.description)),
                    KubeField("next-hop-interface", .string(ifname)),
                ]))
            }
            for d in servers {
                let s = d.description
                if dnsSeen.insert(s).inserted { dns.append(s) }
            }
        }
        for pi in p.interfaces {
            switch pi {
            case .bond(let name):
                guard let b = bondIndex[name].map({ t.bonds[$0] }) else { continue }
                var f = head(b.ifname, "bond", mtu: b.mtu)
                f.append(KubeField("ipv4", disabled))
                f.append(KubeField("link-aggregation", .map([
                    KubeField("mode", .string(b.mode)),
                    KubeField("port", .list(b.ports.map { .string($0.ifname) })),
                ])))
                interfaces.append(.map(f))
            case .vlan(let name):
                guard let v = vlanIndex[name].map({ t.vlans[$0] }) else { continue }
                var f = head(v.ifname, "vlan", mtu: v.mtu)
                f.append(KubeField("ipv4", disabled))
                f.append(KubeField("vlan", .map([KubeField("base-iface", .string(v.base.ifname)),
                                                 KubeField("id", .int(v.id))])))
                interfaces.append(.map(f))
            case .releasedNic(let name):
                var f = head(name, "ethernet", mtu: nicSettings(name, host: p.host)?.mtu)
                f.append(KubeField("ipv4", disabled))
                interfaces.append(.map(f))
            case .nic(let name):
                // Listed for its mtu: a bridge/bond port has IPv4 disabled (it is enslaved);
                // otherwise it keeps its declared node addressing, default route and DNS.
                let settings = nicSettings(name, host: p.host)
                var f = head(name, "ethernet", mtu: settings?.mtu)
                if portNics.contains(name) || !(settings?.carriesNodeAddress ?? false) {
                    f.append(KubeField("ipv4", disabled))
                } else if let settings {
                    f.append(contentsOf: nodeIP(address: settings.address, dhcp: settings.dhcp))
                    addRouteAndDNS(gateway: settings.gateway, dns: settings.dns, via: name)
                }
                interfaces.append(.map(f))
            case .bridge(let name):
                guard let br = bridgeIndex[name].map({ t.bridges[$0] }) else { continue }
                let na = br.nodeAddresses.first { $0.host == p.host } ?? br.nodeAddresses.first { $0.host == nil }
                // Taking a node address over (DOMAIN.md §8): the port's MAC, its whole IP
                // configuration, its default route re-pointed at the bridge, its DNS servers.
                let ip = na.map { nodeIP(address: $0.address, dhcp: $0.dhcp) } ?? [KubeField("ipv4", disabled)]
                switch br.kind {
                case .linux:
                    var f = head(br.ifname, "linux-bridge", mtu: br.mtu)
                    if let na { f.append(KubeField("copy-mac-from", .string(na.fromIfname))) }
                    f.append(contentsOf: ip)
                    f.append(KubeField("bridge", .map([
                        KubeField("options", .map([KubeField("stp", .map([KubeField("enabled", .bool(br.stp))]))])),
                        KubeField("port", .list(br.ports.map { port in
                            .map([KubeField("name", .string(port.ifname)), KubeField("vlan", defaultTrunk)])
                        })),
                    ])))
                    interfaces.append(.map(f))
                case .ovs:
                    // An OVS bridge holds no address itself: a node address goes on its internal
                    // port, an `ovs-interface` of the same name (what `ovs-vsctl add-br` creates).
                    let internalPort = na != nil
                    var f = head(br.ifname, "ovs-bridge", mtu: nil)
                    f.append(KubeField("ipv4", disabled))
                    var ports = br.ports.map { KubeValue.map([KubeField("name", .string($0.ifname))]) }
                    if internalPort { ports.append(.map([KubeField("name", .string(br.ifname))])) }
                    f.append(KubeField("bridge", .map([
                        KubeField("options", .map([KubeField("stp", .bool(br.stp))])),
                        KubeField("port", .list(ports)),
                    ])))
                    if internalPort {
                        var g = head(br.ifname, "ovs-interface", mtu: br.mtu)
                        if let na { g.append(KubeField("copy-mac-from", .string(na.fromIfname))) }
                        g.append(contentsOf: ip)
                        interfaces.append(.map(g))
                    }
                    interfaces.append(.map(f))
                }
                if let na { addRouteAndDNS(gateway: na.gateway, dns: na.dns, via: br.ifname) }
            }
        }
        // a policy holding only bridge mappings (an unmanaged bridge such as br-ex) lists no interfaces
        var desired = p.interfaces.isEmpty && !p.bridgeMappings.isEmpty ? [] : [KubeField("interfaces", .list(interfaces))]
        if !routes.isEmpty { desired.append(KubeField("routes", .map([KubeField("config", .list(routes))]))) }
        if !dns.isEmpty {
            desired.append(KubeField("dns-resolver", .map([KubeField("config", .map([
                KubeField("server", .list(dns.map { .string($0) }))]))])))
        }
        if !p.bridgeMappings.isEmpty {
            // no `state`: `present` is deprecated since nmstate 2.2.17 (absent means present)
            desired.append(KubeField("ovn", .map([KubeField("bridge-mappings", .list(p.bridgeMappings.map { m in
                .map([KubeField("localnet", .string(m.localnet)), KubeField("bridge", .string(m.bridge))])
            }))])))
        }
        var spec: [KubeField] = []
        if !p.nodeSelector.isEmpty { spec.append(KubeField("nodeSelector", Builder.selector(p.nodeSelector))) }
        spec.append(KubeField("desiredState", .map(desired)))
        return object("nmstate.io/v1", "NodeNetworkConfigurationPolicy", p.name, namespaced: false,
                      labels: topologyLabels, rest: [KubeField("spec", .map(spec))])
    }

    var disabled: KubeValue { .map([KubeField("enabled", .bool(false))]) }

    /// What kubernetes-nmstate injects into every port without a `vlan` key of a linux-bridge:
    /// written out, so VLAN filtering is on for NAD `vlan` tags under any nmstate.
    var defaultTrunk: KubeValue {
        .map([KubeField("mode", .string("trunk")),
              KubeField("trunk-tags", .list([.map([KubeField("id-range", .map([
                  KubeField("min", .int(2)), KubeField("max", .int(4094))]))])]))])
    }

    func head(_ name: String, _ type: String, mtu: Int?) -> [KubeField] {
        var f = [KubeField("name", .string(name)), KubeField("type", .string(type)), KubeField("state", .string("up"))]
        if let mtu { f.append(KubeField("mtu", .int(mtu))) }
        return f
    }

    /// `ipv4` and `ipv6` of an interface that carries a node address (static or DHCP): the family
    /// without an address is explicitly disabled (nmstate reads an absent block as "disable" too).
    func nodeIP(address: IfAddr?, dhcp: Bool) -> [KubeField] {
        if let a = address {
            let block = KubeValue.map([
                KubeField("enabled", .bool(true)),
                KubeField("dhcp", .bool(false)),
                KubeField("address", .list([.map([KubeField("ip", .string(a.address.description)),
                                                  KubeField("prefix-length", .int(a.prefix))])])),
            ])
            if a.address.isV6 {
                return [KubeField("ipv4", disabled), KubeField("ipv6", block)]
            }
            return [KubeField("ipv4", block), KubeField("ipv6", disabled)]
        }
        if dhcp {
            return [KubeField("ipv4", .map([KubeField("enabled", .bool(true)), KubeField("dhcp", .bool(true))])),
                    KubeField("ipv6", disabled)]
        }
        return [KubeField("ipv4", disabled)]
    }

    /// A node NIC's settings on a host (its declaration there, else the top-level one).
    func nicSettings(_ name: String, host: String?) -> NodeNicSettings? {
        nicIndex[name].flatMap { i in
            t.nics[i].settings.first { $0.host == host } ?? t.nics[i].settings.first { $0.host == nil }
        }
    }

    // MARK: NetworkAttachmentDefinition

    func networkNAD(_ n: Network, name: String) -> KubeObject {
        let ipam: KubeValue
        switch n.ipam {
        case .whereabouts: ipam = whereabouts(n)
        case .dhcp: ipam = .map([KubeField("type", .string("dhcp"))])
        case .none, .static, .hostLocal, .ovn: ipam = .map([])
        }
        return nad(n, name: name, ipam: ipam)
    }

    /// CNI IPAM routes: the default route via the network's gateway, then its `routes`.
    func cniRoutes(_ n: Network) -> [KubeValue] {
        var routes: [KubeValue] = []
        for gw in [n.gateway, n.gateway6].compactMap({ $0 }) {   // dual-stack: one per family
            routes.append(.map([KubeField("dst", .string(gw.isV6 ? "::/0" : "0.0.0.0/0")),
                                KubeField("gw", .string(gw.description))]))
        }
        for r in n.routes {
            routes.append(.map([KubeField("dst", .string(r.to.description)), KubeField("gw", .string(r.via.description))]))
        }
        return routes
    }

    func nicNAD(_ n: Network, nic: VMNic, name: String) -> KubeObject {
        guard case .static(let a) = nic.address else { return nad(n, name: name, ipam: .map([])) }
        let routes = cniRoutes(n)
        var f: [KubeField]
        if n.ipam == .hostLocal {
            var range = [KubeField("subnet", .string((n.subnet ?? a.network).description)),
                         KubeField("rangeStart", .string(a.address.description)),
                         KubeField("rangeEnd", .string(a.address.description))]
            if let gw = n.gateway { range.append(KubeField("gateway", .string(gw.description))) }
            var sets: [KubeValue] = [.list([.map(range)])]
            if let a6 = nic.address6, let s6 = n.subnet6 {   // dual-stack: a range set per family
                var r6 = [KubeField("subnet", .string(s6.description)),
                          KubeField("rangeStart", .string(a6.address.description)),
                          KubeField("rangeEnd", .string(a6.address.description))]
                if let gw = n.gateway6 { r6.append(KubeField("gateway", .string(gw.description))) }
                sets.append(.list([.map(r6)]))
            }
            f = [KubeField("type", .string("host-local")), KubeField("ranges", .list(sets))]
        } else {
            var addr = [KubeField("address", .string(a.description))]
            if let gw = n.gateway { addr.append(KubeField("gateway", .string(gw.description))) }
            var addrs: [KubeValue] = [.map(addr)]
            if let a6 = nic.address6 {   // dual-stack
                var x = [KubeField("address", .string(a6.description))]
                if let gw = n.gateway6 { x.append(KubeField("gateway", .string(gw.description))) }
                addrs.append(.map(x))
            }
            f = [KubeField("type", .string("static")), KubeField("addresses", .list(addrs))]
        }
        if !routes.isEmpty { f.append(KubeField("routes", .list(routes))) }
        if n.ipam == .static && (!n.dns.isEmpty || !n.search.isEmpty) {
            var d: [KubeField] = []
            if !n.dns.isEmpty { d.append(KubeField("nameservers", .list(n.dns.map { .string($0.description) }))) }
            if !n.search.isEmpty { d.append(KubeField("search", .list(n.search.map { .string($0) }))) }
            f.append(KubeField("dns", .map(d)))
        }
        return nad(n, name: name, ipam: .map(f))
    }

    func whereabouts(_ n: Network) -> KubeValue {
        var f = [KubeField("type", .string("whereabouts"))]
        if let s = n.subnet { f.append(KubeField("range", .string(s.description))) }
        if let a = n.poolFirst { f.append(KubeField("range_start", .string(a.description))) }
        if let b = n.poolLast { f.append(KubeField("range_end", .string(b.description))) }
        if let gw = n.gateway {
            f.append(KubeField("gateway", .string(gw.description)))
            let inRange = (n.poolFirst.map { gw >= $0 } ?? true) && (n.poolLast.map { gw <= $0 } ?? true)
            if inRange {
                f.append(KubeField("exclude", .list([.string("\(gw)/\(gw.isV6 ? 128 : 32)")])))
            }
        }
        // dual-stack: the IPv6 subnet as an `ipRanges` entry (its own pool and gateway exclusion)
        if let s6 = n.subnet6 {
            var r = [KubeField("range", .string(s6.description))]
            if let a = n.pool6First { r.append(KubeField("range_start", .string(a.description))) }
            if let b = n.pool6Last { r.append(KubeField("range_end", .string(b.description))) }
            if let gw = n.gateway6, (n.pool6First.map { gw >= $0 } ?? true) && (n.pool6Last.map { gw <= $0 } ?? true) {
                r.append(KubeField("exclude", .list([.string("\(gw)/128")])))
            }
            f.append(KubeField("ipRanges", .list([.map(r)])))
        }
        let routes = cniRoutes(n)
        if !routes.isEmpty { f.append(KubeField("routes", .list(routes))) }
        return .map(f)
    }

    /// An OVN-Kubernetes secondary network (docs/networks-reference.md): no `ipam` key; with OVN
    /// IPAM the subnet, the addresses OVN must not hand out (gateway, DNS servers, route
    /// next hops in the subnet) and persistent IPs.
    func ovnNAD(_ n: Network, name: String, topology: String, ovnName: String) -> [KubeField] {
        var c = [KubeField("cniVersion", .string(KubernetesBackend.ovnCNIVersion)), KubeField("name", .string(ovnName)),
                 KubeField("type", .string("ovn-k8s-cni-overlay")), KubeField("topology", .string(topology)),
                 KubeField("role", .string("secondary")), KubeField("netAttachDefName", .string("\(t.namespace)/\(name)"))]
        if n.ipam == .ovn, let subnet = n.subnet {
            // dual-stack: one subnet per family, comma-separated
            c.append(KubeField("subnets", .string(([subnet] + [n.subnet6].compactMap { $0 }).map(\.description).joined(separator: ","))))
            let excluded = ovnExclusions(n, subnet)
            if !excluded.isEmpty { c.append(KubeField("excludeSubnets", .string(excluded.joined(separator: ",")))) }
        }
        if let m = n.mtu { c.append(KubeField("mtu", .int(m))) }
        if n.persistentIPs { c.append(KubeField("allowPersistentIPs", .bool(true))) }
        if case .localnet(_, _, let physnet) = n.attachment {
            // written from the same value as the bridge mapping in the NNCP, so the two cannot differ
            c.append(KubeField("physicalNetworkName", .string(physnet)))
            if let v = n.vlan { c.append(KubeField("vlanID", .int(v))) }
        }
        return c
    }

    func ovnExclusions(_ n: Network, _ subnet: CIDR) -> [String] {
        var out = OVNExclusions.list(subnet: subnet, exclude: n.exclude, addresses: [n.gateway].compactMap { $0 } + n.dns + n.routes.map(\.via))
        // dual-stack: the IPv6 gateway, DNS servers and next hops inside the IPv6 subnet too
        if let s6 = n.subnet6 {
            let more = OVNExclusions.list(subnet: s6, exclude: n.exclude, addresses: [n.gateway6].compactMap { $0 } + n.dns + n.routes.map(\.via))
            for x in more where !out.contains(x) { out.append(x) }
        }
        return out
    }

    /// `ovn_networks = "cudn"`: a `k8s.ovn.org/v1` ClusterUserDefinedNetwork for the topology's
    /// namespace; OVN-Kubernetes renders the NAD `<namespace>/<name>` from it.
    func clusterUserDefinedNetwork(_ n: Network, name: String, topology: String) -> KubeObject {
        var net: [KubeField] = [KubeField("role", .string("Secondary"))]
        if case .localnet(_, _, let physnet) = n.attachment { net.append(KubeField("physicalNetworkName", .string(physnet))) }
        if n.ipam == .ovn, let subnet = n.subnet {
            net.append(KubeField("subnets", .list(([subnet] + [n.subnet6].compactMap { $0 }).map { .string($0.description) })))
            // only localnet has `excludeSubnets` for a secondary network (N-OVN rejects the layer2 case)
            let excluded = ovnExclusions(n, subnet)
            if topology == "localnet", !excluded.isEmpty { net.append(KubeField("excludeSubnets", .list(excluded.map { .string($0) }))) }
            var ipam = [KubeField("mode", .string("Enabled"))]
            if n.persistentIPs { ipam.append(KubeField("lifecycle", .string("Persistent"))) }
            net.append(KubeField("ipam", .map(ipam)))
        } else {
            net.append(KubeField("ipam", .map([KubeField("mode", .string("Disabled"))])))
        }
        if let m = n.mtu { net.append(KubeField("mtu", .int(m))) }
        if case .localnet = n.attachment, let v = n.vlan {
            net.append(KubeField("vlan", .map([KubeField("mode", .string("Access")),
                                               KubeField("access", .map([KubeField("id", .int(v))]))])))
        }
        let kind = topology == "localnet" ? "Localnet" : "Layer2"
        let spec: [KubeField] = [
            KubeField("namespaceSelector", .map([KubeField("matchLabels", .map([
                KubeField("kubernetes.io/metadata.name", .string(t.namespace))]))])),
            KubeField("network", .map([KubeField("topology", .string(kind)), KubeField(topology, .map(net))])),
        ]
        return object("k8s.ovn.org/v1", "ClusterUserDefinedNetwork", name, namespaced: false, labels: topologyLabels,
                      rest: [KubeField("spec", .map(spec))])
    }

    func nad(_ n: Network, name: String, ipam: KubeValue) -> KubeObject {
        if let ovn = n.attachment.ovn {
            return object("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", name, namespaced: true, labels: topologyLabels,
                          rest: [KubeField("spec", .map([KubeField("config", .string(JSONOutput.compact(
                              .map(ovnNAD(n, name: name, topology: ovn.topology, ovnName: ovn.name)))))]))])
        }
        var c = [KubeField("cniVersion", .string(KubernetesBackend.cniVersion)), KubeField("name", .string(name))]
        var annotations: [KubeField] = []
        switch n.attachment {
        case .bridge(_, let ifname):
            c.append(KubeField("type", .string("bridge")))
            c.append(KubeField("bridge", .string(ifname)))
            if let v = n.vlan { c.append(KubeField("vlan", .int(v))) }
            if let m = n.mtu { c.append(KubeField("mtu", .int(m))) }
            c.append(KubeField("ipam", ipam))
        case .ovs(_, let ifname):
            c.append(KubeField("type", .string("ovs")))
            c.append(KubeField("bridge", .string(ifname)))
            if let v = n.vlan { c.append(KubeField("vlan", .int(v))) }
            if let m = n.mtu { c.append(KubeField("mtu", .int(m))) }
            c.append(KubeField("ipam", ipam))
        case .macvlan(let link):
            // macvtap-cni takes its lower device from the device plugin (the resource name
            // below), not from the config: it has no `master`/`mode` fields.
            c.append(KubeField("type", .string("macvtap")))
            if let m = n.mtu { c.append(KubeField("mtu", .int(m))) }
            annotations.append(KubeField(KubernetesBackend.resourceNameAnnotation,
                                         .string("macvtap.network.kubevirt.io/\(link.ifname)")))
        case .sriov(let resource):
            c.append(KubeField("type", .string("sriov")))
            if let v = n.vlan { c.append(KubeField("vlan", .int(v))) }
            annotations.append(KubeField(KubernetesBackend.resourceNameAnnotation, .string(resource)))
        case .layer2, .localnet: break   // above
        }
        return object("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", name, namespaced: true,
                      labels: topologyLabels, annotations: annotations,
                      rest: [KubeField("spec", .map([KubeField("config", .string(JSONOutput.compact(.map(c))))]))])
    }

    // MARK: VirtualMachine

    func virtualMachine(_ vm: VM) -> KubeObject {
        KubeObject(apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: vm.name, namespace: t.namespace,
                   body: TreeSink.build { virtualMachine(&$0, vm) })
    }

    func virtualMachine<S: ValueSink>(_ s: inout S, _ vm: VM) {
        // the escape hatch edits the built tree (KubevirtMerge); programs without it stream as before
        if let settings = vm.kubevirt, !settings.isEmpty {
            var body = TreeSink.build { generatedVirtualMachine(&$0, vm) }
            KubevirtMerge.apply(settings, toVirtualMachine: &body)
            s.value(body)
            return
        }
        generatedVirtualMachine(&s, vm)
    }

    func generatedVirtualMachine<S: ValueSink>(_ s: inout S, _ vm: VM) {
        let labels = vm.labels.isEmpty ? topologyLabels : Builder.labels(t.labels, vm.labels)
        s.mapStart()
        header(&s, "kubevirt.io/v1", "VirtualMachine", name: vm.name, labels: labels)
        s.word("spec")
        s.mapStart()
        if !vm.disks.isEmpty { dataVolumeTemplates(&s, vm.disks) }
        if let it = vm.instancetype { clusterTypeRef(&s, "instancetype", it, kinds: ("VirtualMachineInstancetype", "VirtualMachineClusterInstancetype")) }
        if let pref = vm.preference { clusterTypeRef(&s, "preference", pref, kinds: ("VirtualMachinePreference", "VirtualMachineClusterPreference")) }
        s.word("runStrategy")
        if let r = vm.runStrategy { s.string(r.rawValue) } else if vm.running { s.word("Always") } else { s.word("Halted") }
        s.word("template")
        s.mapStart()
        s.word("metadata")
        s.mapStart()
        s.word("labels")
        s.value(templateLabels(labels, vm))
        s.mapEnd()
        s.word("spec")
        s.mapStart()
        // Placement: the topology's node_selector always; a pinned VM adds its hostname; an
        // unpinned VM whose bridges exist only on some hosts gets a required node affinity.
        if let h = vm.pinnedHostname {
            var selector = vmNodeSelector(vm)
            selector.removeAll { $0.key == "kubernetes.io/hostname" }
            selector.append(KeyValue("kubernetes.io/hostname", h))
            nodeSelector(&s, selector)
            affinity(&s, vm, hosts: nil)
        } else {
            nodeSelector(&s, vmNodeSelector(vm))
            affinity(&s, vm, hosts: vm.affinityHostnames)
        }
        if let ts = vm.tolerations { tolerations(&s, ts) }
        if let strategy = vm.evictionStrategy {
            s.word("evictionStrategy")
            s.string(strategy)
        }
        s.word("domain")
        s.mapStart()
        s.word("firmware")
        s.mapStart()
        s.word("uuid")
        s.string(vm.firmwareUUID)
        if let f = vm.firmware { firmware(&s, f) }
        s.mapEnd()
        if vm.firmware == .efiSecure {
            s.word("features")
            s.mapStart()
            s.word("smm")
            s.mapStart()
            s.word("enabled")
            s.bool(true)
            s.mapEnd()
            s.mapEnd()
        }
        // with an instance type, CPU and memory come from it (KubeVirt rejects both)
        if let cpu = vm.cpu {
            s.word("cpu")
            s.mapStart()
            s.word("cores")
            s.int(cpu)
            s.mapEnd()
        }
        if let memory = vm.memory?.description {
            s.word("memory")
            s.mapStart()
            s.word("guest")
            s.string(memory)
            s.mapEnd()
            s.word("resources")
            s.mapStart()
            s.word("requests")
            s.mapStart()
            s.word("memory")
            s.string(memory)
            s.mapEnd()
            s.mapEnd()
        }
        s.word("devices")
        s.mapStart()
        if !vm.nics.contains(where: { $0.networkName == nil }) {
            s.word("autoattachPodInterface")
            s.bool(false)
        }
        s.word("disks")
        s.listStart()
        if vm.image != nil { diskDevice(&s, "containerdisk") }
        for d in vm.disks {
            s.mapStart()
            s.word("name")
            s.string(d.name)
            if d.boot {
                s.word("bootOrder")
                s.int(1)
            }
            s.word("disk")
            s.mapStart()
            s.word("bus")
            s.string(d.bus.rawValue)
            s.mapEnd()
            s.mapEnd()
        }
        diskDevice(&s, "cloudinitdisk")
        s.listEnd()
        s.word("interfaces")
        s.listStart()
        for nic in vm.nics {
            s.mapStart()
            s.word("name")
            s.string(nic.name)
            switch nic.binding {
            case .masquerade:
                s.word("masquerade")
                s.emptyMap()
            case .bridge:
                s.word("bridge")
                s.emptyMap()
            case .macvtap:
                s.word("binding")
                s.mapStart()
                s.word("name")
                s.word("macvtap")
                s.mapEnd()
            case .sriov:
                s.word("sriov")
                s.emptyMap()
            case .passt:
                s.word("passtBinding")
                s.emptyMap()
            }
            s.word("macAddress")
            s.mac(nic.mac)
            if let m = nic.model {
                s.word("model")
                s.string(m.rawValue)
            }
            s.mapEnd()
        }
        s.listEnd()
        s.mapEnd() // devices
        s.mapEnd() // domain
        s.word("networks")
        s.listStart()
        for nic in vm.nics {
            s.mapStart()
            s.word("name")
            s.string(nic.name)
            if let nn = nic.networkName {
                s.word("multus")
                s.mapStart()
                s.word("networkName")
                s.string(nn)
                s.mapEnd()
            } else {
                s.word("pod")
                s.emptyMap()
            }
            s.mapEnd()
        }
        s.listEnd()
        s.word("volumes")
        s.listStart()
        if let image = vm.image {
            s.mapStart()
            s.word("name")
            s.word("containerdisk")
            s.word("containerDisk")
            s.mapStart()
            s.word("image")
            s.string(image)
            s.mapEnd()
            s.mapEnd()
        }
        for d in vm.disks {
            s.mapStart()
            s.word("name")
            s.string(d.name)
            if let dv = d.dataVolume {
                s.word("dataVolume")
                s.mapStart()
                s.word("name")
                s.string(dv)
                s.mapEnd()
            } else {
                s.word("persistentVolumeClaim")
                s.mapStart()
                s.word("claimName")
                s.string(d.reference ?? "")
                s.mapEnd()
            }
            s.mapEnd()
        }
        s.mapStart()
        s.word("name")
        s.word("cloudinitdisk")
        s.word("cloudInitNoCloud")
        s.mapStart()
        for ref: StaticString in ["secretRef", "networkDataSecretRef"] {
            s.word(ref)
            s.mapStart()
            s.word("name")
            s.string(vm.secretName)
            s.mapEnd()
        }
        s.mapEnd()
        s.mapEnd()
        s.listEnd()
        s.mapEnd() // template.spec
        s.mapEnd() // template
        s.mapEnd() // spec
        s.mapEnd()
    }

    func diskDevice<S: ValueSink>(_ s: inout S, _ name: StaticString) {
        s.mapStart()
        s.word("name")
        s.word(name)
        s.word("disk")
        s.mapStart()
        s.word("bus")
        s.word("virtio")
        s.mapEnd()
        s.mapEnd()
    }

    /// `spec.instancetype` / `spec.preference`: `{kind, name}` (kinds: namespaced, cluster-wide).
    func clusterTypeRef<S: ValueSink>(_ s: inout S, _ key: StaticString, _ ref: ClusterTypeRef,
                                      kinds: (namespaced: StaticString, cluster: StaticString)) {
        s.word(key)
        s.mapStart()
        s.word("kind")
        s.word(ref.namespaced ? kinds.namespaced : kinds.cluster)
        s.word("name")
        s.string(ref.name)
        s.mapEnd()
    }

    /// One CDI DataVolume spec (`cdi.kubevirt.io/v1beta1`, with `storage`) per disk that has one.
    func dataVolumeTemplates<S: ValueSink>(_ s: inout S, _ disks: [VMDisk]) {
        guard disks.contains(where: { $0.dataVolume != nil }) else { return }
        s.word("dataVolumeTemplates")
        s.listStart()
        for d in disks {
            guard let dv = d.dataVolume else { continue }
            s.mapStart()
            s.word("metadata")
            s.mapStart()
            s.word("name")
            s.string(dv)
            s.mapEnd()
            s.word("spec")
            s.mapStart()
            switch d.source {
            case .image, .url, .blank:
                s.word("source")
                s.mapStart()
                switch d.source {
                case .image:
                    let ref = d.reference ?? ""
                    s.word("registry")
                    s.mapStart()
                    s.word("url")
                    s.string(ref.contains("://") ? ref : "docker://" + ref)
                    s.mapEnd()
                case .url:
                    s.word("http")
                    s.mapStart()
                    s.word("url")
                    s.string(d.reference ?? "")
                    s.mapEnd()
                default:
                    s.word("blank")
                    s.emptyMap()
                }
                s.mapEnd()
            case .dataSource:
                let parts = (d.reference ?? "").split(separator: "/", maxSplits: 1).map(String.init)
                s.word("sourceRef")
                s.mapStart()
                s.word("kind")
                s.word("DataSource")
                s.word("name")
                s.string(parts.last ?? "")
                if parts.count == 2 {
                    s.word("namespace")
                    s.string(parts[0])
                }
                s.mapEnd()
            case .pvc:
                break
            }
            s.word("storage")
            s.mapStart()
            if let a = d.access {
                s.word("accessModes")
                s.listStart()
                s.string(a.kubernetes)
                s.listEnd()
            }
            if let size = d.size {
                s.word("resources")
                s.mapStart()
                s.word("requests")
                s.mapStart()
                s.word("storage")
                s.string(size.description)
                s.mapEnd()
                s.mapEnd()
            }
            if let sc = d.storageClass {
                s.word("storageClassName")
                s.string(sc)
            }
            if let vm = d.volumeMode {
                s.word("volumeMode")
                s.string(vm.kubernetes)
            }
            s.mapEnd()
            s.mapEnd()
            s.mapEnd()
        }
        s.listEnd()
    }

    /// `affinity`: a required node affinity to `hosts` (the hosts of the VM's bridges) and the
    /// pod anti-affinity of `spread` among the VMs labelled with the same group.
    func affinity<S: ValueSink>(_ s: inout S, _ vm: VM, hosts: [String]?) {
        guard hosts != nil || vm.spread != nil else { return }
        s.word("affinity")
        s.mapStart()
        if let hosts {
            s.word("nodeAffinity")
            s.mapStart()
            s.word("requiredDuringSchedulingIgnoredDuringExecution")
            s.mapStart()
            s.word("nodeSelectorTerms")
            s.listStart()
            s.mapStart()
            s.word("matchExpressions")
            s.listStart()
            s.mapStart()
            s.word("key")
            s.word("kubernetes.io/hostname")
            s.word("operator")
            s.word("In")
            s.word("values")
            s.listStart()
            for h in hosts { s.string(h) }
            s.listEnd()
            s.mapEnd()
            s.listEnd()
            s.mapEnd()
            s.listEnd()
            s.mapEnd()
            s.mapEnd()
        }
        if let spread = vm.spread {
            let required = spread.mode == .hostRequired
            s.word("podAntiAffinity")
            s.mapStart()
            if required { s.word("requiredDuringSchedulingIgnoredDuringExecution") } else { s.word("preferredDuringSchedulingIgnoredDuringExecution") }
            s.listStart()
            s.mapStart()
            if !required {
                s.word("weight")
                s.int(100)
                s.word("podAffinityTerm")
                s.mapStart()
            }
            s.word("labelSelector")
            s.mapStart()
            s.word("matchLabels")
            s.mapStart()
            s.string(spreadLabelKey)
            s.string(spread.group)
            s.mapEnd()
            s.mapEnd()
            s.word("topologyKey")
            s.word("kubernetes.io/hostname")
            if !required { s.mapEnd() }
            s.mapEnd()
            s.listEnd()
            s.mapEnd()
        }
        s.mapEnd()
    }

    func tolerations<S: ValueSink>(_ s: inout S, _ ts: [Toleration]) {
        s.word("tolerations")
        s.listStart()
        for t in ts {
            s.mapStart()
            if let k = t.key { s.word("key"); s.string(k) }
            if let o = t.operator { s.word("operator"); s.string(o.rawValue) }
            if let v = t.value { s.word("value"); s.string(v) }
            if let e = t.effect { s.word("effect"); s.string(e.rawValue) }
            if let n = t.seconds { s.word("tolerationSeconds"); s.int(n) }
            s.mapEnd()
        }
        s.listEnd()
    }

    /// The pod's labels: the VM's, plus its spread group, which `affinity` selects on.
    func templateLabels(_ labels: KubeValue, _ vm: VM) -> KubeValue {
        guard let spread = vm.spread, case .map(var fields) = labels else { return labels }
        fields.removeAll { $0.key == spreadLabelKey }
        fields.append(KubeField(spreadLabelKey, .string(spread.group)))
        return .map(fields)
    }

    /// The topology's node_selector, then the VM's own keys (PlacementChecks rejects a key both
    /// set to different values, so appending the new keys is the merge).
    func vmNodeSelector(_ vm: VM) -> [KeyValue] {
        guard let own = vm.nodeSelector else { return t.nodeSelector }
        var selector = t.nodeSelector
        for kv in own where !selector.contains(where: { $0.key == kv.key }) { selector.append(kv) }
        return selector
    }

    /// `firmware` inside `domain.firmware`: EFI with secure boot off, or on — which KubeVirt
    /// accepts only with SMM, so `efi-secure` also enables `domain.features.smm`.
    func firmware<S: ValueSink>(_ s: inout S, _ f: FirmwareKind) {
        s.word("bootloader")
        s.mapStart()
        if f == .bios {
            s.word("bios")
            s.emptyMap()
            s.mapEnd()
            return
        }
        s.word("efi")
        s.mapStart()
        s.word("secureBoot")
        s.bool(f == .efiSecure)
        s.mapEnd()
        s.mapEnd()
    }

    func nodeSelector<S: ValueSink>(_ s: inout S, _ selector: [KeyValue]) {
        if selector.isEmpty { return }
        s.word("nodeSelector")
        s.mapStart()
        for kv in selector {
            s.string(kv.key)
            s.string(kv.value)
        }
        s.mapEnd()
    }
}
