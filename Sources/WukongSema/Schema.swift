import WukongNet
import WukongSyntax

// Block schemas (LANGUAGE.md §5.3–5.6): the attributes each block knows, their types, and
// which are required. Lists are in documentation order (also the order of did-you-mean ties).

struct AttributeSchema: Sendable {
    var name: String
    var type: VType
    var required: Bool = false
    /// Allowed values of an enumerated string setting.
    var allowed: [String]? = nil
}

/// Which block a set of attributes belongs to (a `nic` inside a `vm` differs from a node `nic`).
enum BlockKind: Sendable, Equatable {
    case topology, host, nodeNic, vlan, bond, bridge, ovsBridge, network, vm, user, vmNic

    var keyword: String {
        switch self {
        case .topology: return "topology"
        case .host: return "host"
        case .nodeNic, .vmNic: return "nic"
        case .vlan: return "vlan"
        case .bond: return "bond"
        case .bridge: return "bridge"
        case .ovsBridge: return "ovs-bridge"
        case .network: return "network"
        case .vm: return "vm"
        case .user: return "user"
        }
    }
}

enum Schema {
    static let bondModes = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"]
    static let ipamModes = IPAMMode.allCases.map(\.rawValue)
    static let evictionModes = EvictionMode.allCases.map(\.rawValue)
    /// How a guest applies networkData (an image record's `network_config`, LANGUAGE.md §5.1).
    static let networkConfigModes = NetworkConfigMode.allCases.map(\.rawValue)
    /// The fields of an image record; `network_config` defaults to "cloud-init" like a plain string.
    static let imageRecord: [RecordFieldType] = [RecordFieldType(name: "ref", type: .string),
                                                 RecordFieldType(name: "network_config", type: .string)]

    static let topology: [AttributeSchema] = [
        .init(name: "namespace", type: .string),
        .init(name: "create_namespace", type: .bool),
        .init(name: "labels", type: .map(.string)),
        .init(name: "node_selector", type: .map(.string)),
        .init(name: "mac_prefix", type: .string),
        .init(name: "cluster_cidrs", type: .list(.cidr)),
    ]
    static let host: [AttributeSchema] = [
        .init(name: "hostname", type: .string),
    ]
    static let nodeNic: [AttributeSchema] = [
        .init(name: "address", type: .ifaddr),
        .init(name: "dhcp", type: .bool),
        .init(name: "gateway", type: .ip),
        .init(name: "dns", type: .list(.ip)),
        .init(name: "mtu", type: .int),
    ]
    static let vlan: [AttributeSchema] = [
        .init(name: "id", type: .int, required: true),
        .init(name: "ifname", type: .string),
        .init(name: "mtu", type: .int),
    ]
    static let bond: [AttributeSchema] = [
        .init(name: "ports", type: .list(.link), required: true),
        .init(name: "mode", type: .string, allowed: bondModes),
        .init(name: "ifname", type: .string),
        .init(name: "mtu", type: .int),
    ]
    static let bridge: [AttributeSchema] = [
        .init(name: "ports", type: .list(.link)),
        .init(name: "stp", type: .bool),
        .init(name: "mtu", type: .int),
        .init(name: "hosts", type: .list(.ref(.host))),
        .init(name: "managed", type: .bool),
        .init(name: "ifname", type: .string),
    ]
    static let ovsBridge: [AttributeSchema] = [
        .init(name: "ports", type: .list(.link)),
        .init(name: "mtu", type: .int),
        .init(name: "hosts", type: .list(.ref(.host))),
        .init(name: "managed", type: .bool),
        .init(name: "ifname", type: .string),
    ]
    static let routeType: VType = .record([RecordFieldType(name: "to", type: .cidr), RecordFieldType(name: "via", type: .ip)])
    static let network: [AttributeSchema] = [
        .init(name: "bridge", type: .ref(.bridge)),
        .init(name: "ovs", type: .ref(.ovsBridge)),
        .init(name: "macvlan", type: .link),
        .init(name: "sriov", type: .string),
        .init(name: "vlan", type: .int),
        .init(name: "subnet", type: .cidr),
        .init(name: "gateway", type: .ip),
        .init(name: "dns", type: .list(.ip)),
        .init(name: "search", type: .list(.string)),
        .init(name: "mtu", type: .int),
        .init(name: "pool", type: .ipRange),
        .init(name: "routes", type: .list(routeType)),
        .init(name: "ipam", type: .string, allowed: ipamModes),
        .init(name: "nad", type: .string),
    ]
    static let vm: [AttributeSchema] = [
        .init(name: "cpu", type: .int, required: true),
        .init(name: "memory", type: .quantity, required: true),
        .init(name: "image", type: .image, required: true),
        .init(name: "host", type: .ref(.host)),
        .init(name: "running", type: .bool),
        .init(name: "eviction", type: .string, allowed: evictionModes),
        .init(name: "labels", type: .map(.string)),
        .init(name: "run", type: .list(.string)),
        .init(name: "cloud_config", type: .string),
    ]
    static let user: [AttributeSchema] = [
        .init(name: "password_hash", type: .string),
        .init(name: "ssh_keys", type: .list(.string)),
        .init(name: "sudo", type: .string),
        .init(name: "shell", type: .string),
        .init(name: "groups", type: .list(.string)),
    ]
    static let vmNic: [AttributeSchema] = [
        .init(name: "address", type: .nicAddress),
        .init(name: "mac", type: .mac),
        .init(name: "ifname", type: .string),
        .init(name: "metric", type: .int),
        .init(name: "default_route", type: .bool),
    ]

    static func attributes(of block: BlockKind) -> [AttributeSchema] {
        switch block {
        case .topology: return topology
        case .host: return host
        case .nodeNic: return nodeNic
        case .vlan: return vlan
        case .bond: return bond
        case .bridge: return bridge
        case .ovsBridge: return ovsBridge
        case .network: return network
        case .vm: return vm
        case .user: return user
        case .vmNic: return vmNic
        }
    }

    static func attribute(_ name: String, of block: BlockKind) -> AttributeSchema? {
        let length = name.utf8.count
        return attributes(of: block).first { sameName($0.name, name, length) }
    }

    /// Whether `block` has the attribute `name` (without copying its schema).
    static func hasAttribute(_ name: String, of block: BlockKind) -> Bool {
        let length = name.utf8.count
        return attributes(of: block).contains { sameName($0.name, name, length) }
    }

    /// The nested resources a block may hold.
    static func allowsChild(_ kind: ResourceKind, in block: BlockKind) -> Bool {
        switch (block, kind) {
        case (.host, .nic), (.vm, .nic), (.vm, .user): return true
        default: return false
        }
    }

    static func blockKind(_ kind: ResourceKind, nested parent: BlockKind?) -> BlockKind {
        switch kind {
        case .topology: return .topology
        case .host: return .host
        case .nic: return parent == .vm ? .vmNic : .nodeNic
        case .vlan: return .vlan
        case .bond: return .bond
        case .bridge: return .bridge
        case .ovsBridge: return .ovsBridge
        case .network: return .network
        case .vm: return .vm
        case .user: return .user
        }
    }

    /// Built-in member names (LANGUAGE.md §4: they cannot be NIC names): every member of
    /// `MemberTable`, and the attributes `vm.x` and `vm.nic.x` read.
    static let builtinMembers: Set<String> = Set(MemberTable.rules.map(\.name) + vm.map(\.name) + vmNic.map(\.name))
}
