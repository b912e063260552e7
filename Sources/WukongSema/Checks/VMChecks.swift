import WukongDiagnostics
import WukongNet

/// NIC names that would shadow a built-in member of a VM (`vm.name`, `vm.nic.address`) or one of
/// its attributes; V-NIC rejects them.
public let reservedNicNames: Set<String> = Set(["name", "address"] + Schema.vm.map(\.name))

/// Guest interface names the kernel refuses or that already exist (N-IFNAME on a VM NIC's `ifname`).
let reservedGuestIfnames: Set<String> = ["default", "all", "lo", ".", ".."]

let minimumMemory = Quantity(bytes: 128 << 20)

extension Checker {
    mutating func checkVMs() {
        var macs: [UInt64: (vm: Int, nic: Int)] = [:]
        var cloudCache: [String: CloudConfig.Parsed] = [:]
        var dataVolumes: [String: (vm: Int, disk: Int)] = [:]
        for v in p.vms.indices {
            let vm = p.vms[v]
            let start = out.count
            defer { nameInstance(v, since: start) }
            checkResources(vm)
            checkDisksAndTypes(v, dataVolumes: &dataVolumes)
            for u in vm.users { checkUser(u) }
            checkCloudConfig(vm, cache: &cloudCache)
            checkVMNics(v, macs: &macs)
            checkVMNetworking(v)
            checkPlacement(v)
            checkPlacementAttributes(vm)
            checkGuest(vm)
        }
    }

    /// Fleets repeat one hash or key thousands of times: check each text once.
    static func cached<Problem>(_ text: String, in cache: inout [String: Problem?], _ f: (String) -> Problem?) -> Problem? {
        if let hit = cache[text] { return hit }
        let r = f(text)
        cache[text] = .some(r)
        return r
    }

    mutating func checkResources(_ vm: VMDecl) {
        if let cpu = vm.cpu, cpu.value < 1 {
            add(.tooFewCPUs(vm: vm.decl.name, cpus: cpu.value, at: cpu.span))
        }
        if let mem = vm.memory, mem.value < minimumMemory {
            add(.tooLittleMemory(vm: vm.decl.name, memory: mem.value.description, at: mem.span))
        }
    }

    mutating func checkUser(_ u: UserDecl) {
        if let plain = u.plainPassword {
            add(.plainPassword(user: u.decl.name, at: plain))
        }
        if let h = u.passwordHash, let problem = Checker.cached(h.value, in: &hashProblems, PasswordHash.problem) {
            add(.malformedPasswordHash(user: u.decl.name, problem, at: h.span))
        }
        for key in u.sshKeys {
            guard let problem = Checker.cached(key.value, in: &keyProblems, SSHKey.problem) else { continue }
            add(.malformedSSHKey(user: u.decl.name, problem, at: key.span))
        }
    }

    /// V-NIC (names), N-DUP-MAC (explicit MACs), N-IFNAME (guest names), W0501 (no NIC).
    mutating func checkVMNics(_ v: Int, macs: inout [UInt64: (vm: Int, nic: Int)]) {
        let vm = p.vms[v]
        if vm.nics.isEmpty && !vm.poisoned {
            add(.vmWithoutNIC(vm.decl.name, at: vm.decl.nameSpan))
        }
        // a few NICs (the usual case): a linear scan instead of a dictionary per VM
        let scan = vm.nics.count <= 8
        var names: [String: Int] = [:]
        var guestNames: [String: Int] = [:]
        for (k, nic) in vm.nics.enumerated() {
            let name = nic.decl.name
            let firstNamed: Int?
            if scan {
                var j = 0
                while j < k && vm.nics[j].decl.name != name { j += 1 }
                firstNamed = j < k ? j : nil
            } else {
                firstNamed = names[name]
            }
            if let first = firstNamed {
                add(.badNICName(name, vm: vm.decl.name, .taken(first: vm.nics[first].decl.nameSpan), at: nic.decl.nameSpan))
            } else {
                if !scan { names[name] = k }
                if reservedNicNames.contains(name) {
                    add(.badNICName(name, vm: vm.decl.name, .builtInMember, at: nic.decl.nameSpan))
                }
            }
            if let mac = nic.mac { checkMAC(mac, v, k, nic, &macs) }
            if let ifn = nic.ifname {
                if let problem = guestIfnameProblem(ifn.value) {
                    add(.invalidGuestInterfaceName(ifn.value, nic: name, problem, at: ifn.span))
                } else if let first = guestNames[ifn.value] {
                    add(.duplicateGuestInterfaceName(ifn.value, usedBy: vm.nics[first].decl.name, at: ifn.span,
                                                     firstSpan: vm.nics[first].ifname?.span ?? vm.nics[first].decl.nameSpan))
                } else {
                    guestNames[ifn.value] = k
                }
            }
        }
    }

    mutating func checkMAC(_ mac: Located<MACAddress>, _ v: Int, _ k: Int, _ nic: VMNicDecl,
                           _ macs: inout [UInt64: (vm: Int, nic: Int)]) {
        let m = mac.value
        let problem: MACProblem? = m.isZero ? .allZeros : m.isMulticast ? .multicast
            : m.value == 0x0200_0000_0000 && nic.network?.value == .pod ? .reservedOnPod : nil
        if let problem {
            add(.badMAC(m.description, problem, at: mac.span))
            return
        }
        if let first = macs[m.value] {
            let o = p.vms[first.vm], on = o.nics[first.nic]
            add(.duplicateMAC(m.description, nic: on.decl.name, vm: o.decl.name, at: mac.span,
                              first: on.mac?.span ?? on.decl.nameSpan))
        } else {
            macs[m.value] = (v, k)
        }
    }

    /// The topology's `mac_prefix`: one or two octets, locally administered, unicast (reported under N-DUP-MAC).
    mutating func checkMacPrefix() {
        guard let mp = p.macPrefix else { return }
        let parts = mp.value.split(separator: ":", omittingEmptySubsequences: false)
        var octets: [UInt8] = []
        for part in parts {
            guard part.utf8.count == 2, let b = UInt8(part, radix: 16) else { octets = []; break }
            octets.append(b)
        }
        guard (1...2).contains(parts.count), octets.count == parts.count else {
            add(.badMACPrefix(mp.value, .notOneOrTwoOctets, at: mp.span))
            return
        }
        if octets[0] & 1 != 0 {
            add(.badMACPrefix(mp.value, .multicast, at: mp.span))
        } else if octets[0] & 2 == 0 {
            add(.badMACPrefix(mp.value, .notLocallyAdministered, at: mp.span))
        }
    }
}

func guestIfnameProblem(_ name: String) -> InterfaceNameProblem? {
    if let p = linuxNameProblem(name) { return p }
    if reservedGuestIfnames.contains(name) { return .reservedByKernel }
    return nil
}
