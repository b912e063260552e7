import WukongDiagnostics
import WukongSyntax

/// `wukongc fmt` (LANGUAGE.md §8): the canonical layout of a `.wk` file.
///
/// The formatter works on tokens and comments, not on the tree, so it keeps everything the
/// author wrote — comments, blank lines (at most one in a row), and where the lines break
/// (newlines separate declarations, so it never joins or splits lines). It decides the rest:
/// two-space indentation by bracket depth (a line continued after a binary operator or `=`
/// one level deeper), one space around binary operators, `=` and `->`, after `,` and `:`,
/// inside one-line `{ }`, none inside `( )` and `[ ]` or around `.`; `..`/`..=` keep the
/// author's choice of spaces (both styles are common: `1..=20`, `a ..= b`). Consecutive
/// attribute lines of one block align their `=`, consecutive lines with trailing `//`
/// comments align the comments (as gofmt does). Strings, multi-line strings and block
/// comments are kept byte for byte (a multi-line string moves with its line, which keeps its
/// value: its indentation is relative to the closing `"""`).
///
/// A file with syntax errors is not formatted (its diagnostics are returned). The result is
/// re-lexed and compared token by token with the input: formatting never changes what a file
/// means, and a difference is reported as an internal error instead of being written.
public enum Formatter {
    public struct Result: Sendable {
        /// The formatted text; nil when the file has syntax errors (see `diagnostics`).
        public var text: String?
        public var diagnostics: [Diagnostic]
    }

    public static func format(_ file: SourceFile) -> Result {
        let (_, diagnostics) = Parser.parse(file)
        if diagnostics.contains(where: { $0.severity == .error }) { return Result(text: nil, diagnostics: diagnostics) }
        let lexed = Lexer.lex(file)
        let text = Layout(lexed: lexed).render()
        let check = SourceFile(id: file.id, path: file.path, bytes: Array(text.utf8))
        if !sameTokens(lexed, Lexer.lex(check)) {
            let d = Diagnostic.formatterChangedMeaning(at: Span(file: file.id, start: 0, end: 0))
            return Result(text: nil, diagnostics: [d])
        }
        return Result(text: text, diagnostics: [])
    }

    /// Same tokens (kind, value, decoded string text) and same comments, whatever the spacing.
    static func sameTokens(_ a: LexedFile, _ b: LexedFile) -> Bool {
        guard a.tokens.count == b.tokens.count, a.comments.count == b.comments.count, b.diagnostics.isEmpty else { return false }
        for (n, (x, y)) in zip(a.tokens, b.tokens).enumerated() {
            // (newlines before the first token and at the end mean nothing)
            guard x.kind == y.kind, x.newlineBefore == y.newlineBefore || x.kind == .endOfFile || n == 0 else { return false }
            switch x.kind {
            case .stringText:
                if a.stringText(of: x) != b.stringText(of: y) { return false }
            case .stringStart, .stringEnd, .interpolationStart, .interpolationEnd, .endOfFile:
                continue
            default:
                if a.text(of: x) != b.text(of: y) { return false }
            }
        }
        for (x, y) in zip(a.comments, b.comments) {
            let tx = commentText(a, x), ty = commentText(b, y)
            // a block comment's inner lines may be shifted with their line; compare without indentation
            if normalizedComment(tx) != normalizedComment(ty) { return false }
        }
        return true
    }

    static func commentText(_ f: LexedFile, _ s: Span) -> String {
        let lo = max(0, min(Int(s.start), f.bytes.count)), hi = max(lo, min(Int(s.end), f.bytes.count))
        return String(decoding: f.bytes[lo..<hi], as: UTF8.self)
    }

    static func normalizedComment(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                // trailing blanks and carriage returns in any order (`// x\r \n` ends in `\r `)
                var l = line
                while let c = l.last, c == " " || c == "\t" || c == "\r" { l = l.dropLast() }
                return l.drop { $0 == " " || $0 == "\t" }
            }
            .joined(separator: "\n")
    }
}

/// One unit of layout: a token, a whole string literal (with its interpolations), or a comment.
struct Atom {
    enum Kind: Equatable { case token(TokenKind), string, lineComment, blockComment }
    var kind: Kind
    var start: Int
    var end: Int
    /// Newlines in the source between the previous atom and this one.
    var newlinesBefore: Int
    /// Whitespace in the source right before this atom (on its line).
    var spaceBefore: Bool
    /// How many spaces/tabs stand right before it on its line.
    var gapBefore: Int = 0
    /// Its column in the source (characters from the start of its line).
    var column: Int = 0

