import WukongDiagnostics
import WukongNet
import WukongSyntax

// Declarations (LANGUAGE.md §5): registration of the topology namespace, imports, expansion
// of `for`/`if`/`...` at top level and inside blocks, attributes and their memoised evaluation.

extension Engine {
    enum Target {
        case topLevel
        case block(Int)
    }

    // MARK: - Phase 1a: static registration

    /// Registers every top-level declaration whose name is written literally, in source order;
    /// returns the instances created for static resources (in the order `expandFile` meets them).
    func registerStatic() -> [Int] {
        var statics: [Int] = []
        var items = 0
        for file in files { items += file.items.count }
        statics.reserveCapacity(items)
        store.instances.reserveCapacity(items)
        store.ordered.reserveCapacity(items)
        namespace.globals.reserveCapacity(items)
        for file in files {
            for item in file.items {
                switch item.kind {
                case .importDecl(let path, let alias):
                    registerImport(path: path, alias: alias, span: item.span)
                case .letDecl(let name, let type, let value):
                    let slot = LetSlot(name: name, annotation: type, expr: value, env: namespace.rootEnv)
                    if registerName(name.name, .letSlot(slot), span: name.span) { namespace.topLevelLets.append(slot) }
                case .fnDecl(let d):
                    let def = FnDef(decl: d, env: namespace.rootEnv)
                    if registerName(d.name.name, .fn(def), span: d.name.span) { namespace.topLevelFns.append(def) }
                case .resource(let r):
                    if case .string? = r.name { continue }
                    guard checkTopLevelKind(r) else { continue }
                    let (name, nameSpan) = staticName(r)
                    let idx = newInstance(r, itemSpan: item.span, env: namespace.rootEnv, name: name, nameSpan: nameSpan, parent: nil)
                    registerResource(idx)
                    statics.append(idx)
                    if r.kind == .host { preregisterHostNics(r, host: idx) }
                default:
                    continue
                }
            }
        }
        return statics
    }

    func staticName(_ r: ResourceDecl) -> (String, Span) {
        switch r.name {
        case .identifier(let id)?: return (id.name, id.span)
        case .string(let s)?: return (s.plainText ?? "", s.span)
        case nil: return (defaultName, r.keywordSpan)
        }
    }

    func checkTopLevelKind(_ r: ResourceDecl) -> Bool {
        if r.kind == .user || r.kind == .disk {
            report(.onlyInsideVM(r.kind.rawValue, at: r.keywordSpan))
            return false
        }
        return true
    }

    /// Host NICs written literally are known before any expansion, so a `for` anywhere may name them.
    func preregisterHostNics(_ r: ResourceDecl, host: Int) {
        guard let body = r.body else { return }
        for item in body.items {
            guard case .resource(let n) = item.kind, n.kind == .nic, case .identifier(let id)? = n.name else { continue }
            if case .nicGroup(let g)? = namespace.globals[id.name]?.entry, store.nicGroups[g].topLevel == nil { continue }
            if namespace.globals[id.name] == nil {
                store.nicGroups.append(NicGroup(name: id.name, topLevel: nil))
                namespace.globals[id.name] = GlobalRecord(entry: .nicGroup(store.nicGroups.count - 1), span: id.span)
            }
        }
    }

    @discardableResult
    func registerName(_ name: String, _ entry: GlobalEntry, span: Span) -> Bool {
        guard let existing = namespace.globals[name] else {
            namespace.globals[name] = GlobalRecord(entry: entry, span: span)
            return true
        }
        if Engine.precedes(span, existing.span) {
            // the new declaration comes first in source order: the old one is the duplicate
            report(.duplicateDeclaration(name, at: existing.span, first: span))
            if case .resource(let i) = existing.entry { store.instances[i].excluded = true }
            namespace.globals[name] = GlobalRecord(entry: entry, span: span)
            return true
        }
        report(.duplicateDeclaration(name, at: span, first: existing.span))
        return false
    }

