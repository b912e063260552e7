import CYaml
import WukongIR
import WukongParallel
import WukongNet
#if canImport(Glibc)
import Glibc
#endif

/// YAML rendering of Kubernetes objects through libyaml's event emitter (the C library that
/// Yams wraps): block style, 2-space indentation, no line wrapping, keys in the order of the
/// `KubeValue` maps, `---` between documents. libyaml decides what the syntax needs (it
/// quotes `: ` or a leading `-`); `needsQuotes` decides what the *types* need: every string
/// that some YAML 1.1 or 1.2 resolver would read as something other than a string is written
/// double-quoted, as are all IP addresses, prefixes and MACs.
public enum YAMLOutput {
    /// A multi-document stream, `---` between documents, newline-terminated.
    ///
    /// Large inputs are emitted in contiguous chunks on several threads, each by its own
    /// libyaml emitter, and joined with the `---` line libyaml writes between documents, so
    /// the text is the same as one emitter's.
    public static func stream(_ objects: [KubeObject]) -> String {
        let parts = Parallel.map(Parallel.chunks(objects.count)) { r -> [UInt8] in
            let w = YAMLWriter()
            for i in r { w.document(objects[i].body) }
            return w.finishBytes()
        }
        return joinDocuments(parts)
    }

    /// The same bytes as `stream`, handed to `sink` piece by piece in order, without building
    /// one String (for 100 000 VMs that is 270 MB less to allocate, copy and validate): the
    /// CLI writes the pieces straight to standard output.
    public static func stream(_ objects: [KubeObject], into sink: (UnsafeRawBufferPointer) -> Void) {
        let parts = Parallel.map(Parallel.chunks(objects.count)) { r -> [UInt8] in
            let w = YAMLWriter()
            for i in r { w.document(objects[i].body) }
            return w.finishBytes()
        }
        let separator = Array("---\n".utf8)
        let end = Array("...\n".utf8)
        let nonEmpty = parts.filter { !$0.isEmpty }
        for (i, p) in nonEmpty.enumerated() {
            if i > 0 { separator.withUnsafeBytes(sink) }
            let trim = i < nonEmpty.count - 1 && p.count >= 4 && Array(p.suffix(4)) == end
            p.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[0..<(p.count - (trim ? 4 : 0))])) }
        }
    }

    /// Concatenates emitted streams with `---` lines between them.
    static func joinDocuments(_ parts: [[UInt8]]) -> String {
        let separator = Array("---\n".utf8)
        let end = Array("...\n".utf8)
        var nonEmpty = parts.filter { !$0.isEmpty }
        // libyaml closes a stream whose last document is open-ended (`|+`) with `...`; one
        // emitter would not have written it between documents.
        for i in nonEmpty.indices.dropLast() where nonEmpty[i].count >= 4 && Array(nonEmpty[i].suffix(4)) == end {
            nonEmpty[i].removeLast(4)
        }
        let total = nonEmpty.reduce(0) { $0 + $1.count } + separator.count * max(0, nonEmpty.count - 1)
        return String(unsafeUninitializedCapacity: total) { buf in
            var at = 0
            for (i, p) in nonEmpty.enumerated() {
                if i > 0 {
                    for c in separator { buf[at] = c; at += 1 }
                }
                p.withUnsafeBufferPointer { src in
                    _ = UnsafeMutableBufferPointer(rebasing: buf[at..<(at + src.count)]).initialize(from: src)
                }
                at += p.count
            }
            return at
        }
    }

    /// One object as a single YAML document (no `---`).
    public static func document(_ object: KubeObject) -> String {
        let w = YAMLWriter()
        w.document(object.body)
        return w.finish()
    }

    /// One value as a single YAML document.
    public static func document(_ value: KubeValue) -> String {
        let w = YAMLWriter()
        w.document(value)
        return w.finish()
    }

    /// True when `s`, written as a plain scalar, would not read back as this string under
    /// some YAML 1.1 or 1.2 resolver, or is an address (IP, prefix, MAC) that we always quote.
    ///
    /// Quoted: the empty string; leading/trailing white space; line breaks and tabs; a
    /// leading indicator character (`- ? : , [ ] { } # & * ! | > ' " % @ ~ = <` and
    /// backquote); `: `, ` #` or a trailing `:`; the 1.1 booleans and nulls in any case
    /// (`y n yes no on off true false null`), `.inf`/`.nan`; anything starting with a digit
    /// (or `+`/`.` and a digit or dot) made only of characters that numbers, timestamps,
    /// base-60 numbers and addresses use (digits, hex letters, `x o t z _ . : + - /`, space);
    /// anything made only of hex digits, `.`, `:` and `/` with a `.` or `:` in it (IPv6
    /// addresses and MACs that start with a letter).
    public static func needsQuotes(_ s: String) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ needsQuotes(bytes: $0) }) { return r }
        return Array(s.utf8).withUnsafeBufferPointer { needsQuotes(bytes: $0) }
    }

    private static let charClass: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] |= digit | numeric | address }
        for c in Array("abcdefABCDEF".utf8) { t[Int(c)] |= numeric | address }
        for c in Array("xXoOtTzZ_+- ".utf8) { t[Int(c)] |= numeric }
        for c in Array(".:/".utf8) { t[Int(c)] |= numeric | address }
        for c in Array("-?:,[]{}#&*!|>'\"%@`~=<".utf8) { t[Int(c)] |= indicator }
        for c: UInt8 in [0x0A, 0x0D, 0x09] { t[Int(c)] |= control }
        for c in Array(" #.:".utf8) + [0x0A, 0x0D, 0x09] { t[Int(c)] |= rare }
        return t
    }()
    private static let digit: UInt8 = 1, numeric: UInt8 = 2, address: UInt8 = 4, indicator: UInt8 = 8, control: UInt8 = 16
    /// The characters the scan looks at more closely: space, `#`, `.`, `:` and the controls.
    private static let rare: UInt8 = 32

    /// `y n yes no on off true false null .inf +.inf .nan`, lowercase, packed little-endian.
    private static let reservedWords: [UInt64] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null",
                                                  ".inf", "+.inf", ".nan"].map { pack(Array($0.utf8)[...]) }

    private static func pack<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var v: UInt64 = 0, shift: UInt64 = 0
        for c in bytes {
            let l = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
            v |= UInt64(l) << shift
            shift += 8
        }
        return v
    }

    static func needsQuotes(bytes u: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = u.count
        guard n > 0 else { return true }
        return charClass.withUnsafeBufferPointer { table in
            let first = u[0], last = u[n - 1]
            if first == 0x20 || last == 0x20 || table[Int(first)] & indicator != 0 || last == UInt8(ascii: ":") {
                return true
            }
            if n <= 5 && reservedWords.contains(pack(u)) { return true }
            var all: UInt8 = numeric | address
            var punct = false
            for i in 0..<n {
                let c = u[i]
                let k = table[Int(c)]
                all &= k
                if k & rare == 0 { continue }
                if k & control != 0 { return true }
                // `first` is not a space: a space or `#` here has a character before it.
                if c == 0x20 && u[i - 1] == UInt8(ascii: ":") { return true }
                if c == UInt8(ascii: "#") && i > 0 && u[i - 1] == 0x20 { return true }
                if c == UInt8(ascii: ".") || c == UInt8(ascii: ":") { punct = true }
            }
            if all & address != 0 && punct { return true }
            if all & numeric != 0 {
                if table[Int(first)] & digit != 0 { return true }
                if (first == UInt8(ascii: "+") || first == UInt8(ascii: ".")) && n > 1
                    && (table[Int(u[1])] & digit != 0 || u[1] == UInt8(ascii: ".")) { return true }
            }
            return false
        }
    }
}

