// Syntax (E01xx): the lexer and the parser.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func syntaxEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .invalidCharacter:
            return (title: "invalid character",
                    body: """
                        The source contains a character that cannot start any token (a NUL byte, a
                        control character, a stray symbol such as `@` or `#`). Remove it.
                        """,
                    example: """
                        let x = 1 @ 2   // `@` is not an operator
                        """)
        case .invalidUTF8:
            return (title: "invalid UTF-8",
                    body: """
                        Source files must be UTF-8. A byte sequence that is not valid UTF-8 was
                        found; re-save the file as UTF-8.
                        """,
                    example: "")
        case .unterminatedString:
            return (title: "unterminated string",
                    body: """
                        A string literal was opened with `"` (or `\"""`) but never closed before the
                        end of the line (or file). Add the closing quote.
                        """,
                    example: """
                        image = "quay.io/containerdisks/fedora:41   // missing "
                        """)
        case .unterminatedComment:
            return (title: "unterminated block comment",
                    body: """
                        A `/*` comment was never closed by `*/`. Block comments nest, so every `/*`
                        inside needs its own `*/`.
                        """,
                    example: """
                        /* outer /* inner */   // outer still open
                        """)
        case .invalidEscape:
            return (title: "invalid escape sequence",
                    body: """
                        Strings support the escapes `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}` (a
                        Unicode scalar in hex). Any other backslash sequence is an error; write
                        `\\\\` for a literal backslash.
                        """,
                    example: """
                        run = ["echo a\\qb"]   // `\\q` is not an escape
                        """)
        case .invalidNumber:
            return (title: "invalid number",
                    body: """
                        An integer literal is malformed or does not fit in a 64-bit signed integer.
                        Integers are written `42`, `0x2a` or `1_000`.
                        """,
                    example: """
                        let big = 9223372036854775808
                        """)
        case .invalidQuantity:
            return (title: "invalid quantity suffix",
                    body: """
                        A number directly followed by letters is a quantity; its suffix must be
                        exactly one of `Ki Mi Gi Ti Pi Ei` (powers of 1024) or `k M G T P E` (powers
                        of 1000). Suffixes are case-sensitive: `4Gi`, not `4GB` or `4gi`.
                        """,
                    example: """
                        memory = 4GB   // write 4Gi (binary) or 4G (decimal)
                        """)
        case .invalidIPv4:
            return (title: "invalid IPv4 literal",
                    body: """
                        A digit run followed by `.digit` starts an IPv4 literal, which must have
                        exactly four decimal octets from 0 to 255 without leading zeros. IPv6
                        addresses are written as strings.
                        """,
                    example: """
                        gateway = 192.168.0    // three octets
                        gateway = 010.0.0.1    // leading zero
                        """)
        case .invalidPrefix:
            return (title: "invalid prefix length",
                    body: """
                        An IPv4 literal directly followed by `/` takes a prefix length from 0 to 32.
                        """,
                    example: """
                        subnet = 10.0.0.0/33
                        """)
        case .unexpectedToken:
            return (title: "syntax error",
                    body: """
                        The parser expected something else at this point. The message names what was
                        expected and what was found; parsing resumes at the next declaration or
                        attribute, so later errors are still reported.
                        """,
                    example: """
                        vm web { cpu = }   // expected an expression, found `}`
                        """)
        case .multilineIndentation:
            return (title: "bad indentation in multi-line string",
                    body: """
                        In a `\"""` string the indentation of the closing `\"""` is removed from
                        every line; a line indented less than the closing delimiter is an error. The
                        opening `\"""` must end its line and the closing one must stand on a line of
                        its own.
                        """,
                    example: """
                        cloud_config = \"""
                            packages: [nginx]
                          bad: line
                            \"""
                        """)
        case .nestingTooDeep:
            return (title: "nesting too deep",
                    body: """
                        Brackets, braces, parentheses or string interpolations are nested deeper
                        than the compiler accepts. Such input is not a realistic topology; flatten
                        it with `let`.
                        """,
                    example: "")
        case .invalidIdentifier:
            return (title: "invalid identifier",
                    body: """
                        Identifiers are `[A-Za-z_][A-Za-z0-9_-]*` and may not end in `-`. Dashes
                        belong to names, so subtraction needs spaces: `a - 1`.
                        """,
                    example: """
                        let web- = 1
                        """)
        default:
            return nil
        }
    }
}

