import WukongDiagnostics

/// Syntax of crypt(3) password hashes and OpenSSH public keys (V-PASS, V-SSHKEY). No Foundation.

enum PasswordHash {
    static let methods: Set<String> = ["1", "5", "6", "y", "2b"]

    /// Why `text` is not `$id$[rounds=N$]salt$hash` (yescrypt: `$y$params$salt$hash`), or nil.
    static func problem(_ text: String) -> PasswordHashProblem? {
        guard text.hasPrefix("$") else { return .noDollar }
        let fields = text.utf8.dropFirst().split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
            .map { Array($0) }
        guard let idBytes = fields.first else { return .noMethod }
        let id = String(decoding: idBytes, as: UTF8.self)
        guard methods.contains(id) else { return .unknownMethod(id) }
        var rest = Array(fields.dropFirst())
        if id == "5" || id == "6", let f = rest.first, f.starts(with: Array("rounds=".utf8)) {
            let digits = f.dropFirst(7)
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .malformedRounds }
            rest.removeFirst()
        }
        let expected = id == "y" ? 3 : 2
        guard rest.count == expected else { return .fields(method: id) }
        for (i, f) in rest.enumerated() {
            if f.isEmpty { return i == rest.count - 1 ? .emptyHash : .emptySalt }
            if let bad = f.first(where: { !isCryptChar($0) }) { return .character(String(decoding: [bad], as: UTF8.self)) }
        }
        return nil
    }

    @inline(__always)
    static func isCryptChar(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2F
    }
}

enum SSHKey {
    static let types: [String] = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                  "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"]

    /// Why `text` is not `<type> <base64> [comment]` with a blob naming the same type, or nil.
    static func problem(_ text: String) -> SSHKeyProblem? {
        if text.contains(where: { $0 == "\n" || $0 == "\r" }) { return .severalLines }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2 else { return .notTypeAndBody }
        let type = String(parts[0])
        guard types.contains(type) else { return .unsupportedType(type, allowed: types) }
        guard let blob = Base64.decode(Array(parts[1].utf8)) else { return .bodyNotBase64 }
        guard blob.count >= 4 else { return .bodyTooShort }
        let n = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard n <= blob.count - 4 else { return .bodyTooShort }
        let inner = String(decoding: blob[4..<(4 + n)], as: UTF8.self)
        guard inner == type else { return .typeMismatch(declared: type, body: inner) }
        return nil
    }
}

/// RFC 4648 base64 (standard alphabet), strict: padding optional only at the very end, no stray characters.
enum Base64 {
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x41...0x5A: return c - 0x41
        case 0x61...0x7A: return c - 0x61 + 26
        case 0x30...0x39: return c - 0x30 + 52
        case 0x2B: return 62
        case 0x2F: return 63
        default: return nil
        }
    }

    static func decode(_ input: [UInt8]) -> [UInt8]? {
        var body = input[...]
        var pad = 0
        while body.last == 0x3D { body = body.dropLast(); pad += 1 }
        guard pad <= 2 else { return nil }
        if pad > 0 && (body.count + pad) % 4 != 0 { return nil }
        guard body.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0
        for c in body {
            guard let v = value(c) else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        // leftover bits must be zero (canonical encoding)
        guard acc == 0 else { return nil }
        return out
    }
}
