import WukongDiagnostics
import WukongNet
import WukongSyntax

// The evaluator's state. Everything is lazy and memoised: top-level `let`s, resource blocks
// and each attribute are evaluated on first use, with an "active" state that turns re-entry
// into a definition-cycle error. Phase 1 (`Engine.run`) registers and expands declarations,
// phase 2 resolves references as they are coerced to resource types, phase 3 forces
// everything in source order and builds the `CheckedProgram`.

// The evaluator's classes mark their stored properties `@exclusivity(unchecked)`: they are
// touched millions of times on large topologies and the dynamic exclusivity check of each
// access (swift_beginAccess/endAccess) cost ~5 % of `check`; no access here overlaps another.

enum SlotState { case pending, active, done }

/// A `let` (top-level, module or local), evaluated on first use.
final class LetSlot {
    let name: Identifier
    let annotation: TypeExpr?
    let expr: Expr
    weak var env: Env?
    @exclusivity(unchecked) var state: SlotState = .pending
    @exclusivity(unchecked) var value: LValue = .error(.none)
    @exclusivity(unchecked) var cycleReported = false
    init(name: Identifier, annotation: TypeExpr?, expr: Expr, env: Env) {
        self.name = name; self.annotation = annotation; self.expr = expr; self.env = env
    }
}

/// A user function (top-level, module or local).
final class FnDef {
    let decl: FnDecl
    weak var env: Env?
    @exclusivity(unchecked) var recursive = false
    @exclusivity(unchecked) var depthReported = false
    @exclusivity(unchecked) var paramTypes: [VType]? = nil
    @exclusivity(unchecked) var returnType: VType? = nil
    init(decl: FnDecl, env: Env) { self.decl = decl; self.env = env }
}

enum Binding {
    case value(LValue)
    case letSlot(LetSlot)
    case fn(FnDef)
}

/// A scope: a few local bindings and a parent. The root of a chain stands for a namespace
/// (`module` = -1: the topology; otherwise an index into `Engine.modules`).
final class Env {
    let parent: Env?
    let module: Int
    /// The first binding is stored inline (a `for` iteration or a one-parameter call binds one
    /// name: no arrays to allocate); the others follow in `moreNames`/`moreBindings`.
    @exclusivity(unchecked) var firstName: String? = nil
    @exclusivity(unchecked) var firstBinding: Binding? = nil
    @exclusivity(unchecked) var moreNames: [String] = []
    @exclusivity(unchecked) var moreBindings: [Binding] = []
    init(parent: Env?, module: Int) { self.parent = parent; self.module = module }

    /// The bound names, in binding order.
    var names: [String] {
        guard let f = firstName else { return [] }
        return [f] + moreNames
    }

    func bind(_ name: String, _ b: Binding) {
        if firstName == nil { firstName = name; firstBinding = b; return }
        moreNames.append(name); moreBindings.append(b)
    }
    /// The latest binding of `name` in this scope.
    func local(_ name: String) -> Binding? {
        var i = moreNames.count - 1
        while i >= 0 { if moreNames[i] == name { return moreBindings[i] }; i -= 1 }
        if let f = firstName, f == name { return firstBinding }
        return nil
    }
}

/// An entry of a namespace (the topology's or a module's).
enum GlobalEntry {
    case resource(Int)
    case nicGroup(Int)
    case letSlot(LetSlot)
    case fn(FnDef)
    case module(Int)
}

struct GlobalRecord {
    var entry: GlobalEntry
    var span: Span
}

/// One logical node NIC: a top-level `nic`, or the `nic`s of that name inside hosts.
struct NicGroup {
    var name: String
    var topLevel: Int?
    var hostNics: [Int] = []
    var first: Int { topLevel ?? hostNics.first ?? -1 }
}

/// One attribute of an expanded block (stored inline in `Instance.attrs`; addressed by index).
struct AttrSlot {
    let name: String
    /// The attribute's name (or the spread that supplied it).
    var nameSpan: Span
    var expr: Expr?
    var env: Env?
    var fromSpread: Bool
    var state: SlotState = .pending
    var cycleReported = false
    /// The checked value once `state == .done`; before that, the value a spread supplied.
    var value: LValue
    init(name: String, nameSpan: Span, expr: Expr?, env: Env?, preset: LValue?, fromSpread: Bool) {
        self.name = name; self.nameSpan = nameSpan; self.expr = expr; self.env = env
        self.value = preset ?? .error(nameSpan)
        self.fromSpread = fromSpread
    }
    /// Where the value was written: the expression, or the spread.
    var valueSpan: Span { expr?.span ?? nameSpan }
}

