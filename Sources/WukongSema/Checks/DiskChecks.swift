import WukongDiagnostics
import WukongNet

// A VM's disks, boot disk and instance type (docs/vm-reference.md): V-DISK, V-BOOT, V-ITYPE,
// and N-MIGRATE for a ReadWriteOnce disk on a VM that asks for live migration.

/// Volume names the compiler generates for every VM.
let generatedVolumeNames: Set<String> = ["containerdisk", "cloudinitdisk"]

extension Checker {
    mutating func checkDisksAndTypes(_ v: Int, dataVolumes: inout [String: (vm: Int, disk: Int)]) {
        let vm = p.vms[v]
        checkInstancetype(vm)
        guard !vm.disks.isEmpty else { return }
        var names: [String: Int] = [:]
        for (k, d) in vm.disks.enumerated() {
            checkDisk(d, vm: vm)
            let name = d.decl.name
            if let first = names[name] {
                add(.badDiskName(name, vm: vm.decl.name, .taken(first: vm.disks[first].decl.nameSpan), at: d.decl.nameSpan))
                continue
            }
            names[name] = k
            if generatedVolumeNames.contains(name) {
                add(.badDiskName(name, vm: vm.decl.name, .generated, at: d.decl.nameSpan))
            } else if let problem = KubeName.dnsLabelProblem(name) {
                add(.badDiskName(name, vm: vm.decl.name, .invalid(problem), at: d.decl.nameSpan))
            } else if d.source.hasDataVolume && KubeName.subdomainProblem(vm.decl.name, max: 63) == nil {
                let dv = dataVolumeName(vm: vm.decl.name, disk: name)
                if let problem = KubeName.subdomainProblem(dv) {
                    add(.invalidDataVolumeName(dv, disk: name, problem, at: d.decl.nameSpan))
                } else if let first = dataVolumes[dv] {
                    let o = p.vms[first.vm]
                    add(.dataVolumeNameClash(dv, disk: name, vm: vm.decl.name, at: d.decl.nameSpan,
                                             firstDisk: o.disks[first.disk].decl.name, firstVM: o.decl.name,
                                             first: o.disks[first.disk].decl.nameSpan))
                } else {
                    dataVolumes[dv] = (v, k)
                }
            }
        }
        checkBootDisk(vm)
        checkDiskMigration(vm)
    }

    mutating func checkDisk(_ d: DiskDecl, vm: VMDecl) {
        let name = d.decl.name
        if d.sources.count > 1 {
            add(.twoDiskSources(disk: name, vm: vm.decl.name, first: d.sources[0].value.rawValue,
                                second: d.sources[1].value.rawValue, at: d.sources[1].span, firstAt: d.sources[0].span))
        }
        let source = d.source
        if source == .pvc, let pvcAt = d.sources.first?.span {
            let claim = d.sourceValue?.value ?? ""
            let storage: [(String, Span?)] = [("size", d.size?.span), ("storage_class", d.storageClass?.span),
                                              ("access", d.access?.span), ("volume_mode", d.volumeMode?.span)]
            for case let (attribute, span?) in storage {
                add(.storageOnExistingClaim(attribute, disk: name, claim: claim, at: span, pvcAt: pvcAt))
            }
        } else if let size = d.size {
            if size.value < minimumDiskSize {
                add(.diskTooSmall(disk: name, vm: vm.decl.name, size: size.value.description, at: size.span))
            }
        } else if source.needsSize && !d.poisoned {
            add(.diskSizeMissing(disk: name, vm: vm.decl.name, blank: source == .blank, at: d.decl.nameSpan))
        }
        guard let value = d.sourceValue else { return }
        switch source {
        case .url:
            let lower = value.value.lowercased()
            if !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || lower.utf8.count <= 8 {
                add(.badDiskURL(value.value, disk: name, at: value.span))
            }
        case .dataSource:
            if let problem = KubeName.nadReferenceProblem(value.value) {
                add(.invalidDiskReference("data_source", value.value, disk: name, problem, at: value.span))
            }
        case .pvc:
            if let problem = KubeName.subdomainProblem(value.value) {
                add(.invalidDiskReference("pvc", value.value, disk: name, problem, at: value.span))
            }
        case .image:
            if let problem = Checker.imageTagProblem(value.value) {
                add(.imageNotPinned(value.value, vm: vm.decl.name, problem: problem, at: value.span))
            }
        case .blank:
            break
        }
    }

    /// V-BOOT: one boot disk, and something to boot from it.
    mutating func checkBootDisk(_ vm: VMDecl) {
        var firstMarked: Int? = nil
        for (k, d) in vm.disks.enumerated() {
            guard let boot = d.boot, boot.value else { continue }
            if let image = vm.image {
                add(.bootBesideImage(disk: d.decl.name, vm: vm.decl.name, at: boot.span, image: image.span))
            } else if let f = firstMarked {
                add(.twoBootDisks(vm: vm.decl.name, disk: d.decl.name, at: boot.span, firstDisk: vm.disks[f].decl.name,
                                  first: vm.disks[f].boot?.span ?? vm.disks[f].decl.nameSpan))
            } else {
                firstMarked = k
            }
        }
        if let b = vm.bootDisk, vm.disks[b].source == .blank, !vm.disks[b].poisoned {
            add(.blankBootDisk(disk: vm.disks[b].decl.name, vm: vm.decl.name, marked: vm.disks[b].boot?.value == true,
                               at: vm.disks[b].decl.nameSpan))
        }
    }

    /// N-MIGRATE: a ReadWriteOnce disk cannot follow a live migration.
    mutating func checkDiskMigration(_ vm: VMDecl) {
        guard let e = vm.eviction, EvictionMode(rawValue: e.value) == .liveMigrate else { return }
        for d in vm.disks {
            guard let access = d.access, access.value.blocksLiveMigration, d.source.takesStorage else { continue }
            add(.cannotLiveMigrateDisk(vm: vm.decl.name, disk: d.decl.name, at: e.span, access: access.span))
            return
        }
    }

    /// V-ITYPE: an instance type sets CPU and memory; qualifiers need what they qualify.
    mutating func checkInstancetype(_ vm: VMDecl) {
        if let it = vm.instancetype {
            if let problem = KubeName.subdomainProblem(it.value) {
                add(.invalidClusterTypeName("instancetype", it.value, problem, at: it.span))
            }
            if let cpu = vm.cpu {
                add(.setByInstancetype("cpu", vm: vm.decl.name, instancetype: it.value, at: cpu.span, instancetype: it.span))
            }
            if let memory = vm.memory {
                add(.setByInstancetype("memory", vm: vm.decl.name, instancetype: it.value, at: memory.span, instancetype: it.span))
            }
        } else if let flag = vm.instancetypeNamespaced {
            add(.qualifierWithout("instancetype_namespaced", "instancetype", at: flag.span))
        }
        if let pref = vm.preference {
            if let problem = KubeName.subdomainProblem(pref.value) {
                add(.invalidClusterTypeName("preference", pref.value, problem, at: pref.span))
            }
        } else if let flag = vm.preferenceNamespaced {
            add(.qualifierWithout("preference_namespaced", "preference", at: flag.span))
        }
    }
}