/// Joins emitted streams (each one emitter's output for a run of consecutive documents) into
/// the bytes one emitter would write, handing them to `sink` as they come: `---` between
/// streams, and the `...` that closes an open-ended stream dropped unless it is the last.
struct YAMLJoiner {
    let sink: (UnsafeRawBufferPointer) -> Void
    private var pending: YAMLText? = nil

    init(sink: @escaping (UnsafeRawBufferPointer) -> Void) { self.sink = sink }

    private static let separator = Array("---\n".utf8)

    mutating func add(_ part: YAMLText) {
        if part.count == 0 { return }
        if let p = pending {
            let b = p.bytes
            let n = b.count
            let trim = n >= 4 && b[n - 4] == UInt8(ascii: ".") && b[n - 3] == UInt8(ascii: ".")
                && b[n - 2] == UInt8(ascii: ".") && b[n - 1] == 0x0A
            sink(UnsafeRawBufferPointer(rebasing: b[0..<(n - (trim ? 4 : 0))]))
            YAMLJoiner.separator.withUnsafeBytes(sink)
        }
        pending = part
    }

    mutating func finish() {
        if let p = pending { sink(p.bytes) }
        pending = nil
    }
}

/// Emitted bytes in memory from `malloc`, freed with the object: a job's output handed from
/// a worker thread to the writer without a copy.
final class YAMLText: @unchecked Sendable {
    private let base: UnsafeMutablePointer<UInt8>?
    let count: Int