/// What is wrong with an IPv4 literal (E0108).
public enum IPv4LiteralProblem: Sendable, Equatable {
    /// Letters or more digits run on after the address.
    case trailingText
    /// Not four octets.
    case octetCount(Int)
    case underscore
    case leadingZero(octet: String)
    case outOfRange(octet: String)
}

/// What the parser expected where it reported E0110 (`expected …, found …`). The parser names the
/// place in the grammar; the description, help, notes and fix-its are worded here. Names are
/// passed as written in the source.
public enum ParserExpectation: Sendable, Equatable {
    // Items.
    /// At a stray closer at the top level.
    case declaration
    /// At a stray closer inside a block.
    case attributeOrDeclaration
    /// At a token that starts no item.
    case declarationOrAttribute
    /// Two items on one line.
    case separator(after: Item)
    /// `name: value` (YAML habit); the fix-it replaces the `:` at `colon`.
    case equalsNotColonAfterAttribute(String, colon: Span)
    /// `name value`; the fix-it inserts ` =` at `insertAt`.
    case equalsAfterAttribute(String, insertAt: Span)
    /// `vn web { }`: a name that resembles one of `keywords`, followed by a name or string.
    case equalsAfterMisspelledKeyword(String, keywords: [String])
    /// `name =` (an attribute or a record key) and nothing more on the line.
    case valueAfter(String)
    case valueAfterLet(String)
    /// `vm { }`; `reservedWord`: the keyword written where the name goes.
    case name(afterDeclarationKeyword: String, reservedWord: String?)
    case blockEnd(openedAt: Span)
    case modulePath
    case moduleName
    case aliasName
    case letName
    case functionName
    case parameterName
    case loopVariable
    /// `let x 2`; the fix-it inserts ` =` at `insertAt`.
    case equalsAfterLet(String, insertAt: Span)
    case parameterList(function: String)
    case parameterType(parameter: String)
    case parameterSeparator
    case parameterListEnd
    case functionBody(function: String)
    case `in`(afterLoopVariable: String)
    case loopBody
    /// `afterAssign`: the condition was followed by `=` (an assignment meant as a comparison).
    case ifBody(afterAssign: Bool)
    case elseBody

    // Types.
    case fieldType(field: String)
    case fieldName
    case recordTypeSeparator
    case recordTypeEnd
    case listTypeEnd
    case type

    // Expressions.
    case memberName
    /// `closer` and `opener` as written: `)` for a `(` at `openedAt`.
    case closer(String, opener: String, openedAt: Span)
    case listSeparator(closer: String)
    /// `reservedWord`: the keyword written where the value goes.
    case expression(reservedWord: String?)
    case recordFieldSeparator
    case recordField
    /// `{ key: value }` (JSON/YAML habit); the fix-it replaces the `:` at `colon`.
    case equalsNotColonAfterRecordKey(String, colon: Span)
    case equalsAfterRecordKey(String)
    case `else`
    /// The `{` of an `if` value's branch; `afterAssign` as for `ifBody`.
    case branch(afterAssign: Bool)
    case branchEnd(openedAt: Span)
    case interpolationEnd

    /// The item a separator is missing after.
    public enum Item: Sendable, Equatable {
        case attribute(String)
        /// A resource declaration, by its keyword.
        case declaration(keyword: String)
        case other
    }

