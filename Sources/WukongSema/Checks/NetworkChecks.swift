import WukongDiagnostics
import WukongNet

/// Who holds an address on a network (N-DUP-IP): a VM NIC or a node address on the network's bridge/link.
enum AddressOwner {
    case vmNic(vm: Int, nic: Int)
    case node(nicDecl: Int)
}

/// (L2 domain, address). Networks on one bridge with one VLAN tag (or none), or macvlan networks on
/// one link, share a domain: two NICs with one address there collide even on different networks.
struct AddressKey: Hashable {
    let domain: Int
    let ip: IPAddress
}

let ipamModesWithoutAddresses: Set<String> = ["whereabouts", "dhcp"]
let ipamModesPerNic: Set<String> = ["static", "host-local"]
let ipamModesNeedingSubnet: Set<String> = ["static", "host-local", "whereabouts"]

/// The pod network KubeVirt's masquerade binding uses (N-OVERLAP).
let podNetworkCIDR = CIDR(network: IPAddress(v4: 0x0A00_0200), prefix: 24)!

extension Checker {
    // MARK: - Network declarations: N-ATTACH, N-SUBNET, N-RESERVED (gateway), N-VLAN, N-MTU, N-IPAM

    mutating func checkNetworkDecls() {
        for (i, n) in p.networks.enumerated() {
            checkAttachment(n)
            checkNetworkAddressing(i, n)
            checkNetworkVlan(i, n)
            checkNetworkMTU(i, n)
            checkNetworkIPAM(i, n)
            checkMacvtapLink(i, n)
        }
    }

    /// N-MACVTAP (DOMAIN.md §8): macvtap-cni's device plugin, unconfigured, offers only physical
    /// NICs and bonds as lower devices; a macvlan network on a VLAN gets its resource only from a
    /// `DP_MACVTAP_CONF` entry. Skipped with `nad` (the existing NAD decides what it requests).
    mutating func checkMacvtapLink(_ i: Int, _ n: NetworkDecl) {
        guard n.nad == nil, case .macvlan(let link)? = attachment[i], link.kind == .vlan,
              let dev = linuxName(link) else { return }
        // the resource the NAD requests is `macvtap.network.kubevirt.io/<link ifname>` (WukongKubernetes)
        let entry = "{\"name\":\"\(dev)\",\"lowerDevice\":\"\(dev)\",\"mode\":\"bridge\",\"capacity\":50}"
        var notes: [DiagnosticNote] = []
        if let v = vlanIndex[link.name] { notes.append(DiagnosticNote("VLAN `\(link.name)` (`\(dev)`) declared here", at: p.vlans[v].decl.nameSpan)) }
        add(Diagnostic(.macvtapWarning, "macvlan network `\(n.decl.name)` sits on VLAN `\(link.name)`: macvtap-cni's device plugin exposes no resource `macvtap.network.kubevirt.io/\(dev)` for it unless configured, and its VMs stay Pending",
                       at: link.span, notes: notes,
                       help: "add `\(entry)` to `DP_MACVTAP_CONF` in macvtap-cni's device-plugin ConfigMap, or use a NIC or bond as the link"))
    }

    mutating func checkAttachment(_ n: NetworkDecl) {
        let name = n.decl.name
        if n.attachments.count > 1 {
            add(Diagnostic(.attachment, "network `\(name)` has more than one attachment", at: n.attachments[1].span,
                           notes: [DiagnosticNote("first attachment here", at: n.attachments[0].span)],
                           help: "keep exactly one of `bridge`, `ovs`, `macvlan` or `sriov`"))
        } else if n.attachments.isEmpty && !n.poisoned {
            add(Diagnostic(.attachment, "network `\(name)` has no attachment", at: n.decl.nameSpan,
                           help: "set exactly one of `bridge = <bridge>`, `ovs = <ovs-bridge>`, `macvlan = <nic, vlan or bond>` or `sriov = \"<resource>\"`"))
        }
    }