    init(taking base: UnsafeMutablePointer<UInt8>?, count: Int) {
        self.base = base
        self.count = count
    }

    deinit { free(base) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// Renders many small independent YAML documents (the cloud-init payloads of a chunk of VMs)
/// with one libyaml emitter: each is one document of a stream, cut out of the output after
/// its end (libyaml flushes there) without the `---` line that starts every later document.
/// The bytes are the same as a fresh emitter's for that document alone.
final class YAMLDocuments {
    private let writer = YAMLWriter()
    private var first = true
    /// The last VM's userData inputs and its base64 text (see `Builder.secret`).
    var lastUserData: (users: [User], run: [String], cloudConfig: String?, base64: String)?

    func render(_ body: (YAMLWriter) -> Void) -> [UInt8] {
        withRendered(body) { Array($0) }
    }

    /// Renders one document and hands its bytes to `use` (valid only inside `use`).
    func withRendered<R>(_ body: (YAMLWriter) -> Void, _ use: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        writer.beginDocument()
        body(writer)
        writer.endDocument()
        // A document ending in a keep-chomped block scalar (`|+`) is open-ended: a stream
        // ending there gets libyaml's `...` line, so this document gets it too.
        if writer.openEnded { writer.appendBytes("...\n") }
        defer { writer.clearBytes(); first = false }
        return writer.withBytes { out in
            if !first, out.count >= 4, out[0] == UInt8(ascii: "-"), out[1] == UInt8(ascii: "-"),
               out[2] == UInt8(ascii: "-"), out[3] == 0x0A || out[3] == 0x20 {
                return use(UnsafeBufferPointer(rebasing: out[4...]))
            }
            return use(out)
        }
    }
}

/// Emits `KubeValue`s, `ValueSink` calls (and parsed user YAML) as libyaml events into a byte
/// buffer. Scalar events are filled in directly (the text is valid UTF-8: it comes from
/// Swift strings), not through `yaml_scalar_event_initialize`, which would check it again.
final class YAMLWriter: ValueSink {
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    /// The output, written by libyaml's write handler (at each document end and when its own
    /// buffer is full). Raw memory: the handler runs once per document.
    private let out: UnsafeMutablePointer<(base: UnsafeMutablePointer<UInt8>?, count: Int, capacity: Int)>
    /// `failed` and `opened` live behind a pointer: read on every event, and a class's stored
    /// `var`s would cost a dynamic exclusivity check each time.
    private let flags: UnsafeMutablePointer<(failed: Bool, opened: Bool)>
    var failed: Bool {
        get { flags.pointee.failed }
        set { flags.pointee.failed = newValue }
    }

    init() {
        flags = UnsafeMutablePointer<(failed: Bool, opened: Bool)>.allocate(capacity: 1)
        flags.initialize(to: (false, false))
        out = .allocate(capacity: 1)
        out.initialize(to: (nil, 0, 0))
        emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        emitter.initialize(to: yaml_emitter_t())
        yaml_emitter_initialize(emitter)
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            YAMLWriter.append(data.assumingMemoryBound(to: (base: UnsafeMutablePointer<UInt8>?, count: Int, capacity: Int).self),
                              buffer, size)
            return 1
        }, UnsafeMutableRawPointer(out))
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)
        yaml_emitter_set_encoding(emitter, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
        flags.deallocate()
        free(out.pointee.base)
        out.deallocate()
    }

