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
