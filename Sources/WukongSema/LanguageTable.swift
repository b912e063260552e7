import WukongDiagnostics
import WukongNet
import WukongSyntax

// The one table of the language's operators, built-in functions and built-in members
// (LANGUAGE.md §4): for each, the operand types it takes, the type it yields and the function
// that evaluates it. Everything that needs to know what `a + b`, `len(x)` or `c.host(n)`
// means reads it from here:
//   - the evaluator (`Operators.swift`, `Members.swift`) looks the rule up by the shapes of
//     the operand *values* and calls its evaluation function (which alone reports value
//     errors: overflow, division by zero, address families, out-of-range hosts);
//   - the static typer (`StaticTypes.swift`) looks the same rule up by the *static* types and
//     takes its result type (an unknown operand gives an unknown answer, never an error);
//   - editors (`LanguageFacts`) list names, signatures and documentation from it;
//   - `Schema.builtinMembers` (the names a VM NIC cannot take) is derived from it.
// Messages both passes report are constructors of the diagnostic catalogue
// (`Sources/WukongDiagnostics/Catalogue/`), one each.
// `LanguageTableTests` walks every rule over a value of every type and checks that the static
// pass reports exactly the type errors evaluation reports.
//
// Dispatch is cheap: an operator is looked up by (operator, lhs shape, rhs shape) in a flat
// index built once; members by a short scan of the rules of one shape.

// MARK: - Shapes

/// The part of a type that operators, built-ins and members dispatch on. A range value has
/// the shape of a list (statically, `a..b` is a list).
enum Shape: UInt8, CaseIterable, Sendable {
    case int, bool, string, quantity, ip, cidr, ifaddr, mac, list, record, ref, vmNic, addressMode, pod

    static let count = Shape.allCases.count

    init?(_ t: VType) {
        switch t {
        case .int: self = .int
        case .bool: self = .bool
        case .string: self = .string
        case .quantity: self = .quantity
        case .ip: self = .ip
        case .cidr: self = .cidr
        case .ifaddr: self = .ifaddr
        case .mac: self = .mac
        case .list, .ipRange: self = .list
        case .record: self = .record
        case .ref: self = .ref
        case .vmNic: self = .vmNic
        case .addressMode: self = .addressMode
        case .pod: self = .pod
        case .map, .link, .nicAddress, .nicNetwork, .image, .module, .function, .any, .error, .perFamily: return nil
        }
    }

    /// The shape as documentation names it.
    var typeName: String {
        switch self {
        case .int: return "Int"
        case .bool: return "Bool"
        case .string: return "String"
        case .quantity: return "Quantity"
        case .ip: return "IP"
        case .cidr: return "CIDR"
        case .ifaddr: return "IfAddr"
        case .mac: return "MAC"
        case .list: return "[T]"
        case .record: return "record"
        case .ref: return "resource"
        case .vmNic: return "VM NIC"
        case .addressMode: return "AddressMode"
        case .pod: return "pod"
        }
    }
}

extension Value {
    /// The shape operators and members dispatch on; nil for what is not an operand.
    @inline(__always) var shape: Shape? {
        switch self {
        case .int: return .int
        case .bool: return .bool
        case .string: return .string
        case .quantity: return .quantity
        case .ip: return .ip
        case .cidr: return .cidr
        case .ifaddr: return .ifaddr
        case .mac: return .mac
        case .list, .range: return .list
        case .record: return .record
        case .ref: return .ref
        case .vmNic: return .vmNic
        case .auto, .dhcp: return .addressMode
        case .pod: return .pod
        case .module, .function, .error: return nil
        }
    }
}

extension SType {
    /// The shape of the type as evaluation would see the value (`settled`); nil when unknown.
    var shape: Shape? {
        switch settled {
        case .known(let t): return Shape(t)
        case .list: return .list
        case .record: return .record
        default: return nil
        }
    }
}

// MARK: - Operators

typealias BinaryEval = @Sendable (Engine, BinaryOperator, LValue, LValue, Span) -> LValue
typealias UnaryEval = @Sendable (Engine, UnaryOperator, LValue, Span) -> LValue

/// The result type of an operator rule.
enum OperatorResult: Sendable {
    case type(VType)
    /// `[a] + [b]`: a list of the elements' one type.
    case joinedList
}