    private static func append(_ out: UnsafeMutablePointer<(base: UnsafeMutablePointer<UInt8>?, count: Int, capacity: Int)>,
                               _ bytes: UnsafePointer<UInt8>, _ size: Int) {
        let need = out.pointee.count + size
        if need > out.pointee.capacity {
            let capacity = max(need, out.pointee.capacity * 2, 4096)
            guard let grown = realloc(out.pointee.base, capacity) else { fatalError("out of memory") }
            out.pointee.base = grown.assumingMemoryBound(to: UInt8.self)
            out.pointee.capacity = capacity
        }
        if size > 0 { memcpy(out.pointee.base! + out.pointee.count, bytes, size) }
        out.pointee.count = need
    }

    /// Appends `text` to the output as it is (not through libyaml: used for the `...` line).
    func appendBytes(_ text: StaticString) {
        YAMLWriter.append(out, text.utf8Start, text.utf8CodeUnitCount)
    }

    /// The bytes written so far.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: out.pointee.base, count: out.pointee.count))
    }

    func clearBytes() { out.pointee.count = 0 }

    private func emit(_ event: inout yaml_event_t) {
        if failed { yaml_event_delete(&event); return }
        if yaml_emitter_emit(emitter, &event) != 1 { failed = true }
    }

    private func openIfNeeded() {
        if flags.pointee.opened { return }
        flags.pointee.opened = true
        var e = yaml_event_t()
        yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING)
        emit(&e)
    }

    func document(_ value: KubeValue) {
        beginDocument()
        self.value(value)
        endDocument()
    }

    func beginDocument() {
        openIfNeeded()
        var e = yaml_event_t()
        yaml_document_start_event_initialize(&e, nil, nil, nil, 1)
        emit(&e)
    }

    func endDocument() {
        var e = yaml_event_t()
        yaml_document_end_event_initialize(&e, 1)
        emit(&e)
    }

    /// libyaml will close the stream with `...` (the last document ends in a `|+` block scalar).
    var openEnded: Bool { emitter.pointee.open_ended == 2 }

    /// The bytes written so far (libyaml flushes at each document end), leaving the buffer empty.
    func takeBytes() -> [UInt8] {
        defer { clearBytes() }
        return withBytes { Array($0) }
    }

    /// Closes the stream and returns the text.
    func finish() -> String { String(decoding: finishBytes(), as: UTF8.self) }

    /// Closes the stream and returns the UTF-8 bytes.
    func finishBytes() -> [UInt8] {
        finishStream()
        return takeBytes()
    }

    /// Closes the stream and hands over its bytes (the buffer itself, not a copy).
    func finishText() -> YAMLText {
        finishStream()
        let text = YAMLText(taking: out.pointee.base, count: out.pointee.count)
        out.pointee = (nil, 0, 0)
        return text
    }

    private func finishStream() {
        openIfNeeded()
        var e = yaml_event_t()
        yaml_stream_end_event_initialize(&e)
        emit(&e)
        yaml_emitter_flush(emitter)
    }

    func value(_ v: KubeValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .bool(let b): bool(b)
        case .null: plainConstant("null")
        case .list(let items):
            sequenceStart()
            for item in items { value(item) }
            sequenceEnd()
        case .map(let fields):
            mappingStart()
            for f in fields {
                string(f.key)
                value(f.value)
            }
            mappingEnd()
        }
    }

    /// A string scalar: literal block when multi-line (libyaml falls back to double quotes
    /// when a block scalar cannot hold it), double-quoted when `needsQuotes`, else plain.
    func string(_ s: String) {
        var s = s
        s.withUTF8 { string(bytes: $0) }
    }

    func string(bytes u: UnsafeBufferPointer<UInt8>) {
        scalar(u, style: YAMLWriter.style(u))
    }

    static func style(_ u: UnsafeBufferPointer<UInt8>) -> yaml_scalar_style_t {
        if !YAMLOutput.needsQuotes(bytes: u) { return YAML_PLAIN_SCALAR_STYLE }
        if u.contains(0x0A) { return YAML_LITERAL_SCALAR_STYLE }
        return singleQuotable(u) ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE
    }

    /// Single quotes read better for text full of `"` or `\\` (the JSON in a NAD's `spec.config`):
    /// nothing needs escaping there as long as the text has no `'` and no control character.
    static func singleQuotable(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { singleQuotable($0) }
    }

    static func singleQuotable(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var wants = false
        for c in u {
            if c == UInt8(ascii: "'") || c < 0x20 || c == 0x7F { return false }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { wants = true }
        }
        return wants
    }

    func plain(_ s: String) {
        var s = s
        s.withUTF8 { scalar($0, style: YAML_PLAIN_SCALAR_STYLE) }
    }

    func word(_ s: StaticString) {
        let u = UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
        assert(!YAMLOutput.needsQuotes(bytes: u), "\(s) needs quotes")
        scalar(u, style: YAML_PLAIN_SCALAR_STYLE)
    }

    func int(_ i: Int) {
        // Digits written backwards into a scalar buffer of their own (no String).
        var v = i.magnitude
        var digits = 1
        var t = v
        while t >= 10 { t /= 10; digits += 1 }
        let n = digits + (i < 0 ? 1 : 0)
        let p = YAMLWriter.allocateText(n)
        var at = n - 1
        repeat {
            p[at] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            at -= 1
        } while v > 0
        if i < 0 { p[0] = UInt8(ascii: "-") }
        scalar(owned: p, n, style: YAML_PLAIN_SCALAR_STYLE)
    }

    /// `true` / `false`: plain, so they read as booleans.
    func bool(_ b: Bool) { b ? plainConstant("true") : plainConstant("false") }

    private func plainConstant(_ s: StaticString) {
        scalar(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), style: YAML_PLAIN_SCALAR_STYLE)
    }

    func mapStart() { mappingStart() }
    func mapEnd() { mappingEnd() }
    func listStart() { sequenceStart() }
    func listEnd() { sequenceEnd() }

    func base64(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = Base64.encodedLength(bytes.count)
        let p = YAMLWriter.allocateText(n)
        Base64.encode(bytes, into: p)
        scalar(owned: p, n, style: YAMLWriter.base64Style(UnsafeBufferPointer(start: p, count: n)))
    }

    func mac(_ m: MACAddress) {
        let p = YAMLWriter.allocateText(17)
        m.write(into: p)
        scalar(owned: p, 17, style: YAMLWriter.style(UnsafeBufferPointer(start: p, count: 17)))
    }

    func base64Text(_ s: String) {
        var s = s
        s.withUTF8 { scalar($0, style: YAMLWriter.base64Style($0)) }
    }

    /// `style(u)` for base64 text (letters, digits, `+`, `/`, trailing `=`), mostly without
    /// reading it: no space, line break, `:`, `#` or `.` occurs in it, and it does not start
    /// with an indicator, so only the short reserved words and the number-like forms (which
    /// start with a digit or `+`) can need quotes.
    static func base64Style(_ u: UnsafeBufferPointer<UInt8>) -> yaml_scalar_style_t {
        if u.count > 5, let first = u.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
           first != UInt8(ascii: "+") {
            return YAML_PLAIN_SCALAR_STYLE
        }
        return style(u)
    }

    func scalar(_ s: String, style: yaml_scalar_style_t) {
        var s = s
        s.withUTF8 { scalar($0, style: style) }
    }

    /// `count + 1` bytes from libyaml's allocator (`malloc`), the last one NUL: libyaml frees
    /// an event's text when it is done with it.
    private static func allocateText(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        guard let raw = malloc(count + 1) else { fatalError("out of memory") }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        p[count] = 0
        return p
    }

    /// An implicit (untagged) scalar event of a copy of `u`.
    func scalar(_ u: UnsafeBufferPointer<UInt8>, style: yaml_scalar_style_t) {
        let n = u.count
        let p = YAMLWriter.allocateText(n)
        if n > 0 { memcpy(p, u.baseAddress!, n) }
        scalar(owned: p, n, style: style)
    }

    /// An implicit (untagged) scalar event whose text `p` (from `allocateText`) libyaml takes over.
    private func scalar(owned p: UnsafeMutablePointer<UInt8>, _ n: Int, style: yaml_scalar_style_t) {
        // The union member is written whole: field by field, each write would read the union
        // back (a store-forwarding stall per field).
        var e = yaml_event_t()
        e.type = YAML_SCALAR_EVENT
        e.data.scalar = .init(anchor: nil, tag: nil, value: p, length: n, plain_implicit: 1, quoted_implicit: 1,
                              style: style)
        emit(&e)
    }

    func mappingStart() {
        var e = yaml_event_t()
        e.type = YAML_MAPPING_START_EVENT
        e.data.mapping_start = .init(anchor: nil, tag: nil, implicit: 1, style: YAML_BLOCK_MAPPING_STYLE)
        emit(&e)
    }

    func mappingEnd() {
        var e = yaml_event_t()
        e.type = YAML_MAPPING_END_EVENT
        emit(&e)
    }

    func sequenceStart() {
        var e = yaml_event_t()
        e.type = YAML_SEQUENCE_START_EVENT
        e.data.sequence_start = .init(anchor: nil, tag: nil, implicit: 1, style: YAML_BLOCK_SEQUENCE_STYLE)
        emit(&e)
    }

    func sequenceEnd() {
        var e = yaml_event_t()
        e.type = YAML_SEQUENCE_END_EVENT
        emit(&e)
    }

    /// Copies the key/value pairs of the top-level mapping of `text` (user YAML: `cloud_config`)
    /// into the mapping being written, event by event from libyaml's parser to its emitter, so
    /// every scalar keeps its style, tag and implicit-ness — a plain `no` stays the boolean a YAML
    /// 1.1 reader sees, a quoted `'0644'` stays a string. Returns false (writing nothing) when the
    /// text does not parse or its first document is not a mapping; the front end has checked it.
    @discardableResult
    func forwardTopLevelPairs(of text: String) -> Bool {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return false }
        // Parse fully first: nothing reaches the emitter unless the whole document is fine.
        var events: [yaml_event_t] = []
        var ok = true
        bytes.withUnsafeMutableBufferPointer { buf in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { ok = false; return }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var depth = 0
            var started = false
            while true {
                var e = yaml_event_t()
                guard yaml_parser_parse(&parser, &e) == 1 else { ok = false; break }
                let type = e.type
                if type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT {
                    yaml_event_delete(&e); break
                }
                if type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT {
                    yaml_event_delete(&e); continue
                }
                if !started {
                    started = true
                    yaml_event_delete(&e)
                    if type != YAML_MAPPING_START_EVENT { ok = false; break }
                    depth = 1
                    continue
                }
                if type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT { depth += 1 }
                if type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT {
                    depth -= 1
                    if depth == 0 { yaml_event_delete(&e); break }
                }
                events.append(e)
            }
        }
        if !ok {
            for i in events.indices { yaml_event_delete(&events[i]) }
            return false
        }
        for i in events.indices { emit(&events[i]) }
        return true
    }
}
