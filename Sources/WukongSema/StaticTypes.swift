import WukongDiagnostics
import WukongNet
import WukongSyntax

// Static typing: the type of an expression found without evaluating it (LANGUAGE.md §4).
// What operators, built-in functions and members take and yield comes from the rules of
// `LanguageTable.swift`, the ones evaluation runs (`LanguageTableTests` checks that both passes
// report the same type errors).
// Evaluation checks what it runs; two things it does not run are typed here:
//   - the body of every `fn`, at its definition, with its parameters typed by their
//     annotations (a function that is never called, or a branch no call takes, still gets
//     its errors);
//   - the branch of an `if` expression that evaluation does not take, so that "both
//     branches have one type" holds whatever the condition.
// The pass reports only what holds for every value of the types involved (unknown names,
// operators and members that no value of that type has, calls with the wrong number or kind
// of arguments, a body whose type is not the declared return type, `if`/`else` of two
// types). Whatever it cannot know (a `let` not yet evaluated, a VM's NIC by name, the
// element of a list of mixed things) is `.unknown`, which never yields a diagnostic.
// Its diagnostics are kept apart and dropped where evaluation reported the same code at the
// same span (evaluation's message carries the values, so it wins).

/// A statically known type. `.stringLiteral` and `.prefixLiteral` are the literals whose type
/// depends on where they stand (a string literal is an IP where an IP is expected …).
indirect enum SType: Equatable {
    case known(VType)
    case list(SType)
    case record([StaticField])
    case stringLiteral
    case prefixLiteral(IfAddr)
    case module(Int)
    case unknown

    init(_ t: VType) {
        switch t {
        // a map (`labels`) is a record of any keys: its members are not known
        case .error, .any, .map: self = .unknown
        case .list(let e): self = .list(SType(e))
        // a `pool` value is a range, which behaves as a list of addresses
        case .ipRange: self = .list(.known(.ip))
        // read back as written: one value (today's programs) or a per-family list, known by evaluation
        case .perFamily(let t): self = SType(t)
        case .record(let fs): self = .record(fs.map { StaticField(name: $0.name, type: SType($0.type)) })
        default: self = .known(t)
        }
    }

    /// The type as it reads in messages.
    var description: String {
        switch self {
        case .known(let t): return t.description
        case .list(let e): return "[\(e.description)]"
        case .record(let fs): return "{" + fs.map { "\($0.name): \($0.type.description)" }.joined(separator: ", ") + "}"
        case .stringLiteral: return "String"
        case .prefixLiteral(let a): return CIDR(network: a.address, prefix: a.prefix) != nil ? "CIDR" : "IfAddr"
        case .module: return "module"
        case .unknown: return "_"
        }
    }

    /// The type a value has where nothing is expected (as evaluation gives it). A literal
    /// settles on its own type; a union type (`Link`, a NIC address, a NIC's `on`) is one of
    /// several, so what an operator or member does with it is not known statically.
    var settled: SType {
        switch self {
        case .stringLiteral: return .known(.string)
        case .prefixLiteral(let a): return .known(CIDR(network: a.address, prefix: a.prefix) != nil ? .cidr : .ifaddr)
        case .known(.link), .known(.nicAddress), .known(.nicNetwork): return .unknown
        default: return self
        }
    }

    var isUnknown: Bool { self == .unknown }
}

struct StaticField: Equatable {
    var name: String
    var type: SType
}

struct UntakenKey: Hashable {
    var span: Span
    var tookThen: Bool
}

/// Parameters in scope while typing a function body.
struct StaticScope {
    var names: [String] = []
    var types: [SType] = []
    func type(of name: String) -> SType? {
        var i = names.count - 1
        while i >= 0 { if names[i] == name { return types[i] }; i -= 1 }
        return nil
    }
}

extension Engine {
    // MARK: - Entry points

    /// Types every function body once (end of evaluation; `let`s are evaluated by then).
    func typeFunctionBodies() {
        var seen = Set<Span>()
        var defs = namespace.topLevelFns + namespace.localFns.map(\.def)
        for m in namespace.modules where m.loaded {
            for name in m.order { if case .fn(let d)? = m.globals[name]?.entry { defs.append(d) } }
        }
        for def in defs where seen.insert(def.decl.name.span).inserted {
            typeFunctionBody(def)
        }
    }

