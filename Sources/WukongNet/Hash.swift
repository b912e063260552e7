/// SHA-256 and SHA-1 (FIPS 180-4), small and dependency-free: used for derived MACs and UUIDv5.
///
/// The cores work on raw bytes with stack scratch space (no heap allocation per call): lowering
/// hashes every NIC (MACs) and every VM (firmware UUIDs).
public enum Hash {
    static let sha256K: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]

    // MARK: - Public API

    public static func sha256(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 8) { h in
                sha256(m, state: h)
                return bigEndianBytes(UnsafeBufferPointer(h))
            }
        }
    }

    /// The first 8 bytes of SHA-256(`message`), big-endian, without a heap allocation.
    public static func sha256Prefix64(_ message: UnsafeRawBufferPointer) -> UInt64 {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 8) { h in
            sha256(message, state: h)
            return UInt64(h[0]) << 32 | UInt64(h[1])
        }
    }

    /// The first 8 bytes of SHA-256(`message`), big-endian.
    public static func sha256Prefix64(_ message: [UInt8]) -> UInt64 {
        message.withUnsafeBytes { sha256Prefix64($0) }
    }

    public static func sha1(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { m in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 5) { h in
                sha1(m, state: h)
                return bigEndianBytes(UnsafeBufferPointer(h))
            }
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
    }

    /// RFC 4122 name-based UUID, version 5, in the URL namespace.
    public static func uuidV5URL(_ name: String) -> String {
        uuidV5URL(prefix: "", name: name)
    }

    /// `uuidV5URL(prefix + name)` without building the concatenation.
    public static func uuidV5URL(prefix: String, name: String) -> String {
        var prefix = prefix, name = name
        return prefix.withUTF8 { p in
            name.withUTF8 { n in
                let count = urlNamespace.count + p.count + n.count
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buf in
                    var at = 0
                    for b in urlNamespace { buf[at] = b; at += 1 }
                    for b in p { buf[at] = b; at += 1 }
                    for b in n { buf[at] = b; at += 1 }
                    return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 5) { h in
                        sha1(UnsafeRawBufferPointer(buf), state: h)
                        return formatUUIDv5(h)
                    }
                }
            }
        }
    }

    // MARK: - Cores

    static let urlNamespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                        0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }
    @inline(__always) static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 &- n)) }

    static func bigEndianBytes(_ words: UnsafeBufferPointer<UInt32>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 4)
        for v in words {
            out.append(UInt8(truncatingIfNeeded: v >> 24)); out.append(UInt8(truncatingIfNeeded: v >> 16))
            out.append(UInt8(truncatingIfNeeded: v >> 8)); out.append(UInt8(truncatingIfNeeded: v))
        }
        return out
    }

    /// Feeds `message` with Merkle–Damgård padding (shared by SHA-256 and SHA-1) to `compress`,
    /// one 64-byte block at a time; the length is appended big-endian in bits.
    @inline(__always)
    static func forEachPaddedBlock(_ message: UnsafeRawBufferPointer, _ compress: (UnsafeRawPointer) -> Void) {
        let n = message.count
        let full = n / 64
        if let base = message.baseAddress {
            for b in 0..<full { compress(base + b * 64) }
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            let rem = n - full * 64
            for i in 0..<rem { tail[i] = message[full * 64 + i] }
            tail[rem] = 0x80
            let tailLength = rem + 9 <= 64 ? 64 : 128
            for i in (rem + 1)..<(tailLength - 8) { tail[i] = 0 }
            let bits = UInt64(truncatingIfNeeded: n) &* 8
            for i in 0..<8 { tail[tailLength - 8 + i] = UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * i)) }
            guard let t = tail.baseAddress else { return }
            compress(UnsafeRawPointer(t))
            if tailLength == 128 { compress(UnsafeRawPointer(t + 64)) }
        }
    }

    /// SHA-256 of `message` into the 8 state words `h`.
    static func sha256(_ message: UnsafeRawBufferPointer, state h: UnsafeMutableBufferPointer<UInt32>) {
        h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a
        h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19
        sha256K.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                forEachPaddedBlock(message) { block in
                    for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                    for i in 16..<64 {
                        let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                        let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                    }
                    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
                    for i in 0..<64 {
                        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                    }
                    h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
                    h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
                }
            }
        }
    }

    /// SHA-1 of `message` into the 5 state words `h`.
    static func sha1(_ message: UnsafeRawBufferPointer, state h: UnsafeMutableBufferPointer<UInt32>) {
        h[0] = 0x67452301; h[1] = 0xEFCDAB89; h[2] = 0x98BADCFE; h[3] = 0x10325476; h[4] = 0xC3D2E1F0
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            forEachPaddedBlock(message) { block in
                for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
                var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
                for i in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch i {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                    default: f = b ^ c ^ d; k = 0xCA62C1D6
                    }
                    let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
                    e = d; d = c; c = rotl(b, 30); b = a; a = t
                }
                h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
            }
        }
    }

    /// The UUIDv5 text of a SHA-1 state (its first 16 bytes, version and variant set).
    static func formatUUIDv5(_ h: UnsafeMutableBufferPointer<UInt32>) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            var at = 0
            for i in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: h[i / 4] >> UInt32(24 - 8 * (i % 4)))
                if i == 6 { byte = (byte & 0x0F) | 0x50 }
                if i == 8 { byte = (byte & 0x3F) | 0x80 }
                if i == 4 || i == 6 || i == 8 || i == 10 { out[at] = 0x2D; at += 1 }
                out[at] = hexDigits[Int(byte >> 4)]
                out[at + 1] = hexDigits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }
}