    mutating func checkNetworkAddressing(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        let ipam = n.ipam?.value ?? "none"
        guard let subnet = n.subnet else {
            guard !n.poisoned else { return }   // the subnet may be what failed: absence proves nothing
            var ipamFitsAttachment = true   // else N-IPAM reports the mode itself
            switch attachment[i] { case .macvlan?, .sriov?: ipamFitsAttachment = false; default: break }
            if let ipamAttr = n.ipam, ipamModesNeedingSubnet.contains(ipam), ipamFitsAttachment {
                add(Diagnostic(.subnet, "`ipam = \"\(ipam)\"` needs a `subnet` on network `\(name)`", at: ipamAttr.span,
                               help: "add `subnet = <network>/<prefix>` to network `\(name)`"))
            }
            return
        }
        let subnetNote = DiagnosticNote("subnet of `\(name)` declared here", at: subnet.span)
        let (first, last) = subnet.value.usableRange
        if let gw = n.gateway {
            if !subnet.value.contains(gw.value) {
                add(Diagnostic(.subnet, "gateway `\(gw.value)` is outside the subnet `\(subnet.value)` of network `\(name)`",
                               at: gw.span, notes: [subnetNote],
                               help: "use a gateway between `\(first)` and `\(last)`, or correct the subnet"))
            } else if let what = subnet.value.reservedRole(of: gw.value) {
                add(Diagnostic(.reservedAddress, "gateway `\(gw.value)` is the \(what) address of `\(subnet.value)`",
                               at: gw.span, notes: [subnetNote],
                               help: "use a gateway between `\(first)` and `\(last)`"))
            }
        }
        if let pool = n.pool {
            let outside = [pool.value.first, pool.value.last].filter { !subnet.value.contains($0) }
            if let bad = outside.first {
                add(Diagnostic(.subnet, "pool `\(pool.value.first) ..= \(pool.value.last)` leaves the subnet `\(subnet.value)` of network `\(name)` (`\(bad)`)",
                               at: pool.span, notes: [subnetNote],
                               help: "keep the pool between `\(first)` and `\(last)`"))
            }
        }
        for r in n.routes where !subnet.value.contains(r.via.value) {
            add(Diagnostic(.subnet, "route via `\(r.via.value)` is outside the subnet `\(subnet.value)` of network `\(name)`",
                           at: r.via.span, notes: [subnetNote],
                           help: "a route's `via` must be reachable on the network: use an address in `\(subnet.value)`"))
        }
    }

    mutating func checkNetworkVlan(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        if let v = n.vlan, !(1...4094).contains(v.value) {
            add(Diagnostic(.vlan, "VLAN id \(v.value) of network `\(name)` is outside 1–4094", at: v.span,
                           help: "use a VLAN id between 1 and 4094, or remove `vlan` for untagged traffic"))
            return
        }
        switch attachment[i] {
        case .macvlan(let link)?:
            if let v = n.vlan {
                add(Diagnostic(.vlan, "`vlan` is not supported on macvlan network `\(name)`", at: v.span,
                               notes: [DiagnosticNote("macvlan attachment here", at: n.attachments[0].span)],
                               help: "declare `vlan <name> on \(link.name) { id = \(v.value) }` and use `macvlan = <name>`"))
            }
        case .ovs?:
            if n.vlan == nil && n.nad == nil {
                add(Diagnostic(.vlanWarning, "ovs network `\(name)` has no `vlan`: its ports trunk every VLAN into the VM",
                               at: n.decl.nameSpan, help: "set `vlan = <id>` to give the VM an access port"))
            }
        case .bridge(let bname)?:
            if let v = n.vlan, let b = bridge(bname), let managed = b.managed, !managed.value {
                add(Diagnostic(.vlanWarning, "`vlan` on network `\(name)` over unmanaged bridge `\(bname)`: the tag needs VLAN filtering that nobody configures",
                               at: v.span, notes: [DiagnosticNote("bridge `\(bname)` is unmanaged here", at: managed.span)],
                               help: "enable VLAN filtering on `\(bname)` yourself, or let wukongc manage the bridge"))
            }
        default: break
        }
    }