    var tokenKind: TokenKind? { if case .token(let k) = kind { return k }; return nil }
    var isComment: Bool { kind == .lineComment || kind == .blockComment }
}

struct Layout {
    let lexed: LexedFile
    var bytes: [UInt8] { lexed.bytes }

    init(lexed: LexedFile) { self.lexed = lexed }

    // MARK: - Atoms

    func atoms() -> [Atom] {
        var out: [Atom] = []
        let tokens = lexed.tokens
        let comments = lexed.comments
        var ci = 0
        var i = 0
        var prevEnd = firstContentOffset()
        func push(_ kind: Atom.Kind, _ start: Int, _ end: Int) {
            var newlines = 0
            var gap = 0
            if prevEnd < start {
                for b in bytes[prevEnd..<start] {
                    if b == 0x0A { newlines += 1; gap = 0 } else if b == 0x20 || b == 0x09 { gap += 1 }
                }
            }
            var lineStart = start
            while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            let column = String(decoding: bytes[lineStart..<start], as: UTF8.self).count
            out.append(Atom(kind: kind, start: start, end: end, newlinesBefore: newlines, spaceBefore: gap > 0,
                            gapBefore: gap, column: column))
            prevEnd = end
        }
        while i < tokens.count {
            let t = tokens[i]
            if t.kind == .endOfFile { break }
            while ci < comments.count && Int(comments[ci].start) < t.startOffset {
                let c = comments[ci]
                push(isLineComment(c) ? .lineComment : .blockComment, Int(c.start), lineCommentEnd(c))
                ci += 1
            }
            if t.kind == .stringStart {
                // the whole literal, interpolations included, is one atom kept byte for byte
                var depth = 0
                var j = i
                while j < tokens.count {
                    if tokens[j].kind == .stringStart { depth += 1 }
                    if tokens[j].kind == .stringEnd { depth -= 1; if depth == 0 { break } }
                    if tokens[j].kind == .endOfFile { j -= 1; break }
                    j += 1
                }
                let end = tokens[min(j, tokens.count - 1)].endOffset
                push(.string, t.startOffset, end)
                while ci < comments.count && Int(comments[ci].start) < end { ci += 1 }  // comments inside interpolations
                i = j + 1
                continue
            }
            push(.token(t.kind), t.startOffset, t.endOffset)
            i += 1
        }
        while ci < comments.count {
            let c = comments[ci]
            push(isLineComment(c) ? .lineComment : .blockComment, Int(c.start), lineCommentEnd(c))
            ci += 1
        }
        return out
    }

    /// Skips a byte-order mark.
    func firstContentOffset() -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    func isLineComment(_ s: Span) -> Bool {
        let i = Int(s.start)
        return i + 1 < bytes.count && bytes[i] == UInt8(ascii: "/") && bytes[i + 1] == UInt8(ascii: "/")
    }

    /// A line comment's end without a trailing `\r` or spaces.
    func lineCommentEnd(_ s: Span) -> Int {
        var e = min(Int(s.end), bytes.count)
        if isLineComment(s) {
            while e > Int(s.start), bytes[e - 1] == 0x0D || bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 { e -= 1 }
        }
        return e
    }

    func text(_ a: Atom) -> String { String(decoding: bytes[a.start..<a.end], as: UTF8.self) }

    // MARK: - Lines

    struct Line {
        var atoms: [Atom]
        var indent: Int
        var blankBefore: Bool
    }

    func lines(_ atoms: [Atom]) -> [Line] {
        var out: [Line] = []
        var current: [Atom] = []
        var blank = false
        for a in atoms {
            if a.newlinesBefore > 0 && !current.isEmpty {
                out.append(Line(atoms: current, indent: 0, blankBefore: blank))
                current = []
            }
            if current.isEmpty { blank = a.newlinesBefore > 1 && !out.isEmpty }
            current.append(a)
        }
        if !current.isEmpty { out.append(Line(atoms: current, indent: 0, blankBefore: blank)) }
        return out
    }

    static func isOpener(_ k: TokenKind?) -> Bool { k == .lBrace || k == .lBracket || k == .lParen }
    static func isCloser(_ k: TokenKind?) -> Bool { k == .rBrace || k == .rBracket || k == .rParen }

    static func isBinaryOperator(_ k: TokenKind) -> Bool {
        switch k {
        case .plus, .minus, .star, .slash, .percent, .equalEqual, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
             .ampAmp, .pipePipe, .kwIn, .dotDot, .dotDotEqual:
            return true
        default: return false
        }
    }

