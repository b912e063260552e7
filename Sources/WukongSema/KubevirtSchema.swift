import WukongDiagnostics
import WukongNet

// The KubeVirt v1.9.0 VirtualMachine `spec` schema behind the `kubevirt { }` escape hatch
// (docs/vm-reference.md). The text in KubevirtSchema.generated.swift is parsed on first use
// (`KubevirtSchema.shared` is a lazily initialised static), so `check` of a program without
// the block never pays for it.

/// The type of a schema field, as the generator writes it.
public enum KubevirtFieldType: Sendable, Equatable {
    case string, integer, boolean
    /// A Kubernetes quantity (`4Gi`, `500m` or an integer).
    case quantity
    case intOrString
    /// A closed object: its fields are the node's children.
    case object
    /// An object the API server does not check (`metadata`, `clock`, `rng`, …).
    case any
    /// A list: its element is the child `[]`.
    case array
    /// A map with string keys: its value is the child `{}`.
    case map
    case enumeration([String])

    init(_ text: Substring) {
        switch text {
        case "string": self = .string
        case "integer": self = .integer
        case "boolean": self = .boolean
        case "quantity": self = .quantity
        case "int-or-string": self = .intOrString
        case "object": self = .object
        case "array": self = .array
        case "map": self = .map
        default:
            if text.hasPrefix("enum:") { self = .enumeration(text.dropFirst(5).split(separator: "|").map(String.init)) }
            else { self = .any }
        }
    }

    /// How messages name the type.
    public var name: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .boolean: return "bool"
        case .quantity: return "quantity (e.g. 4Gi)"
        case .intOrString: return "integer or string"
        case .object: return "record"
        case .any: return "record"
        case .array: return "list"
        case .map: return "map of strings to values"
        case .enumeration(let vs): return "one of " + vs.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }
}

public struct KubevirtField: Sendable {
    public let name: String
    public let type: KubevirtFieldType
    /// Index into `KubevirtSchemaData.descriptions`, -1 for none.
    let descriptionIndex: Int
    /// Child field name → node index (`[]` for a list's element, `{}` for a map's value).
    public internal(set) var children: [String: Int] = [:]
    /// Field names in schema order (alphabetical), for completion and did-you-mean.
    public internal(set) var childNames: [String] = []

    public var description: String? {
        descriptionIndex >= 0 && descriptionIndex < KubevirtSchemaData.descriptions.count
            ? KubevirtSchemaData.descriptions[descriptionIndex] : nil
    }
}

public struct KubevirtSchema: Sendable {
    public private(set) var nodes: [KubevirtField] = []
    /// The fields of `spec` (the root has no node of its own).
    public private(set) var root = KubevirtField(name: "spec", type: .object, descriptionIndex: -1)

    public static let shared = KubevirtSchema(text: KubevirtSchemaData.tree)

    init(text: String) {
        var stack: [Int] = []   // node index per depth
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let depth = line.prefix { $0 == " " }.count
            let parts = line.dropFirst(depth).split(separator: " ")
            guard parts.count == 3 else { continue }
            let node = KubevirtField(name: String(parts[0]), type: KubevirtFieldType(parts[1]),
                                     descriptionIndex: Int(parts[2]) ?? -1)
            let index = nodes.count
            nodes.append(node)
            if stack.count > depth { stack.removeLast(stack.count - depth) }
            if depth == 0 {
                root.children[node.name] = index; root.childNames.append(node.name)
            } else if let parent = stack.last {
                nodes[parent].children[node.name] = index; nodes[parent].childNames.append(node.name)
            }
            stack.append(index)
        }
    }

    public func node(_ i: Int?) -> KubevirtField { i.map { nodes[$0] } ?? root }

    /// The outcome of looking a path up.
    public enum Lookup: Sendable, Equatable {
        case found(Int)
        /// `path[at]` is not a field of the object at `path[..<at]`.
        case unknown(at: Int, suggestions: [String])
        /// `path[at - 1]` is a list, map or unchecked object: the path cannot go further.
        case notAnObject(at: Int)
    }

    /// Looks up a field path relative to `spec` (no list indices: lists are set whole).
    public func lookup(_ path: [String]) -> Lookup {
        var current: Int? = nil
        for (i, segment) in path.enumerated() {
            let n = node(current)
            guard n.type == .object else { return .notAnObject(at: i) }
            guard let next = n.children[segment] else {
                return .unknown(at: i, suggestions: Suggest.similar(to: segment, among: n.childNames))
            }
            current = next
        }
        return current.map { .found($0) } ?? .notAnObject(at: 0)
    }

    /// `a.b.c` for messages.
    public static func dotted(_ path: [String]) -> String { path.joined(separator: ".") }
}

/// What is wrong with a value written for a schema field.
public struct HatchValueProblem: Sendable, Equatable {
    /// Path below the field (record keys, `[i]` for list elements) where the problem is.
    public var subpath: [String]
    public var kind: Kind
    public enum Kind: Sendable, Equatable {
        case wrongType(expected: KubevirtFieldType, found: String)
        case unknownField(String, suggestions: [String])
    }
}