    mutating func checkNetworkMTU(_ i: Int, _ n: NetworkDecl) {
        guard let mtu = n.mtu else { return }
        guard checkMTURange(mtu, of: "network `\(n.decl.name)`") else { return }
        checkNetworkMTUAgainstAttachment(i, n)
    }

    /// 68–65535 (the kernel's limits for an IPv4-capable interface). Returns whether in range.
    mutating func checkMTURange(_ mtu: Located<Int>, of what: String) -> Bool {
        guard (68...65535).contains(mtu.value) else {
            add(Diagnostic(.mtu, "mtu \(mtu.value) of \(what) is outside 68–65535", at: mtu.span,
                           help: "use an mtu between 68 and 65535 (1500 is the Ethernet default)"))
            return false
        }
        return true
    }

    mutating func checkNetworkIPAM(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        guard let ipamAttr = n.ipam else { return }
        let ipam = ipamAttr.value
        var attachmentError = false
        switch attachment[i] {
        case .macvlan?, .sriov?:
            if ipam != "none" {
                attachmentError = true
                let kind: String
                if case .macvlan? = attachment[i] { kind = "macvlan" } else { kind = "sriov" }
                add(Diagnostic(.ipam, "`ipam = \"\(ipam)\"` cannot be used on \(kind) network `\(name)`", at: ipamAttr.span,
                               notes: [DiagnosticNote("\(kind) attachment here", at: n.attachments[0].span)],
                               help: "remove `ipam` (the default `none`): the guest gets its address from cloud-init"))
            }
        default: break
        }
        if ipamModesPerNic.contains(ipam) {
            if n.gateway == nil && !n.poisoned {
                add(Diagnostic(.ipam, "`ipam = \"\(ipam)\"` needs a `gateway` on network `\(name)`", at: ipamAttr.span,
                               help: "add `gateway = <address>` to network `\(name)`"))
            }
            if let nad = n.nad {
                add(Diagnostic(.ipam, "`nad` cannot be combined with `ipam = \"\(ipam)\"` on network `\(name)`", at: nad.span,
                               notes: [DiagnosticNote("`ipam` set here", at: ipamAttr.span)],
                               help: "remove `nad` (wukongc generates one NAD per NIC), or use `ipam = \"none\"`"))
            }
        }
        if ipam == "dhcp" && !attachmentError {
            add(Diagnostic(.ipamWarning, "`ipam = \"dhcp\"` on network `\(name)`: leases expire under KubeVirt's bridge binding",
                           at: ipamAttr.span,
                           help: "use the default `ipam = \"none\"` and `address = dhcp` on the NICs, so the guest runs DHCP itself"))
        }
    }

    // MARK: - Node addresses on a network's bridge/link (N-DUP-IP)

    /// Registers every node address that lies in a network's subnet on the network's bridge
    /// (a port NIC's node address moves to the bridge) or macvlan link.
    /// Numbers the L2 domains of the networks (see `AddressKey`).
    mutating func computeNetworkDomains() {
        var ids: [String: Int] = [:]
        networkDomain = p.networks.indices.map { i -> Int in
            let n = p.networks[i]
            let key = L2Domain.key(attachment[i], vlan: n.vlan?.value, network: n.decl.name)
            if let id = ids[key] { return id }
            ids[key] = ids.count
            return ids.count - 1
        }
    }

    mutating func registerNodeAddresses() {
        for (i, n) in p.networks.enumerated() {
            guard let subnet = n.subnet?.value, n.vlan == nil else { continue }   // node addresses are untagged
            var nicNames: [String] = []
            switch attachment[i] {
            case .bridge(let b)?, .ovs(let b)?:
                if let br = bridge(b) { nicNames = br.ports.filter { $0.kind == .nic }.map(\.name) }
            case .macvlan(let l)?:
                if l.kind == .nic { nicNames = [l.name] }
            default: break
            }
            for nicName in nicNames {
                for d in nicDecls[nicName] ?? [] {
                    guard let a = p.nics[d].address?.value.address, subnet.contains(a) else { continue }
                    let key = AddressKey(domain: networkDomain[i], ip: a)
                    if addressOwners[key] == nil { addressOwners[key] = .node(nicDecl: d) }
                }
            }
        }
    }

