import WukongDiagnostics
import WukongNet
import WukongSyntax

// The value model of evaluation (LANGUAGE.md §3). Values are plain enums; every value that
// ends up in the checked program travels with the span of the expression that produced it.
// `.error` is the poisoned value: every operation on it yields `.error` again without a
// diagnostic, which is how "no cascades" falls out of the design.

/// The kinds of resources a name can refer to: the resource kinds but `topology`, `user` and `disk`,
/// spelled as their keywords (the raw values of `ResourceKind`).
enum RefKind: String, Sendable, CaseIterable {
    case host, nic, vlan, bond, bridge, ovsBridge = "ovs-bridge", network, vm

    init?(_ kind: ResourceKind) {
        switch kind {
        case .host: self = .host
        case .nic: self = .nic
        case .vlan: self = .vlan
        case .bond: self = .bond
        case .bridge: self = .bridge
        case .ovsBridge: self = .ovsBridge
        case .network: self = .network
        case .vm: self = .vm
        case .topology, .user, .disk: return nil
        }
    }

    /// The type name used in messages and annotations.
    var typeName: String {
        switch self {
        case .ovsBridge: return "OvsBridge"
        case .vm: return "VM"
        default: return rawValue.prefix(1).uppercased() + rawValue.dropFirst()
        }
    }

    /// The keyword that declares it.
    var keyword: String { rawValue }

    var isLink: Bool { self == .nic || self == .vlan || self == .bond }

    /// The kind of the declaration, as the syntax names it.
    var resourceKind: ResourceKind { ResourceKind(rawValue: rawValue)! }
}

/// A reference to a declared resource: its kind, name and the index of its (first) instance.
struct Ref: Sendable, Equatable {
    var kind: RefKind
    var name: String
    var instance: Int
    static func == (a: Ref, b: Ref) -> Bool { a.kind == b.kind && a.name == b.name }
}

/// A range value: `a..b` / `a..=b`, kept as an interval (never materialised unless iterated).
enum RangeValue: Sendable, Equatable {
    /// Inclusive bounds; empty when `last < first`.
    case int(first: Int, last: Int)
    /// Inclusive bounds; `nil` when empty.
    case ip(first: IPAddress, last: IPAddress)
    case emptyIP

    var count: Int? {
        switch self {
        case .int(let f, let l):
            if l < f { return 0 }
            let (d, o) = l.subtractingReportingOverflow(f)
            if o || d == Int.max { return nil }
            return d + 1
        case .ip(let f, let l):
            guard let d = l.distance(from: f), d < Int.max else { return nil }
            return d + 1
        case .emptyIP: return 0
        }
    }
}

/// An ordered record; lookups are linear (records are small).
struct RecordValue: Sendable, Equatable {
    var keys: [String] = []
    var values: [LValue] = []
    var keySpans: [Span] = []

    func index(of key: String) -> Int? { keys.firstIndex(of: key) }
    subscript(key: String) -> LValue? {
        guard let i = index(of: key) else { return nil }
        return values[i]
    }
    /// Sets or replaces a field (a replaced field keeps its position).
    mutating func set(_ key: String, _ value: LValue, keySpan: Span) {
        if let i = index(of: key) { values[i] = value; keySpans[i] = keySpan; return }
        keys.append(key); values.append(value); keySpans.append(keySpan)
    }
}

enum Value: Sendable, Equatable {
    case int(Int)
    case bool(Bool)
    case string(String)
    case quantity(Quantity)
    case ip(IPAddress)
    case cidr(CIDR)
    case ifaddr(IfAddr)
    case mac(MACAddress)
    case list([LValue])
    case record(RecordValue)
    case range(RangeValue)
    case ref(Ref)
    /// `vm.nic`: the VM's instance index and the NIC's name.
    case vmNic(vm: Int, nic: String)
    case auto, dhcp, pod
    /// An imported module (index into the module table); not a value, only reachable by `.`.
    case module(Int)
    /// A function name (only callable).
    case function(String)
    case error

    /// The number of elements of a list or range (nil otherwise, or when too large).
    var elementCount: Int? {
        switch self {
        case .list(let xs): return xs.count
        case .range(let r): return r.count.flatMap { $0 <= 1_000_000 ? $0 : nil }
        default: return nil
        }
    }

    var isError: Bool { if case .error = self { return true } else { return false } }