    func typeFunctionBody(_ def: FnDef) {
        guard let env = def.env else { return }
        if def.paramTypes == nil {
            def.paramTypes = def.decl.parameters.map { resolveType($0.type) }
            def.returnType = def.decl.returnType.map { resolveType($0) }
        }
        var scope = StaticScope()
        for (i, p) in def.decl.parameters.enumerated() {
            scope.names.append(p.name.name)
            scope.types.append(SType(def.paramTypes?[i] ?? .error))
        }
        let body = staticType(def.decl.body, env, scope)
        if let rt = def.returnType {
            checkAssignable(body, to: rt, at: def.decl.body.span)
        }
    }

    /// The static type of the branch an `if` expression did not take. Typed (and its
    /// diagnostics reported) the first time that side is skipped; then remembered, since a
    /// `for` evaluates the expression once per iteration.
    func untakenBranchType(_ e: Expr, tookThen: Bool, _ env: Env, span: Span) -> SType {
        let key = UntakenKey(span: span, tookThen: tookThen)
        if let known = typer.untakenTypes[key] { return known }
        let t = staticType(e, env, StaticScope())
        typer.untakenTypes[key] = t
        return t
    }

    /// Both branches of an `if` expression have one type (checked once per expression).
    func checkBranches(then: Expr, otherwise: Expr, tookThen: Bool, taken: LValue, untaken: SType, expected: VType?, span: Span) {
        guard typer.typedConditionals.insert(span).inserted else { return }
        var takenType: SType = taken.value.isError ? .unknown : SType(taken.value.type)
        if let lit = literalType(tookThen ? then : otherwise) { takenType = lit }
        let (t, o) = tookThen ? (takenType, untaken) : (untaken, takenType)
        _ = unifyBranches(t, o, then: then, otherwise: otherwise, expected: expected)
    }

    /// The type a literal branch converts to: the other branch's, when a literal converts to it.
    func literalTarget(_ other: SType) -> VType? {
        switch other {
        case .known(let k) where [.ip, .cidr, .ifaddr, .mac, .quantity].contains(k): return k
        case .prefixLiteral(let a): return CIDR(network: a.address, prefix: a.prefix) != nil ? .cidr : .ifaddr
        default: return nil
        }
    }

    // MARK: - Typing

    func literalType(_ e: Expr) -> SType? {
        switch e.kind {
        case .string(let lit) where lit.plainText != nil: return .stringLiteral
        case .ipv4Prefix(let a): return .prefixLiteral(a)
        case .parenthesized(let x): return literalType(x)
        default: return nil
        }
    }

    func staticReport(_ d: Diagnostic) { typer.diagnostics.append(d) }

    func staticType(_ e: Expr, _ env: Env, _ scope: StaticScope, allowModule: Bool = false) -> SType {
        switch e.kind {
        case .integer: return .known(.int)
        case .quantity: return .known(.quantity)
        case .ipv4: return .known(.ip)
        case .ipv4Prefix(let a): return .prefixLiteral(a)
        case .bool: return .known(.bool)
        case .keyword(let k):
            switch k {
            case .auto, .dhcp: return .known(.addressMode)
            case .pod: return .known(.pod)
            }
        case .string(let lit):
            if lit.plainText != nil { return .stringLiteral }
            for p in lit.parts { if case .interpolation(let x) = p { _ = staticType(x, env, scope) } }
            return .known(.string)
        case .name(let id):
            return staticName(id, env, scope, allowModule: allowModule)
        case .list(let elems):
            var elem: SType? = nil
            for el in elems {
                let t = staticType(el, env, scope)
                elem = elem.map { unify($0, t) ?? .unknown } ?? t
            }
            return .list(elem ?? .unknown)
        case .record(let entries):
            var fields: [StaticField] = []
            var complete = true
            for entry in entries {
                switch entry.kind {
                case .field(let key, _, let value):
                    let t = staticType(value, env, scope)
                    if !fields.contains(where: { $0.name == key }) { fields.append(StaticField(name: key, type: t)) }
                case .spread(let x):
                    let t = staticType(x, env, scope)
                    switch t {
                    case .record(let fs):
                        for f in fs where !fields.contains(where: { $0.name == f.name }) { fields.append(f) }
                    case .unknown: complete = false
                    default:
                        staticReport(.notSpreadable(found: t.settled.description, at: x.span))
                        complete = false
                    }
                }
            }
            return complete ? .record(fields) : .unknown
        case .member(let base, let m):
            let b = staticType(base, env, scope, allowModule: true)
            return staticMember(b, m)
        case .call(let callee, let args):
            return staticCall(callee, args, env, scope, span: e.span)
        case .unary(let op, let x):
            let t = staticType(x, env, scope).settled
            guard let shape = t.shape else {
                // one rule per unary operator: its result is known whatever the operand
                return OperatorTable.unaryRules.first { $0.op == op }.map { .known($0.result) } ?? .unknown
            }
            if let rule = OperatorTable.unaryRule(op, shape) { return .known(rule.result) }
            staticReport(.cannotApply(op.rawValue, to: t.description, at: e.span))
            return .unknown
        case .binary(let op, let l, let r):
            return staticBinary(op, l, r, env, scope, span: e.span)
        case .conditional(let c, let t, let o):
            let ct = staticType(c, env, scope).settled
            if !ct.isUnknown && ct != .known(.bool) {
                staticReport(.conditionNotBool(found: ct.description, at: c.span))
            }
            let tt = staticType(t, env, scope), ot = staticType(o, env, scope)
            return unifyBranches(tt, ot, then: t, otherwise: o, expected: nil)
        case .parenthesized(let x):
            return staticType(x, env, scope, allowModule: allowModule)
        case .error:
            return .unknown
        }
    }

