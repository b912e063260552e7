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
    /// OVN-Kubernetes IPAM (`subnets` in an `ovn-k8s-cni-overlay` NAD): OVN networks only.
    case ovn

    /// whereabouts, the CNI dhcp plugin and OVN lease every NIC on the network its address.
    public var leasesAddresses: Bool { self == .whereabouts || self == .dhcp || self == .ovn }
    /// `static` and `host-local` write each NIC's address into the IPAM config of a
    /// NetworkAttachmentDefinition of its own: every NIC on the network needs an address.
    public var nadPerNic: Bool { self == .static || self == .hostLocal }
    /// The modes whose IPAM config is built from the network's `subnet`.
    public var needsSubnet: Bool { nadPerNic || self == .whereabouts || self == .ovn }
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
    /// pod network with `binding = "passt"`: `passtBinding: {}` (KubeVirt ≥ 1.8, gate `PasstBinding`)
    case passt

    /// KubeVirt cannot live-migrate a VM with a macvtap NIC: N-MIGRATE warns when such a VM asks
    /// for live migration, and lowering gives it `evictionStrategy: None` when it asks nothing.
    public var canLiveMigrate: Bool { self != .macvtap }
}

/// The topology of an OVN-Kubernetes overlay network (`overlay = "layer2"`).
public enum OverlayTopology: String, Sendable, Codable, CaseIterable {
    case layer2
}

/// A topology's `ovn_networks`: how OVN-Kubernetes secondary networks are emitted — one NAD per
/// network, or one `k8s.ovn.org/v1` ClusterUserDefinedNetwork (docs/networks-reference.md).
public enum OVNNetworksOutput: String, Sendable, Codable, CaseIterable {
    case nad, cudn
}

/// The `binding` of a pod NIC (`nic default on pod { binding = "passt" }`): masquerade (the
/// default) NATs the guest's `10.0.2.2`; passt gives the guest the pod's own address.
public enum PodBinding: String, Sendable, Codable, CaseIterable {
    case masquerade, passt

    public var nicBinding: NicBinding { self == .passt ? .passt : .masquerade }
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

    /// The metric of a declared default route whose NIC sets no `metric`.
    public static let defaultRouteMetric = 50
    /// Route metrics netplan accepts (an unsigned 32-bit number).
    public static let metricRange = 0...4_294_967_295
    /// A DHCP NIC that sets no `metric` and does not carry the declared default route (the pod
    /// NIC above all) has its learned default route demoted this far below the worst declared one.
    public static let demotion = 100
    /// The demoted metric, or nil when it would leave `metricRange` (N-ROUTE reports that).
    public static func demotedMetric(below worst: Int) -> Int? {
        worst <= metricRange.upperBound - demotion ? worst + demotion : nil
    }
}

/// The `excludeSubnets` of an OVN network with OVN IPAM (docs/networks-reference.md): the
/// network's `exclude` ranges, then its gateway, DNS servers and route next hops inside the
/// subnet as /32 or /128 (OVN must not hand them to a VM) unless an `exclude` range holds them
/// already, in that order, without duplicates.
/// One rule for the back end (the NAD/CUDN) and the N-OVN-SAME check (what must agree).
public enum OVNExclusions {
    public static func list(subnet: CIDR, exclude: [CIDR], addresses: [IPAddress]) -> [String] {
        var out: [String] = []
        for c in exclude where !out.contains(c.description) { out.append(c.description) }
        for ip in addresses where subnet.contains(ip) && !exclude.contains(where: { $0.contains(ip) }) {
            let text = "\(ip)/\(ip.isV6 ? 128 : 32)"
            if !out.contains(text) { out.append(text) }
        }
        return out
    }
}
