import WukongNet
import WukongSema
import WukongParallel

/// Derived MACs (LANGUAGE.md §5.6): the `mac_prefix` octets followed by the first bytes of
/// SHA-256 of `"<topology>/<vm>/<nic>"`. On a collision — with an explicit MAC, with an earlier
/// derived one, or with `02:00:00:00:00:00` — the later NIC in (vm name, nic name) order rehashes
/// with a counter appended (`"<topology>/<vm>/<nic>/1"`, `/2`, …). The order is by names, not by
/// source position, so renaming a file never changes a MAC.
struct MACDerivation {
    let topology: String
    let prefix: [UInt8]

    /// The pod network's in-pod bridge MAC: never handed out (KubeVirt rejects it on masquerade).
    static let reserved: UInt64 = 0x02_00_00_00_00_00

    /// A NIC `vms[vm].nics[nic]` whose MAC is derived.
    struct NicRef {
        let vm: Int
        let nic: Int
    }

    func derive(vm: String, nic: String, counter: Int) -> MACAddress {
        var key: [UInt8] = []
        key.reserveCapacity(topology.utf8.count + vm.utf8.count + nic.utf8.count + 8)
        key.append(contentsOf: topology.utf8)
        key.append(0x2F)
        key.append(contentsOf: vm.utf8)
        key.append(0x2F)
        key.append(contentsOf: nic.utf8)
        if counter > 0 {
            key.append(0x2F)
            key.append(contentsOf: String(counter).utf8)
        }
        let digest = Hash.sha256Prefix64(key)
        var value: UInt64 = 0
        for b in prefix.prefix(5) { value = value << 8 | UInt64(b) }
        let fromDigest = 6 - min(prefix.count, 5)
        value = value << UInt64(8 * fromDigest) | digest >> UInt64(64 - 8 * fromDigest)
        return MACAddress(value)
    }

    func isUsable(_ mac: UInt64, _ used: Set<UInt64>) -> Bool {
        mac != MACDerivation.reserved && mac != 0 && !used.contains(mac)
    }

    /// Gives the NICs of `derived` (source order) their MACs; `explicit` holds every written `mac`.
    func assign(_ derived: [NicRef], explicit: Set<UInt64>, vms: inout [VM]) {
        let named = vms
        let first = Parallel.map(derived.count) { i in
            derive(vm: named[derived[i].vm].name, nic: named[derived[i].vm].nics[derived[i].nic].name, counter: 0).value
        }
        var seen = Set<UInt64>(minimumCapacity: derived.count)
        var clash = false
        for mac in first where !isUsable(mac, explicit) || !seen.insert(mac).inserted { clash = true }
        if !clash {
            for (i, r) in derived.enumerated() { vms[r.vm].nics[r.nic].mac = MACAddress(first[i]) }
            return
        }
        // Rare: resolve collisions one NIC at a time in (vm, nic) name order.
        let order = derived.indices.sorted { a, b in
            let x = derived[a], y = derived[b]
            let vx = vms[x.vm].name, vy = vms[y.vm].name
            if vx != vy { return vx.utf8.lexicographicallyPrecedes(vy.utf8) }
            let nx = vms[x.vm].nics[x.nic].name, ny = vms[y.vm].nics[y.nic].name
            if nx != ny { return nx.utf8.lexicographicallyPrecedes(ny.utf8) }
            return a < b
        }
        var used = explicit
        for i in order {
            let r = derived[i]
            var mac = first[i]
            var counter = 0
            while !isUsable(mac, used) && counter < 1_000_000 {
                counter += 1
                mac = derive(vm: vms[r.vm].name, nic: vms[r.vm].nics[r.nic].name, counter: counter).value
            }
            used.insert(mac)
            vms[r.vm].nics[r.nic].mac = MACAddress(mac)
        }
    }
}
