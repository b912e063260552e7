import WukongDiagnostics
import WukongNet

/// The recursive-descent parser over the token stream of `Lexer`. Never traps, never loops
/// without consuming a token, never recurses deeper than `Parser.maxNesting` levels of brackets.
struct ParserImpl {
    let source: SourceFile
    let lexed: LexedFile
    let tokens: [Token]
    let file: FileID
    var pos = 0
    var diags: [Diagnostic] = []
    /// Lines that already carry a diagnostic: a second syntax error on one line is almost always
    /// a consequence of the first, so it is not reported (as go/parser does).
    var errorLines: Set<Int> = []
    var depth = 0
    /// After E0112 skipped a construct: E0110 up to this offset would only echo the skip.
    var suppressUntil = -1
    /// Whether a newline ends the current construct (top level, blocks, records) or not (`()`, `[]`).
    var newlinesSignificant = true
    /// Start offsets of record keys written as paths (`a.b.c = v`), which `nest` expands.
    var dottedKeys: Set<Int> = []
    /// The items of the blocks being parsed, innermost last: a block's items are collected here
    /// and copied out once, into an array of their exact count (no growing array per block).
    var itemStack: [Item] = []
    /// The bracketed groups being parsed, innermost last: what a closer may close (Recovery.swift).
    var groups: [OpenGroup] = []
    /// How the items of the innermost block ended (set by `parseItems` for `parseBlock`).
    var blockEnd: GroupEnd = .closes
    /// The token before which an outdent was reported: the enclosing groups that end there too
    /// are not reported again.
    var outdentReportedAt = -1
    /// The token before which a group was last left unclosed: a separator missing there went to
    /// the group (`{ a = 1,` then `{ …`), so the enclosing list goes on without one.
    var groupLeftOpenAt = -1
    /// Whether every bracket of the file is matched by one of its kind. Then no group can be
    /// unclosed and the layout rules of Recovery.swift are off: a legal program parses the same
    /// whatever its indentation (and pays one pass over the tokens for it).
    let bracketsBalance: Bool
    /// Tokens the closer decisions may still look ahead at, in all (`mismatchesAfterCurrent`).
    var lookaheadBudget: Int

    init(source: SourceFile, lexed: LexedFile) {
        self.source = source
        self.lexed = lexed
        self.tokens = lexed.tokens
        self.file = source.id
        self.lookaheadBudget = 4 * lexed.tokens.count + 1024
        self.bracketsBalance = ParserImpl.bracketsBalance(lexed.tokens)
        for d in lexed.diagnostics { errorLines.insert(line(of: d.span.startOffset)) }
    }

