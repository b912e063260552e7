import WukongDiagnostics

// Recovery from a slipped closing bracket (issue #13), in the spirit of rustc's unmatched-delimiter
// handling: a closer of the wrong kind stands for the right one, a group whose closer is missing
// ends before the closer of an enclosing group, and — in a file whose brackets do not balance — a
// line that starts at or left of the indentation of the line that opened a block ends the block.
// Each such slip is one error, and the tree keeps the shape the layout shows (nothing after the
// slip ends up nested inside a `vm` or a `for`). The rules are in docs/decisions.md (Syntax).

/// A bracketed group being parsed: a block, record, list, call, parenthesis, `if` branch,
/// parameter list or interpolation.
struct OpenGroup {
    /// Index of the opening token.
    let opener: Int32
    /// The kind of token that closes it.
    let closer: TokenKind
    /// Indentation (bytes of spaces and tabs) of the line of the opener; -1 until first needed.
    var indent: Int32 = -1
}

/// How a group ends at the current token.
enum GroupEnd: Equatable {
    /// Its own closer: consumed.
    case closes
    /// A closer of another kind that stands for its own (`]` typed for `}`): reported, consumed.
    case standsFor
    /// Its closer is missing; the current token (a closer of an enclosing group, or the end of
    /// the file, or where a list cannot go on) is left to the enclosing group. Reported.
    case leavesOpen
    /// Its closer is missing; the current token begins a line at or left of the indentation of the
    /// group's first line. Reported once for all the groups that end there.
    case outdent
    /// A closer that closes nothing here: reported and skipped, the group goes on.
    case stray
}

extension TokenKind {
    /// The closer that matches this opener (itself for other tokens).
    var matchingCloser: TokenKind {
        switch self {
        case .lBrace: return .rBrace
        case .lBracket: return .rBracket
        case .lParen: return .rParen
        case .interpolationStart: return .interpolationEnd
        case .stringStart: return .stringEnd
        default: return self
        }
    }
}

extension ParserImpl {
    /// Pushes the group the current token (an opener) opens; the caller then consumes the opener.
    mutating func openGroup() {
        groups.append(OpenGroup(opener: Int32(truncatingIfNeeded: pos), closer: cur.kind.matchingCloser))
    }

    /// Indentation of the line that opened `groups[i]`.
    mutating func indent(ofGroup i: Int) -> Int {
        if groups[i].indent >= 0 { return Int(groups[i].indent) }
        let bytes = lexed.bytes
        let start = source.lineStarts[line(of: tokens[Int(groups[i].opener)].startOffset) - 1]
        var k = start
        while k < bytes.count && (bytes[k] == 0x20 || bytes[k] == 0x09) { k += 1 }
        groups[i].indent = Int32(truncatingIfNeeded: k - start)
        return k - start
    }

    /// The column (bytes from the start of the line) of a token that begins its line; nil when
    /// anything (a comment included) stands before it on its line.
    func columnIfFirstOnLine(_ t: Token) -> Int? {
        guard t.newlineBefore else { return nil }
        let bytes = lexed.bytes
        var k = min(t.startOffset, bytes.count)
        while k > 0 && (bytes[k - 1] == 0x20 || bytes[k - 1] == 0x09) { k -= 1 }
        guard k == 0 || bytes[k - 1] == 0x0A else { return nil }
        return t.startOffset - k
    }

