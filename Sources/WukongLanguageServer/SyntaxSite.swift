import WukongDiagnostics
import WukongSyntax

// Where a name stands in the recovering parser's tree: the resource blocks around it (a `nic`
// inside a `vm` is not a node `nic`) and its role — the head of an item (an attribute name,
// or a word where an attribute or declaration starts), a member after `.`, a component of an
// import path, a name being declared, a value, a record key or string text. Completion and
// hover read the cursor's context from this instead of walking tokens. The parser recovers
// from errors, so a half-typed file still gives a tree with the blocks and items around the
// cursor.

struct SyntaxSite {
    enum Role: Equatable {
        /// `name` of `name = value` (a block's attribute).
        case attributeName
        /// A word where an item starts that is not (yet) an attribute: `sub`, `ni`, `vn web`.
        case itemHead
        /// The member after `.` on `base` (`images.fedora`); `base` is nil when it is not a plain
        /// name (`a.lan.address`).
        case member(base: String?)
        /// A component of `import a.b.c`: the components before it.
        case importPath(before: [String])
        /// A name being declared: a resource's, `let`'s, `fn`'s or a parameter's name, a loop
        /// variable, an import alias.
        case declaredName
        /// A record key, or text inside a string literal.
        case noCode
        /// Anywhere else: an expression.
        case value
    }

    var role: Role
    /// The resource blocks around, outermost first (`for`/`if` bodies keep their block's).
    var blocks: [ResourceKind]

    /// For a member, the plain names of its base (`["db-1", "lan"]` of `db-1.lan.address`);
    /// nil when the base is not a chain of names.
    var memberPath: [String]? = nil
    /// In the `on` expression of a resource of this kind (`nic x on |`, `vlan v on |`).
    var onOf: ResourceKind? = nil

    var block: ResourceKind? { blocks.last }
    var parentBlock: ResourceKind? { blocks.count >= 2 ? blocks[blocks.count - 2] : nil }

    /// The site of the name whose token spans `target` (byte offsets) in `items`.
    static func locate(_ target: Swift.Range<Int>, in items: [Item]) -> SyntaxSite {
        var finder = Finder(target: target)
        let role = finder.items(items) ?? .value
        return SyntaxSite(role: role, blocks: finder.blocks, memberPath: finder.memberPath, onOf: finder.onOf)
    }

    private struct Finder {
        let target: Swift.Range<Int>
        var blocks: [ResourceKind] = []
        var memberPath: [String]? = nil
        var onOf: ResourceKind? = nil

        func contains(_ span: Span) -> Bool {
            span.startOffset <= target.lowerBound && target.upperBound <= span.endOffset
        }

        /// The role of the target in the item containing it; nil when no item contains it.
        mutating func items(_ items: [Item]) -> Role? {
            guard let item = items.first(where: { contains($0.span) }) else { return nil }
            return self.item(item)
        }

        mutating func item(_ item: Item) -> Role {
            switch item.kind {
            case .attribute(let name, let value):
                if contains(name.span) { return .attributeName }
                return expr(value)
            case .error:
                // an unparsable item: a word that starts it is an item being typed
                return item.span.startOffset == target.lowerBound ? .itemHead : .value
            case .resource(let r):
                if let name = r.name {
                    if case .string(let s) = name, contains(s.span) { return string(s) }
                    if contains(name.span) { return .declaredName }
                }
                if let on = r.on, contains(on.span) {
                    onOf = r.kind
                    return expr(on)
                }
                if let body = r.body, contains(body.span) {
                    blocks.append(r.kind)
                    return items(body.items) ?? .itemHead
                }
                return .value
            case .importDecl(let path, let alias):
                if let i = path.firstIndex(where: { contains($0.span) }) { return .importPath(before: path[..<i].map(\.name)) }
                if let alias, contains(alias.span) { return .declaredName }
                return .value
            case .letDecl(let name, _, let value):
                if contains(name.span) { return .declaredName }
                return contains(value.span) ? expr(value) : .value
            case .fnDecl(let d):
                if contains(d.name.span) || d.parameters.contains(where: { contains($0.name.span) }) { return .declaredName }
                return contains(d.body.span) ? expr(d.body) : .value
            case .assertDecl(let condition, let message):
                if contains(condition.span) { return expr(condition) }
                if let message, contains(message.span) { return expr(message) }
                return .value
            case .spread(let e):
                return expr(e)
            case .forLoop(let variable, let sequence, let body):
                if contains(variable.span) { return .declaredName }
                if contains(sequence.span) { return expr(sequence) }
                if contains(body.span) { return items(body.items) ?? .itemHead }
                return .value
            case .ifStatement(let condition, let then, let elseBranch):
                if contains(condition.span) { return expr(condition) }
                if contains(then.span) { return items(then.items) ?? .itemHead }
                switch elseBranch {
                case .block(let b)? where contains(b.span): return items(b.items) ?? .itemHead
                case .elseIf(let i)? where contains(i.span): return self.item(i)
                default: return .value
                }
            }
        }

        mutating func expr(_ e: Expr) -> Role {
            switch e.kind {
            case .member(let base, let name):
                if contains(name.span) {
                    memberPath = Finder.path(base)
                    if case .name(let id) = base.kind { return .member(base: id.name) }
                    return .member(base: nil)
                }
                return contains(base.span) ? expr(base) : .value
            case .string(let s):
                return string(s)
            case .record(let entries):
                for entry in entries where contains(entry.span) {
                    switch entry.kind {
                    case .field(_, let keySpan, let value):
                        if contains(keySpan) { return .noCode }
                        return expr(value)
                    case .spread(let v):
                        return expr(v)
                    }
                }
                // inside the braces, not in a (complete) field: a key being typed
                return .noCode
            case .list(let elements):
                return first(elements)
            case .call(let callee, let arguments):
                return first([callee] + arguments)
            case .unary(_, let operand):
                return expr(operand)
            case .binary(_, let lhs, let rhs):
                return first([lhs, rhs])
            case .conditional(let condition, let then, let otherwise):
                return first([condition, then, otherwise])
            case .parenthesized(let inner):
                return expr(inner)
            case .integer, .quantity, .ipv4, .ipv4Prefix, .bool, .keyword, .name, .error:
                return .value
            }
        }

        /// `a.b.c` as `["a", "b", "c"]`; nil for anything but names and members.
        static func path(_ e: Expr) -> [String]? {
            switch e.kind {
            case .name(let id): return [id.name]
            case .member(let base, let name): return path(base).map { $0 + [name.name] }
            default: return nil
            }
        }

        mutating func first(_ exprs: [Expr]) -> Role {
            guard let e = exprs.first(where: { contains($0.span) }) else { return .value }
            return expr(e)
        }

        mutating func string(_ s: StringLiteral) -> Role {
            for part in s.parts {
                if case .interpolation(let e) = part, contains(e.span) { return expr(e) }
            }
            return .noCode
        }
    }
}
