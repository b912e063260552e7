import WukongDiagnostics
import WukongNet
import WukongSema

/// `address = auto` (LANGUAGE.md §5.6): in source order after expansion (VM order, then NIC
/// order), each NIC gets the numerically lowest address of the network's `pool` (else its
/// `subnet`) that is not reserved or taken. Reserved: the network and broadcast addresses
/// (IPv4 prefixes ≤ 30), the IPv6 subnet-router anycast address (prefixes ≤ 126), the gateway,
/// the DNS servers, the routes' `via`, and node addresses in the subnet. Taken: every static
/// NIC address on that network (anywhere in the topology) and every earlier `auto` — on that
/// network and on every other network of its layer-2 domain (`L2Domain`, as N-DUP-IP).
///
/// Per network the reserved and taken addresses inside the range are sorted once; a cursor
/// walks the range and the sorted list together, so allocating n addresses costs
/// O(n + taken) after the sort — never a rescan from the start.
struct AddressAllocation {
    /// One network's pool state.
    struct Pool {
        /// Next candidate; nil once the range is used up.
        var next: IPAddress?
        let last: IPAddress
        /// Reserved and static addresses inside [first, last], sorted.
        let taken: [IPAddress]
        var takenCursor = 0
        let prefix: Int

        mutating func allocate() -> IPAddress? {
            while let candidate = next {
                while takenCursor < taken.count && taken[takenCursor] < candidate { takenCursor += 1 }
                let isTaken = takenCursor < taken.count && taken[takenCursor] == candidate
                next = candidate < last ? candidate.adding(1) : nil
                if !isTaken { return candidate }
            }
            return nil
        }
    }

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

    static func makePool(_ net: Network, statics: [IPAddress], nodeAddresses: [IPAddress]) -> Pool? {
        guard let subnet = net.subnet else { return nil }
        var first = subnet.network
        var last = subnet.broadcast
        if let pf = net.poolFirst, let pl = net.poolLast {
            if pf.isV6 != subnet.isV6 || pl.isV6 != subnet.isV6 {
                return Pool(next: nil, last: last, taken: [], prefix: subnet.prefix)
            }
            first = max(first, pf)
            last = min(last, pl)
        }
        var reserved: [IPAddress] = []
        if subnet.isV6 {
            if subnet.prefix <= 126 { reserved.append(subnet.network) }
        } else if subnet.prefix <= 30 {
            reserved.append(subnet.network)
            reserved.append(subnet.broadcast)
        }
        if let g = net.gateway { reserved.append(g) }
        reserved.append(contentsOf: net.dns)
        reserved.append(contentsOf: net.routes.map(\.via))
        reserved.append(contentsOf: nodeAddresses.filter { subnet.contains($0) })
        reserved.append(contentsOf: statics)
        let taken = reserved.filter { $0.isV6 == subnet.isV6 && first <= $0 && $0 <= last }.sorted()
        return Pool(next: first <= last ? first : nil, last: last, taken: taken, prefix: subnet.prefix)
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
            case .bridge(let b, _)?, .ovs(let b, _)?: key = L2Domain.bridge(b, vlan: networks[i]?.vlan)
            case .macvlan(let l)?: key = L2Domain.link(kind: l.kind.rawValue, name: l.name)
            default: key = L2Domain.own(network: program.networks[i].decl.name)
            }
            if let id = domainIDs[key] { return id }
            domainIDs[key] = domainIDs.count
            return domainIDs.count - 1
        }
        var wants = [Bool](repeating: false, count: domainIDs.count)
        var networksWanting = [Int](repeating: 0, count: domainIDs.count)
        var wantsNetwork = [Bool](repeating: false, count: networks.count)
        for r in requests where !wantsNetwork[r.network] {
            wantsNetwork[r.network] = true
            wants[domain[r.network]] = true
            networksWanting[domain[r.network]] += 1
        }

        var statics = [[IPAddress]](repeating: [], count: domainIDs.count)
        for vm in vms {
            for nic in vm.nics {
                guard case .static(let a) = nic.address, let net = nic.network, let ni = networkIndex[net],
                      wants[domain[ni]] else { continue }
                statics[domain[ni]].append(a.address)
            }
        }
        var pools: [Pool?] = networks.indices.map { i in
            guard wantsNetwork[i], let net = networks[i] else { return nil }
            return AddressAllocation.makePool(net, statics: statics[domain[i]], nodeAddresses: nodeAddresses)
        }
        // `auto`s given so far, per domain where several networks allocate (their pools don't
        // see each other's); nil elsewhere
        var shared: [Set<IPAddress>?] = networksWanting.map { $0 > 1 ? [] : nil }

        for r in requests {
            guard var pool = pools[r.network] else { continue }
            pools[r.network] = nil  // keep the pool's buffers uniquely referenced while it moves
            let d = domain[r.network]
            var ip = pool.allocate()
            if shared[d] != nil {
                while let a = ip, shared[d]?.contains(a) == true { ip = pool.allocate() }
                if let a = ip { shared[d]?.insert(a) }
            }
            let prefix = pool.prefix
            pools[r.network] = pool
            if let ip {
                vms[r.vm].nics[r.nic].address = .static(IfAddr(address: ip, prefix: prefix))
            } else {
                diagnostics.append(exhausted(network: program.networks[r.network], vm: vms[r.vm].name,
                                             nic: vms[r.vm].nics[r.nic].name, at: r.span))
            }
        }
    }

    func exhausted(network: NetworkDecl, vm: String, nic: String, at span: Span) -> Diagnostic {
        var notes: [DiagnosticNote] = []
        if let pool = network.pool {
            notes.append(DiagnosticNote("`auto` addresses of `\(network.decl.name)` come from this pool", at: pool.span))
        } else if let subnet = network.subnet {
            notes.append(DiagnosticNote("`auto` addresses of `\(network.decl.name)` come from this subnet", at: subnet.span))
        }
        return Diagnostic(.poolExhausted, "no free address left on network `\(network.decl.name)` for `\(vm).\(nic)`",
                          at: span, notes: notes,
                          help: network.pool != nil ? "widen the pool, or give some NICs a static address"
                                                    : "use a larger subnet, or give some NICs a static address")
    }
}

/// VM placement: when a VM is not pinned but the bridges of its networks are built only on some
/// hosts, the hostnames (in host source order) of the hosts that have all of them.
struct Placement {
    let hostnames: [String]
    /// Per network (program index): on which hosts its bridge exists; nil = unrestricted.
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
            case .bridge(let name, _), .ovs(let name, _): bridgeName = name
            case .macvlan, .sriov: return nil
            }
            guard let bi = pass.bridgeIndex[bridgeName], let only = program.bridges[bi].hosts else { return nil }
            var mask = [Bool](repeating: false, count: program.hosts.count)
            for h in only { if let hi = pass.hostIndex[h.value] { mask[hi] = true } }
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