    /// Whether every bracket of `tokens` is matched by one of its kind. (Strings need no check:
    /// the lexer pairs their tokens, and interpolations are checked.) Beyond 1024 levels only the
    /// number of brackets is compared: E0112 stops such a file at 128 levels anyway.
    static func bracketsBalance(_ tokens: [Token]) -> Bool {
        tokens.withUnsafeBufferPointer { buf in
            withUnsafeTemporaryAllocation(of: TokenKind.self, capacity: 1024) { open in
                var depth = 0
                var deeper = 0
                for t in buf {
                    let closer: TokenKind
                    switch t.kind {
                    case .lBrace: closer = .rBrace
                    case .lBracket: closer = .rBracket
                    case .lParen: closer = .rParen
                    case .interpolationStart: closer = .interpolationEnd
                    case .rBrace, .rBracket, .rParen, .interpolationEnd:
                        if deeper > 0 { deeper -= 1; continue }
                        guard depth > 0 && open[depth - 1] == t.kind else { return false }
                        depth -= 1
                        continue
                    default:
                        continue
                    }
                    if depth == open.count { deeper += 1; continue }
                    open.initializeElement(at: depth, to: closer)
                    depth += 1
                }
                return depth == 0 && deeper == 0
            }
        }
    }

    /// What the current token — a closer or the end of the file — does to the innermost group.
    /// A closer of the wrong kind is weighed three ways (it stands for the group's closer; the
    /// group's closer is missing and it closes an enclosing group; it is stray) by how well the
    /// closers after it then match; a tie is settled by the layout.
    @inline(never)
    mutating func closerFate() -> GroupEnd {
        let t = cur
        let top = groups.count - 1
        guard top >= 0, t.kind != .endOfFile else { return .leavesOpen }
        let closer = groups[top].closer
        // the lexer pairs strings and interpolations itself
        if t.kind == .interpolationEnd || t.kind == .stringEnd { return t.kind == closer ? .closes : .leavesOpen }
        if t.kind == closer {
            guard t.newlineBefore && !bracketsBalance else { return .closes }
            return closerLinesUpWithEnclosingGroup(t) ? .outdent : .closes
        }
        var e = top - 1
        while e >= 0 && groups[e].closer != t.kind { e -= 1 }
        let standsFor = mismatchesAfterCurrent(openBelow: top)
        let stray = mismatchesAfterCurrent(openBelow: top + 1)
        guard e >= 0 else { return stray < standsFor ? .stray : .standsFor }
        let leaves = mismatchesAfterCurrent(openBelow: e)
        if stray < min(standsFor, leaves) { return .stray }
        if leaves != standsFor { return leaves < standsFor ? .leavesOpen : .standsFor }
        // A tie: a closer that begins its line closes the enclosing group if it is no further right
        // than that group's first line; one within a line closes it if that group opened on this line.
        if let column = columnIfFirstOnLine(t) { return column <= indent(ofGroup: e) ? .leavesOpen : .standsFor }
        return line(of: tokens[Int(groups[e].opener)].startOffset) == line(of: t.startOffset) ? .leavesOpen : .standsFor
    }

    /// A closer of the innermost group's kind that begins a line left of the indentation of the
    /// group's first line, exactly at that of an enclosing group of the same kind, closes that
    /// one (the inner closer is missing) — in a file whose brackets do not balance.
    mutating func closerLinesUpWithEnclosingGroup(_ t: Token) -> Bool {
        let top = groups.count - 1
        guard !bracketsBalance, top > 0, let column = columnIfFirstOnLine(t), column < indent(ofGroup: top) else { return false }
        var k = top - 1
        while k >= 0 && (groups[k].closer != t.kind || indent(ofGroup: k) > column) { k -= 1 }
        return k >= 0 && indent(ofGroup: k) == column
    }

    /// Whether the current token, about to begin an item or record field of the innermost group,
    /// begins a line at or left of the indentation of the group's first line: the group's closer
    /// is then missing (asked only in a file whose brackets do not balance).
    @inline(never)
    mutating func endsByOutdent() -> Bool {
        guard let column = columnIfFirstOnLine(cur), !groups.isEmpty else { return false }
        return column <= indent(ofGroup: groups.count - 1)
    }

