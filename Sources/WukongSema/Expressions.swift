import WukongDiagnostics
import WukongNet
import WukongSyntax

// Expressions (LANGUAGE.md §4): literals, names, members, calls, operators, built-ins.
// Every function returns an `LValue`; `.error` values propagate silently.

extension Engine {
    /// The names of the built-in functions (`BuiltinTable`).
    static let builtinFunctions: Set<String> = BuiltinTable.names
    /// The types an annotation may name, by the name their description gives them.
    static let typeNames: [String: VType] = Dictionary(uniqueKeysWithValues: VType.nameable.map { ($0.description, $0) })
    /// The most elements a `for` (or a list position) materialises from a range.
    static let rangeCap = 1_000_000

    // MARK: - Entry

    func eval(_ e: Expr, _ env: Env, expected: VType? = nil) -> LValue {
        let span = e.span
        // a per-family position (dual-stack `subnet`, …) takes one value or a list of them
        var expected = expected
        if case .perFamily(let t)? = expected {
            if case .list = e.kind { expected = .list(t) } else { expected = t }
        }
        switch e.kind {
        case .integer(let v):
            return LValue(.int(Int(v)), span)
        case .quantity(let q):
            return LValue(.quantity(q), span)
        case .ipv4(let a):
            return LValue(.ip(a), span)
        case .ipv4Prefix(let ifa):
            return prefixLiteral(ifa, span: span, expected: expected, quoted: false)
        case .string(let lit):
            return stringLiteral(lit, env, expected: expected)
        case .bool(let b):
            return LValue(.bool(b), span)
        case .keyword(let k):
            switch k {
            case .auto: return LValue(.auto, span)
            case .dhcp: return LValue(.dhcp, span)
            case .pod: return LValue(.pod, span)
            }
        case .name(let id):
            return evalName(id, env, expected: expected, allowModule: false)
        case .list(let elems):
            var elemType: VType? = nil
            if case .list(let t)? = expected { elemType = t }
            var out: [LValue] = []
            out.reserveCapacity(elems.count)
            var failed = false
            for el in elems {
                let v = eval(el, env, expected: elemType)
                if v.value.isError { failed = true }
                out.append(v)
            }
            return failed ? .error(span) : LValue(.list(out), span)
        case .record(let entries):
            return recordLiteral(entries, env, expected: expected, span: span)
        case .member(let base, let m):
            let b = evalBase(base, env)
            return member(of: b, m, span: span)
        case .call(let callee, let args):
            return evalCall(callee, args, env, span: span, expected: expected)
        case .unary(let op, let x):
            let v = eval(x, env)
            return unary(op, v, span: span)
        case .binary(let op, let l, let r):
            return binary(op, l, r, env, span: span)
        case .conditional(let c, let t, let o):
            let cv = eval(c, env)
            switch cv.value {
            case .bool(let b):
                // the branch not taken is typed statically (once per expression and side)
                let untaken = untakenBranchType(b ? o : t, tookThen: b, env, span: span)
                var branchExpected = expected
                if expected == nil, literalType(b ? t : o) != nil {
                    // a literal branch has the other branch's type: `if c { "10.0.0.1" } else { 10.0.0.2 }` is an IP
                    branchExpected = literalTarget(untaken)
                }
                let branch = eval(b ? t : o, env, expected: branchExpected)
                checkBranches(then: t, otherwise: o, tookThen: b, taken: branch, untaken: untaken, expected: expected, span: span)
                return LValue(branch.value, branch.span)
            case .error: return .error(span)
            default:
                report(.conditionNotBool(found: cv.value.type.description, at: cv.span))
                return .error(span)
            }
        case .parenthesized(let x):
            let v = eval(x, env, expected: expected)
            return LValue(v.value, v.value.isList ? v.span : span)
        case .error:
            return .error(span)
        }
    }

    /// Evaluates the base of `x.y` / `x.f()`: a module name is allowed here.
    func evalBase(_ e: Expr, _ env: Env) -> LValue {
        if case .name(let id) = e.kind { return evalName(id, env, expected: nil, allowModule: true) }
        if case .parenthesized(let x) = e.kind { return evalBase(x, env) }
        return eval(e, env)
    }

    // MARK: - Literals

    func prefixLiteral(_ ifa: IfAddr, span: Span, expected: VType?, quoted: Bool) -> LValue {
        let clean = CIDR(network: ifa.address, prefix: ifa.prefix)
        switch expected {
        case .cidr?:
            if let c = clean { return LValue(.cidr(c), span) }
            reportHostBits(ifa, span: span, quoted: quoted)
            return .error(span)
        case .ifaddr?, .nicAddress?:
            return LValue(.ifaddr(ifa), span)
        default:
            if let c = clean { return LValue(.cidr(c), span) }
            return LValue(.ifaddr(ifa), span)
        }
    }

