import Foundation
import WukongNet
import WukongParallel
import WukongSema
import WukongSyntax
import Yams

typealias Object = [String: Any]

/// Reads Kubernetes objects into an `ImportModel`. Anything not understood becomes an
/// `ImportNote` (never a crash, never silently lost).
struct Reader {
    var model: ImportModel
    var secrets: [String: Object] = [:]   // "namespace/name" → Secret
    var nadKinds: [String: String] = [:]  // network name → CNI type, for NIC bindings
    var namespaceCounts: [String: Int] = [:]

    static let ownLabels: Set<String> = ["app.kubernetes.io/managed-by", "wukong.dev/topology"]

    init(defaultName: String) { model = ImportModel(name: defaultName) }

    static func objects(of inputs: [ImportInput], notes: inout [ImportNote]) -> [Object] {
        var out: [Object] = []
        for input in inputs {
            // documents parsed on several threads: a 10 000-VM stream is 21 MB of YAML
            let docs = documents(input.text)
            let parsed = Parallel.map(docs.count, minimum: 64) { i -> ([Object], String?) in
                let (values, error) = PlainYAML.documents(docs[i].text)
                var objects: [Object] = []
                for v in values {
                    guard let o = v as? Object else { return (objects, "a YAML document that is not an object, skipped") }
                    objects.append(o)
                }
                if var error {
                    error.line += docs[i].line - 1
                    return (objects, "the YAML document starting at line \(docs[i].line) is not readable (\(error)), skipped")
                }
                return (objects, nil)
            }
            for (objects, note) in parsed {
                out += objects
                if let note { notes.append(ImportNote(object: input.path, message: note)) }
            }
        }
        return out
    }

    /// A YAML stream cut at its `---` lines (a document marker at column 0 cannot be inside a
    /// block scalar, whose lines are indented), with each piece's first line number.
    static func documents(_ text: String) -> [(text: Substring, line: Int)] {
        // scanned as UTF-8 bytes: `---` and newlines are ASCII, and Character iteration of a
        // 21 MB stream is slow
        var out: [(Substring, Int)] = []
        let u = text.utf8
        var start = u.startIndex, startLine = 1, line = 1
        var i = u.startIndex
        let dash = UInt8(ascii: "-"), newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        while i < u.endIndex {
            let lineEnd = u[i...].firstIndex(of: newline) ?? u.endIndex
            let l = u[i..<lineEnd]
            if l.starts(with: [dash, dash, dash]) {
                let rest = l.dropFirst(3)
                if rest.isEmpty || rest.first == space {
                    if i > start { out.append((text[start..<i], startLine)) }
                    start = i; startLine = line
                }
            }
            line += 1
            i = lineEnd < u.endIndex ? u.index(after: lineEnd) : u.endIndex
        }
        if start < u.endIndex { out.append((text[start...], startLine)) }
        return out.filter { !$0.0.utf8.allSatisfy { $0 == space || $0 == newline || $0 == dash || $0 == 9 || $0 == 13 } }
    }

    /// One YAML document (a cloud-init payload) as plain values (`PlainYAML`).
    static func loadYAML(_ text: String) -> Any? { PlainYAML.single(text) }

