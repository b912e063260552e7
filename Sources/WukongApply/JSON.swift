// Compact JSON for KubeValue (request bodies: JSON is valid apply-patch+yaml) and a small
// order-preserving JSON parser for responses (so diffs and reports keep the server's key order).
import WukongKubernetes

public enum KubeJSON {
    /// Compact JSON, keys in the object's order.
    public static func encode(_ value: KubeValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func encodeString(_ value: KubeValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    static func write(_ value: KubeValue, into out: inout [UInt8]) {
        switch value {
        case .string(let s): writeString(s, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, field) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(field.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(field.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses JSON into KubeValue. Numbers that are not integers (rare in API objects) are kept
    /// as their literal text in a `.string`.
    public static func decode(_ bytes: [UInt8]) throws(ParseError) -> KubeValue {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.pos != bytes.count { throw ParseError(offset: p.pos, message: "trailing characters") }
        return v
    }

    struct Parser {
        let bytes: [UInt8]
        var pos = 0

        mutating func skipSpace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 {
                pos += 1
            }
        }

        func fail(_ m: String) -> ParseError { ParseError(offset: pos, message: m) }

        mutating func value(depth: Int) throws(ParseError) -> KubeValue {
            guard depth < 512 else { throw fail("nesting too deep") }
            guard pos < bytes.count else { throw fail("unexpected end") }
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var fields: [KubeField] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .map(fields) }
                while true {
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try string()
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    pos += 1
                    skipSpace()
                    fields.append(KubeField(key, try value(depth: depth + 1)))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .map(fields) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                pos += 1
                var items: [KubeValue] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .list(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .list(items) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null"); return .null
            default:
                return try number()
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else { throw fail("unexpected character") }
            pos += w.count
        }

        mutating func number() throws(ParseError) -> KubeValue {
            let start = pos
            var integral = true
            while pos < bytes.count {
                let b = bytes[pos]
                if (b >= 48 && b <= 57) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                    pos += 1
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    integral = false; pos += 1
                } else { break }
            }
            guard pos > start else { throw fail("unexpected character") }
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            if integral, let i = Int(text) { return .int(i) }
            return .string(text)
        }

        mutating func string() throws(ParseError) -> String {
            pos += 1  // opening quote
            var out: [UInt8] = []
            while pos < bytes.count {
                let b = bytes[pos]
                if b == UInt8(ascii: "\"") { pos += 1; return String(decoding: out, as: UTF8.self) }
                if b == UInt8(ascii: "\\") {
                    pos += 1
                    guard pos < bytes.count else { break }
                    let e = bytes[pos]
                    pos += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if code >= 0xD800 && code < 0xDC00, pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"),
                           bytes[pos + 1] == UInt8(ascii: "u") {
                            pos += 2
                            let low = try hex4()
                            if low >= 0xDC00 && low < 0xE000 { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) }
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(e)
                    }
                    continue
                }
                out.append(b)
                pos += 1
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw fail("bad \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[pos]
                let d: UInt32
                switch b {
                case 48...57: d = UInt32(b - 48)
                case 97...102: d = UInt32(b - 87)
                case 65...70: d = UInt32(b - 55)
                default: throw fail("bad \\u escape")
                }
                v = v * 16 + d
                pos += 1
            }
            return v
        }
    }
}

extension KubeValue {
    /// `self[a][b]...` for a path of map keys.
    func at(_ path: String...) -> KubeValue? {
        var cur: KubeValue? = self
        for k in path { cur = cur?[k] }
        return cur
    }

    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    var listValue: [KubeValue]? { if case .list(let l) = self { return l }; return nil }

    /// A copy without the given top-level or nested key path (e.g. ["metadata", "uid"]).
    func removing(_ path: ArraySlice<String>) -> KubeValue {
        guard let first = path.first, case .map(var fields) = self else { return self }
        if path.count == 1 {
            fields.removeAll { $0.key == first }
            return .map(fields)
        }
        for i in fields.indices where fields[i].key == first {
            fields[i].value = fields[i].value.removing(path.dropFirst())
        }
        return .map(fields)
    }

    /// A copy with `key` of a map replaced (or appended).
    func setting(_ key: String, _ value: KubeValue) -> KubeValue {
        guard case .map(var fields) = self else { return self }
        if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].value = value } else { fields.append(KubeField(key, value)) }
        return .map(fields)
    }
}