    /// The "expected …" part of the message.
    var description: String {
        switch self {
        case .declaration: return "a declaration"
        case .attributeOrDeclaration: return "an attribute or declaration"
        case .declarationOrAttribute: return "a declaration or attribute"
        case .separator(after: .attribute(let name)): return "a newline or `,` after attribute `\(name)`"
        case .separator(after: .declaration(let keyword)): return "a newline or `,` after `\(keyword)` declaration"
        case .separator(after: .other): return "a newline or `,` after this item"
        case .equalsNotColonAfterAttribute(let name, _), .equalsAfterAttribute(let name, _),
             .equalsAfterMisspelledKeyword(let name, _):
            return "`=` after `\(name)`"
        case .valueAfter(let name): return "a value after `\(name) =`"
        case .valueAfterLet(let name): return "a value after `let \(name) =`"
        case .name(afterDeclarationKeyword: let keyword, _): return "a name after `\(keyword)`"
        case .blockEnd: return "`}` to close the block"
        case .modulePath: return "a module path after `import`"
        case .moduleName: return "a module name after `.`"
        case .aliasName: return "a name after `as`"
        case .letName: return "a name after `let`"
        case .functionName: return "a function name after `fn`"
        case .parameterName: return "a parameter name"
        case .loopVariable: return "a loop variable after `for`"
        case .equalsAfterLet(let name, _): return "`=` after `let \(name)`"
        case .parameterList(let function): return "`(` after `fn \(function)`"
        case .parameterType(let parameter): return "`:` and a type after parameter `\(parameter)`"
        case .parameterSeparator: return "`,` or `)` in the parameter list"
        case .parameterListEnd: return "`)` to close the parameter list"
        case .functionBody: return "`=` and the function body"
        case .in(let variable): return "`in` after `for \(variable)`"
        case .loopBody: return "`{` to start the loop body"
        case .ifBody: return "`{` after the `if` condition"
        case .elseBody: return "`{` or `if` after `else`"
        case .fieldType(let field): return "`:` after field `\(field)`"
        case .fieldName: return "a field name"
        case .recordTypeSeparator: return "`,` or `}` in the record type"
        case .recordTypeEnd: return "`}` to close the record type"
        case .listTypeEnd: return "`]` to close the list type"
        case .type: return "a type"
        case .memberName: return "a member name after `.`"
        case .closer(let closer, _, _): return "`\(closer)`"
        case .listSeparator(let closer): return "`,` or `\(closer)`"
        case .expression: return "an expression"
        case .recordFieldSeparator: return "`,`, a newline or `}` after the record field"
        case .recordField: return "a record field `key = value`"
        case .equalsNotColonAfterRecordKey(let key, _), .equalsAfterRecordKey(let key):
            return "`=` after record key `\(key)`"
        case .else: return "`else`"
        case .branch: return "`{`"
        case .branchEnd: return "`}` to close the branch"
        case .interpolationEnd: return "`}` to close the interpolation"
        }
    }

    /// `if x = 1 { … }`: the help of both kinds of `if`.
    static let comparisonNotAssignment = "compare with `==`; `=` sets an attribute"

