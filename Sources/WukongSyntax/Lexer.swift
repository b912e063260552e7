import WukongDiagnostics
import WukongNet

/// The lexer of LANGUAGE.md §2. Works on bytes; never traps on any input. Public so a
/// formatter or highlighter can use the token stream.
public enum Lexer {
    /// How deeply `${ "${ … }" }` may nest before the lexer gives up with E0112.
    public static let maxInterpolationDepth = 64

    public static func lex(_ file: SourceFile) -> LexedFile {
        lex(file, range: 0..<file.bytes.count)
    }

    /// Lexes the bytes `range` of a file as if they were all of it, with the offsets of the
    /// whole file. `range` starts at the beginning of a line (a first token after the start
    /// is marked as following a newline, as it is in the whole file).
    static func lex(_ file: SourceFile, range: Range<Int>) -> LexedFile {
        file.bytes.withUnsafeBufferPointer { buf in
            var impl = LexerImpl(file: file.id, buf: buf, range: range)
            impl.run()
            return LexedFile(file: file.id, bytes: file.bytes, tokens: impl.tokens, comments: impl.comments,
                             texts: impl.texts, diagnostics: impl.diags, endSwallowed: impl.endSwallowed)
        }
    }
}

// MARK: - Character classes

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
@inline(__always) func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
@inline(__always) func isIdentStart(_ c: UInt8) -> Bool { isLetter(c) || c == 0x5F }
@inline(__always) func isIdentPart(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) || c == 0x5F || c == 0x2D }
@inline(__always) func isHexDigit(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 0x61 < 6 }

/// Why a run of code tokens stopped.
private enum CodeEnd { case endOfFile, closed, newline, aborted }

struct LexerImpl {
    let file: FileID
    let b: UnsafeBufferPointer<UInt8>
    let n: Int
    var i = 0
    var tokens: [Token] = []
    var texts: [String] = []
    var comments: [Span] = []
    var diags: [Diagnostic] = []
    var pendingNewline = false
    var interpolationDepth = 0
    var aborted = false
    var endSwallowed = false

    init(file: FileID, buf: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.file = file
        self.b = buf
        self.n = range.upperBound
        self.i = range.lowerBound
        self.pendingNewline = range.lowerBound > 0
        tokens.reserveCapacity(range.count / 4 + 16)
    }

    @inline(__always) func at(_ k: Int) -> UInt8 { k < n && k >= 0 ? b[k] : 0 }
    @inline(__always) func span(_ s: Int, _ e: Int) -> Span { Span(file: file, start: s, end: e) }

    mutating func emit(_ kind: TokenKind, _ s: Int, _ e: Int, payload: Int64 = 0, synthetic: Bool = false) {
        var flags: UInt8 = synthetic ? 2 : 0
        if pendingNewline { flags |= 1; pendingNewline = false }
        tokens.append(Token(kind: kind, start: s, end: e, payload: payload, flags: flags))
    }

    mutating func report(_ d: Diagnostic) { diags.append(d) }

    mutating func run() {
        if i == 0, n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        _ = lexCode(inInterpolation: false, stopAtNewline: false)
        if aborted { i = n }
        emit(.endOfFile, n, n)
    }

    // MARK: Code

