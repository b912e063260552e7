import WukongDiagnostics
import WukongNet
import WukongSyntax

// The checked program: the output of evaluation (names resolved, `let`/`fn`/`for`/`if`/`...`
// expanded, every attribute type-checked against its block's schema), the input of the
// topology checks (`TopologyChecks`) and of lowering to IR. Every value keeps the span of the
// expression that produced it, so later checks point at the exact attribute.
//
// No cascades: a reference that failed to resolve was reported by evaluation and is `nil` here
// with `poisoned` set on its owner; checks skip whatever depends on it.

/// A value with the span of the expression it came from.
public struct Located<T: Sendable>: Sendable {
    public var value: T
    public var span: Span
    public init(_ value: T, _ span: Span) { self.value = value; self.span = span }
}

extension Located: Equatable where T: Equatable {}

public struct CheckedProgram: Sendable {
    /// The topology's name (from `topology NAME`, else the file or directory name); the span is
    /// the name in the `topology` declaration, else line 1 of the first file.
    public var topologyName: Located<String>
    /// Whether the name was written (`topology NAME`), not taken from the file or directory.
    public var topologyNameDeclared = false
    /// Span of the `topology` declaration, if any.
    public var topologySpan: Span?
    public var namespace: Located<String>?
    public var createNamespace: Located<Bool>?
    public var labels: [LabelEntry]
    public var nodeSelector: [LabelEntry]
    public var macPrefix: Located<String>?
    /// `cluster_cidrs`: the cluster's Service and pod CIDRs, reached through a VM's pod NIC.
    public var clusterCIDRs: [Located<CIDR>] = []
    /// `dual_stack`: the cluster is dual-stack (the masquerade pod NIC has IPv6 too).
    public var dualStack: Located<Bool>? = nil
    /// `ovn_networks`: OVN networks as NADs (default) or ClusterUserDefinedNetworks.
    public var ovnNetworks: Located<String>?

    public var hosts: [HostDecl] = []
    /// Node NICs: top-level ones (host nil) and those declared inside hosts, in source order.
    public var nics: [NodeNicDecl] = []
    public var vlans: [VlanDecl] = []
    public var bonds: [BondDecl] = []
    public var bridges: [BridgeDecl] = []
    public var networks: [NetworkDecl] = []
    public var vms: [VMDecl] = []

    public init(topologyName: Located<String>, topologySpan: Span? = nil, namespace: Located<String>? = nil,
                createNamespace: Located<Bool>? = nil, labels: [LabelEntry] = [], nodeSelector: [LabelEntry] = [],
                macPrefix: Located<String>? = nil) {
        self.topologyName = topologyName; self.topologySpan = topologySpan; self.namespace = namespace
        self.createNamespace = createNamespace; self.labels = labels; self.nodeSelector = nodeSelector
        self.macPrefix = macPrefix
    }
}

public struct LabelEntry: Sendable, Equatable {
    public var key: Located<String>
    public var value: Located<String>
    public init(key: Located<String>, value: Located<String>) { self.key = key; self.value = value }
}

/// A resource's name and where it was declared.
public struct DeclInfo: Sendable, Equatable {
    public var name: String
    /// The name in the declaration (or the interpolated string that produced it).
    public var nameSpan: Span
    /// The whole declaration.
    public var span: Span
    public init(name: String, nameSpan: Span, span: Span) { self.name = name; self.nameSpan = nameSpan; self.span = span }
}

public struct HostDecl: Sendable {
    public var decl: DeclInfo
    public var hostname: Located<String>?
    public init(decl: DeclInfo, hostname: Located<String>? = nil) { self.decl = decl; self.hostname = hostname }
}