    func reportHostBits(_ ifa: IfAddr, span: Span, quoted: Bool) {
        report(.cidrHostBits(ifa.description, network: ifa.network.description, quoted: quoted, at: span))
    }

    func stringLiteral(_ lit: StringLiteral, _ env: Env, expected: VType?) -> LValue {
        let span = lit.span
        if let text = lit.plainText {
            if let t = expected, let converted = convertLiteral(text, to: t, span: span) { return converted }
            return LValue(.string(text), span)
        }
        var s = ""
        for p in lit.parts {
            switch p {
            case .text(let t, _): s += t
            case .interpolation(let x):
                let v = eval(x, env)
                if v.value.isError { return .error(span) }
                guard let t = v.value.text(limit: Engine.maxStringBytes - s.utf8.count) else {
                    return tooLarge(list: false, span: x.span)
                }
                s += t
            }
            if s.utf8.count > Engine.maxStringBytes { return tooLarge(list: false, span: span) }
        }
        return LValue(.string(s), span)
    }

    /// `str(x)`: the value as text, stopped at the string cap while it is written.
    func textOf(_ v: LValue, span: Span) -> LValue {
        guard let t = v.value.text(limit: Engine.maxStringBytes) else { return tooLarge(list: false, span: span) }
        return LValue(.string(t), span)
    }

    /// A non-interpolated string literal where an IP/CIDR/IfAddr/MAC/Quantity is expected.
    /// nil: no conversion applies to that type.
    func convertLiteral(_ text: String, to t: VType, span: Span) -> LValue? {
        switch t {
        case .ip:
            if let a = IPAddress(text) { return LValue(.ip(a), span) }
            report(.invalidLiteral(text, as: .ip, at: span))
            return .error(span)
        case .cidr:
            let (c, ifa) = CIDR.parse(text)
            if let c { return LValue(.cidr(c), span) }
            if let ifa { reportHostBits(ifa, span: span, quoted: true); return .error(span) }
            report(.invalidLiteral(text, as: .cidr, at: span))
            return .error(span)
        case .ifaddr:
            if let a = IfAddr(text) { return LValue(.ifaddr(a), span) }
            report(.invalidLiteral(text, as: .ifaddr, at: span))
            return .error(span)
        case .nicAddress:
            if text.contains("/") { return convertLiteral(text, to: .ifaddr, span: span) }
            return convertLiteral(text, to: .ip, span: span)
        case .mac:
            if let m = MACAddress(text) { return LValue(.mac(m), span) }
            report(.invalidLiteral(text, as: .mac, at: span))
            return .error(span)
        case .quantity:
            switch Quantity.parse(text) {
            case .success(let q): return LValue(.quantity(q), span)
            case .failure(let f):
                var badSuffix: String? = nil
                if case .badSuffix(let suf) = f { badSuffix = suf }
                report(.invalidQuantityString(text, badSuffix: badSuffix, suffixes: Quantity.suffixNames, at: span))
                return .error(span)
            }
        default:
            return nil
        }
    }

    func recordLiteral(_ entries: [RecordEntry], _ env: Env, expected: VType?, span: Span) -> LValue {
        func fieldType(_ key: String) -> VType? {
            switch expected {
            case .record(let fs)?: return fs.first { $0.name == key }?.type
            case .map(let t)?: return t
            default: return nil
            }
        }
        var explicit: [String: Span] = [:]
        var rec = RecordValue()
        var failed = false
        for entry in entries {
            if case .field(let key, let keySpan, _) = entry.kind {
                if let first = explicit[key] {
                    report(.fieldSetTwice(key, at: keySpan, first: first))
                } else {
                    explicit[key] = keySpan
                }
            }
        }
        var written = Set<String>()
        for entry in entries {
            switch entry.kind {
            case .field(let key, let keySpan, let value):
                guard written.insert(key).inserted else { continue }
                let v = eval(value, env, expected: fieldType(key))
                if v.value.isError { failed = true }
                rec.set(key, v, keySpan: keySpan)
            case .spread(let x):
                let v = eval(x, env)
                switch v.value {
                case .record(let r):
                    for (i, k) in r.keys.enumerated() {
                        // a written field wins; an earlier spread still decides its position
                        if explicit[k] != nil && rec.index(of: k) != nil { continue }
                        rec.set(k, r.values[i], keySpan: r.keySpans[i])
                    }
                case .error: failed = true
                default:
                    report(.notSpreadable(found: v.value.type.description, at: v.span))
                    failed = true
                }
            }
        }
        return failed ? .error(span) : LValue(.record(rec), span)
    }

