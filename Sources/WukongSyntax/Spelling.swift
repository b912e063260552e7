// How a name or a string is written in source so that the lexer reads it back unchanged — for
// the tools that write `.wk` (import, fix-its). Derived from the lexer itself (names) and from
// its escapes (`lexEscape`: `\"`, `\\`, `\n`, `\t`, `\u{…}`; `$${` for a literal `${`).
import WukongDiagnostics

public enum Spelling {
    /// Whether `s` reads back as one plain name: a single identifier token (dashes allowed, no
    /// keyword), by the lexer's own rules.
    public static func isBareName(_ s: String) -> Bool { onlyToken(s)?.kind == .identifier }

    /// Whether `s` can be written bare as a record key: one identifier or keyword token.
    public static func isBareKey(_ s: String) -> Bool {
        guard let kind = onlyToken(s)?.kind else { return false }
        return kind == .identifier || kind.isKeyword
    }

    /// The one token `s` lexes to, covering all of it without a lexical error; nil otherwise.
    static func onlyToken(_ s: String) -> Token? {
        guard !s.isEmpty, s.utf8.count <= 256 else { return nil }
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: Array(s.utf8)))
        guard lexed.diagnostics.isEmpty, lexed.tokens.count == 2, let t = lexed.tokens.first,
              t.startOffset == 0, t.endOffset == s.utf8.count else { return nil }
        return t
    }

    /// `s` as a one-line string literal.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        let scalars = Array(s.unicodeScalars)
        for (i, c) in scalars.enumerated() {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            // `${` would start an interpolation: `$${` is a literal `${` (LANGUAGE.md §2)
            case "$" where i + 1 < scalars.count && scalars[i + 1] == "{": out += "$$"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}" }
                else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