public struct NodeNicDecl: Sendable {
    public var decl: DeclInfo
    /// The host this declaration sits in; nil for a top-level `nic` (every host).
    public var host: String?
    public var address: Located<IfAddr>?
    public var dhcp: Located<Bool>?
    public var gateway: Located<IPAddress>?
    public var dns: [Located<IPAddress>]
    public var mtu: Located<Int>?
    public init(decl: DeclInfo, host: String?, address: Located<IfAddr>? = nil, dhcp: Located<Bool>? = nil,
                gateway: Located<IPAddress>? = nil, dns: [Located<IPAddress>] = [], mtu: Located<Int>? = nil) {
        self.decl = decl; self.host = host; self.address = address; self.dhcp = dhcp; self.gateway = gateway
        self.dns = dns; self.mtu = mtu
    }
}

public enum LinkDeclKind: String, Sendable { case nic, vlan, bond }

/// A use of a Link (`ports = [ens192]`, `vlan x on ens160`, `macvlan = ens160`).
public struct LinkUse: Sendable, Equatable {
    public var kind: LinkDeclKind
    public var name: String
    public var span: Span
    public init(kind: LinkDeclKind, name: String, span: Span) { self.kind = kind; self.name = name; self.span = span }
}

public struct VlanDecl: Sendable {
    public var decl: DeclInfo
    /// nil when the base did not resolve (reported; see `poisoned`).
    public var base: LinkUse?
    public var id: Located<Int>?
    public var ifname: Located<String>?
    public var mtu: Located<Int>?
    public var poisoned: Bool
    public init(decl: DeclInfo, base: LinkUse?, id: Located<Int>? = nil, ifname: Located<String>? = nil,
                mtu: Located<Int>? = nil, poisoned: Bool = false) {
        self.decl = decl; self.base = base; self.id = id; self.ifname = ifname; self.mtu = mtu; self.poisoned = poisoned
    }
}

public struct BondDecl: Sendable {
    public var decl: DeclInfo
    public var ports: [LinkUse]
    public var portsSpan: Span?
    /// Already checked against the allowed set.
    public var mode: Located<String>?
    public var ifname: Located<String>?
    public var mtu: Located<Int>?
    public var poisoned: Bool
    public init(decl: DeclInfo, ports: [LinkUse] = [], portsSpan: Span? = nil, mode: Located<String>? = nil,
                ifname: Located<String>? = nil, mtu: Located<Int>? = nil, poisoned: Bool = false) {
        self.decl = decl; self.ports = ports; self.portsSpan = portsSpan; self.mode = mode; self.ifname = ifname
        self.mtu = mtu; self.poisoned = poisoned
    }
}

public enum BridgeDeclKind: String, Sendable { case linux, ovs }

public struct BridgeDecl: Sendable {
    public var decl: DeclInfo
    public var kind: BridgeDeclKind
    public var ports: [LinkUse]
    public var portsSpan: Span?
    public var stp: Located<Bool>?
    public var mtu: Located<Int>?
    /// `hosts = [...]` (host names, resolved); nil when absent.
    public var hosts: [Located<String>]?
    public var managed: Located<Bool>?
    public var ifname: Located<String>?
    public var poisoned: Bool
    public init(decl: DeclInfo, kind: BridgeDeclKind, ports: [LinkUse] = [], portsSpan: Span? = nil,
                stp: Located<Bool>? = nil, mtu: Located<Int>? = nil, hosts: [Located<String>]? = nil,
                managed: Located<Bool>? = nil, ifname: Located<String>? = nil, poisoned: Bool = false) {
        self.decl = decl; self.kind = kind; self.ports = ports; self.portsSpan = portsSpan; self.stp = stp
        self.mtu = mtu; self.hosts = hosts; self.managed = managed; self.ifname = ifname; self.poisoned = poisoned
    }
}

/// One written attachment attribute of a network.
public enum AttachmentUse: Sendable, Equatable {
    case bridge(name: String)
    case ovs(name: String)
    case macvlan(LinkUse)
    case sriov(resource: String)
    /// `overlay = "layer2"`: an OVN-Kubernetes layer2 overlay (no node configuration).
    case layer2
    /// `localnet = <ovs-bridge>`: an OVN-Kubernetes localnet network on that bridge's bridge mapping.
    case localnet(bridge: String)
}

