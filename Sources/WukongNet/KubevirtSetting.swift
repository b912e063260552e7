// The checked settings of a VM's `kubevirt { }` block: produced by Sema (KubevirtCheck.swift),
// carried by the IR, merged by the backend (KubevirtMerge.swift). Plain data, hence here.

/// A checked hatch value, in the shape the backend emits (maps keep the order written).
public enum HatchValue: Sendable, Equatable, Codable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([HatchValue])
    case map([HatchField])
}

public struct HatchField: Sendable, Equatable, Codable {
    public var key: String
    public var value: HatchValue
    public init(_ key: String, _ value: HatchValue) { self.key = key; self.value = value }
}

/// One checked setting of a VM's `kubevirt { }` block.
public struct KubevirtSetting: Sendable, Equatable, Codable {
    /// Field names below `spec` (no list indices).
    public var path: [String]
    public var value: HatchValue
    public init(path: [String], value: HatchValue) { self.path = path; self.value = value }
}