    private mutating func lexCode(inInterpolation: Bool, stopAtNewline: Bool) -> CodeEnd {
        var braceDepth = 0
        // In the interpolation of a one-line string: `(` and `[` open in it, and where the first
        // `"` outside them began. Should the line end inside the interpolation, that `"` was
        // meant to end the string and the interpolation's `}` is missing or mistyped
        // (`"web-${i" {`, `"web-${i]" {`): lexing resumes there (`closeBeforeQuote`).
        var groupDepth = 0
        var quote: Checkpoint? = nil
        let interpolationToken = tokens.count - 1, diagsBefore = diags.count
        while true {
            if aborted { return .aborted }
            if skipTrivia(stopAtNewline: stopAtNewline) { return quote.map { closeBeforeQuote($0) } ?? .newline }
            if i >= n { return quote.map { closeBeforeQuote($0) } ?? .endOfFile }
            let c = b[i]
            if isIdentStart(c) { lexIdentifier(); continue }
            if isDigit(c) { lexNumber(); continue }
            let s = i
            switch c {
            case 0x22: // "
                if inInterpolation && stopAtNewline && quote == nil && braceDepth == 0 && groupDepth == 0
                    && quotesPairToEndOfLine(after: i) {
                    quote = checkpoint(interpolationToken: interpolationToken, diagsBefore: diagsBefore)
                }
                lexString()
            case 0x7B: // {
                braceDepth += 1; i += 1; emit(.lBrace, s, i)
            case 0x7D: // }
                if inInterpolation && braceDepth == 0 {
                    i += 1; emit(.interpolationEnd, s, i); return .closed
                }
                braceDepth = max(0, braceDepth - 1); i += 1; emit(.rBrace, s, i)
            case 0x5B: groupDepth += 1; i += 1; emit(.lBracket, s, i)
            case 0x5D: groupDepth = max(0, groupDepth - 1); i += 1; emit(.rBracket, s, i)
            case 0x28: groupDepth += 1; i += 1; emit(.lParen, s, i)
            case 0x29: groupDepth = max(0, groupDepth - 1); i += 1; emit(.rParen, s, i)
            case 0x2C: i += 1; emit(.comma, s, i)
            case 0x3A: i += 1; emit(.colon, s, i)
            case 0x2B: i += 1; emit(.plus, s, i)
            case 0x2A: i += 1; emit(.star, s, i)
            case 0x2F: i += 1; emit(.slash, s, i)
            case 0x25: i += 1; emit(.percent, s, i)
            case 0x2E: // .
                if at(i + 1) == 0x2E {
                    if at(i + 2) == 0x2E { i += 3; emit(.ellipsis, s, i) }
                    else if at(i + 2) == 0x3D { i += 3; emit(.dotDotEqual, s, i) }
                    else { i += 2; emit(.dotDot, s, i) }
                } else { i += 1; emit(.dot, s, i) }
            case 0x3D: // =
                if at(i + 1) == 0x3D { i += 2; emit(.equalEqual, s, i) } else { i += 1; emit(.assign, s, i) }
            case 0x21: // !
                if at(i + 1) == 0x3D { i += 2; emit(.notEqual, s, i) } else { i += 1; emit(.bang, s, i) }
            case 0x3C: // <
                if at(i + 1) == 0x3D { i += 2; emit(.lessEqual, s, i) } else { i += 1; emit(.less, s, i) }
            case 0x3E: // >
                if at(i + 1) == 0x3D { i += 2; emit(.greaterEqual, s, i) } else { i += 1; emit(.greater, s, i) }
            case 0x2D: // -
                if at(i + 1) == 0x3E { i += 2; emit(.arrow, s, i) } else { i += 1; emit(.minus, s, i) }
            case 0x26 where at(i + 1) == 0x26: i += 2; emit(.ampAmp, s, i)
            case 0x7C where at(i + 1) == 0x7C: i += 2; emit(.pipePipe, s, i)
            default:
                lexStray()
            }
        }
    }

    /// Where the lexer stood at a `"` in an interpolation, to go back to.
    struct Checkpoint {
        let offset: Int
        let tokens: Int, texts: Int, comments: Int, diags: Int
        let pendingNewline: Bool, endSwallowed: Bool
        /// The index of the interpolation's `${` token, and the number of diagnostics before it.
        let interpolationToken: Int, diagsBefore: Int
    }

    func checkpoint(interpolationToken: Int, diagsBefore: Int) -> Checkpoint {
        Checkpoint(offset: i, tokens: tokens.count, texts: texts.count, comments: comments.count, diags: diags.count,
                   pendingNewline: pendingNewline, endSwallowed: endSwallowed,
                   interpolationToken: interpolationToken, diagsBefore: diagsBefore)
    }

    /// The line ended inside the interpolation of a one-line string: lexing resumes at the `"`
    /// of `cp`, which ends the string. The interpolation is closed before it by the `]` or `)`
    /// just before it when that closes nothing in the interpolation (a mistyped `}`), else by a
    /// synthetic `}` (a missing one); one error, unless the interpolation already has one.
    private mutating func closeBeforeQuote(_ cp: Checkpoint) -> CodeEnd {
        tokens.removeSubrange(cp.tokens...)
        texts.removeSubrange(cp.texts...)
        comments.removeSubrange(cp.comments...)
        diags.removeSubrange(cp.diags...)
        i = cp.offset
        pendingNewline = cp.pendingNewline
        endSwallowed = cp.endSwallowed
        let open = tokens[cp.interpolationToken]
        if let last = tokens.last, tokens.count - 1 > cp.interpolationToken,
           last.kind == .rBracket || last.kind == .rParen, closesNothing(tokens.count - 1, after: cp.interpolationToken) {
            tokens[tokens.count - 1].kind = .interpolationEnd
            if diags.count == cp.diagsBefore {
                report(.mismatchedCloser(last.kind == .rBracket ? "]" : ")", expected: "}", opener: "${",
                                         openedAt: span(open.startOffset, open.endOffset),
                                         at: span(last.startOffset, last.endOffset)))
            }
        } else {
            if diags.count == cp.diagsBefore { report(.expected(.interpolationEnd, found: .token("\""), at: span(i, i + 1))) }
            emit(.interpolationEnd, i, i, synthetic: true)
        }
        return .closed
    }

    /// Whether the `"` after offset `k` up to the end of its line come in pairs (an escaped `\"`
    /// aside): ending the string at `k` then leaves no string open on the line. In
    /// `"a${s + "x"` the `"` before `x` is a string of the interpolation, not the end.
    func quotesPairToEndOfLine(after k: Int) -> Bool {
        var quotes = 0
        var j = k + 1
        while j < n && b[j] != 0x0A {
            if b[j] == 0x5C { j += 2; continue }
            if b[j] == 0x22 { quotes += 1 }
            j += 1
        }
        return quotes % 2 == 0
    }