    func staticName(_ id: Identifier, _ env: Env, _ scope: StaticScope, allowModule: Bool) -> SType {
        if let t = scope.type(of: id.name) { return t }
        guard let r = namespace.lookup(id.name, env) else {
            let before = diagnostics.count
            reportUnknownName(id.name, span: id.span, env: env, expected: nil)
            // keep it with the static diagnostics (dropped when evaluation reports it too)
            typer.diagnostics.append(contentsOf: diagnostics[before...])
            diagnostics.removeSubrange(before...)
            return .unknown
        }
        switch r {
        case .binding(.value(let v)):
            return v.value.isError ? .unknown : SType(v.value.type)
        case .binding(.letSlot(let s)), .global(.letSlot(let s)):
            guard s.state == .done, !s.value.value.isError else { return .unknown }
            return SType(s.value.value.type)
        case .binding(.fn), .global(.fn), .builtin:
            staticReport(.functionNotAValue(id.name, at: id.span))
            return .unknown
        case .global(.module(let m)):
            if allowModule { return .module(m) }
            staticReport(.moduleNotAValue(id.name, at: id.span))
            return .unknown
        case .global(.resource(let i)):
            guard let k = RefKind(store.instances[i].kind) else { return .unknown }
            return .known(.ref(k))
        case .global(.nicGroup):
            return .known(.ref(.nic))
        }
    }

    func staticMember(_ b: SType, _ m: Identifier) -> SType {
        let name = m.name
        func unknown(_ owner: MemberOwner, _ candidates: [String]) -> SType {
            staticReport(.noMember(name, of: owner, candidates: candidates, at: m.span))
            return .unknown
        }
        switch b.settled {
        case .unknown:
            return .unknown
        case .module(let mi):
            let mod = namespace.modules[mi]
            guard let g = mod.globals[name] else { return unknown(.module(mod.name), mod.order) }
            switch g.entry {
            case .letSlot(let s):
                guard s.state == .done, !s.value.value.isError else { return .unknown }
                return SType(s.value.value.type)
            case .module(let other): return .module(other)
            case .fn:
                staticReport(.functionNotAValue("\(mod.name).\(name)", at: m.span))
                return .unknown
            default: return .unknown
            }
        case .record(let fs):
            guard let f = fs.first(where: { $0.name == name }) else { return unknown(.record, fs.map(\.name)) }
            return f.type
        default:
            break
        }
        // the built-in members of `MemberTable`
        let t = b.settled
        guard let shape = t.shape else { return .unknown }  // a String or a record (`image`) …
        if let rule = MemberTable.rule(shape, name) {
            if rule.isMethod {
                staticReport(.methodNotCalled(rule.name, of: t.description, callHint: rule.callHint, at: m.span))
                return .unknown
            }
            return SType(rule.result)
        }
        // the attributes of resources and VM NICs (`Schema`)
        switch t {
        case .known(.ref(let k)):
            let block = Schema.blockKind(k.resourceKind, nested: nil)  // a `nic` reference is a node NIC
            if k == .vlan && name == "base" { return .known(.link) }
            if let a = Schema.attribute(name, of: block) { return SType(a.type) }
            if k == .vm { return .unknown }  // a NIC of the VM, by name
            return unknown(.type(k.typeName), MemberTable.names(of: .ref) + Schema.attributes(of: block).map(\.name))
        case .known(.vmNic):
            if let a = Schema.attribute(name, of: .vmNic) { return SType(a.type) }
            return unknown(.someVMNic, MemberTable.names(of: .vmNic) + Schema.vmNic.map(\.name))
        default:
            return unknown(.type(t.description), MemberTable.names(of: shape))
        }
    }

