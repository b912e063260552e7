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

extension DiagnosticRenderer {
    /// Human output's line after the first `repeatedWarningsShown` warnings of one code:
    /// `more` of them were not shown; `listAll` is the option that lists them all.
    static func moreLikeThis(_ more: Int, code: DiagnosticCode, listAll: String) -> String {
        "… and \(groupedDigits(more)) more \(code.rawValue) like this; `\(listAll)` lists all"
    }

    /// `9997` → `9 997`: digits in groups of three, separated by a space (SI style; no
    /// locale-dependent comma or period).
    static func groupedDigits(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += " " }
            out.append(c)
        }
        return out
    }
}