extension AttachmentUse {
    /// The KubeVirt binding of the VM NICs on a network attached this way (LANGUAGE.md §7).
    public var binding: NicBinding {
        switch self {
        case .bridge, .ovs, .layer2, .localnet: return .bridge
        case .macvlan: return .macvtap
        case .sriov: return .sriov
        }
    }
}

public struct RouteDecl: Sendable, Equatable {
    public var to: Located<CIDR>
    public var via: Located<IPAddress>
    public var span: Span
    public init(to: Located<CIDR>, via: Located<IPAddress>, span: Span) { self.to = to; self.via = via; self.span = span }
}

public struct NetworkDecl: Sendable {
    public var decl: DeclInfo
    /// Every attachment attribute written (bridge/ovs/macvlan/sriov), resolved; N-ATTACH wants exactly one.
    public var attachments: [Located<AttachmentUse>]
    public var vlan: Located<Int>?
    public var subnet: Located<CIDR>?
    public var gateway: Located<IPAddress>?
    public var dns: [Located<IPAddress>]
    public var search: [Located<String>]
    public var mtu: Located<Int>?
    /// `pool = a ..= b` (inclusive bounds) or `a .. b` (converted to inclusive).
    public var pool: Located<ClosedInterval>?
    public var routes: [RouteDecl]
    /// Already checked against none|static|host-local|whereabouts|dhcp.
    public var ipam: Located<String>?
    public var nad: Located<String>?
    /// `ovn_name`: the OVN network's cluster-wide name (OVN networks only).
    public var ovnName: Located<String>?
    /// `persistent_ips` (OVN IPAM only; default true there).
    public var persistentIPs: Located<Bool>?
    /// `physnet`: the bridge-mapping (`localnet`) name of a localnet network (default: the bridge's name).
    public var physnet: Located<String>?
    /// `exclude`: ranges OVN's IPAM must not hand out (`excludeSubnets`).
    public var exclude: [Located<CIDR>] = []
    /// An attachment failed to resolve (reported): skip attachment-dependent checks.
    public var poisoned: Bool
    /// Dual-stack (docs/networks-reference.md): the IPv6 subnet, gateway and pool of a network
    /// whose `subnet` lists an IPv4 and an IPv6 CIDR; `subnet`, `gateway`, `pool` are then the IPv4 ones.
    public var subnet6: Located<CIDR>? = nil
    public var gateway6: Located<IPAddress>? = nil
    public var pool6: Located<ClosedInterval>? = nil
    /// Values of a per-family list with no place (a second value of a family, or one of a
    /// family the network has no subnet of): NetworkChecks reports them.
    public var familyExtras: [FamilyExtra] = []
    public init(decl: DeclInfo, attachments: [Located<AttachmentUse>] = [], vlan: Located<Int>? = nil,
                subnet: Located<CIDR>? = nil, gateway: Located<IPAddress>? = nil, dns: [Located<IPAddress>] = [],
                search: [Located<String>] = [], mtu: Located<Int>? = nil, pool: Located<ClosedInterval>? = nil,
                routes: [RouteDecl] = [], ipam: Located<String>? = nil, nad: Located<String>? = nil, poisoned: Bool = false) {
        self.decl = decl; self.attachments = attachments; self.vlan = vlan; self.subnet = subnet; self.gateway = gateway
        self.dns = dns; self.search = search; self.mtu = mtu; self.pool = pool; self.routes = routes; self.ipam = ipam
        self.nad = nad; self.poisoned = poisoned
    }
}

/// A value of a per-family list (`subnet = [a, b]`, a NIC's `address = [a, b]`) that has no place.
public struct FamilyExtra: Sendable, Equatable {
    /// The attribute it was written in (`subnet`, `gateway`, `pool`, `address`).
    public var attribute: String
    public var text: String
    public var isV6: Bool
    public var span: Span
    /// The earlier value of the same family; nil when the network has no subnet of that family.
    public var first: Span?
    public init(attribute: String, text: String, isV6: Bool, span: Span, first: Span?) {
        self.attribute = attribute; self.text = text; self.isV6 = isV6; self.span = span; self.first = first
    }
}