    func registerResource(_ idx: Int) {
        let inst = store.instances[idx]
        switch inst.kind {
        case .topology:
            if let t = store.topologyInstance {
                report(.duplicateTopology(at: inst.span, first: store.instances[t].span))
                inst.excluded = true
            } else {
                store.topologyInstance = idx
            }
        case .nic:
            if let g = namespace.globals[inst.name], case .nicGroup(let gi) = g.entry, store.nicGroups[gi].topLevel == nil,
               store.nicGroups[gi].hostNics.isEmpty {
                // pre-registered by a host that declares it: a top-level nic of the same name is a duplicate
                report(.topLevelNicDeclaredInHost(inst.name, at: inst.nameSpan, first: g.span))
                inst.excluded = true
                return
            }
            store.nicGroups.append(NicGroup(name: inst.name, topLevel: idx))
            if !registerName(inst.name, .nicGroup(store.nicGroups.count - 1), span: inst.nameSpan) { inst.excluded = true }
        default:
            if !registerName(inst.name, .resource(idx), span: inst.nameSpan) { inst.excluded = true }
        }
    }

    func registerHostNic(_ idx: Int, host: Int) {
        let inst = store.instances[idx]
        if let g = namespace.globals[inst.name] {
            if case .nicGroup(let gi) = g.entry, store.nicGroups[gi].topLevel == nil {
                for other in store.nicGroups[gi].hostNics where store.instances[other].parent == host {
                    report(.duplicateHostNic(inst.name, host: store.instances[host].name, at: inst.nameSpan,
                                             first: store.instances[other].nameSpan))
                    inst.excluded = true
                    return
                }
                store.nicGroups[gi].hostNics.append(idx)
                if store.nicGroups[gi].hostNics.count == 1 { namespace.globals[inst.name]?.span = inst.nameSpan }
                return
            }
            var span = g.span
            if case .nicGroup(let gi) = g.entry, let t = store.nicGroups[gi].topLevel { span = store.instances[t].nameSpan }
            report(.hostNicDeclaredAtTopLevel(inst.name, at: inst.nameSpan, first: span))
            inst.excluded = true
            return
        }
        store.nicGroups.append(NicGroup(name: inst.name, topLevel: nil, hostNics: [idx]))
        namespace.globals[inst.name] = GlobalRecord(entry: .nicGroup(store.nicGroups.count - 1), span: inst.nameSpan)
    }

    func registerImport(path: [Identifier], alias: Identifier?, span: Span) {
        guard let last = path.last else { return }
        let full = path.map(\.name).joined(separator: ".")
        let pathSpan = path[0].span.to(last.span)
        guard path.count == 2, path[0].name == "std", let mi = namespace.moduleIndex[path[1].name] else {
            report(.unknownModule(full, known: Stdlib.orderedModules.map { "std." + $0.name }, at: pathSpan))
            return
        }
        let name = alias ?? last
        if let existing = namespace.globals[name.name], case .module(let other) = existing.entry, other == mi { return }
        if let first = namespace.importedAs[mi] {
            // one module, one name across the topology's files
            report(.moduleImportedTwice(full, as: first.name, lastComponent: last.name, at: name.span,
                                        firstImport: first.span))
            return
        }
        namespace.importedAs[mi] = name
        if registerName(name.name, .module(mi), span: name.span) { loadModule(mi) }
    }

    // MARK: - Modules

    func loadModule(_ mi: Int) {
        let m = namespace.modules[mi]
        if m.loaded { return }
        m.loaded = true
        let file = SourceFile(id: m.file, path: "<stdlib>/\(m.name).wk", text: m.source)
        let (syntax, diags) = Parser.parse(file)
        diagnostics += diags
        var fns: [FnDef] = []
        for item in syntax.items {
            switch item.kind {
            case .letDecl(let name, let type, let value):
                addModuleName(m, name, .letSlot(LetSlot(name: name, annotation: type, expr: value, env: m.env)))
            case .fnDecl(let d):
                let def = FnDef(decl: d, env: m.env)
                fns.append(def)
                addModuleName(m, d.name, .fn(def))
            case .importDecl(let path, let alias):
                guard let last = path.last else { continue }
                guard path.count == 2, path[0].name == "std", let other = namespace.moduleIndex[path[1].name] else {
                    report(.unknownModule(path.map(\.name).joined(separator: "."), known: nil, at: item.span))
                    continue
                }
                addModuleName(m, alias ?? last, .module(other))
                loadModule(other)
            case .error: continue
            default:
                report(.itemNotAllowedInModule(at: item.span))
            }
        }
        markRecursive(fns, table: m.globals)
        for f in fns { for p in f.decl.parameters { checkShadow(p.name, m.env) } }
    }

