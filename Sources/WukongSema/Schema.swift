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
    /// What makes a required attribute unnecessary when the block has it (`cpu` with an
    /// `instancetype`, `image` with a `disk`).
    var unless: [StandIn] = []
}

/// An attribute or a nested declaration that stands in for a required attribute.
enum StandIn: Sendable {
    case attribute(String)
    case child(ResourceKind)
}

/// Which block a set of attributes belongs to (a `nic` inside a `vm` differs from a node `nic`).
enum BlockKind: Sendable, Equatable {
    case topology, host, nodeNic, vlan, bond, bridge, ovsBridge, network, vm, user, vmNic, disk

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
        case .disk: return "disk"
        }
    }
}

enum Schema {
    static let bondModes = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"]
    static let ipamModes = IPAMMode.allCases.map(\.rawValue)
    static let evictionModes = EvictionMode.allCases.map(\.rawValue)
    /// `overlay` networks (OVN-Kubernetes; docs/networks-reference.md).
    static let overlayTopologies = OverlayTopology.allCases.map(\.rawValue)
    /// A topology's `ovn_networks` (NADs or ClusterUserDefinedNetworks).
    static let ovnNetworksOutputs = OVNNetworksOutput.allCases.map(\.rawValue)
    /// A pod NIC's `binding` (docs/networks-reference.md).
    static let podBindings = PodBinding.allCases.map(\.rawValue)
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
        // the cluster runs dual-stack: masquerade pod NICs get KubeVirt's IPv6 too (docs/networks-reference.md)
        .init(name: "dual_stack", type: .bool),
        .init(name: "ovn_networks", type: .string, allowed: ovnNetworksOutputs),
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
        .init(name: "overlay", type: .string, allowed: overlayTopologies),
        .init(name: "vlan", type: .int),
        .init(name: "subnet", type: .perFamily(.cidr)),
        .init(name: "gateway", type: .perFamily(.ip)),
        .init(name: "dns", type: .list(.ip)),
        .init(name: "search", type: .list(.string)),
        .init(name: "mtu", type: .int),
        .init(name: "pool", type: .perFamily(.ipRange)),
        .init(name: "routes", type: .list(routeType)),
        .init(name: "ipam", type: .string, allowed: ipamModes),
        .init(name: "nad", type: .string),
        .init(name: "ovn_name", type: .string),
        .init(name: "persistent_ips", type: .bool),
        // OVN-Kubernetes localnet (docs/networks-reference.md): the OVS bridge, its bridge-mapping name
        .init(name: "localnet", type: .ref(.ovsBridge)),
        .init(name: "physnet", type: .string),
        .init(name: "exclude", type: .list(.cidr)),
    ]
    static let vm: [AttributeSchema] = [
        .init(name: "cpu", type: .int, required: true, unless: [.attribute("instancetype")]),
        .init(name: "memory", type: .quantity, required: true, unless: [.attribute("instancetype")]),
        .init(name: "image", type: .image, required: true, unless: [.child(.disk)]),
        .init(name: "instancetype", type: .string),
        .init(name: "preference", type: .string),
        .init(name: "instancetype_namespaced", type: .bool),
        .init(name: "preference_namespaced", type: .bool),
        .init(name: "host", type: .ref(.host)),
        .init(name: "running", type: .bool),
        .init(name: "eviction", type: .string, allowed: evictionModes),
        .init(name: "labels", type: .map(.string)),
        .init(name: "run", type: .list(.string)),
        .init(name: "cloud_config", type: .string),
        // placement and lifecycle (docs/vm-reference.md, PlacementChecks)
        .init(name: "node_selector", type: .map(.string)),
        .init(name: "run_strategy", type: .string, allowed: runStrategies),
        .init(name: "firmware", type: .string, allowed: firmwareKinds),
        .init(name: "spread", type: .string, allowed: spreadModes),
        // records of `tolerationFields`, checked field by field in PlacementChecks (most are optional)
        .init(name: "tolerations", type: .list(.map(.any))),
        .init(name: "spread_group", type: .string),
        // `kubevirt { path = value }`: any VirtualMachine field, checked by KubevirtCheck.swift
        .init(name: "kubevirt", type: .any),
    ]
    static let user: [AttributeSchema] = [
        .init(name: "password_hash", type: .string),
        .init(name: "ssh_keys", type: .list(.string)),
        .init(name: "sudo", type: .string),
        .init(name: "shell", type: .string),
        .init(name: "groups", type: .list(.string)),
    ]
    static let runStrategies = RunStrategy.allCases.map(\.rawValue)
    static let firmwareKinds = FirmwareKind.allCases.map(\.rawValue)
    static let spreadModes = SpreadMode.allCases.map(\.rawValue)
    static let nicModels = NicModel.allCases.map(\.rawValue)
    static let accessModes = DiskAccess.allCases.map(\.rawValue)
    static let volumeModes = DiskVolumeMode.allCases.map(\.rawValue)
    static let diskBuses = DiskBus.allCases.map(\.rawValue)
    /// `disk NAME { … }` inside a `vm` (docs/vm-reference.md); the sources are `DiskSourceKind`.
    static let disk: [AttributeSchema] = [
        .init(name: "image", type: .image),
        .init(name: "url", type: .string),
        .init(name: "data_source", type: .string),
        .init(name: "pvc", type: .string),
        .init(name: "size", type: .quantity),
        .init(name: "storage_class", type: .string),
        .init(name: "access", type: .string, allowed: accessModes),
        .init(name: "volume_mode", type: .string, allowed: volumeModes),
        .init(name: "bus", type: .string, allowed: diskBuses),
        .init(name: "boot", type: .bool),
    ]
    static let vmNic: [AttributeSchema] = [
        .init(name: "address", type: .perFamily(.nicAddress)),
        .init(name: "mac", type: .mac),
        .init(name: "ifname", type: .string),
        .init(name: "metric", type: .int),
        .init(name: "default_route", type: .bool),
        .init(name: "model", type: .string, allowed: nicModels),
        .init(name: "binding", type: .string, allowed: podBindings),
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
        case .disk: return disk
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
        case (.host, .nic), (.vm, .nic), (.vm, .user), (.vm, .disk): return true
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
        case .disk: return .disk
        }
    }

    /// Built-in member names (LANGUAGE.md §4: they cannot be NIC names): every member of
    /// `MemberTable`, and the attributes `vm.x` and `vm.nic.x` read.
    static let builtinMembers: Set<String> = Set(MemberTable.rules.map(\.name) + vm.map(\.name) + vmNic.map(\.name))
}