    mutating func read(_ objects: [Object]) {
        // Items of a `kind: List` count as objects of their own.
        var all: [Object] = []
        for o in objects {
            if let items = o["items"] as? [Any], (o["kind"] as? String)?.hasSuffix("List") == true {
                all += items.compactMap { $0 as? Object }
            } else { all.append(o) }
        }
        var topologies: [String] = []
        for o in all {
            if let t = label(o, "wukong.dev/topology") {
                if !topologies.contains(t) { topologies.append(t) }
                if topologies.count == 1 { model.name = t }
            }
            if let ns = meta(o)["namespace"] as? String { namespaceCounts[ns, default: 0] += 1 }
            if kind(o) == "Secret" { secrets["\(meta(o)["namespace"] as? String ?? "")/\(name(o))"] = o }
        }
        if let ns = namespaceCounts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key {
            model.namespace = ns
        }
        if topologies.count > 1 {
            model.notes.append(ImportNote(object: "input", message: "objects of several topologies (\(topologies.joined(separator: ", "))) imported as one, `\(model.name)`"))
        }
        for o in all where ["NetworkAttachmentDefinition", "VirtualMachine", "Wukong"].contains(kind(o)) {
            if let ns = meta(o)["namespace"] as? String, ns != model.namespace {
                note(o, "in namespace \(ns), not the topology's `\(model.namespace ?? "default")`: moved there")
            }
        }
        // labels on every object besides the compiler's own: the topology's `labels`
        let labelled = all.filter { ["NodeNetworkConfigurationPolicy", "NetworkAttachmentDefinition", "VirtualMachine", "Secret"].contains(kind($0)) }
        if let first = labelled.first {
            var common = (meta(first)["labels"] as? Object ?? [:]).compactMapValues { $0 as? String }
            for o in labelled.dropFirst() {
                let l = meta(o)["labels"] as? Object ?? [:]
                common = common.filter { l[$0.key] as? String == $0.value }
            }
            model.labels = common.filter { !Reader.ownLabels.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        for o in all where kind(o) == "Namespace" {
            if name(o) == model.namespace { model.createNamespace = true } else {
                note(o, "a Namespace other than the topology's (`\(model.namespace ?? "default")`), dropped")
            }
        }
        for o in all where kind(o) == "NodeNetworkConfigurationPolicy" { readPolicy(o) }
        for o in all where kind(o) == "NetworkAttachmentDefinition" { readNAD(o) }
        for o in all where kind(o) == "ClusterUserDefinedNetwork" { readCUDN(o) }
        for o in all where kind(o) == "VirtualMachine" { readVM(o) }
        for o in all where Reader.isWukongCR(o) { readWukong(o) }
        for o in all {
            switch kind(o) {
            case "Namespace", "NodeNetworkConfigurationPolicy", "VirtualMachine", "ClusterUserDefinedNetwork": break
            case "Wukong" where Reader.isWukongCR(o): break
            case "NetworkAttachmentDefinition":
                if perNicNADs[name(o)] != nil && !usedNADs.contains(name(o)) {
                    note(o, "a per-NIC NAD (static/host-local IPAM) no VM refers to as `<vm>-<network>-nad`, dropped")
                }
            case "Secret":
                if !usedSecrets.contains("\(meta(o)["namespace"] as? String ?? "")/\(name(o))") {
                    note(o, "a Secret no VM's cloud-init refers to, dropped")
                }
            default: note(o, "kind \(kind(o)) is not imported, dropped")
            }
        }
    }

    var usedSecrets: Set<String> = []
    /// NADs with static/host-local IPAM: one per (VM, NIC), read when a VM refers to them.
    var perNicNADs: [String: ImportModel.Network] = [:]
    var usedNADs: Set<String> = []
    var linkNames: [String: String] = [:]  // Linux name → declared name
    var physnetBridges: [String: String] = [:]  // OVN bridge mappings: physnet → bridge
    var nadAliases: [String: String] = [:]  // NAD name rendered from a CUDN → network name

    /// A ClusterUserDefinedNetwork `<topology>-<network>` (`ovn_networks = "cudn"`).
    mutating func readCUDN(_ o: Object) {
        let spec = o["spec"] as? Object ?? [:]
        let network = spec["network"] as? Object ?? [:]
        let topo = (network["topology"] as? String)?.lowercased() ?? ""
        guard topo == "localnet" || topo == "layer2", let body = network[topo] as? Object else {
            note(o, "a ClusterUserDefinedNetwork of topology `\(network["topology"] as? String ?? "?")` is not imported, dropped"); return
        }
        var n = name(o)
        if n.hasPrefix(model.name + "-") { n = String(n.dropFirst(model.name.count + 1)) }
        nadAliases[name(o)] = n
        var net = ImportModel.Network(name: n, attachment: ("overlay", quote("layer2")))
        if topo == "localnet" {
            guard let physnet = body["physicalNetworkName"] as? String else { note(o, "a localnet without `physicalNetworkName`, dropped"); return }
            let bridge = physnetBridges[physnet] ?? (model.bridges.contains(where: { $0.name == physnet }) ? physnet : "br-ex")
            if !model.bridges.contains(where: { $0.name == bridge }) { model.bridges.append(.init(name: bridge, ports: [], managed: false, ovs: true)) }
            net.attachment = ("localnet", bridge)
            if physnet != bridge { net.extra.append(("physnet", quote(physnet))) }
            if let v = ((body["vlan"] as? Object)?["access"] as? Object)?["id"] as? Int { net.vlan = v }
        }
        if let ipam = body["ipam"] as? Object, ipam["mode"] as? String == "Enabled", let subnet = (body["subnets"] as? [Any])?.first as? String {
            net.subnet = subnet
            net.ipam = "ovn"
            var excludes: [String] = []
            for case let e as String in body["excludeSubnets"] as? [Any] ?? [] {
                if e.hasSuffix("/32"), net.gateway == nil { net.gateway = String(e.dropLast(3)) } else { excludes.append(Writer.addr(e)) }
            }
            if !excludes.isEmpty { net.extra.append(("exclude", "[" + excludes.joined(separator: ", ") + "]")) }
            if ipam["lifecycle"] as? String != "Persistent" { net.extra.append(("persistent_ips", "false")) }
        }
        if let m = body["mtu"] as? Int { net.mtu = m }
        model.ovnNetworksCUDN = true
        model.networks.append(net)
    }

    // MARK: - helpers

    func kind(_ o: Object) -> String { o["kind"] as? String ?? "?" }
    func meta(_ o: Object) -> Object { o["metadata"] as? Object ?? [:] }
    func name(_ o: Object) -> String { meta(o)["name"] as? String ?? "?" }
    func label(_ o: Object, _ key: String) -> String? { (meta(o)["labels"] as? Object)?[key] as? String }
    func ref(_ o: Object) -> String {
        if let ns = meta(o)["namespace"] as? String { return "\(kind(o))/\(ns)/\(name(o))" }
        return "\(kind(o))/\(name(o))"
    }
    mutating func note(_ o: Object, _ message: String) { model.notes.append(ImportNote(object: ref(o), message: message)) }
    mutating func fault(_ o: Object, _ message: String) { model.notes.append(ImportNote(object: ref(o), message: message, isFault: true)) }
    mutating func addNic(_ n: String) { if !model.nics.contains(n) { model.nics.append(n) } }

    // MARK: - NNCP

    /// The declared name of a Linux interface: `bond0.100` cannot be a Wukong name, so a VLAN
    /// is declared as `bond0-100` (its Linux name stays the default `<base>.<id>`).
    func linkName(_ ifname: String) -> String { linkNames[ifname] ?? ifname }

    /// The host a policy targets (`nodeSelector: {kubernetes.io/hostname: H}`), declared once;
    /// its name from the policy name `<topology>-<bridge>-<host>` when it has that form.
    mutating func policyHost(_ o: Object, _ selector: Object, bridge: String?) -> Int? {
        guard selector.count == 1, let hostname = selector["kubernetes.io/hostname"] as? String else { return nil }
        if let k = model.hosts.firstIndex(where: { $0.hostname == hostname }) { return k }
        var decl = hostname
        let prefix = "\(model.name)-\(bridge ?? "")-"
        if let b = bridge, !b.isEmpty, name(o).hasPrefix(prefix), Writer.isName(String(name(o).dropFirst(prefix.count))) {
            decl = String(name(o).dropFirst(prefix.count))
        } else if !Writer.isName(decl) {
            decl = decl.replacingOccurrences(of: ".", with: "-")
        }
        model.hosts.append(.init(name: decl, hostname: hostname))
        return model.hosts.count - 1
    }

    mutating func readPolicy(_ o: Object) {
        let spec = o["spec"] as? Object ?? [:]
        let ifaces = ((spec["desiredState"] as? Object)?["interfaces"] as? [Any] ?? []).compactMap { $0 as? Object }
        let firstBridge = ifaces.first(where: { ["linux-bridge", "ovs-bridge"].contains($0["type"] as? String ?? "") })?["name"] as? String
        var host: Int? = nil
        if let selector = spec["nodeSelector"] as? Object {
            host = policyHost(o, selector, bridge: firstBridge)
            if host == nil {
                // the topology's `node_selector`: the same on every policy that is not per host
                let sel = selector.compactMapValues { $0 as? String }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                if model.nodeSelector == nil { model.nodeSelector = sel } else if model.nodeSelector!.map(\.0) != sel.map(\.0) || model.nodeSelector!.map(\.1) != sel.map(\.1) {
                    note(o, "`nodeSelector` differs from another policy's, dropped")
                }
            }
        }
        let state = spec["desiredState"] as? Object ?? [:]
        for case let m as Object in ((state["ovn"] as? Object)?["bridge-mappings"] as? [Any] ?? []) {
            if let physnet = m["localnet"] as? String, let bridge = m["bridge"] as? String { physnetBridges[physnet] = bridge }
        }
        var hostNics: [String] = []
        for i in ifaces where i["type"] as? String == "vlan" {
            if let n = i["name"] as? String, linkNames[n] == nil {
                linkNames[n] = Writer.isName(n) ? n : n.replacingOccurrences(of: ".", with: "-")
            }
        }
        for i in ifaces {
            let n = i["name"] as? String ?? "?"
            let mtu = i["mtu"] as? Int
            switch i["type"] as? String {
            case "linux-bridge", "ovs-bridge":
                let ports = ((i["bridge"] as? Object)?["port"] as? [Any] ?? []).compactMap { ($0 as? Object)?["name"] as? String }
                for p in ports where linkNames[p] == nil && !model.bonds.contains(where: { $0.name == p })
                    && !ifaces.contains(where: { $0["name"] as? String == p && $0["type"] as? String == "bond" }) {
                    if host != nil { hostNics.append(p) } else { addNic(p) }
                }
                // a node address on the bridge: taken over from its port NIC (copy-mac-from)
                if let h = host, let v4 = i["ipv4"] as? Object, v4["enabled"] as? Bool == true, let port = ports.first {
                    var hn = ImportModel.HostNic(name: port)
                    if v4["dhcp"] as? Bool == true { hn.dhcp = true }
                    if let a = (v4["address"] as? [Any])?.first as? Object, let ip = a["ip"] as? String, let p = a["prefix-length"] as? Int {
                        hn.address = "\(ip)/\(p)"
                    }
                    for case let r as Object in ((state["routes"] as? Object)?["config"] as? [Any] ?? [])
                    where r["next-hop-interface"] as? String == n && r["destination"] as? String == "0.0.0.0/0" {
                        hn.gateway = r["next-hop-address"] as? String
                    }
                    hn.dns = (((state["dns-resolver"] as? Object)?["config"] as? Object)?["server"] as? [Any] ?? []).map { "\($0)" }
                    setHostNic(h, hn)
                }
                if let k = model.bridges.firstIndex(where: { $0.name == n }) {
                    if let h = host { if !model.bridges[k].hosts.contains(model.hosts[h].name) { model.bridges[k].hosts.append(model.hosts[h].name) } } else { model.bridges[k].everyNode = true }
                    continue
                }
                var b = ImportModel.Bridge(name: n, ports: ports.map(linkName))
                b.mtu = mtu
                let stp = (((i["bridge"] as? Object)?["options"] as? Object)?["stp"] as? Object)?["enabled"] as? Bool
                b.stp = stp == true
                b.ovs = i["type"] as? String == "ovs-bridge"
                if let h = host { b.hosts = [model.hosts[h].name] } else { b.everyNode = true }
                model.bridges.append(b)
            case "bond":
                if model.bonds.contains(where: { $0.name == n }) { continue }
                let la = i["link-aggregation"] as? Object ?? [:]
                let ports = (la["port"] as? [Any] ?? []).compactMap { $0 as? String }
                for p in ports { if host != nil { hostNics.append(p) } else { addNic(p) } }
                model.bonds.append(.init(name: n, ports: ports.map(linkName), mode: la["mode"] as? String, mtu: mtu))
            case "vlan":
                let v = i["vlan"] as? Object ?? [:]
                guard let base = v["base-iface"] as? String, let id = v["id"] as? Int else { note(o, "VLAN \(n) without base-iface/id, dropped"); continue }
                let decl = linkName(n)
                if model.vlans.contains(where: { $0.name == decl }) { continue }
                if linkNames[base] == nil && !model.bonds.contains(where: { $0.name == base }) && !ifaces.contains(where: { $0["name"] as? String == base && $0["type"] as? String == "bond" }) { addNic(base) }
                model.vlans.append(.init(name: decl, base: linkName(base), id: id, ifname: n == "\(base).\(id)" ? nil : n, mtu: mtu))
            case "ethernet":
                if let h = host {
                    var hn = model.hosts[h].nics.first(where: { $0.name == n }) ?? ImportModel.HostNic(name: n)
                    hn.mtu = mtu ?? hn.mtu
                    setHostNic(h, hn)
                } else {
                    addNic(n)
                    if let mtu { model.nicMTUs[n] = mtu }
                }
            default:
                note(o, "interface \(n) of type \(i["type"] as? String ?? "?") is not imported, dropped")
            }
        }
        // nmstate has no MTU on an OVS bridge: the language's `mtu` there only feeds the MTU
        // check, so it is taken from the ports (the smallest) when they all set one
        for k in model.bridges.indices where model.bridges[k].ovs && model.bridges[k].mtu == nil && !model.bridges[k].ports.isEmpty {
            let mtus = model.bridges[k].ports.map { p -> Int? in
                if let i = ifaces.first(where: { linkName($0["name"] as? String ?? "") == p }) { return i["mtu"] as? Int }
                return nil
            }
            if mtus.allSatisfy({ $0 != nil }), let m = mtus.compactMap({ $0 }).min(), m != 1500 { model.bridges[k].mtu = m }
        }
        if let h = host {
            for p in hostNics where !model.hosts[h].nics.contains(where: { $0.name == p }) { setHostNic(h, .init(name: p)) }
        }
    }

    /// Adds or updates a host's NIC, keeping what an earlier policy said about it.
    mutating func setHostNic(_ h: Int, _ nic: ImportModel.HostNic) {
        if let k = model.hosts[h].nics.firstIndex(where: { $0.name == nic.name }) {
            var old = model.hosts[h].nics[k]
            old.address = nic.address ?? old.address
            old.dhcp = old.dhcp || nic.dhcp
            old.gateway = nic.gateway ?? old.gateway
            if !nic.dns.isEmpty { old.dns = nic.dns }
            old.mtu = nic.mtu ?? old.mtu
            model.hosts[h].nics[k] = old
        } else {
            model.hosts[h].nics.append(nic)
        }
    }

    // MARK: - NAD

    mutating func readNAD(_ o: Object) {
        let n = name(o)
        let configText = (o["spec"] as? Object)?["config"] as? String ?? "{}"
        let config = (try? JSONSerialization.jsonObject(with: Data(configText.utf8))) as? Object ?? [:]
        let type = config["type"] as? String ?? ""
        let resource = (meta(o)["annotations"] as? Object)?["k8s.v1.cni.cncf.io/resourceName"] as? String
        var net = ImportModel.Network(name: n, attachment: ("bridge", ""))
        switch type {
        case "bridge":
            let b = config["bridge"] as? String ?? "cni0"
            if !model.bridges.contains(where: { $0.name == b }) { model.bridges.append(.init(name: b, ports: [], managed: false)) }
            net.attachment = ("bridge", b)
        case "ovs":
            let b = config["bridge"] as? String ?? "br-int"
            if !model.bridges.contains(where: { $0.name == b }) { model.bridges.append(.init(name: b, ports: [], managed: false, ovs: true)) }
            net.attachment = ("ovs", b)
        case "ovn-k8s-cni-overlay":
            let ns = meta(o)["namespace"] as? String ?? model.namespace ?? "default"
            switch config["topology"] as? String {
            case "layer2":
                net.attachment = ("overlay", quote("layer2"))
            case "localnet":
                guard let physnet = config["physicalNetworkName"] as? String else { note(o, "a localnet NAD without `physicalNetworkName`, dropped"); return }
                let bridge = physnetBridges[physnet] ?? "br-ex"
                if !model.bridges.contains(where: { $0.name == bridge }) { model.bridges.append(.init(name: bridge, ports: [], managed: false, ovs: true)) }
                net.attachment = ("localnet", bridge)
                net.extra.append(("physnet", quote(physnet)))
                if let v = config["vlanID"] as? Int { net.vlan = v }
            default:
                note(o, "OVN-Kubernetes topology `\(config["topology"] as? String ?? "?")` is not imported, dropped"); return
            }
            if let name = config["name"] as? String, name != "\(ns).\(n)" { net.extra.append(("ovn_name", quote(name))) }
            if let subnets = config["subnets"] as? String {
                net.subnet = subnets
                net.ipam = "ovn"
                if let ex = config["excludeSubnets"] as? String, let first = ex.split(separator: ",").first, first.hasSuffix("/32") {
                    net.gateway = String(first.dropLast(3))
                }
                if config["allowPersistentIPs"] as? Bool != true { net.extra.append(("persistent_ips", "false")) }
            }
            if let m = config["mtu"] as? Int { net.mtu = m }
            nadKinds[n] = "ovn"
            model.networks.append(net)
            return
        case "macvlan":
            // macvlan CNI under KubeVirt's bridge binding: the Wukong operator's layout, broken
            guard let link = config["master"] as? String else { note(o, "a macvlan NAD without `master`, dropped"); return }
            addNic(link)
            net.attachment = ("macvlan", link)
            fault(o, "macvlan CNI under KubeVirt's bridge binding (the guest gets an address but no inbound traffic, DOMAIN.md §6); "
                    + "imported as `macvlan = \(link)`, which uses the macvtap binding")
        case "macvtap":
            let link = resource.map { String($0.split(separator: "/").last ?? "") } ?? ""
            guard !link.isEmpty else { note(o, "a macvtap NAD without a resource name, dropped"); return }
            addNic(link)
            net.attachment = ("macvlan", link)
        case "sriov":
            guard let r = resource else { note(o, "an SR-IOV NAD without a resource name, dropped"); return }
            net.attachment = ("sriov", quote(r))
        default:
            note(o, "CNI type `\(type)` is not imported, dropped"); return
        }
        if let v = config["vlan"] as? Int { net.vlan = v }
        if let m = config["mtu"] as? Int { net.mtu = m }
        nadKinds[n] = type
        if let ipam = config["ipam"] as? Object, !ipam.isEmpty {
            let t = ipam["type"] as? String ?? "?"
            switch t {
            case "whereabouts":
                net.ipam = t
                net.subnet = ipam["range"] as? String
                net.gateway = ipam["gateway"] as? String
                if let a = ipam["range_start"] as? String, let b = ipam["range_end"] as? String { net.pool = "\(Writer.addr(a)) ..= \(Writer.addr(b))" }
            case "dhcp":
                net.ipam = t
            case "static", "host-local":
                // one NAD per (VM, NIC), named `<vm>-<network>-nad`: the network is found from the VM
                net.ipam = t
                if let a = (ipam["addresses"] as? [Any])?.first as? Object, let addr = a["address"] as? String {
                    net.gateway = a["gateway"] as? String
                    let parts = addr.split(separator: "/")
                    if parts.count == 2, let p = Int(parts[1]) { net.subnet = Reader.subnet(String(parts[0]), p) }
                }
                if let r = ((ipam["ranges"] as? [Any])?.first as? [Any])?.first as? Object {
                    net.subnet = r["subnet"] as? String
                    net.gateway = r["gateway"] as? String
                }
                perNicNADs[n] = net
                return
            default:
                note(o, "IPAM `\(t)` dropped (imported as `ipam = \"none\"`)")
            }
        }
        model.networks.append(net)
    }

    // MARK: - VM

    mutating func readVM(_ o: Object) {
        var vm = ImportModel.VM(name: name(o))
        var spec = o["spec"] as? Object ?? [:]
        // annotations of the VM object itself: the language has no place for them (the
        // `kubevirt` block starts at `spec`); what kubectl and KubeVirt write there is theirs
        for k in (meta(o)["annotations"] as? Object ?? [:]).keys.sorted()
        where !k.hasPrefix("kubectl.kubernetes.io/") && !k.hasPrefix("kubevirt.io/") {
            note(o, "annotation `\(k)` of the VirtualMachine dropped")
        }
        let topologyLabels = Set(model.labels.map(\.0))
        for (k, v) in (meta(o)["labels"] as? Object ?? [:]).sorted(by: { $0.key < $1.key })
        where !Reader.ownLabels.contains(k) && !topologyLabels.contains(k) {
            vm.labels.append((k, "\(v)"))
        }
        switch spec.removeValue(forKey: "runStrategy") as? String {
        case nil, "Always": break
        case "Halted": vm.running = false
        case let s?: vm.runStrategy = s
        }
        if let r = spec.removeValue(forKey: "running") as? Bool { vm.running = r }
        for (key, kinds) in [("instancetype", ("VirtualMachineClusterInstancetype", "VirtualMachineInstancetype")),
                             ("preference", ("VirtualMachineClusterPreference", "VirtualMachinePreference"))] {
            guard let ref = spec[key] as? Object, let n = ref["name"] as? String else { continue }
            let kind = ref["kind"] as? String ?? kinds.0
            guard ref.count <= 2, kind == kinds.0 || kind == kinds.1 else { continue }   // anything else: dropped below
            spec.removeValue(forKey: key)
            vm.extra.append((key, quote(n)))
            if kind == kinds.1 { vm.extra.append(("\(key)_namespaced", "true")) }
        }
        var template = spec.removeValue(forKey: "template") as? Object ?? [:]
        let spreadGroup = ((template["metadata"] as? Object)?["labels"] as? Object)?["wukong.dev/spread"] as? String
        if var tm = template["metadata"] as? Object {
            tm.removeValue(forKey: "labels")
            if tm.isEmpty { template.removeValue(forKey: "metadata") } else { template["metadata"] = tm }
        }
        var t = template.removeValue(forKey: "spec") as? Object ?? [:]
        if let sel = model.nodeSelector, var vmSel = t["nodeSelector"] as? Object {
            // the topology's selector is repeated on every VM
            for (k, v) in sel where vmSel[k] as? String == v { vmSel.removeValue(forKey: k) }
            if vmSel.isEmpty { t.removeValue(forKey: "nodeSelector") } else { t["nodeSelector"] = vmSel }
        }
        if !model.hosts.isEmpty {
            // a pin by hostname is `host`; the node affinity to the hosts of its bridges is generated
            if var sel = t["nodeSelector"] as? Object, let hn = sel["kubernetes.io/hostname"] as? String,
               let h = model.hosts.first(where: { $0.hostname == hn }) {
                vm.host = h.name
                sel.removeValue(forKey: "kubernetes.io/hostname")
                if sel.isEmpty { t.removeValue(forKey: "nodeSelector") } else { t["nodeSelector"] = sel }
            }
            if var aff = t["affinity"] as? Object {
                aff.removeValue(forKey: "nodeAffinity")
                if aff.isEmpty { t.removeValue(forKey: "affinity") } else { t["affinity"] = aff }
            }
        }
        let eviction = t.removeValue(forKey: "evictionStrategy") as? String
        // `spread`: the pod anti-affinity against the VM's spread group (docs/vm-reference.md)
        if let group = spreadGroup, var aff = t["affinity"] as? Object, let anti = aff["podAntiAffinity"] as? Object, anti.count == 1 {
            let mode: String? = anti["preferredDuringSchedulingIgnoredDuringExecution"] != nil ? "host"
                : anti["requiredDuringSchedulingIgnoredDuringExecution"] != nil ? "host-required" : nil
            if let mode {
                aff.removeValue(forKey: "podAntiAffinity")
                if aff.isEmpty { t.removeValue(forKey: "affinity") } else { t["affinity"] = aff }
                vm.extra.append(("spread", quote(mode)))
                var byDefault = vm.name
                while let last = byDefault.last, last.isASCII, last.isNumber { byDefault.removeLast() }
                if byDefault.count < vm.name.count, byDefault.hasSuffix("-") { byDefault.removeLast() } else { byDefault = vm.name }
                if group != byDefault { vm.extra.append(("spread_group", quote(group))) }
            }
        }
        if let tolerations = t["tolerations"] as? [Any], tolerations.allSatisfy({ $0 is Object }) {
            t.removeValue(forKey: "tolerations")
            let records = tolerations.compactMap { $0 as? Object }.map { r -> String in
                let fields = r.keys.sorted().map { k -> String in
                    let key = k == "tolerationSeconds" ? "toleration_seconds" : k
                    return "\(key) = \(Reader.value(r[k] as Any))"
                }
                return "{ " + fields.joined(separator: ", ") + " }"
            }
            vm.extra.append(("tolerations", "[" + records.joined(separator: ", ") + "]"))
        }
        var domain = t.removeValue(forKey: "domain") as? Object ?? [:]
        // Derived from the namespace and the VM name: the compiler writes the same one.
        if var fw = domain["firmware"] as? Object {
            vm.firmwareUUID = fw.removeValue(forKey: "uuid") as? String
            if fw.isEmpty { domain.removeValue(forKey: "firmware") } else { domain["firmware"] = fw }
        }
        if var cpu = domain["cpu"] as? Object {
            vm.cpu = cpu.removeValue(forKey: "cores") as? Int
            if cpu.isEmpty { domain.removeValue(forKey: "cpu") } else { domain["cpu"] = cpu }
        }
        if var mem = domain["memory"] as? Object {
            vm.memory = (mem.removeValue(forKey: "guest")).map { "\($0)" }
            if mem.isEmpty { domain.removeValue(forKey: "memory") } else { domain["memory"] = mem }
        }
        if var res = domain["resources"] as? Object {
            if var req = res["requests"] as? Object {
                let m = req.removeValue(forKey: "memory").map { "\($0)" }
                if vm.memory == nil { vm.memory = m }
                if req.isEmpty { res.removeValue(forKey: "requests") } else { res["requests"] = req }
            }
            if res.isEmpty { domain.removeValue(forKey: "resources") } else { domain["resources"] = res }
        }
        if let size = Reader.sizes.first(where: { $0.cpu == vm.cpu && $0.memory == vm.memory }) { vm.size = "sizes." + size.name }
        var devices = domain.removeValue(forKey: "devices") as? Object ?? [:]
        let interfaces = devices.removeValue(forKey: "interfaces") as? [Any] ?? []
        let disks = devices.removeValue(forKey: "disks") as? [Any] ?? []
        // `false` is what the compiler writes for a VM without a pod NIC (checked below)
        let autoattach = devices.removeValue(forKey: "autoattachPodInterface") as? Bool
        if !devices.isEmpty { domain["devices"] = devices }
        let dataVolumes = spec.removeValue(forKey: "dataVolumeTemplates") as? [Any] ?? []
        let networks = t.removeValue(forKey: "networks") as? [Any] ?? []
        let volumes = t.removeValue(forKey: "volumes") as? [Any] ?? []

        // volumes: the containerDisk and cloud-init
        var networkData: Object? = nil
        for case let v as Object in volumes {
            if let cd = v["containerDisk"] as? Object, let image = cd["image"] as? String {
                vm.image = Reader.images.first(where: { $0.ref == image }).map { "images." + $0.name } ?? quote(image)
            } else if let ci = v["cloudInitNoCloud"] as? Object {
                let ns = meta(o)["namespace"] as? String ?? ""
                var user: String? = ci["userData"] as? String
                if user == nil, let b = ci["userDataBase64"] as? String { user = Reader.base64(b) }
                var net: String? = ci["networkData"] as? String
                if net == nil, let b = ci["networkDataBase64"] as? String { net = Reader.base64(b) }
                if let s = (ci["secretRef"] as? Object)?["name"] as? String { user = secretValue(ns, s, ["userdata", "userData"], o) ?? user }
                if let s = (ci["networkDataSecretRef"] as? Object)?["name"] as? String { net = secretValue(ns, s, ["networkdata", "networkData"], o) ?? net }
                if let user { readUserData(user, into: &vm, o) }
                if let net { networkData = Reader.loadYAML(net) as? Object }
            } else if let dv = (v["dataVolume"] as? Object)?["name"] as? String, let n = v["name"] as? String,
                      let template = dataVolumes.compactMap({ $0 as? Object }).first(where: { ($0["metadata"] as? Object)?["name"] as? String == dv }) {
                if dv != "\(vm.name)-\(n)" { note(o, "DataVolume \(dv) is renamed \(vm.name)-\(n) (the compiler's naming)") }
                vm.disks.append(readDataVolume(n, template, o))
            } else if let claim = (v["persistentVolumeClaim"] as? Object)?["claimName"] as? String, let n = v["name"] as? String {
                vm.disks.append(.init(name: n, attrs: [("pvc", quote(claim))]))
            } else {
                note(o, "volume \(v["name"] as? String ?? "?") is not imported, dropped")
            }
        }
        for case let d as Object in disks {
            let n = d["name"] as? String ?? "?"
            guard let k = vm.disks.firstIndex(where: { $0.name == n }) else {
                if n != "containerdisk" && n != "cloudinitdisk" { note(o, "disk \(n) without a volume, dropped") }
                continue
            }
            if let bus = (d["disk"] as? Object)?["bus"] as? String, bus != "virtio" { vm.disks[k].attrs.append(("bus", quote(bus))) }
            // the boot disk is the first one unless another says `boot = true`
            if d["bootOrder"] as? Int == 1, k != 0, vm.image.isEmpty { vm.disks[k].attrs.append(("boot", "true")) }
        }

        // NICs: interfaces matched with networks by name, addresses from networkData
        let ethernets = networkData?["ethernets"] as? Object ?? [:]
        var byName: [String: Object] = [:]
        for case let n as Object in networks { if let k = n["name"] as? String { byName[k] = n } }
        var hasMacvtap = false
        for case let i as Object in interfaces {
            let n = i["name"] as? String ?? "?"
            var nic = ImportModel.Nic(name: n)
            nic.mac = i["macAddress"] as? String
            nic.model = i["model"] as? String
            if i["binding"] != nil { hasMacvtap = hasMacvtap || ((i["binding"] as? Object)?["name"] as? String) == "macvtap" }
            if let binding = (i["binding"] as? Object)?["name"] as? String, binding != "macvtap" { nic.binding = binding }
            if i["passtBinding"] != nil { nic.binding = "passt" }
            let net = byName[n] ?? [:]
            if net["pod"] != nil {
                nic.network = nil
                // masquerade's static IPv6 on the pod NIC: the topology is dual-stack
                if ((ethernets[n] as? Object)?["addresses"] as? [Any] ?? []).contains(where: { ($0 as? String)?.contains(":") == true }) {
                    model.dualStack = true
                }
                // routes to the cluster's CIDRs (not the policy table's): the topology's `cluster_cidrs`
                for case let r as Object in (ethernets[n] as? Object)?["routes"] as? [Any] ?? [] where r["table"] == nil {
                    if let to = r["to"] as? String, !model.clusterCIDRs.contains(to) { model.clusterCIDRs.append(to) }
                }
            } else if let mn = (net["multus"] as? Object)?["networkName"] as? String {
                var netName = String(mn.split(separator: "/").last ?? "")
                netName = nadAliases[netName] ?? netName
                if !model.networks.contains(where: { $0.name == netName }), var perNic = perNicNADs[netName],
                   netName.hasPrefix(vm.name + "-"), netName.hasSuffix("-nad") {
                    netName = String(netName.dropFirst(vm.name.count + 1).dropLast(4))
                    usedNADs.insert(perNic.name)
                    if !model.networks.contains(where: { $0.name == netName }) {
                        perNic.name = netName
                        model.networks.append(perNic)
                    }
                }
                guard let k = model.networks.firstIndex(where: { $0.name == netName }) else {
                    note(o, "NIC \(n) is on NetworkAttachmentDefinition \(mn), which is not among the imported networks; dropped")
                    continue
                }
                nic.network = netName
                if let e = ethernets[n] as? Object { readEthernet(e, nic: &nic, network: k) }
            } else {
                note(o, "NIC \(n) has no pod or Multus network, dropped")
                continue
            }
            vm.nics.append(nic)
        }
        for (k, e) in ethernets.sorted(by: { $0.key < $1.key }) where !vm.nics.contains(where: { $0.name == k }) {
            // keyed on the guest's kernel name (`eth1`, `enp2s0`) instead of matched by MAC: the
            // n-th NIC in PCI order, which is not stable (DOMAIN.md §6)
            if let e = e as? Object, e["match"] == nil, let index = Reader.kernelIndex(k), index < vm.nics.count,
               let net = vm.nics[index].network, let netIndex = model.networks.firstIndex(where: { $0.name == net }) {
                readEthernet(e, nic: &vm.nics[index], network: netIndex)
                fault(o, "networkData configures guest NIC `\(k)` by its kernel name, which PCI order does not keep stable "
                        + "(DOMAIN.md §6); imported as NIC \(vm.nics[index].name), matched by MAC")
            } else {
                note(o, "networkData for \(k), which is no NIC of the VM, dropped")
            }
        }
        if autoattach == false, vm.nics.contains(where: { $0.network == nil }) {
            note(o, "`autoattachPodInterface: false` with a pod NIC, dropped")
        }
        // `eviction`: the compiler's default is `None` with a macvtap NIC, else nothing.
        if let e = eviction, !(e == "None" && hasMacvtap) {
            switch e {
            case "LiveMigrate": vm.eviction = "live-migrate"
            case "LiveMigrateIfPossible": vm.eviction = "if-possible"
            case "None": vm.eviction = "shutdown"
            case "External": vm.eviction = "external"
            default: note(o, "evictionStrategy \(e) dropped")
            }
        }
        // What is left of the spec goes into the `kubevirt { }` escape hatch.
        if !domain.isEmpty { t["domain"] = domain }
        if !t.isEmpty { template["spec"] = t }
        if !template.isEmpty { spec["template"] = template }
        for (path, value) in Reader.flatten(spec, prefix: "") {
            // the checker's table of owned fields: what it would reject in `kubevirt { }`
            if KubevirtOwnership.owner(of: path.split(separator: ".").map(String.init)) != nil {
                note(o, "`spec.\(path)` is generated by the compiler from the language and cannot be set: dropped")
            } else {
                vm.kubevirt.append((path, value))
            }
        }
        model.vms.append(vm)
    }

    /// A `dataVolumeTemplates` entry as a disk (docs/vm-reference.md, "Disks").
    mutating func readDataVolume(_ name: String, _ template: Object, _ o: Object) -> ImportModel.Disk {
        var disk = ImportModel.Disk(name: name)
        let spec = template["spec"] as? Object ?? [:]
        let source = spec["source"] as? Object ?? [:]
        if let url = (source["registry"] as? Object)?["url"] as? String {
            let ref = url.hasPrefix("docker://") ? String(url.dropFirst(9)) : url
            disk.attrs.append(("image", Reader.images.first(where: { $0.ref == ref }).map { "images." + $0.name } ?? quote(ref)))
        } else if let url = (source["http"] as? Object)?["url"] as? String {
            disk.attrs.append(("url", quote(url)))
        } else if let ref = spec["sourceRef"] as? Object, let n = ref["name"] as? String {
            disk.attrs.append(("data_source", quote((ref["namespace"] as? String).map { "\($0)/\(n)" } ?? n)))
        } else if source["blank"] == nil, !source.isEmpty {
            note(o, "the source of disk \(name) is not imported, dropped")
        }
        let storage = spec["storage"] as? Object ?? [:]
        if let size = ((storage["resources"] as? Object)?["requests"] as? Object)?["storage"] { disk.attrs.append(("size", "\(size)")) }
        if let sc = storage["storageClassName"] as? String { disk.attrs.append(("storage_class", quote(sc))) }
        switch (storage["accessModes"] as? [Any])?.first as? String {
        case "ReadWriteOnce"?: disk.attrs.append(("access", quote("RWO")))
        case "ReadWriteMany"?: disk.attrs.append(("access", quote("RWX")))
        case nil: break
        case let m?: note(o, "access mode \(m) of disk \(name) dropped")
        }
        switch storage["volumeMode"] as? String {
        case "Block"?: disk.attrs.append(("volume_mode", quote("block")))
        case "Filesystem"?: disk.attrs.append(("volume_mode", quote("filesystem")))
        default: break
        }
        return disk
    }

    mutating func secretValue(_ ns: String, _ name: String, _ keys: [String], _ vm: Object) -> String? {
        guard let s = secrets["\(ns)/\(name)"] else {
            note(vm, "cloud-init Secret \(name) is not among the inputs; its content is lost")
            return nil
        }
        usedSecrets.insert("\(ns)/\(name)")
        for k in keys {
            if let b = (s["data"] as? Object)?[k] as? String, let v = Reader.base64(b) { return v }
            if let v = (s["stringData"] as? Object)?[k] as? String { return v }
        }
        return nil
    }

    mutating func readUserData(_ text: String, into vm: inout ImportModel.VM, _ o: Object) {
        guard var doc = Reader.loadYAML(text) as? Object else {
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { note(o, "user data that is not #cloud-config YAML, dropped") }
            return
        }
        if let users = doc.removeValue(forKey: "users") as? [Any] {
            for u in users {
                guard let u = u as? Object, let n = u["name"] as? String else { note(o, "a cloud-init user that is not a record, dropped"); continue }
                var user = ImportModel.User(name: n)
                user.passwordHash = u["passwd"] as? String
                user.sshKeys = (u["ssh_authorized_keys"] as? [Any] ?? []).map { "\($0)" }
                user.sudo = u["sudo"] as? String
                user.shell = u["shell"] as? String
                if let g = u["groups"] as? [Any] { user.groups = g.map { "\($0)" } } else if let g = u["groups"] as? String {
                    user.groups = g.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                let known: Set<String> = ["name", "passwd", "ssh_authorized_keys", "sudo", "shell", "groups", "lock_passwd"]
                for k in u.keys.sorted() where !known.contains(k) { note(o, "cloud-init user \(n): `\(k)` dropped") }
                vm.users.append(user)
            }
        }
        if let run = doc["runcmd"] as? [Any], run.allSatisfy({ $0 is String }) {
            vm.run = run.map { "\($0)" }
            doc.removeValue(forKey: "runcmd")
        }
        if !doc.isEmpty {
            // the rest stays cloud-config as written (order and style kept), merged by the compiler
            let rest = Reader.withoutTopLevelKeys(text, Set(["users", "runcmd"]).subtracting(doc.keys))
            if let check = Reader.loadYAML(rest) as? Object, check.count == doc.count {
                vm.cloudConfig = rest
            } else if let y = try? Yams.dump(object: doc, sortKeys: true) {
                vm.cloudConfig = y
            } else {
                note(o, "cloud-config keys \(doc.keys.sorted()) dropped")
            }
        }
    }

    mutating func readEthernet(_ e: Object, nic: inout ImportModel.Nic, network k: Int) {
        // one address per family: IPv4 in `address`/`subnet`, IPv6 beside it (dual-stack)
        for case let a as String in e["addresses"] as? [Any] ?? [] {
            let parts = a.split(separator: "/")
            guard Reader.isIP(String(parts.first ?? "")) else {
                model.notes.append(ImportNote(object: "NIC \(nic.name)", message: "address `\(a)` is not an IP address, dropped", isFault: true))
                continue
            }
            let ip = String(parts[0]), v6 = ip.contains(":")
            if v6 ? nic.address6 != nil : nic.address != nil {
                model.notes.append(ImportNote(object: "NIC \(nic.name)", message: "more than one address of a family: `\(a)` dropped"))
                continue
            }
            if v6 { nic.address6 = ip } else { nic.address = ip }
            if parts.count == 2, let p = Int(parts[1]) {
                if v6, model.networks[k].subnet6 == nil { model.networks[k].subnet6 = Reader.subnet(ip, p) }
                if !v6, model.networks[k].subnet == nil { model.networks[k].subnet = Reader.subnet(ip, p) }
            }
        }
        if let s = e["set-name"] as? String { nic.ifname = s }
        if let ns = (e["nameservers"] as? Object)?["addresses"] as? [Any], model.networks[k].dns.isEmpty {
            model.networks[k].dns = ns.map { "\($0)" }
        }
        if let ss = (e["nameservers"] as? Object)?["search"] as? [Any], model.networks[k].search.isEmpty {
            model.networks[k].search = ss.map { quote("\($0)") }
        }
        if let g = e["gateway4"] as? String, model.networks[k].gateway == nil { model.networks[k].gateway = g }
        var others: [String] = []
        for case let r as Object in e["routes"] as? [Any] ?? [] {
            guard r["table"] == nil, let to = r["to"] as? String, let via = r["via"] as? String else { continue }
            if let m = r["metric"] as? Int, m != 50 { nic.metric = m }
            if to == "::/0" {
                if model.networks[k].gateway6 == nil { model.networks[k].gateway6 = via }
                nic.defaultRoute = true
            } else if to == "0.0.0.0/0" || to == "default" {
                if model.networks[k].gateway == nil { model.networks[k].gateway = via }
                nic.defaultRoute = true
            } else {
                others.append("{ to = \(Writer.addr(to)), via = \(Writer.addr(via)) }")
            }
        }
        if !others.isEmpty, model.networks[k].routes.isEmpty { model.networks[k].routes = others }
    }

    /// An address as the language reads one (WukongNet's parser).
    static func isIP(_ s: String) -> Bool { IPAddress(s) != nil }

    /// YAML text without the `#cloud-config` line and without the blocks of the given top-level keys.
    static func withoutTopLevelKeys(_ text: String, _ keys: Set<String>) -> String {
        var out: [Substring] = []
        var skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#cloud-config") { continue }
            if let first = line.first, first != " ", first != "-", first != "#" {
                let key = line.split(separator: ":", maxSplits: 1).first.map { String($0) } ?? ""
                skipping = keys.contains(key)
            } else if line.first == "-" && skipping {
                continue   // a list at the key's own indentation belongs to it
            }
            if !skipping { out.append(line) }
        }
        while let last = out.last, last.allSatisfy(\.isWhitespace) { out.removeLast() }
        while let first = out.first, first.allSatisfy(\.isWhitespace) { out.removeFirst() }
        return out.joined(separator: "\n") + "\n"
    }

    /// `eth1` → 1, `enp2s0` → 1 (virtio NICs: PCI bus n+1), else nil.
    static func kernelIndex(_ name: String) -> Int? {
        if name.hasPrefix("eth"), let n = Int(name.dropFirst(3)) { return n }
        if name.hasPrefix("enp"), name.hasSuffix("s0"), let n = Int(name.dropFirst(3).dropLast(2)), n >= 1 { return n - 1 }
        return nil
    }

    // MARK: - tables

    /// `std.sizes` and `std.images`, read from the standard library the compiler embeds.
    static let sizes: [(name: String, cpu: Int, memory: String)] = LanguageFacts.stdlibRecords("sizes").compactMap { r in
        guard let cpu = r.fields["cpu"].flatMap({ Int($0) }), let memory = r.fields["memory"] else { return nil }
        return (r.name, cpu, memory)
    }
    static let images: [(name: String, ref: String)] = LanguageFacts.stdlibRecords("images").compactMap { r in
        r.fields["ref"].map { (r.name, $0) }
    }

    /// A record as dotted paths to non-record values (records that are empty stay whole).
    static func flatten(_ o: Object, prefix: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for k in o.keys.sorted() {
            let path = prefix.isEmpty ? key(k) : prefix + "." + key(k)
            // a quoted key cannot be a path segment: such a record is written whole
            if let sub = o[k] as? Object, !sub.isEmpty, sub.keys.allSatisfy(Writer.isIdent) { out += flatten(sub, prefix: path) } else { out.append((path, value(o[k] as Any))) }
        }
        return out
    }

    static func key(_ k: String) -> String { Writer.isIdent(k) ? k : quote(k) }

    /// A YAML value as Wukong value text (addresses stay strings: the kubevirt block's rule).
    static func value(_ v: Any) -> String {
        switch v {
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let d as Double: return d.isFinite && d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : quote(String(d))
        case let s as String: return quote(s)
        case let l as [Any]: return "[" + l.map { value($0) }.joined(separator: ", ") + "]"
        case let o as Object: return "{ " + o.keys.sorted().map { "\(key($0)) = \(value(o[$0] as Any))" }.joined(separator: ", ") + " }"
        default: return "\"\""
        }
    }

    static func base64(_ s: String) -> String? {
        // line breaks and blanks dropped byte by byte: a Character filter costs a Unicode
        // property lookup per character, and 10 000 VMs carry 10 MB of base64
        let bytes = s.utf8.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        guard let d = Data(base64Encoded: Data(bytes)) else { return nil }
        return String(data: d, encoding: .utf8)
    }

    /// The network of `ip/prefix` (IPv4 and IPv6), as the language writes a CIDR.
    static func subnet(_ ip: String, _ prefix: Int) -> String? {
        IfAddr(ip + "/" + String(prefix))?.network.description
    }
}

/// A string literal of the language (the lexer's escapes: WukongSyntax `Spelling`).
func quote(_ s: String) -> String { Spelling.quoted(s) }
