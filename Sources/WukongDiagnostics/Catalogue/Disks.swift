// Disks, boot disks and instance types of a VM (E0508–E0510; docs/vm-reference.md).
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func diskEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .disk:
            return (title: "invalid disk",
                    body: """
                        A `disk` takes at most one source (`image`, `url`, `data_source` or `pvc`;
                        none is an empty disk). CDI cannot tell the size of an import or of an empty
                        disk, so those need a `size` of at least 1Mi; an existing claim (`pvc`) is
                        used as it is and takes no `size`, `storage_class`, `access` or
                        `volume_mode`. Disk names are DNS labels, unique in the VM, and not
                        `containerdisk` or `cloudinitdisk`; the DataVolume of a disk is named
                        `<vm>-<disk>` and must be unique in the topology.
                        """,
                    example: """
                        disk data { url = "https://example.org/x.qcow2" }   // no size
                        """)
        case .bootDisk:
            return (title: "no single boot disk",
                    body: """
                        A VM boots from its `image` (a containerDisk) when it has one, else from
                        the disk marked `boot = true`, else from its first disk. `boot = true`
                        beside an `image`, two disks marked `boot`, or a boot disk without a
                        source (nothing to boot) are errors.
                        """,
                    example: """
                        vm a { cpu = 1, memory = 1Gi, image = images.fedora
                          disk root { image = images.fedora, size = 20Gi, boot = true }
                        }
                        """)
        case .instancetype:
            return (title: "instance type conflict",
                    body: """
                        With `instancetype`, the instance type sets the CPUs and the memory:
                        KubeVirt rejects a VM that also sets them, so `cpu` and `memory` must not
                        be written. `instancetype_namespaced`/`preference_namespaced` need the
                        attribute they qualify, and the names must be Kubernetes names.
                        """,
                    example: """
                        vm a { instancetype = "u1.medium", cpu = 4, image = images.fedora }
                        """)
        default:
            return nil
        }
    }
}

/// What is wrong with a disk's name.
public enum DiskNameProblem: Sendable, Equatable {
    /// Another disk of the VM has the name (declared at the span).
    case taken(first: Span)
    /// `containerdisk` or `cloudinitdisk`: volumes the compiler generates.
    case generated
    case invalid(KubeNameProblem)
}

extension Diagnostic {
    private static let diskSources = "`image`, `url`, `data_source` or `pvc`"

    /// Disk `disk` of VM `vm` names a second source `second` (at `span`) after `first` (at `firstAt`).
    public static func twoDiskSources(disk: String, vm: String, first: String, second: String, at span: Span,
                                      firstAt: Span) -> Diagnostic {
        Diagnostic(.disk, "disk `\(disk)` of VM `\(vm)` has two sources, `\(first)` and `\(second)`", at: span,
                   notes: [DiagnosticNote("the first source is `\(first)`", at: firstAt)],
                   help: "a disk takes one of \(diskSources); none makes an empty disk")
    }

