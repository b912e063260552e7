// libyaml as Yams bundles it (Yams's `CYaml` module, linked with Yams): the import reads its
// events directly, without Yams's `Node` tree.
internal import CYaml
import Foundation

/// YAML read straight from libyaml's parse events into plain values: mappings as `Object`,
/// sequences as `[Any]`, plain scalars `true`/`false`/integers typed, null (`null`, `~`, empty)
/// as absent, every other scalar a string (so `22.04` stays text). Aliases resolve to their
/// anchor's value; a mapping key written twice is an error, as in Yams. A 10 000-VM stream is
/// 21 MB of YAML, and a `Node` tree with Yams's duplicate-key pass costs twice this.
enum PlainYAML {
    struct Failure: Error, CustomStringConvertible {
        /// 1-based, within the text given
        var line: Int
        var column: Int
        var problem: String
        var description: String { "line \(line) column \(column): \(problem)" }
    }

    /// Every document of `text`, in order, up to the first error (returned beside them).
    /// A document whose root is null is `nil`.
    static func documents(_ text: Substring) -> (values: [Any?], error: Failure?) {
        var copy = String(text)
        return copy.withUTF8 { read($0, single: false) }
    }

    /// The only document of `text`; nil when it is not readable YAML or holds several documents.
    static func single(_ text: String) -> Any? {
        var copy = text
        let (values, error) = copy.withUTF8 { read($0, single: true) }
        guard error == nil, values.count == 1 else { return nil }
        return values[0]
    }

    /// A container being read. A mapping alternates key and value; `key` is nil while a key is
    /// awaited, and `.some(nil)` when the key is not a scalar (its value is dropped, as before).
    private struct Frame {
        var mapping: Object?
        var sequence: [Any]
        var key: String??
        var nullKeys: [String] = []   // keys whose value is null: absent from `mapping`
        var anchor: String?
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>, single: Bool) -> ([Any?], Failure?) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return ([], Failure(line: 1, column: 1, problem: "out of memory")) }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        // an empty buffer may have no base address; libyaml wants a pointer
        let empty: [UInt8] = [0]
        return empty.withUnsafeBufferPointer { fallback in
            yaml_parser_set_input_string(&parser, bytes.baseAddress ?? fallback.baseAddress!, bytes.count)
            return events(&parser, single: single)
        }
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let p else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
    }

    private static func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    /// A plain scalar typed as the import reads it.
    private static func typed(_ t: String) -> Any? {
        if t == "true" { return true }
        if t == "false" { return false }
        if t == "null" || t == "~" || t.isEmpty { return nil }
        if let first = t.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39), let i = Int(t) { return i }
        return t
    }

    private static func events(_ parser: inout yaml_parser_t, single: Bool) -> ([Any?], Failure?) {
        var documents: [Any?] = []
        var stack: [Frame] = []
        var anchors: [String: Any?] = [:]
        var anchorTexts: [String: String] = [:]   // a scalar anchor's text, for an alias used as a key
        var root: Any?? = nil   // the finished root of the current document

        func failure(_ mark: yaml_mark_t, _ problem: String) -> Failure {
            Failure(line: mark.line + 1, column: mark.column + 1, problem: problem)
        }

        /// Hands a finished value (or null) to the container being read. Nil: fine; else the error.
        func add(_ value: Any?, scalarKey: String?, isScalar: Bool, at mark: yaml_mark_t) -> Failure? {
            guard !stack.isEmpty else { root = .some(value); return nil }
            let top = stack.count - 1
            if stack[top].mapping != nil {
                guard let key = stack[top].key else {
                    // a key: a scalar's text; any other key keeps its value out
                    let k: String? = isScalar ? scalarKey : nil
                    if let k, stack[top].mapping![k] != nil || stack[top].nullKeys.contains(k) {
                        return failure(mark, "mapping key `\(k)` is written twice")
                    }
                    stack[top].key = .some(k)
                    return nil
                }
                stack[top].key = nil
                if let key {
                    if let value { stack[top].mapping![key] = value } else { stack[top].nullKeys.append(key) }
                }
            } else {
                stack[top].sequence.append(value ?? NSNull())
            }
            return nil
        }

        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "not YAML"
                let context = parser.context.map { String(cString: $0) }
                return (documents, failure(parser.problem_mark, context.map { "\(problem) \($0)" } ?? problem))
            }
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return (documents, nil)
            case YAML_DOCUMENT_START_EVENT:
                if single && !documents.isEmpty {
                    return (documents, failure(mark, "more than one document"))
                }
                root = nil
                anchors.removeAll(keepingCapacity: true)
                anchorTexts.removeAll(keepingCapacity: true)
            case YAML_DOCUMENT_END_EVENT:
                documents.append(root ?? nil)
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = string(s.value, s.length)
                let value: Any? = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE ? typed(text) : text
                if let anchor = cString(s.anchor) { anchors[anchor] = .some(value); anchorTexts[anchor] = text }
                if let f = add(value, scalarKey: text, isScalar: true, at: mark) { return (documents, f) }
            case YAML_ALIAS_EVENT:
                let name = cString(event.data.alias.anchor) ?? ""
                guard let value = anchors[name] else {
                    return (documents, failure(mark, "alias `*\(name)` names no anchor"))
                }
                let key = anchorTexts[name]
                if let f = add(value, scalarKey: key, isScalar: key != nil, at: mark) { return (documents, f) }
            case YAML_MAPPING_START_EVENT:
                stack.append(Frame(mapping: [:], sequence: [], key: nil, anchor: cString(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Frame(mapping: nil, sequence: [], key: nil, anchor: cString(event.data.sequence_start.anchor)))
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                let frame = stack.removeLast()
                let value: Any = frame.mapping.map { $0 as Any } ?? frame.sequence
                if let anchor = frame.anchor { anchors[anchor] = .some(value); anchorTexts[anchor] = nil }
                if let f = add(value, scalarKey: nil, isScalar: false, at: mark) { return (documents, f) }
            default:
                break   // stream start, no event
            }
        }
    }
}
