import WukongDiagnostics
import WukongNet

// The resolved topology: every reference resolved, every address final, every MAC and
// Kubernetes name derived. It is the only input of the back ends and the contract between
// front end and back ends; `wukongc build --emit ir` prints it as JSON (sorted keys).
// Lists are in source order (file path, then position) after expansion.

public struct Topology: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var createNamespace: Bool
    /// Labels added to every object: the two of LANGUAGE.md §5.3 first, then the topology's `labels`.
    public var labels: [KeyValue]
    /// The topology's `node_selector` (empty = every node).
    public var nodeSelector: [KeyValue]
    /// `cluster_cidrs`: the cluster's Service and pod CIDRs, reached through a VM's pod NIC.
    public var clusterCIDRs: [CIDR] = []
    /// `dual_stack = true`: masquerade pod NICs get KubeVirt's IPv6 (`fd10:0:2::2/120`); nil otherwise.
    public var dualStack: Bool? = nil
    public var hosts: [Host]
    public var nics: [NodeNic]
    public var vlans: [Vlan]
    public var bonds: [Bond]
    public var bridges: [Bridge]
    public var networks: [Network]
    public var vms: [VM]
    /// NodeNetworkConfigurationPolicies: one per connected component (and per host where needed).
    public var policies: [NodePolicy]
    /// `ovn_networks`: OVN networks as NADs or as ClusterUserDefinedNetworks `<topology>-<network>`.
    public var ovnNetworks: OVNNetworksOutput = .nad

    public init(name: String, namespace: String, createNamespace: Bool = false, labels: [KeyValue] = [],
                nodeSelector: [KeyValue] = [], hosts: [Host] = [], nics: [NodeNic] = [], vlans: [Vlan] = [],
                bonds: [Bond] = [], bridges: [Bridge] = [], networks: [Network] = [], vms: [VM] = [],
                policies: [NodePolicy] = []) {
        self.name = name; self.namespace = namespace; self.createNamespace = createNamespace
        self.labels = labels; self.nodeSelector = nodeSelector; self.hosts = hosts; self.nics = nics
        self.vlans = vlans; self.bonds = bonds; self.bridges = bridges; self.networks = networks
        self.vms = vms; self.policies = policies
    }
}

/// An ordered key/value pair (labels, selectors): order is part of the output contract.
public struct KeyValue: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

public struct Host: Codable, Sendable, Equatable {
    public var name: String
    /// `kubernetes.io/hostname` value.
    public var hostname: String
    public init(name: String, hostname: String) { self.name = name; self.hostname = hostname }
}

/// A node NIC by name. `hosts` nil = present on every node (top-level `nic`).
public struct NodeNic: Codable, Sendable, Equatable {
    public var name: String
    public var hosts: [String]?
    /// Per-host settings (host nil = the top-level declaration, every node).
    public var settings: [NodeNicSettings]
    public init(name: String, hosts: [String]?, settings: [NodeNicSettings]) {
        self.name = name; self.hosts = hosts; self.settings = settings
    }
}

public struct NodeNicSettings: Codable, Sendable, Equatable {
    public var host: String?
    public var address: IfAddr?
    public var dhcp: Bool
    public var gateway: IPAddress?
    public var dns: [IPAddress]
    public var mtu: Int?
    public init(host: String?, address: IfAddr? = nil, dhcp: Bool = false, gateway: IPAddress? = nil,
                dns: [IPAddress] = [], mtu: Int? = nil) {
        self.host = host; self.address = address; self.dhcp = dhcp; self.gateway = gateway; self.dns = dns; self.mtu = mtu
    }
    public var carriesNodeAddress: Bool { address != nil || dhcp }
}

public enum LinkKind: String, Codable, Sendable { case nic, vlan, bond }