    // MARK: - Operators

    /// The type of `l op r` from the rules of `OperatorTable`. An unknown operand reports
    /// nothing; the result is then known when every rule the known operand allows agrees on it.
    func staticBinary(_ op: BinaryOperator, _ le: Expr, _ re: Expr, _ env: Env, _ scope: StaticScope, span: Span) -> SType {
        let l = staticType(le, env, scope).settled, r = staticType(re, env, scope).settled
        let ls = l.shape, rs = r.shape
        switch op {
        case .and, .or:
            // lazy: each side is checked on its own, as evaluation does
            for (t, s, x) in [(l, ls, le), (r, rs, re)] {
                if let s, OperatorTable.rules(op, lhs: s, rhs: nil).isEmpty {
                    staticReport(.operatorExpectsBool(op.rawValue, found: t.description, at: x.span))
                }
            }
            return .known(.bool)
        default: break
        }
        guard let ls, let rs else {
            var result: SType? = nil
            for rule in OperatorTable.rules(op, lhs: ls, rhs: rs) {
                guard case .type(let t) = rule.result else { return .unknown }
                if result == nil { result = SType(t) } else if result != SType(t) { return .unknown }
            }
            return result ?? .unknown
        }
        guard let rule = OperatorTable.rule(op, ls, rs) else {
            staticReport(.cannotApply(op.rawValue, to: l.description, and: r.description, at: span))
            return .unknown
        }
        switch rule.result {
        case .type(let t): return SType(t)
        case .joinedList:
            guard case .list(let a) = l, case .list(let b) = r else { return .unknown }
            return .list(unify(a, b) ?? .unknown)
        }
    }

    // MARK: - Calls

    func staticCall(_ callee: Expr, _ args: [Expr], _ env: Env, _ scope: StaticScope, span: Span) -> SType {
        switch callee.kind {
        case .name(let id):
            if let t = scope.type(of: id.name) {
                if !t.isUnknown {
                    staticReport(.notAFunction(id.name, type: t.settled.description, at: id.span))
                }
                for a in args { _ = staticType(a, env, scope) }
                return .unknown
            }
            guard let r = namespace.lookup(id.name, env) else {
                _ = staticName(id, env, scope, allowModule: false)
                for a in args { _ = staticType(a, env, scope) }
                return .unknown
            }
            switch r {
            case .binding(.fn(let def)), .global(.fn(let def)):
                return staticUserCall(def, args, env, scope, span: span)
            case .builtin(let name):
                return staticBuiltin(name, args, env, scope, span: span)
            default:
                for a in args { _ = staticType(a, env, scope) }
                return .unknown
            }
        case .member(let base, let m):
            let b = staticType(base, env, scope, allowModule: true).settled
            switch b {
            case .unknown:
                for a in args { _ = staticType(a, env, scope) }
                return .unknown
            case .module(let mi):
                let mod = namespace.modules[mi]
                if let g = mod.globals[m.name], case .fn(let def) = g.entry {
                    return staticUserCall(def, args, env, scope, span: span)
                }
                for a in args { _ = staticType(a, env, scope) }
                return .unknown
            default:
                return staticMethod(b, m, args, env, scope, span: span)
            }
        case .parenthesized(let x):
            return staticCall(x, args, env, scope, span: span)
        default:
            for a in args { _ = staticType(a, env, scope) }
            return .unknown
        }
    }

    func staticArgumentCount(_ name: String, expected n: Int, found: Int, span: Span) -> Bool {
        if n == found { return true }
        staticReport(.argumentCount(name, expected: n, found: found, at: span))
        return false
    }

