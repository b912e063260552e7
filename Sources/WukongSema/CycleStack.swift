// Cycle detection: the definitions being evaluated, innermost last. Re-entering one of them
// is a definition cycle; the stack gives the chain for the message.
struct CycleStack {
    struct Key: Equatable {
        var id: ObjectIdentifier
        /// The attribute of an instance; -1 for a whole `let`, block or instance.
        var index: Int
    }

    /// (owner, attribute) of each definition on the stack, in step with `keys`.
    private var names: [(String, String?)] = []
    private var keys: [Key] = []

    mutating func push(_ name: String, _ obj: AnyObject) {
        names.append((name, nil)); keys.append(Key(id: ObjectIdentifier(obj), index: -1))
    }
    mutating func push(_ inst: Instance, attribute i: Int) {
        names.append((inst.name, inst.attrs[i].name)); keys.append(Key(id: ObjectIdentifier(inst), index: i))
    }
    mutating func pop() { names.removeLast(); keys.removeLast() }

    /// The definitions from the evaluation of `obj` (named `name`) that is on the stack to its
    /// re-entry, both included (`[name]` when it is not on the stack).
    func chain(reentering name: String, _ obj: AnyObject, attribute: Int) -> [String] {
        guard let i = keys.lastIndex(of: Key(id: ObjectIdentifier(obj), index: attribute)) else { return [name] }
        var chain: [String] = []
        for (owner, attr) in names[i...] { chain.append(attr.map { "\(owner).\($0)" } ?? owner) }
        chain.append(name)
        return chain
    }
}