/// A reference to something a bridge port, VLAN or macvlan NIC can sit on.
public struct LinkRef: Codable, Sendable, Equatable, Hashable {
    public var kind: LinkKind
    public var name: String
    /// The Linux interface name on the node.
    public var ifname: String
    public init(kind: LinkKind, name: String, ifname: String) { self.kind = kind; self.name = name; self.ifname = ifname }
}

public struct Vlan: Codable, Sendable, Equatable {
    public var name: String
    public var ifname: String
    public var base: LinkRef
    public var id: Int
    public var mtu: Int?
    public init(name: String, ifname: String, base: LinkRef, id: Int, mtu: Int?) {
        self.name = name; self.ifname = ifname; self.base = base; self.id = id; self.mtu = mtu
    }
}

public struct Bond: Codable, Sendable, Equatable {
    public var name: String
    public var ifname: String
    public var ports: [LinkRef]
    public var mode: String
    public var mtu: Int?
    public init(name: String, ifname: String, ports: [LinkRef], mode: String, mtu: Int?) {
        self.name = name; self.ifname = ifname; self.ports = ports; self.mode = mode; self.mtu = mtu
    }
}

public enum BridgeKind: String, Codable, Sendable { case linux, ovs }

public struct Bridge: Codable, Sendable, Equatable {
    public var name: String
    public var ifname: String
    public var kind: BridgeKind
    public var ports: [LinkRef]
    public var stp: Bool
    public var mtu: Int?
    /// Host names it is built on; nil = every host (or every node of the topology's node_selector).
    public var hosts: [String]?
    public var managed: Bool
    /// Node addressing taken over from a port NIC, per host (host nil = every node).
    public var nodeAddresses: [BridgeNodeAddress]
    public init(name: String, ifname: String, kind: BridgeKind, ports: [LinkRef], stp: Bool, mtu: Int?,
                hosts: [String]?, managed: Bool, nodeAddresses: [BridgeNodeAddress]) {
        self.name = name; self.ifname = ifname; self.kind = kind; self.ports = ports; self.stp = stp
        self.mtu = mtu; self.hosts = hosts; self.managed = managed; self.nodeAddresses = nodeAddresses
    }
}

public struct BridgeNodeAddress: Codable, Sendable, Equatable {
    public var host: String?
    /// The port NIC whose addressing moves onto the bridge (its MAC is copied for DHCP).
    public var fromNic: String
    public var fromIfname: String
    public var address: IfAddr?
    public var dhcp: Bool
    public var gateway: IPAddress?
    public var dns: [IPAddress]
    public init(host: String?, fromNic: String, fromIfname: String, address: IfAddr?, dhcp: Bool,
                gateway: IPAddress?, dns: [IPAddress]) {
        self.host = host; self.fromNic = fromNic; self.fromIfname = fromIfname; self.address = address
        self.dhcp = dhcp; self.gateway = gateway; self.dns = dns
    }
}

public enum Attachment: Codable, Sendable, Equatable {
    /// Linux bridge (bridge CNI); `ifname` is the bridge's interface name on the node.
    case bridge(name: String, ifname: String)
    case ovs(name: String, ifname: String)
    /// Lowered to KubeVirt's macvtap binding on this node link.
    case macvlan(LinkRef)
    /// SR-IOV device-plugin resource name.
    case sriov(resource: String)
    /// OVN-Kubernetes layer2 overlay; `ovnName` is the cluster-wide network name of its NAD.
    case layer2(ovnName: String)
    /// OVN-Kubernetes localnet on OVS bridge `bridge` (its name), through bridge mapping `physnet`.
    case localnet(ovnName: String, bridge: String, physnet: String)
}


public struct Route: Codable, Sendable, Equatable {
    public var to: CIDR
    public var via: IPAddress
    public init(to: CIDR, via: IPAddress) { self.to = to; self.via = via }
}

