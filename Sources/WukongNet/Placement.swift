// Lifecycle and device settings of a VM (docs/vm-reference.md, "Placement and lifecycle").

/// `run_strategy`: KubeVirt's `spec.runStrategy`, spelled as KubeVirt spells it. `running`
/// stays the shorthand for Always/Halted.
public enum RunStrategy: String, Sendable, Codable, CaseIterable {
    case always = "Always", halted = "Halted", manual = "Manual", rerunOnFailure = "RerunOnFailure", once = "Once"
}

/// `firmware`: `bios` (KubeVirt's default, nothing emitted), `efi` (EFI without secure boot —
/// KubeVirt's EFI default is secure boot, which needs SMM), `efi-secure` (secure boot with SMM).
public enum FirmwareKind: String, Sendable, Codable, CaseIterable {
    case bios, efi, efiSecure = "efi-secure"
}

/// A VM NIC's `model`: `domain.devices.interfaces[].model`.
public enum NicModel: String, Sendable, Codable, CaseIterable {
    case virtio, e1000e
}

/// `spread`: keep VMs of one spread group on different nodes (pod anti-affinity on
/// `kubernetes.io/hostname`), preferred (`host`) or required (`host-required`).
public enum SpreadMode: String, Sendable, Codable, CaseIterable {
    case host, hostRequired = "host-required"
}

/// The label that marks a VM's spread group on its pod (`template.metadata.labels`).
public let spreadLabelKey = "wukong.dev/spread"

/// `app-12` → (`app-`, `12`): a name's trailing decimal digits — the index a `for` loop puts
/// there — and what precedes them; nil when the name does not end in a digit or is only digits.
public func splitTrailingIndex(_ name: String) -> (stem: Substring, digits: Substring)? {
    let count = name.utf8.reversed().prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
    guard count > 0, count < name.utf8.count else { return nil }
    let cut = name.utf8.index(name.utf8.endIndex, offsetBy: -count)
    return (name[..<cut], name[cut...])
}

/// The spread group of VM `name` without `spread_group`: the name without a trailing `-<digits>`
/// (`web-1`, `web-2` → `web`: the VMs of one `for` loop), else the name itself.
public func defaultSpreadGroup(_ name: String) -> String {
    guard let (stem, _) = splitTrailingIndex(name), stem.count > 1, stem.hasSuffix("-") else { return name }
    return String(stem.dropLast())
}

/// A toleration's fields as Kubernetes spells them in `tolerations[]` (the record's keys are
/// `key`, `operator`, `value`, `effect`, `toleration_seconds`).
public enum TolerationOperator: String, Sendable, Codable, CaseIterable { case exists = "Exists", equal = "Equal" }
public enum TaintEffect: String, Sendable, Codable, CaseIterable {
    case noSchedule = "NoSchedule", preferNoSchedule = "PreferNoSchedule", noExecute = "NoExecute"
}
public let tolerationFields = ["key", "operator", "value", "effect", "toleration_seconds"]