    /// 1-based line of an offset (no column: that would scan the line).
    func line(of offset: Int) -> Int {
        let starts = source.lineStarts
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    // MARK: Token access

    var cur: Token { tokens[pos] }
    func peek(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    var at: TokenKind { tokens[pos].kind }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func span(_ t: Token) -> Span { Span(file: file, start: t.startOffset, end: t.endOffset) }
    func span(_ s: Int, _ e: Int) -> Span { Span(file: file, start: s, end: e) }
    /// End offset of the token before the current one.
    var previousEnd: Int { pos > 0 ? tokens[pos - 1].endOffset : 0 }
    /// The current token starts a new line where newlines matter.
    var atLineBreak: Bool { newlinesSignificant && cur.newlineBefore }

    func text(_ t: Token) -> String {
        let bytes = lexed.bytes
        let s = max(0, min(t.startOffset, bytes.count)), e = max(s, min(t.endOffset, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    func identifier(_ t: Token) -> Identifier { Identifier(text(t), span: span(t)) }
    /// Consumes the current token as a name. (Not `identifier(advance())`: a non-mutating call
    /// whose argument mutates `self` copies the whole parser first.)
    mutating func advanceIdentifier() -> Identifier {
        let t = advance()
        return identifier(t)
    }

    // MARK: Diagnostics

    /// What the current token is, for "found …".
    func describeCurrent(sameLine: Bool = true) -> FoundToken {
        let t = cur
        if t.kind == .endOfFile { return .endOfFile }
        if sameLine && atLineBreak { return .endOfLine }
        switch t.kind {
        case .stringStart: return t.payload == 1 ? .multilineString : .stringLiteral
        case .stringEnd, .stringText: return .endOfString
        case .interpolationEnd: return .token("}")
        default: return .token(text(t))
        }
    }

    /// Where "found …" points: the current token, or just after the previous one at a line end / EOF.
    func foundSpan(sameLine: Bool = true) -> Span {
        if cur.kind == .endOfFile || (sameLine && atLineBreak) { return span(previousEnd, previousEnd) }
        return span(cur)
    }

    /// Reports E0110 "expected X, found Y" at the current token, unless the current token is the
    /// lexer's (already reported) or its line already has an error.
    /// `sameLine`: the construct wants more on this line, so a line break reads "found end of line".
    mutating func expected(_ expectation: ParserExpectation, sameLine: Bool = true) {
        let t = cur
        if t.kind == .invalid || t.kind == .badLiteral || t.isSynthetic { return }
        if t.kind == .endOfFile && lexed.endSwallowed { return }
        report(.expected(expectation, found: describeCurrent(sameLine: sameLine), at: foundSpan(sameLine: sameLine)))
    }

    mutating func report(_ d: Diagnostic) {
        let line = line(of: d.span.startOffset)
        if d.code == .unexpectedToken && (errorLines.contains(line) || d.span.startOffset <= suppressUntil) { return }
        errorLines.insert(line)
        diags.append(d)
    }

    // MARK: Nesting

    /// Enters one nesting level; on overflow reports E0112, skips the construct and returns false.
    mutating func enter() -> Bool {
        depth += 1
        if depth <= Parser.maxNesting { return true }
        depth -= 1
        report(.nestingTooDeep(limit: Parser.maxNesting, at: span(cur)))
        skipConstruct()
        suppressUntil = previousEnd
        return false
    }

    mutating func leave() { depth -= 1 }

    /// Skips one expression or item: balanced groups, up to a closer, `,` or line break at depth 0.
    mutating func skipConstruct(itemLevel: Bool = false) {
        let start = pos
        var d = 0
        while true {
            let t = cur
            if t.kind == .endOfFile { return }
            if d == 0 && pos > start {
                if t.kind == .comma || (newlinesSignificant && t.newlineBefore) { return }
                if itemLevel && startsItem() { return }
            }
            if d == 0 && t.kind.isCloser { return }
            if t.kind.isOpener { d += 1 } else if t.kind.isCloser { d -= 1 }
            advance()
        }
    }

    /// Whether the current token plainly starts an item (`name =`, a declaration keyword, `...`).
    func startsItem() -> Bool {
        let t = cur
        if (t.kind == .identifier || t.kind.isKeyword) && peek(1).kind == .assign { return true }
        switch t.kind {
        case .ellipsis, .kwImport, .kwLet, .kwFn, .kwAssert, .kwFor: return true
        default: return t.kind.resourceKind != nil || contextualResource() != nil
        }
    }

    // MARK: Items

    mutating func parseFile() -> [Item] {
        newlinesSignificant = true
        return parseItems(topLevel: true)
    }

    mutating func parseItems(topLevel: Bool) -> [Item] {
        let base = itemStack.count
        defer { itemStack.removeLast(itemStack.count - base) }
        while true {
            while at == .comma { advance() }
            if at == .endOfFile { blockEnd = .leavesOpen; break }
            if at.isCloser {
                if !topLevel {
                    let end = closerFate()
                    if end != .stray { blockEnd = end; break }
                }
                expected(topLevel ? .declaration : .attributeOrDeclaration, sameLine: false)
                advance()
                continue
            }
            if !topLevel && !bracketsBalance && cur.newlineBefore && endsByOutdent() { blockEnd = .outdent; break }
            // `else` starts no item: the `}` before it is missing
            if !topLevel && at == .kwElse { blockEnd = .leavesOpen; break }
            let before = pos
            let item = parseItem()
            itemStack.append(item)
            if pos == before {
                // parseItem reported and consumed nothing: skip the construct so the loop advances
                skipConstruct(itemLevel: true)
                if pos == before { advance() }
                continue
            }
            if at == .comma { advance(); continue }
            if at == .rBrace || at == .endOfFile || cur.newlineBefore || (!topLevel && at.isCloser) { continue }
            let isError: Bool
            if case .error = item.kind { isError = true } else { isError = false }
            if !isError {
                expected(.separator(after: separatedItem(item)))
            }
            if pos > before && startsItem() { continue }
            skipConstruct(itemLevel: true)
            if pos == before { advance() }
        }
        return Array(itemStack[base...])
    }

    func separatedItem(_ item: Item) -> ParserExpectation.Item {
        switch item.kind {
        case .attribute(let name, _): return .attribute(name.name)
        case .resource(let r): return .declaration(keyword: r.kind.rawValue)
        default: return .other
        }
    }

    mutating func parseItem() -> Item {
        let t = cur
        if (t.kind == .identifier || t.kind.isKeyword) && peek(1).kind == .assign {
            let name = advanceIdentifier()
            advance()
            let value = parseValue(missing: .valueAfter(name.name))
            return Item(.attribute(name: name, value: value), span: name.span.to(value.span))
        }
        if let kind = t.kind.resourceKind ?? contextualResource() { return parseResource(kind) }
        if t.kind == .identifier && peek(1).kind == .lBrace && !peek(1).newlineBefore && text(t) == "kubevirt" {
            // `kubevirt { path = value … }` is `kubevirt = { … }` (docs/vm-reference.md)
            let name = advanceIdentifier()
            let value = parseRecord()
            return Item(.attribute(name: name, value: value), span: name.span.to(value.span))
        }
        switch t.kind {
        case .ellipsis:
            advance()
            let e = parseExpr()
            return Item(.spread(e), span: span(t).to(e.span))
        case .kwImport: return parseImport()
        case .kwLet: return parseLet()
        case .kwFn: return parseFn()
        case .kwAssert: return parseAssert()
        case .kwFor: return parseFor()
        case .kwIf: return parseIfStatement()
        case .identifier:
            return parseItemWithoutEquals()
        case .invalid, .badLiteral:
            advance()
            return Item(.error, span: span(t))
        default:
            expected(.declarationOrAttribute, sameLine: false)
            return Item(.error, span: foundSpan(sameLine: false))
        }
    }

    /// `disk NAME` (a name on the same line after a contextual declaration keyword) starts a
    /// declaration; `disk = …` and `disk` alone stay an attribute or a name.
    func contextualResource() -> ResourceKind? {
        guard cur.kind == .identifier, !peek(1).newlineBefore,
              peek(1).kind == .identifier || peek(1).kind == .stringStart else { return nil }
        let word = text(cur)
        return ResourceKind.contextual.first { $0.rawValue == word }
    }

    /// A name not followed by `=`: a misspelled declaration keyword (`vn web { }`) or an
    /// attribute missing its `=` (`subnet 10.0.0.0/24`), which is reported and parsed on.
    @inline(never)
    mutating func parseItemWithoutEquals() -> Item {
        let t = advance()
        let name = text(t)
        let next = cur
        let sameLine = !next.newlineBefore
        if sameLine && next.kind == .colon {
            // `cpu: 2` (YAML habit): report, then read it as `cpu = 2`
            expected(.equalsNotColonAfterAttribute(name, colon: span(next)))
            advance()
            let value = parseExpr()
            let id = Identifier(name, span: span(t))
            return Item(.attribute(name: id, value: value), span: id.span.to(value.span))
        }
        let keywords = ResourceKind.allCases.map(\.rawValue) + ["let", "fn", "for", "import", "assert"]
        let keywordTypo = sameLine && (next.kind == .identifier || next.kind == .stringStart)
            && !Suggest.similar(to: name, among: keywords).isEmpty
        if keywordTypo {
            expected(.equalsAfterMisspelledKeyword(name, keywords: keywords))
        } else {
            expected(.equalsAfterAttribute(name, insertAt: span(t.endOffset, t.endOffset)))
        }
        guard sameLine, !keywordTypo, next.kind != .identifier, next.kind != .lBrace, startsExpression(next.kind) else {
            return Item(.error, span: span(t))
        }
        let value = parseExpr()
        let id = Identifier(name, span: span(t))
        return Item(.attribute(name: id, value: value), span: id.span.to(value.span))
    }

    /// The value after `name =`. A newline after `=` is insignificant, except when the next
    /// line plainly starts another item (`cpu =` then `memory = 4Gi`): then the value is
    /// missing, reported here as `missing`, and the next line is left alone.
    mutating func parseValue(missing: ParserExpectation) -> Expr {
        if cur.newlineBefore && newlinesSignificant && (startsItem() || at == .rBrace) {
            expected(missing)
            return Expr(.error, span: span(previousEnd, previousEnd))
        }
        return parseExpr()
    }

    func startsExpression(_ k: TokenKind) -> Bool {
        switch k {
        case .integer, .quantity, .ipv4, .ipv4Prefix, .badLiteral, .stringStart, .identifier, .lBracket, .lParen,
             .lBrace, .minus, .bang, .kwIf, .kwTrue, .kwFalse, .kwAuto, .kwDhcp, .kwPod: return true
        default: return false
        }
    }

    mutating func parseResource(_ kind: ResourceKind) -> Item {
        let kw = advance()
        let kwSpan = span(kw)
        var end = kwSpan
        var name: DeclName? = nil
        switch at {
        case .identifier where !atLineBreak:
            let id = advanceIdentifier(); name = .identifier(id); end = id.span
        case .stringStart where !atLineBreak:
            let s = parseStringLiteral(); name = .string(s); end = s.span
        case .lBrace where kind == .topology:
            break
        default:
            if cur.kind.isKeyword && cur.kind != .kwOn && !atLineBreak {
                expected(.name(afterDeclarationKeyword: kind.rawValue, reservedWord: text(cur)))
                let id = advanceIdentifier(); name = .identifier(id); end = id.span
            } else {
                expected(.name(afterDeclarationKeyword: kind.rawValue, reservedWord: nil))
                // Only a topology may be nameless (AST contract): read the rest for its syntax
                // errors, then drop the declaration so nothing downstream reports on it.
                if at == .kwOn { advance(); end = parseExpr().span }
                if at == .lBrace { end = parseBlock().span }
                return Item(.error, span: kwSpan.to(end))
            }
        }
        var onExpr: Expr? = nil
        if at == .kwOn {
            advance()
            let e = parseExpr(); onExpr = e; end = e.span
        }
        var body: Block? = nil
        if at == .lBrace {
            let b = parseBlock(); body = b; end = b.span
        }
        let decl = ResourceDecl(kind: kind, keywordSpan: kwSpan, name: name, on: onExpr, body: body)
        return Item(.resource(decl), span: kwSpan.to(end))
    }

    mutating func parseBlock() -> Block {
        let open = cur
        guard enter() else { return Block(items: [], span: span(open.startOffset, previousEnd)) }
        defer { leave() }
        openGroup()
        advance()
        let saved = newlinesSignificant
        newlinesSignificant = true
        let items = parseItems(topLevel: false)
        endGroup(blockEnd, unclosed: .blockEnd(openedAt: span(open)), isBlock: true)
        newlinesSignificant = saved
        return Block(items: items, span: span(open.startOffset, max(previousEnd, open.endOffset)))
    }

    /// A name token: an identifier, or (where keywords are allowed) a keyword.
    mutating func expectName(_ what: ParserExpectation, allowKeyword: Bool = false) -> Identifier? {
        if at == .identifier || (allowKeyword && at.isKeyword), !atLineBreak { return advanceIdentifier() }
        expected(what)
        return nil
    }

    mutating func parseImport() -> Item {
        let kw = advance()
        var path: [Identifier] = []
        guard let first = expectName(.modulePath, allowKeyword: true) else {
            return Item(.error, span: span(kw))
        }
        path.append(first)
        while at == .dot && !atLineBreak {
            advance()
            guard let next = expectName(.moduleName, allowKeyword: true) else {
                return Item(.error, span: span(kw).to(path.last!.span))
            }
            path.append(next)
        }
        var alias: Identifier? = nil
        if at == .identifier && !atLineBreak && text(cur) == "as" {
            advance()
            guard let a = expectName(.aliasName) else { return Item(.error, span: span(kw).to(path.last!.span)) }
            alias = a
        }
        return Item(.importDecl(path: path, alias: alias), span: span(kw).to(alias?.span ?? path.last!.span))
    }

    mutating func parseLet() -> Item {
        let kw = advance()
        guard let name = expectName(.letName) else { return Item(.error, span: span(kw)) }
        var type: TypeExpr? = nil
        if at == .colon { advance(); type = parseType() }
        if at == .assign {
            advance()
        } else {
            expected(.equalsAfterLet(name.name, insertAt: span(name.span.endOffset, name.span.endOffset)))
            // `let b 2`: parse the value anyway, so later uses of `b` do not cascade
            guard !atLineBreak, at != .lBrace, startsExpression(at) else { return Item(.error, span: span(kw).to(name.span)) }
        }
        let value = parseValue(missing: .valueAfterLet(name.name))
        return Item(.letDecl(name: name, type: type, value: value), span: span(kw).to(value.span))
    }

    mutating func parseFn() -> Item {
        let kw = advance()
        guard let name = expectName(.functionName) else { return Item(.error, span: span(kw)) }
        guard at == .lParen else {
            expected(.parameterList(function: name.name))
            return Item(.error, span: span(kw).to(name.span))
        }
        let saved = newlinesSignificant
        newlinesSignificant = false
        openGroup()
        advance()
        var params: [Parameter] = []
        while at != .rParen {
            // a closer, or the `->` or `=` after the list: the list ends here
            if at == .endOfFile || at.isCloser || at == .arrow || at == .assign { break }
            let before = pos
            if let pName = expectName(.parameterName) {
                if at == .colon {
                    advance()
                    params.append(Parameter(name: pName, type: parseType()))
                } else {
                    expected(.parameterType(parameter: pName.name))
                    params.append(Parameter(name: pName, type: TypeExpr(.error, span: pName.span)))
                }
            }
            if at == .comma { advance(); continue }
            if at == .rParen || at == .endOfFile || at.isCloser || at == .arrow || at == .assign { break }
            expected(.parameterSeparator)
            skipConstruct()
            if at == .comma { advance() } else if pos == before { advance() }
        }
        finishGroup(unclosed: .parameterListEnd)
        newlinesSignificant = saved
        var returnType: TypeExpr? = nil
        if at == .arrow { advance(); returnType = parseType() }
        guard at == .assign else {
            expected(.functionBody(function: name.name))
            return Item(.error, span: span(kw).to(name.span))
        }
        advance()
        let body = parseExpr()
        let decl = FnDecl(name: name, parameters: params, returnType: returnType, body: body)
        return Item(.fnDecl(decl), span: span(kw).to(body.span))
    }

    mutating func parseAssert() -> Item {
        let kw = advance()
        let cond = parseExpr()
        var message: Expr? = nil
        if at == .comma {
            let next = peek(1)
            let messageFollows = !(newlinesSignificant && next.newlineBefore) && next.kind != .rBrace
                && next.kind != .endOfFile && !((next.kind == .identifier || next.kind.isKeyword) && peek(2).kind == .assign)
            if messageFollows {
                advance()
                message = parseExpr()
            }
        }
        return Item(.assertDecl(condition: cond, message: message), span: span(kw).to(message?.span ?? cond.span))
    }

    mutating func parseFor() -> Item {
        let kw = advance()
        guard let variable = expectName(.loopVariable) else { return Item(.error, span: span(kw)) }
        guard at == .kwIn else {
            expected(.in(afterLoopVariable: variable.name))
            return Item(.error, span: span(kw).to(variable.span))
        }
        advance()
        let seq = parseExpr()
        guard at == .lBrace else {
            expected(.loopBody)
            return Item(.error, span: span(kw).to(seq.span))
        }
        let body = parseBlock()
        return Item(.forLoop(variable: variable, sequence: seq, body: body), span: span(kw).to(body.span))
    }

    /// `if c { } else if d { } else { }` — built without recursion so long `else if` chains are safe.
    mutating func parseIfStatement() -> Item {
        var clauses: [(kw: Span, cond: Expr, then: Block)] = []
        var finalElse: Block? = nil
        while true {
            let kw = advance()
            let cond = parseExpr()
            guard at == .lBrace else {
                expected(.ifBody(afterAssign: at == .assign))
                clauses.append((span(kw), cond, Block(items: [], span: span(previousEnd, previousEnd))))
                break
            }
            clauses.append((span(kw), cond, parseBlock()))
            guard at == .kwElse else { break }
            let elseTok = advance()
            if at == .kwIf {
                if depth + clauses.count >= Parser.maxNesting {
                    report(.elseIfChainTooLong(limit: Parser.maxNesting, value: false, at: span(elseTok)))
                    skipIfChainRest() // the rest of the chain is skipped flat; later items survive
                    break
                }
                continue
            }
            guard at == .lBrace else { expected(.elseBody); break }
            finalElse = parseBlock()
            break
        }
        var elseBranch: ElseBranch? = finalElse.map { .block($0) }
        let end = finalElse?.span ?? clauses.last!.then.span
        var result: Item! = nil
        for c in clauses.reversed() {
            let item = Item(.ifStatement(condition: c.cond, then: c.then, elseBranch: elseBranch), span: c.kw.to(end))
            elseBranch = .elseIf(item)
            result = item
        }
        return result
    }

    /// After an over-long `else if` chain: skips `if cond { } else …` iteratively.
    mutating func skipIfChainRest() {
        while true {
            if at == .endOfFile || at.isCloser { return }
            if at == .lBrace {
                var d = 0
                repeat {
                    if at.isOpener { d += 1 } else if at.isCloser { d -= 1 }
                    advance()
                } while d > 0 && at != .endOfFile
                if at != .kwElse { return }
                continue
            }
            if atLineBreak && at != .kwElse { return }
            advance()
        }
    }

    // MARK: Types

    mutating func parseType() -> TypeExpr {
        switch at {
        case .identifier:
            let id = advanceIdentifier()
            return TypeExpr(.named(id), span: id.span)
        case .lBracket:
            let open = cur
            guard enter() else { return TypeExpr(.error, span: span(open.startOffset, previousEnd)) }
            defer { leave() }
            advance()
            let saved = newlinesSignificant
            newlinesSignificant = false
            let inner = parseType()
            var end = inner.span.endOffset
            if at == .rBracket { end = advance().endOffset } else { expected(.listTypeEnd) }
            newlinesSignificant = saved
            return TypeExpr(.list(inner), span: span(open.startOffset, end))
        case .lBrace:
            let open = cur
            guard enter() else { return TypeExpr(.error, span: span(open.startOffset, previousEnd)) }
            defer { leave() }
            advance()
            let saved = newlinesSignificant
            newlinesSignificant = true
            var fields: [(name: Identifier, type: TypeExpr)] = []
            while true {
                while at == .comma { advance() }
                if at == .rBrace || at == .endOfFile || at.isCloser { break }
                let before = pos
                if at == .identifier || at.isKeyword {
                    let name = advanceIdentifier()
                    if at == .colon {
                        advance()
                        fields.append((name, parseType()))
                    } else {
                        expected(.fieldType(field: name.name))
                    }
                } else {
                    expected(.fieldName)
                }
                if pos > before && (at == .comma || at == .rBrace || cur.newlineBefore) { continue }
                if pos > before { expected(.recordTypeSeparator) }
                skipConstruct()
                if pos == before { advance() }
            }
            var end = previousEnd
            if at == .rBrace { end = advance().endOffset } else { expected(.recordTypeEnd) }
            newlinesSignificant = saved
            return TypeExpr(.record(fields), span: span(open.startOffset, end))
        default:
            expected(.type)
            return TypeExpr(.error, span: foundSpan())
        }
    }

    // MARK: Expressions

    // The functions on the recursion path (parseExpr → parseBinary → parseUnary → parsePostfix →
    // parsePrimary → parseList/parseRecord/… → parseExpr) keep their frames small: messages and
    // non-nesting cases live in separate `@inline(never)` functions, because debug builds give
    // every temporary of a function its own stack slot.

    mutating func parseExpr() -> Expr {
        guard enter() else { return Expr(.error, span: span(previousEnd, previousEnd)) }
        defer { leave() }
        return parseBinary(minPrecedence: 1)
    }

    static func binaryOperator(_ k: TokenKind) -> (BinaryOperator, Int)? {
        switch k {
        case .pipePipe: return (.or, 1)
        case .ampAmp: return (.and, 2)
        case .equalEqual: return (.equal, 3)
        case .notEqual: return (.notEqual, 3)
        case .less: return (.less, 3)
        case .lessEqual: return (.lessEqual, 3)
        case .greater: return (.greater, 3)
        case .greaterEqual: return (.greaterEqual, 3)
        case .kwIn: return (.in, 3)
        case .dotDot: return (.range, 4)
        case .dotDotEqual: return (.rangeInclusive, 4)
        case .plus: return (.add, 5)
        case .minus: return (.subtract, 5)
        case .star: return (.multiply, 6)
        case .slash: return (.divide, 6)
        case .percent: return (.remainder, 6)
        default: return nil
        }
    }

    /// E0112 for an over-long chain of operators, calls or prefix operators; skips the rest.
    @inline(never)
    mutating func chainTooDeep(_ chain: ExpressionChain, from start: Span) -> Expr {
        report(.expressionTooDeep(limit: Parser.maxNesting, of: chain, at: span(cur)))
        while at == .minus || at == .bang { advance() }
        skipConstruct()
        suppressUntil = previousEnd
        return Expr(.error, span: start.to(span(previousEnd, previousEnd)))
    }

    mutating func parseBinary(minPrecedence: Int) -> Expr {
        var lhs = parseUnary()
        var chain = 0
        while let (op, prec) = ParserImpl.binaryOperator(at), prec >= minPrecedence, !atLineBreak {
            chain += 1
            if depth + chain > Parser.maxNesting { return chainTooDeep(.binaryOperators, from: lhs.span) }
            advance()
            let rhs = parseBinary(minPrecedence: prec + 1)
            lhs = makeBinary(op, lhs, rhs)
        }
        return lhs
    }

    @inline(never)
    func makeBinary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr) -> Expr {
        Expr(.binary(op, lhs, rhs), span: lhs.span.to(rhs.span))
    }

    mutating func parseUnary() -> Expr {
        guard at == .minus || at == .bang else { return parsePostfix() }
        var ops: [Token] = []
        while at == .minus || at == .bang {
            ops.append(advance())
            if depth + ops.count > Parser.maxNesting { return chainTooDeep(.prefixOperators, from: span(ops[0])) }
        }
        let operand = parsePostfix()
        return applyUnary(ops, operand)
    }

    @inline(never)
    func applyUnary(_ ops: [Token], _ operand: Expr) -> Expr {
        var e = operand
        for t in ops.reversed() { e = Expr(.unary(t.kind == .minus ? .negate : .not, e), span: span(t).to(e.span)) }
        return e
    }

    mutating func parsePostfix() -> Expr {
        var e = parsePrimary()
        var chain = 0
        while (at == .dot || at == .lParen) && !atLineBreak {
            chain += 1
            if depth + chain > Parser.maxNesting { return chainTooDeep(.memberAccessesOrCalls, from: e.span) }
            if at == .dot {
                guard let m = parseMember(e) else { return Expr(.error, span: e.span.to(span(previousEnd, previousEnd))) }
                e = m
            } else {
                e = parseCall(e)
            }
        }
        return e
    }

    /// `.name` after `base`; nil (reported) when no name follows.
    @inline(never)
    mutating func parseMember(_ base: Expr) -> Expr? {
        advance()
        guard (at == .identifier || at.isKeyword) && !atLineBreak else {
            expected(.memberName)
            return nil
        }
        let name = advanceIdentifier()
        return Expr(.member(base, name), span: base.span.to(name.span))
    }

    mutating func parseCall(_ callee: Expr) -> Expr {
        openGroup()
        let open = advance()
        let saved = newlinesSignificant
        newlinesSignificant = false
        let args = parseCommaList(closer: .rParen, open: open)
        newlinesSignificant = saved
        let whole = callee.span.to(span(previousEnd, previousEnd))
        // a call left open took in what followed as arguments: checking them would only cascade
        if groupLeftOpenAt == pos { return Expr(.error, span: whole) }
        return Expr(.call(callee: callee, arguments: args), span: whole)
    }

    /// Elements up to `closer` (the innermost group; ended here). Newline handling is the caller's.
    /// What plainly starts an item (`name =`, a declaration keyword) cannot be an element: the
    /// list was not closed.
    mutating func parseCommaList(closer: TokenKind, open: Token) -> [Expr] {
        var items: [Expr] = []
        while true {
            if at.isCloser || at == .endOfFile || startsItem() {
                finishGroup(unclosed: unclosedExpectation(open))
                return items
            }
            let before = pos
            items.append(parseExpr())
            if at == .comma { advance(); continue }
            if at == closer || at == .endOfFile || at.isCloser || startsItem() || (pos > before && pos == groupLeftOpenAt) {
                continue
            }
            // `for x in [a, b {`: a `{` that ends the line opens a block, not an element
            if at == .lBrace && !cur.newlineBefore && peek(1).newlineBefore {
                finishGroup(unclosed: unclosedExpectation(open))
                return items
            }
            listSeparatorMissing(closer: closer, before: before)
        }
    }

    /// "expected `)`" (or `]`, `}`) for the group `open` opened.
    func unclosedExpectation(_ open: Token) -> ParserExpectation {
        let o = text(open)
        let c = o == "(" ? ")" : o == "[" ? "]" : "}"
        return .closer(c, opener: o, openedAt: span(open))
    }

    @inline(never)
    mutating func listSeparatorMissing(closer: TokenKind, before: Int) {
        expected(.listSeparator(closer: closer.spelling ?? ""))
        skipConstruct()
        if at == .comma { advance() } else if pos == before { advance() }
    }

    mutating func parsePrimary() -> Expr {
        switch at {
        case .stringStart: return parseStringExpr()
        case .lParen: return parseParenthesized()
        case .lBracket: return parseList()
        case .lBrace: return parseRecord()
        case .kwIf: return parseConditional()
        default: return parseAtom()
        }
    }

    /// Literals, names and the error case: everything that does not nest.
    @inline(never)
    mutating func parseAtom() -> Expr {
        let t = cur
        let sp = span(t)
        switch t.kind {
        case .integer: advance(); return Expr(.integer(t.payload), span: sp)
        case .quantity: advance(); return Expr(.quantity(Quantity(bytes: t.payload)), span: sp)
        case .ipv4: advance(); return Expr(.ipv4(IPAddress(v4: UInt32(truncatingIfNeeded: t.payload))), span: sp)
        case .ipv4Prefix:
            advance()
            let ifa = IfAddr(address: IPAddress(v4: UInt32(truncatingIfNeeded: t.payload >> 8)), prefix: Int(t.payload & 0xFF))
            return Expr(.ipv4Prefix(ifa), span: sp)
        case .badLiteral, .invalid: advance(); return Expr(.error, span: sp)
        case .kwTrue: advance(); return Expr(.bool(true), span: sp)
        case .kwFalse: advance(); return Expr(.bool(false), span: sp)
        case .kwAuto: advance(); return Expr(.keyword(.auto), span: sp)
        case .kwDhcp: advance(); return Expr(.keyword(.dhcp), span: sp)
        case .kwPod: advance(); return Expr(.keyword(.pod), span: sp)
        case .identifier: advance(); return Expr(.name(Identifier(text(t), span: sp)), span: sp)
        default:
            expected(.expression(reservedWord: t.kind.isKeyword && !atLineBreak ? text(t) : nil))
            return Expr(.error, span: foundSpan())
        }
    }

    mutating func parseStringExpr() -> Expr {
        let s = parseStringLiteral()
        return Expr(.string(s), span: s.span)
    }

    mutating func parseParenthesized() -> Expr {
        openGroup()
        let open = advance()
        let saved = newlinesSignificant
        newlinesSignificant = false
        let inner = parseExpr()
        finishGroup(unclosed: unclosedExpectation(open))
        newlinesSignificant = saved
        return Expr(.parenthesized(inner), span: span(open.startOffset, previousEnd))
    }

    mutating func parseList() -> Expr {
        openGroup()
        let open = advance()
        let saved = newlinesSignificant
        newlinesSignificant = false
        let items = parseCommaList(closer: .rBracket, open: open)
        newlinesSignificant = saved
        return Expr(.list(items), span: span(open.startOffset, previousEnd))
    }

    mutating func parseRecord() -> Expr {
        openGroup()
        let open = advance()
        let saved = newlinesSignificant
        newlinesSignificant = true
        var entries: [RecordEntry] = []
        var end = GroupEnd.leavesOpen
        while true {
            while at == .comma { advance() }
            if at.isCloser || at == .endOfFile {
                end = closerFate()
                if end != .stray { break }
                expected(.recordField)
                advance()
                continue
            }
            if !bracketsBalance && cur.newlineBefore && endsByOutdent() { end = .outdent; break }
            if startsNoRecordEntry() { end = .leavesOpen; break }
            let before = pos
            if let entry = parseRecordEntry() { Self.nest(entry, into: &entries, dotted: dottedKeys) }
            if pos > before && (at == .comma || at.isCloser || at == .endOfFile || cur.newlineBefore || pos == groupLeftOpenAt) {
                continue
            }
            recordSeparatorMissing(before: before)
        }
        endGroup(end, unclosed: unclosedExpectation(open))
        newlinesSignificant = saved
        return Expr(.record(entries), span: span(open.startOffset, previousEnd))
    }

    /// Adds an entry to a record's entries; a dotted key `a.b = v` becomes `a = { b = v }`,
    /// merged into an earlier record-valued `a` of the same record.
    static func nest(_ entry: RecordEntry, into entries: inout [RecordEntry], dotted: Set<Int>) {
        guard case .field(let key, let keySpan, let value) = entry.kind, dotted.contains(keySpan.startOffset),
              let dot = key.firstIndex(of: ".") else { entries.append(entry); return }
        let head = String(key[..<dot])
        let rest = String(key[key.index(after: dot)...])
        let headSpan = Span(file: keySpan.file, start: keySpan.startOffset, end: keySpan.startOffset + head.utf8.count)
        let restSpan = Span(file: keySpan.file, start: headSpan.endOffset + 1, end: keySpan.endOffset)
        var restDotted = dotted
        if rest.contains(".") { restDotted.insert(restSpan.startOffset) }
        let inner = RecordEntry(.field(key: rest, keySpan: restSpan, value: value), span: restSpan.to(value.span))
        if let i = entries.lastIndex(where: { if case .field(head, _, let v) = $0.kind, case .record = v.kind { return true }; return false }),
           case .field(_, let firstSpan, let v) = entries[i].kind, case .record(var sub) = v.kind {
            nest(inner, into: &sub, dotted: restDotted)
            entries[i] = RecordEntry(.field(key: head, keySpan: firstSpan, value: Expr(.record(sub), span: v.span.to(value.span))),
                                     span: entries[i].span.to(value.span))
            return
        }
        var sub: [RecordEntry] = []
        nest(inner, into: &sub, dotted: restDotted)
        entries.append(RecordEntry(.field(key: head, keySpan: headSpan, value: Expr(.record(sub), span: restSpan.to(value.span))),
                                   span: entry.span))
    }

    @inline(never)
    mutating func recordSeparatorMissing(before: Int) {
        if pos > before { expected(.recordFieldSeparator) }
        skipConstruct()
        if pos == before { advance() }
        // what the skip passed over (an unclosed record at the end of the file included) is this error's
        suppressUntil = previousEnd
    }

    mutating func parseRecordEntry() -> RecordEntry? {
        let t = cur
        if t.kind == .ellipsis {
            advance()
            let e = parseExpr()
            return RecordEntry(.spread(e), span: span(t).to(e.span))
        }
        var key: String
        var keySpan: Span
        if t.kind == .identifier || t.kind.isKeyword {
            advance()
            key = text(t); keySpan = span(t)
            // `a.b.c = v` (a path, as in CUE and KCL): kept as `a.b.c` here, nested by `nest`
            while at == .dot && !cur.newlineBefore && (peek(1).kind == .identifier || peek(1).kind.isKeyword)
                    && !peek(1).newlineBefore {
                advance()
                let n = advance()
                key += "." + text(n); keySpan = keySpan.to(span(n))
                dottedKeys.insert(keySpan.startOffset)
            }
        } else if t.kind == .stringStart {
            (key, keySpan) = parseQuotedKey()
        } else {
            expected(.recordField, sameLine: false)
            return nil
        }
        if at == .colon && !atLineBreak {
            recordKeyWithColon(key)
        } else if at != .assign {
            recordKeyWithoutValue(key); return nil
        }
        advance()
        let value = parseValue(missing: .valueAfter(key))
        return RecordEntry(.field(key: key, keySpan: keySpan, value: value), span: keySpan.to(value.span))
    }

    @inline(never)
    mutating func parseQuotedKey() -> (String, Span) {
        let s = parseStringLiteral()
        if let plain = s.plainText { return (plain, s.span) }
        report(.interpolatedRecordKey(at: s.span))
        return ("", s.span)
    }

    /// `{ key: value }` (JSON/YAML habit): reported; the `:` is then read as `=`.
    @inline(never)
    mutating func recordKeyWithColon(_ key: String) {
        expected(.equalsNotColonAfterRecordKey(key, colon: span(cur)))
    }

    @inline(never)
    mutating func recordKeyWithoutValue(_ key: String) {
        expected(.equalsAfterRecordKey(key))
    }

    /// `if c { a } else if d { b } else { c }` as a value; built without recursion.
    mutating func parseConditional() -> Expr {
        var clauses: [(kw: Span, cond: Expr, then: Expr)] = []
        var otherwise: Expr
        while true {
            let kw = advance()
            let cond = parseExpr()
            let then = parseBranch()
            clauses.append((span(kw), cond, then))
            if at == .kwElse {
                let elseTok = advance()
                if at == .kwIf {
                    if depth + clauses.count >= Parser.maxNesting {
                        report(.elseIfChainTooLong(limit: Parser.maxNesting, value: true, at: span(elseTok)))
                        skipIfChainRest()
                        otherwise = Expr(.error, span: span(elseTok))
                        break
                    }
                    continue
                }
                otherwise = parseBranch()
            } else {
                expected(.else)
                otherwise = Expr(.error, span: span(previousEnd, previousEnd))
            }
            break
        }
        var e = otherwise
        for c in clauses.reversed() {
            e = Expr(.conditional(condition: c.cond, then: c.then, otherwise: e), span: c.kw.to(e.span).to(c.then.span))
        }
        return e
    }

    /// `{ expr }` of a conditional expression.
    mutating func parseBranch() -> Expr {
        guard at == .lBrace else {
            expected(.branch(afterAssign: at == .assign))
            return Expr(.error, span: foundSpan())
        }
        openGroup()
        let open = advance()
        let saved = newlinesSignificant
        newlinesSignificant = false
        defer { newlinesSignificant = saved }
        let e = parseExpr()
        if at.isCloser || at == .endOfFile || at == .kwElse || (saved && cur.newlineBefore) {
            // `else`, or a new line where lines matter, right after the value: the `}` is missing
            finishGroup(unclosed: .branchEnd(openedAt: span(open)))
        } else {
            expected(.branchEnd(openedAt: span(open)))
            // the rest of the branch, but not past the end of the line where lines matter
            newlinesSignificant = saved
            skipConstruct()
            if at.isCloser { finishGroup(unclosed: .branchEnd(openedAt: span(open))) } else { groups.removeLast() }
        }
        return e
    }

    mutating func parseStringLiteral() -> StringLiteral {
        let start = advance()
        let multiline = start.payload == 1
        var parts: [StringPart] = []
        var end = start.endOffset
        loop: while true {
            let t = cur
            switch t.kind {
            case .stringText:
                advance()
                let s = lexed.texts[Int(t.payload)]
                if !s.isEmpty { parts.append(.text(s, span(t))) }
            case .interpolationStart:
                openGroup()
                advance()
                let saved = newlinesSignificant
                newlinesSignificant = false
                let e = parseExpr()
                newlinesSignificant = saved
                parts.append(.interpolation(e))
                groups.removeLast()
                if at == .interpolationEnd {
                    advance()
                } else {
                    expected(.interpolationEnd)
                    skipToInterpolationEnd()
                }
            case .stringEnd:
                end = advance().endOffset
                break loop
            default:
                // cannot happen with the lexer's balanced string tokens; stop safely
                break loop
            }
        }
        return StringLiteral(parts: parts, isMultiline: multiline, span: span(start.startOffset, end))
    }

    mutating func skipToInterpolationEnd() {
        var d = 0
        while at != .endOfFile {
            switch at {
            case .stringStart, .interpolationStart: d += 1
            case .stringEnd: d -= 1
            case .interpolationEnd:
                if d == 0 { advance(); return }
                d -= 1
            default: break
            }
            if d < 0 { return }
            advance()
        }
    }
}

