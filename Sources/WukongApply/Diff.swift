// `diff` support: objects normalised for comparison (server-managed fields removed), Secret
// data redacted, rendered as YAML, and a unified line diff.
import WukongKubernetes

public enum ObjectNormalizer {
    /// Removes what the server manages and the user does not write: `metadata.managedFields`,
    /// `resourceVersion`, `uid`, `creationTimestamp`, `generation`, and `status`.
    public static func strip(_ v: KubeValue) -> KubeValue {
        var out = v.removing(["status"])
        for key in ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"] {
            out = out.removing(["metadata", key])
        }
        return out
    }

    /// Secret values replaced by `***` — or `*** (before)` / `*** (after)` where the two sides
    /// differ, like `kubectl diff`, so a change is visible without the value.
    public static func redactSecrets(live: KubeValue?, merged: KubeValue?) -> (KubeValue?, KubeValue?) {
        func isSecret(_ v: KubeValue?) -> Bool { v?["kind"]?.stringValue == "Secret" }
        guard isSecret(live) || isSecret(merged) else { return (live, merged) }
        var l = live, m = merged
        for section in ["data", "stringData"] {
            let lf: [KubeField] = { if case .map(let f)? = live?[section] { return f }; return [] }()
            let mf: [KubeField] = { if case .map(let f)? = merged?[section] { return f }; return [] }()
            func mask(_ fields: [KubeField], other: [KubeField], tag: String) -> KubeValue {
                .map(fields.map { f in
                    let same = other.first { $0.key == f.key }?.value == f.value
                    return KubeField(f.key, .string(same ? "***" : "*** (\(tag))"))
                })
            }
            if l?[section] != nil { l = l?.setting(section, mask(lf, other: mf, tag: "before")) }
            if m?[section] != nil { m = m?.setting(section, mask(mf, other: lf, tag: "after")) }
        }
        return (l, m)
    }

    /// Redacts a single object (Secret data) for display.
    public static func redact(_ v: KubeValue) -> KubeValue {
        redactSecrets(live: v, merged: v).0 ?? v
    }
}

/// A small block-style YAML renderer for display (diffs). Strings that would read back as
/// another type are double-quoted; multi-line strings use literal blocks.
public enum YAMLText {
    public static func render(_ v: KubeValue) -> String {
        var out = ""
        emit(v, indent: 0, into: &out, inList: false)
        return out
    }

    static func emit(_ v: KubeValue, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch v {
        case .map(let fields):
            if fields.isEmpty { out += "{}\n"; return }
            var first = true
            for f in fields {
                if !(first && inList) { out += pad }
                first = false
                out += key(f.key) + ":"
                emitValue(f.value, indent: indent, into: &out)
            }
        case .list(let items):
            if items.isEmpty { out += "[]\n"; return }
            var first = true
            for item in items {
                if !(first && inList) { out += pad }
                first = false
                out += "- "
                switch item {
                case .map(let f) where !f.isEmpty: emit(item, indent: indent + 2, into: &out, inList: true)
                case .list(let l) where !l.isEmpty: emit(item, indent: indent + 2, into: &out, inList: true)
                default: out += scalar(item, indent: indent + 2) + "\n"
                }
            }
        default:
            out += scalar(v, indent: indent) + "\n"
        }
    }

    static func emitValue(_ v: KubeValue, indent: Int, into out: inout String) {
        switch v {
        case .map(let f) where !f.isEmpty:
            out += "\n"; emit(v, indent: indent + 2, into: &out, inList: false)
        case .list(let l) where !l.isEmpty:
            out += "\n"; emit(v, indent: indent, into: &out, inList: false)
        default:
            out += " " + scalar(v, indent: indent + 2) + "\n"
        }
    }

    static func key(_ k: String) -> String { needsQuotes(k) ? quoted(k) : k }

    static func scalar(_ v: KubeValue, indent: Int) -> String {
        switch v {
        case .string(let s):
            if s.contains("\n") && !s.contains("\r") && !s.hasPrefix(" ") {
                let pad = String(repeating: " ", count: indent)
                var body = s
                let chomp = body.hasSuffix("\n") ? "" : "-"
                if body.hasSuffix("\n") { body.removeLast() }
                if body.hasSuffix("\n") { return quoted(s) }  // trailing blank lines: keep exact
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
                return "|" + chomp + lines.map { $0.isEmpty ? "\n" : "\n" + pad + $0 }.joined()
            }
            return needsQuotes(s) ? quoted(s) : s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .map: return "{}"
        case .list: return "[]"
        }
    }

