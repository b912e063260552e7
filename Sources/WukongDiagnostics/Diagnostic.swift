// WukongDiagnostics: what every stage reports with. Source files and spans (byte offsets;
// line and column computed at the edge), the diagnostic value, the code table, the catalogue of
// constructors with their `explain` texts (`Catalogue/`), "did you mean" and the renderers.

public enum Severity: String, Sendable, Comparable {
    case error, warning, note
    var rank: Int { switch self { case .error: 0; case .warning: 1; case .note: 2 } }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A secondary label: a related place with a short message ("first declared here").
public struct DiagnosticNote: Sendable, Equatable {
    public let span: Span
    public let message: String
    /// Internal: notes are written by the catalogue's constructors only.
    init(_ message: String, at span: Span) { self.span = span; self.message = message }
}

/// A suggested replacement of `span` by `replacement`.
public struct FixIt: Sendable, Equatable {
    public let span: Span
    public let replacement: String
    public init(replace span: Span, with replacement: String) { self.span = span; self.replacement = replacement }
}

/// One finding. Built only by the catalogue's constructors (`Catalogue/*.swift`, one per
/// diagnostic: `Diagnostic.addressOutsideSubnet(…)`), which hold every message text; never
/// printed below the CLI.
public struct Diagnostic: Sendable, Equatable {
    public let code: DiagnosticCode
    public var severity: Severity
    public let message: String
    public let span: Span
    public var notes: [DiagnosticNote]
    public var help: String?
    public var fixIts: [FixIt]
    /// The name of the element (a VM) the diagnostic is about when its declaration makes several
    /// (a `for`, a `fn` called twice): they share the span, so the span alone cannot say which.
    /// Set with its note by `inInstance` (Catalogue/VM.swift).
    public internal(set) var instance: String? = nil

    init(_ code: DiagnosticCode, _ message: String, at span: Span,
                notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = [],
                severity: Severity? = nil) {
        self.code = code
        self.severity = severity ?? code.severity
        self.message = message
        self.span = span
        self.notes = notes
        self.help = help
        self.fixIts = fixIts
    }

    func note(_ message: String, at span: Span) -> Diagnostic {
        var d = self; d.notes.append(DiagnosticNote(message, at: span)); return d
    }
    func help(_ text: String) -> Diagnostic { var d = self; d.help = text; return d }
}

/// Collects diagnostics; callers decide how to order, cap and render them.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []
    public init() {}
    public mutating func add(_ d: Diagnostic) { items.append(d) }
    public mutating func add(contentsOf ds: [Diagnostic]) { items.append(contentsOf: ds) }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// Source order: (file, offset, code), de-duplicated. Stable. Sorts indices, not the
    /// diagnostics themselves (each is a large value: moving them dominated sorting).
    public func sorted() -> [Diagnostic] {
        let order = items.withUnsafeBufferPointer { buf in
            Array(buf.indices).sorted { i, j in
                let x = buf[i].span, y = buf[j].span
                if x.file != y.file { return x.file < y.file }
                if x.start != y.start { return x.start < y.start }
                let cx = buf[i].code.rawValue, cy = buf[j].code.rawValue
                if cx != cy { return cx < cy }
                return i < j
            }
        }
        var seen = Set<String>()
        var out: [Diagnostic] = []
        out.reserveCapacity(order.count)
        for i in order {
            let d = items[i]
            let key = "\(d.span)|\(d.code.rawValue)|\(d.message)|\(d.instance ?? "")"
            if seen.insert(key).inserted { out.append(d) }
        }
        return out
    }
}