struct OperatorRule: Sendable {
    let op: BinaryOperator
    let lhs: Shape
    let rhs: Shape
    let result: OperatorResult
    /// Evaluates the operator on values of the rule's shapes (`&&`/`||` are evaluated lazily
    /// by the evaluator itself; their rule types them).
    let eval: BinaryEval
}

struct UnaryRule: Sendable {
    let op: UnaryOperator
    let operand: Shape
    let result: VType
    let eval: UnaryEval
}

enum OperatorTable {
    /// Every binary operator, in precedence order (low → high).
    static let operators: [BinaryOperator] = [.or, .and, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
                                              .in, .range, .rangeInclusive, .add, .subtract, .multiply, .divide, .remainder]

    @inline(__always) static func ordinal(_ op: BinaryOperator) -> Int {
        switch op {
        case .or: return 0
        case .and: return 1
        case .equal: return 2
        case .notEqual: return 3
        case .less: return 4
        case .lessEqual: return 5
        case .greater: return 6
        case .greaterEqual: return 7
        case .in: return 8
        case .range: return 9
        case .rangeInclusive: return 10
        case .add: return 11
        case .subtract: return 12
        case .multiply: return 13
        case .divide: return 14
        case .remainder: return 15
        }
    }

    static let rules: [OperatorRule] = {
        var rules: [OperatorRule] = []
        func add(_ ops: [BinaryOperator], _ l: Shape, _ r: Shape, _ result: OperatorResult, _ eval: @escaping BinaryEval) {
            for op in ops { rules.append(OperatorRule(op: op, lhs: l, rhs: r, result: result, eval: eval)) }
        }
        // `&&`, `||` (lazy: the evaluator evaluates the right side only when needed)
        add([.and, .or], .bool, .bool, .type(.bool)) { _, op, l, r, s in
            guard case .bool(let a) = l.value, case .bool(let b) = r.value else { return .error(s) }
            return LValue(.bool(op == .and ? a && b : a || b), s)
        }
        // `==`, `!=`: values of one shape (a list and a range are both lists)
        for shape in Shape.allCases {
            add([.equal, .notEqual], shape, shape, .type(.bool)) { e, op, l, r, s in
                guard let eq = e.valuesEqual(l, r, span: s) else { return .error(s) }
                return LValue(.bool(op == .equal ? eq : !eq), s)
            }
        }
        // `< <= > >=`, and `min`/`max`
        for shape in [Shape.int, .quantity, .string, .ip] {
            add([.less, .lessEqual, .greater, .greaterEqual], shape, shape, .type(.bool)) { e, op, l, r, s in
                e.ordering(op, l, r, span: s)
            }
        }
        // `in`
        add([.in], .ip, .cidr, .type(.bool)) { _, _, l, r, s in
            guard case .ip(let a) = l.value, case .cidr(let c) = r.value else { return .error(s) }
            return LValue(.bool(c.contains(a)), s)
        }
        for shape in Shape.allCases {
            add([.in], shape, .list, .type(.bool)) { e, _, l, r, s in e.elementOf(l, r, span: s) }
        }
        // `..`, `..=`
        add([.range, .rangeInclusive], .int, .int, .type(.list(.int))) { e, op, l, r, s in
            e.range(l, r, inclusive: op == .rangeInclusive, span: s)
        }
        add([.range, .rangeInclusive], .ip, .ip, .type(.list(.ip))) { e, op, l, r, s in
            e.range(l, r, inclusive: op == .rangeInclusive, span: s)
        }
        // arithmetic
        add([.add, .subtract, .multiply, .divide, .remainder], .int, .int, .type(.int)) { e, op, l, r, s in
            e.intArithmetic(op, l, r, span: s)
        }
        add([.add], .string, .string, .type(.string)) { e, _, l, r, s in e.concatenate(l, r, span: s) }
        add([.add], .list, .list, .joinedList) { e, _, l, r, s in e.concatenate(l, r, span: s) }
        add([.add, .subtract], .quantity, .quantity, .type(.quantity)) { e, op, l, r, s in e.quantityArithmetic(op, l, r, span: s) }
        add([.multiply], .quantity, .int, .type(.quantity)) { e, op, l, r, s in e.quantityArithmetic(op, l, r, span: s) }
        add([.multiply], .int, .quantity, .type(.quantity)) { e, op, l, r, s in e.quantityArithmetic(op, l, r, span: s) }
        add([.divide], .quantity, .int, .type(.quantity)) { e, op, l, r, s in e.quantityArithmetic(op, l, r, span: s) }
        add([.add, .subtract], .ip, .int, .type(.ip)) { e, op, l, r, s in e.addressOffset(op, l, r, span: s) }
        add([.subtract], .ip, .ip, .type(.int)) { e, op, l, r, s in e.addressDistance(op, l, r, span: s) }
        return rules
    }()