    static let reserved: Set<String> = ["", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
                                        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                                        "y", "Y", "n", "N", ".nan", ".NaN", ".inf", ".Inf", "-.inf", "-.Inf", "<<", "="]

    static func needsQuotes(_ s: String) -> Bool {
        if reserved.contains(s) { return true }
        guard let f = s.unicodeScalars.first, let l = s.unicodeScalars.last else { return true }
        if " -?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(f) { return true }
        if l == " " || l == ":" { return true }
        if s.contains(": ") || s.contains(" #") || s.contains("\t") { return true }
        for u in s.unicodeScalars where u.value < 0x20 || u.value == 0x7F { return true }
        // Numbers (int, float, octal, hex, base 60 like 52:54:00:12:34:56 in YAML 1.1)
        let numeric = s.unicodeScalars.allSatisfy { "0123456789+-.:_eExXoOabcdefABCDEF".unicodeScalars.contains($0) }
        if numeric && s.unicodeScalars.contains(where: { $0.properties.numericType != nil }) { return true }
        return false
    }

    static func quoted(_ s: String) -> String { KubeJSON.encodeString(.string(s)) }
}

/// Unified diff of two texts (line based, 3 lines of context), like `diff -u`.
public enum UnifiedDiff {
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        if a == b { return "" }
        // Common prefix and suffix first: objects differ in few places, so the quadratic part stays small.
        var pre = 0
        while pre < a.count && pre < b.count && a[pre] == b[pre] { pre += 1 }
        var suf = 0
        while suf < a.count - pre && suf < b.count - pre && a[a.count - 1 - suf] == b[b.count - 1 - suf] { suf += 1 }
        let am = Array(a[pre..<(a.count - suf)]), bm = Array(b[pre..<(b.count - suf)])
        // ops: (" ", line) / ("-", line) / ("+", line) over the whole files
        var ops: [(Character, String)] = a[..<pre].map { (" ", $0) }
        ops += lcsOps(am, bm)
        ops += a[(a.count - suf)...].map { (" ", $0) }

        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0
        // line numbers at each op index
        var oldLine = [Int](repeating: 0, count: ops.count + 1), newLine = [Int](repeating: 0, count: ops.count + 1)
        for (k, op) in ops.enumerated() {
            oldLine[k + 1] = oldLine[k] + (op.0 == "+" ? 0 : 1)
            newLine[k + 1] = newLine[k] + (op.0 == "-" ? 0 : 1)
        }
        while i < ops.count {
            guard let firstChange = ops[i...].firstIndex(where: { $0.0 != " " }) else { break }
            let start = max(i, firstChange - context)
            var end = firstChange
            // extend the hunk while the next change is within 2*context lines
            while true {
                var j = end
                while j < ops.count && ops[j].0 != " " { j += 1 }
                end = j
                guard let next = ops[end...].firstIndex(where: { $0.0 != " " }), next - end <= 2 * context else { break }
                end = next
            }
            let stop = min(ops.count, end + context)
            let oldCount = oldLine[stop] - oldLine[start], newCount = newLine[stop] - newLine[start]
            let oldStart = oldCount == 0 ? oldLine[start] : oldLine[start] + 1
            let newStart = newCount == 0 ? newLine[start] : newLine[start] + 1
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for k in start..<stop { out += String(ops[k].0) + ops[k].1 + "\n" }
            i = stop
        }
        return out
    }

    static func lines(_ s: String) -> [String] {
        if s.isEmpty { return [] }
        var l = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if l.last == "" { l.removeLast() }
        return l
    }

    static func lcsOps(_ a: [String], _ b: [String]) -> [(Character, String)] {
        let n = a.count, m = b.count
        if n == 0 { return b.map { ("+", $0) } }
        if m == 0 { return a.map { ("-", $0) } }
        // Large disjoint middles: no alignment worth the memory, show as replace.
        if n * m > 4_000_000 { return a.map { ("-", $0) } + b.map { ("+", $0) } }
        var t = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                t[i * (m + 1) + j] = a[i] == b[j] ? t[(i + 1) * (m + 1) + j + 1] + 1
                    : max(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1])
            }
        }
        var ops: [(Character, String)] = []
        var i = 0, j = 0
        while i < n && j < m {
            if a[i] == b[j] { ops.append((" ", a[i])); i += 1; j += 1 }
            else if t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1] { ops.append(("-", a[i])); i += 1 }
            else { ops.append(("+", b[j])); j += 1 }
        }
        while i < n { ops.append(("-", a[i])); i += 1 }
        while j < m { ops.append(("+", b[j])); j += 1 }
        return ops
    }
}