    func staticUserCall(_ def: FnDef, _ args: [Expr], _ env: Env, _ scope: StaticScope, span: Span) -> SType {
        if def.paramTypes == nil {
            def.paramTypes = def.decl.parameters.map { resolveType($0.type) }
            def.returnType = def.decl.returnType.map { resolveType($0) }
        }
        let types = def.paramTypes ?? []
        let argTypes = args.map { staticType($0, env, scope) }
        if staticArgumentCount(def.decl.name.name, expected: types.count, found: args.count, span: span) {
            for (i, t) in argTypes.enumerated() { checkAssignable(t, to: types[i], at: args[i].span) }
        }
        return def.returnType.map { SType($0) } ?? .unknown
    }

    /// A call of a built-in function, typed by its `BuiltinTable` entry.
    func staticBuiltin(_ name: String, _ args: [Expr], _ env: Env, _ scope: StaticScope, span: Span) -> SType {
        let argTypes = args.map { staticType($0, env, scope).settled }
        guard let f = BuiltinTable.function(name) else { return .unknown }
        guard staticArgumentCount(name, expected: f.arity, found: args.count, span: span) else { return .unknown }
        let shapes = argTypes.compactMap(\.shape)
        if shapes.count == args.count, !f.accepts(shapes) {
            staticReport(f.mismatch(argTypes.map(\.description), call: span, argument: args[0].span))
            return .unknown
        }
        switch f.result {
        case .type(let t): return .known(t)
        case .firstArgument: return argTypes.first { !$0.isUnknown } ?? .unknown
        }
    }

    /// `x.name(args)`: a method of the `MemberTable`, its arguments checked against the parameters.
    func staticMethod(_ b: SType, _ m: Identifier, _ args: [Expr], _ env: Env, _ scope: StaticScope, span: Span) -> SType {
        let argTypes = args.map { staticType($0, env, scope) }
        guard let shape = b.shape, let rule = MemberTable.rule(shape, m.name), let params = rule.params else {
            let candidates = b.shape.map { MemberTable.methodNames(of: $0) } ?? []
            staticReport(.noMethod(m.name, of: b.description, candidates: candidates, at: m.span))
            return .unknown
        }
        guard staticArgumentCount(m.name, expected: params.count, found: args.count, span: span) else { return .unknown }
        for (i, p) in params.enumerated() where p.type != .any { checkAssignable(argTypes[i], to: p.type, at: args[i].span) }
        return SType(rule.result)
    }

    // MARK: - One type from two

    /// The one type of two branches (or two list elements); nil when they have none.
    /// Literals take the type of the other side where they convert to it; resources of the
    /// link kinds meet in `Link`; the union types of attributes (`IP | IfAddr | auto | dhcp`
    /// of a NIC address, `Network | pod` of a NIC's `on`) are types too.
    func unify(_ a: SType, _ b: SType) -> SType? {
        if a == b { return a }
        switch (a, b) {
        case (.unknown, _): return b
        case (_, .unknown): return a
        case (.stringLiteral, .known(let t)), (.known(let t), .stringLiteral):
            switch t {
            case .string, .ip, .cidr, .ifaddr, .mac, .quantity, .nicAddress, .ref, .link, .nicNetwork: return .known(t)
            default: return nil
            }
        case (.prefixLiteral, .known(let t)), (.known(let t), .prefixLiteral):
            switch t {
            case .cidr, .ifaddr, .nicAddress: return .known(t)
            default: return nil
            }
        case (.prefixLiteral, .prefixLiteral): return a
        case (.list(let x), .list(let y)):
            return unify(x, y).map { .list($0) }
        case (.record(let xs), .record(let ys)):
            guard xs.count == ys.count else { return nil }
            var out: [StaticField] = []
            for x in xs {
                guard let y = ys.first(where: { $0.name == x.name }), let t = unify(x.type, y.type) else { return nil }
                out.append(StaticField(name: x.name, type: t))
            }
            return .record(out)
        case (.known(let x), .known(let y)):
            return Engine.unifyKnown(x, y).map { .known($0) }
        default:
            return nil
        }
    }

    static func unifyKnown(_ x: VType, _ y: VType) -> VType? {
        if x == y { return x }
        func isLinkish(_ t: VType) -> Bool {
            if case .ref(let k) = t { return k.isLink }
            return t == .link
        }
        if isLinkish(x) && isLinkish(y) { return .link }
        func isAddress(_ t: VType) -> Bool {
            switch t {
            case .ip, .ifaddr, .addressMode, .nicAddress: return true
            default: return false
            }
        }
        if isAddress(x) && isAddress(y) { return .nicAddress }
        switch (x, y) {
        case (.pod, .ref(.network)), (.ref(.network), .pod), (.nicNetwork, .pod), (.pod, .nicNetwork),
             (.nicNetwork, .ref(.network)), (.ref(.network), .nicNetwork):
            return .nicNetwork
        default: return nil
        }
    }