public struct Network: Codable, Sendable, Equatable {
    public var name: String
    public var attachment: Attachment
    public var vlan: Int?
    public var subnet: CIDR?
    public var gateway: IPAddress?
    public var dns: [IPAddress]
    public var search: [String]
    public var mtu: Int?
    /// `pool` as an inclusive interval, when given.
    public var poolFirst: IPAddress?
    public var poolLast: IPAddress?
    public var routes: [Route]
    public var ipam: IPAMMode
    /// `nad = "…"`: an existing NAD ("name" or "ns/name"); nothing is emitted for this network.
    public var existingNAD: String?
    /// The NAD generated for the whole network (ipam none/whereabouts/dhcp, no existingNAD); nil otherwise.
    public var nadName: String?
    /// OVN IPAM: `allowPersistentIPs` (VM addresses survive restarts and migrations).
    public var persistentIPs: Bool = false
    /// Dual-stack: the IPv6 subnet, gateway and pool (`subnet`, `gateway`, `pool…` are the IPv4 ones).
    public var subnet6: CIDR? = nil
    public var gateway6: IPAddress? = nil
    public var pool6First: IPAddress? = nil
    public var pool6Last: IPAddress? = nil
    /// OVN IPAM: `exclude`, ranges OVN must not hand out (before the implied gateway/DNS/route vias).
    public var exclude: [CIDR] = []
    public init(name: String, attachment: Attachment, vlan: Int? = nil, subnet: CIDR? = nil, gateway: IPAddress? = nil,
                dns: [IPAddress] = [], search: [String] = [], mtu: Int? = nil, poolFirst: IPAddress? = nil,
                poolLast: IPAddress? = nil, routes: [Route] = [], ipam: IPAMMode = .none, existingNAD: String? = nil,
                nadName: String? = nil) {
        self.name = name; self.attachment = attachment; self.vlan = vlan; self.subnet = subnet; self.gateway = gateway
        self.dns = dns; self.search = search; self.mtu = mtu; self.poolFirst = poolFirst; self.poolLast = poolLast
        self.routes = routes; self.ipam = ipam; self.existingNAD = existingNAD; self.nadName = nadName
    }
}

public struct User: Codable, Sendable, Equatable {
    public var name: String
    public var passwordHash: String?
    public var sshKeys: [String]
    public var sudo: String?
    public var shell: String?
    public var groups: [String]
    public init(name: String, passwordHash: String? = nil, sshKeys: [String] = [], sudo: String? = nil,
                shell: String? = nil, groups: [String] = []) {
        self.name = name; self.passwordHash = passwordHash; self.sshKeys = sshKeys; self.sudo = sudo
        self.shell = shell; self.groups = groups
    }
}

public enum NicAddress: Codable, Sendable, Equatable {
    /// DHCP in the guest (`dhcp4: true`).
    case dhcp
    /// Static address with the subnet's prefix.
    case `static`(IfAddr)
}

public struct VMNic: Codable, Sendable, Equatable {
    public var name: String
    /// Network name; nil for the pod network.
    public var network: String?
    public var binding: NicBinding
    public var mac: MACAddress
    public var address: NicAddress
    public var ifname: String?
    /// The NIC's `metric` as written; nil when not written (a declared default route then uses 50).
    public var metric: Int?
    /// This NIC carries the VM's default route (resolved by the rule of §5.6).
    public var defaultRoute: Bool
    /// Multus `networkName` (`<namespace>/<nad>`), nil on the pod NIC.
    public var networkName: String?
    /// For ipam static/host-local: the per-NIC NAD this NIC owns (`<vm>-<network>-nad`).
    public var ownNAD: String?
    /// `model` (interfaces[].model); nil = KubeVirt's default (virtio).
    public var model: NicModel? = nil
    /// Dual-stack: the static address of the second family (IPv6; `address` is then the IPv4 one).
    public var address6: IfAddr? = nil
    public init(name: String, network: String?, binding: NicBinding, mac: MACAddress, address: NicAddress,
                ifname: String? = nil, metric: Int? = nil, defaultRoute: Bool = false, networkName: String? = nil,
                ownNAD: String? = nil) {
        self.name = name; self.network = network; self.binding = binding; self.mac = mac; self.address = address
        self.ifname = ifname; self.metric = metric; self.defaultRoute = defaultRoute; self.networkName = networkName
        self.ownNAD = ownNAD
    }
}