    func addModuleName(_ m: Module, _ id: Identifier, _ entry: GlobalEntry) {
        if let first = m.globals[id.name] {
            report(.duplicateModuleDefinition(id.name, at: id.span, first: first.span))
            return
        }
        m.globals[id.name] = GlobalRecord(entry: entry, span: id.span)
        m.order.append(id.name)
    }

    // MARK: - Recursion (static)

    /// Marks the functions that call themselves, directly or through others (E0208 at each
    /// cycle's first function in source order).
    func markRecursive(_ fns: [FnDef], table: [String: GlobalRecord]) {
        var index: [ObjectIdentifier: Int] = [:]
        for (i, f) in fns.enumerated() { index[ObjectIdentifier(f)] = i }
        var edges: [[Int]] = Array(repeating: [], count: fns.count)
        for (i, f) in fns.enumerated() {
            var called: [String] = []
            collectCalls(f.decl.body, into: &called)
            let params = Set(f.decl.parameters.map(\.name.name))
            for name in called where !params.contains(name) {
                if case .fn(let g)? = table[name]?.entry, let j = index[ObjectIdentifier(g)] { edges[i].append(j) }
            }
        }
        // Tarjan's strongly connected components, iteratively.
        var order = [Int](repeating: -1, count: fns.count), low = [Int](repeating: 0, count: fns.count)
        var onStack = [Bool](repeating: false, count: fns.count)
        var stack: [Int] = []
        var counter = 0
        for root in 0..<fns.count where order[root] < 0 {
            var work: [(Int, Int)] = [(root, 0)]
            order[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let (v, ei) = work.last {
                if ei < edges[v].count {
                    work[work.count - 1].1 += 1
                    let w = edges[v][ei]
                    if order[w] < 0 {
                        order[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], order[w])
                    }
                } else {
                    work.removeLast()
                    if let (p, _) = work.last { low[p] = min(low[p], low[v]) }
                    if low[v] == order[v] {
                        var comp: [Int] = []
                        while let w = stack.popLast() {
                            onStack[w] = false
                            comp.append(w)
                            if w == v { break }
                        }
                        let selfLoop = comp.count == 1 && edges[v].contains(v)
                        if comp.count > 1 || selfLoop {
                            let members = comp.sorted()
                            for m in members { fns[m].recursive = true }
                            let first = fns[members[0]].decl
                            if selfLoop {
                                report(.functionCallsItself(first.name.name, at: first.name.span))
                            } else {
                                report(.functionCallsItselfThrough(members.map { fns[$0].decl.name.name }, at: first.name.span))
                            }
                        }
                    }
                }
            }
        }
    }

    func collectCalls(_ e: Expr, into out: inout [String]) {
        switch e.kind {
        case .call(let callee, let args):
            if case .name(let id) = callee.kind { out.append(id.name) } else { collectCalls(callee, into: &out) }
            for a in args { collectCalls(a, into: &out) }
        case .list(let xs): for x in xs { collectCalls(x, into: &out) }
        case .record(let entries):
            for en in entries {
                switch en.kind {
                case .field(_, _, let v): collectCalls(v, into: &out)
                case .spread(let v): collectCalls(v, into: &out)
                }
            }
        case .member(let b, _): collectCalls(b, into: &out)
        case .unary(_, let x), .parenthesized(let x): collectCalls(x, into: &out)
        case .binary(_, let l, let r): collectCalls(l, into: &out); collectCalls(r, into: &out)
        case .conditional(let c, let t, let o):
            collectCalls(c, into: &out); collectCalls(t, into: &out); collectCalls(o, into: &out)
        case .string(let lit):
            for p in lit.parts { if case .interpolation(let x) = p { collectCalls(x, into: &out) } }
        default: break
        }
    }

    // MARK: - Phase 1b: expansion

    func newInstance(_ r: ResourceDecl, itemSpan: Span, env: Env, name: String, nameSpan: Span, parent: Int?) -> Int {
        let parentBlock = parent.map { store.instances[$0].block }
        let block = Schema.blockKind(r.kind, nested: parentBlock)
        let inst = Instance(kind: r.kind, block: block, decl: r, span: itemSpan, env: env, name: name, nameSpan: nameSpan)
        inst.parent = parent
        // one allocation for the `on` slot and the body's attributes (see `ensureExpanded`)
        let capacity = (r.on == nil ? 0 : 1) + (r.body.map { Engine.attributeItemCount($0.items) } ?? 0)
        if capacity > 0 { inst.attrs.reserveCapacity(capacity) }
        if let on = r.on {
            if block == .vlan || block == .vmNic {
                inst.attrs.append(AttrSlot(name: "on", nameSpan: on.span, expr: on, env: env, preset: nil, fromSpread: false))
                inst.onSlot = inst.attrs.count - 1
            } else {
                report(.onNotAllowed(in: block.keyword, at: on.span))
            }
        } else if block == .vlan || block == .vmNic {
            report(.missingOn(name, vmNic: block == .vmNic, at: nameSpan))
            inst.poisoned = true
        }
        store.instances.append(inst)
        return store.instances.count - 1
    }