    /// How badly the closers after the current token fit if the groups `groups[..<base]` were
    /// the open ones: the closers of the rest of this line and of the following lines that begin
    /// with a closer (at most 256 tokens a decision, and `lookaheadBudget` in all, so even a file
    /// of nothing but slips parses in linear time). A closer that matches no open group counts
    /// 2; one that closes an open group against the layout counts 1 — within a line, a group
    /// opened on an earlier line; at the start of a line, a group whose first line is indented
    /// differently. So does a next line that does not fit the groups left open: one at or left
    /// of the innermost one's first line (it should be inside), or indented at the top level.
    mutating func mismatchesAfterCurrent(openBelow base: Int) -> Int {
        var local: [TokenKind] = []
        var top = base
        var misses = 0
        var i = pos + 1
        var budget = 256
        var sameLine = true
        let currentLine = line(of: cur.startOffset)
        while i < tokens.count && budget > 0 && lookaheadBudget > 0 {
            let t = tokens[i]
            if t.kind == .endOfFile { break }
            if t.newlineBefore && !t.kind.isCloser {
                if let column = columnIfFirstOnLine(t) {
                    if !local.isEmpty { break }
                    if top == 0 ? column > 0 : column <= indent(ofGroup: top - 1) { misses += 1 }
                }
                break
            }
            if t.newlineBefore { sameLine = false }
            lookaheadBudget -= 1
            if t.kind.isOpener {
                local.append(t.kind.matchingCloser)
            } else if t.kind.isCloser {
                if let last = local.last {
                    if last == t.kind { local.removeLast() } else { misses += 2 }
                } else if top > 0 && groups[top - 1].closer == t.kind {
                    top -= 1
                    if let column = columnIfFirstOnLine(t) {
                        if column != indent(ofGroup: top) { misses += 1 }
                    } else if sameLine && line(of: tokens[Int(groups[top].opener)].startOffset) != currentLine {
                        misses += 1
                    }
                } else {
                    misses += 2
                }
            }
            i += 1
            budget -= 1
        }
        return misses
    }

    /// Whether the current token cannot begin a record field, so the record was not closed: a
    /// bracket, or a declaration keyword not followed by `=` or `:` (`nic d on n`).
    func startsNoRecordEntry() -> Bool {
        switch at {
        case .lBrace, .lBracket, .lParen:
            return true
        case .kwImport, .kwLet, .kwFn, .kwFor, .kwIf, .kwAssert:
            break
        default:
            if at.resourceKind == nil { return false }
        }
        let next = peek(1).kind
        return next != .assign && next != .colon
    }

    /// Ends and pops the innermost group at the current token as `end` says. `unclosed`: what is
    /// expected when the group is left open; `isBlock`: the group is a block of items.
    @inline(never)
    mutating func endGroup(_ end: GroupEnd, unclosed: ParserExpectation, isBlock: Bool = false) {
        let g = groups.removeLast()
        let open = tokens[Int(g.opener)]
        switch end {
        case .closes:
            advance()
        case .standsFor:
            report(.mismatchedCloser(text(cur), expected: g.closer.spelling ?? "", opener: text(open),
                                     openedAt: span(open), at: span(cur)))
            advance()
        case .leavesOpen, .stray:
            groupLeftOpenAt = pos
            expected(unclosed)
        case .outdent:
            groupLeftOpenAt = pos
            guard outdentReportedAt != pos else { return }
            outdentReportedAt = pos
            report(.closerMissingBeforeOutdent(g.closer.spelling ?? "", opener: text(open), isBlock: isBlock,
                                               next: describeCurrent(sameLine: false), openedAt: span(open),
                                               at: span(previousEnd, previousEnd)))
        }
    }

    /// Ends the innermost group of an expression at the current token: its closer, a closer
    /// standing for it, or left open (reported as `unclosed`); stray closers before it are
    /// reported and skipped.
    @inline(never)
    mutating func finishGroup(unclosed: ParserExpectation) {
        while at.isCloser || at == .endOfFile {
            let end = closerFate()
            if end != .stray { endGroup(end, unclosed: unclosed); return }
            expected(unclosed)
            advance()
        }
        endGroup(.leavesOpen, unclosed: unclosed)
    }
}