    // MARK: - Names

    /// Every name visible from `env` (for did-you-mean).
    func visibleNames(_ env: Env, expected: VType?) -> [String] {
        var out: [String] = []
        var e: Env? = env
        while let cur = e { out += cur.names; e = cur.parent }
        for (k, rec) in namespace.table(of: env) {
            if let t = expected, !store.entryFits(rec.entry, t) { continue }
            out.append(k)
        }
        return out
    }

    func evalName(_ id: Identifier, _ env: Env, expected: VType?, allowModule: Bool) -> LValue {
        let span = id.span
        guard let r = namespace.lookup(id.name, env) else {
            reportUnknownName(id.name, span: span, env: env, expected: expected)
            return .error(span)
        }
        switch r {
        case .binding(.value(let v)):
            return LValue(v.value, span)
        case .binding(.letSlot(let s)), .global(.letSlot(let s)):
            let v = force(s)
            return LValue(v.value, span)
        case .binding(.fn), .global(.fn), .builtin:
            report(.functionNotAValue(id.name, at: span))
            return .error(span)
        case .global(.module(let m)):
            if allowModule { return LValue(.module(m), span) }
            report(.moduleNotAValue(id.name, at: span))
            return .error(span)
        case .global(let entry):
            return store.refValue(entry, span: span) ?? .error(span)
        }
    }

    func reportUnknownName(_ name: String, span: Span, env: Env, expected: VType?) {
        if name.contains("-") {
            let parts = name.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 2, !parts.contains(where: { $0.isEmpty }),
               parts.allSatisfy({ p in p.allSatisfy { $0.isASCII && $0.isNumber } || namespace.lookup(p, env) != nil }),
               parts.contains(where: { p in !p.allSatisfy { $0.isASCII && $0.isNumber } }) {
                report(.unknownNameLikeSubtraction(name, parts: parts, at: span))
                return
            }
        }
        var similar: [String] = []
        if budgets.takeSuggestion() {
            similar = Suggest.similar(to: name, among: visibleNames(env, expected: expected))
        }
        // the close names are offered as quick fixes for editors too
        report(.unknownName(name, candidates: similar, fixIts: similar, at: span))
    }

    // MARK: - Lets

    func force(_ s: LetSlot) -> LValue {
        switch s.state {
        case .done: return s.value
        case .active:
            if !s.cycleReported {
                s.cycleReported = true
                reportCycle(s.name.name, s, at: s.name.span)
            }
            return .error(s.name.span)
        case .pending: break
        }
        s.state = .active
        cycles.push(s.name.name, s)
        let env = s.env ?? namespace.rootEnv
        let t = s.annotation.map { resolveType($0) }
        var v = eval(s.expr, env, expected: t)
        if let t { v = coerce(v, to: t) }
        cycles.pop()
        s.value = v
        s.state = .done
        return v
    }

    func resolveType(_ t: TypeExpr) -> VType {
        switch t.kind {
        case .named(let id):
            if let v = Engine.typeNames[id.name] { return v }
            report(.unknownType(id.name, candidates: Array(Engine.typeNames.keys), at: id.span))
            return .error
        case .list(let inner): return .list(resolveType(inner))
        case .record(let fields): return .record(fields.map { RecordFieldType(name: $0.name.name, type: resolveType($0.type)) })
        case .error: return .error
        }
    }

    // MARK: - Iteration

    /// The elements a `for` walks; nil (after a diagnostic) when not iterable.
    func iterate(_ v: LValue) -> [LValue]? {
        switch v.value {
        case .list(let xs): return xs
        case .range(let r): return materialise(r, span: v.span)
        case .error: return nil
        default:
            report(.notIterable(found: v.value.type.description, at: v.span))
            return nil
        }
    }

    func materialise(_ r: RangeValue, span: Span) -> [LValue]? {
        guard let n = r.count, n <= Engine.rangeCap else {
            report(.rangeTooLarge(Value.range(r).text, limit: Engine.rangeCap, at: span))
            return nil
        }
        var out: [LValue] = []
        out.reserveCapacity(n)
        switch r {
        case .int(let f, _):
            for i in 0..<n { out.append(LValue(.int(f + i), span)) }
        case .ip(let f, _):
            var a = f
            for i in 0..<n {
                out.append(LValue(.ip(a), span))
                if i + 1 < n, let next = a.adding(1) { a = next }
            }
        case .emptyIP: break
        }
        return out
    }
}

extension Value {
    var isList: Bool { if case .list = self { return true }; return false }
}