    var help: String? {
        switch self {
        case .separator: return "put each attribute or declaration on its own line, or separate them with `,`"
        case .equalsNotColonAfterAttribute(let name, _): return "attributes are written `\(name) = value`, not `\(name): value`"
        case .equalsAfterAttribute(let name, _): return "an attribute is written `\(name) = value`"
        case .equalsAfterMisspelledKeyword(let name, let keywords):
            return "`\(name)` is not a declaration keyword; " + (Suggest.didYouMean(name, among: keywords) ?? "")
        case .name(_, reservedWord: let word?): return "`\(word)` is a reserved word; choose another name"
        case .name(afterDeclarationKeyword: let keyword, reservedWord: nil): return "write `\(keyword) NAME { … }`"
        case .equalsAfterLet(let name, _): return "write `let \(name) = value`"
        case .parameterList(let function): return "write `fn \(function)(p: Type) -> Type = expression`"
        case .parameterType: return "parameters are written `name: Type`"
        case .functionBody(let function): return "a function is `fn \(function)(…) -> Type = expression`"
        case .in(let variable): return "write `for \(variable) in list { … }`"
        case .ifBody(let afterAssign): return afterAssign ? Self.comparisonNotAssignment : nil
        case .fieldType: return "record types are written `{name: Type}`"
        case .type: return "types are names (`Int`, `IP`, `Bridge`), lists `[T]` and records `{a: T}`"
        case .listSeparator: return "separate the elements with `,`"
        case .expression(reservedWord: let word?): return "`\(word)` is a reserved word and cannot be used as a value"
        case .equalsNotColonAfterRecordKey: return "record fields are written `key = value`, not `key: value`"
        case .equalsAfterRecordKey: return "record fields are written `key = value`"
        case .else: return "an `if` that gives a value needs an `else` branch"
        case .branch(let afterAssign):
            return afterAssign ? Self.comparisonNotAssignment : "each branch of an `if` is written `{ value }`"
        case .branchEnd: return "each branch of an `if` value is a single expression"
        default: return nil
        }
    }

    var notes: [DiagnosticNote] {
        switch self {
        case .blockEnd(let open): return [DiagnosticNote("block opened here", at: open)]
        case .closer(_, let opener, let open): return [.opened(opener, at: open)]
        case .branchEnd(let open): return [.opened("{", at: open)]
        default: return []
        }
    }

    var fixIts: [FixIt] {
        switch self {
        case .equalsNotColonAfterAttribute(_, let colon), .equalsNotColonAfterRecordKey(_, let colon):
            return [FixIt(replace: colon, with: " =")]
        case .equalsAfterAttribute(_, let insertAt), .equalsAfterLet(_, let insertAt):
            return [FixIt(replace: insertAt, with: " =")]
        default: return []
        }
    }
}

extension DiagnosticNote {
    /// "`(` opened here" at the opening bracket of something left unclosed.
    static func opened(_ opener: String, at span: Span) -> DiagnosticNote {
        DiagnosticNote("`\(opener)` opened here", at: span)
    }
}

/// How the token the parser found instead reads in "found …".
public enum FoundToken: Sendable, Equatable {
    case endOfFile
    /// The construct wants more on this line.
    case endOfLine
    case multilineString
    case stringLiteral
    /// The end of a string (or of a piece of its text) where an expression should go on.
    case endOfString
    /// Any other token, as written (shortened to 40 characters).
    case token(String)

    var description: String {
        switch self {
        case .endOfFile: return "end of file"
        case .endOfLine: return "end of line"
        case .multilineString: return "multi-line string"
        case .stringLiteral: return "string literal"
        case .endOfString: return "end of string"
        case .token(var text):
            if text.unicodeScalars.count > 40 { text = String(text.unicodeScalars.prefix(40)) + "…" }
            return "`\(text)`"
        }
    }
}

/// What an over-long chain in an expression (E0112) is made of.
public enum ExpressionChain: Sendable {
    case binaryOperators
    case prefixOperators
    case memberAccessesOrCalls
}

extension Diagnostic {
    // MARK: lexer

    /// How the lexer words a malformed literal: "invalid WHAT `TEXT`", then ": WHY" when given.
    private static func invalid(_ what: String, _ text: String, _ why: String? = nil) -> String {
        "invalid \(what) `\(text)`" + (why.map { ": " + $0 } ?? "")
    }

    public static func unterminatedBlockComment(at span: Span) -> Diagnostic {
        Diagnostic(.unterminatedComment, "unterminated block comment", at: span,
                   help: "close it with `*/` (block comments nest: every `/*` needs its own `*/`)")
    }