    /// Whether the closer `tokens[k]` matches no opener after `tokens[start]`.
    func closesNothing(_ k: Int, after start: Int) -> Bool {
        var open: [TokenKind] = []
        for t in tokens[(start + 1)..<k] {
            switch t.kind {
            case .lBracket, .lParen, .lBrace: open.append(t.kind)
            case .rBracket, .rParen, .rBrace: if !open.isEmpty { open.removeLast() }
            default: break
            }
        }
        let opener: TokenKind = tokens[k].kind == .rBracket ? .lBracket : .lParen
        return open.last != opener
    }

    /// Skips whitespace and comments. Returns true when it stopped at a newline because `stopAtNewline`.
    private mutating func skipTrivia(stopAtNewline: Bool) -> Bool {
        while i < n {
            let c = b[i]
            if c == 0x20 || c == 0x09 { i += 1; continue }
            if c == 0x0D {
                if at(i + 1) == 0x0A { if stopAtNewline { return true }; pendingNewline = true; i += 2; continue }
                i += 1; continue // a lone carriage return is whitespace
            }
            if c == 0x0A { if stopAtNewline { return true }; pendingNewline = true; i += 1; continue }
            if c == 0x2F && at(i + 1) == 0x2F { lexLineComment(); continue }
            if c == 0x2F && at(i + 1) == 0x2A { lexBlockComment(); continue }
            return false
        }
        return false
    }

    private mutating func lexLineComment() {
        let s = i
        i += 2
        while i < n {
            let c = b[i]
            if c == 0x0A { break }
            if c >= 0x80 || c == 0 { checkTextByte(); continue }
            i += 1
        }
        var e = i
        if e > s, at(e - 1) == 0x0D { e -= 1 }
        comments.append(span(s, e))
    }

    private mutating func lexBlockComment() {
        let s = i
        i += 2
        var depth = 1
        var sawNewline = false
        while i < n {
            let c = b[i]
            if c == 0x2A && at(i + 1) == 0x2F {
                i += 2; depth -= 1
                if depth == 0 { break }
                continue
            }
            if c == 0x2F && at(i + 1) == 0x2A { i += 2; depth += 1; continue }
            if c == 0x0A { sawNewline = true }
            if c >= 0x80 || c == 0 { checkTextByte(); continue }
            i += 1
        }
        if depth > 0 {
            endSwallowed = true
            report(.unterminatedBlockComment(at: span(s, s + 2)))
        }
        if sawNewline { pendingNewline = true }
        comments.append(span(s, i))
    }

    /// At a NUL or non-ASCII byte inside a comment or string: reports NUL / invalid UTF-8 and skips
    /// the character (a run of invalid bytes is one diagnostic). Returns the bytes to keep (nil when invalid).
    @discardableResult
    private mutating func checkTextByte() -> Int? {
        let c = b[i]
        if c == 0 {
            let s = i
            while i < n && b[i] == 0 { i += 1 }
            report(.nulByte(at: span(s, i)))
            return nil
        }
        let len = utf8Length(at: i)
        if len > 0 { i += len; return len }
        let s = i
        i += 1
        while i < n, b[i] >= 0x80, utf8Length(at: i) == 0 { i += 1 }
        report(.invalidUTF8(at: span(s, i)))
        return nil
    }

    /// Length of the valid UTF-8 scalar starting at `p` (a byte ≥ 0x80), or 0 when invalid.
    func utf8Length(at p: Int) -> Int {
        let c0 = at(p)
        func cont(_ k: Int) -> Bool { at(p + k) & 0xC0 == 0x80 }
        switch c0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return (0xA0...0xBF).contains(at(p + 1)) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return (0x80...0x9F).contains(at(p + 1)) && cont(2) ? 3 : 0
        case 0xF0: return (0x90...0xBF).contains(at(p + 1)) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return (0x80...0x8F).contains(at(p + 1)) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// A run of characters that cannot start a token: one diagnostic, one `.invalid` token.
    private mutating func lexStray() {
        let s = i
        var invalidUTF8 = false
        var sawNul = false
        if b[i] == 0x27 { // 'single-quoted': one diagnostic for the whole thing
            i += 1
            while i < n && b[i] != 0x27 && b[i] != 0x0A { i += 1 }
            if at(i) == 0x27 { i += 1 }
            emit(.invalid, s, i)
            report(.singleQuote(at: span(s, s + 1)))
            return
        }
        while i < n {
            let c = b[i]
            if c == 0 { sawNul = true; i += 1; continue }
            if c >= 0x80 {
                let len = utf8Length(at: i)
                if len == 0 { invalidUTF8 = true; i += 1 } else { i += len }
                continue
            }
            if (c == 0x26 || c == 0x7C) && at(i + 1) == c { break } // `&&` / `||` end the run
            if isStrayASCII(c) { i += 1; continue }
            break
        }
        if i == s { i += 1 } // never stall
        // glued to a literal or run the lexer already rejected (`10.0.${x}`): one typo, one diagnostic
        var glued = false
        var edge = s
        for t in tokens.reversed().prefix(3) {
            guard t.endOffset == edge else { break }
            if t.kind == .badLiteral || t.kind == .invalid { glued = true; break }
            edge = t.startOffset
        }
        emit(.invalid, s, i)
        if glued && !invalidUTF8 && !sawNul { return }
        if invalidUTF8 {
            report(.invalidUTF8(at: span(s, i)))
        } else if sawNul {
            report(.nulByte(at: span(s, i)))
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
            report(.unexpectedCharacters(text, at: span(s, i)))
        }
    }

    private func isStrayASCII(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D: return false
        case 0x22, 0x7B, 0x7D, 0x5B, 0x5D, 0x28, 0x29, 0x2C, 0x3A, 0x2B, 0x2A, 0x2F, 0x25, 0x2E, 0x3D, 0x21,
             0x3C, 0x3E, 0x2D: return false
        default: return !(isIdentStart(c) || isDigit(c))
        }
    }

