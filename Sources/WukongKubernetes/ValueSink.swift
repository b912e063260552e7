import WukongNet

/// Receives a value in document order: maps and lists open and close, keys and values
/// alternate inside a map. `YAMLWriter` turns the calls straight into libyaml events;
/// `TreeSink` builds the `KubeValue` tree (JSON output, apply, diff, `objects(for:)`).
///
/// The objects there are one of per VM (Secret, VirtualMachine, networkData) are laid out
/// once, generically, against this protocol: the streamed YAML never builds their trees, and
/// the two paths cannot disagree on a key or its order.
protocol ValueSink {
    mutating func mapStart()
    mutating func mapEnd()
    mutating func listStart()
    mutating func listEnd()
    /// A constant key or string value that no resolver reads as anything but a string (it is
    /// written plain, as `string` would write it).
    mutating func word(_ s: StaticString)
    mutating func string(_ s: String)
    mutating func int(_ i: Int)
    mutating func bool(_ b: Bool)
    /// A whole value built earlier (labels shared by every object).
    mutating func value(_ v: KubeValue)
    /// The base64 text of `bytes`, as a string value.
    mutating func base64(_ bytes: UnsafeBufferPointer<UInt8>)
    /// A string value that is base64 text (`Base64.encode` output).
    mutating func base64Text(_ s: String)
    /// A MAC address as a string value (`aa:bb:cc:dd:ee:ff`).
    mutating func mac(_ m: MACAddress)
}

extension ValueSink {
    /// `{}`
    mutating func emptyMap() { mapStart(); mapEnd() }
}

/// Builds the `KubeValue` that a sequence of `ValueSink` calls describes.
struct TreeSink: ValueSink {
    private enum Frame {
        case map([KubeField], key: String?)
        case list([KubeValue])
    }
    private var stack: [Frame] = []
    private(set) var result: KubeValue = .null

    private mutating func add(_ v: KubeValue) {
        guard let top = stack.popLast() else { result = v; return }
        switch top {
        case .map(var fields, let key):
            if let key {
                fields.append(KubeField(key, v))
                stack.append(.map(fields, key: nil))
            } else if case .string(let k) = v {
                stack.append(.map(fields, key: k))
            } else {
                preconditionFailure("a map key must be a string")
            }
        case .list(var items):
            items.append(v)
            stack.append(.list(items))
        }
    }

    mutating func mapStart() { stack.append(.map([], key: nil)) }
    mutating func mapEnd() {
        guard case .map(let fields, _)? = stack.popLast() else { preconditionFailure("unbalanced mapEnd") }
        add(.map(fields))
    }
    mutating func listStart() { stack.append(.list([])) }
    mutating func listEnd() {
        guard case .list(let items)? = stack.popLast() else { preconditionFailure("unbalanced listEnd") }
        add(.list(items))
    }
    mutating func word(_ s: StaticString) { add(.string(s.description)) }
    mutating func string(_ s: String) { add(.string(s)) }
    mutating func int(_ i: Int) { add(.int(i)) }
    mutating func bool(_ b: Bool) { add(.bool(b)) }
    mutating func value(_ v: KubeValue) { add(v) }
    mutating func base64(_ bytes: UnsafeBufferPointer<UInt8>) { add(.string(Base64.encode(bytes))) }
    mutating func base64Text(_ s: String) { add(.string(s)) }
    mutating func mac(_ m: MACAddress) { add(.string(m.text)) }

    /// The value that `write` describes.
    static func build(_ write: (inout TreeSink) -> Void) -> KubeValue {
        var s = TreeSink()
        write(&s)
        return s.result
    }
}