    /// Indentation by bracket depth: brackets opened on one line indent the next lines once;
    /// a line that starts by closing goes back to the indentation of the line that opened.
    func indent(_ lines: inout [Line]) {
        var stack: [Int] = []  // per open bracket: indentation of the line that opened it
        var continued = false
        for li in lines.indices {
            let atoms = lines[li].atoms
            var k = 0
            var closedTo: Int? = nil
            while k < atoms.count, Layout.isCloser(atoms[k].tokenKind) {
                if let opener = stack.popLast() { closedTo = opener }
                k += 1
            }
            var indent = closedTo ?? contentIndent(stack)
            if closedTo == nil && continued { indent += 1 }
            lines[li].indent = indent
            for a in atoms[k...] {
                if Layout.isOpener(a.tokenKind) {
                    stack.append(indent)
                } else if Layout.isCloser(a.tokenKind) {
                    _ = stack.popLast()
                }
            }
            // the next line continues this one after a binary operator, `=` or `->`
            let last = atoms.last { !$0.isComment }
            if let k = last?.tokenKind, k == .assign || k == .arrow || Layout.isBinaryOperator(k) {
                continued = true
            } else {
                continued = false
            }
        }
    }

    /// Brackets opened on one line share one level: the content indent is one more than the
    /// line that opened the innermost bracket.
    func contentIndent(_ stack: [Int]) -> Int { stack.last.map { $0 + 1 } ?? 0 }

    // MARK: - Spacing

    func spaced(_ atoms: [Atom]) -> (code: String, comment: Atom?) {
        var s = ""
        var comment: Atom? = nil
        var prev: Atom? = nil
        var prevPrev: Atom? = nil
        var prevWasUnary = false
        var rangeSpaced = false
        for (n, a) in atoms.enumerated() {
            if a.tokenKind == .dotDot || a.tokenKind == .dotDotEqual {
                // the author's spacing of a range operator is read on a side without a comment,
                // since a comment always gets a space (else a second pass would read it back)
                let before = n > 0 ? atoms[n - 1] : nil
                rangeSpaced = before == nil || before!.isComment ? (n + 1 < atoms.count && atoms[n + 1].spaceBefore) : a.spaceBefore
            }
            if a.kind == .lineComment {
                comment = a
                continue
            }
            var isUnary = false
            if let p = prev {
                if a.tokenKind == .minus || a.tokenKind == .bang {
                    isUnary = Layout.unaryPosition(after: p)
                }
                if needsSpace(p, a, beforePrev: prevPrev, prevUnary: prevWasUnary, rangeSpaced: rangeSpaced) { s += " " }
            } else if a.tokenKind == .minus || a.tokenKind == .bang {
                isUnary = true
            }
            s += text(a)
            prevPrev = prev
            prev = a
            prevWasUnary = isUnary
        }
        return (s, comment)
    }

    static func unaryPosition(after p: Atom) -> Bool {
        guard let k = p.tokenKind else { return p.kind == .blockComment }
        switch k {
        case .identifier, .integer, .quantity, .ipv4, .ipv4Prefix, .rParen, .rBracket, .rBrace,
             .kwTrue, .kwFalse, .kwAuto, .kwDhcp, .kwPod:
            return false
        default:
            return true
        }
    }

    /// `rangeSpaced`: the author's spacing of the range operator `p` or `a` (when one is).
    func needsSpace(_ p: Atom, _ a: Atom, beforePrev pp: Atom?, prevUnary: Bool, rangeSpaced: Bool) -> Bool {
        if a.isComment || p.kind == .blockComment { return true }
        let pk = p.tokenKind, ak = a.tokenKind
        if prevUnary { return false }
        if pk == .dotDot || pk == .dotDotEqual || ak == .dotDot || ak == .dotDotEqual {
            // the author's choice, kept symmetric: spaces on both sides or none
            return rangeSpaced
        }
        if pk == .lParen || pk == .lBracket { return false }
        if ak == .rParen || ak == .rBracket || ak == .comma || ak == .colon { return false }
        if ak == .dot || pk == .dot { return false }
        if pk == .ellipsis { return false }
        if ak == .lBrace { return true }
        if pk == .lBrace { return ak != .rBrace }
        if ak == .rBrace { return pk != .lBrace }
        if ak == .lParen {
            // a call (`f(x)`, `x.host(1)`, `"${a}"(…)` never happens) or a keyword before `(`
            switch pk {
            case .identifier?, .rParen?, .rBracket?: return false
            case let k? where k.isKeyword: return pp?.tokenKind != .dot ? true : false
            case nil: return false
            default: return true
            }
        }
        return true
    }