/// Splits a per-family list into the value of the first family, the value of the other family
/// and the rest. `primaryIsV6`: the family the first place takes (nil: IPv4 if any is, else the
/// first value's); `allowSecond`: whether the other family has a place (a dual-stack network).
public func splitFamilies<T>(_ xs: [Located<T>], isV6: (T) -> Bool, primaryIsV6: Bool?, allowSecond: Bool)
    -> (primary: Located<T>?, secondary: Located<T>?, extras: [(Located<T>, first: Span?)]) {
    let want = primaryIsV6 ?? (xs.contains { !isV6($0.value) } ? false : (xs.first.map { isV6($0.value) } ?? false))
    var primary: Located<T>? = nil, secondary: Located<T>? = nil
    var extras: [(Located<T>, first: Span?)] = []
    for x in xs {
        if isV6(x.value) == want {
            if let p = primary { extras.append((x, p.span)) } else { primary = x }
        } else if allowSecond && !want {
            if let s = secondary { extras.append((x, s.span)) } else { secondary = x }
        } else {
            extras.append((x, nil))
        }
    }
    return (primary, secondary, extras)
}

/// Places a network's `gateway` or `pool` values by family, given its subnets (`subnetIsV6`: the
/// family of `subnet`; `dual`: it has an IPv6 `subnet6` too): a single value keeps today's meaning
/// whatever its family (the §6 checks report a wrong one), else each value goes to its family.
public func placeFamilies<T>(_ xs: [Located<T>], isV6: (T) -> Bool, subnetIsV6: Bool?, dual: Bool)
    -> (primary: Located<T>?, secondary: Located<T>?, extras: [(Located<T>, first: Span?)]) {
    if xs.count == 1 && !dual { return (xs[0], nil, []) }
    return splitFamilies(xs, isV6: isV6, primaryIsV6: subnetIsV6, allowSecond: dual)
}

extension NetworkDecl {
    /// Both subnets (one per family) of a dual-stack network, else the one subnet.
    public var subnets: [Located<CIDR>] { [subnet, subnet6].compactMap { $0 } }
    /// The subnet, gateway and pool of one family.
    public func family(v6: Bool) -> (subnet: Located<CIDR>, gateway: Located<IPAddress>?, pool: Located<ClosedInterval>?)? {
        if let s = subnet, s.value.isV6 == v6 { return (s, gateway, pool) }
        if let s = subnet6, s.value.isV6 == v6 { return (s, gateway6, pool6) }
        return nil
    }

    /// `ipam` as written, `none` when absent (or not one of the modes: reported).
    public var ipamMode: IPAMMode { ipam.flatMap { IPAMMode(rawValue: $0.value) } ?? .none }
}

public struct ClosedInterval: Sendable, Equatable {
    public var first: IPAddress
    public var last: IPAddress
    public init(first: IPAddress, last: IPAddress) { self.first = first; self.last = last }
}

public struct UserDecl: Sendable {
    public var decl: DeclInfo
    public var passwordHash: Located<String>?
    /// Span of a plain `password = …` attribute (V-PASS reports it).
    public var plainPassword: Span?
    public var sshKeys: [Located<String>]
    public var sudo: Located<String>?
    public var shell: Located<String>?
    public var groups: [Located<String>]
    public init(decl: DeclInfo, passwordHash: Located<String>? = nil, plainPassword: Span? = nil,
                sshKeys: [Located<String>] = [], sudo: Located<String>? = nil, shell: Located<String>? = nil,
                groups: [Located<String>] = []) {
        self.decl = decl; self.passwordHash = passwordHash; self.plainPassword = plainPassword; self.sshKeys = sshKeys
        self.sudo = sudo; self.shell = shell; self.groups = groups
    }
}

public enum NicNetworkUse: Sendable, Equatable {
    case pod
    case network(String)
}