/// A VM's disk (docs/vm-reference.md), with its boot flag resolved.
public struct VMDisk: Codable, Sendable, Equatable {
    public var name: String
    public var source: DiskSourceKind
    /// The image reference, URL, DataSource (`name` or `namespace/name`) or claim; nil for an empty disk.
    public var reference: String?
    public var size: Quantity?
    public var storageClass: String?
    public var access: DiskAccess?
    public var volumeMode: DiskVolumeMode?
    public var bus: DiskBus
    /// The VM boots from this disk (`bootOrder: 1`).
    public var boot: Bool
    /// `<vm>-<disk>`; nil for an existing claim, which has no DataVolume.
    public var dataVolume: String?
    public init(name: String, source: DiskSourceKind, reference: String? = nil, size: Quantity? = nil,
                storageClass: String? = nil, access: DiskAccess? = nil, volumeMode: DiskVolumeMode? = nil,
                bus: DiskBus = .virtio, boot: Bool = false, dataVolume: String? = nil) {
        self.name = name; self.source = source; self.reference = reference; self.size = size
        self.storageClass = storageClass; self.access = access; self.volumeMode = volumeMode; self.bus = bus
        self.boot = boot; self.dataVolume = dataVolume
    }
}

/// One entry of `spec.template.spec.tolerations`.
public struct Toleration: Codable, Sendable, Equatable {
    public var key: String?
    public var `operator`: TolerationOperator?
    public var value: String?
    public var effect: TaintEffect?
    public var seconds: Int?
    public init(key: String? = nil, operator: TolerationOperator? = nil, value: String? = nil, effect: TaintEffect? = nil,
                seconds: Int? = nil) {
        self.key = key; self.operator = `operator`; self.value = value; self.effect = effect; self.seconds = seconds
    }
}

/// Pod anti-affinity among the VMs of one group (label `wukong.dev/spread: <group>`).
public struct Spread: Codable, Sendable, Equatable {
    public var mode: SpreadMode
    public var group: String
    public init(mode: SpreadMode, group: String) { self.mode = mode; self.group = group }
}

/// An instance type or preference a VM refers to (`namespaced`: the namespaced kind).
public struct ClusterTypeRef: Codable, Sendable, Equatable {
    public var name: String
    public var namespaced: Bool
    public init(name: String, namespaced: Bool = false) { self.name = name; self.namespaced = namespaced }
}