    /// The name of a declaration; an interpolated name is evaluated and must still be a valid name.
    func evalDeclName(_ r: ResourceDecl, _ env: Env) -> (name: String, span: Span, valid: Bool)? {
        switch r.name {
        case .identifier(let id)?: return (id.name, id.span, true)
        case nil: return (defaultName, r.keywordSpan, true)
        case .string(let lit)?:
            let v = stringLiteral(lit, env, expected: nil)
            guard case .string(let s) = v.value else { return nil }
            if NameRules.isValidName(s) { return (s, lit.span, true) }
            report(.invalidDeclarationName(s, at: lit.span))
            return (s, lit.span, false)
        }
    }

    func expandFile(_ file: FileSyntax, statics: [Int], cursor: inout Int) {
        for item in file.items {
            switch item.kind {
            case .resource(let r):
                if case .string? = r.name {
                    createTopLevel(r, itemSpan: item.span, env: namespace.rootEnv)
                } else if r.kind != .user && r.kind != .disk {
                    if cursor < statics.count { store.ordered.append(statics[cursor]) }
                    cursor += 1
                }
            case .importDecl, .letDecl, .fnDecl, .error:
                continue
            default:
                expandItem(item, namespace.rootEnv, .topLevel)
            }
        }
    }

    func createTopLevel(_ r: ResourceDecl, itemSpan: Span, env: Env) {
        guard checkTopLevelKind(r), let (name, span, valid) = evalDeclName(r, env) else { return }
        let idx = newInstance(r, itemSpan: itemSpan, env: env, name: name, nameSpan: span, parent: nil)
        if valid { registerResource(idx) } else { store.instances[idx].excluded = true }
        store.ordered.append(idx)
        if r.kind == .host { ensureExpanded(idx) }
    }

    /// Expands the items of a `for`/`if` body or a block: local `let`/`fn` first (usable before
    /// they appear), then everything else in order.
    func expandBody(_ items: [Item], _ env: Env, _ target: Target) {
        var scope = env
        var hasLocals = false
        for item in items {
            switch item.kind {
            case .letDecl, .fnDecl: hasLocals = true
            default: continue
            }
            break
        }
        var lets: [LetSlot] = []
        if hasLocals {
            scope = Env(parent: env, module: env.module)
            for item in items {
                switch item.kind {
                case .letDecl(let name, let type, let value):
                    checkShadow(name, scope)
                    let slot = LetSlot(name: name, annotation: type, expr: value, env: scope)
                    scope.bind(name.name, .letSlot(slot))
                    lets.append(slot)
                case .fnDecl(let d):
                    checkShadow(d.name, scope)
                    for p in d.parameters { checkShadow(p.name, scope) }
                    let def = FnDef(decl: d, env: scope)
                    scope.bind(d.name.name, .fn(def))
                    if namespace.localFnDecls.insert(d.name.span).inserted { namespace.localFns.append((def, scope)) }
                default: continue
                }
            }
        }
        for item in items {
            switch item.kind {
            case .letDecl, .fnDecl: continue
            default: expandItem(item, scope, target)
            }
        }
        // A `let` evaluated "even when unused" is evaluated now when its value cannot depend on
        // what expansion has not done yet (it reads no resource, global or function), rather
        // than keeping every iteration's scope until the end (5 000 000 iterations of
        // `let z = i` held 2.6 GiB).
        for slot in lets where slot.state == .pending {
            if evaluatesAlone(slot.expr, scope, depth: 0) {
                _ = force(slot)
            } else {
                namespace.localLets.append((slot, scope))
            }
        }
    }

