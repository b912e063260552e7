import WukongDiagnostics
import WukongNet
import WukongSyntax

// Operators, calls and built-in functions (LANGUAGE.md §4): the evaluator's dispatch to the
// rules of `LanguageTable.swift`, and the evaluation functions those rules name (value errors —
// overflow, division by zero, address families, sizes — are reported here, never statically).

extension Engine {
    func unary(_ op: UnaryOperator, _ v: LValue, span: Span) -> LValue {
        if v.value.isError { return .error(span) }
        if let shape = v.value.shape, let rule = OperatorTable.unaryRule(op, shape) { return rule.eval(self, op, v, span) }
        report(.cannotApply(op.rawValue, to: v.value.type.description, at: span))
        return .error(span)
    }

    func negate(_ v: LValue, span: Span) -> LValue {
        guard case .int(let i) = v.value else { return .error(span) }
        let (r, o) = (0 as Int).subtractingReportingOverflow(i)
        if o { report(.negationOverflow(of: i, at: span)); return .error(span) }
        return LValue(.int(r), span)
    }

    func binary(_ op: BinaryOperator, _ le: Expr, _ re: Expr, _ env: Env, span: Span) -> LValue {
        switch op {
        case .and, .or:
            // lazy: the rule (`Bool && Bool`) says what each side must be
            let l = eval(le, env)
            guard case .bool(let a) = l.value else {
                if !l.value.isError { mismatchOperand(op, l) }
                return .error(span)
            }
            if op == .and && !a { return LValue(.bool(false), span) }
            if op == .or && a { return LValue(.bool(true), span) }
            let r = eval(re, env)
            guard case .bool(let b) = r.value else {
                if !r.value.isError { mismatchOperand(op, r) }
                return .error(span)
            }
            return LValue(.bool(b), span)
        default: break
        }
        let l = eval(le, env), r = eval(re, env)
        if l.value.isError || r.value.isError { return .error(span) }
        guard let ls = l.value.shape, let rs = r.value.shape, let rule = OperatorTable.rule(op, ls, rs) else {
            return cannotApply(op, l, r, span: span)
        }
        return rule.eval(self, op, l, r, span)
    }

    func mismatchOperand(_ op: BinaryOperator, _ v: LValue) {
        report(.operatorExpectsBool(op.rawValue, found: v.value.type.description, at: v.span))
    }

    func cannotApply(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        report(.cannotApply(op.rawValue, to: l.value.type.description, and: r.value.type.description, at: span))
        return .error(span)
    }