public struct VM: Codable, Sendable, Equatable {
    public var name: String
    /// nil with an instance type, which sets the CPUs.
    public var cpu: Int?
    /// nil with an instance type, which sets the memory.
    public var memory: Quantity?
    /// The containerDisk image reference; nil when the VM boots from a disk.
    public var image: String?
    public var instancetype: ClusterTypeRef? = nil
    public var preference: ClusterTypeRef? = nil
    public var disks: [VMDisk] = []
    /// How the guest applies networkData (the image record's `network_config`).
    public var networkConfig: NetworkConfigMode = .cloudInit
    /// KubeVirt `evictionStrategy` (`eviction`, or `None` for a VM that cannot live-migrate); nil = the cluster's default.
    public var evictionStrategy: String? = nil
    /// `kubevirt { }` settings, checked against the schema, merged last (docs/vm-reference.md);
    /// nil without the block (so the IR JSON of other VMs does not change).
    public var kubevirt: [KubevirtSetting]? = nil
    /// Pinned host (its `kubernetes.io/hostname`), when `host =` is set.
    public var pinnedHostname: String?
    /// When not pinned but its bridges exist only on some hosts: the hostnames that have all of them.
    public var affinityHostnames: [String]?
    public var running: Bool
    /// `run_strategy` when written (else `running` decides Always/Halted).
    public var runStrategy: RunStrategy? = nil
    /// The VM's own `node_selector`, merged after the topology's (checked not to conflict); nil = none.
    public var nodeSelector: [KeyValue]? = nil
    /// `firmware` as written; nil = KubeVirt's default (BIOS, nothing emitted).
    public var firmware: FirmwareKind? = nil
    /// `spread` and its group (`spread_group`, else `defaultSpreadGroup`); nil = no spreading.
    public var spread: Spread? = nil
    /// `tolerations`, in source order; nil = none.
    public var tolerations: [Toleration]? = nil
    public var labels: [KeyValue]
    public var run: [String]
    /// Extra `#cloud-config` YAML text (already checked), merged into userData.
    public var cloudConfig: String?
    public var users: [User]
    public var nics: [VMNic]
    /// Derived: the cloud-init Secret (`<vm>-cloudinit`) and the firmware UUID.
    public var secretName: String
    public var firmwareUUID: String
    public init(name: String, cpu: Int?, memory: Quantity?, image: String?, pinnedHostname: String? = nil,
                affinityHostnames: [String]? = nil, running: Bool = true, labels: [KeyValue] = [], run: [String] = [],
                cloudConfig: String? = nil, users: [User] = [], nics: [VMNic] = [], secretName: String, firmwareUUID: String) {
        self.name = name; self.cpu = cpu; self.memory = memory; self.image = image; self.pinnedHostname = pinnedHostname
        self.affinityHostnames = affinityHostnames; self.running = running; self.labels = labels; self.run = run
        self.cloudConfig = cloudConfig; self.users = users; self.nics = nics; self.secretName = secretName
        self.firmwareUUID = firmwareUUID
    }
}

/// What one NodeNetworkConfigurationPolicy holds.
public struct NodePolicy: Codable, Sendable, Equatable {
    public var name: String
    /// Per-host policy: that host's name (selector `kubernetes.io/hostname: <hostname>`); nil = topology's node_selector.
    public var host: String?
    public var nodeSelector: [KeyValue]
    /// The interfaces it configures, in this order: bonds, VLANs, NICs (released or listed for their mtu), bridges —
    /// each in source order (nmstate resolves dependencies itself).
    public var interfaces: [PolicyInterface]
    /// `ovn.bridge-mappings` for the localnet networks on its OVS bridges (or, with no interfaces,
    /// on an unmanaged bridge such as `br-ex`).
    public var bridgeMappings: [BridgeMapping] = []
    public init(name: String, host: String?, nodeSelector: [KeyValue], interfaces: [PolicyInterface]) {
        self.name = name; self.host = host; self.nodeSelector = nodeSelector; self.interfaces = interfaces
    }
}

/// One OVN bridge mapping: physical network `localnet` on the OVS bridge named `bridge` (its ifname).
public struct BridgeMapping: Codable, Sendable, Equatable {
    public var localnet: String
    public var bridge: String
    public init(localnet: String, bridge: String) { self.localnet = localnet; self.bridge = bridge }
}

public enum PolicyInterface: Codable, Sendable, Equatable {
    case bond(String)
    case vlan(String)
    /// A port NIC whose node address moved to a bridge (listed with IPv4 disabled).
    case releasedNic(String)
    /// A node NIC listed for its `mtu` (LANGUAGE.md §7 v2): IPv4 disabled when it is a bridge or bond
    /// port, else with its own node addressing (address or DHCP, default route and DNS).
    case nic(String)
    case bridge(String)
}

// MARK: - JSON shapes of the enums (the `--emit ir` contract)
// Enums with payloads encode as small, readable objects instead of Swift's default `_0` keys:
//   Attachment       {"bridge": {"name", "ifname"}} | {"ovs": {…}} | {"macvlan": {"kind","name","ifname"}} | {"sriov": {"resource"}}
//                    | {"layer2": {"ovnName"}} | {"localnet": {"ovnName","bridge","physnet"}}
//   NicAddress       "dhcp" | "10.0.0.5/24"
//   PolicyInterface  {"kind": "bond|vlan|releasedNic|nic|bridge", "name": "…"}

