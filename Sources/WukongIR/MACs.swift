import WukongNet
import WukongSema

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
        let digest = SHA256Prefix.first8(key)
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
        var first: [UInt64] = []
        first.reserveCapacity(derived.count)
        var seen = Set<UInt64>(minimumCapacity: derived.count)
        var clash = false
        for r in derived {
            let mac = derive(vm: vms[r.vm].name, nic: vms[r.vm].nics[r.nic].name, counter: 0).value
            first.append(mac)
            if !isUsable(mac, explicit) || !seen.insert(mac).inserted { clash = true }
        }
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

/// RFC 4122 version-5 UUIDs in the URL namespace (as `Hash.uuidV5URL`), formatted without
/// intermediate strings: lowering makes one per VM.
struct UUIDFormatter {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let urlNamespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
    private var buffer: [UInt8] = []

    /// UUIDv5 of `prefix + name`.
    mutating func uuidV5URL(prefix: String, name: String) -> String {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: UUIDFormatter.urlNamespace)
        buffer.append(contentsOf: prefix.utf8)
        buffer.append(contentsOf: name.utf8)
        var d = Hash.sha1(buffer)
        d[6] = (d[6] & 0x0F) | 0x50
        d[8] = (d[8] & 0x3F) | 0x80
        var out = [UInt8]()
        out.reserveCapacity(36)
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(0x2D) }
            out.append(UUIDFormatter.hexDigits[Int(d[i] >> 4)])
            out.append(UUIDFormatter.hexDigits[Int(d[i] & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 reduced to what MAC derivation needs — the first 8 bytes of the digest — without a
/// heap allocation per call (lowering hashes every NIC; `Hash.sha256` builds several arrays per
/// call). Checked against `Hash.sha256` by the tests.
enum SHA256Prefix {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// The first 8 bytes of SHA-256(`message`), big-endian.
    static func first8(_ message: [UInt8]) -> UInt64 {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        let n = message.count
        let blocks = (n + 9 + 63) / 64
        let lengthStart = blocks * 64 - 8
        let bitLength = UInt64(n) &* 8
        k.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                    for block in 0..<blocks {
                        for i in 0..<16 {
                            var word: UInt32 = 0
                            for j in 0..<4 {
                                let p = block * 64 + i * 4 + j
                                let byte: UInt8
                                if p < n { byte = m[p] }
                                else if p == n { byte = 0x80 }
                                else if p >= lengthStart { byte = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * (7 - (p - lengthStart)))) }
                                else { byte = 0 }
                                word = word << 8 | UInt32(byte)
                            }
                            w[i] = word
                        }
                        for i in 16..<64 {
                            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                        }
                        var (a, b, c, d, e, f, g, hh) = h
                        for i in 0..<64 {
                            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                            let ch = (e & f) ^ (~e & g)
                            let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                            let maj = (a & b) ^ (a & c) ^ (b & c)
                            let t2 = s0 &+ maj
                            hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                        }
                        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
                    }
                }
            }
        }
        return UInt64(h.0) << 32 | UInt64(h.1)
    }
}