    /// (operator, lhs, rhs) → index into `rules` + 1 (0: no rule).
    private static let index: [UInt16] = {
        var index = [UInt16](repeating: 0, count: operators.count * Shape.count * Shape.count)
        for (i, rule) in rules.enumerated() {
            let k = (ordinal(rule.op) * Shape.count + Int(rule.lhs.rawValue)) * Shape.count + Int(rule.rhs.rawValue)
            precondition(index[k] == 0, "two rules for \(rule.op.rawValue) \(rule.lhs) \(rule.rhs)")
            index[k] = UInt16(i + 1)
        }
        return index
    }()

    /// The rule for values of these shapes, if the operator applies to them.
    @inline(__always) static func rule(_ op: BinaryOperator, _ l: Shape, _ r: Shape) -> OperatorRule? {
        let k = (ordinal(op) * Shape.count + Int(l.rawValue)) * Shape.count + Int(r.rawValue)
        let i = Int(index[k])
        return i == 0 ? nil : rules[i - 1]
    }

    /// The rules of one operator whose operands match the known shapes (nil: any).
    static func rules(_ op: BinaryOperator, lhs: Shape?, rhs: Shape?) -> [OperatorRule] {
        rules.filter { $0.op == op && (lhs == nil || $0.lhs == lhs) && (rhs == nil || $0.rhs == rhs) }
    }

    static let unaryRules: [UnaryRule] = [
        UnaryRule(op: .negate, operand: .int, result: .int) { e, _, v, s in e.negate(v, span: s) },
        UnaryRule(op: .not, operand: .bool, result: .bool) { _, _, v, s in
            guard case .bool(let b) = v.value else { return .error(s) }
            return LValue(.bool(!b), s)
        },
    ]

    @inline(__always) static func unaryRule(_ op: UnaryOperator, _ operand: Shape) -> UnaryRule? {
        switch (op, operand) {
        case (.negate, .int): return unaryRules[0]
        case (.not, .bool): return unaryRules[1]
        default: return nil
        }
    }
}

// MARK: - Built-in members

/// Evaluates a member (`args` empty) or a method call (`args` evaluated with the parameter
/// types expected and coerced to them).
typealias MemberEval = @Sendable (Engine, LValue, [LValue], Identifier, Span) -> LValue

struct MemberRule: Sendable {
    let receiver: Shape
    let name: String
    let result: VType
    /// nil for a member read as `x.name`; the parameter names and types of a method `x.name(…)`.
    let params: [(name: String, type: VType)]?
    let doc: String
    let eval: MemberEval

    var isMethod: Bool { params != nil }

    /// `.host(n: Int) -> IP`, `.prefix: Int`.
    var signature: String {
        guard let params else { return ".\(name): \(result.description)" }
        let ps = params.map { "\($0.name): \($0.type == .any ? "T" : $0.type.description)" }.joined(separator: ", ")
        return ".\(name)(\(ps)) -> \(result.description)"
    }

    /// How a call is written, for "call it" help (`.host(n)`).
    var callHint: String { ".\(name)(\((params ?? []).map(\.name).joined(separator: ", ")))" }
}

