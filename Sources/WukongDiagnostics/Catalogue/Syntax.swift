// Syntax (E01xx): the lexer and the parser.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func syntaxEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .invalidCharacter:
            return ("invalid character", "The source contains a character that cannot start any token (a NUL byte, a control character, a stray symbol such as `@` or `#`). Remove it.", "let x = 1 @ 2   // `@` is not an operator")
        case .invalidUTF8:
            return ("invalid UTF-8", "Source files must be UTF-8. A byte sequence that is not valid UTF-8 was found; re-save the file as UTF-8.", "")
        case .unterminatedString:
            return ("unterminated string", "A string literal was opened with `\"` (or `\"\"\"`) but never closed before the end of the line (or file). Add the closing quote.", "image = \"quay.io/containerdisks/fedora:41   // missing \"")
        case .unterminatedComment:
            return ("unterminated block comment", "A `/*` comment was never closed by `*/`. Block comments nest, so every `/*` inside needs its own `*/`.", "/* outer /* inner */   // outer still open")
        case .invalidEscape:
            return ("invalid escape sequence", "Strings support the escapes `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}` (a Unicode scalar in hex). Any other backslash sequence is an error; write `\\\\` for a literal backslash.", "run = [\"echo a\\qb\"]   // `\\q` is not an escape")
        case .invalidNumber:
            return ("invalid number", "An integer literal is malformed or does not fit in a 64-bit signed integer. Integers are written `42`, `0x2a` or `1_000`.", "let big = 9223372036854775808")
        case .invalidQuantity:
            return ("invalid quantity suffix", "A number directly followed by letters is a quantity; its suffix must be exactly one of `Ki Mi Gi Ti Pi Ei` (powers of 1024) or `k M G T P E` (powers of 1000). Suffixes are case-sensitive: `4Gi`, not `4GB` or `4gi`.", "memory = 4GB   // write 4Gi (binary) or 4G (decimal)")
        case .invalidIPv4:
            return ("invalid IPv4 literal", "A digit run followed by `.digit` starts an IPv4 literal, which must have exactly four decimal octets from 0 to 255 without leading zeros. IPv6 addresses are written as strings.", "gateway = 192.168.0    // three octets\ngateway = 010.0.0.1    // leading zero")
        case .invalidPrefix:
            return ("invalid prefix length", "An IPv4 literal directly followed by `/` takes a prefix length from 0 to 32.", "subnet = 10.0.0.0/33")
        case .unexpectedToken:
            return ("syntax error", "The parser expected something else at this point. The message names what was expected and what was found; parsing resumes at the next declaration or attribute, so later errors are still reported.", "vm web { cpu = }   // expected an expression, found `}`")
        case .multilineIndentation:
            return ("bad indentation in multi-line string", "In a `\"\"\"` string the indentation of the closing `\"\"\"` is removed from every line; a line indented less than the closing delimiter is an error. The opening `\"\"\"` must end its line and the closing one must stand on a line of its own.", "cloud_config = \"\"\"\n    packages: [nginx]\n  bad: line\n    \"\"\"")
        case .nestingTooDeep:
            return ("nesting too deep", "Brackets, braces, parentheses or string interpolations are nested deeper than the compiler accepts. Such input is not a realistic topology; flatten it with `let`.", "")
        case .invalidIdentifier:
            return ("invalid identifier", "Identifiers are `[A-Za-z_][A-Za-z0-9_-]*` and may not end in `-`. Dashes belong to names, so subtraction needs spaces: `a - 1`.", "let web- = 1")
        default:
            return nil
        }
    }
}