    // MARK: - Render

    func render() -> String {
        var ls = lines(atoms())
        indent(&ls)
        // blank lines: none at the start of a block or before its end
        for i in ls.indices where ls[i].blankBefore {
            let prevOpens = i > 0 && Layout.isOpener(ls[i - 1].atoms.last { !$0.isComment }?.tokenKind)
            let closes = Layout.isCloser(ls[i].atoms.first?.tokenKind)
            if prevOpens || closes { ls[i].blankBefore = false }
        }
        var rendered: [Rendered] = []
        for l in ls {
            let (code, comment) = spaced(l.atoms)
            rendered.append(Rendered(indent: l.indent, code: code, comment: comment, blank: l.blankBefore, atoms: l.atoms))
        }
        alignAssignments(&rendered)
        var out = ""
        for r in rendered {
            if r.blank { out += "\n" }
            let pad = String(repeating: "  ", count: r.indent)
            var line = pad + shiftMultiline(r.code, atoms: r.atoms, newIndent: r.indent * 2)
            if let c = r.comment {
                if r.code.isEmpty {
                    line = pad + text(c)
                } else {
                    // one space, or the column the author aligned it at (when that is still past the code)
                    let width = r.code.contains("\n") ? Int.max / 2 : r.indent * 2 + r.code.count
                    let column = c.gapBefore > 1 ? max(width + 1, c.column) : width + 1
                    line += String(repeating: " ", count: max(1, column - width)) + text(c)
                }
            }
            out += line + "\n"
        }
        return out
    }

    struct Rendered {
        var indent: Int
        var code: String
        var comment: Atom?
        var blank: Bool
        var atoms: [Atom]
    }

    /// Attribute lines (`name = value`) pad their names to one width, so the `=` line up
    /// — where the author aligned them: a group is consecutive attribute lines whose `=` stood
    /// in one column of the source; a lone line gets one space. So the formatter keeps either
    /// style (and its own output is stable).
    func alignAssignments(_ rs: inout [Rendered]) {
        func attribute(_ r: Rendered) -> (width: Int, column: Int)? {
            // a comment between the name and `=` takes the line out of alignment: padding the
            // name would move the `=` off the column that groups the lines on the next pass
            let code = r.atoms.filter { !$0.isComment }
            guard code.count >= 3, r.atoms.count >= 2, let first = code[0].tokenKind, first == .identifier || first.isKeyword,
                  r.atoms[1].tokenKind == .assign, !r.code.contains("\n") else { return nil }
            return (text(code[0]).count, code[1].column)
        }
        var i = 0
        while i < rs.count {
            guard let head = attribute(rs[i]) else { i += 1; continue }
            var j = i + 1
            while j < rs.count, !rs[j].blank, rs[j].indent == rs[i].indent, let a = attribute(rs[j]), a.column == head.column {
                j += 1
            }
            if j - i >= 2 {
                let width = (i..<j).compactMap { attribute(rs[$0])?.width }.max() ?? 0
                for k in i..<j {
                    guard let w = attribute(rs[k])?.width, w < width else { continue }
                    let name = rs[k].code.prefix(w)
                    rs[k].code = name + String(repeating: " ", count: width - w) + rs[k].code.dropFirst(w)
                }
            }
            i = j
        }
    }

    /// A multi-line string or block comment moves with its line: its later lines shift by as
    /// much as the line's indentation changed (the string's value does not change, since its
    /// indentation is relative to the closing `"""`); kept as written when shifting left would
    /// cut into text.
    func shiftMultiline(_ code: String, atoms: [Atom], newIndent: Int) -> String {
        guard code.contains("\n"), let first = atoms.first else { return code }
        // the line's original indentation
        var ls = first.start
        while ls > 0, bytes[ls - 1] != 0x0A { ls -= 1 }
        var oldIndent = 0
        var p = ls
        while p < first.start, bytes[p] == 0x20 || bytes[p] == 0x09 { oldIndent += 1; p += 1 }
        let delta = newIndent - oldIndent
        if delta == 0 { return code }
        var parts = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for k in 1..<parts.count {
            let line = parts[k]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if delta > 0 {
                parts[k] = String(repeating: " ", count: delta) + line
            } else {
                let lead = line.prefix { $0 == " " }.count
                if lead < -delta { return code }
                parts[k] = String(line.dropFirst(-delta))
            }
        }
        return parts.joined(separator: "\n")
    }
}