enum MemberTable {
    static let rules: [MemberRule] = [
        // CIDR
        MemberRule(receiver: .cidr, name: "network", result: .ip, params: nil, doc: "the network address") { _, b, _, _, s in
            guard case .cidr(let c) = b.value else { return .error(s) }
            return LValue(.ip(c.network), s)
        },
        MemberRule(receiver: .cidr, name: "broadcast", result: .ip, params: nil, doc: "the broadcast address (IPv4 only)") { e, b, _, m, s in
            guard case .cidr(let c) = b.value else { return .error(s) }
            if c.isV6 {
                e.report(.ipv6NoBroadcast(at: m.span))
                return .error(s)
            }
            return LValue(.ip(c.broadcast), s)
        },
        MemberRule(receiver: .cidr, name: "prefix", result: .int, params: nil, doc: "the prefix length") { _, b, _, _, s in
            guard case .cidr(let c) = b.value else { return .error(s) }
            return LValue(.int(c.prefix), s)
        },
        MemberRule(receiver: .cidr, name: "size", result: .int, params: nil, doc: "the number of addresses") { e, b, _, _, s in
            guard case .cidr(let c) = b.value else { return .error(s) }
            guard let n = c.size else {
                e.report(.networkSizeOverflow(c.description, at: s))
                return .error(s)
            }
            return LValue(.int(n), s)
        },
        MemberRule(receiver: .cidr, name: "host", result: .ip, params: [("n", .int)],
                   doc: "the n-th address (`.host(1)` is the first usable one)") { e, b, args, _, s in
            guard case .cidr(let c) = b.value, case .int(let i) = args[0].value else { return .error(s) }
            guard let a = c.host(i) else {
                e.report(.hostOutsideNetwork(i, network: c.description, size: c.size, at: s))
                return .error(s)
            }
            return LValue(.ip(a), s)
        },
        MemberRule(receiver: .cidr, name: "contains", result: .bool, params: [("ip", .ip)],
                   doc: "whether the address is in the network") { _, b, args, _, s in
            guard case .cidr(let c) = b.value, case .ip(let a) = args[0].value else { return .error(s) }
            return LValue(.bool(c.contains(a)), s)
        },
        // IfAddr
        MemberRule(receiver: .ifaddr, name: "address", result: .ip, params: nil, doc: "the address") { _, b, _, _, s in
            guard case .ifaddr(let a) = b.value else { return .error(s) }
            return LValue(.ip(a.address), s)
        },
        MemberRule(receiver: .ifaddr, name: "prefix", result: .int, params: nil, doc: "the prefix length") { _, b, _, _, s in
            guard case .ifaddr(let a) = b.value else { return .error(s) }
            return LValue(.int(a.prefix), s)
        },
        MemberRule(receiver: .ifaddr, name: "network", result: .cidr, params: nil, doc: "the network the address is in") { _, b, _, _, s in
            guard case .ifaddr(let a) = b.value else { return .error(s) }
            return LValue(.cidr(a.network), s)
        },
        // IP
        MemberRule(receiver: .ip, name: "is_v4", result: .bool, params: nil, doc: "whether the address is IPv4") { _, b, _, _, s in
            guard case .ip(let a) = b.value else { return .error(s) }
            return LValue(.bool(a.isV4), s)
        },
        MemberRule(receiver: .ip, name: "is_v6", result: .bool, params: nil, doc: "whether the address is IPv6") { _, b, _, _, s in
            guard case .ip(let a) = b.value else { return .error(s) }
            return LValue(.bool(a.isV6), s)
        },
        // lists and ranges
        MemberRule(receiver: .list, name: "contains", result: .bool, params: [("x", .any)],
                   doc: "whether the value is an element (`x in list`)") { e, b, args, _, s in
            e.elementOf(args[0], b, span: s)
        },
        // resources (their attributes come from `Schema`)
        MemberRule(receiver: .ref, name: "name", result: .string, params: nil, doc: "the declared name") { _, b, _, _, s in
            guard case .ref(let r) = b.value else { return .error(s) }
            return LValue(.string(r.name), s)
        },
        // a VM's NIC, `vm.nic` (its other attributes come from `Schema.vmNic`)
        MemberRule(receiver: .vmNic, name: "name", result: .string, params: nil, doc: "the NIC's name") { _, b, _, _, s in
            guard case .vmNic(_, let nic) = b.value else { return .error(s) }
            return LValue(.string(nic), s)
        },
        MemberRule(receiver: .vmNic, name: "network", result: .nicNetwork, params: nil, doc: "the network the NIC is on") { e, b, _, _, s in
            guard case .vmNic(let vm, let nic) = b.value else { return .error(s) }
            return e.nicNetwork(vm: vm, nic: nic, span: s)
        },
        MemberRule(receiver: .vmNic, name: "address", result: .ip, params: nil,
                   doc: "the NIC's resolved address (also when allocated with `auto`)") { e, b, _, _, s in
            guard case .vmNic(let vm, let nic) = b.value else { return .error(s) }
            return e.nicAddress(vm: vm, nic: nic, span: s)
        },
    ]

    /// The rule of a member of values of this shape.
    @inline(__always) static func rule(_ receiver: Shape, _ name: String) -> MemberRule? {
        for r in rules where r.receiver == receiver && r.name == name { return r }
        return nil
    }