    /// `if c { a } else { b }`: the type of both branches, or an error at the `else` branch.
    func unifyBranches(_ t: SType, _ o: SType, then: Expr, otherwise: Expr, expected: VType?) -> SType {
        if let u = unify(t, o) { return u }
        // both convert to the type expected where the `if` stands (an attribute's union type)
        if let x = expected, assignable(t, to: x), assignable(o, to: x) { return SType(x) }
        staticReport(.incompatibleBranches(first: t.settled.description, other: o.settled.description,
                                           at: otherwise.span, firstBranch: then.span))
        return .unknown
    }

    // MARK: - Assignability

    /// Whether a value of static type `s` can stand where `t` is expected (as `coerce` accepts it).
    /// Unknown is always accepted.
    func assignable(_ s: SType, to t: VType) -> Bool {
        switch (s, t) {
        case (.unknown, _), (_, .error), (_, .any): return true
        case (_, .perFamily(let et)):
            if assignable(s, to: et) { return true }
            if case .list(let e) = s { return assignable(e, to: et) }
            return false
        case (.stringLiteral, _):
            switch t {
            case .string, .ip, .cidr, .ifaddr, .mac, .quantity, .nicAddress, .ref, .link, .nicNetwork, .image: return true
            default: return false
            }
        case (.prefixLiteral, _):
            switch t {
            case .cidr, .ifaddr, .nicAddress: return true
            default: return false
            }
        case (.module, _): return false
        case (.list(let e), .list(let et)): return assignable(e, to: et)
        case (.list, _): return t == .ipRange
        case (.record(let fs), .record(let fts)):
            guard fs.count == fts.count else { return false }
            return fts.allSatisfy { ft in fs.first { $0.name == ft.name }.map { assignable($0.type, to: ft.type) } ?? false }
        case (.record(let fs), .map(let et)): return fs.allSatisfy { assignable($0.type, to: et) }
        case (.record(let fs), .image):
            // unknown fields and a missing `ref` are reported by evaluation, with the value
            return fs.allSatisfy { f in Schema.imageRecord.first { $0.name == f.name }.map { assignable(f.type, to: $0.type) } ?? true }
        case (.record, _): return false
        case (.known(let x), _):
            if x == t { return true }
            switch (x, t) {
            case (.cidr, .ifaddr), (.ip, .nicAddress), (.ifaddr, .nicAddress), (.cidr, .nicAddress), (.addressMode, .nicAddress),
                 (.pod, .nicNetwork), (.ref(.network), .nicNetwork), (.nicAddress, .nicAddress),
                 (.string, .ref), (.string, .link), (.string, .nicNetwork), (.link, .link), (.string, .image):
                return true
            case (.ref(let k), .link): return k.isLink
            case (.ifaddr, .cidr): return true  // host bits: evaluation reports them with the value
            default: return false
            }
        }
    }

    func checkAssignable(_ s: SType, to t: VType, at span: Span) {
        if assignable(s, to: t) { return }
        // a per-family position names its element type unless a list stands there
        if case .perFamily(let et) = t {
            if case .list(let e) = s { return checkAssignable(e, to: et, at: span) }
            return checkAssignable(s, to: et, at: span)
        }
        if case .known(.ref(let k)) = s {
            switch t {
            case .ref, .link, .nicNetwork:
                staticReport(.wrongResourceKind(expected: Engine.expectedResource(t), foundType: k.typeName, at: span))
                return
            default: break
            }
        }
        staticReport(.typeMismatch(expected: t.description, found: s.settled.description, at: span))
    }

}

// MARK: - Bodies expansion did not run

extension Engine {
    func deferUntaken(_ items: [Item], _ env: Env, _ target: Target, key: Span) {
        var block: BlockKind? = nil
        if case .block(let i) = target { block = store.instances[i].block }
        typer.deferBody(items, env, block: block, key: key)
    }