    /// Structural equality as the language's `==` sees it (quantities by value, refs by kind+name).
    static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.quantity(let x), .quantity(let y)): return x == y
        case (.ip(let x), .ip(let y)): return x == y
        case (.cidr(let x), .cidr(let y)): return x == y
        case (.ifaddr(let x), .ifaddr(let y)): return x == y
        case (.mac(let x), .mac(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.value == $1.value }
        case (.record(let x), .record(let y)):
            guard x.keys.count == y.keys.count else { return false }
            for (i, k) in x.keys.enumerated() {
                guard let v = y[k], v.value == x.values[i].value else { return false }
            }
            return true
        case (.range(let x), .range(let y)): return x == y || (x.count == 0 && y.count == 0)
        case (.list(let xs), .range(let r)), (.range(let r), .list(let xs)):
            // a range is the list of its elements
            guard r.count == xs.count else { return false }
            for (i, x) in xs.enumerated() {
                switch (r, x.value) {
                case (.int(let f, _), .int(let v)): if v != f + i { return false }
                case (.ip(let f, _), .ip(let a)): if f.adding(i) != a { return false }
                default: return false
                }
            }
            return true
        case (.ref(let x), .ref(let y)): return x == y
        case (.vmNic(let v1, let n1), .vmNic(let v2, let n2)): return v1 == v2 && n1 == n2
        case (.auto, .auto), (.dhcp, .dhcp), (.pod, .pod): return true
        case (.module(let x), .module(let y)): return x == y
        case (.function(let x), .function(let y)): return x == y
        default: return false
        }
    }
}

extension Value {
    /// `==` as `Value.==` sees it, counting each list element and record field compared
    /// against `budget`: nil once it is spent (a list that shares its elements, `[l, l]`
    /// forty times over, has 2^40 leaves).
    func equals(_ other: Value, budget: inout Int) -> Bool? {
        switch (self, other) {
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices {
                budget -= 1
                if budget < 0 { return nil }
                guard let e = x[i].value.equals(y[i].value, budget: &budget) else { return nil }
                if !e { return false }
            }
            return true
        case (.record(let x), .record(let y)):
            guard x.keys.count == y.keys.count else { return false }
            for (i, k) in x.keys.enumerated() {
                budget -= 1
                if budget < 0 { return nil }
                guard let v = y[k] else { return false }
                guard let e = x.values[i].value.equals(v.value, budget: &budget) else { return nil }
                if !e { return false }
            }
            return true
        default:
            return self == other
        }
    }
}

/// A value and the span of the expression that produced it.
struct LValue: Sendable, Equatable {
    var value: Value
    var span: Span
    init(_ value: Value, _ span: Span) { self.value = value; self.span = span }
    static func error(_ span: Span) -> LValue { LValue(.error, span) }
    static func == (a: LValue, b: LValue) -> Bool { a.value == b.value }
}

/// Static types: annotations, schemas, messages. `.error` matches everything silently.
indirect enum VType: Sendable, Equatable {
    case int, bool, string, quantity, ip, cidr, ifaddr, mac
    case list(VType)
    /// A record with known fields (`routes` entries, annotations `{a: Int}`).
    case record([RecordFieldType])
    /// A record with any keys, all of one type (`labels`).
    case map(VType)
    case ref(RefKind)
    /// Nic | Vlan | Bond
    case link
    case addressMode
    /// A VM NIC's `address`: IP | IfAddr | auto | dhcp.
    case nicAddress
    /// A VM NIC's `on`: Network | pod.
    case nicNetwork
    /// A VM's `image`: a reference string, or a record `{ ref, network_config }` (`std.images`).
    case image
    /// `a ..= b` over IPs (a network's `pool`).
    case ipRange
    case pod
    case vmNic
    /// One value, or a list of at most one per address family (dual-stack `subnet`, `gateway`,
    /// `pool`, a VM NIC's `address`); the families are checked by NetworkChecks.
    case perFamily(VType)
    case module, function
    /// Anything (the element type of `[]`).
    case any
    case error

    /// The types written by name in annotations (`let x: CIDR`, `fn f(n: Network)`).
    static let nameable: [VType] = [.int, .bool, .string, .quantity, .ip, .cidr, .ifaddr, .mac, .link, .addressMode]
        + RefKind.allCases.map { .ref($0) }

    var description: String {
        switch self {
        case .int: return "Int"
        case .bool: return "Bool"
        case .string: return "String"
        case .quantity: return "Quantity"
        case .ip: return "IP"
        case .cidr: return "CIDR"
        case .ifaddr: return "IfAddr"
        case .mac: return "MAC"
        case .list(let t): return "[\(t.description)]"
        case .record(let fs): return "{" + fs.map { "\($0.name): \($0.type.description)" }.joined(separator: ", ") + "}"
        case .map(let t): return "{String: \(t.description)}"
        case .ref(let k): return k.typeName
        case .link: return "Link"
        case .addressMode: return "AddressMode"
        case .nicAddress: return "IP, IfAddr, `auto` or `dhcp`"
        case .nicNetwork: return "Network or `pod`"
        case .ipRange: return "IP range"
        case .image: return "String or `{ref: String, network_config: String}`"
        case .pod: return "pod"
        case .vmNic: return "VM NIC"
        case .perFamily(let t): return "\(t.description) or [\(t.description)]"
        case .module: return "module"
        case .function: return "function"
        case .any: return "any"
        case .error: return "<error>"
        }
    }
}

