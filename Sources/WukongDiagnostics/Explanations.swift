/// Texts of `wukongc explain CODE`: a paragraph and a small example for every code.
public enum Explanations {
    public static func text(for code: DiagnosticCode) -> String {
        let (title, body, example) = entry(code)
        var out = "\(code.rawValue) (\(code.check), \(code.severity.rawValue)): \(title)\n\n\(body)\n"
        if !example.isEmpty {
            out += "\nExample:\n\n" + example.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// (title, paragraph, example) of one code.
    typealias Entry = (title: String, body: String, example: String)

    /// The catalogue's area files, each with the entries of its codes.
    static let areas: [@Sendable (DiagnosticCode) -> Entry?] = [syntaxEntry, namesEntry, typesEntry, evaluationEntry, networkEntry,
                                                       nodeEntry, vmEntry, diskEntry, guestEntry, kubernetesEntry, driverEntry,
                                                       placementEntry, kubevirtEntry, ovnEntry]

    /// The entry of a code, from the area file of the catalogue it belongs to.
    static func entry(_ c: DiagnosticCode) -> Entry {
        for area in areas { if let e = area(c) { return e } }
        preconditionFailure("no explanation for \(c.rawValue)")
    }
}