public enum AddressSpec: Sendable, Equatable {
    /// `10.0.0.5` (prefix from the subnet)
    case ip(IPAddress)
    /// `10.0.0.5/24`
    case ifaddr(IfAddr)
    case auto
    case dhcp
}

/// A value behind one shared reference, copied on write: copying the struct that holds it costs
/// one retain whatever the value's size, and nothing is allocated while it keeps its default.
public struct Boxed<Value: Sendable & DefaultInitializable>: Sendable {
    final class Storage: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }
    var storage: Storage?
    public init() {}
    public init(_ value: Value) { storage = Storage(value) }
    public var value: Value {
        get { storage?.value ?? Value() }
        set {
            if storage != nil && isKnownUniquelyReferenced(&storage!) { storage!.value = newValue } else { storage = Storage(newValue) }
        }
    }
}

public protocol DefaultInitializable { init() }

/// A VM NIC's settings that most NICs leave out (`VMNicDecl` forwards to them).
public struct NicRareSettings: Sendable, Equatable, DefaultInitializable {
    /// `model` (virtio, e1000e), already checked against its allowed set.
    public var model: Located<NicModel>?
    /// `binding`, already checked against its allowed set (only the pod NIC may take it).
    public var binding: Located<PodBinding>?
    /// `address = [v4, v6]`: the IPv6 address (then `address` is the IPv4 one).
    public var address6: Located<AddressSpec>?
    /// Values of the `address` list with no place (a second address of one family).
    public var addressExtras: [FamilyExtra] = []
    public init() {}
    /// Derived from the fields (all of them, whatever is added later).
    public var isEmpty: Bool { self == Self() }
}

public struct VMNicDecl: Sendable {
    public var decl: DeclInfo
    /// nil when the network did not resolve (reported; `poisoned`).
    public var network: Located<NicNetworkUse>?
    public var address: Located<AddressSpec>?
    public var mac: Located<MACAddress>?
    public var ifname: Located<String>?
    public var metric: Located<Int>?
    public var defaultRoute: Located<Bool>?
    public var poisoned: Bool
    /// The settings few NICs write, behind one reference (a NIC is copied in every check).
    public var rare = Boxed<NicRareSettings>()
    public var model: Located<NicModel>? { get { rare.storage?.value.model } set { rare.value.model = newValue } }
    public var binding: Located<PodBinding>? { get { rare.storage?.value.binding } set { rare.value.binding = newValue } }
    public var address6: Located<AddressSpec>? { get { rare.storage?.value.address6 } set { rare.value.address6 = newValue } }
    public var addressExtras: [FamilyExtra] { get { rare.storage?.value.addressExtras ?? [] } set { rare.value.addressExtras = newValue } }
    public init(decl: DeclInfo, network: Located<NicNetworkUse>?, address: Located<AddressSpec>? = nil,
                mac: Located<MACAddress>? = nil, ifname: Located<String>? = nil, metric: Located<Int>? = nil,
                defaultRoute: Located<Bool>? = nil, poisoned: Bool = false) {
        self.decl = decl; self.network = network; self.address = address; self.mac = mac; self.ifname = ifname
        self.metric = metric; self.defaultRoute = defaultRoute; self.poisoned = poisoned
    }
}

/// One record of a VM's `tolerations`: its fields as written (checked by PlacementChecks).
public struct TolerationDecl: Sendable, Equatable {
    public enum FieldValue: Sendable, Equatable { case string(String), int(Int), other(type: String) }
    public struct Field: Sendable, Equatable {
        public var name: Located<String>
        public var value: Located<FieldValue>
    }
    public var span: Span
    public var fields: [Field]
    public func field(_ name: String) -> Field? { fields.first { $0.name.value == name } }
    public func string(_ name: String) -> String? {
        if case .string(let s)? = field(name)?.value.value { return s }
        return nil
    }
}

