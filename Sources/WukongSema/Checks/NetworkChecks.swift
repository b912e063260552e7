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
            checkOVNNetwork(i, n)
        }
        checkLocalnetMappings()
        checkOVNNetworksAgree()
    }

    /// N-OVN, N-OVN-IPAM, N-OVN-MTU (docs/networks-reference.md).
    mutating func checkOVNNetwork(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        guard let attached = attachment[i] else { return }   // unresolved or N-ATTACH: say nothing attachment-dependent
        let isOVN = attached.isOVN
        var isLocalnet = false
        if case .localnet = attached { isLocalnet = true }
        if let ph = n.physnet, !isLocalnet { add(.ovnAttributeMisuse("physnet", network: name, .localnetOnly, at: ph.span)) }
        if isOVN {
            if let v = n.vlan, (1...4094).contains(v.value), !isLocalnet {
                add(.ovnAttributeMisuse("vlan", network: name, .vlanOnOverlay, at: v.span))
            }
            checkOVNExclusions(n, isLayer2: !isLocalnet)
            if let ipam = n.ipam, let mode = IPAMMode(rawValue: ipam.value), mode != .none, mode != .ovn {
                add(.ipamNotForOVN(ipam.value, network: name, at: ipam.span))
            }
            if let p = n.persistentIPs, n.ipamMode != .ovn { add(.ovnAttributeMisuse("persistent_ips", network: name, .needsOVNIPAM, at: p.span)) }
            if let o = n.ovnName, p.ovnOutput == .cudn {
                add(.ovnAttributeMisuse("ovn_name", network: name, .namedByCUDN, at: o.span))
            } else if let o = n.ovnName, o.value.isEmpty || o.value == "default" || o.value == "ovn-kubernetes" {
                add(.reservedOVNName(o.value, at: o.span))
            }
            if let mtu = n.mtu, mtu.value < 1280, let s = n.subnets.first(where: { $0.value.isV6 }) {
                add(.ovnIPv6MTU(mtu.value, network: name, at: mtu.span, subnetAt: s.span))
            }
        } else {
            if let ipam = n.ipam, IPAMMode(rawValue: ipam.value) == .ovn { add(.ovnIPAMOnNonOVN(network: name, at: ipam.span)) }
            if let o = n.ovnName { add(.ovnAttributeMisuse("ovn_name", network: name, .notOVN, at: o.span)) }
            if let p = n.persistentIPs { add(.ovnAttributeMisuse("persistent_ips", network: name, .notOVN, at: p.span)) }
            if let e = n.exclude.first { add(.ovnAttributeMisuse("exclude", network: name, .notOVN, at: e.span)) }
        }
    }

    /// `exclude` (E0541): OVN IPAM only, inside the subnet; under `ovn_networks = "cudn"` a
    /// secondary layer2 network cannot exclude anything (its CRD has no `excludeSubnets`).
    mutating func checkOVNExclusions(_ n: NetworkDecl, isLayer2: Bool) {
        let name = n.decl.name
        guard n.ipamMode == .ovn else {
            if let e = n.exclude.first { add(.ovnAttributeMisuse("exclude", network: name, .needsOVNIPAM, at: e.span)) }
            return
        }
        guard let subnet = n.subnet else { return }   // N-SUBNET
        // dual-stack: an exclusion belongs in the subnet of its family
        for e in n.exclude where !n.subnets.contains(where: { s in e.value.isV6 == s.value.isV6 && s.value.contains(e.value.network)
                                                              && e.value.prefix >= s.value.prefix }) {
            let own = n.subnets.first { $0.value.isV6 == e.value.isV6 } ?? subnet
            add(.excludeOutsideSubnet(e.value.description, subnet: own.value.description, network: name, at: e.span,
                                      subnetAt: own.span))
        }
        guard isLayer2, p.ovnOutput == .cudn, let cudnAt = p.ovnNetworks?.span else { return }
        if let e = n.exclude.first {
            add(.layer2CUDNCannotExclude("`exclude` range \(e.value)", network: name, at: e.span, cudnAt: cudnAt))
            return
        }
        // the addresses the NAD would exclude implicitly (OVNExclusions)
        let implied: [(String, Located<IPAddress>)] = [n.gateway, n.gateway6].compactMap { $0 }.map { ("gateway", $0) }
            + n.dns.map { ("DNS server", $0) } + n.routes.map { ("route next hop", $0.via) }
        if let (what, ip) = implied.first(where: { a in n.subnets.contains { $0.value.contains(a.1.value) } }) {
            add(.layer2CUDNCannotExclude("its \(what) \(ip.value)", network: name, at: ip.span, cudnAt: cudnAt))
        }
    }

    /// N-LOCALNET (E0542): a usable bridge-mapping name, and one bridge per name across the topology.
    mutating func checkLocalnetMappings() {
        var firstUse: [String: (network: String, bridge: String, span: Span)] = [:]
        for (i, n) in p.networks.enumerated() {
            guard case .localnet(let bridgeName)? = attachment[i] else { continue }
            let physnet = n.localnetPhysnet(bridge: bridgeName)
            let span = n.physnet?.span ?? n.attachments[0].span
            if physnet.isEmpty || physnet.contains(",") || physnet.contains(":") {
                add(.physnetSyntax(physnet, network: n.decl.name, at: span))
                continue
            }
            if let first = firstUse[physnet] {
                if first.bridge != bridgeName {
                    add(.physnetOnTwoBridges(physnet, network: n.decl.name, bridge: bridgeName, at: span,
                                             firstNetwork: first.network, firstBridge: first.bridge, first: first.span))
                }
            } else {
                firstUse[physnet] = (n.decl.name, bridgeName, span)
            }
        }
    }

    /// N-OVN-SAME (E0543): networks that are one OVN network (one NAD `name`) agree on what
    /// OVN-Kubernetes compares. Not under `ovn_networks = "cudn"` (no shared names there).
    mutating func checkOVNNetworksAgree() {
        guard p.ovnOutput == .nad else { return }
        let namespace = p.namespace?.value ?? "default"
        var first: [String: (index: Int, facts: [(String, String)])] = [:]
        for (i, n) in p.networks.enumerated() {
            guard let a = attachment[i], a.isOVN, n.nad == nil else { continue }
            let ovnName = n.ovnNetworkName(namespace: namespace)
            let facts = ovnFacts(a, n)
            guard let f = first[ovnName] else {
                first[ovnName] = (i, facts)
                continue
            }
            if let k = facts.indices.first(where: { facts[$0].1 != f.facts[$0].1 }) {
                let fn = p.networks[f.index]
                add(.ovnNetworkDiffers(ovnName, network: n.decl.name, firstNetwork: fn.decl.name, property: facts[k].0,
                                       here: facts[k].1, there: f.facts[k].1, at: n.ovnName?.span ?? n.decl.nameSpan,
                                       first: fn.ovnName?.span ?? fn.decl.nameSpan))
            }
        }
    }

    /// What OVN-Kubernetes compares between NADs of one network name, as (property, value text).
    func ovnFacts(_ a: AttachmentUse, _ n: NetworkDecl) -> [(String, String)] {
        let ipam = n.ipamMode == .ovn ? IPAMMode.ovn : .none
        var topology = "layer2", physnet = "none"
        if case .localnet(let b) = a { topology = "localnet"; physnet = "\"\(n.localnetPhysnet(bridge: b))\"" }
        var subnet = "none", excluded = "none"
        if ipam == .ovn, let s = n.subnet?.value {
            subnet = s.description
            let list = OVNExclusions.list(subnet: s, exclude: n.exclude.map(\.value),
                                          addresses: (n.gateway.map { [$0.value] } ?? []) + n.dns.map(\.value) + n.routes.map(\.via.value))
            if !list.isEmpty { excluded = list.joined(separator: ",") }
        }
        return [("topology", topology), ("subnet", subnet), ("excluded ranges", excluded),
                ("MTU", n.mtu.map { String($0.value) } ?? "default"), ("VLAN", n.vlan.map { String($0.value) } ?? "none"),
                ("physical network", physnet), ("IPAM", "\"\(ipam.rawValue)\""),
                ("persistent IPs", String(ipam == .ovn && (n.persistentIPs?.value ?? true)))]
    }

    /// N-MACVTAP (DOMAIN.md §8): macvtap-cni's device plugin, unconfigured, offers only physical
    /// NICs and bonds as lower devices; a macvlan network on a VLAN gets its resource only from a
    /// `DP_MACVTAP_CONF` entry. Skipped with `nad` (the existing NAD decides what it requests).
    mutating func checkMacvtapLink(_ i: Int, _ n: NetworkDecl) {
        guard n.nad == nil, case .macvlan(let link)? = attachment[i], link.kind == .vlan,
              let dev = linuxName(link) else { return }
        // the resource the NAD requests is `macvtap.network.kubevirt.io/<link ifname>` (WukongKubernetes)
        add(.macvtapLowerDeviceNotOffered(network: n.decl.name, vlan: link.name, device: dev, at: link.span,
                                          vlanDecl: vlanIndex[link.name].map { p.vlans[$0].decl.nameSpan }))
    }

    mutating func checkAttachment(_ n: NetworkDecl) {
        let name = n.decl.name
        if n.attachments.count > 1 {
            add(.moreThanOneAttachment(network: name, at: n.attachments[1].span, first: n.attachments[0].span))
        } else if n.attachments.isEmpty && !n.poisoned {
            add(.noAttachment(network: name, at: n.decl.nameSpan))
        }
    }

    mutating func checkNetworkAddressing(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        // a value of a family without a subnet says nothing when the subnet is missing or failed
        for x in n.familyExtras where x.first != nil || n.subnet != nil {
            add(.addressFamilyClash(attribute: x.attribute, x.text, isV6: x.isV6, network: name, at: x.span, first: x.first,
                                    subnetDecl: n.subnet?.span))
        }
        guard let subnet = n.subnet else {
            guard !n.poisoned else { return }   // the subnet may be what failed: absence proves nothing
            if let ipamAttr = n.ipam, effectiveIPAM(i, n).needsSubnet {
                add(.ipamNeedsSubnet(ipam: ipamAttr.value, network: name, at: ipamAttr.span))
            }
            return
        }
        // dual-stack: each family's gateway, pool and route next hops against that family's subnet
        if let subnet6 = n.subnet6 {
            checkFamilyAddressing(name, subnet, gateway: n.gateway, pool: n.pool, routes: n.routes.filter { !$0.via.value.isV6 })
            checkFamilyAddressing(name, subnet6, gateway: n.gateway6, pool: n.pool6, routes: n.routes.filter { $0.via.value.isV6 })
        } else {
            checkFamilyAddressing(name, subnet, gateway: n.gateway, pool: n.pool, routes: n.routes)
        }
    }

    mutating func checkFamilyAddressing(_ name: String, _ subnet: Located<CIDR>, gateway: Located<IPAddress>?,
                                        pool: Located<ClosedInterval>?, routes: [RouteDecl]) {
        let cidr = subnet.value, cidrText = cidr.description
        if let gw = gateway {
            if !cidr.contains(gw.value) {
                add(.outsideSubnet(.gateway, gw.value.description, subnet: cidrText, network: name, at: gw.span,
                                   subnetDecl: subnet.span, usable: cidr.usableText))
            } else if let role = cidr.reservedRole(of: gw.value) {
                add(.reservedAddress(.gateway, gw.value.description, role: role, subnet: cidrText, network: name, at: gw.span,
                                     subnetDecl: subnet.span, usable: cidr.usableText))
            }
        }
        if let pool {
            let outside = [pool.value.first, pool.value.last].filter { !cidr.contains($0) }
            if let bad = outside.first {
                add(.poolOutsideSubnet(first: pool.value.first.description, last: pool.value.last.description,
                                       outside: bad.description, subnet: cidrText, network: name, at: pool.span,
                                       subnetDecl: subnet.span, usable: cidr.usableText))
            }
        }
        for r in routes where !cidr.contains(r.via.value) {
            add(.routeViaOutsideSubnet(r.via.value.description, subnet: cidrText, network: name, at: r.via.span,
                                       subnetDecl: subnet.span))
        }
    }

    mutating func checkNetworkVlan(_ i: Int, _ n: NetworkDecl) {
        let name = n.decl.name
        if let v = n.vlan, !(1...4094).contains(v.value) {
            add(.vlanIdOutOfRange(v.value, network: name, at: v.span))
            return
        }
        switch attachment[i] {
        case .macvlan(let link)?:
            if let v = n.vlan {
                add(.vlanOnMacvlan(network: name, id: v.value, link: link.name, at: v.span, attachment: n.attachments[0].span))
            }
        case .ovs?:
            if n.vlan == nil && n.nad == nil {
                add(.ovsNetworkTrunksEveryVlan(network: name, at: n.decl.nameSpan))
            }
        case .bridge(let bname)?:
            if let v = n.vlan, let b = bridge(bname), let managed = b.managed, !managed.value {
                add(.vlanOnUnmanagedBridge(network: name, bridge: bname, at: v.span, unmanaged: managed.span))
            }
        default: break
        }
    }

    mutating func checkNetworkMTU(_ i: Int, _ n: NetworkDecl) {
        guard let mtu = n.mtu else { return }
        guard checkMTURange(mtu, of: MTUInterface(.network, n.decl.name)) else { return }
        checkNetworkMTUAgainstAttachment(i, n)
    }

    /// 68–65535 (the kernel's limits for an IPv4-capable interface). Returns whether in range.
    mutating func checkMTURange(_ mtu: Located<Int>, of interface: MTUInterface) -> Bool {
        guard (68...65535).contains(mtu.value) else {
            add(.mtuOutOfRange(mtu.value, of: interface, at: mtu.span))
            return false
        }
        return true
    }

    /// The IPAM mode the checks assume for network `i`: its `ipam`, except on a macvlan or SR-IOV
    /// attachment, where any mode but `none` is reported once at the `ipam` and then treated as
    /// absent — so the NICs on the network are not reported for it again (no cascade).
    func effectiveIPAM(_ i: Int, _ n: NetworkDecl) -> IPAMMode {
        switch attachment[i] {
        case .macvlan?, .sriov?: return .none
        // reported once by checkOVNNetwork (N-OVN-IPAM), then treated as absent
        case .layer2?, .localnet?: return n.ipamMode == .ovn ? .ovn : .none
        default: return n.ipamMode == .ovn ? .none : n.ipamMode
        }
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
                add(.ipamOnDirectAttachment(ipam: ipam, attachment: kind, network: name, at: ipamAttr.span,
                                            attachmentAt: n.attachments[0].span))
            }
        default: break
        }
        if effectiveIPAM(i, n).nadPerNic {
            if n.gateway == nil && !n.poisoned {
                add(.ipamNeedsGateway(ipam: ipam, network: name, at: ipamAttr.span))
            }
            if let nad = n.nad {
                add(.nadWithPerNicIPAM(ipam: ipam, network: name, at: nad.span, ipamAt: ipamAttr.span))
            }
        }
        if ipam == "dhcp" && !attachmentError {
            add(.cniDHCPLeasesExpire(network: name, at: ipamAttr.span))
        }
        let mode = effectiveIPAM(i, n)
        if let s6 = n.subnet6, mode == .whereabouts || mode == .dhcp {
            add(.ipv6LeaseNeverReachesGuest(ipam: ipam, network: name, at: s6.span, ipamAt: ipamAttr.span))
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
            guard !n.subnets.isEmpty, n.vlan == nil else { continue }   // node addresses are untagged
            var nicNames: [String] = []
            switch attachment[i] {
            case .bridge(let b)?, .ovs(let b)?, .localnet(let b)?:
                if let br = bridge(b) { nicNames = br.ports.filter { $0.kind == .nic }.map(\.name) }
            case .macvlan(let l)?:
                if l.kind == .nic { nicNames = [l.name] }
            default: break
            }
            for nicName in nicNames {
                for d in nicDecls[nicName] ?? [] {
                    guard let a = p.nics[d].address?.value.address, n.subnets.contains(where: { $0.value.contains(a) }) else { continue }
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
            return .addressOfVMNic(nic: nic.decl.name, vm: vm.decl.name, at: nic.address?.span ?? nic.decl.nameSpan)
        case .node(let d):
            let nic = p.nics[d]
            return .nodeAddress(of: nic.decl.name, host: nic.host, at: nic.address?.span ?? nic.decl.nameSpan)
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
                    add(.secondPodNic(vm: vm.decl.name, at: use.span, first: vm.nics[first].decl.name,
                                      firstAt: vm.nics[first].network?.span ?? vm.nics[first].decl.nameSpan))
                } else {
                    podNic = k
                    if !subnets.contains(where: { $0.network == -1 }) {
                        for s in subnets where s.cidr.overlaps(podNetworkCIDR) { warnOverlap(vm, k, use.span, s.nic, podNetworkCIDR, s.cidr); break }
                        subnets.append((podNetworkCIDR, k, -1))
                    }
                }
                if let dr = nic.defaultRoute, dr.value {
                    defaultRoutes.append((k, false, nic.metric?.value ?? GuestNic.defaultRouteMetric))
                }
            case .network(let netName):
                guard let (ni, net) = network(netName) else { continue }
                checkNicAddress(v, k, ni, net)
                if effectiveIPAM(ni, net).nadPerNic, let ipam = net.ipam?.value {
                    if let first = staticNets[ni] {
                        add(.twoNicsOnPerNicIPAM(vm: vm.decl.name, ipam: ipam, network: netName, at: use.span,
                                                 first: vm.nics[first].decl.name,
                                                 firstAt: vm.nics[first].network?.span ?? vm.nics[first].decl.nameSpan))
                    } else { staticNets[ni] = k }
                }
                if !subnets.contains(where: { $0.network == ni }) {
                    for cidr in net.subnets.map(\.value) {   // per family: IPv4 and IPv6 never overlap
                        for s in subnets where s.cidr.overlaps(cidr) { warnOverlap(vm, k, use.span, s.nic, cidr, s.cidr); break }
                        subnets.append((cidr, k, ni))
                    }
                }
                if let dr = nic.defaultRoute, dr.value {
                    let isStatic = nic.address?.value.needsSubnet ?? false
                    if isStatic && net.gateway == nil && net.gateway6 == nil && !net.poisoned {
                        add(.defaultRouteWithoutGateway(nic: nic.decl.name, network: netName, at: dr.span,
                                                        networkDecl: net.decl.nameSpan))
                    } else {
                        let v6 = net.subnet?.value.isV6 ?? net.gateway?.value.isV6 ?? false
                        if net.gateway != nil || net.gateway6 == nil {
                            defaultRoutes.append((k, v6, nic.metric?.value ?? GuestNic.defaultRouteMetric))
                        }
                        if net.gateway6 != nil { defaultRoutes.append((k, true, nic.metric?.value ?? GuestNic.defaultRouteMetric)) }
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
                add(.sameDefaultRouteMetric(vm: vm.decl.name, metric: r.metric, at: nic.defaultRoute?.span ?? nic.decl.nameSpan,
                                            other: other.decl.name, otherAt: other.defaultRoute?.span ?? other.decl.nameSpan))
            }
        }
    }

    mutating func warnOverlap(_ vm: VMDecl, _ k: Int, _ span: Span, _ other: Int, _ mine: CIDR, _ theirs: CIDR) {
        let o = vm.nics[other]
        let pod = theirs == podNetworkCIDR && o.network?.value == .pod
        add(.overlappingSubnets(mine.description, nic: vm.nics[k].decl.name, theirs: theirs.description, theirsIsPod: pod,
                                other: o.decl.name, vm: vm.decl.name, at: span, otherAt: o.network?.span ?? o.decl.nameSpan))
    }

    /// Address checks of one NIC. One finding per NIC, the most specific first:
    /// N-IPAM (the network's IPAM cannot honour it) > N-SUBNET > N-PREFIX > N-RESERVED > N-DUP-IP.
    mutating func checkNicAddress(_ v: Int, _ k: Int, _ ni: Int, _ net: NetworkDecl) {
        let nic = p.vms[v].nics[k], netName = net.decl.name
        let ipam = net.ipam?.value ?? "none", mode = effectiveIPAM(ni, net)
        guard let addr = nic.address else {
            if mode.nadPerNic && !nic.poisoned {
                add(.perNicIPAMNeedsAddress(nic: nic.decl.name, ipam: ipam, network: netName, writesDHCP: false,
                                            at: nic.decl.nameSpan, ipamAt: net.ipam?.span))
            }
            return
        }
        if addr.value.needsSubnet && !GuestNic.hasStaticAddress(writesAddress: true, ipam: mode) {
            add(.addressOnLeasingIPAM(nic: nic.decl.name, ipam: ipam, network: netName, at: addr.span, ipamAt: net.ipam?.span))
            return
        }
        if mode.nadPerNic && !addr.value.needsSubnet {
            add(.perNicIPAMNeedsAddress(nic: nic.decl.name, ipam: ipam, network: netName, writesDHCP: true,
                                        at: addr.span, ipamAt: net.ipam?.span))
            return
        }
        guard addr.value.needsSubnet else { return }
        guard let subnet = net.subnet else {
            if mode.needsSubnet { return }   // reported once at the network's `ipam`
            if net.poisoned { return }                            // the subnet may be what failed
            add(.staticAddressWithoutSubnet(nic: nic.decl.name, network: netName, at: addr.span, networkDecl: net.decl.nameSpan))
            return
        }
        for x in nic.addressExtras {
            add(.addressFamilyClash(attribute: "address", x.text, isV6: x.isV6, network: netName, nic: nic.decl.name, at: x.span, first: x.first,
                                    subnetDecl: subnet.span))
        }
        checkStaticAddress(v, k, ni, net, addr, listed: nic.address6 != nil || !nic.addressExtras.isEmpty)
        if let a6 = nic.address6 { checkStaticAddress(v, k, ni, net, a6, listed: true) }
    }

    /// N-SUBNET, N-PREFIX, N-RESERVED, N-DUP-IP of one static address, against the subnet of its
    /// family (dual-stack). `listed`: written in an `address` list (a family the network lacks is
    /// then said so; a single address keeps the N-SUBNET message of a one-family network).
    mutating func checkStaticAddress(_ v: Int, _ k: Int, _ ni: Int, _ net: NetworkDecl, _ addr: Located<AddressSpec>,
                                     listed: Bool) {
        let nic = p.vms[v].nics[k], netName = net.decl.name
        guard let ip = addr.value.staticAddress else { return }   // `auto`: allocated by lowering
        guard var subnet = net.subnet else { return }
        var gateway = net.gateway
        if let fam = net.family(v6: ip.isV6) {
            subnet = fam.subnet
            gateway = fam.gateway
        } else if listed || net.subnet6 != nil {
            add(.addressFamilyClash(attribute: "address", ip.description, isV6: ip.isV6, network: netName, at: addr.span,
                                    first: nil, subnetDecl: subnet.span))
            return
        }
        let cidr = subnet.value
        // The texts are only made for a diagnostic (this runs for every static address).
        if !cidr.contains(ip) {
            add(.outsideSubnet(.address, ip.description, subnet: cidr.description, network: netName, at: addr.span,
                               subnetDecl: subnet.span, usable: cidr.usableText))
            return
        }
        if case .ifaddr(let ia) = addr.value, ia.prefix != cidr.prefix {
            add(.prefixMismatch(written: ia.description, prefix: ia.prefix, address: ip.description, isV6: ip.isV6,
                                subnet: cidr.description, subnetPrefix: cidr.prefix, network: netName, at: addr.span,
                                subnetDecl: subnet.span))
            return
        }
        if let role = cidr.reservedRole(of: ip) {
            add(.reservedAddress(.address, ip.description, role: role, subnet: cidr.description, network: netName,
                                 at: addr.span, subnetDecl: subnet.span, usable: cidr.usableText))
            return
        }
        if let gw = gateway, gw.value == ip {
            add(.addressIsGateway(ip.description, network: netName, at: addr.span, gatewayDecl: gw.span, usable: cidr.usableText))
            return
        }
        let key = AddressKey(domain: networkDomain[ni], ip: ip)
        if let owner = addressOwners[key] {
            var sharedWith: String? = nil
            if case .vmNic(let ov, let ok) = owner, case .network(let other)? = p.vms[ov].nics[ok].network?.value, other != netName {
                sharedWith = other
            }
            add(.addressInUse(ip.description, network: netName, sharedWith: sharedWith, nic: nic.decl.name, at: addr.span,
                              holder: ownerNote(owner)))
        } else {
            addressOwners[key] = .vmNic(vm: v, nic: k)
        }
    }
}

extension CIDR {
    /// The first and last address a host may use, as help texts show them.
    var usableText: (String, String) {
        let (first, last) = usableRange
        return (first.description, last.description)
    }
}
