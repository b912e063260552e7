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
        case .unnamedTopology:
            return (title: "the topology must be named",
                    body: """
                        `wukongc build --require-topology-name` (the Argo CD plugin passes it) needs
                        a `topology NAME` declaration. Without one, the topology is named after its
                        file or directory, and that name is in every object's `wukong.dev/topology`
                        label, in the NodeNetworkConfigurationPolicy names and in the derived MACs.
                        Argo CD renders each revision in a temporary directory with a random name,
                        so every render would produce different objects.
                        """,
                    example: """
                        topology lab { namespace = "lab" }
                        """)
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

extension Diagnostic {
    /// `build --require-topology-name`: the topology has no `topology NAME` and would be named
    /// `defaultName` after its directory or file; `span`: an unnamed `topology` keyword, else line 1.
    public static func unnamedTopology(defaultName: String, at span: Span) -> Diagnostic {
        Diagnostic(.unnamedTopology,
                   "the topology has no name: `--require-topology-name` refuses the name `\(defaultName)` taken from its directory or file",
                   at: span,
                   help: "declare `topology <name> { … }`: object names must not depend on the directory the files are checked out in (Argo CD renders in a randomly named temporary directory)")
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