/// `disk NAME { … }` inside a `vm` (docs/vm-reference.md).
public struct DiskDecl: Sendable {
    public var decl: DeclInfo
    /// Every source attribute written (more than one is an error, V-DISK), in source order.
    public var sources: [Located<DiskSourceKind>]
    /// The value of the first source: the image reference, URL, DataSource or claim name.
    public var sourceValue: Located<String>?
    public var size: Located<Quantity>?
    public var storageClass: Located<String>?
    public var access: Located<DiskAccess>?
    public var volumeMode: Located<DiskVolumeMode>?
    public var bus: Located<DiskBus>?
    public var boot: Located<Bool>?
    /// The `network_config` of an `image` record (how a guest booted from this disk applies networkData).
    public var networkConfig: NetworkConfigMode?
    public var poisoned: Bool
    /// The source (blank when none is written).
    public var source: DiskSourceKind { sources.first?.value ?? .blank }
    public init(decl: DeclInfo, sources: [Located<DiskSourceKind>] = [], sourceValue: Located<String>? = nil,
                size: Located<Quantity>? = nil, storageClass: Located<String>? = nil, access: Located<DiskAccess>? = nil,
                volumeMode: Located<DiskVolumeMode>? = nil, bus: Located<DiskBus>? = nil, boot: Located<Bool>? = nil,
                poisoned: Bool = false) {
        self.decl = decl; self.sources = sources; self.sourceValue = sourceValue; self.size = size
        self.storageClass = storageClass; self.access = access; self.volumeMode = volumeMode; self.bus = bus
        self.boot = boot; self.poisoned = poisoned
    }
}

/// `cloud_config`: the text, and when it came from one string literal, the span of each of
/// its lines (so a YAML error on line N points at source line N).
public struct CloudConfigSource: Sendable {
    public var text: String
    public var span: Span
    public var lineSpans: [Span]?
    public init(text: String, span: Span, lineSpans: [Span]?) { self.text = text; self.span = span; self.lineSpans = lineSpans }
}

/// A VM's settings that most VMs leave out (`VMDecl` forwards to them).
public struct VMRareSettings: Sendable, Equatable, DefaultInitializable {
    /// `eviction`, already checked against its allowed set.
    public var eviction: Located<String>?
    /// `kubevirt { }` settings, checked against the KubeVirt schema (KubevirtCheck.swift).
    public var kubevirt: [KubevirtSetting] = []
    public var instancetype: Located<String>?
    public var instancetypeNamespaced: Located<Bool>?
    public var preference: Located<String>?
    public var preferenceNamespaced: Located<Bool>?
    /// Placement and lifecycle (PlacementChecks): the VM's own `node_selector`, `run_strategy`, `firmware`.
    public var nodeSelector: [LabelEntry] = []
    public var runStrategy: Located<RunStrategy>?
    public var firmware: Located<FirmwareKind>?
    public var spread: Located<SpreadMode>?
    public var tolerations: [TolerationDecl] = []
    public var spreadGroup: Located<String>?
    public init() {}
    /// Derived from the fields (all of them, whatever is added later).
    public var isEmpty: Bool { self == Self() }
}

