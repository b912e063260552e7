import WukongDiagnostics
import WukongSyntax

// What the static pass (StaticTypes.swift) keeps between its runs during evaluation.

/// A body expansion did not run (the untaken branch of an `if` statement, a `for` over nothing).
struct UntakenBody {
    var items: [Item]
    var env: Env
    /// The block the items stand in; nil at top level.
    var block: BlockKind?
}

struct StaticTyperState {
    /// The static pass's findings, merged with evaluation's at the end (`merge`).
    var diagnostics: [Diagnostic] = []
    /// Bodies expansion did not run, typed statically at the end; one entry per body (`untakenKeys`).
    var untakenBodies: [UntakenBody] = []
    var untakenKeys: Set<Span> = []
    /// Static types of the branches `if` expressions did not take.
    var untakenTypes: [UntakenKey: SType] = [:]
    /// `if` expressions whose branches were checked to have one type.
    var typedConditionals: Set<Span> = []

    /// Remembers a body expansion skipped (once per `key`, the body's span).
    mutating func deferBody(_ items: [Item], _ env: Env, block: BlockKind?, key: Span) {
        guard untakenKeys.insert(key).inserted else { return }
        untakenBodies.append(UntakenBody(items: items, env: env, block: block))
    }

    /// Adds to `evaluation` the findings it does not have already (same code and span:
    /// evaluation's message carries the values, so it wins).
    mutating func merge(into evaluation: inout [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        var dynamic = Set<String>()
        for d in evaluation { dynamic.insert("\(d.span)|\(d.code.rawValue)") }
        for d in diagnostics where dynamic.insert("\(d.span)|\(d.code.rawValue)").inserted {
            evaluation.append(d)
        }
        diagnostics = []
    }
}
