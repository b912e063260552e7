// The limits that keep evaluation (and its diagnostics) bounded on any input.
struct Budgets {
    static let defaultStepLimit = 5_000_000
    /// Loop iterations and function calls so far; evaluation stops past `stepLimit`.
    var steps = 0
    var stepLimit = Budgets.defaultStepLimit
    var stepLimitReported = false
    /// Nesting of user function calls (a recursion that escaped the static check stops at 64).
    var callDepth = 0
    /// "Did you mean" scans the namespace; only the first few unknown names get one (large topologies).
    var suggestions = 25

    /// Steps left before the limit (0 once it is passed).
    var remainingSteps: Int { max(0, stepLimit - steps) }
    /// Counts `n` steps; false once the limit is passed.
    mutating func spend(_ n: Int) -> Bool {
        steps += n
        return steps <= stepLimit
    }
    /// True the first time only: the step limit is reported once.
    mutating func firstOverrun() -> Bool {
        if stepLimitReported { return false }
        stepLimitReported = true
        return true
    }
    /// Takes one "did you mean" scan; false when they are spent.
    mutating func takeSuggestion() -> Bool {
        guard suggestions > 0 else { return false }
        suggestions -= 1
        return true
    }
}
