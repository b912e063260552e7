// Driver (E00xx): reading inputs, capping the output.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func driverEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .io:
            return (title: "cannot read input",
                    body: """
                        A file or directory could not be read.
                        """,
                    example: "")
        case .tooManyErrors:
            return (title: "too many errors",
                    body: """
                        At most 100 errors are shown; the rest are counted.
                        """,
                    example: "")
        default:
            return nil
        }
    }
}

extension Diagnostic {
    /// The last line of a capped list: `dropped` errors were not shown.
    public static func tooManyErrors(dropped: Int, at span: Span) -> Diagnostic {
        Diagnostic(.tooManyErrors, "\(dropped) more error\(dropped == 1 ? "" : "s") not shown", at: span,
                   help: "fix the errors above and run again")
    }
}
