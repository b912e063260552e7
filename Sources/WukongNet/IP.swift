// WukongNet: the value types of networking shared by every stage — IP addresses, CIDRs,
// interface addresses, MACs, quantities, hashes — and the enumerated VM settings whose meaning
// the front end and the back ends must agree on (`VMSettings.swift`).

/// An IPv4 or IPv6 address. IPv4 lives in the low 32 bits of `lo`.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let isV6: Bool
    public let hi: UInt64
    public let lo: UInt64

    public init(v4: UInt32) { isV6 = false; hi = 0; lo = UInt64(v4) }
    public init(v6hi: UInt64, lo: UInt64) { isV6 = true; hi = v6hi; self.lo = lo }

    public var isV4: Bool { !isV6 }
    public var v4: UInt32 { UInt32(truncatingIfNeeded: lo) }
    public var bitWidth: Int { isV6 ? 128 : 32 }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isV6 != b.isV6 { return !a.isV6 }
        return (a.hi, a.lo) < (b.hi, b.lo)
    }

    /// Parses dotted IPv4 (four decimal octets, no leading zeros) or RFC 4291 IPv6 text.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddress.parseV6(text) else { return nil }
            self = v
        } else {
            guard let v = IPAddress.parseV4(text) else { return nil }
            self = IPAddress(v4: v)
        }
    }

    public static func parseV4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            if p.count > 1 && p.first == "0" { return nil }
            guard let n = UInt32(p), n <= 255 else { return nil }
            v = v << 8 | n
        }
        return v
    }

    static func parseV6(_ text: String) -> IPAddress? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] } // zone ids are not addresses
        guard !s.isEmpty, s.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        var sawDouble = false
        var halves: [String] = []
        if let r = s.firstRange(of: "::") {
            halves = [String(s[..<r.lowerBound]), String(s[r.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else { halves = [String(s)] }
        guard halves.count <= 2 else { return nil }
        sawDouble = halves.count == 2
        func parseGroups(_ part: String, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if i == items.count - 1, allowV4Tail, item.contains(".") {
                    guard let v4 = parseV4(String(item)) else { return nil }
                    out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !item.isEmpty, item.count <= 4, let g = UInt16(item, radix: 16) else { return nil }
                out.append(g)
            }
            return out
        }
        if sawDouble {
            guard let a = parseGroups(halves[0], allowV4Tail: false),
                  let b = parseGroups(halves[1], allowV4Tail: true) else { return nil }
            guard a.count + b.count <= 7 else { return nil }
            groups = a; tailGroups = b
            groups += [UInt16](repeating: 0, count: 8 - a.count - b.count) + tailGroups
        } else {
            guard let a = parseGroups(halves[0], allowV4Tail: true), a.count == 8 else { return nil }
            groups = a
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(groups[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(groups[i]) }
        return IPAddress(v6hi: hi, lo: lo)
    }

    /// RFC 5952 text: lowercase, longest zero run (≥ 2 groups) compressed.
    public var description: String {
        if !isV6 {
            let v = v4
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var g: [UInt16] = []
        for i in (0..<4).reversed() { g.append(UInt16(truncatingIfNeeded: hi >> (UInt64(i) * 16))) }
        for i in (0..<4).reversed() { g.append(UInt16(truncatingIfNeeded: lo >> (UInt64(i) * 16))) }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }

    /// Address + n; nil when the result leaves the address family.
    public func adding(_ n: Int) -> IPAddress? {
        if !isV6 {
            let (r, o) = Int64(v4).addingReportingOverflow(Int64(n))
            guard !o, r >= 0, r <= Int64(UInt32.max) else { return nil }
            return IPAddress(v4: UInt32(r))
        }
        let magnitude = n.magnitude
        if n >= 0 {
            let (l, o) = lo.addingReportingOverflow(UInt64(magnitude))
            if o { guard hi < UInt64.max else { return nil }; return IPAddress(v6hi: hi + 1, lo: l) }
            return IPAddress(v6hi: hi, lo: l)
        } else {
            let (l, o) = lo.subtractingReportingOverflow(UInt64(magnitude))
            if o { guard hi > 0 else { return nil }; return IPAddress(v6hi: hi - 1, lo: l) }
            return IPAddress(v6hi: hi, lo: l)
        }
    }

    /// self - other as Int; nil when of different families or out of Int range.
    public func distance(from other: IPAddress) -> Int? {
        guard isV6 == other.isV6 else { return nil }
        if !isV6 { return Int(v4) - Int(other.v4) }
        if self >= other {
            let (l, borrow) = lo.subtractingReportingOverflow(other.lo)
            let h = hi &- other.hi &- (borrow ? 1 : 0)
            guard h == 0, l <= UInt64(Int.max) else { return nil }
            return Int(l)
        } else {
            guard let d = other.distance(from: self) else { return nil }
            return -d
        }
    }

    /// The address with the low (width - prefix) bits cleared / set.
    public func masked(prefix: Int) -> IPAddress { applyMask(prefix: prefix, setHost: false) }
    public func withHostBitsSet(prefix: Int) -> IPAddress { applyMask(prefix: prefix, setHost: true) }

    func applyMask(prefix: Int, setHost: Bool) -> IPAddress {
        if !isV6 {
            let hostBits = 32 - max(0, min(32, prefix))
            let mask: UInt32 = hostBits == 32 ? 0 : ~UInt32(0) << UInt32(hostBits)
            return IPAddress(v4: setHost ? (v4 & mask) | ~mask : v4 & mask)
        }
        let p = max(0, min(128, prefix))
        func m(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - bits) }
        let mh = m(p), ml = m(p - 64)
        return setHost ? IPAddress(v6hi: (hi & mh) | ~mh, lo: (lo & ml) | ~ml) : IPAddress(v6hi: hi & mh, lo: lo & ml)
    }
}

/// A network: address + prefix length with host bits zero (`192.168.0.0/24`).
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    /// nil when host bits are set; use `IfAddr` to keep them, or `.network` to clear them.
    public init?(network: IPAddress, prefix: Int) {
        guard prefix >= 0, prefix <= network.bitWidth, network.masked(prefix: prefix) == network else { return nil }
        self.network = network; self.prefix = prefix
    }

    /// Parses "a.b.c.d/n" or "v6/n"; `hostBitsSet` tells when the only fault was host bits.
    public static func parse(_ text: String) -> (cidr: CIDR?, ifaddr: IfAddr?) {
        guard let ifa = IfAddr(text) else { return (nil, nil) }
        return (CIDR(network: ifa.address, prefix: ifa.prefix), ifa)
    }

    public var description: String { "\(network)/\(prefix)" }
    public var isV6: Bool { network.isV6 }
    public var broadcast: IPAddress { network.withHostBitsSet(prefix: prefix) }
    public var last: IPAddress { broadcast }
    public func contains(_ ip: IPAddress) -> Bool { ip.isV6 == network.isV6 && ip.masked(prefix: prefix) == network }
    public func overlaps(_ other: CIDR) -> Bool {
        guard isV6 == other.isV6 else { return false }
        return prefix <= other.prefix ? contains(other.network) : other.contains(network)
    }
    /// Number of addresses; nil when it does not fit in Int (big IPv6 prefixes).
    public var size: Int? {
        let hostBits = network.bitWidth - prefix
        return hostBits >= 63 ? nil : 1 << hostBits
    }
    /// The n-th address (0 = network address); nil when outside.
    public func host(_ n: Int) -> IPAddress? {
        guard n >= 0 else { return nil }
        if let s = size, n >= s { return nil }
        guard let ip = network.adding(n), contains(ip) else { return nil }
        return ip
    }
}

/// An interface address: address + prefix, host bits allowed (`192.168.0.121/24`).
public struct IfAddr: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefix: Int
    public init(address: IPAddress, prefix: Int) { self.address = address; self.prefix = prefix }
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddress(String(parts[0])),
              !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              !(parts[1].count > 1 && parts[1].first == "0"),
              let p = Int(parts[1]), p <= ip.bitWidth else { return nil }
        address = ip; prefix = p
    }
    public var network: CIDR { CIDR(network: address.masked(prefix: prefix), prefix: prefix)! }
    public var description: String { "\(address)/\(prefix)" }
}

/// A 48-bit MAC address, printed lowercase with colons.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }
    public init?(_ text: String) {
        let parts = text.split(separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        value = v
    }
    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * $0)) } }
    public var isMulticast: Bool { bytes[0] & 0x01 != 0 }
    public var isLocallyAdministered: Bool { bytes[0] & 0x02 != 0 }
    public var isZero: Bool { value == 0 }
    public var description: String {
        bytes.map { b in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined(separator: ":")
    }
    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }
}

// Codable as their canonical text, for the IR's JSON.
extension IPAddress: Codable {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = IPAddress(s) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad IP \(s)")) }
        self = v
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}
extension CIDR: Codable {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = CIDR.parse(s).cidr else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad CIDR \(s)")) }
        self = v
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}
extension IfAddr: Codable {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = IfAddr(s) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad address \(s)")) }
        self = v
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}
extension MACAddress: Codable {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = MACAddress(s) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad MAC \(s)")) }
        self = v
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}
extension Quantity: Codable {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard case .success(let v) = Quantity.parse(s) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad quantity \(s)")) }
        self = v
    }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}
