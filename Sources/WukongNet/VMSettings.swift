// Enumerated VM settings, defined once: the front end takes its allowed values from here and
// the back ends their meaning.

/// How a guest applies networkData (LANGUAGE.md §5.1: an image record's `network_config`).
public enum NetworkConfigMode: String, Sendable, Codable, CaseIterable {
    /// netplan (Ubuntu): the whole netplan v2 schema.
    case netplan
    /// cloud-init's own renderers: addresses, routes to/via/metric, nameservers; no policy, no table.
    case cloudInit = "cloud-init"
    /// networkData is not applied at all (CirrOS).
    case none
}

/// A VM's `eviction` (LANGUAGE.md §5.6) and the KubeVirt `evictionStrategy` it becomes (§7).
public enum EvictionMode: String, Sendable, Codable, CaseIterable {
    case liveMigrate = "live-migrate"
    case ifPossible = "if-possible"
    case shutdown
    case external

    public var kubevirtStrategy: String {
        switch self {
        case .liveMigrate: return "LiveMigrate"
        case .ifPossible: return "LiveMigrateIfPossible"
        case .shutdown: return "None"
        case .external: return "External"
        }
    }
}

/// A network's `ipam` (LANGUAGE.md §5.3): who assigns the addresses of the NICs on it.
public enum IPAMMode: String, Sendable, Codable, CaseIterable {
    case none, `static`, hostLocal = "host-local", whereabouts, dhcp

    /// whereabouts and the CNI dhcp plugin lease every NIC on the network its address.
    public var leasesAddresses: Bool { self == .whereabouts || self == .dhcp }
}

/// KubeVirt's interface binding of a VM NIC (LANGUAGE.md §7).
public enum NicBinding: String, Sendable, Codable {
    /// pod network, `masquerade: {}`
    case masquerade
    /// bridge / ovs networks, `bridge: {}`
    case bridge
    /// macvlan networks, `binding: {name: macvtap}`
    case macvtap
    case sriov

    /// KubeVirt cannot live-migrate a VM with a macvtap NIC: N-MIGRATE warns when such a VM asks
    /// for live migration, and lowering gives it `evictionStrategy: None` when it asks nothing.
    public var canLiveMigrate: Bool { self != .macvtap }
}

/// How the guest configures a VM NIC (LANGUAGE.md §5.6, §7). The checks ask these rules of the
/// declarations, lowering and the back end of the IR: a warning and the YAML cannot disagree.
public enum GuestNic {
    /// Whether the NIC has a static address in the guest: it writes an address or `auto`
    /// (`writesAddress`) on a network (`ipam`; nil for the pod NIC) whose IPAM does not lease
    /// addresses. Otherwise the guest runs DHCP, and a written address is an N-IPAM error.
    public static func hasStaticAddress(writesAddress: Bool, ipam: IPAMMode?) -> Bool {
        guard let ipam else { return false }
        return writesAddress && !ipam.leasesAddresses
    }

    /// Whether a NIC with a static address carries a route in the guest: its default route
    /// (`defaultRoute`) or its network's `routes`. Its `metric` goes on these routes only, so
    /// without one N-ROUTE warns that `metric` has no effect (a DHCP NIC's lease takes it instead).
    public static func carriesRoute(defaultRoute: Bool, networkRoutes: Bool) -> Bool {
        defaultRoute || networkRoutes
    }
}