extension Attachment {
    private enum Key: String, CodingKey { case bridge, ovs, macvlan, sriov, layer2, localnet }
    private struct Localnet: Codable { var ovnName: String; var bridge: String; var physnet: String }
    private struct OVN: Codable { var ovnName: String }
    private struct Named: Codable { var name: String; var ifname: String }
    private struct Resource: Codable { var resource: String }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .bridge(let name, let ifname): try c.encode(Named(name: name, ifname: ifname), forKey: .bridge)
        case .ovs(let name, let ifname): try c.encode(Named(name: name, ifname: ifname), forKey: .ovs)
        case .macvlan(let link): try c.encode(link, forKey: .macvlan)
        case .sriov(let resource): try c.encode(Resource(resource: resource), forKey: .sriov)
        case .layer2(let ovnName): try c.encode(OVN(ovnName: ovnName), forKey: .layer2)
        case .localnet(let ovnName, let bridge, let physnet):
            try c.encode(Localnet(ovnName: ovnName, bridge: bridge, physnet: physnet), forKey: .localnet)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let n = try c.decodeIfPresent(Named.self, forKey: .bridge) { self = .bridge(name: n.name, ifname: n.ifname) }
        else if let n = try c.decodeIfPresent(Named.self, forKey: .ovs) { self = .ovs(name: n.name, ifname: n.ifname) }
        else if let l = try c.decodeIfPresent(LinkRef.self, forKey: .macvlan) { self = .macvlan(l) }
        else if let r = try c.decodeIfPresent(Resource.self, forKey: .sriov) { self = .sriov(resource: r.resource) }
        else if let o = try c.decodeIfPresent(OVN.self, forKey: .layer2) { self = .layer2(ovnName: o.ovnName) }
        else if let l = try c.decodeIfPresent(Localnet.self, forKey: .localnet) {
            self = .localnet(ovnName: l.ovnName, bridge: l.bridge, physnet: l.physnet)
        }
        else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown attachment")) }
    }
}

extension NicAddress {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .dhcp: try c.encode("dhcp")
        case .static(let a): try c.encode(a)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        if s == "dhcp" { self = .dhcp; return }
        guard let a = IfAddr(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad address \(s)"))
        }
        self = .static(a)
    }
}

extension PolicyInterface {
    private enum Key: String, CodingKey { case kind, name }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .bond(let n): try c.encode("bond", forKey: .kind); try c.encode(n, forKey: .name)
        case .vlan(let n): try c.encode("vlan", forKey: .kind); try c.encode(n, forKey: .name)
        case .releasedNic(let n): try c.encode("releasedNic", forKey: .kind); try c.encode(n, forKey: .name)
        case .nic(let n): try c.encode("nic", forKey: .kind); try c.encode(n, forKey: .name)
        case .bridge(let n): try c.encode("bridge", forKey: .kind); try c.encode(n, forKey: .name)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let name = try c.decode(String.self, forKey: .name)
        switch try c.decode(String.self, forKey: .kind) {
        case "bond": self = .bond(name)
        case "vlan": self = .vlan(name)
        case "releasedNic": self = .releasedNic(name)
        case "nic": self = .nic(name)
        case "bridge": self = .bridge(name)
        case let k: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown interface kind \(k)"))
        }
    }
}

extension Attachment {
    /// The OVN network name and topology (`layer2`/`localnet`) of an OVN-Kubernetes network; nil otherwise.
    public var ovn: (name: String, topology: String)? {
        switch self {
        case .layer2(let n): return (n, "layer2")
        case .localnet(let n, _, _): return (n, "localnet")
        default: return nil
        }
    }
}
