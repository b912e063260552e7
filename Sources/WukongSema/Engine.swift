import WukongDiagnostics
import WukongNet
import WukongSyntax

// The evaluator. Everything is lazy and memoised: top-level `let`s, resource blocks and each
// attribute are evaluated on first use, with an "active" state that turns re-entry into a
// definition-cycle error. Phase 1 (`Engine.run`) registers and expands declarations, phase 2
// resolves references as they are coerced to resource types, phase 3 forces everything in
// source order and builds the `CheckedProgram`.
//
// Its state is split by concern, each part a small type with the fields it owns: the names
// (`Namespace`), the resources (`InstanceStore`), cycle detection (`CycleStack`), the limits
// of evaluation (`Budgets`) and the static pass's findings (`StaticTyperState`).

enum SlotState { case pending, active, done }

struct DeferredAssert {
    var condition: Expr
    var message: Expr?
    var env: Env
    var span: Span
}

/// The iterations of a `for` in which one `assert` (one message) failed: reported once, naming
/// the first few (`Engine.reportAssertFailures`).
struct LoopAssertFailure {
    var message: String?
    var span: Span
    /// `i = 3` (outer loops first, `, `-joined) of the first failing iterations.
    var iterations: [String] = []
    /// Where the innermost loop's value came from (the sequence), for the note.
    var valueSpan: Span
    var count = 0
}

final class Engine {
    let files: [FileSyntax]
    let sources: SourceMap
    let defaultName: String
    var diagnostics: [Diagnostic] = []
    let namespace: Namespace
    let store = InstanceStore()
    // why unchecked: pushed and popped around every non-literal attribute, `let` and block (+1.1 % instructions on check 10k checked; bench/RESULTS.md)
    @exclusivity(unchecked) var cycles = CycleStack()
    var budgets = Budgets()
    var typer = StaticTyperState()
    /// `assert`s, checked at the end of evaluation.
    var asserts: [DeferredAssert] = []
    /// Failed `assert`s inside loops, by (span, message), in the order first seen.
    var loopAssertFailures: [LoopAssertFailure] = []
    var loopAssertIndex: [String: Int] = [:]
    /// Phase 1 runs: an `auto` address cannot be read yet.
    var expanding = true

    init(files: [FileSyntax], sources: SourceMap, defaultName: String) {
        self.files = files; self.sources = sources; self.defaultName = defaultName
        self.namespace = Namespace(firstModuleFile: sources.files.count)
    }

    // MARK: diagnostics

    func report(_ d: Diagnostic) { diagnostics.append(d) }

    /// Reports the cycle that re-enters `obj` (named `name`, defined at `span`).
    func reportCycle(_ name: String, _ obj: AnyObject, at span: Span, attribute: Int = -1) {
        report(.definitionCycle(name, chain: cycles.chain(reentering: name, obj, attribute: attribute), at: span))
    }

    /// Counts `n` evaluation steps; false (after one diagnostic) once the budget is spent.
    func step(_ n: Int = 1, at span: Span) -> Bool {
        if budgets.spend(n) { return true }
        if budgets.firstOverrun() { report(.stepLimitExceeded(limit: budgets.stepLimit, at: span)) }
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