    static func rules(of receiver: Shape) -> [MemberRule] { rules.filter { $0.receiver == receiver } }
    /// Member names (properties and methods) of a shape, in table order.
    static func names(of receiver: Shape) -> [String] { rules(of: receiver).map(\.name) }
    static func methodNames(of receiver: Shape) -> [String] { rules(of: receiver).filter(\.isMethod).map(\.name) }
}

// MARK: - Built-in functions

enum BuiltinArguments: Sendable {
    /// One argument of one of these shapes; `takes` says which in messages ("a `String`").
    case one([Shape], takes: String)
    /// One argument of any type.
    case any
    /// Two arguments that `<` orders (the rules of `OperatorTable`).
    case ordered
}

enum BuiltinResult: Sendable {
    case type(VType)
    /// The type of the first argument (`min`, `max`).
    case firstArgument
}

struct BuiltinFunction: Sendable {
    let name: String
    let arguments: BuiltinArguments
    /// The type the argument is evaluated against (a string literal converts to it).
    let expected: VType?
    let result: BuiltinResult
    let signature: String
    let doc: String
    /// Evaluates the call on arguments the rule accepts (the types are checked before).
    let eval: @Sendable (Engine, [LValue], Span) -> LValue

    var arity: Int {
        if case .ordered = arguments { return 2 }
        return 1
    }

    /// Whether the arguments' shapes are accepted.
    func accepts(_ shapes: [Shape]) -> Bool {
        switch arguments {
        case .any: return true
        case .one(let ok, _): return ok.contains(shapes[0])
        case .ordered: return OperatorTable.rule(.less, shapes[0], shapes[1]) != nil
        }
    }

    /// The type error for arguments not accepted: at the whole `call` for an ordered pair, else
    /// at the first `argument`.
    func mismatch(_ types: [String], call: Span, argument: Span) -> Diagnostic {
        switch arguments {
        case .ordered: return .cannotCompare(name, types[0], types[1], at: call)
        case .one(_, let takes): return .builtinArgument(name, takes: takes, found: types[0], at: argument)
        case .any: preconditionFailure("`\(name)` accepts anything")  // never: anything is accepted
        }
    }
}

enum BuiltinTable {
    static let functions: [BuiltinFunction] = [
        BuiltinFunction(name: "len", arguments: .one([.list, .string, .record], takes: "a list, string or record"), expected: nil, result: .type(.int),
                        signature: "len(x: [T] | String | record) -> Int",
                        doc: "the number of elements of a list or range, characters of a string, fields of a record") { e, a, s in
            e.length(a[0], span: s)
        },
        BuiltinFunction(name: "str", arguments: .any, expected: nil, result: .type(.string),
                        signature: "str(x) -> String", doc: "the value as text (as `${x}` writes it)") { e, a, s in
            e.textOf(a[0], span: s)
        },
        BuiltinFunction(name: "ip", arguments: .one([.string, .ip, .ifaddr], takes: "a `String`"), expected: .ip, result: .type(.ip),
                        signature: "ip(s: String) -> IP", doc: "the address a string spells (or an IfAddr's address)") { e, a, s in
            e.convert(a[0], to: .ip, span: s)
        },
        BuiltinFunction(name: "cidr", arguments: .one([.string, .cidr, .ifaddr], takes: "a `String`"), expected: .cidr, result: .type(.cidr),
                        signature: "cidr(s: String) -> CIDR", doc: "the network a string spells") { e, a, s in
            e.convert(a[0], to: .cidr, span: s)
        },
        BuiltinFunction(name: "mac", arguments: .one([.string, .mac], takes: "a `String`"), expected: .mac, result: .type(.mac),
                        signature: "mac(s: String) -> MAC", doc: "the MAC address a string spells") { e, a, s in
            e.convert(a[0], to: .mac, span: s)
        },
        BuiltinFunction(name: "min", arguments: .ordered, expected: nil, result: .firstArgument,
                        signature: "min(a: T, b: T) -> T", doc: "the smaller of two Ints, Quantities, Strings or IPs") { e, a, s in
            e.pick(a[0], a[1], smaller: true, span: s)
        },
        BuiltinFunction(name: "max", arguments: .ordered, expected: nil, result: .firstArgument,
                        signature: "max(a: T, b: T) -> T", doc: "the larger of two Ints, Quantities, Strings or IPs") { e, a, s in
            e.pick(a[0], a[1], smaller: false, span: s)
        },
    ]

    static let names: Set<String> = Set(functions.map(\.name))

    static func function(_ name: String) -> BuiltinFunction? {
        for f in functions where f.name == name { return f }
        return nil
    }
}
