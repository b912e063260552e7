import Foundation

// `wukongc import` (docs/import.md): Kubernetes YAML in, a `.wk` topology out. Reading
// (Reader.swift) fills this model; Writer.swift prints it as Wukong text. Nothing here
// compiles: the driver (WukongCompiler) checks the text and settles the MACs.

/// One input file: its path as shown to the user and its text.
public struct ImportInput: Sendable {
    public var path: String
    public var text: String
    public init(path: String, text: String) { self.path = path; self.text = text }
}

/// What the import could not carry into the language: shown as a comment at the top of the
/// output and in the report.
public struct ImportNote: Sendable, Equatable, CustomStringConvertible {
    /// The object it concerns, `Kind/namespace/name`.
    public var object: String
    public var message: String
    /// A fault of the imported configuration that the language fixes or cannot express (the
    /// Wukong operator's macvlan under the bridge binding, NICs keyed on kernel names), rather
    /// than something left out.
    public var isFault: Bool
    public init(object: String, message: String, isFault: Bool = false) {
        self.object = object; self.message = message; self.isFault = isFault
    }
    public var description: String { "\(object): \(message)" }
}

/// The topology as read from the objects, in the language's terms.
public struct ImportModel: Sendable {
    public var name: String
    public var namespace: String?
    public var createNamespace = false
    public var clusterCIDRs: [String] = []
    /// `dual_stack = true`: the pod NIC has its static IPv6 (masquerade's `fd10:0:2::2`).
    public var dualStack = false
    /// `ovn_networks = "cudn"`: OVN networks came as ClusterUserDefinedNetworks.
    public var ovnNetworksCUDN = false
    /// The topology's `node_selector` (from the policies that are not per host).
    public var nodeSelector: [(String, String)]?
    /// Node NICs (ports of bridges, links of macvlan networks), in first-use order.
    public var nics: [String] = []
    public var bridges: [Bridge] = []
    public var networks: [Network] = []
    public var vms: [VM] = []
    public var notes: [ImportNote] = []
    /// Whether any VM uses `std.images` / `std.sizes` (the imports to write).
    public var usesImages: Bool {
        vms.contains { $0.image.hasPrefix("images.") || $0.disks.contains { $0.attrs.contains { $0.0 == "image" && $0.1.hasPrefix("images.") } } }
    }
    public var usesSizes: Bool { vms.contains { $0.size != nil } }

    public var hosts: [Host] = []
    /// Labels every object carries besides the compiler's own: the topology's `labels`.
    public var labels: [(String, String)] = []

    /// A node that policies target by `kubernetes.io/hostname` (LANGUAGE.md §5.4 `host`).
    public struct Host: Sendable {
        public var name: String
        public var hostname: String
        public var nics: [HostNic] = []
    }

    public struct HostNic: Sendable {
        public var name: String
        public var address: String?
        public var dhcp = false
        public var gateway: String?
        public var dns: [String] = []
        public var mtu: Int?
    }

    public var bonds: [Bond] = []
    public var vlans: [Vlan] = []
    public var nicMTUs: [String: Int] = [:]

    public struct Bridge: Sendable {
        public var name: String
        public var ports: [String]
        public var managed = true
        public var mtu: Int? = nil
        public var stp = false
        /// `ovs-bridge` rather than `bridge`.
        public var ovs = false
        /// Hosts whose policies build it (empty: a policy without a node selector, every node).
        public var hosts: [String] = []
        public var everyNode = false
    }

    public struct Bond: Sendable {
        public var name: String
        public var ports: [String]
        public var mode: String?
        public var mtu: Int?
    }

    public struct Vlan: Sendable {
        public var name: String
        public var base: String
        public var id: Int
        public var ifname: String?
        public var mtu: Int?
    }

    public struct Network: Sendable {
        public var name: String
        /// `bridge = x`, `macvlan = x` or `sriov = "x"` (already a Wukong value).
        public var attachment: (key: String, value: String)
        public var vlan: Int?
        public var mtu: Int?
        public var subnet: String?
        public var gateway: String?
        /// The IPv6 family of a dual-stack network (LANGUAGE.md: `subnet = [v4, "v6"]`).
        public var subnet6: String?
        public var gateway6: String?
        public var pool: String?
        /// `ipam = "…"` when not none.
        public var ipam: String?
        public var dns: [String] = []
        public var search: [String] = []
        /// Other attributes as Wukong text (`physnet`, `ovn_name`, `persistent_ips`).
        public var extra: [(String, String)] = []
        /// Route records as Wukong text, `{ to = …, via = … }`.
        public var routes: [String] = []
    }

    public struct User: Sendable {
        public var name: String
        public var passwordHash: String?
        public var sshKeys: [String] = []
        public var sudo: String?
        public var shell: String?
        public var groups: [String] = []
    }

    public struct Nic: Sendable {
        public var name: String
        /// Network name, or nil for the pod network.
        public var network: String?
        public var address: String?
        public var address6: String?
        public var mac: String?
        public var ifname: String?
        public var model: String?
        public var binding: String?
        public var metric: Int?
        public var defaultRoute = false
    }

    public struct VM: Sendable {
        public var name: String
        public var cpu: Int?
        public var memory: String?
        /// `sizes.NAME` when cpu and memory match a `std.sizes` record.
        public var size: String?
        /// A Wukong expression: `images.NAME` or a quoted reference.
        public var image: String = ""
        public var running: Bool = true
        public var runStrategy: String?
        public var eviction: String?
        public var labels: [(String, String)] = []
        public var users: [User] = []
        public var run: [String] = []
        public var cloudConfig: String?
        public var nics: [Nic] = []
        /// `kubevirt { }` settings: dotted path → Wukong value text.
        public var kubevirt: [(String, String)] = []
        public var host: String?
        /// The input's `firmware.uuid`: the compiler derives its own, the driver notes a difference.
        public var firmwareUUID: String?
        public var disks: [Disk] = []
        /// Attributes written as they are (`instancetype`, `spread`, `tolerations`, …): name, Wukong text.
        public var extra: [(String, String)] = []
    }

    /// `disk NAME { … }` (docs/vm-reference.md): attributes as Wukong text, in writing order.
    public struct Disk: Sendable {
        public var name: String
        public var attrs: [(String, String)] = []
    }
}

/// The result of an import: the formatted `.wk` text and the notes written at its top.
public struct ImportResult: Sendable {
    public var text: String
    public var notes: [ImportNote]
    public var model: ImportModel
}
