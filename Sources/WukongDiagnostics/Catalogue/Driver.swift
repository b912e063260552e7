// Driver (E00xx): reading inputs, capping the output.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func driverEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .io:
            return ("cannot read input", "A file or directory could not be read.", "")
        case .tooManyErrors:
            return ("too many errors", "At most 100 errors are shown; the rest are counted.", "")
        default:
            return nil
        }
    }
}