/// One resource after expansion (a `for` yields one per iteration).
final class Instance {
    let kind: ResourceKind
    let block: BlockKind
    let decl: ResourceDecl
    let span: Span
    let env: Env
    @exclusivity(unchecked) var name: String
    @exclusivity(unchecked) var nameSpan: Span
    @exclusivity(unchecked) var parent: Int?
    @exclusivity(unchecked) var expandState: SlotState = .pending
    @exclusivity(unchecked) var attrs: [AttrSlot] = []
    @exclusivity(unchecked) var children: [Int] = []
    /// Index in `attrs` of the `on` clause (`vlan x on LINK`, `nic n on NETWORK`).
    @exclusivity(unchecked) var onSlot: Int?
    @exclusivity(unchecked) var poisoned = false
    /// A duplicate declaration: reported, checked, but kept out of the program.
    @exclusivity(unchecked) var excluded = false
    @exclusivity(unchecked) var plainPassword: Span?
    init(kind: ResourceKind, block: BlockKind, decl: ResourceDecl, span: Span, env: Env, name: String, nameSpan: Span) {
        self.kind = kind; self.block = block; self.decl = decl; self.span = span; self.env = env
        self.name = name; self.nameSpan = nameSpan
    }
    /// Index in `attrs` of the attribute `name`.
    func attr(_ name: String) -> Int? {
        // one access to the stored array (each access to a class property is checked at run time)
        return attrs.withUnsafeBufferPointer { buf in
            var i = 0
            let length = name.utf8.count
            while i < buf.count { if sameName(buf[i].name, name, length) { return i }; i += 1 }
            return nil
        }
    }
    func valueSpan(of name: String) -> Span? { attr(name).map { attrs[$0].valueSpan } }
}

/// `a == b` for names, rejecting different lengths first (`String ==` on two different small
/// strings takes the slow comparison path; most names compared in the linear attribute and
/// schema scans differ in length). `length` is `b.utf8.count`.
@inline(__always) func sameName(_ a: String, _ b: String, _ length: Int) -> Bool {
    a.utf8.count == length && a == b
}

/// A standard-library module.
final class Module {
    let name: String
    let file: FileID
    let source: String
    @exclusivity(unchecked) var loaded = false
    @exclusivity(unchecked) var globals: [String: GlobalRecord] = [:]
    @exclusivity(unchecked) var order: [String] = []
    @exclusivity(unchecked) var env: Env
    init(name: String, file: FileID, source: String, index: Int) {
        self.name = name; self.file = file; self.source = source
        self.env = Env(parent: nil, module: index)
    }
}

struct UntakenBody {
    var items: [Item]
    var env: Env
    /// The block the items stand in; nil at top level.
    var block: BlockKind?
}

struct DeferredAssert {
    var condition: Expr
    var message: Expr?
    var env: Env
    var span: Span
}

final class Engine {
    let files: [FileSyntax]
    let sources: SourceMap
    let defaultName: String
    @exclusivity(unchecked) var diagnostics: [Diagnostic] = []

    @exclusivity(unchecked) var globals: [String: GlobalRecord] = [:]
    /// Static names of the topology namespace (for E0209) — filled before any expansion.
    @exclusivity(unchecked) var instances: [Instance] = []
    /// Top-level instances in source order after expansion.
    @exclusivity(unchecked) var ordered: [Int] = []
    @exclusivity(unchecked) var nicGroups: [NicGroup] = []
    @exclusivity(unchecked) var modules: [Module] = []
    @exclusivity(unchecked) var moduleIndex: [String: Int] = [:]
    /// The name each imported module got (one name per module across the files).
    @exclusivity(unchecked) var importedAs: [Int: Identifier] = [:]
    @exclusivity(unchecked) var topLevelLets: [LetSlot] = []
    @exclusivity(unchecked) var topLevelFns: [FnDef] = []
    /// `let`s inside `for`/`if` bodies and blocks, evaluated at the end even when unused
    /// (their scope is kept alive here: the slot holds it weakly).
    @exclusivity(unchecked) var localLets: [(slot: LetSlot, scope: Env)] = []
    /// Functions declared inside `for`/`if` bodies and blocks (one per declaration: the first expansion's).
    /// (their scope is kept alive here: the definition holds it weakly)
    @exclusivity(unchecked) var localFns: [(def: FnDef, scope: Env)] = []
    @exclusivity(unchecked) var localFnDecls: Set<Span> = []
    /// The static pass's findings (StaticTypes.swift), merged at the end of evaluation.
    @exclusivity(unchecked) var staticDiagnostics: [Diagnostic] = []
    /// Bodies expansion did not run (the untaken branch of an `if` statement, a `for` over
    /// nothing), typed statically at the end; one entry per body.
    @exclusivity(unchecked) var untakenBodies: [UntakenBody] = []
    @exclusivity(unchecked) var untakenKeys: Set<Span> = []
    /// Static types of the branches `if` expressions did not take (StaticTypes.swift).
    @exclusivity(unchecked) var untakenTypes: [UntakenKey: SType] = [:]
    /// `if` expressions whose branches were checked to have one type.
    @exclusivity(unchecked) var typedConditionals: Set<Span> = []
    @exclusivity(unchecked) var asserts: [DeferredAssert] = []
    @exclusivity(unchecked) var topologyInstance: Int?
    let rootEnv: Env

