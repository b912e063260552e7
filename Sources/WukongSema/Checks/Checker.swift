import WukongDiagnostics
import WukongNet

/// Shared state of the topology checks: the program, lookup tables built once (name → index,
/// first declaration wins; duplicates were reported by evaluation), and the diagnostics found.
/// Every area (NetworkChecks, NodeChecks, VMChecks, NamingChecks) is an extension of it.
struct Checker {
    let p: CheckedProgram
    var out: [Diagnostic] = []
    /// N-DUP-IP: the first holder of each (layer-2 domain, address).
    var addressOwners: [AddressKey: AddressOwner] = [:]
    /// Per network: its L2 domain (N-DUP-IP).
    var networkDomain: [Int] = []
    /// Per network: the hosts where it is available (where its bridge is built, `PolicyGrouping`); nil = every host.
    var networkHosts: [Set<Int>?] = []
    /// The NodeNetworkConfigurationPolicy plan (computed once: placement and K-NAME use it).
    var plan: PolicyGrouping.Plan? = nil
    /// V-PASS / V-SSHKEY results by text.
    var hashProblems: [String: PasswordHashProblem?] = [:]
    var imageProblems: [String: String?] = [:]
    var keyProblems: [String: SSHKeyProblem?] = [:]
    /// How many VMs each VM declaration span makes (> 1: a `for` or a `fn`); built at the first
    /// diagnostic that needs it.
    var vmDeclarationCounts: [Span: Int]? = nil

    let hostIndex: [String: Int]
    /// Node NIC name → indices into `p.nics` (one logical NIC may be declared in several hosts).
    let nicDecls: [String: [Int]]
    let vlanIndex: [String: Int]
    let bondIndex: [String: Int]
    let bridgeIndex: [String: Int]
    let networkIndex: [String: Int]
    /// Per network: the resolved attachment when there is exactly one and the network is not poisoned.
    let attachment: [AttachmentUse?]
    /// Whether a VM NIC's network must be looked up for the guest checks (a poisoned network, or
    /// one with more nameservers than a guest uses).
    let guestChecksReadNetworks: Bool

    init(_ program: CheckedProgram) {
        p = program
        func index(_ names: [String]) -> [String: Int] {
            var d: [String: Int] = [:]
            d.reserveCapacity(names.count)
            for (i, n) in names.enumerated() where d[n] == nil { d[n] = i }
            return d
        }
        hostIndex = index(program.hosts.map(\.decl.name))
        var nd: [String: [Int]] = [:]
        for (i, n) in program.nics.enumerated() { nd[n.decl.name, default: []].append(i) }
        nicDecls = nd
        vlanIndex = index(program.vlans.map(\.decl.name))
        bondIndex = index(program.bonds.map(\.decl.name))
        bridgeIndex = index(program.bridges.map(\.decl.name))
        networkIndex = index(program.networks.map(\.decl.name))
        addressOwners.reserveCapacity(program.vms.count)
        guestChecksReadNetworks = program.networks.contains { $0.poisoned || $0.dns.count > 3 }
        attachment = program.networks.map { n in
            n.poisoned || n.attachments.count != 1 ? nil : n.attachments[0].value
        }
    }

    mutating func add(_ d: Diagnostic) { out.append(d) }

    /// Names VM `v` in the diagnostics found since `start` that lie in its declaration, when that
    /// declaration makes several VMs: they share its spans, so the span alone cannot tell which.
    mutating func nameInstance(_ v: Int, since start: Int) {
        guard out.count > start else { return }
        if vmDeclarationCounts == nil {
            var counts: [Span: Int] = [:]
            for i in p.vms.indices { counts[p.vms[i].decl.span, default: 0] += 1 }
            vmDeclarationCounts = counts
        }
        let decl = p.vms[v].decl
        guard let n = vmDeclarationCounts?[decl.span], n > 1 else { return }
        for i in start..<out.count where out[i].instance == nil && decl.span.contains(out[i].span) {
            out[i] = out[i].inInstance(vm: decl.name, of: n, at: decl.nameSpan)
        }
    }

    // MARK: - Lookups

    func network(_ name: String) -> (index: Int, decl: NetworkDecl)? {
        guard let i = networkIndex[name] else { return nil }
        return (i, p.networks[i])
    }

    func bridge(_ name: String) -> BridgeDecl? { bridgeIndex[name].map { p.bridges[$0] } }

