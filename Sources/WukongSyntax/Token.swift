import WukongDiagnostics
import WukongNet

/// The kind of a token. String literals are a bracketed sequence
/// `stringStart (stringText | interpolationStart … interpolationEnd)* stringEnd`, so a
/// highlighter can colour the expressions inside `${ }` like any other code.
public enum TokenKind: UInt8, Sendable, CaseIterable {
    case endOfFile
    /// A character or byte the lexer rejected; a diagnostic was reported.
    case invalid

    case identifier

    // keywords (reserved)
    case kwImport, kwTopology, kwHost, kwNic, kwVlan, kwBond, kwBridge, kwOvsBridge, kwNetwork, kwVm, kwUser
    case kwOn, kwLet, kwFn, kwFor, kwIn, kwIf, kwElse, kwAssert, kwTrue, kwFalse, kwAuto, kwDhcp, kwPod

    // literals (`payload` holds the value)
    case integer        // payload: the Int64 value
    case quantity       // payload: bytes
    case ipv4           // payload: the address as UInt32
    case ipv4Prefix     // payload: address << 8 | prefix
    /// A number, quantity or IPv4 literal the lexer rejected; a diagnostic was reported.
    case badLiteral

    // strings
    case stringStart          // `"` or `"""`; payload 1 when multi-line
    case stringText           // payload: index into `LexedFile.texts` (decoded text)
    case interpolationStart   // `${`
    case interpolationEnd     // `}` closing an interpolation
    case stringEnd            // `"` or `"""`; zero-length and synthetic when unterminated

    // punctuation
    case lBrace, rBrace, lBracket, rBracket, lParen, rParen
    case comma, dot, assign, colon, arrow, ellipsis, dotDot, dotDotEqual
    case equalEqual, notEqual, less, lessEqual, greater, greaterEqual
    case plus, minus, star, slash, percent, ampAmp, pipePipe, bang

    public var isKeyword: Bool { rawValue >= TokenKind.kwImport.rawValue && rawValue <= TokenKind.kwPod.rawValue }

    /// Keywords that start a resource declaration.
    public var resourceKind: ResourceKind? {
        switch self {
        case .kwTopology: return .topology
        case .kwHost: return .host
        case .kwNic: return .nic
        case .kwVlan: return .vlan
        case .kwBond: return .bond
        case .kwBridge: return .bridge
        case .kwOvsBridge: return .ovsBridge
        case .kwNetwork: return .network
        case .kwVm: return .vm
        case .kwUser: return .user
        default: return nil
        }
    }

    /// Tokens that open a bracketed group (`{ [ ( ${` and string starts).
    var isOpener: Bool {
        switch self {
        case .lBrace, .lBracket, .lParen, .interpolationStart, .stringStart: return true
        default: return false
        }
    }

    /// Tokens that close a bracketed group.
    var isCloser: Bool {
        switch self {
        case .rBrace, .rBracket, .rParen, .interpolationEnd, .stringEnd: return true
        default: return false
        }
    }

    /// The fixed spelling of punctuation and keywords (nil for tokens with variable text).
    public var spelling: String? {
        switch self {
        case .kwImport: return "import"
        case .kwTopology: return "topology"
        case .kwHost: return "host"
        case .kwNic: return "nic"
        case .kwVlan: return "vlan"
        case .kwBond: return "bond"
        case .kwBridge: return "bridge"
        case .kwOvsBridge: return "ovs-bridge"
        case .kwNetwork: return "network"
        case .kwVm: return "vm"
        case .kwUser: return "user"
        case .kwOn: return "on"
        case .kwLet: return "let"
        case .kwFn: return "fn"
        case .kwFor: return "for"
        case .kwIn: return "in"
        case .kwIf: return "if"
        case .kwElse: return "else"
        case .kwAssert: return "assert"
        case .kwTrue: return "true"
        case .kwFalse: return "false"
        case .kwAuto: return "auto"
        case .kwDhcp: return "dhcp"
        case .kwPod: return "pod"
        case .lBrace: return "{"
        case .rBrace, .interpolationEnd: return "}"
        case .lBracket: return "["
        case .rBracket: return "]"
        case .lParen: return "("
        case .rParen: return ")"
        case .comma: return ","
        case .dot: return "."
        case .assign: return "="
        case .colon: return ":"
        case .arrow: return "->"
        case .ellipsis: return "..."
        case .dotDot: return ".."
        case .dotDotEqual: return "..="
        case .equalEqual: return "=="
        case .notEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .ampAmp: return "&&"
        case .pipePipe: return "||"
        case .bang: return "!"
        case .interpolationStart: return "${"
        default: return nil
        }
    }