    public static func nulByte(at span: Span) -> Diagnostic {
        Diagnostic(.invalidCharacter, "unexpected NUL byte", at: span, help: "remove it; is this a binary file?")
    }

    public static func invalidUTF8(at span: Span) -> Diagnostic {
        Diagnostic(.invalidUTF8, "invalid UTF-8 byte sequence", at: span,
                   help: "the file must be UTF-8; re-save it with UTF-8 encoding")
    }

    public static func singleQuote(at span: Span) -> Diagnostic {
        Diagnostic(.invalidCharacter, "unexpected character `'`", at: span,
                   help: "strings are written in double quotes: `\"…\"`")
    }

    /// Characters that start no token (`text` is the run of them).
    public static func unexpectedCharacters(_ text: String, at span: Span) -> Diagnostic {
        var help: String? = nil
        switch text {
        case "&": help = "did you mean `&&`?"
        case "|": help = "did you mean `||`?"
        case ";": help = "separate attributes with a newline or `,`"
        default: break
        }
        let plural = text.unicodeScalars.count > 1 ? "characters" : "character"
        return Diagnostic(.invalidCharacter, "unexpected \(plural) `\(text)`", at: span, help: help)
    }

    public static func invalidName(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidIdentifier, invalid("name", text, "names are ASCII letters, digits, `_` and `-`"), at: span,
                   help: "write names as [A-Za-z_][A-Za-z0-9_-]*; other text belongs in a string")
    }

    public static func numberTrailingUnderscore(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidNumber, invalid("number", text, "`_` may only stand between digits"), at: span,
                   help: "remove the trailing `_`")
    }

    /// An integer literal beyond Int64; `hexadecimal` picks how the largest one is written.
    public static func integerLiteralOutOfRange(_ text: String, hexadecimal: Bool = false, at span: Span) -> Diagnostic {
        Diagnostic(.invalidNumber, "integer literal `\(text)` is out of range for a 64-bit signed integer", at: span,
                   help: hexadecimal ? "the largest integer is 0x7fffffffffffffff" : "the largest integer is 9223372036854775807")
    }

    public static func invalidHexLiteral(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidNumber, invalid("hexadecimal literal", text), at: span,
                   help: "write `0x` followed by hexadecimal digits, e.g. `0x2a`")
    }

    /// `digits` as written, `written` without underscores; `suggestions` are suffixes close to
    /// `suffix`, the first one offered as a fix-it at `suffixSpan`.
    public static func invalidQuantitySuffix(_ suffix: String, digits: String, written: String, suggestions: [String],
                                             at span: Span, suffixSpan: Span) -> Diagnostic {
        var help = "quantity suffixes are `Ki Mi Gi Ti Pi Ei` (powers of 1024) and `k M G T P E` (powers of 1000)"
        var fixIts: [FixIt] = []
        if !suggestions.isEmpty {
            let list = suggestions.map { "`\(written)\($0)`" }
            help = "did you mean \(list.joined(separator: " or "))? " + help
            fixIts = [FixIt(replace: suffixSpan, with: suggestions[0])]
        }
        return Diagnostic(.invalidQuantity, "invalid quantity suffix `\(suffix)` in `\(digits)\(suffix)`", at: span,
                          help: help, fixIts: fixIts)
    }

    public static func quantityOutOfRange(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidNumber, "quantity `\(text)` is out of range for a 64-bit signed number of bytes", at: span,
                   help: "the largest quantity is 7Ei")
    }

    public static func invalidPrefixLength(_ prefix: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidPrefix, invalid("prefix length", "/" + prefix, "an IPv4 prefix is 0–32"), at: span,
                   help: "write the prefix as a number from 0 to 32 without leading zeros, e.g. `/24`")
    }

    /// `corrected`: the address without leading zeros, offered as a fix-it when that is the only problem.
    public static func invalidIPv4(_ text: String, _ problem: IPv4LiteralProblem, corrected: String? = nil,
                                   at span: Span) -> Diagnostic {
        let why: String?
        var help = "write four decimal octets 0–255 without leading zeros, e.g. `192.168.0.1`"
        switch problem {
        case .trailingText: why = nil
        case .octetCount(let n):
            why = "expected four octets, found \(n)"
            if n == 2 { help = "numbers have no fraction; " + help }
        case .underscore: why = "`_` is not allowed in an octet"
        case .leadingZero(let o): why = "octet `\(o)` has a leading zero"
        case .outOfRange(let o): why = "octet `\(o)` is out of range 0–255"
        }
        var fixIts: [FixIt] = []
        if let corrected {
            help = "leading zeros are not allowed (other tools read them as octal); write `\(corrected)`"
            fixIts = [FixIt(replace: span, with: corrected)]
        }
        return Diagnostic(.invalidIPv4, invalid("IPv4 address", text, why), at: span, help: help, fixIts: fixIts)
    }

    /// `interpolation`: the line ended inside a `${…}` of the string.
    public static func unterminatedString(inInterpolation interpolation: Bool = false, at span: Span) -> Diagnostic {
        Diagnostic(.unterminatedString, "unterminated string literal", at: span,
                   help: interpolation ? "close the interpolation with `}` and the string with `\"` on the same line"
                       : "add the closing `\"` on the same line, or use `\"\"\"` for a multi-line string")
    }

    public static func unterminatedMultilineString(inInterpolation interpolation: Bool = false, at span: Span) -> Diagnostic {
        Diagnostic(.unterminatedString, "unterminated multi-line string literal", at: span,
                   help: interpolation ? "close the interpolation with `}` and the string with `\"\"\"` on a line of its own"
                       : "close it with `\"\"\"` on a line of its own")
    }

    public static func interpolationTooDeep(limit: Int, at span: Span) -> Diagnostic {
        Diagnostic(.nestingTooDeep, "string interpolations nested too deeply (more than \(limit) levels)", at: span,
                   help: "split the expression with `let`")
    }

    public static func invalidUnicodeEscape(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidEscape, invalid("unicode escape", text), at: span,
                   help: "write `\\u{` followed by 1–8 hexadecimal digits of a Unicode scalar and `}`, e.g. `\\u{1F600}`")
    }

    public static func invalidEscape(_ text: String, at span: Span) -> Diagnostic {
        Diagnostic(.invalidEscape, invalid("escape sequence", text), at: span,
                   help: text == "\\$" ? "write `$${` for a literal `${`; a lone `$` needs no escape"
                       : "the escapes are `\\\"` `\\\\` `\\n` `\\t` `\\u{…}`; write `\\\\` for a backslash")
    }

    /// Text after the opening `"""`; `blanks`: only spaces or tabs, which can simply be removed.
    public static func multilineTextOnOpeningLine(blanks: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.multilineIndentation, "multi-line string content must start on a new line after `\"\"\"`", at: span,
                   help: blanks ? "remove the spaces or tabs after the opening `\"\"\"`"
                       : "start the text on the next line, or use `\"…\"` for a one-line string")
    }

    public static func multilineTrailingBackslash(at span: Span) -> Diagnostic {
        Diagnostic(.multilineIndentation, "a `\\` at the end of the last line of a multi-line string is not allowed", at: span,
                   help: "remove the `\\`: the newline before the closing `\"\"\"` is never part of the string")
    }

    public static func multilineClosingNotAlone(at span: Span) -> Diagnostic {
        Diagnostic(.multilineIndentation, "the closing `\"\"\"` of a multi-line string must stand on a line of its own",
                   at: span, help: "put the closing `\"\"\"` on the next line")
    }

    /// A line indented less than (or differently from) the closing `"""` at `closing`.
    public static func multilineIndentation(mixed: Bool, indentation: Int, at span: Span, closing: Span) -> Diagnostic {
        Diagnostic(.multilineIndentation,
                   mixed ? "indentation of line in multi-line string mixes tabs and spaces differently from the closing `\"\"\"`"
                       : "insufficient indentation of line in multi-line string",
                   at: span,
                   notes: [DiagnosticNote("the closing delimiter's indentation is removed from every line", at: closing)],
                   help: "indent every line at least as far as the closing `\"\"\"` (\(indentation) spaces or tabs, the same ones)")
    }

    // MARK: parser

    /// The help of an expression nested too deeply.
    private static let splitWithLet = "split the expression into smaller ones with `let`"

    /// E0110 `expected X, found Y`: the parser names what it expected and what stands there instead.
    public static func expected(_ expectation: ParserExpectation, found: FoundToken, at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "expected \(expectation.description), found \(found.description)", at: span,
                   notes: expectation.notes, help: expectation.help, fixIts: expectation.fixIts)
    }

    /// A closing bracket of the wrong kind (`found`) where the group that `opener` opened at
    /// `openedAt` ends; the parser reads it as the right one (`expected`), as rustc does.
    public static func mismatchedCloser(_ found: String, expected: String, opener: String, openedAt: Span,
                                        at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "mismatched closing delimiter: expected `\(expected)`, found `\(found)`", at: span,
                   notes: [.opened(opener, at: openedAt)], help: "`\(opener)` is closed by `\(expected)`",
                   fixIts: [FixIt(replace: span, with: expected)])
    }

    /// `closer` is missing before `next`, which begins a line no further right than the line that
    /// opened the group (`opener` at `openedAt`; `isBlock`: a block of items); the group is taken to
    /// end there. `span`: the end of the line before, where the closer belongs.
    public static func closerMissingBeforeOutdent(_ closer: String, opener: String, isBlock: Bool, next: FoundToken,
                                                  openedAt: Span, at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken,
                   isBlock ? "expected `\(closer)` to close the block before \(next.description)"
                       : "expected `\(closer)` before \(next.description)",
                   at: span,
                   notes: [isBlock ? DiagnosticNote("block opened here", at: openedAt) : .opened(opener, at: openedAt)],
                   help: "a line that starts at or left of the indentation of the line with the opening `\(opener)` ends the "
                       + (isBlock ? "block" : "group") + "; add the missing `\(closer)`")
    }

    public static func nestingTooDeep(limit: Int, at span: Span) -> Diagnostic {
        Diagnostic(.nestingTooDeep, "nesting too deep (more than \(limit) levels)", at: span,
                   help: splitWithLet)
    }

    /// `value`: the chain is an `if` expression (not an `if` statement).
    public static func elseIfChainTooLong(limit: Int, value: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.nestingTooDeep, "`else if` chain too long (more than \(limit) branches)", at: span,
                   help: value ? "split the chain into smaller ones with `let`" : "split the chain, or use a list and `in`")
    }

    public static func expressionTooDeep(limit: Int, of chain: ExpressionChain, at span: Span) -> Diagnostic {
        let what: String
        switch chain {
        case .binaryOperators: what = "operators in a chain"
        case .prefixOperators: what = "prefix operators"
        case .memberAccessesOrCalls: what = "member accesses or calls"
        }
        return Diagnostic(.nestingTooDeep, "expression too deeply nested (more than \(limit) \(what))", at: span,
                          help: splitWithLet)
    }

    public static func interpolatedRecordKey(at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "a record key cannot contain `${…}` interpolation", at: span,
                   help: "write the key as a plain string")
    }
}

// Formatter.
extension Diagnostic {
    /// The formatter's own check failed: its output lexes differently from the input.
    public static func formatterChangedMeaning(at span: Span) -> Diagnostic {
        Diagnostic(.unexpectedToken, "internal error: formatting would change the meaning of this file; it was left as it is",
                   at: span, help: "please report this file to the Wukong developers")
    }
}