struct RecordFieldType: Sendable, Equatable {
    var name: String
    var type: VType
}

extension Value {
    /// The dynamic type of a value (element types from the first element).
    var type: VType {
        switch self {
        case .int: return .int
        case .bool: return .bool
        case .string: return .string
        case .quantity: return .quantity
        case .ip: return .ip
        case .cidr: return .cidr
        case .ifaddr: return .ifaddr
        case .mac: return .mac
        case .list(let xs): return .list(xs.first?.value.type ?? .any)
        case .record(let r): return .record(zip(r.keys, r.values).map { RecordFieldType(name: $0, type: $1.value.type) })
        case .range(let r):
            if case .int = r { return .list(.int) }
            return .list(.ip)
        case .ref(let r): return .ref(r.kind)
        case .vmNic: return .vmNic
        case .auto, .dhcp: return .addressMode
        case .pod: return .pod
        case .module: return .module
        case .function: return .function
        case .error: return .error
        }
    }

    /// The text of `str(x)` and of `${x}`.
    var text: String {
        switch self {
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .quantity(let q): return q.description
        case .ip(let a): return a.description
        case .cidr(let c): return c.description
        case .ifaddr(let a): return a.description
        case .mac(let m): return m.description
        case .list(let xs): return "[" + xs.map { $0.value.quotedText }.joined(separator: ", ") + "]"
        case .record(let r):
            return "{ " + zip(r.keys, r.values).map { "\($0) = \($1.value.quotedText)" }.joined(separator: ", ") + " }"
        case .range(let r):
            switch r {
            case .int(let f, let l): return "\(f)..=\(l)"
            case .ip(let f, let l): return "\(f)..=\(l)"
            case .emptyIP: return "[]"
            }
        case .ref(let r): return r.name
        case .vmNic(_, let n): return n
        case .auto: return "auto"
        case .dhcp: return "dhcp"
        case .pod: return "pod"
        case .module: return "<module>"
        case .function(let f): return f
        case .error: return ""
        }
    }

    var quotedText: String {
        if case .string(let s) = self { return "\"" + s + "\"" }
        return text
    }

    /// `text`, or nil as soon as it passes `limit` UTF-8 bytes. Written piece by piece and
    /// checked as it goes: a list whose elements share storage (`[l, l]` forty times over)
    /// stands for 2^40 leaves, far more than could be rendered before checking.
    func text(limit: Int) -> String? {
        var w = TextWriter(limit: limit)
        return w.write(self, quoted: false) ? w.out : nil
    }

    /// As `text(limit:)`, strings in quotes (as written in source).
    func quotedText(limit: Int) -> String? {
        var w = TextWriter(limit: limit)
        return w.write(self, quoted: true) ? w.out : nil
    }
}

/// Writes values as `Value.text` does, up to a limit. A list's text is remembered by its
/// storage, so a list shared by several elements is rendered once and then copied.
private struct TextWriter {
    let limit: Int
    var out = ""
    var rendered: [UnsafeRawPointer: String] = [:]
    init(limit: Int) { self.limit = limit }

    /// Appends the value's text (quoted: a string in quotes); false once `out` passes `limit`.
    mutating func write(_ v: Value, quoted: Bool) -> Bool {
        switch v {
        case .list(let xs):
            // the storage stays alive while the value is written (the root value holds it)
            let key = xs.count > 1 ? xs.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0) } } : nil
            if let key, let t = rendered[key] {
                out += t
                return out.utf8.count <= limit
            }
            let start = out.utf8.count
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += ", " }
                guard write(x.value, quoted: true) else { return false }
            }
            out += "]"
            if let key { rendered[key] = String(out.utf8.dropFirst(start))! }
        case .record(let r):
            out += "{ "
            for i in r.keys.indices {
                if i > 0 { out += ", " }
                out += r.keys[i]
                out += " = "
                guard write(r.values[i].value, quoted: true) else { return false }
            }
            out += " }"
        case .string(let s) where quoted:
            out += "\""
            out += s
            out += "\""
        default:
            out += v.text
        }
        return out.utf8.count <= limit
    }
}

/// Names that are valid declaration names (LANGUAGE.md §2): `[A-Za-z_][A-Za-z0-9_-]*`, not ending in `-`, not a keyword.
enum NameRules {
    /// The reserved words (the lexer's, `TokenKind.keywords`).
    static let keywords: Set<String> = Set(TokenKind.keywords)

    static func isValidName(_ s: String) -> Bool {
        // straight over the UTF-8 view (no array per name: `for` loops name thousands of resources)
        var it = s.utf8.makeIterator()
        guard let f = it.next(), isLetter(f) || f == UInt8(ascii: "_") else { return false }
        var last = f
        while let b = it.next() {
            if !(isLetter(b) || isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")) { return false }
            last = b
        }
        if last == UInt8(ascii: "-") { return false }
        return !keywords.contains(s)
    }
    static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
