/// Standard base64 (RFC 4648 §4, with padding), the encoding of Secret `data` values.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    static func encode(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { encode($0) } }

    static func encode(_ src: UnsafeBufferPointer<UInt8>) -> String {
        let length = encodedLength(src.count)
        if length == 0 { return "" }
        // Written straight into the string's storage (ASCII only, so no UTF-8 validation pass).
        return String(unsafeUninitializedCapacity: length) { out in encode(src, into: out.baseAddress!) }
    }

    static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Writes the `encodedLength(src.count)` bytes of the encoding at `out`; returns that length.
    @discardableResult
    static func encode(_ src: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = src.count
        return alphabet.withUnsafeBufferPointer { a in
            var i = 0, o = 0
            while i + 3 <= n {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                out[o] = a[Int(v >> 18 & 63)]
                out[o + 1] = a[Int(v >> 12 & 63)]
                out[o + 2] = a[Int(v >> 6 & 63)]
                out[o + 3] = a[Int(v & 63)]
                i += 3
                o += 4
            }
            let rest = n - i
            if rest > 0 {
                let v = UInt32(src[i]) << 16 | (rest == 2 ? UInt32(src[i + 1]) << 8 : 0)
                out[o] = a[Int(v >> 18 & 63)]
                out[o + 1] = a[Int(v >> 12 & 63)]
                out[o + 2] = rest == 2 ? a[Int(v >> 6 & 63)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }
}

import WukongNet

extension MACAddress {
    /// Lowercase `aa:bb:cc:dd:ee:ff` (the same text as `description`, without its per-byte
    /// string allocations: the back end writes three per NIC).
    var text: String {
        String(unsafeUninitializedCapacity: 17) { buf in
            write(into: buf.baseAddress!)
            return 17
        }
    }

    /// Writes the 17 bytes of `text` at `out`.
    func write(into out: UnsafeMutablePointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        var v = value
        var i = 16
        for byte in 0..<6 {
            out[i] = digits[Int(v & 0xF)]
            out[i - 1] = digits[Int(v >> 4 & 0xF)]
            if byte < 5 { out[i - 2] = UInt8(ascii: ":") }
            v >>= 8
            i -= 3
        }
    }
}