    /// Whether `e` reads only literals, local bindings, local `let`s that do the same and
    /// built-in functions: its value is the same whenever it is evaluated (a global `let` or a
    /// resource's attribute may read an `auto` address, known only after expansion).
    func evaluatesAlone(_ e: Expr, _ env: Env, depth: Int) -> Bool {
        guard depth < 16 else { return false }
        switch e.kind {
        case .integer, .quantity, .ipv4, .ipv4Prefix, .bool, .keyword, .error:
            return true
        case .string(let lit):
            for case .interpolation(let x) in lit.parts where !evaluatesAlone(x, env, depth: depth + 1) { return false }
            return true
        case .name(let id):
            guard case .binding(let b)? = namespace.lookup(id.name, env) else { return false }
            switch b {
            case .value: return true
            case .letSlot(let slot):
                if slot.state == .done { return true }
                guard let slotEnv = slot.env else { return false }
                return evaluatesAlone(slot.expr, slotEnv, depth: depth + 1)
            case .fn: return false
            }
        case .list(let xs):
            return xs.allSatisfy { evaluatesAlone($0, env, depth: depth + 1) }
        case .record(let entries):
            return entries.allSatisfy {
                switch $0.kind {
                case .field(_, _, let v), .spread(let v): return evaluatesAlone(v, env, depth: depth + 1)
                }
            }
        case .call(let callee, let args):
            guard case .name(let id) = callee.kind, case .builtin? = namespace.lookup(id.name, env) else { return false }
            return args.allSatisfy { evaluatesAlone($0, env, depth: depth + 1) }
        case .unary(_, let x), .parenthesized(let x):
            return evaluatesAlone(x, env, depth: depth + 1)
        case .binary(_, let a, let b):
            return evaluatesAlone(a, env, depth: depth + 1) && evaluatesAlone(b, env, depth: depth + 1)
        case .conditional(let c, let t, let o):
            return evaluatesAlone(c, env, depth: depth + 1) && evaluatesAlone(t, env, depth: depth + 1)
                && evaluatesAlone(o, env, depth: depth + 1)
        case .member:
            return false
        }
    }

    func checkShadow(_ id: Identifier, _ env: Env) {
        guard let g = namespace.table(of: env)[id.name] else { return }
        guard namespace.reportedShadows.insert(id.span).inserted else { return }
        report(.shadowsTopLevel(id.name, at: id.span, declared: g.span))
    }

    func expandItem(_ item: Item, _ env: Env, _ target: Target) {
        switch item.kind {
        case .attribute(let name, let value):
            guard case .block(let i) = target else {
                report(.attributeOutsideBlock(name.name, at: name.span))
                return
            }
            addAttribute(i, name, value, env, itemSpan: item.span)
        case .spread(let e):
            guard case .block(let i) = target else {
                report(.spreadOutsideBlock(at: item.span))
                return
            }
            addSpread(i, e, env)
        case .resource(let r):
            switch target {
            case .topLevel:
                createTopLevel(r, itemSpan: item.span, env: env)
            case .block(let p):
                let parent = store.instances[p]
                guard Schema.allowsChild(r.kind, in: parent.block) else {
                    report(.resourceNotAllowed(r.kind.rawValue, inside: parent.block.keyword, at: r.keywordSpan))
                    return
                }
                guard let (name, span, valid) = evalDeclName(r, env) else { return }
                let idx = newInstance(r, itemSpan: item.span, env: env, name: name, nameSpan: span, parent: p)
                parent.children.append(idx)
                if !valid {
                    // reported; left out of the program, and its owner marked as incomplete so
                    // that no check reports the missing child again ("VM has no NIC", unused network)
                    store.instances[idx].excluded = true
                    parent.poisoned = true
                }
                if parent.block == .host && valid { registerHostNic(idx, host: p) }
                ensureExpanded(idx)
            }
        case .importDecl:
            report(.importNotAtTopLevel(at: item.span))
        case .letDecl, .fnDecl:
            // top-level ones are registered by `registerStatic`; local ones by `expandBody`
            break
        case .assertDecl(let c, let m):
            let a = DeferredAssert(condition: c, message: m, env: env, span: item.span)
            // like a local `let`: checked now when it reads nothing expansion has yet to do,
            // rather than keeping every iteration's scope until the end
            if env.parent != nil, evaluatesAlone(c, env, depth: 0), m.map({ evaluatesAlone($0, env, depth: 0) }) ?? true {
                checkAssert(a)
            } else {
                asserts.append(a)
            }
        case .forLoop(let variable, let sequence, let body):
            let seq = eval(sequence, env)
            checkShadow(variable, env)
            func run(_ el: LValue) -> Bool {
                if !step(at: sequence.span) { return false }
                let iterEnv = Env(parent: env, module: env.module)
                iterEnv.bind(variable.name, .value(el))
                expandBody(body.items, iterEnv, target)
                return true
            }
            if case .topLevel = target, let n = seq.value.elementCount {
                namespace.globals.reserveCapacity(namespace.globals.count + n * max(1, body.items.count))
            }
            if case .range(let r) = seq.value {
                // ranges are walked lazily, never materialised
                guard let n = r.count, n <= Engine.rangeCap else { _ = materialise(r, span: seq.span); return }
                if n == 0 { deferUntaken([item], env, target, key: item.span) }
                switch r {
                case .int(let f, _):
                    for i in 0..<n where !run(LValue(.int(f + i), seq.span)) { break }
                case .ip(let f, _):
                    var a: IPAddress? = f
                    for _ in 0..<n {
                        guard let cur = a, run(LValue(.ip(cur), seq.span)) else { break }
                        a = cur.adding(1)
                    }
                case .emptyIP: break
                }
                return
            }
            guard let elems = iterate(seq) else { return }
            if elems.isEmpty { deferUntaken([item], env, target, key: item.span) }
            for el in elems where !run(el) { break }
        case .ifStatement(let cond, let then, let elseBranch):
            let c = eval(cond, env)
            switch c.value {
            case .bool(true):
                expandBody(then.items, env, target)
                switch elseBranch {
                case .block(let b)?: deferUntaken(b.items, env, target, key: b.span)
                case .elseIf(let i)?: deferUntaken([i], env, target, key: i.span)
                case nil: break
                }
            case .bool(false):
                deferUntaken(then.items, env, target, key: then.span)
                switch elseBranch {
                case .block(let b)?: expandBody(b.items, env, target)
                case .elseIf(let i)?: expandItem(i, env, target)
                case nil: break
                }
            case .error: break
            default:
                report(.ifNotBool(found: c.value.type.description, at: c.span))
            }
        case .error:
            break
        }
    }