    func ownerNote(_ o: AddressOwner) -> DiagnosticNote {
        switch o {
        case .vmNic(let v, let k):
            let vm = p.vms[v], nic = vm.nics[k]
            return DiagnosticNote("also the address of NIC `\(nic.decl.name)` of VM `\(vm.decl.name)`",
                                  at: nic.address?.span ?? nic.decl.nameSpan)
        case .node(let d):
            let nic = p.nics[d]
            let on = nic.host.map { " on host `\($0)`" } ?? ""
            return DiagnosticNote("node address of `\(nic.decl.name)`\(on)", at: nic.address?.span ?? nic.decl.nameSpan)
        }
    }

    // MARK: - A VM's NICs: N-SUBNET, N-PREFIX, N-RESERVED, N-DUP-IP, N-IPAM, N-ROUTE, N-OVERLAP, V-POD

    mutating func checkVMNetworking(_ v: Int) {
        let vm = p.vms[v]
        var podNic: Int? = nil
        var staticNets: [Int: Int] = [:]        // network → first NIC (N-IPAM: one NAD per (VM, network))
        var subnets: [(cidr: CIDR, nic: Int, network: Int)] = []   // N-OVERLAP; network -1 = pod
        var defaultRoutes: [(nic: Int, v6: Bool, metric: Int)] = []
        for (k, nic) in vm.nics.enumerated() {
            guard let use = nic.network else { continue }
            switch use.value {
            case .pod:
                if let first = podNic {
                    add(Diagnostic(.podNetwork, "VM `\(vm.decl.name)` has more than one NIC on `pod`", at: use.span,
                                   notes: [DiagnosticNote("NIC `\(vm.nics[first].decl.name)` is already on `pod`",
                                                          at: vm.nics[first].network?.span ?? vm.nics[first].decl.nameSpan)],
                                   help: "keep one pod NIC; put the others on declared networks"))
                } else {
                    podNic = k
                    if !subnets.contains(where: { $0.network == -1 }) {
                        for s in subnets where s.cidr.overlaps(podNetworkCIDR) { warnOverlap(vm, k, use.span, s.nic, podNetworkCIDR, s.cidr); break }
                        subnets.append((podNetworkCIDR, k, -1))
                    }
                }
                if let dr = nic.defaultRoute, dr.value {
                    defaultRoutes.append((k, false, nic.metric?.value ?? 50))
                }
            case .network(let netName):
                guard let (ni, net) = network(netName) else { continue }
                checkNicAddress(v, k, ni, net)
                let ipam = net.ipam?.value ?? "none"
                if ipamModesPerNic.contains(ipam) {
                    if let first = staticNets[ni] {
                        add(Diagnostic(.ipam, "VM `\(vm.decl.name)` has two NICs on `ipam = \"\(ipam)\"` network `\(netName)`",
                                       at: use.span,
                                       notes: [DiagnosticNote("NIC `\(vm.nics[first].decl.name)` is already on `\(netName)`",
                                                              at: vm.nics[first].network?.span ?? vm.nics[first].decl.nameSpan)],
                                       help: "their NetworkAttachmentDefinitions would share the name `\(vm.decl.name)-\(netName)-nad`: keep one NIC on `\(netName)`"))
                    } else { staticNets[ni] = k }
                }
                if let cidr = net.subnet?.value, !subnets.contains(where: { $0.network == ni }) {
                    for s in subnets where s.cidr.overlaps(cidr) { warnOverlap(vm, k, use.span, s.nic, cidr, s.cidr); break }
                    subnets.append((cidr, k, ni))
                }
                if let dr = nic.defaultRoute, dr.value {
                    let isStatic = nic.address?.value.needsSubnet ?? false
                    if isStatic && net.gateway == nil && !net.poisoned {
                        add(Diagnostic(.route, "`default_route = true` on NIC `\(nic.decl.name)`, but network `\(netName)` has no `gateway`",
                                       at: dr.span, notes: [DiagnosticNote("network `\(netName)` declared here", at: net.decl.nameSpan)],
                                       help: "add `gateway = <address>` to network `\(netName)`, or remove `default_route = true`"))
                    } else {
                        let v6 = net.subnet?.value.isV6 ?? net.gateway?.value.isV6 ?? false
                        defaultRoutes.append((k, v6, nic.metric?.value ?? 50))
                    }
                }
            }
        }
        // N-ROUTE warning: two declared default routes of one family with one metric.
        if defaultRoutes.count > 1 {
            struct RouteKey: Hashable { let v6: Bool; let metric: Int }
            var firstRoute: [RouteKey: Int] = [:]
            for (j, r) in defaultRoutes.enumerated() {
                let key = RouteKey(v6: r.v6, metric: r.metric)
                guard let pi = firstRoute[key] else { firstRoute[key] = j; continue }
                let prev = defaultRoutes[pi]
                let nic = vm.nics[r.nic], other = vm.nics[prev.nic]
                add(Diagnostic(.routeWarning, "VM `\(vm.decl.name)` has two default routes with metric \(r.metric)",
                               at: nic.defaultRoute?.span ?? nic.decl.nameSpan,
                               notes: [DiagnosticNote("NIC `\(other.decl.name)` also carries a default route with metric \(prev.metric)",
                                                      at: other.defaultRoute?.span ?? other.decl.nameSpan)],
                               help: "give one of them another `metric` (the lower one wins), or set `default_route = false`"))
            }
        }
    }