    // MARK: Identifiers

    private mutating func lexIdentifier() {
        let s = i
        i += 1
        while i < n && isIdentPart(b[i]) { i += 1 }
        while b[i - 1] == 0x2D { i -= 1 } // names do not end in `-`
        if i < n, b[i] >= 0x80, utf8Length(at: i) > 0 {
            // a name running into non-ASCII letters (`café`)
            while i < n {
                if isIdentPart(b[i]) { i += 1; continue }
                if b[i] >= 0x80, case let len = utf8Length(at: i), len > 0 { i += len; continue }
                break
            }
            while b[i - 1] == 0x2D { i -= 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
            report(.invalidName(text, at: span(s, i)))
            emit(.invalid, s, i)
            return
        }
        emit(keyword(s, i) ?? .identifier, s, i)
    }

    private func keyword(_ s: Int, _ e: Int) -> TokenKind? {
        let len = e - s
        guard len >= 2, len <= 10 else { return nil }
        @inline(__always) func eq(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == len else { return false }
            let p = word.utf8Start
            for k in 1..<len where b[s + k] != p[k] { return false }
            return true
        }
        switch b[s] {
        case 0x61: return eq("assert") ? .kwAssert : eq("auto") ? .kwAuto : nil                          // a
        case 0x62: return eq("bond") ? .kwBond : eq("bridge") ? .kwBridge : nil                          // b
        case 0x64: return eq("dhcp") ? .kwDhcp : nil                                                     // d
        case 0x65: return eq("else") ? .kwElse : nil                                                     // e
        case 0x66: return eq("fn") ? .kwFn : eq("for") ? .kwFor : eq("false") ? .kwFalse : nil           // f
        case 0x68: return eq("host") ? .kwHost : nil                                                     // h
        case 0x69: return eq("in") ? .kwIn : eq("if") ? .kwIf : eq("import") ? .kwImport : nil           // i
        case 0x6C: return eq("let") ? .kwLet : nil                                                       // l
        case 0x6E: return eq("nic") ? .kwNic : eq("network") ? .kwNetwork : nil                          // n
        case 0x6F: return eq("on") ? .kwOn : eq("ovs-bridge") ? .kwOvsBridge : nil                       // o
        case 0x70: return eq("pod") ? .kwPod : nil                                                       // p
        case 0x74: return eq("topology") ? .kwTopology : eq("true") ? .kwTrue : nil                      // t
        case 0x75: return eq("user") ? .kwUser : nil                                                     // u
        case 0x76: return eq("vm") ? .kwVm : eq("vlan") ? .kwVlan : nil                                  // v
        default: return nil
        }
    }

    // MARK: Numbers, quantities, IPv4

    private mutating func lexNumber() {
        let s = i
        if b[i] == 0x30 && (at(i + 1) == 0x78 || at(i + 1) == 0x58) { lexHex(); return }
        while i < n && (isDigit(b[i]) || b[i] == 0x5F) { i += 1 }
        let digitsEnd = i
        if at(i) == 0x2E && isDigit(at(i + 1)) { lexIPv4(start: s, firstEnd: digitsEnd); return }
        if i < n && isLetter(b[i]) { lexQuantity(start: s, digitsEnd: digitsEnd); return }
        guard let v = decimalValue(s, digitsEnd) else { emit(.badLiteral, s, i); return }
        emit(.integer, s, i, payload: v)
    }

    /// The value of a decimal digit run with `_` separators; reports E0106 and returns nil when bad.
    private mutating func decimalValue(_ s: Int, _ e: Int) -> Int64? {
        var v: Int64 = 0
        var overflow = false
        var lastUnderscore = false
        for k in s..<e {
            let c = b[k]
            if c == 0x5F { lastUnderscore = true; continue }
            lastUnderscore = false
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            if o1 || o2 { overflow = true }
            v = a
        }
        if !lastUnderscore && !overflow { return v }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        if lastUnderscore {
            report(.numberTrailingUnderscore(text, at: span(s, e)))
            return nil
        }
        if overflow {
            report(.integerLiteralOutOfRange(text, at: span(s, e)))
            return nil
        }
        return v
    }

    private mutating func lexHex() {
        let s = i
        i += 2
        let ds = i
        var v: Int64 = 0
        var overflow = false
        var digits = 0
        while i < n && (isHexDigit(b[i]) || b[i] == 0x5F) {
            let c = b[i]
            i += 1
            if c == 0x5F { continue }
            digits += 1
            let d: Int64 = isDigit(c) ? Int64(c - 0x30) : Int64((c | 0x20) - 0x61 + 10)
            let (m, o1) = v.multipliedReportingOverflow(by: 16)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { overflow = true }
            v = a
        }
        var badTail = false
        while i < n && (isIdentPart(b[i]) && b[i] != 0x2D) { i += 1; badTail = true }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
        if digits == 0 || badTail || at(i - 1) == 0x5F || (i > ds && b[ds] == 0x5F) {
            report(.invalidHexLiteral(text, at: span(s, i)))
            emit(.badLiteral, s, i)
        } else if overflow {
            report(.integerLiteralOutOfRange(text, hexadecimal: true, at: span(s, i)))
            emit(.badLiteral, s, i)
        } else {
            emit(.integer, s, i, payload: v)
        }
    }

    private mutating func lexQuantity(start s: Int, digitsEnd: Int) {
        let sufStart = i
        while i < n && (isLetter(b[i]) || isDigit(b[i]) || b[i] == 0x5F) { i += 1 }
        let suffix = String(decoding: UnsafeBufferPointer(rebasing: b[sufStart..<i]), as: UTF8.self)
        var digits: String { String(decoding: UnsafeBufferPointer(rebasing: b[s..<digitsEnd]), as: UTF8.self) }
        guard let mult = Quantity.multiplier(of: suffix) else {
            let suggestions = quantitySuggestions(for: suffix)
            report(.invalidQuantitySuffix(suffix, digits: digits, written: digits.replacingUnderscores(),
                                          suggestions: suggestions, at: span(s, i), suffixSpan: span(sufStart, i)))
            emit(.badLiteral, s, i)
            return
        }
        guard let v = decimalValue(s, digitsEnd) else { emit(.badLiteral, s, i); return }
        let (r, o) = v.multipliedReportingOverflow(by: mult)
        if o {
            report(.quantityOutOfRange(digits + suffix, at: span(s, i)))
            emit(.badLiteral, s, i)
            return
        }
        emit(.quantity, s, i, payload: r)
    }

    /// The common case without allocation: four plain octets, optionally `/prefix`. Leaves
    /// `i` untouched and returns false when anything is unusual (then `lexIPv4` reports it).
    private mutating func lexPlainIPv4(start s: Int) -> Bool {
        var k = s
        var value: UInt32 = 0
        for octet in 0..<4 {
            if octet > 0 {
                guard at(k) == 0x2E else { return false }
                k += 1
            }
            let os = k
            var v: UInt32 = 0
            while k < n && isDigit(b[k]) && k - os < 4 { v = v * 10 + UInt32(b[k] - 0x30); k += 1 }
            let len = k - os
            guard len >= 1, len <= 3, v <= 255, !(len > 1 && b[os] == 0x30) else { return false }
            value = value << 8 | v
        }
        if at(k) == 0x2E && isDigit(at(k + 1)) { return false } // a fifth octet
        if k < n && isIdentPart(b[k]) && b[k] != 0x2D { return false }
        if at(k) == 0x2F && isDigit(at(k + 1)) {
            let ps = k + 1
            var e = ps
            var p = 0
            while e < n && isDigit(b[e]) && e - ps < 3 { p = p * 10 + Int(b[e] - 0x30); e += 1 }
            guard e - ps <= 2, p <= 32, !(e - ps > 1 && b[ps] == 0x30) else { return false }
            if e < n && isIdentPart(b[e]) && b[e] != 0x2D { return false }
            i = e
            emit(.ipv4Prefix, s, i, payload: Int64(value) << 8 | Int64(p))
            return true
        }
        i = k
        emit(.ipv4, s, i, payload: Int64(value))
        return true
    }

    private mutating func lexIPv4(start s: Int, firstEnd: Int) {
        if lexPlainIPv4(start: s) { return }
        var octets: [(Int, Int)] = [(s, firstEnd)]
        while at(i) == 0x2E && isDigit(at(i + 1)) {
            i += 1
            let os = i
            while i < n && (isDigit(b[i]) || b[i] == 0x5F) { i += 1 }
            octets.append((os, i))
        }
        var addrEnd = i
        var tail = false
        while i < n && isIdentPart(b[i]) && b[i] != 0x2D { i += 1; tail = true }
        if tail { addrEnd = i }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<addrEnd]), as: UTF8.self)
        var problem: IPv4LiteralProblem? = nil
        var corrected: String? = nil
        var value: UInt32 = 0
        if tail {
            problem = .trailingText
        } else if octets.count != 4 {
            problem = .octetCount(octets.count)
        } else {
            var fixed: [String] = []
            for (os, oe) in octets {
                let o = String(decoding: UnsafeBufferPointer(rebasing: b[os..<oe]), as: UTF8.self)
                if o.utf8.contains(0x5F) {
                    problem = .underscore; break
                }
                if o.utf8.count > 1 && o.utf8.first == 0x30 {
                    let stripped = String(o.drop { $0 == "0" })
                    fixed.append(stripped.isEmpty ? "0" : stripped)
                    problem = .leadingZero(octet: o)
                    continue
                }
                guard o.utf8.count <= 3, let v = UInt32(o), v <= 255 else {
                    problem = .outOfRange(octet: o); break
                }
                fixed.append(o)
                value = value << 8 | v
            }
            if problem != nil && fixed.count == 4 {
                corrected = fixed.joined(separator: ".")
            }
        }
        var prefix: Int? = nil
        var prefixBad = false
        if at(i) == 0x2F && isDigit(at(i + 1)) && !tail {
            let ps = i
            i += 1
            let ds = i
            while i < n && isIdentPart(b[i]) && b[i] != 0x2D { i += 1 }
            let p = String(decoding: UnsafeBufferPointer(rebasing: b[ds..<i]), as: UTF8.self)
            if p.utf8.count <= 2, p.utf8.allSatisfy(isDigit), !(p.utf8.count > 1 && p.utf8.first == 0x30),
               let v = Int(p), v <= 32 {
                prefix = v
            } else {
                prefixBad = true
                report(.invalidPrefixLength(p, at: span(ps, i)))
            }
        }
        if let problem {
            report(.invalidIPv4(text, problem, corrected: corrected, at: span(s, addrEnd)))
            emit(.badLiteral, s, i)
        } else if prefixBad {
            emit(.badLiteral, s, i)
        } else if let prefix {
            emit(.ipv4Prefix, s, i, payload: Int64(value) << 8 | Int64(prefix))
        } else {
            emit(.ipv4, s, i, payload: Int64(value))
        }
    }

    // MARK: Strings

    private mutating func lexString() {
        if at(i + 1) == 0x22 && at(i + 2) == 0x22 { lexMultilineString(); return }
        let s = i
        emit(.stringStart, s, s + 1)
        i += 1
        var seg = TextSegment(start: i, source: b)
        while true {
            if i >= n || b[i] == 0x0A || (b[i] == 0x0D && at(i + 1) == 0x0A) {
                if i >= n { endSwallowed = true }
                flush(&seg, end: i, force: false)
                report(.unterminatedString(at: span(s, s + 1)))
                emit(.stringEnd, i, i, synthetic: true)
                return
            }
            let c = b[i]
            switch c {
            case 0x22:
                flush(&seg, end: i, force: false)
                emit(.stringEnd, i, i + 1)
                i += 1
                return
            case 0x5C:
                if i + 1 >= n || at(i + 1) == 0x0A || (at(i + 1) == 0x0D && at(i + 2) == 0x0A) {
                    seg.appendSource(i, i + 1); i += 1; continue
                }
                lexEscape(&seg)
            case 0x24:
                if at(i + 1) == 0x24 && at(i + 2) == 0x7B {
                    seg.appendLiteral(0x24, 0x7B); i += 3
                } else if at(i + 1) == 0x7B {
                    flush(&seg, end: i, force: false)
                    if !lexInterpolationInString(&seg, startingAt: s, multiline: false) { return }
                } else {
                    seg.appendSource(i, i + 1); i += 1
                }
            default:
                appendPlain(&seg)
            }
        }
    }

    /// At `${`: emits the interpolation tokens. On anything but `.closed` a synthetic
    /// `interpolationEnd` has been emitted.
    private mutating func lexInterpolation(stopAtNewline: Bool) -> CodeEnd {
        let s = i
        emit(.interpolationStart, s, s + 2)
        i += 2
        interpolationDepth += 1
        defer { interpolationDepth -= 1 }
        if interpolationDepth > Lexer.maxInterpolationDepth {
            report(.interpolationTooDeep(limit: Lexer.maxInterpolationDepth, at: span(s, s + 2)))
            aborted = true
            endSwallowed = true
            emit(.interpolationEnd, i, i, synthetic: true)
            return .aborted
        }
        let r = lexCode(inInterpolation: true, stopAtNewline: stopAtNewline)
        if r != .closed { emit(.interpolationEnd, i, i, synthetic: true) }
        return r
    }

    /// At `${` in the string starting at `s`, its text so far flushed. True when the
    /// interpolation closed and the string goes on in a new `seg`; otherwise the string has been
    /// ended (with a synthetic token), and reported when its line or the file ended inside the
    /// interpolation.
    private mutating func lexInterpolationInString(_ seg: inout TextSegment, startingAt s: Int, multiline: Bool) -> Bool {
        switch lexInterpolation(stopAtNewline: !multiline) {
        case .closed:
            seg = TextSegment(start: i, source: b)
            return true
        case .aborted:
            break
        case .newline, .endOfFile:
            if multiline {
                endSwallowed = true
                report(.unterminatedMultilineString(inInterpolation: true, at: span(s, s + 3)))
            } else {
                report(.unterminatedString(inInterpolation: true, at: span(s, s + 1)))
            }
        }
        emit(.stringEnd, i, i, synthetic: true)
        return false
    }

    private mutating func lexEscape(_ seg: inout TextSegment) {
        let s = i
        let c = at(i + 1)
        switch c {
        case 0x22: seg.appendLiteral(0x22); i += 2
        case 0x5C: seg.appendLiteral(0x5C); i += 2
        case 0x6E: seg.appendLiteral(0x0A); i += 2
        case 0x74: seg.appendLiteral(0x09); i += 2
        case 0x75 where at(i + 2) == 0x7B:
            var k = i + 3
            var v: UInt32 = 0
            var digits = 0
            while k < n && isHexDigit(b[k]) && digits < 9 {
                let d = b[k]
                v = v &* 16 &+ UInt32(isDigit(d) ? d - 0x30 : (d | 0x20) - 0x61 + 10)
                digits += 1; k += 1
            }
            if at(k) == 0x7D, digits >= 1, digits <= 8, let scalar = Unicode.Scalar(v) {
                seg.appendScalar(scalar)
                i = k + 1
            } else {
                let e = at(k) == 0x7D ? k + 1 : k
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
                report(.invalidUnicodeEscape(text, at: span(s, e)))
                i = e
            }
        default:
            var e = i + 2
            if c >= 0x80 { e = i + 1 + max(1, utf8Length(at: i + 1)) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<min(e, n)]), as: UTF8.self)
            report(.invalidEscape(text, at: span(s, min(e, n))))
            i = min(e, n)
        }
    }

    /// Text collected for one `.stringText` token. While it is a plain run of the source (no
    /// escape, no replacement, no line ending rewritten) nothing is copied: the text is
    /// `source[start..<plainEnd]`. The first decoded byte copies the run into `bytes`.
    struct TextSegment {
        let source: UnsafeBufferPointer<UInt8>
        var start: Int
        var plainEnd: Int
        var bytes: [UInt8]? = nil
        init(start: Int, source: UnsafeBufferPointer<UInt8>) {
            self.source = source; self.start = start; self.plainEnd = start
        }
        var isEmpty: Bool { bytes == nil && plainEnd == start }
        /// The source bytes `s..<e`, taken over as they are.
        mutating func appendSource(_ s: Int, _ e: Int) {
            if bytes == nil && plainEnd == s { plainEnd = e; return }
            materialize()
            bytes!.append(contentsOf: UnsafeBufferPointer(rebasing: source[s..<e]))
        }
        mutating func materialize() {
            if bytes == nil { bytes = Array(UnsafeBufferPointer(rebasing: source[start..<plainEnd])) }
        }
        mutating func appendLiteral(_ cs: UInt8...) { materialize(); bytes!.append(contentsOf: cs) }
        mutating func appendReplacement() { materialize(); bytes!.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
        mutating func appendScalar(_ u: Unicode.Scalar) { materialize(); bytes!.append(contentsOf: Array(String(u).utf8)) }
        var text: String {
            if let bytes { return String(decoding: bytes, as: UTF8.self) }
            return String(decoding: UnsafeBufferPointer(rebasing: source[start..<plainEnd]), as: UTF8.self)
        }
    }

    private mutating func flush(_ seg: inout TextSegment, end: Int, force: Bool) {
        if seg.isEmpty && !force && end == seg.start { return }
        texts.append(seg.text)
        emit(.stringText, seg.start, end, payload: Int64(texts.count - 1))
        seg = TextSegment(start: end, source: b)
    }

    private mutating func lexMultilineString() {
        let s = i
        emit(.stringStart, s, s + 3, payload: 1)
        i += 3
        var reportedLayout = false
        var atLineStart = false
        var k = i
        while k < n && (b[k] == 0x20 || b[k] == 0x09) { k += 1 }
        if k < n && !(b[k] == 0x0A || (b[k] == 0x0D && at(k + 1) == 0x0A)) {
            report(.multilineTextOnOpeningLine(blanks: false, at: span(k, k + 1)))
            reportedLayout = true
        } else if k < n {
            if k > i {
                // Swift rejects even invisible trailing blanks after the opening delimiter
                report(.multilineTextOnOpeningLine(blanks: true, at: span(i, k)))
                reportedLayout = true
            }
            i = k + (b[k] == 0x0D ? 2 : 1)
            atLineStart = true
        } else {
            i = k
        }
        var lines: [(token: Int, raw: Int)] = []
        var lastNewline: (token: Int, start: Int)? = nil
        var continuedAt: Int? = nil // the `\` of a line continuation ending the previous line
        var seg = TextSegment(start: i, source: b)
        var lineTokenPending = false
        while true {
            if atLineStart {
                atLineStart = false
                var j = i
                while j < n && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
                if at(j) == 0x22 && at(j + 1) == 0x22 && at(j + 2) == 0x22 {
                    if let bs = continuedAt {
                        report(.multilineTrailingBackslash(at: span(bs, bs + 1)))
                    }
                    emit(.stringEnd, j, j + 3)
                    finishMultiline(indent: (i, j), lines: lines, lastNewline: lastNewline, closing: j)
                    i = j + 3
                    return
                }
                lines.append((tokens.count, i))
                seg = TextSegment(start: i, source: b)
                lineTokenPending = true
            }
            if i >= n {
                flush(&seg, end: i, force: lineTokenPending)
                endSwallowed = true
                report(.unterminatedMultilineString(at: span(s, s + 3)))
                emit(.stringEnd, i, i, synthetic: true)
                return
            }
            let c = b[i]
            if c == 0x0A || (c == 0x0D && at(i + 1) == 0x0A) {
                let nl = i
                i += c == 0x0D ? 2 : 1
                if c == 0x0A { seg.appendSource(nl, nl + 1) } else { seg.appendLiteral(0x0A) }
                flush(&seg, end: i, force: true)
                lineTokenPending = false
                lastNewline = (tokens.count - 1, nl)
                continuedAt = nil
                atLineStart = true
                continue
            }
            switch c {
            case 0x22 where at(i + 1) == 0x22 && at(i + 2) == 0x22:
                flush(&seg, end: i, force: lineTokenPending)
                if !reportedLayout {
                    report(.multilineClosingNotAlone(at: span(i, i + 3)))
                }
                emit(.stringEnd, i, i + 3)
                i += 3
                return
            case 0x5C:
                if at(i + 1) == 0x0A || (at(i + 1) == 0x0D && at(i + 2) == 0x0A) {
                    // line continuation: the newline is not part of the value
                    continuedAt = i
                    flush(&seg, end: i, force: lineTokenPending)
                    lineTokenPending = false
                    i += at(i + 1) == 0x0D ? 3 : 2
                    lastNewline = nil
                    atLineStart = true
                    continue
                }
                lexEscape(&seg)
            case 0x24:
                if at(i + 1) == 0x24 && at(i + 2) == 0x7B {
                    seg.appendLiteral(0x24, 0x7B); i += 3
                } else if at(i + 1) == 0x7B {
                    flush(&seg, end: i, force: lineTokenPending)
                    lineTokenPending = false
                    lastNewline = nil
                    if !lexInterpolationInString(&seg, startingAt: s, multiline: true) { return }
                } else {
                    seg.appendSource(i, i + 1); i += 1
                }
            default:
                appendPlain(&seg)
            }
        }
    }

    /// Removes the closing delimiter's indentation from every line and the newline before it.
    private mutating func finishMultiline(indent: (Int, Int), lines: [(token: Int, raw: Int)],
                                          lastNewline: (token: Int, start: Int)?, closing: Int) {
        if let (t, nl) = lastNewline {
            let p = Int(tokens[t].payload)
            if texts[p].utf8.last == 0x0A { texts[p] = String(decoding: texts[p].utf8.dropLast(), as: UTF8.self) }
            tokens[t].end = Int32(truncatingIfNeeded: max(tokens[t].startOffset, nl))
        }
        let indLen = indent.1 - indent.0
        var reported = false
        for (t, raw) in lines {
            var k = raw
            while k < n && (b[k] == 0x20 || b[k] == 0x09) { k += 1 }
            let ws = k - raw
            let blank = k >= n || b[k] == 0x0A || (b[k] == 0x0D && at(k + 1) == 0x0A)
            var strip = 0
            if blank && ws == 0 {
                strip = 0 // an empty line needs no indentation (a line of blanks does, as in Swift)
            } else if ws >= indLen && (0..<indLen).allSatisfy({ b[raw + $0] == b[indent.0 + $0] }) {
                strip = indLen
            } else {
                if !reported {
                    reported = true
                    report(.multilineIndentation(mixed: ws >= indLen, indentation: indLen, at: span(raw, raw + max(ws, 1)),
                                                 closing: span(closing, closing + 3)))
                }
                strip = min(ws, indLen)
            }
            guard strip > 0, t < tokens.count, tokens[t].kind == .stringText else { continue }
            let p = Int(tokens[t].payload)
            strip = min(strip, texts[p].utf8.count)
            texts[p] = String(decoding: texts[p].utf8.dropFirst(strip), as: UTF8.self)
            tokens[t].start += Int32(strip)
            if tokens[t].end < tokens[t].start { tokens[t].end = tokens[t].start }
        }
    }

    /// Appends one plain character (or a run of plain ASCII) to `seg`, checking NUL and UTF-8.
    private mutating func appendPlain(_ seg: inout TextSegment) {
        let c = b[i]
        if c >= 0x80 || c == 0 {
            let s0 = i
            if checkTextByte() != nil {
                seg.appendSource(s0, i)
            } else {
                seg.appendReplacement()
            }
            return
        }
        let s0 = i
        i += 1
        while i < n {
            let d = b[i]
            if d >= 0x80 || d < 0x20 || d == 0x22 || d == 0x5C || d == 0x24 { break }
            i += 1
        }
        seg.appendSource(s0, i)
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

/// Candidate suffixes for a mistyped quantity suffix: `GB` → `Gi`, `G`; `gi` → `Gi`; `m` → `Mi`, `M`.
func quantitySuggestions(for suffix: String) -> [String] {
    var s = Array(suffix)
    if s.count > 1, s.last == "B" || s.last == "b" { s.removeLast() }
    guard let first = s.first, s.count <= 2 else { return [] }
    let letter = String(first).uppercased()
    guard ["K", "M", "G", "T", "P", "E"].contains(letter) else {
        let hits = Suggest.similar(to: suffix, among: Quantity.suffixNames)
        return hits
    }
    let binary = letter + "i"
    let decimal = letter == "K" ? "k" : letter
    if s.count == 2 {
        guard s[1] == "i" || s[1] == "I" else { return [] }
        return [binary]
    }
    return [binary, decimal].filter { $0 != suffix }
}