    /// An import (`blank`: an empty disk) without `size`.
    public static func diskSizeMissing(disk: String, vm: String, blank: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.disk, "disk `\(disk)` of VM `\(vm)` needs a `size`", at: span,
                   help: blank ? "an empty disk has no size of its own: set `size`, e.g. `size = 20Gi`"
                       : "CDI cannot tell the size of an import before it runs: set `size`, e.g. `size = 20Gi`")
    }

    public static func diskTooSmall(disk: String, vm: String, size: String, at span: Span) -> Diagnostic {
        Diagnostic(.disk, "disk `\(disk)` of VM `\(vm)` has \(size), less than 1Mi", at: span,
                   help: "CDI rejects DataVolumes under 1Mi: set `size` to at least `1Mi`")
    }

    /// A storage `attribute` (`size`, `storage_class`, …; at `span`) on a disk that uses the
    /// existing claim `claim` (at `pvcAt`).
    public static func storageOnExistingClaim(_ attribute: String, disk: String, claim: String, at span: Span,
                                              pvcAt: Span) -> Diagnostic {
        Diagnostic(.disk, "`\(attribute)` cannot be set on disk `\(disk)`: it uses the existing claim `\(claim)`", at: span,
                   notes: [DiagnosticNote("an existing claim is used as it is, with its own size, class and modes", at: pvcAt)],
                   help: "drop `\(attribute)`, or import into a new disk instead of `pvc`")
    }

    public static func badDiskURL(_ url: String, disk: String, at span: Span) -> Diagnostic {
        Diagnostic(.disk, "`url` `\(url)` of disk `\(disk)` is not an http(s) URL", at: span,
                   help: "write `https://…` or `http://…`; for an image in a registry use `image`")
    }

    /// A `data_source` (`name` or `namespace/name`) or `pvc` (`name`) that is not a Kubernetes name.
    public static func invalidDiskReference(_ attribute: String, _ value: String, disk: String, _ problem: KubeNameProblem,
                                            at span: Span) -> Diagnostic {
        let shape = attribute == "pvc" ? "a claim name" : "`name` or `namespace/name`"
        return Diagnostic(.disk, "`\(attribute)` `\(value)` of disk `\(disk)` \(problem.text)", at: span,
                          help: "write \(shape) of lowercase letters, digits, `-` and `.`")
    }

    public static func badDiskName(_ disk: String, vm: String, _ problem: DiskNameProblem, at span: Span) -> Diagnostic {
        switch problem {
        case .taken(let first):
            return Diagnostic(.disk, "VM `\(vm)` has two disks named `\(disk)`", at: span,
                              notes: [DiagnosticNote("first declared here", at: first)], help: "rename one of the disks")
        case .generated:
            return Diagnostic(.disk, "disk name `\(disk)` is taken by a volume the compiler generates", at: span,
                              help: "`containerdisk` and `cloudinitdisk` are the VM's image and cloud-init volumes: choose another name")
        case .invalid(let p):
            return Diagnostic(.disk, "disk name `\(disk)` \(p.text)", at: span,
                              help: "name disks with at most 63 lowercase letters, digits and `-` (they are volume names)")
        }
    }

    /// The DataVolume `name` of disk `disk` of VM `vm` is also that of `firstDisk` of `firstVM` (at `first`).
    public static func dataVolumeNameClash(_ name: String, disk: String, vm: String, at span: Span, firstDisk: String,
                                           firstVM: String, first: Span) -> Diagnostic {
        Diagnostic(.disk, "disk `\(disk)` of VM `\(vm)` and disk `\(firstDisk)` of VM `\(firstVM)` both need the DataVolume `\(name)`",
                   at: span, notes: [DiagnosticNote("that disk is declared here", at: first)],
                   help: "a disk's DataVolume is `<vm>-<disk>`: rename one of the disks")
    }

    public static func invalidDataVolumeName(_ name: String, disk: String, _ problem: KubeNameProblem, at span: Span) -> Diagnostic {
        Diagnostic(.disk, "DataVolume name `\(name)` of disk `\(disk)` \(problem.text)", at: span,
                   help: "a disk's DataVolume is `<vm>-<disk>`, a DNS subdomain of at most 253 characters: shorten the names")
    }

    // MARK: boot disk

    /// `boot = true` (at `span`) on disk `disk` of a VM that boots from its `image` (at `image`).
    public static func bootBesideImage(disk: String, vm: String, at span: Span, image: Span) -> Diagnostic {
        Diagnostic(.bootDisk, "disk `\(disk)` of VM `\(vm)` is marked `boot`, but the VM boots from its `image`", at: span,
                   notes: [DiagnosticNote("the VM's `image` is its boot disk (a containerDisk)", at: image)],
                   help: "drop the VM's `image` and boot from this disk (e.g. `disk root { image = …, size = 20Gi }`), or drop `boot`")
    }

    public static func twoBootDisks(vm: String, disk: String, at span: Span, firstDisk: String, first: Span) -> Diagnostic {
        Diagnostic(.bootDisk, "VM `\(vm)` has two boot disks, `\(firstDisk)` and `\(disk)`", at: span,
                   notes: [DiagnosticNote("`\(firstDisk)` is marked `boot` here", at: first)],
                   help: "mark one disk `boot = true`")
    }

    /// The boot disk `disk` has no source. `marked`: it says `boot = true` (else it is the first disk).
    public static func blankBootDisk(disk: String, vm: String, marked: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.bootDisk, "the boot disk `\(disk)` of VM `\(vm)` is empty: there is nothing to boot", at: span,
                   help: marked ? "give it a source (`image`, `url`, `data_source` or `pvc`), or drop `boot`"
                       : "without `image` or `boot = true` a VM boots from its first disk: mark the root disk `boot = true`")
    }

    // MARK: instance types

    /// `attribute` (`cpu`, `memory`) written (at `span`) on a VM with the instance type `name` (at `instancetype`).
    public static func setByInstancetype(_ attribute: String, vm: String, instancetype name: String, at span: Span,
                                         instancetype: Span) -> Diagnostic {
        Diagnostic(.instancetype, "`\(attribute)` cannot be set on VM `\(vm)`: its instance type `\(name)` sets it", at: span,
                   notes: [DiagnosticNote("KubeVirt rejects a VM whose CPU or memory conflicts with its instance type", at: instancetype)],
                   help: "drop `\(attribute)`, or drop `instancetype` and size the VM with `cpu` and `memory`")
    }

    /// `flag` (`instancetype_namespaced`) without `attribute` (`instancetype`).
    public static func qualifierWithout(_ flag: String, _ attribute: String, at span: Span) -> Diagnostic {
        Diagnostic(.instancetype, "`\(flag)` has no `\(attribute)` to apply to", at: span,
                   help: "set `\(attribute)`, or drop `\(flag)`")
    }

    /// An instance type or preference name (`attribute`) that is not a Kubernetes name.
    public static func invalidClusterTypeName(_ attribute: String, _ name: String, _ problem: KubeNameProblem,
                                              at span: Span) -> Diagnostic {
        Diagnostic(.instancetype, "`\(attribute)` `\(name)` \(problem.text)", at: span,
                   help: "name an existing \(attribute == "preference" ? "preference" : "instance type"), e.g. `u1.medium` (a DNS subdomain)")
    }

    // MARK: live migration

    /// `eviction = "live-migrate"` (at `span`) on a VM whose disk `disk` is ReadWriteOnce (at `access`).
    public static func cannotLiveMigrateDisk(vm: String, disk: String, at span: Span, access: Span) -> Diagnostic {
        Diagnostic(.migrateWarning, "VM `\(vm)` cannot live-migrate: disk `\(disk)` is ReadWriteOnce", at: span,
                   notes: [DiagnosticNote("a ReadWriteOnce volume is attached to one node at a time", at: access)],
                   help: "use `access = \"RWX\"` (on storage that supports it), or set `eviction = \"shutdown\"`")
    }
}