    /// All reserved words, in the order of LANGUAGE.md §2: the spellings of the keyword tokens
    /// (the one list; `Lexer.keyword` recognises exactly these, as `LexerTests` checks).
    public static let keywords: [String] = allCases.filter(\.isKeyword).compactMap(\.spelling)
}

/// One token: its kind, byte range, and a literal payload (see `TokenKind`).
public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    /// Bit 0: a newline (or a comment spanning one) stands between the previous token and this one.
    /// Bit 1: synthetic (inserted to close an unterminated string; zero-length).
    public var flags: UInt8
    public var start: Int32
    public var end: Int32
    public var payload: Int64

    public init(kind: TokenKind, start: Int, end: Int, payload: Int64 = 0, flags: UInt8 = 0) {
        self.kind = kind; self.flags = flags
        self.start = Int32(truncatingIfNeeded: start); self.end = Int32(truncatingIfNeeded: end)
        self.payload = payload
    }

    public var newlineBefore: Bool { flags & 1 != 0 }
    public var isSynthetic: Bool { flags & 2 != 0 }
    public var startOffset: Int { Int(start) }
    public var endOffset: Int { Int(end) }
}

/// The result of lexing one file: tokens (ending in `.endOfFile`), comment spans, decoded string
/// pieces and the lexical diagnostics.
public struct LexedFile: Sendable {
    public let file: FileID
    public let bytes: [UInt8]
    public internal(set) var tokens: [Token]
    public internal(set) var comments: [Span]
    /// Decoded text of `.stringText` tokens (indexed by their payload).
    public internal(set) var texts: [String]
    public internal(set) var diagnostics: [Diagnostic]
    /// An unterminated block comment or multi-line string (or too deep interpolation) ran to the
    /// end of the file: whatever is missing at the end is a consequence, not a new error.
    public internal(set) var endSwallowed: Bool = false

    public func span(of token: Token) -> Span { Span(file: file, start: token.startOffset, end: token.endOffset) }

    /// The token's source text.
    public func text(of token: Token) -> String {
        let s = max(0, min(token.startOffset, bytes.count)), e = max(s, min(token.endOffset, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// The decoded text of a `.stringText` token.
    public func stringText(of token: Token) -> String? {
        guard token.kind == .stringText, token.payload >= 0, token.payload < texts.count else { return nil }
        return texts[Int(token.payload)]
    }

    public func integerValue(of token: Token) -> Int64? { token.kind == .integer ? token.payload : nil }
    public func quantityValue(of token: Token) -> Quantity? { token.kind == .quantity ? Quantity(bytes: token.payload) : nil }
    public func ipv4Value(of token: Token) -> IPAddress? {
        token.kind == .ipv4 ? IPAddress(v4: UInt32(truncatingIfNeeded: token.payload)) : nil
    }
    public func ipv4PrefixValue(of token: Token) -> IfAddr? {
        guard token.kind == .ipv4Prefix else { return nil }
        return IfAddr(address: IPAddress(v4: UInt32(truncatingIfNeeded: token.payload >> 8)),
                      prefix: Int(token.payload & 0xFF))
    }
}
