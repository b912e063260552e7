/// JSON rendering of Kubernetes objects, keys in the order of the `KubeValue` maps.
///
/// `stream` writes one `v1 List` (`{"apiVersion": "v1", "kind": "List", "items": [...]}`),
/// pretty-printed with 2-space indentation (`"key": value`, one member per line): a single JSON value
/// that `kubectl apply -f`, `jq` and every JSON parser accept.
public enum JSONOutput {
    public static func stream(_ objects: [KubeObject]) -> String {
        let list = KubeValue.map([
            KubeField("apiVersion", .string("v1")),
            KubeField("kind", .string("List")),
            KubeField("items", .list(objects.map(\.body))),
        ])
        var out: [UInt8] = []
        out.reserveCapacity(objects.count * 2048)
        writePretty(list, indent: 0, into: &out)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    /// One value, pretty-printed, newline-terminated.
    public static func pretty(_ value: KubeValue) -> String {
        var out: [UInt8] = []
        writePretty(value, indent: 0, into: &out)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    /// One value on one line without spaces (NAD `spec.config`).
    public static func compact(_ value: KubeValue) -> String {
        var out: [UInt8] = []
        writeCompact(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeCompact(_ v: KubeValue, into out: inout [UInt8]) {
        switch v {
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeCompact(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(f.key, into: &out)
                out.append(UInt8(ascii: ":"))
                writeCompact(f.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            writeScalar(v, into: &out)
        }
    }

    static func writePretty(_ v: KubeValue, indent: Int, into out: inout [UInt8]) {
        func newline(_ n: Int) {
            out.append(0x0A)
            for _ in 0..<n { out.append(0x20) }
        }
        switch v {
        case .list(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writePretty(item, indent: indent + 2, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .map(let fields):
            if fields.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, f) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writeString(f.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(f.value, indent: indent + 2, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            writeScalar(v, into: &out)
        }
    }

    static func writeScalar(_ v: KubeValue, into out: inout [UInt8]) {
        switch v {
        case .string(let s): writeString(s, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .list, .map: writeCompact(v, into: &out)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8259 string: `"` and `\` escaped, control characters as `\n`, `\t`… or `\u00XX`;
    /// everything else (non-ASCII included) as UTF-8.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
