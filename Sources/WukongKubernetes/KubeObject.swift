/// A YAML/JSON value with ordered maps: the order of keys is part of the output contract.
/// Not `indirect`: the arrays already box the recursion, and a heap box per scalar would
/// cost an allocation, retains and a free for every value of every object.
public enum KubeValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case list([KubeValue])
    case map([KubeField])

    public subscript(key: String) -> KubeValue? {
        if case .map(let fields) = self { return fields.first { $0.key == key }?.value }
        return nil
    }
}

public struct KubeField: Sendable, Equatable {
    public var key: String
    public var value: KubeValue
    public init(_ key: String, _ value: KubeValue) { self.key = key; self.value = value }
}

/// One Kubernetes object to emit or apply. `body` is the whole object (apiVersion, kind, metadata first).
public struct KubeObject: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    /// nil for cluster-scoped kinds (Namespace, NodeNetworkConfigurationPolicy).
    public var namespace: String?
    public var body: KubeValue
    public init(apiVersion: String, kind: String, name: String, namespace: String?, body: KubeValue) {
        self.apiVersion = apiVersion; self.kind = kind; self.name = name; self.namespace = namespace; self.body = body
    }
}
