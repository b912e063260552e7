/// Renders diagnostics as text. Pure functions over values: the CLI decides where they go.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case human, json, gnu
}

public struct DiagnosticRenderer: Sendable {
    public let sources: SourceMap
    public let color: Bool

    public init(sources: SourceMap, color: Bool = false) {
        self.sources = sources
        self.color = color
    }

    public func render(_ d: Diagnostic, as format: DiagnosticFormat) -> String {
        switch format {
        case .human: return human(d)
        case .json: return json(d)
        case .gnu: return gnu(d)
        }
    }

    /// Human output shows a warning code that occurs more than this many times only this many
    /// times, then one line counting the rest (a fleet repeats one warning per VM); json and gnu
    /// list everything.
    public static let repeatedWarningsShown = 3

    /// A whole list, as the CLI prints it. Human: blank lines between diagnostics, and each
    /// warning code past `repeatedWarningsShown` folded into one line after its last shown one,
    /// naming `listAll`, the option that lists them all. Errors are never folded (the driver
    /// caps them, `Driver.maxErrors`).
    public func render(_ ds: [Diagnostic], as format: DiagnosticFormat, listAll: String = "--format json") -> String {
        guard format == .human else { return ds.map { render($0, as: format) }.joined() }
        let limit = Self.repeatedWarningsShown
        var total: [DiagnosticCode: Int] = [:]
        for d in ds where d.severity == .warning { total[d.code, default: 0] += 1 }
        var shown: [DiagnosticCode: Int] = [:]
        var out = ""
        func add(_ block: String) {
            if !out.isEmpty { out += "\n" }
            out += block
        }
        for d in ds {
            guard d.severity == .warning, let n = total[d.code], n > limit else { add(human(d)); continue }
            let k = shown[d.code, default: 0] + 1
            shown[d.code] = k
            if k > limit { continue }
            add(human(d))
            if k == limit { add(paint(Self.moreLikeThis(n - limit, code: d.code, listAll: listAll), "1") + "\n") }
        }
        return out
    }

    // MARK: gnu

    /// `file:line:col: error: message [CODE]`, then one `note:` line per note.
    public func gnu(_ d: Diagnostic) -> String {
        var out = "\(position(d.span)): \(d.severity.rawValue): \(d.message) [\(d.code.rawValue)]\n"
        for n in d.notes { out += "\(position(n.span)): note: \(n.message)\n" }
        if let h = d.help { out += "\(position(d.span)): note: help: \(h)\n" }
        return out
    }

    func position(_ span: Span) -> String {
        guard let f = sources[span.file] else { return "<unknown>" }
        let l = f.location(of: span.startOffset)
        return "\(f.path):\(l.line):\(l.column)"
    }

    // MARK: json

    /// One JSON object on one line (1-based lines; columns count Unicode scalars).
    public func json(_ d: Diagnostic) -> String {
        var fields: [(String, String)] = []
        if let f = sources[d.span.file] {
            let s = f.location(of: d.span.startOffset), e = f.location(of: d.span.endOffset)
            fields += [("file", Self.quote(f.path)), ("line", "\(s.line)"), ("column", "\(s.column)"),
                       ("end_line", "\(e.line)"), ("end_column", "\(e.column)")]
        } else {
            fields += [("file", "null"), ("line", "null"), ("column", "null"), ("end_line", "null"), ("end_column", "null")]
        }
        fields += [("severity", Self.quote(d.severity.rawValue)), ("code", Self.quote(d.code.rawValue)),
                   ("check", Self.quote(d.code.check)), ("message", Self.quote(d.message))]
        let notes = d.notes.map { n -> String in
            if let f = sources[n.span.file] {
                let l = f.location(of: n.span.startOffset)
                return "{\"file\":\(Self.quote(f.path)),\"line\":\(l.line),\"column\":\(l.column),\"message\":\(Self.quote(n.message))}"
            }
            return "{\"file\":null,\"line\":null,\"column\":null,\"message\":\(Self.quote(n.message))}"
        }
        fields.append(("notes", "[" + notes.joined(separator: ",") + "]"))
        fields.append(("help", d.help.map(Self.quote) ?? "null"))
        if let vm = d.instance { fields.append(("instance", Self.quote(vm))) }
        if !d.fixIts.isEmpty, let f = sources[d.fixIts[0].span.file] {
            let fixes = d.fixIts.map { fx -> String in
                let s = f.location(of: fx.span.startOffset), e = f.location(of: fx.span.endOffset)
                return "{\"line\":\(s.line),\"column\":\(s.column),\"end_line\":\(e.line),\"end_column\":\(e.column),\"replacement\":\(Self.quote(fx.replacement))}"
            }
            fields.append(("fixits", "[" + fixes.joined(separator: ",") + "]"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    // MARK: human

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// rustc-style: `error[E0402]: message`, `--> file:line:col`, the source line with `^^^`
    /// under the span, notes with their own snippets, `= help:`.
    public func human(_ d: Diagnostic) -> String {
        let sevColor = d.severity == .error ? "1;31" : d.severity == .warning ? "1;33" : "1;36"
        var out = paint("\(d.severity.rawValue)[\(d.code.rawValue)]", sevColor) + paint(": \(d.message)", "1") + "\n"
        var lineNumbers: [Int] = []
        if let f = sources[d.span.file] { lineNumbers.append(f.location(of: d.span.startOffset).line) }
        for n in d.notes { if let f = sources[n.span.file] { lineNumbers.append(f.location(of: n.span.startOffset).line) } }
        let gutter = String(lineNumbers.max() ?? 1).count
        let pad = String(repeating: " ", count: gutter)
        out += snippet(d.span, label: nil, marker: "^", markColor: sevColor, pad: pad, gutter: gutter)
        for n in d.notes {
            out += paint("note", "1;36") + ": \(n.message)\n"
            out += snippet(n.span, label: nil, marker: "-", markColor: "1;36", pad: pad, gutter: gutter)
        }
        if let h = d.help {
            out += "\(pad) \(paint("=", "1;34")) \(paint("help", "1")): \(h)\n"
        }
        return out
    }

    func snippet(_ span: Span, label: String?, marker: Character, markColor: String, pad: String, gutter: Int) -> String {
        guard let f = sources[span.file] else { return "" }
        let s = f.location(of: span.startOffset)
        let e = f.location(of: span.endOffset)
        var out = "\(pad)\(paint("-->", "1;34")) \(f.path):\(s.line):\(s.column)\n"
        let bar = paint("|", "1;34")
        out += "\(pad) \(bar)\n"
        let raw = f.lineText(s.line)
        // Tabs become one space so the carets line up.
        let text = String(raw.map { $0 == "\t" ? " " : $0 })
        let num = String(s.line)
        out += paint(String(repeating: " ", count: gutter - num.count) + num, "1;34") + " \(bar) \(text)\n"
        let lineLen = text.unicodeScalars.count
        let startCol = s.column
        var endCol = e.line == s.line ? e.column : lineLen + 1
        if endCol <= startCol { endCol = startCol + 1 }
        let width = max(1, min(endCol, max(lineLen + 1, startCol + 1)) - startCol)
        let marks = String(repeating: marker, count: width)
        out += "\(pad) \(bar) " + String(repeating: " ", count: max(0, startCol - 1)) + paint(marks, markColor)
        if let label { out += " " + label }
        out += "\n"
        return out
    }
}
