import WukongDiagnostics
import Yams

/// V-CLOUD: `cloud_config` must be one YAML mapping and must not set a key the generated userData sets.
public enum CloudConfig {
    /// Top-level userData keys the backend writes for this VM; `cloud_config` may not set them.
    /// `users` when the VM declares a `user`, `runcmd` when `run` is non-empty. Nothing else
    /// (see docs/decisions.md, "Checks"). The backend should use this list to stay in step.
    public static func generatedKeys(for vm: VMDecl) -> [String] {
        var keys: [String] = []
        if !vm.users.isEmpty { keys.append("users") }
        if !vm.run.isEmpty { keys.append("runcmd") }
        return keys
    }

    /// The result of parsing one text: the top-level keys (with their 1-based lines), or a problem at a 1-based line.
    enum Parsed {
        case keys([(key: String, line: Int, column: Int)])
        case notMapping(CloudConfigShape)
        case error(CloudConfigProblem, line: Int?, column: Int)
    }

    static func parse(_ text: String) -> Parsed {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            return describe(e)
        } catch {
            return .error(.invalid(parserMessage: nil), line: nil, column: 1)
        }
        guard let node else { return .keys([]) }   // empty or only comments: nothing to merge
        if let bad = unsafe(node) { return bad }
        switch node {
        case .mapping(let m):
            var keys: [(String, Int, Int)] = []
            for (k, _) in m {
                if let s = k.string { keys.append((s, k.mark?.line ?? 1, k.mark?.column ?? 1)) }
            }
            return .keys(keys)
        case .scalar: return .notMapping(.scalar)
        case .sequence: return .notMapping(.list)
        case .alias: return .notMapping(.alias)
        }
    }

    /// The tags Python's `yaml.safe_load` (cloud-init's loader) constructs; "" and "!" are untagged.
    static let safeTags: Set<String> = Set(["null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs",
                                            "set", "str", "seq", "map", "merge", "value"].map { "tag:yaml.org,2002:" + $0 } + ["", "!", "?"])

    /// The first node `yaml.safe_load` would reject: a tag it has no constructor for, or a
    /// sequence or mapping used as a key (unhashable in Python).
    static func unsafe(_ node: Node) -> Parsed? {
        let tag = node.tag.description
        if !safeTags.contains(tag) {
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : Substring(tag)
            return .error(.unsafeTag(String(shown)), line: node.mark?.line, column: node.mark?.column ?? 1)
        }
        switch node {
        case .mapping(let m):
            for (k, v) in m {
                switch k {
                case .mapping, .sequence: return .error(.unhashableKey, line: k.mark?.line, column: k.mark?.column ?? 1)
                default: break
                }
                if let bad = unsafe(k) ?? unsafe(v) { return bad }
            }
        case .sequence(let items):
            for item in items { if let bad = unsafe(item) { return bad } }
        case .scalar, .alias:
            break
        }
        return nil
    }

    static func describe(_ e: YamlError) -> Parsed {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let ctx = context.map { " " + $0.text } ?? ""
            return .error(.invalid(parserMessage: problem + ctx), line: mark.line, column: mark.column)
        case .reader(let problem, _, _, _):
            return .error(.invalid(parserMessage: problem), line: nil, column: 1)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .error(.duplicateKeys(duplicates.map { "\($0)" }), line: context.mark.line, column: context.mark.column)
        default:
            return .error(.invalid(parserMessage: nil), line: nil, column: 1)
        }
    }
}

extension Checker {
    mutating func checkCloudConfig(_ vm: VMDecl, cache: inout [String: CloudConfig.Parsed]) {
        guard let cc = vm.cloudConfig else { return }
        let parsed: CloudConfig.Parsed
        if let c = cache[cc.text] { parsed = c } else { parsed = CloudConfig.parse(cc.text); cache[cc.text] = parsed }
        /// The source span of (1-based) line/column of the text: the rest of that line from the column
        /// when the line is written verbatim in the source, else the whole line, else the expression.
        func span(line: Int?, column: Int = 1) -> Span {
            // An error at the end of the text (libyaml reports the line after the last) maps to the last line.
            guard let line, let spans = cc.lineSpans, !spans.isEmpty, line >= 1 else { return cc.span }
            let i = min(line, spans.count) - 1
            let lineSpan = spans[i]
            guard line <= spans.count, column > 1 else { return lineSpan }
            let lines = cc.text.split(separator: "\n", omittingEmptySubsequences: false)
            guard i < lines.count, lines[i].utf8.count == lineSpan.length else { return lineSpan }
            let offset = lines[i].unicodeScalars.prefix(column - 1).reduce(0) { $0 + UTF8.width($1) }
            guard offset < lineSpan.length else { return lineSpan }
            return Span(file: lineSpan.file, start: lineSpan.startOffset + offset, end: lineSpan.endOffset)
        }
        switch parsed {
        case .error(let problem, let line, let column):
            add(.cloudConfigInvalidYAML(vm: vm.decl.name, problem, at: span(line: line, column: column)))
        case .notMapping(let what):
            add(.cloudConfigNotMapping(vm: vm.decl.name, is: what, at: cc.span))
        case .keys(let keys):
            let generated = CloudConfig.generatedKeys(for: vm)
            guard !generated.isEmpty else { return }
            for (key, line, column) in keys where generated.contains(key) {
                let source = key == "users" ? vm.users.first?.decl.nameSpan : vm.run.first?.span
                add(.cloudConfigGeneratedKey(vm: vm.decl.name, key: key, at: span(line: line, column: column), source: source))
            }
        }
    }
}