public struct VMDecl: Sendable {
    public var decl: DeclInfo
    public var cpu: Located<Int>?
    public var memory: Located<Quantity>?
    /// The image reference (`image = "…"` or the record's `ref`), at the `image` value.
    public var image: Located<String>?
    /// The image record's `network_config`; `.cloudInit` for a plain string.
    public var networkConfig: NetworkConfigMode = .cloudInit
    /// `host = worker-1` (resolved host name)
    public var host: Located<String>?
    public var running: Located<Bool>?
    public var labels: [LabelEntry]
    public var run: [Located<String>]
    public var cloudConfig: CloudConfigSource?
    public var users: [UserDecl]
    public var nics: [VMNicDecl]
    public var disks: [DiskDecl] = []
    /// The disk the VM boots from (`bootDiskIndex`); nil when it boots from its `image`.
    public var bootDisk: Int? { bootDiskIndex(hasImage: image != nil, marked: disks.map { $0.boot?.value == true }) }
    public var poisoned: Bool
    /// The settings few VMs write, behind one reference (a VM is copied in every check and in lowering).
    public var rare = Boxed<VMRareSettings>()
    public var eviction: Located<String>? { get { rare.storage?.value.eviction } set { rare.value.eviction = newValue } }
    public var kubevirt: [KubevirtSetting] { get { rare.storage?.value.kubevirt ?? [] } set { rare.value.kubevirt = newValue } }
    public var instancetype: Located<String>? { get { rare.storage?.value.instancetype } set { rare.value.instancetype = newValue } }
    public var instancetypeNamespaced: Located<Bool>? {
        get { rare.storage?.value.instancetypeNamespaced } set { rare.value.instancetypeNamespaced = newValue }
    }
    public var preference: Located<String>? { get { rare.storage?.value.preference } set { rare.value.preference = newValue } }
    public var preferenceNamespaced: Located<Bool>? {
        get { rare.storage?.value.preferenceNamespaced } set { rare.value.preferenceNamespaced = newValue }
    }
    public var nodeSelector: [LabelEntry] { get { rare.storage?.value.nodeSelector ?? [] } set { rare.value.nodeSelector = newValue } }
    public var runStrategy: Located<RunStrategy>? { get { rare.storage?.value.runStrategy } set { rare.value.runStrategy = newValue } }
    public var firmware: Located<FirmwareKind>? { get { rare.storage?.value.firmware } set { rare.value.firmware = newValue } }
    public var spread: Located<SpreadMode>? { get { rare.storage?.value.spread } set { rare.value.spread = newValue } }
    public var tolerations: [TolerationDecl] { get { rare.storage?.value.tolerations ?? [] } set { rare.value.tolerations = newValue } }
    public var spreadGroup: Located<String>? { get { rare.storage?.value.spreadGroup } set { rare.value.spreadGroup = newValue } }
    public init(decl: DeclInfo, cpu: Located<Int>? = nil, memory: Located<Quantity>? = nil, image: Located<String>? = nil,
                host: Located<String>? = nil, running: Located<Bool>? = nil, labels: [LabelEntry] = [],
                run: [Located<String>] = [], cloudConfig: CloudConfigSource? = nil, users: [UserDecl] = [],
                nics: [VMNicDecl] = [], poisoned: Bool = false) {
        self.decl = decl; self.cpu = cpu; self.memory = memory; self.image = image; self.host = host
        self.running = running; self.labels = labels; self.run = run; self.cloudConfig = cloudConfig
        self.users = users; self.nics = nics; self.poisoned = poisoned
    }
}

// MARK: - OVN-Kubernetes networks (docs/networks-reference.md)

extension NetworkDecl {
    /// The cluster-wide OVN network name of an OVN network's NAD: `ovn_name`, else
    /// `<namespace>.<network>` (the namespace is a DNS label, so the `.` is unambiguous).
    public func ovnNetworkName(namespace: String) -> String { ovnName?.value ?? "\(namespace).\(decl.name)" }
    /// A localnet network's bridge-mapping (`localnet`) name: `physnet`, else the bridge's name.
    public func localnetPhysnet(bridge: String) -> String { physnet?.value ?? bridge }
    /// The ClusterUserDefinedNetwork of an OVN network under `ovn_networks = "cudn"`: cluster-scoped,
    /// so named after the topology too (like NNCPs); VMs reference `<namespace>/<this>`.
    public func cudnName(topology: String) -> String { "\(topology)-\(decl.name)" }
}

extension CheckedProgram {
    /// `ovn_networks`, default `nad` (an invalid value was reported and reads as the default).
    public var ovnOutput: OVNNetworksOutput { ovnNetworks.flatMap { OVNNetworksOutput(rawValue: $0.value) } ?? .nad }
}

extension AttachmentUse {
    /// An OVN-Kubernetes secondary network (layer2 overlay or localnet).
    public var isOVN: Bool {
        switch self {
        case .layer2, .localnet: return true
        default: return false
        }
    }
}
