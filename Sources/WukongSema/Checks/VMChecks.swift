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
        for v in p.vms.indices {
            let vm = p.vms[v]
            checkResources(vm)
            for u in vm.users { checkUser(u) }
            checkCloudConfig(vm, cache: &cloudCache)
            checkVMNics(v, macs: &macs)
            checkVMNetworking(v)
            checkPlacement(v)
            checkGuest(vm)
        }
    }

    /// Fleets repeat one hash or key thousands of times: check each text once.
    static func cached(_ text: String, in cache: inout [String: String?], _ f: (String) -> String?) -> String? {
        if let hit = cache[text] { return hit }
        let r = f(text)
        cache[text] = .some(r)
        return r
    }

    mutating func checkResources(_ vm: VMDecl) {
        if let cpu = vm.cpu, cpu.value < 1 {
            add(Diagnostic(.resources, "VM `\(vm.decl.name)` has \(cpu.value) CPUs", at: cpu.span,
                           help: "set `cpu` to at least 1"))
        }
        if let mem = vm.memory, mem.value < minimumMemory {
            add(Diagnostic(.resources, "VM `\(vm.decl.name)` has \(mem.value) of memory, less than 128Mi", at: mem.span,
                           help: "set `memory` to at least `128Mi`"))
        }
    }

    mutating func checkUser(_ u: UserDecl) {
        if let plain = u.plainPassword {
            add(Diagnostic(.password, "user `\(u.decl.name)` sets a plain `password`", at: plain,
                           help: "set `password_hash` to a crypt(3) hash instead, e.g. the output of `openssl passwd -6`"))
        }
        if let h = u.passwordHash, let problem = Checker.cached(h.value, in: &hashProblems, PasswordHash.problem) {
            add(Diagnostic(.password, "`password_hash` of user `\(u.decl.name)` \(problem)", at: h.span,
                           help: "use a crypt(3) hash `$id$[rounds=N$]salt$hash` (id 1, 5, 6, y or 2b), e.g. from `openssl passwd -6`"))
        }
        for key in u.sshKeys {
            guard let problem = Checker.cached(key.value, in: &keyProblems, SSHKey.problem) else { continue }
            add(Diagnostic(.sshKey, "ssh key of user `\(u.decl.name)` \(problem)", at: key.span,
                           help: "paste one line of a `.pub` file, e.g. `ssh-ed25519 AAAAC3Nza... user@host`"))
        }
    }

    /// V-NIC (names), N-DUP-MAC (explicit MACs), N-IFNAME (guest names), W0501 (no NIC).
    mutating func checkVMNics(_ v: Int, macs: inout [UInt64: (vm: Int, nic: Int)]) {
        let vm = p.vms[v]
        if vm.nics.isEmpty && !vm.poisoned {
            add(Diagnostic(.vmNicWarning, "VM `\(vm.decl.name)` has no NIC", at: vm.decl.nameSpan,
                           help: "add `nic default on pod` (or a NIC on a declared network); without one the VM has no network"))
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
                add(Diagnostic(.vmNic, "VM `\(vm.decl.name)` has two NICs named `\(name)`", at: nic.decl.nameSpan,
                               notes: [DiagnosticNote("first declared here", at: vm.nics[first].decl.nameSpan)],
                               help: "give every NIC of a VM its own name"))
            } else {
                if !scan { names[name] = k }
                if reservedNicNames.contains(name) {
                    add(Diagnostic(.vmNic, "`\(name)` is a built-in member name and cannot name a NIC", at: nic.decl.nameSpan,
                                   help: "rename the NIC (e.g. `\(name)0` or `nic-\(name)`)"))
                }
            }
            if let mac = nic.mac { checkMAC(mac, v, k, nic, &macs) }
            if let ifn = nic.ifname {
                if let problem = guestIfnameProblem(ifn.value) {
                    add(Diagnostic(.interfaceName, "guest interface name `\(ifn.value)` of NIC `\(name)` \(problem)", at: ifn.span,
                                   help: "use a name of at most 15 bytes without `/`, `:` or whitespace, other than `default`, `all` and `lo` (e.g. `\(name == "default" ? "pod0" : "eth-" + name)`)"))
                } else if let first = guestNames[ifn.value] {
                    add(Diagnostic(.interfaceName, "guest interface name `\(ifn.value)` is already used by NIC `\(vm.nics[first].decl.name)`",
                                   at: ifn.span, notes: [DiagnosticNote("first used here", at: vm.nics[first].ifname?.span ?? vm.nics[first].decl.nameSpan)],
                                   help: "give every NIC of a VM its own `ifname`"))
                } else {
                    guestNames[ifn.value] = k
                }
            }
        }
    }

    mutating func checkMAC(_ mac: Located<MACAddress>, _ v: Int, _ k: Int, _ nic: VMNicDecl,
                           _ macs: inout [UInt64: (vm: Int, nic: Int)]) {
        let m = mac.value
        if m.isZero {
            add(Diagnostic(.duplicateMAC, "MAC `\(m)` is all zeros", at: mac.span,
                           help: "use a unicast, locally administered MAC such as `0e:00:00:00:00:01`, or drop `mac` to derive one"))
            return
        }
        if m.isMulticast {
            add(Diagnostic(.duplicateMAC, "MAC `\(m)` is a multicast address", at: mac.span,
                           help: "clear the lowest bit of the first octet (e.g. `0e:…`), or drop `mac` to derive one"))
            return
        }
        if m.value == 0x0200_0000_0000, nic.network?.value == .pod {
            add(Diagnostic(.duplicateMAC, "MAC `02:00:00:00:00:00` is reserved on the pod NIC", at: mac.span,
                           help: "KubeVirt's masquerade binding uses it inside the pod: pick another MAC, or drop `mac` to derive one"))
            return
        }
        if let first = macs[m.value] {
            let o = p.vms[first.vm], on = o.nics[first.nic]
            add(Diagnostic(.duplicateMAC, "MAC `\(m)` is already used by NIC `\(on.decl.name)` of VM `\(o.decl.name)`", at: mac.span,
                           notes: [DiagnosticNote("first used here", at: on.mac?.span ?? on.decl.nameSpan)],
                           help: "give every NIC its own MAC, or drop `mac` to derive one"))
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
        let help = "use one or two hex octets whose first is unicast and locally administered (second hex digit 2, 6, a or e), e.g. `\"0e\"` or `\"0e:5a\"`"
        guard (1...2).contains(parts.count), octets.count == parts.count else {
            add(Diagnostic(.duplicateMAC, "`mac_prefix` \"\(mp.value)\" is not one or two octets", at: mp.span, help: help))
            return
        }
        if octets[0] & 1 != 0 {
            add(Diagnostic(.duplicateMAC, "`mac_prefix` \"\(mp.value)\" makes multicast MACs", at: mp.span, help: help))
        } else if octets[0] & 2 == 0 {
            add(Diagnostic(.duplicateMAC, "`mac_prefix` \"\(mp.value)\" is not locally administered", at: mp.span, help: help))
        }
    }
}

func guestIfnameProblem(_ name: String) -> String? {
    if let p = linuxNameProblem(name) { return p }
    if reservedGuestIfnames.contains(name) { return "is reserved by the kernel" }
    return nil
}