    /// Types the declarations and attributes of every body expansion skipped (end of
    /// evaluation, so every generated name is known): unknown names, attributes the block does
    /// not have, values of the wrong type — what would be reported if the condition changed.
    func typeUntakenBodies() {
        for body in typer.untakenBodies {
            var scope = StaticScope()
            typeItems(body.items, body.env, &scope, block: body.block)
        }
    }

    func typeItems(_ items: [Item], _ env: Env, _ scope: inout StaticScope, block: BlockKind?) {
        // names declared in the body are in scope in all of it (their types are not known yet)
        for item in items {
            switch item.kind {
            case .letDecl(let name, _, _): scope.names.append(name.name); scope.types.append(.unknown)
            case .fnDecl(let d): scope.names.append(d.name.name); scope.types.append(.unknown)
            case .resource(let r) where block == nil || block == .host:
                // top-level names and host NICs (merged into the topology's namespace); a VM's
                // NICs and users are reached only through the VM
                if case .identifier(let id)? = r.name {
                    scope.names.append(id.name)
                    scope.types.append(RefKind(r.kind).map { .known(.ref($0)) } ?? .unknown)
                }
            default: continue
            }
        }
        for item in items { typeItem(item, env, &scope, block: block) }
    }

    func typeItem(_ item: Item, _ env: Env, _ scope: inout StaticScope, block: BlockKind?) {
        switch item.kind {
        case .attribute(let name, let value):
            let t = staticType(value, env, scope)
            guard let block else { return }
            if block == .user && name.name == "password" { return }
            guard let a = Schema.attribute(name.name, of: block) else {
                staticReport(.unknownAttribute(name.name, in: block.keyword,
                                                candidates: Schema.attributes(of: block).map(\.name), at: name.span))
                return
            }
            checkAssignable(t, to: a.type, at: value.span)
        case .spread(let x):
            let t = staticType(x, env, scope).settled
            switch t {
            case .record, .unknown: break
            default:
                staticReport(.notSpreadable(found: t.description, at: x.span))
            }
        case .resource(let r):
            let inner = Schema.blockKind(r.kind, nested: block)
            if case .string(let lit)? = r.name {
                for p in lit.parts { if case .interpolation(let x) = p { _ = staticType(x, env, scope) } }
            }
            if let on = r.on {
                let t = staticType(on, env, scope)
                switch inner {
                case .vlan: checkAssignable(t, to: .link, at: on.span)
                case .vmNic: checkAssignable(t, to: .nicNetwork, at: on.span)
                default: break
                }
            }
            if let body = r.body {
                var inside = scope
                typeItems(body.items, env, &inside, block: inner)
            }
        case .letDecl(let name, let type, let value):
            var t = staticType(value, env, scope)
            if let type {
                let declared = resolveType(type)
                checkAssignable(t, to: declared, at: value.span)
                t = SType(declared)
            }
            scope.names.append(name.name)
            scope.types.append(t)
        case .fnDecl(let d):
            var inside = scope
            for p in d.parameters {
                inside.names.append(p.name.name)
                inside.types.append(SType(resolveType(p.type)))
            }
            let body = staticType(d.body, env, inside)
            if let rt = d.returnType { checkAssignable(body, to: resolveType(rt), at: d.body.span) }
        case .assertDecl(let c, let m):
            let t = staticType(c, env, scope).settled
            if !t.isUnknown && t != .known(.bool) {
                staticReport(.assertNotBool(found: t.description, at: c.span))
            }
            if let m { _ = staticType(m, env, scope) }
        case .forLoop(let variable, let sequence, let body):
            let seq = staticType(sequence, env, scope).settled
            var element: SType = .unknown
            switch seq {
            case .list(let e): element = e
            case .unknown: break
            default:
                staticReport(.notIterable(found: seq.description, at: sequence.span))
            }
            var inside = scope
            inside.names.append(variable.name)
            inside.types.append(element)
            typeItems(body.items, env, &inside, block: block)
        case .ifStatement(let cond, let then, let elseBranch):
            let t = staticType(cond, env, scope).settled
            if !t.isUnknown && t != .known(.bool) {
                staticReport(.ifNotBool(found: t.description, at: cond.span))
            }
            var inside = scope
            typeItems(then.items, env, &inside, block: block)
            switch elseBranch {
            case .block(let b)?:
                var other = scope
                typeItems(b.items, env, &other, block: block)
            case .elseIf(let i)?:
                var other = scope
                typeItem(i, env, &other, block: block)
            case nil: break
            }
        case .importDecl, .error:
            break
        }
    }
}