    /// -1/0/1, nil when the values have no order (no rule, or addresses of two families).
    func order(_ a: Value, _ b: Value) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return cmp(x, y)
        case (.quantity(let x), .quantity(let y)): return cmp(x.bytes, y.bytes)
        case (.string(let x), .string(let y)): return cmp(x, y)
        case (.ip(let x), .ip(let y)): return x.isV6 == y.isV6 ? cmp(x, y) : nil
        default: return nil
        }
    }

    /// `< <= > >=` on values of one ordered shape.
    func ordering(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        guard let c = order(l.value, r.value) else { return cannotApply(op, l, r, span: span) }
        let b: Bool
        switch op {
        case .less: b = c < 0
        case .lessEqual: b = c <= 0
        case .greater: b = c > 0
        default: b = c >= 0
        }
        return LValue(.bool(b), span)
    }

    /// `x in list`, `x in range`, `list.contains(x)`. A value of another type than the
    /// elements is not one of them (`false`), for a range as for a list.
    func elementOf(_ l: LValue, _ r: LValue, span: Span) -> LValue {
        switch (l.value, r.value) {
        case (_, .list(let xs)):
            var budget = budgets.remainingSteps
            var found = false
            for x in xs {
                budget -= 1
                guard budget >= 0, let e = x.value.equals(l.value, budget: &budget) else {
                    _ = step(budgets.remainingSteps + 1, at: span)
                    return .error(span)
                }
                if e { found = true; break }
            }
            _ = step(budgets.remainingSteps - budget, at: span)
            return LValue(.bool(found), span)
        case (.int(let i), .range(.int(let f, let t))): return LValue(.bool(i >= f && i <= t), span)
        case (.ip(let a), .range(.ip(let f, let t))): return LValue(.bool(a.isV6 == f.isV6 && a >= f && a <= t), span)
        case (_, .range): return LValue(.bool(false), span)
        default: return .error(span)
        }
    }

    /// `l == r`; each list element and record field compared is an evaluation step (nil after
    /// the step-limit diagnostic once they are spent).
    func valuesEqual(_ l: LValue, _ r: LValue, span: Span) -> Bool? {
        switch (l.value, r.value) {
        case (.list, .list), (.record, .record):
            var budget = budgets.remainingSteps
            let eq = l.value.equals(r.value, budget: &budget)
            // past the budget: one step more than is left, so that `step` reports it
            guard step(budgets.remainingSteps - (eq == nil ? -1 : budget), at: span) else { return nil }
            return eq
        default:
            return l.value == r.value
        }
    }

    func range(_ l: LValue, _ r: LValue, inclusive: Bool, span: Span) -> LValue {
        switch (l.value, r.value) {
        case (.int(let a), .int(let b)):
            if inclusive { return LValue(.range(.int(first: a, last: b)), span) }
            if b == Int.min { return LValue(.range(.int(first: 0, last: -1)), span) }
            return LValue(.range(.int(first: a, last: b - 1)), span)
        case (.ip(let a), .ip(let b)):
            guard a.isV6 == b.isV6 else {
                report(.addressRangeFamilies(at: span))
                return .error(span)
            }
            var last = b
            if !inclusive {
                guard let p = b.adding(-1) else { return LValue(.range(.emptyIP), span) }
                last = p
            }
            if last < a { return LValue(.range(.emptyIP), span) }
            return LValue(.range(.ip(first: a, last: last)), span)
        default:
            return cannotApply(inclusive ? .rangeInclusive : .range, l, r, span: span)
        }
    }

    static let maxStringBytes = 16 << 20

    /// A concatenation past `Engine.rangeCap` elements (`list`) or `Engine.maxStringBytes`.
    func tooLarge(list: Bool, span: Span) -> LValue {
        report(list ? .listTooLarge(limit: Engine.rangeCap, at: span) : .stringTooLarge(at: span))
        return .error(span)
    }

    func overflow(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        report(.arithmeticOverflow(l.value.text, op.rawValue, r.value.text, at: span))
        return .error(span)
    }

    func divisionByZero(_ op: BinaryOperator, span: Span, rhs: LValue) -> LValue {
        report(.divisionByZero(remainder: op == .remainder, at: span, zero: rhs.span))
        return .error(span)
    }

    func intArithmetic(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        guard case .int(let a) = l.value, case .int(let b) = r.value else { return .error(span) }
        let (v, o): (Int, Bool)
        switch op {
        case .add: (v, o) = a.addingReportingOverflow(b)
        case .subtract: (v, o) = a.subtractingReportingOverflow(b)
        case .multiply: (v, o) = a.multipliedReportingOverflow(by: b)
        case .divide:
            if b == 0 { return divisionByZero(op, span: span, rhs: r) }
            (v, o) = a.dividedReportingOverflow(by: b)
        default:
            if b == 0 { return divisionByZero(op, span: span, rhs: r) }
            (v, o) = a.remainderReportingOverflow(dividingBy: b)
        }
        if o { return overflow(op, l, r, span: span) }
        return LValue(.int(v), span)
    }

    /// `String + String`, `[T] + [T]` (a range is a list here too).
    func concatenate(_ l: LValue, _ r: LValue, span: Span) -> LValue {
        switch (l.value, r.value) {
        case (.string(let a), .string(let b)):
            guard a.utf8.count + b.utf8.count <= Engine.maxStringBytes else { return tooLarge(list: false, span: span) }
            return LValue(.string(a + b), span)
        default:
            let a: [LValue], b: [LValue]
            if case .list(let xs) = l.value { a = xs } else {
                guard case .range(let rg) = l.value, let xs = materialise(rg, span: l.span) else { return .error(span) }
                a = xs
            }
            if case .list(let xs) = r.value { b = xs } else {
                guard case .range(let rg) = r.value, let xs = materialise(rg, span: r.span) else { return .error(span) }
                b = xs
            }
            guard a.count + b.count <= Engine.rangeCap else { return tooLarge(list: true, span: span) }
            return LValue(.list(a + b), span)
        }
    }

    func quantityArithmetic(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        switch (op, l.value, r.value) {
        case (.add, .quantity(let a), .quantity(let b)), (.subtract, .quantity(let a), .quantity(let b)):
            let (v, o) = op == .add ? a.bytes.addingReportingOverflow(b.bytes) : a.bytes.subtractingReportingOverflow(b.bytes)
            if o { return overflow(op, l, r, span: span) }
            if v < 0 {
                report(.negativeQuantity(a.description, op.rawValue, b.description, at: span))
                return .error(span)
            }
            return LValue(.quantity(Quantity(bytes: v)), span)
        case (.multiply, .quantity(let q), .int(let n)), (.multiply, .int(let n), .quantity(let q)):
            let (v, o) = q.bytes.multipliedReportingOverflow(by: Int64(n))
            if o { return overflow(op, l, r, span: span) }
            if v < 0 {
                report(.negativeQuantity(l.value.text, op.rawValue, r.value.text, at: span))
                return .error(span)
            }
            return LValue(.quantity(Quantity(bytes: v)), span)
        case (.divide, .quantity(let q), .int(let n)):
            if n == 0 { return divisionByZero(op, span: span, rhs: r) }
            if n < 0 {
                report(.negativeQuantity(q.description, op.rawValue, String(n), at: span))
                return .error(span)
            }
            if q.bytes % Int64(n) != 0 {
                report(.quantityNotWhole(q.description, dividedBy: n, at: span))
                return .error(span)
            }
            return LValue(.quantity(Quantity(bytes: q.bytes / Int64(n))), span)
        default:
            return cannotApply(op, l, r, span: span)
        }
    }

    /// `IP + Int`, `IP - Int`.
    func addressOffset(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        guard case .ip(let a) = l.value, case .int(let n) = r.value else { return .error(span) }
        var delta = n
        if op == .subtract {
            let (d, o) = (0 as Int).subtractingReportingOverflow(n)
            if o { return overflow(op, l, r, span: span) }
            delta = d
        }
        guard let res = a.adding(delta) else {
            report(.addressLeavesFamily(a.description, op.rawValue, n, isV6: a.isV6, at: span))
            return .error(span)
        }
        return LValue(.ip(res), span)
    }

    /// `IP - IP`.
    func addressDistance(_ op: BinaryOperator, _ l: LValue, _ r: LValue, span: Span) -> LValue {
        guard case .ip(let a) = l.value, case .ip(let b) = r.value else { return .error(span) }
        guard a.isV6 == b.isV6 else {
            report(.subtractingAddressFamilies(at: span))
            return .error(span)
        }
        guard let d = a.distance(from: b) else { return overflow(op, l, r, span: span) }
        return LValue(.int(d), span)
    }

    // MARK: - Calls

    func evalCall(_ callee: Expr, _ args: [Expr], _ env: Env, span: Span, expected: VType?) -> LValue {
        switch callee.kind {
        case .name(let id):
            guard let r = namespace.lookup(id.name, env) else {
                reportUnknownName(id.name, span: id.span, env: env, expected: nil)
                return .error(span)
            }
            switch r {
            case .binding(.fn(let def)), .global(.fn(let def)):
                return callUser(def, args, env, span: span)
            case .builtin(let name):
                return callBuiltin(name, args, env, span: span)
            case .global(.module):
                report(.moduleNotAFunction(id.name, at: id.span))
                return .error(span)
            default:
                let v = evalName(id, env, expected: nil, allowModule: false)
                if !v.value.isError {
                    report(.notAFunction(id.name, type: v.value.type.description, at: id.span))
                }
                return .error(span)
            }
        case .member(let base, let m):
            let b = evalBase(base, env)
            switch b.value {
            case .error: return .error(span)
            case .module(let mi):
                let mod = namespace.modules[mi]
                guard let g = mod.globals[m.name] else {
                    report(.noMember(m.name, of: .module(mod.name), candidates: mod.order, at: m.span))
                    return .error(span)
                }
                if case .fn(let def) = g.entry { return callUser(def, args, env, span: span) }
                report(.moduleMemberNotAFunction(mod.name, m.name, at: m.span))
                return .error(span)
            default:
                return method(b, m, args, env, span: span)
            }
        case .parenthesized(let x):
            return evalCall(x, args, env, span: span, expected: expected)
        default:
            let v = eval(callee, env)
            if !v.value.isError {
                report(.notCallable(type: v.value.type.description, at: callee.span))
            }
            return .error(span)
        }
    }

    func argumentCount(_ name: String, expected n: Int, found: Int, span: Span) -> Bool {
        if n == found { return true }
        report(.argumentCount(name, expected: n, found: found, at: span))
        return false
    }

    func callUser(_ def: FnDef, _ args: [Expr], _ env: Env, span: Span) -> LValue {
        let decl = def.decl
        if def.recursive || budgets.stepLimitReported { return .error(span) }
        if def.paramTypes == nil {
            def.paramTypes = decl.parameters.map { resolveType($0.type) }
            def.returnType = decl.returnType.map { resolveType($0) }
        }
        let types = def.paramTypes ?? []
        guard argumentCount(decl.name.name, expected: decl.parameters.count, found: args.count, span: span) else {
            return .error(span)
        }
        guard let defEnv = def.env else { return .error(span) }
        let callEnv = Env(parent: defEnv, module: defEnv.module)
        var failed = false
        for (i, a) in args.enumerated() {
            let v = coerce(eval(a, env, expected: types[i]), to: types[i])
            if v.value.isError { failed = true }
            callEnv.bind(decl.parameters[i].name.name, .value(v))
        }
        if failed { return .error(span) }
        if !step(at: span) { return .error(span) }
        if budgets.callDepth >= 64 {
            if !def.depthReported {
                def.depthReported = true
                report(.functionCallsItself(decl.name.name, at: decl.name.span))
            }
            return .error(span)
        }
        budgets.callDepth += 1
        var v = eval(decl.body, callEnv, expected: def.returnType)
        if let t = def.returnType { v = coerce(v, to: t) }
        budgets.callDepth -= 1
        return LValue(v.value, span)
    }


    /// A call of a built-in function: arity and argument types from its `BuiltinTable` entry.
    func callBuiltin(_ name: String, _ args: [Expr], _ env: Env, span: Span) -> LValue {
        guard let f = BuiltinTable.function(name) else { return .error(span) }
        guard argumentCount(name, expected: f.arity, found: args.count, span: span) else { return .error(span) }
        var values: [LValue] = []
        values.reserveCapacity(args.count)
        var shapes: [Shape] = []
        var failed = false
        for a in args {
            let v = eval(a, env, expected: f.expected)
            if let s = v.value.shape { shapes.append(s) } else { failed = true }
            values.append(v)
        }
        if failed {
            // a module or function name as an argument is a value of no type
            if let v = values.first(where: { !$0.value.isError && $0.value.shape == nil }) {
                report(f.mismatch(values.map { $0.value.type.description }, call: span, argument: v.span))
            }
            return .error(span)
        }
        guard f.accepts(shapes) else {
            report(f.mismatch(values.map { $0.value.type.description }, call: span, argument: values[0].span))
            return .error(span)
        }
        return f.eval(self, values, span)
    }

    /// `len(x)`.
    func length(_ v: LValue, span: Span) -> LValue {
        switch v.value {
        case .list(let xs): return LValue(.int(xs.count), span)
        case .string(let s): return LValue(.int(s.count), span)
        case .record(let r): return LValue(.int(r.keys.count), span)
        case .range(let r):
            guard let n = r.count else {
                report(.rangeLengthOverflow(at: span))
                return .error(span)
            }
            return LValue(.int(n), span)
        default: return .error(span)
        }
    }

    /// `ip(x)`, `cidr(x)`, `mac(x)`: the argument was evaluated against `target`.
    func convert(_ v: LValue, to target: VType, span: Span) -> LValue {
        switch (target, v.value) {
        case (.ip, .ip), (.cidr, .cidr), (.mac, .mac): return LValue(v.value, span)
        case (.ip, .ifaddr(let a)): return LValue(.ip(a.address), span)
        case (.cidr, .ifaddr(let a)):
            reportHostBits(a, span: v.span, quoted: false)
            return .error(span)
        case (_, .string(let s)):
            let c = convertLiteral(s, to: target, span: v.span) ?? .error(span)
            return LValue(c.value, span)
        default:
            return .error(span)
        }
    }

    /// `min(a, b)`, `max(a, b)`.
    func pick(_ a: LValue, _ b: LValue, smaller: Bool, span: Span) -> LValue {
        guard let c = order(a.value, b.value) else {
            report(.cannotCompare(smaller ? "min" : "max", a.value.type.description, b.value.type.description, at: span))
            return .error(span)
        }
        let p = smaller ? (c <= 0 ? a : b) : (c >= 0 ? a : b)
        return LValue(p.value, span)
    }

    /// `x.name(args)`: a method of the `MemberTable`; its arguments are evaluated against the
    /// parameter types and coerced to them.
    func method(_ b: LValue, _ m: Identifier, _ args: [Expr], _ env: Env, span: Span) -> LValue {
        guard let shape = b.value.shape, let rule = MemberTable.rule(shape, m.name), let params = rule.params else {
            let candidates = b.value.shape.map { MemberTable.methodNames(of: $0) } ?? []
            report(.noMethod(m.name, of: b.value.type.description, candidates: candidates, at: m.span))
            return .error(span)
        }
        guard argumentCount(m.name, expected: params.count, found: args.count, span: span) else { return .error(span) }
        var values: [LValue] = []
        values.reserveCapacity(args.count)
        for (i, a) in args.enumerated() {
            let t = params[i].type
            let v = t == .any ? eval(a, env) : coerce(eval(a, env, expected: t), to: t)
            if v.value.isError { return .error(span) }
            values.append(v)
        }
        return rule.eval(self, b, values, m, span)
    }
}