    /// The node NIC declarations that apply on host `h` (nil: no hosts, i.e. every node alike).
    func nicDecls(_ name: String, onHost h: Int?) -> [NodeNicDecl] {
        guard let idx = nicDecls[name] else { return [] }
        return idx.compactMap { i -> NodeNicDecl? in
            let d = p.nics[i]
            guard let owner = d.host else { return d }
            guard let h else { return nil }
            return owner == p.hosts[h].decl.name ? d : nil
        }
    }

    // MARK: - Hosts

    /// Hosts where NIC `name` exists; nil = every host (a top-level NIC, or no hosts at all).
    func hostsHaving(nic name: String) -> Set<Int>? {
        if p.hosts.isEmpty { return nil }
        var s = Set<Int>()
        for i in nicDecls[name] ?? [] {
            guard let owner = p.nics[i].host else { return nil }
            if let h = hostIndex[owner] { s.insert(h) }
        }
        return s
    }

    /// Hosts a bridge is built on; nil = every host.
    func hostsOf(bridge b: BridgeDecl) -> Set<Int>? {
        guard let hs = b.hosts else { return nil }
        return Set(hs.compactMap { hostIndex[$0.value] })
    }

    /// The node NICs a link finally sits on (through VLAN bases and bond ports), in a stable order.
    func underlyingNics(_ link: LinkUse) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        var visiting = Set<String>()
        func walk(_ l: LinkUse) {
            let key = l.kind.rawValue + ":" + l.name
            guard visiting.insert(key).inserted else { return }   // cycles are N-PORT's
            switch l.kind {
            case .nic:
                if seen.insert(l.name).inserted { out.append(l.name) }
            case .vlan:
                if let i = vlanIndex[l.name], let base = p.vlans[i].base { walk(base) }
            case .bond:
                if let i = bondIndex[l.name] { for port in p.bonds[i].ports { walk(port) } }
            }
        }
        walk(link)
        return out
    }

    /// The Linux interface name of a link on the node; nil when it cannot be derived (unresolved parts).
    func linuxName(_ link: LinkUse, depth: Int = 0) -> String? {
        guard depth < 64 else { return nil }
        switch link.kind {
        case .nic: return link.name
        case .bond:
            guard let i = bondIndex[link.name] else { return nil }
            return p.bonds[i].ifname?.value ?? link.name
        case .vlan:
            guard let i = vlanIndex[link.name] else { return nil }
            return vlanLinuxName(p.vlans[i], depth: depth + 1)
        }
    }

    func vlanLinuxName(_ v: VlanDecl, depth: Int = 0) -> String? {
        if let n = v.ifname { return n.value }
        guard let base = v.base, let id = v.id, let b = linuxName(base, depth: depth) else { return nil }
        return b + "." + String(id.value)
    }

    /// The names of hosts `hs`, in declaration order.
    func hostNames(_ hs: Set<Int>) -> [String] { hs.sorted().map { p.hosts[$0].decl.name } }
}

// MARK: - Small helpers shared by the areas

/// Source order: file, then offset.
@inline(__always)
func precedes(_ a: Span, _ b: Span) -> Bool {
    a.file != b.file ? a.file < b.file : a.start < b.start
}

func joinList(_ items: [String], conjunction: String = "and") -> String {
    switch items.count {
    case 0: return ""
    case 1: return items[0]
    default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}

extension AddressSpec {
    /// The written address for `ip`/`ifaddr`; nil for `auto`/`dhcp`.
    var staticAddress: IPAddress? {
        switch self {
        case .ip(let a): return a
        case .ifaddr(let a): return a.address
        case .auto, .dhcp: return nil
        }
    }
    /// A static or `auto` address (needs a subnet).
    public var needsSubnet: Bool {
        switch self {
        case .ip, .ifaddr, .auto: return true
        case .dhcp: return false
        }
    }
}

extension CIDR {
    /// IPv4 prefixes ≤ 30 reserve the network and broadcast addresses.
    var reservesEnds: Bool { !isV6 && prefix <= 30 }
    /// What a reserved address is ("network", "broadcast", "subnet-router anycast"), or nil.
    /// IPv6 prefixes ≤ /126 reserve the all-zero host (as `auto` allocation does).
    func reservedRole(of ip: IPAddress) -> String? {
        if reservesEnds {
            if ip == network { return "network" }
            if ip == broadcast { return "broadcast" }
        } else if isV6 && prefix <= 126 && ip == network {
            return "subnet-router anycast"
        }
        return nil
    }
    /// First and last address a host may use (for help texts).
    var usableRange: (IPAddress, IPAddress) {
        if reservesEnds, let f = network.adding(1), let l = broadcast.adding(-1) { return (f, l) }
        if isV6 && prefix <= 126, let f = network.adding(1) { return (f, broadcast) }
        return (network, broadcast)
    }
}
