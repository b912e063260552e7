import WukongDiagnostics
import WukongSyntax

// Names: the topology's namespace, the standard-library modules, and the scopes (`Env`) of
// blocks, `for` and `fn` with the `let`s and functions they bind.

/// A `let` (top-level, module or local), evaluated on first use.
final class LetSlot {
    let name: Identifier
    let annotation: TypeExpr?
    let expr: Expr
    weak var env: Env?
    var state: SlotState = .pending
    var value: LValue = .error(.none)
    var cycleReported = false
    init(name: Identifier, annotation: TypeExpr?, expr: Expr, env: Env) {
        self.name = name; self.annotation = annotation; self.expr = expr; self.env = env
    }
}

/// A user function (top-level, module or local).
final class FnDef {
    let decl: FnDecl
    weak var env: Env?
    var recursive = false
    var depthReported = false
    var paramTypes: [VType]? = nil
    var returnType: VType? = nil
    init(decl: FnDecl, env: Env) { self.decl = decl; self.env = env }
}

enum Binding {
    case value(LValue)
    case letSlot(LetSlot)
    case fn(FnDef)
}

/// A scope: a few local bindings and a parent. The root of a chain stands for a namespace
/// (`module` = -1: the topology; otherwise an index into `Namespace.modules`).
final class Env {
    let parent: Env?
    let module: Int
    /// The first binding is stored inline (a `for` iteration or a one-parameter call binds one
    /// name: no arrays to allocate); the others follow in `moreNames`/`moreBindings`.
    var firstName: String? = nil
    var firstBinding: Binding? = nil
    var moreNames: [String] = []
    var moreBindings: [Binding] = []
    init(parent: Env?, module: Int) { self.parent = parent; self.module = module }

    /// The bound names, in binding order.
    var names: [String] {
        guard let f = firstName else { return [] }
        return [f] + moreNames
    }

    /// The bindings, in the order of `names`.
    var bindings: [Binding] {
        guard let f = firstBinding else { return [] }
        return [f] + moreBindings
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

    /// The scope at the root of the chain (a namespace).
    var root: Env {
        var r = self
        while let p = r.parent { r = p }
        return r
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

/// A standard-library module.
final class Module {
    let name: String
    let file: FileID
    let source: String
    var loaded = false
    var globals: [String: GlobalRecord] = [:]
    var order: [String] = []
    let env: Env
    init(name: String, file: FileID, source: String, index: Int) {
        self.name = name; self.file = file; self.source = source
        self.env = Env(parent: nil, module: index)
    }
}

/// What a name stands for where it is used.
enum Resolved {
    case binding(Binding)
    case global(GlobalEntry)
    case builtin(String)
}

/// The topology's namespace and the standard-library modules, with the `let`s and functions
/// evaluation visits at the end even when nothing uses them.
final class Namespace {
    /// Every top-level declaration, import and node NIC of the topology's files.
    var globals: [String: GlobalRecord] = [:]
    /// The root scope of the topology's files.
    let rootEnv = Env(parent: nil, module: -1)
    /// The standard-library modules (parsed when first imported), and their index by name.
    var modules: [Module] = []
    var moduleIndex: [String: Int] = [:]
    /// The name each imported module got (one name per module across the files).
    var importedAs: [Int: Identifier] = [:]
    var topLevelLets: [LetSlot] = []
    var topLevelFns: [FnDef] = []
    /// `let`s inside `for`/`if` bodies and blocks, evaluated at the end even when unused
    /// (their scope is kept alive here: the slot holds it weakly).
    var localLets: [(slot: LetSlot, scope: Env)] = []
    /// Functions declared inside `for`/`if` bodies and blocks (one per declaration: the first
    /// expansion's; their scope is kept alive here: the definition holds it weakly).
    var localFns: [(def: FnDef, scope: Env)] = []
    var localFnDecls: Set<Span> = []
    /// Local names already reported for shadowing a top-level one (a `for` body expands many times).
    var reportedShadows: Set<Span> = []

    /// The modules' sources get the `FileID`s from `firstModuleFile` on, in `Stdlib.orderedModules` order.
    init(firstModuleFile: Int) {
        var next = firstModuleFile
        for (name, text) in Stdlib.orderedModules {
            let m = Module(name: name, file: FileID(next), source: text, index: modules.count)
            moduleIndex[name] = modules.count
            modules.append(m)
            next += 1
        }
    }

    /// The namespace a scope belongs to (the topology's or a module's).
    func table(of env: Env) -> [String: GlobalRecord] {
        let root = env.root
        return root.module < 0 ? globals : modules[root.module].globals
    }

    /// `name` as seen from `env`: a local binding, an entry of its namespace, or a built-in function.
    func lookup(_ name: String, _ env: Env) -> Resolved? {
        var e: Env? = env
        var root = env
        while let cur = e {
            if let b = cur.local(name) { return .binding(b) }
            root = cur
            e = cur.parent
        }
        if root.module < 0 {
            if let g = globals[name] { return .global(g.entry) }
        } else if let g = modules[root.module].globals[name] {
            return .global(g.entry)
        }
        if Engine.builtinFunctions.contains(name) { return .builtin(name) }
        return nil
    }
}
