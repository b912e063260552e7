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
