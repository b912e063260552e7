extension Stdlib {
    /// The modules sorted by name: the order in which their files get `FileID`s after the
    /// topology's own files (see `Evaluator.stdlibFiles`).
    static let orderedModules: [(name: String, text: String)] =
        modules.keys.sorted().map { ($0, modules[$0] ?? "") }
}
