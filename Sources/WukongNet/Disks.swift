// The vocabulary of a VM's `disk` (docs/vm-reference.md): written once here and used by the
// checks and the back end alike.

/// `access`: the PVC access mode CDI requests.
public enum DiskAccess: String, Sendable, Codable, CaseIterable {
    case rwo = "RWO", rwx = "RWX"

    public var kubernetes: String { self == .rwo ? "ReadWriteOnce" : "ReadWriteMany" }
    /// A claim only one node mounts at a time: the VM cannot live-migrate (N-MIGRATE).
    public var blocksLiveMigration: Bool { self == .rwo }
}

/// `volume_mode`: the PVC volume mode.
public enum DiskVolumeMode: String, Sendable, Codable, CaseIterable {
    case filesystem, block

    public var kubernetes: String { self == .filesystem ? "Filesystem" : "Block" }
}

/// `bus`: the disk's bus in `domain.devices.disks`.
public enum DiskBus: String, Sendable, Codable, CaseIterable {
    case virtio, sata, scsi
}

/// Where a disk's content comes from; at most one source attribute per disk.
public enum DiskSourceKind: String, Sendable, Codable, CaseIterable {
    /// `image`: a containerDisk image CDI imports (`source.registry.url: docker://…`).
    case image
    /// `url`: an http(s) URL CDI downloads (`source.http.url`).
    case url
    /// `data_source`: a CDI DataSource (`sourceRef`), `name` or `namespace/name`.
    case dataSource = "data_source"
    /// `pvc`: an existing claim, used as it is (no DataVolume).
    case pvc
    /// No source: an empty disk (`source.blank: {}`).
    case blank

    /// The attributes that name a source, in documentation order.
    public static let attributes: [DiskSourceKind] = [.image, .url, .dataSource, .pvc]

    /// CDI cannot infer the size of an import or an empty disk: `size` is required.
    public var needsSize: Bool { self == .image || self == .url || self == .blank }
    /// An existing claim has its size, class and modes: none of the storage attributes apply.
    public var takesStorage: Bool { self != .pvc }
    /// Every disk but an existing claim becomes a `dataVolumeTemplates` entry.
    public var hasDataVolume: Bool { self != .pvc }
    /// Something a guest can boot from.
    public var bootable: Bool { self != .blank }
}

/// The smallest DataVolume CDI's webhook accepts (`size ≥ 1MiB`).
public let minimumDiskSize = Quantity(bytes: 1 << 20)

/// The DataVolume (and PVC) of a VM's disk: `<vm>-<disk>`.
public func dataVolumeName(vm: String, disk: String) -> String { vm + "-" + disk }

/// Which disk a VM boots from (docs/vm-reference.md): nil when it boots from its `image` (the
/// containerDisk); else the first disk marked `boot = true`, else the first disk.
public func bootDiskIndex(hasImage: Bool, marked: [Bool]) -> Int? {
    if hasImage || marked.isEmpty { return nil }
    return marked.firstIndex(of: true) ?? 0
}
