// WukongGraph: the topology as a picture (`wukongc graph`; `check --graph` marks diagnostics on it,
// Findings.swift). Built from the IR, so it shows what `build` emits: node-side interfaces per host,
// networks, VMs with their NICs and addresses. The graph is a plain value; `dot()` and `mermaid()`
// render it as text. Nothing here prints.

import WukongDiagnostics

/// What a node stands for; decides its shape and colour in both renderings.
public enum GraphNodeKind: String, Sendable, Equatable {
    case nic, bond, vlan, bridge, ovsBridge, network, podNetwork, vm, vmGroup
}

/// One line of a VM node that an edge can end at (a NIC, or the NICs of a group on one network).
public struct GraphRow: Sendable, Equatable {
    public var port: String
    public var text: String
    /// Diagnostics pinned on this NIC (`check --graph`).
    public var marks: [GraphMark] = []
    public init(port: String, text: String) { self.port = port; self.text = text }
}

public struct GraphNode: Sendable, Equatable {
    /// Unique in the graph; readable (`host:worker-1/bridge:br-ext`, `net:lan`, `vm:app-1`).
    public var id: String
    public var kind: GraphNodeKind
    public var title: String
    public var lines: [String]
    public var rows: [GraphRow]
    /// Diagnostics pinned on this element (`check --graph`); a VM's include its NICs'.
    public var marks: [GraphMark] = []
    /// A VM group: how many of its VMs carry a diagnostic, of how many.
    public var flaggedMembers = 0
    public var memberCount = 0
    public init(id: String, kind: GraphNodeKind, title: String, lines: [String] = [], rows: [GraphRow] = []) {
        self.id = id; self.kind = kind; self.title = title; self.lines = lines; self.rows = rows
    }
}

/// Drawn from the lower layer to the upper one (NIC → bond → VLAN → bridge → network → VM).
public struct GraphEdge: Sendable, Equatable {
    public var from: String
    public var to: String
    /// A row of the `to` node (VM NICs).
    public var toPort: String?
    public var label: String?
    public init(from: String, to: String, toPort: String? = nil, label: String? = nil) {
        self.from = from; self.to = to; self.toPort = toPort; self.label = label
    }
}

/// A host (or a group of alike hosts, or "every node" without hosts) and its node-side interfaces.
public struct GraphCluster: Sendable, Equatable {
    public var id: String
    public var label: String
    public var nodes: [GraphNode]
    /// Diagnostics pinned on the host declaration(s) themselves.
    public var marks: [GraphMark] = []
    public init(id: String, label: String, nodes: [GraphNode]) { self.id = id; self.label = label; self.nodes = nodes }
}

public struct TopologyGraph: Sendable, Equatable {
    public var title: String
    public var clusters: [GraphCluster]
    /// Nodes outside every cluster: networks, the pod network, VMs and VM groups.
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]
    /// `check --graph`: the legend (counts, and the diagnostics on no element); nil for `graph`.
    public var legend: GraphLegend?
    public init(title: String, clusters: [GraphCluster] = [], nodes: [GraphNode] = [], edges: [GraphEdge] = []) {
        self.title = title; self.clusters = clusters; self.nodes = nodes; self.edges = edges
    }

    /// Every node, clusters first, in output order.
    public var allNodes: [GraphNode] { clusters.flatMap(\.nodes) + nodes }
}

/// When alike things collapse into one node (docs/decisions.md, "Topology graph").
public struct GraphOptions: Sendable, Equatable {
    /// VMs with the same name stem and a numeric index (`app-1`, `app-2`, …), NICs on the same
    /// networks and the same placement collapse into one node from this many on; hosts with the
    /// same interfaces likewise.
    public var collapseAt: Int
    /// With more VM nodes than this left after that, VMs on the same set of networks collapse
    /// whatever their names, so the picture stays bounded by the number of network sets.
    public var maxVMNodes: Int
    public init(collapseAt: Int = 6, maxVMNodes: Int = 40) {
        self.collapseAt = max(2, collapseAt); self.maxVMNodes = max(1, maxVMNodes)
    }
}

/// What `check --graph` adds below the picture: how many diagnostics there are and those that
/// lie in no element of it, each listed, so none is dropped silently.
public struct GraphLegend: Sendable, Equatable {
    public var errors: Int
    public var warnings: Int
    public var outside: [GraphMark]
    public init(errors: Int, warnings: Int, outside: [GraphMark]) {
        self.errors = errors; self.warnings = warnings; self.outside = outside
    }
}

extension Array where Element == GraphMark {
    /// The worst severity (error before warning), nil when empty.
    var worst: Severity? { map(\.severity).min() }
    /// Distinct marks in order (a NIC's mark is on its VM too; a shared one on many elements).
    func distinct() -> [GraphMark] {
        var seen = Set<String>()
        return filter { seen.insert("\($0.severity)\u{0}\($0.code)\u{0}\($0.location)\u{0}\($0.message)").inserted }
    }
    /// The codes by severity, worst first, each once: `error E0402, E0204 · warning E0601`.
    var summary: String {
        var parts: [String] = []
        for severity in [Severity.error, .warning, .note] {
            var seen = Set<String>()
            let codes = filter { $0.severity == severity && seen.insert($0.code).inserted }.map(\.code)
            if !codes.isEmpty { parts.append("\(severity.rawValue) " + codes.joined(separator: ", ")) }
        }
        return parts.joined(separator: " · ")
    }
}