    /// Cycle detection: the slots being evaluated, innermost last.
    @exclusivity(unchecked) var activeNames: [(String, String?)] = []
    @exclusivity(unchecked) var activeKeys: [ActiveKey] = []
    @exclusivity(unchecked) var callDepth = 0
    /// Loop iterations and function calls so far; evaluation stops past `Engine.stepLimit`.
    @exclusivity(unchecked) var steps = 0
    @exclusivity(unchecked) var stepLimitReported = false
    static let defaultStepLimit = 5_000_000
    @exclusivity(unchecked) var stepLimit = Engine.defaultStepLimit
    @exclusivity(unchecked) var expanding = true
    /// "Did you mean" scans the namespace; only the first few unknown names get one (large topologies).
    @exclusivity(unchecked) var suggestionBudget = 25
    @exclusivity(unchecked) var reportedShadows: Set<Span> = []

    /// `auto` allocation (done on demand for `vm.nic.address`): NIC instance → address.
    @exclusivity(unchecked) var allocation: [Int: IPAddress]? = nil
    @exclusivity(unchecked) var allocating = false

    init(files: [FileSyntax], sources: SourceMap, defaultName: String) {
        self.files = files; self.sources = sources; self.defaultName = defaultName
        self.rootEnv = Env(parent: nil, module: -1)
        var next = sources.files.count
        for (name, text) in Stdlib.orderedModules {
            let m = Module(name: name, file: FileID(next), source: text, index: modules.count)
            moduleIndex[name] = modules.count
            modules.append(m)
            next += 1
        }
    }

    // MARK: diagnostics

    func report(_ d: Diagnostic) { diagnostics.append(d) }

    // MARK: cycle stack

    struct ActiveKey: Equatable {
        var id: ObjectIdentifier
        var index: Int
    }

    func push(_ name: String, _ obj: AnyObject) {
        activeNames.append((name, nil)); activeKeys.append(ActiveKey(id: ObjectIdentifier(obj), index: -1))
    }
    func push(_ inst: Instance, attribute i: Int) {
        activeNames.append((inst.name, inst.attrs[i].name)); activeKeys.append(ActiveKey(id: ObjectIdentifier(inst), index: i))
    }
    func pop() { activeNames.removeLast(); activeKeys.removeLast() }

    /// Reports the cycle that re-enters `obj` (named `name`, defined at `span`).
    func reportCycle(_ name: String, _ obj: AnyObject, at span: Span, attribute: Int = -1) {
        let key = ActiveKey(id: ObjectIdentifier(obj), index: attribute)
        var chain: [String] = [name]
        if let i = activeKeys.lastIndex(of: key) {
            chain = []
            for (owner, attr) in activeNames[i...] { chain.append(attr.map { "\(owner).\($0)" } ?? owner) }
            chain.append(name)
        }
        report(.definitionCycle(name, chain: chain, at: span))
    }

    /// Counts `n` evaluation steps; false (after one diagnostic) once the budget is spent.
    func step(_ n: Int = 1, at span: Span) -> Bool {
        steps += n
        if steps <= stepLimit { return true }
        if !stepLimitReported {
            stepLimitReported = true
            report(.stepLimitExceeded(limit: stepLimit, at: span))
        }
        return false
    }

    // MARK: positions

    static func precedes(_ a: Span, _ b: Span) -> Bool {
        if a.file != b.file { return a.file < b.file }
        return a.start < b.start
    }

    func firstLineSpan() -> Span {
        guard let f = files.first, let src = sources[f.file] else { return files.first.map { Span(file: $0.file, start: 0, end: 0) } ?? .none }
        var end = 0
        while end < src.bytes.count, src.bytes[end] != 0x0A { end += 1 }
        if end > 0, src.bytes[end - 1] == 0x0D { end -= 1 }
        return Span(file: f.file, start: 0, end: end)
    }
}
