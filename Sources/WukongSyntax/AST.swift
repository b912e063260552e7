import WukongDiagnostics
import WukongNet

// The syntax tree. Every node carries its span; line/column are computed at the edge from
// the `SourceFile`. Parsing never stops: an unparsable piece becomes an `.error` node and the
// diagnostic says why. Comments are kept aside (`FileSyntax.comments`) for the formatter.

/// One parsed `.wk` file.
public struct FileSyntax: Sendable {
    public let file: FileID
    public var items: [Item]
    /// Spans of every `//` and `/* */` comment, in order.
    public var comments: [Span]
    public init(file: FileID, items: [Item], comments: [Span]) {
        self.file = file; self.items = items; self.comments = comments
    }
}

public struct Identifier: Sendable, Hashable {
    public let name: String
    public let span: Span
    public init(_ name: String, span: Span) { self.name = name; self.span = span }
}

/// A declaration's name: a plain identifier, or an interpolated string (`vm "web-${i}"`)
/// resolved after expansion.
public enum DeclName: Sendable {
    case identifier(Identifier)
    case string(StringLiteral)

    public var span: Span {
        switch self {
        case .identifier(let i): return i.span
        case .string(let s): return s.span
        }
    }
}

// MARK: - Items (top level and inside blocks)

/// Anything that may stand at top level or inside a `{ }` block: declarations, attributes,
/// spreads, `let`/`fn`/`assert`, `for`, `if`. Which ones are allowed where is Sema's call.
public struct Item: Sendable {
    public var kind: ItemKind
    public var span: Span
    public init(_ kind: ItemKind, span: Span) { self.kind = kind; self.span = span }
}

public indirect enum ItemKind: Sendable {
    /// `name = expr` (name may be a keyword such as `bridge`, `vlan`, `host`).
    case attribute(name: Identifier, value: Expr)
    /// `...expr`
    case spread(Expr)
    /// `topology lab { }`, `nic ens192`, `vlan v100 on ens160 { id = 100 }`, `vm web { }`, …
    case resource(ResourceDecl)
    /// `import std.images [as img]`; `path` is `["std", "images"]`.
    case importDecl(path: [Identifier], alias: Identifier?)
    /// `let name[: T] = expr`
    case letDecl(name: Identifier, type: TypeExpr?, value: Expr)
    /// `fn name(p: T, …) -> T = expr`
    case fnDecl(FnDecl)
    /// `assert cond, "message"`
    case assertDecl(condition: Expr, message: Expr?)
    /// `for x in expr { items }`
    case forLoop(variable: Identifier, sequence: Expr, body: Block)
    /// `if cond { items } [else { items } | else if …]`
    case ifStatement(condition: Expr, then: Block, elseBranch: ElseBranch?)
    /// Unparsable input; a diagnostic was reported.
    case error
}

public indirect enum ElseBranch: Sendable {
    case block(Block)
    /// `else if …`: an `Item` whose kind is `.ifStatement`.
    case elseIf(Item)
}

/// `{ item, item … }` with the span of its braces.
public struct Block: Sendable {
    public var items: [Item]
    public var span: Span
    public init(items: [Item], span: Span) { self.items = items; self.span = span }
}

public enum ResourceKind: String, Sendable, CaseIterable {
    case topology, host, nic, vlan, bond, bridge, ovsBridge = "ovs-bridge", network, vm, user
    /// `disk NAME { … }` inside a `vm` (docs/vm-reference.md). Not a reserved word: `disk` is
    /// an identifier everywhere else, so programs that name things `disk` stay valid.
    case disk

    /// Declaration keywords that are identifiers outside a declaration (`disk NAME {`).
    public static let contextual: [ResourceKind] = [.disk]
}

/// A resource declaration. `name` is nil only for `topology { }` written without a name.
/// `on` holds the expression after `on` (`vlan x on ens160`, `nic ext on external`).
///
/// A class, unlike the other nodes: the evaluator keeps a declaration with every instance it
/// expands to and passes it around a lot, and copying the struct (its name, `on` and body, each
/// a multi-payload enum or array) cost ~5 % of evaluating a large topology; a reference is one
/// retain. Immutable, like the rest of the tree.
public final class ResourceDecl: Sendable, CustomDebugStringConvertible {
    public let kind: ResourceKind
    public let keywordSpan: Span
    public let name: DeclName?
    public let on: Expr?
    public let body: Block?
    public init(kind: ResourceKind, keywordSpan: Span, name: DeclName?, on: Expr?, body: Block?) {
        self.kind = kind; self.keywordSpan = keywordSpan; self.name = name; self.on = on; self.body = body
    }
    public var debugDescription: String {
        "ResourceDecl(kind: \(String(reflecting: kind)), keywordSpan: \(String(reflecting: keywordSpan)), "
            + "name: \(String(reflecting: name)), on: \(String(reflecting: on)), body: \(String(reflecting: body)))"
    }
}