    mutating func warnOverlap(_ vm: VMDecl, _ k: Int, _ span: Span, _ other: Int, _ mine: CIDR, _ theirs: CIDR) {
        let o = vm.nics[other]
        let pod = theirs == podNetworkCIDR && o.network?.value == .pod
        let desc = pod ? "the pod network `\(theirs)`" : "`\(theirs)`"
        add(Diagnostic(.overlapWarning, "subnet `\(mine)` of NIC `\(vm.nics[k].decl.name)` overlaps \(desc) of NIC `\(o.decl.name)` in VM `\(vm.decl.name)`",
                       at: span, notes: [DiagnosticNote("NIC `\(o.decl.name)` here", at: o.network?.span ?? o.decl.nameSpan)],
                       help: "the guest cannot route both: use non-overlapping subnets"))
    }

    /// Address checks of one NIC. One finding per NIC, the most specific first:
    /// N-IPAM (the network's IPAM cannot honour it) > N-SUBNET > N-PREFIX > N-RESERVED > N-DUP-IP.
    mutating func checkNicAddress(_ v: Int, _ k: Int, _ ni: Int, _ net: NetworkDecl) {
        let nic = p.vms[v].nics[k], netName = net.decl.name
        let ipam = net.ipam?.value ?? "none"
        let ipamNote = net.ipam.map { [DiagnosticNote("`ipam` set here", at: $0.span)] } ?? []
        guard let addr = nic.address else {
            if ipamModesPerNic.contains(ipam) && !nic.poisoned {
                add(Diagnostic(.ipam, "NIC `\(nic.decl.name)` on `ipam = \"\(ipam)\"` network `\(netName)` needs a static or `auto` address",
                               at: nic.decl.nameSpan, notes: ipamNote,
                               help: "set `address = <ip>` or `address = auto` on NIC `\(nic.decl.name)`"))
            }
            return
        }
        if ipamModesWithoutAddresses.contains(ipam) && addr.value.needsSubnet {
            add(Diagnostic(.ipam, "network `\(netName)` assigns addresses by `ipam = \"\(ipam)\"`; NIC `\(nic.decl.name)` cannot have a static or `auto` address",
                           at: addr.span, notes: ipamNote,
                           help: "remove the address (or write `address = dhcp`), or use `ipam = \"none\"` with static addresses"))
            return
        }
        if ipamModesPerNic.contains(ipam) && !addr.value.needsSubnet {
            add(Diagnostic(.ipam, "NIC `\(nic.decl.name)` on `ipam = \"\(ipam)\"` network `\(netName)` needs a static or `auto` address",
                           at: addr.span, notes: ipamNote,
                           help: "set `address = <ip>` or `address = auto`, or use `ipam = \"whereabouts\"` for dynamic addresses"))
            return
        }
        guard addr.value.needsSubnet else { return }
        guard let subnet = net.subnet else {
            if ipamModesNeedingSubnet.contains(ipam) { return }   // reported once at the network's `ipam`
            if net.poisoned { return }                            // the subnet may be what failed
            add(Diagnostic(.subnet, "NIC `\(nic.decl.name)` has a static address, but network `\(netName)` has no `subnet`",
                           at: addr.span, notes: [DiagnosticNote("network `\(netName)` declared here", at: net.decl.nameSpan)],
                           help: "add `subnet = <network>/<prefix>` to network `\(netName)`, or use `address = dhcp`"))
            return
        }
        guard let ip = addr.value.staticAddress else { return }   // `auto`: allocated by lowering
        let cidr = subnet.value
        // only built for a diagnostic (this runs for every static address)
        var subnetNote: DiagnosticNote { DiagnosticNote("subnet of `\(netName)` declared here", at: subnet.span) }
        var first: IPAddress { cidr.usableRange.0 }
        var last: IPAddress { cidr.usableRange.1 }
        if !cidr.contains(ip) {
            add(Diagnostic(.subnet, "address `\(ip)` is outside the subnet `\(cidr)` of network `\(netName)`",
                           at: addr.span, notes: [subnetNote],
                           help: "use an address between `\(first)` and `\(last)`, or put the NIC on another network"))
            return
        }
        if case .ifaddr(let ia) = addr.value, ia.prefix != cidr.prefix {
            let fixed = ip.isV6 ? "\"\(ip)/\(cidr.prefix)\"" : "\(ip)/\(cidr.prefix)"
            add(Diagnostic(.prefixMismatch, "address `\(ia)` has prefix /\(ia.prefix), but the subnet `\(cidr)` of network `\(netName)` is /\(cidr.prefix)",
                           at: addr.span, notes: [subnetNote],
                           help: "write `\(ip)` (the prefix comes from the subnet) or `\(ip)/\(cidr.prefix)`",
                           fixIts: [FixIt(replace: addr.span, with: fixed)]))
            return
        }
        if let what = cidr.reservedRole(of: ip) {
            add(Diagnostic(.reservedAddress, "address `\(ip)` is the \(what) address of `\(cidr)`",
                           at: addr.span, notes: [subnetNote],
                           help: "use an address between `\(first)` and `\(last)`"))
            return
        }
        if let gw = net.gateway, gw.value == ip {
            add(Diagnostic(.reservedAddress, "address `\(ip)` is the gateway of network `\(netName)`",
                           at: addr.span, notes: [DiagnosticNote("gateway of `\(netName)` declared here", at: gw.span)],
                           help: "use another address between `\(first)` and `\(last)`"))
            return
        }
        let key = AddressKey(domain: networkDomain[ni], ip: ip)
        if let owner = addressOwners[key] {
            var on = "network `\(netName)`"
            if case .vmNic(let ov, let ok) = owner, case .network(let other)? = p.vms[ov].nics[ok].network?.value, other != netName {
                on = "network `\(netName)`, which shares its layer 2 with `\(other)`"
            }
            add(Diagnostic(.duplicateIP, "address `\(ip)` is already used on \(on)",
                           at: addr.span, notes: [ownerNote(owner)],
                           help: "give NIC `\(nic.decl.name)` another address, or `address = auto`"))
        } else {
            addressOwners[key] = .vmNic(vm: v, nic: k)
        }
    }
}