    // MARK: - Blocks

    func ensureExpanded(_ idx: Int) {
        let inst = store.instances[idx]
        switch inst.expandState {
        case .done: return
        case .active:
            reportCycle(inst.name, inst, at: inst.nameSpan)
            return
        case .pending: break
        }
        inst.expandState = .active
        cycles.push(inst.name, inst)
        if let body = inst.decl.body {
            inst.attrs.reserveCapacity(inst.attrs.count + Engine.attributeItemCount(body.items))
            expandBody(body.items, inst.env, .block(idx))
        }
        cycles.pop()
        inst.expandState = .done
    }

    func addAttribute(_ idx: Int, _ name: Identifier, _ value: Expr, _ env: Env, itemSpan: Span) {
        let inst = store.instances[idx]
        if inst.block == .user && name.name == "password" {
            if inst.plainPassword == nil { inst.plainPassword = itemSpan }
            return
        }
        guard Schema.hasAttribute(name.name, of: inst.block) else {
            let similar = Suggest.similar(to: name.name, among: Schema.attributes(of: inst.block).map(\.name))
            report(.unknownAttribute(name.name, in: inst.block.keyword, candidates: similar, fixIts: similar, at: name.span))
            return
        }
        if let i = inst.attr(name.name) {
            if inst.attrs[i].fromSpread {
                inst.attrs[i] = AttrSlot(name: name.name, nameSpan: name.span, expr: value, env: env, preset: nil, fromSpread: false)
                return
            }
            report(.attributeSetTwice(name.name, at: name.span, first: inst.attrs[i].nameSpan))
            return
        }
        inst.attrs.append(AttrSlot(name: name.name, nameSpan: name.span, expr: value, env: env, preset: nil, fromSpread: false))
    }

    func addSpread(_ idx: Int, _ e: Expr, _ env: Env) {
        let inst = store.instances[idx]
        let v = eval(e, env)
        switch v.value {
        case .record(let r):
            let known = Schema.attributes(of: inst.block).map(\.name)
            for (i, k) in r.keys.enumerated() {
                guard known.contains(k) else {
                    report(.unknownAttribute(k, in: inst.block.keyword, candidates: known, fromSpread: true, at: e.span))
                    continue
                }
                let slot = AttrSlot(name: k, nameSpan: e.span, expr: nil, env: nil,
                                    preset: LValue(r.values[i].value, e.span), fromSpread: true)
                if let j = inst.attrs.firstIndex(where: { $0.name == k }) {
                    if inst.attrs[j].fromSpread { inst.attrs[j] = slot }
                    continue
                }
                inst.attrs.append(slot)
            }
        case .error:
            inst.poisoned = true
        default:
            report(.notSpreadable(found: v.value.type.description, at: v.span))
            inst.poisoned = true
        }
    }