public struct FnDecl: Sendable {
    public var name: Identifier
    public var parameters: [Parameter]
    public var returnType: TypeExpr?
    public var body: Expr
    public init(name: Identifier, parameters: [Parameter], returnType: TypeExpr?, body: Expr) {
        self.name = name; self.parameters = parameters; self.returnType = returnType; self.body = body
    }
}

public struct Parameter: Sendable {
    public var name: Identifier
    public var type: TypeExpr
    public init(name: Identifier, type: TypeExpr) { self.name = name; self.type = type }
}

// MARK: - Types

public struct TypeExpr: Sendable {
    public var kind: TypeExprKind
    public var span: Span
    public init(_ kind: TypeExprKind, span: Span) { self.kind = kind; self.span = span }
}

public indirect enum TypeExprKind: Sendable {
    /// `Int`, `IP`, `Bridge`, …
    case named(Identifier)
    /// `[T]`
    case list(TypeExpr)
    /// `{a: T, b: U}`
    case record([(name: Identifier, type: TypeExpr)])
    case error
}

// MARK: - Expressions

public struct Expr: Sendable {
    public var kind: ExprKind
    public var span: Span
    public init(_ kind: ExprKind, span: Span) { self.kind = kind; self.span = span }
}

public enum BinaryOperator: String, Sendable {
    case or = "||", and = "&&"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in"
    case range = "..", rangeInclusive = "..="
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

public enum UnaryOperator: String, Sendable {
    case negate = "-", not = "!"
}

public indirect enum ExprKind: Sendable {
    case integer(Int64)
    case quantity(Quantity)
    /// `192.168.0.1`
    case ipv4(IPAddress)
    /// `192.168.0.0/24` or `192.168.0.121/24`: a CIDR or an IfAddr, decided by where it stands.
    case ipv4Prefix(IfAddr)
    case string(StringLiteral)
    case bool(Bool)
    /// the keywords `auto`, `dhcp`, `pod` used as values
    case keyword(ValueKeyword)
    case name(Identifier)
    case list([Expr])
    case record([RecordEntry])
    /// `x.y` (the member may be a keyword: `cidr.network`, `subnet.host`)
    case member(Expr, Identifier)
    /// `f(x)` or `x.f(y)` (callee is `.member`)
    case call(callee: Expr, arguments: [Expr])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `if c { a } else { b }` as an expression (`else` required; `else if` nests in `otherwise`).
    case conditional(condition: Expr, then: Expr, otherwise: Expr)
    /// `(expr)`: kept so a formatter can print it back.
    case parenthesized(Expr)
    /// Unparsable input; a diagnostic was reported.
    case error
}

public enum ValueKeyword: String, Sendable {
    case auto, dhcp, pod
}

public struct RecordEntry: Sendable {
    public var kind: RecordEntryKind
    public var span: Span
    public init(_ kind: RecordEntryKind, span: Span) { self.kind = kind; self.span = span }
}

public enum RecordEntryKind: Sendable {
    /// `key = value`; the key may be written quoted (`"app.kubernetes.io/part-of" = "lab"`).
    case field(key: String, keySpan: Span, value: Expr)
    /// `...expr`
    case spread(Expr)
}

/// A string literal, with its pieces. `"a${x}b"` is `[.text("a"), .interpolation(x), .text("b")]`.
/// Escapes are already decoded; multi-line strings already have their indentation removed.
public struct StringLiteral: Sendable {
    public var parts: [StringPart]
    public var isMultiline: Bool
    public var span: Span
    public init(parts: [StringPart], isMultiline: Bool, span: Span) {
        self.parts = parts; self.isMultiline = isMultiline; self.span = span
    }

    /// The text when there is no interpolation.
    public var plainText: String? {
        if parts.count == 1, case .text(let t, _) = parts[0] { return t }
        var s = ""
        for p in parts {
            switch p {
            case .text(let t, _): s += t
            case .interpolation: return nil
            }
        }
        return s
    }
}

public enum StringPart: Sendable {
    /// Decoded text and the span of its source bytes. A multi-line string yields one `.text`
    /// part per source line (each but the last ending in "\n", indentation removed), so a
    /// position inside the string's value maps back to its source line (V-CLOUD).
    case text(String, Span)
    case interpolation(Expr)
}
