import WukongDiagnostics
import WukongSema

// `wukongc check --graph`: which element of the picture each diagnostic belongs to. Derived
// from spans only — the diagnostic's primary span against the declaration spans of the checked
// program's hosts, node NICs, bonds, VLANs, bridges, networks, VMs and VM NICs (innermost
// declaration wins) — never from message text. See docs/decisions.md, "check --graph".

/// An element of the topology a diagnostic can be pinned on, named as the graph names it.
public enum GraphElement: Hashable, Sendable {
    case host(String)
    /// A node-side interface by its graph key (`nic:ens192`, `bond:bond0`, `vlan:v100`,
    /// `bridge:br-ext`) and the host it was declared in (nil: top level, every host).
    case nodeInterface(key: String, host: String?)
    case network(String)
    case vm(String)
    case vmNic(vm: String, nic: String)

    /// The VM this element is or belongs to.
    var vm: String? {
        switch self {
        case .vm(let name), .vmNic(vm: let name, nic: _): name
        default: nil
        }
    }
}

/// One diagnostic as the picture shows it.
public struct GraphMark: Sendable, Equatable {
    public var severity: Severity
    public var code: String
    public var message: String
    /// `file:line` of the diagnostic.
    public var location: String
    /// How many elements carry it (> 1: a declaration inside a `for` or a `fn`, and a diagnostic
    /// that names no one instance — VM checks name theirs, `Diagnostic.instance`).
    public var shared: Int
    public init(severity: Severity, code: String, message: String, location: String, shared: Int = 1) {
        self.severity = severity; self.code = code; self.message = message; self.location = location; self.shared = shared
    }
}

/// The diagnostics of a compilation, pinned on elements or left outside every element.
public struct GraphFindings: Sendable, Equatable {
    /// The diagnostics of each declaration that has some. Every element of that declaration
    /// (the instances of a `for`) refers to the one list: 10 000 instances with 10 000
    /// diagnostics at their shared span cost 20 000 entries, not 10⁸.
    public var lists: [[GraphMark]]
    /// Element → indices into `lists` (one, unless two declarations have the same name).
    public var elements: [GraphElement: [Int]]
    /// Diagnostics whose span lies in no element (a `let`, the `topology` block, a parse error
    /// between declarations): the picture lists them in its legend.
    public var outside: [GraphMark]
    /// The counts the legend shows (as `check` counts them).
    public var errors: Int
    public var warnings: Int
    public init(lists: [[GraphMark]] = [], elements: [GraphElement: [Int]] = [:], outside: [GraphMark] = [],
                errors: Int = 0, warnings: Int = 0) {
        self.lists = lists; self.elements = elements; self.outside = outside; self.errors = errors; self.warnings = warnings
    }

    /// The diagnostics pinned on one element, in diagnostic order.
    public func marks(_ e: GraphElement) -> [GraphMark] {
        guard let ls = elements[e] else { return [] }
        return ls.count == 1 ? lists[ls[0]] : ls.flatMap { lists[$0] }
    }

    /// Pins each diagnostic (notes are not diagnostics of their own: only errors and warnings)
    /// on the innermost element declaration containing its span — on the one VM it names
    /// (`Diagnostic.instance`) when that declaration makes several.
    public static func locate(_ diagnostics: [Diagnostic], in program: CheckedProgram?, sources: SourceMap) -> GraphFindings {
        let index = program.map(SpanIndex.init) ?? SpanIndex()
        var out = GraphFindings()
        // (SpanIndex entry, the instance it is narrowed to or "") → index in `lists`
        var listOf: [ListKey: Int] = [:]
        for d in diagnostics where d.severity != .note {
            if d.severity == .error { out.errors += 1 } else { out.warnings += 1 }
            var mark = GraphMark(severity: d.severity, code: d.code.rawValue, message: d.message, location: location(d.span, sources))
            // "N more errors not shown" sits at the last shown error's span but is about none of them.
            guard d.code != .tooManyErrors, let entry = index.innermost(d.span) else {
                out.outside.append(mark)
                continue
            }
            var elements = index.elements[entry]
            var key = ListKey(entry: entry, vm: "")
            if let vm = d.instance, elements.count > 1 {
                let named = elements.filter { $0.vm == vm }
                if !named.isEmpty && named.count < elements.count { elements = named; key.vm = vm }
            }
            mark.shared = elements.count
            if let l = listOf[key] { out.lists[l].append(mark) } else {
                listOf[key] = out.lists.count
                out.lists.append([mark])
                for e in elements { out.elements[e, default: []].append(out.lists.count - 1) }
            }
        }
        return out
    }

    struct ListKey: Hashable { var entry: Int; var vm: String }

    static func location(_ span: Span, _ sources: SourceMap) -> String {
        guard !span.isNone, let f = sources[span.file] else { return "" }
        return "\(f.path):\(f.location(of: span.startOffset).line)"
    }
}

/// Declaration spans of the program's elements. Syntax spans are nested or disjoint, so with
/// the distinct spans sorted by start (outer first) and each one's parent known, the innermost
/// span containing an offset is the last span starting at or before it or one of its parents.
/// Instances of one declaration (a `for`, a `fn` called twice) share its span: one entry.
struct SpanIndex {
    var spans: [Span] = []
    var elements: [[GraphElement]] = []
    var parent: [Int] = []

    init() {}

    init(_ p: CheckedProgram) {
        var byspan: [Span: Int] = [:]
        var found: [(Span, [GraphElement])] = []
        func add(_ span: Span, _ e: GraphElement) {
            guard !span.isNone, span.end >= span.start else { return }
            if let i = byspan[span] { found[i].1.append(e) } else { byspan[span] = found.count; found.append((span, [e])) }
        }
        for h in p.hosts { add(h.decl.span, .host(h.decl.name)) }
        for n in p.nics { add(n.decl.span, .nodeInterface(key: "nic:" + n.decl.name, host: n.host)) }
        for b in p.bonds { add(b.decl.span, .nodeInterface(key: "bond:" + b.decl.name, host: nil)) }
        for v in p.vlans { add(v.decl.span, .nodeInterface(key: "vlan:" + v.decl.name, host: nil)) }
        for b in p.bridges { add(b.decl.span, .nodeInterface(key: "bridge:" + b.decl.name, host: nil)) }
        for n in p.networks { add(n.decl.span, .network(n.decl.name)) }
        for vm in p.vms {
            add(vm.decl.span, .vm(vm.decl.name))
            for nic in vm.nics { add(nic.decl.span, .vmNic(vm: vm.decl.name, nic: nic.decl.name)) }
        }
        found.sort { a, b in
            (a.0.file.raw, a.0.start, -Int64(a.0.end)) < (b.0.file.raw, b.0.start, -Int64(b.0.end))
        }
        spans = found.map(\.0)
        elements = found.map(\.1)
        parent = [Int](repeating: -1, count: spans.count)
        var stack: [Int] = []
        for i in spans.indices {
            while let top = stack.last, !spans[top].contains(spans[i]) { stack.removeLast() }
            parent[i] = stack.last ?? -1
            stack.append(i)
        }
    }

    /// The entry of the innermost declaration containing `span`; nil when there is none.
    func innermost(_ span: Span) -> Int? {
        guard !span.isNone, !spans.isEmpty else { return nil }
        // Last index whose (file, start) is at or before the span's.
        var lo = 0, hi = spans.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let s = spans[mid]
            if (s.file.raw, s.start) <= (span.file.raw, span.start) { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        var steps = 0
        while i >= 0 && steps < spans.count {
            if spans[i].contains(span) { return i }
            i = parent[i]
            steps += 1
        }
        return nil
    }
}