    /// How many of `items` are attributes or spreads (a capacity hint for `Instance.attrs`;
    /// nested resources get instances of their own).
    static func attributeItemCount(_ items: [Item]) -> Int {
        var n = 0
        for item in items {
            switch item.kind {
            case .attribute, .spread: n += 1
            default: continue
            }
        }
        return n
    }

    static func isLiteral(_ e: Expr) -> Bool {
        switch e.kind {
        case .integer, .quantity, .ipv4, .ipv4Prefix, .bool, .keyword: return true
        case .string(let lit):
            // one text part or none: a plain literal (without building its text)
            if lit.parts.count > 1 { return false }
            if case .interpolation? = lit.parts.first { return false }
            return true
        default: return false
        }
    }

    func attributeType(_ inst: Instance, _ name: String) -> AttributeSchema? {
        if name == "on" { return AttributeSchema(name: "on", type: inst.block == .vlan ? .link : .nicNetwork) }
        return Schema.attribute(name, of: inst.block)
    }

    /// The checked value of one attribute (memoised; `.error` after a diagnostic).
    func force(_ inst: Instance, _ i: Int) -> LValue {
        switch inst.attrs[i].state {
        case .done: return inst.attrs[i].value
        case .active:
            if !inst.attrs[i].cycleReported {
                inst.attrs[i].cycleReported = true
                reportCycle("\(inst.name).\(inst.attrs[i].name)", inst, at: inst.attrs[i].nameSpan, attribute: i)
            }
            return .error(inst.attrs[i].nameSpan)
        case .pending: break
        }
        inst.attrs[i].state = .active
        let name = inst.attrs[i].name
        let expr = inst.attrs[i].expr
        // a literal cannot take part in a cycle: no need to track it
        let tracked = expr.map { !Engine.isLiteral($0) } ?? false
        if tracked { cycles.push(inst, attribute: i) }
        var v: LValue
        if let schema = attributeType(inst, name) {
            if inst.attrs[i].fromSpread {
                v = coerce(inst.attrs[i].value, to: schema.type)
            } else if let e = expr, let env = inst.attrs[i].env {
                v = coerce(eval(e, env, expected: schema.type), to: schema.type)
            } else {
                v = .error(inst.attrs[i].nameSpan)
            }
            if let allowed = schema.allowed, case .string(let s) = v.value, !allowed.contains(s) {
                report(.invalidEnumValue(s, attribute: name, allowed: allowed, at: v.span))
                v = .error(v.span)
            }
        } else {
            v = .error(inst.attrs[i].nameSpan)
        }
        v = localize(v, within: inst.attrs[i].valueSpan)
        if v.value.isError { inst.poisoned = true }
        if tracked { cycles.pop() }
        inst.attrs[i].value = v
        inst.attrs[i].state = .done
        return v
    }

    /// Spans of values that were produced elsewhere (a `let`, a function, the standard library)
    /// are replaced by the span where this attribute's value is written.
    func localize(_ v: LValue, within outer: Span) -> LValue {
        func inside(_ s: Span) -> Bool { s.file == outer.file && s.start >= outer.start && s.end <= outer.end }
        if !v.value.isCompound { return inside(v.span) ? v : LValue(v.value, outer) }
        var out = v
        if !inside(v.span) { out.span = outer }
        switch v.value {
        case .list(let xs):
            if xs.allSatisfy({ inside($0.span) && !$0.value.isCompound }) { return out }
            out.value = .list(xs.map { localize($0, within: inside($0.span) ? $0.span : outer) })
        case .record(var r):
            for i in r.values.indices {
                let s = r.values[i].span
                r.values[i] = localize(r.values[i], within: inside(s) ? s : outer)
                if !inside(r.keySpans[i]) { r.keySpans[i] = outer }
            }
            out.value = .record(r)
        default: break
        }
        return out
    }
}

extension Value {
    var isCompound: Bool {
        switch self {
        case .list, .record: return true
        default: return false
        }
    }
}
