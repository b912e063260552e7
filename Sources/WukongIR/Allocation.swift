import WukongDiagnostics
import WukongNet
import WukongSema

/// `address = auto` (LANGUAGE.md §5.6) for the IR: reads the networks, statics and requests
/// of the lowering pass and hands them to `AutoAllocation` (WukongSema), the one implementation
/// of the rule, which the evaluator also calls for `vm.nic.address`. Reports E0406 where a
/// pool runs dry.
struct AddressAllocation {
    let program: CheckedProgram
    let networks: [Network?]
    let networkIndex: [String: Int]
    /// Every node address declared on a node NIC (any host).
    let nodeAddresses: [IPAddress]

    init(pass: LoweringPass) {
        program = pass.program
        networks = pass.networks
        networkIndex = pass.networkIndex
        nodeAddresses = pass.nics.flatMap { $0.settings.compactMap { $0.address?.address } }
    }

    /// One `address = auto`: the NIC `vms[vm].nics[nic]`, on network `network` (program index).
    struct Request {
        let vm: Int
        let nic: Int
        let network: Int
        let span: Span
    }

    /// Fills in the `auto` addresses of `requests` (in source order); E0406 where a pool runs dry.
    func allocate(_ requests: [Request], vms: inout [VM], diagnostics: inout [Diagnostic]) {
        guard !requests.isEmpty else { return }
        // layer-2 domain of each network: statics and `auto`s are shared within one
        var domainIDs: [String: Int] = [:]
        let domain: [Int] = networks.indices.map { i in
            let key: String
            switch networks[i]?.attachment {
            case .bridge(let b, _)?, .ovs(let b, _)?, .localnet(_, let b, _)?: key = L2Domain.bridge(b, vlan: networks[i]?.vlan)
            case .macvlan(let l)?: key = L2Domain.link(kind: l.kind.rawValue, name: l.name)
            default: key = L2Domain.own(network: program.networks[i].decl.name)
            }
            if let id = domainIDs[key] { return id }
            domainIDs[key] = domainIDs.count
            return domainIDs.count - 1
        }
        var wanted = [Bool](repeating: false, count: domainIDs.count)
        for r in requests { wanted[domain[r.network]] = true }
        var statics = [[IPAddress]](repeating: [], count: domainIDs.count)
        for vm in vms {
            for nic in vm.nics {
                guard let net = nic.network, let ni = networkIndex[net], wanted[domain[ni]] else { continue }
                if case .static(let a) = nic.address { statics[domain[ni]].append(a.address) }
                if let a = nic.address6 { statics[domain[ni]].append(a.address) }
            }
        }
        let pools: [AutoAllocation.NetworkPool?] = networks.indices.map { i in
            guard let net = networks[i], let subnet = net.subnet else { return nil }
            var pool: (first: IPAddress, last: IPAddress)? = nil
            if let f = net.poolFirst, let l = net.poolLast { pool = (f, l) }
            var reserved: [IPAddress] = []
            if let g = net.gateway { reserved.append(g) }
            reserved.append(contentsOf: net.dns)
            reserved.append(contentsOf: net.routes.map(\.via))
            return AutoAllocation.NetworkPool(subnet: subnet, pool: pool, reserved: reserved, domain: domain[i])
        }
        // dual-stack: the IPv6 pool of network i is pool `networks.count + i`, allocated
        // independently (the families never share an address), after the IPv4 requests
        let count = networks.count
        let pools6: [AutoAllocation.NetworkPool?] = networks.indices.map { i in
            guard let net = networks[i], let subnet = net.subnet6 else { return nil }
            var pool: (first: IPAddress, last: IPAddress)? = nil
            if let f = net.pool6First, let l = net.pool6Last { pool = (f, l) }
            var reserved: [IPAddress] = []
            if let g = net.gateway6 { reserved.append(g) }
            reserved.append(contentsOf: net.dns)
            reserved.append(contentsOf: net.routes.map(\.via))
            return AutoAllocation.NetworkPool(subnet: subnet, pool: pool, reserved: reserved, domain: domain[i])
        }
        let requests6 = requests.filter { networks[$0.network]?.subnet6 != nil }
        let addresses = AutoAllocation.allocate(networks: pools + pools6, statics: statics, nodeAddresses: nodeAddresses,
                                                requests: requests.map(\.network) + requests6.map { count + $0.network })
        for (j, ip) in addresses.enumerated() {
            let v6 = j >= requests.count
            let r = v6 ? requests6[j - requests.count] : requests[j]
            guard let net = networks[r.network], let subnet = v6 ? net.subnet6 : net.subnet else { continue }  // N-SUBNET reports it
            if let ip {
                let a = IfAddr(address: ip, prefix: subnet.prefix)
                if v6 { vms[r.vm].nics[r.nic].address6 = a } else { vms[r.vm].nics[r.nic].address = .static(a) }
            } else {
                diagnostics.append(exhausted(network: program.networks[r.network], v6: v6, vm: vms[r.vm].name,
                                             nic: vms[r.vm].nics[r.nic].name, at: r.span))
            }
        }
    }

    func exhausted(network: NetworkDecl, v6: Bool = false, vm: String, nic: String, at span: Span) -> Diagnostic {
        .poolExhausted(network: network.decl.name, vm: vm, nic: nic, at: span,
                       pool: v6 ? network.pool6?.span : network.pool?.span, subnet: v6 ? network.subnet6?.span : network.subnet?.span)
    }
}

/// VM placement: when a VM is not pinned but the bridges of its networks are built only on some
/// hosts, the hostnames (in host source order) of the hosts that have all of them.
struct Placement {
    let hostnames: [String]
    /// Per network (program index): on which hosts its bridge is built (`PolicyGrouping`); nil = unrestricted.
    let masks: [[Bool]?]
    let networkIndex: [String: Int]

    init(pass: LoweringPass) {
        let program = pass.program
        hostnames = pass.hosts.map(\.hostname)
        networkIndex = pass.networkIndex
        masks = pass.networks.map { net in
            guard let net else { return nil }
            let bridgeName: String
            switch net.attachment {
            case .bridge(let name, _), .ovs(let name, _), .localnet(_, let name, _): bridgeName = name
            case .macvlan, .sriov, .layer2: return nil
            }
            guard let bi = pass.bridgeIndex[bridgeName], let only = pass.plan.bridgeHosts[bi] else { return nil }
            var mask = [Bool](repeating: false, count: program.hosts.count)
            for h in only { mask[h] = true }
            return mask
        }
    }

    /// Results per set of restricting networks: VMs of a fleet share a few such sets, so the
    /// per-host work is done once per set, not once per VM.
    private var cache: [[Int]: [String]] = [:]

    mutating func affinity(for nics: [VMNic]) -> [String]? {
        var restricting: [Int] = []
        for nic in nics {
            guard let net = nic.network, let ni = networkIndex[net], masks[ni] != nil else { continue }
            if !restricting.contains(ni) { restricting.append(ni) }
        }
        guard !restricting.isEmpty else { return nil }
        restricting.sort()
        if let known = cache[restricting] { return known }
        var mask = [Bool](repeating: true, count: hostnames.count)
        for ni in restricting {
            guard let m = masks[ni] else { continue }
            for h in mask.indices where !m[h] { mask[h] = false }
        }
        let result = hostnames.indices.filter { mask[$0] }.map { hostnames[$0] }
        cache[restricting] = result
        return result
    }
}
