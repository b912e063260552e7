import WukongDiagnostics
import WukongNet
import WukongSyntax

// Resources after expansion: one `Instance` per block (a `for` yields one per iteration), the
// logical node NICs, and the `auto` addresses allocated on demand.

/// One logical node NIC: a top-level `nic`, or the `nic`s of that name inside hosts.
struct NicGroup {
    var name: String
    var topLevel: Int?
    var hostNics: [Int] = []
    var first: Int { topLevel ?? hostNics.first ?? -1 }
}

/// One attribute of an expanded block (stored inline in `Instance.attrs`; addressed by index).
struct AttrSlot {
    let name: String
    /// The attribute's name (or the spread that supplied it).
    var nameSpan: Span
    var expr: Expr?
    var env: Env?
    var fromSpread: Bool
    var state: SlotState = .pending
    var cycleReported = false
    /// The checked value once `state == .done`; before that, the value a spread supplied.
    var value: LValue
    init(name: String, nameSpan: Span, expr: Expr?, env: Env?, preset: LValue?, fromSpread: Bool) {
        self.name = name; self.nameSpan = nameSpan; self.expr = expr; self.env = env
        self.value = preset ?? .error(nameSpan)
        self.fromSpread = fromSpread
    }
    /// Where the value was written: the expression, or the spread.
    var valueSpan: Span { expr?.span ?? nameSpan }
}

/// One resource after expansion (a `for` yields one per iteration).
final class Instance {
    let kind: ResourceKind
    let block: BlockKind
    let decl: ResourceDecl
    let span: Span
    let env: Env
    var name: String
    var nameSpan: Span
    var parent: Int?
    var expandState: SlotState = .pending
    // why unchecked: read and written on every attribute access (+7.9 % instructions on check 10k checked; bench/RESULTS.md)
    @exclusivity(unchecked) var attrs: [AttrSlot] = []
    // why unchecked: appended per nested block, walked per VM and host (+0.9 % instructions on check 10k checked; bench/RESULTS.md)
    @exclusivity(unchecked) var children: [Int] = []
    /// Index in `attrs` of the `on` clause (`vlan x on LINK`, `nic n on NETWORK`).
    var onSlot: Int?
    var poisoned = false
    /// A duplicate declaration: reported, checked, but kept out of the program.
    var excluded = false
    var plainPassword: Span?
    init(kind: ResourceKind, block: BlockKind, decl: ResourceDecl, span: Span, env: Env, name: String, nameSpan: Span) {
        self.kind = kind; self.block = block; self.decl = decl; self.span = span; self.env = env
        self.name = name; self.nameSpan = nameSpan
    }
    /// Index in `attrs` of the attribute `name`.
    func attr(_ name: String) -> Int? {
        // one read of the stored array for the whole scan
        return attrs.withUnsafeBufferPointer { buf in
            var i = 0
            let length = name.utf8.count
            while i < buf.count { if sameName(buf[i].name, name, length) { return i }; i += 1 }
            return nil
        }
    }
    func valueSpan(of name: String) -> Span? { attr(name).map { attrs[$0].valueSpan } }
}

/// `a == b` for names, rejecting different lengths first (`String ==` on two different small
/// strings takes the slow comparison path; most names compared in the linear attribute and
/// schema scans differ in length). `length` is `b.utf8.count`.
@inline(__always) func sameName(_ a: String, _ b: String, _ length: Int) -> Bool {
    a.utf8.count == length && a == b
}

/// The instances, addressed by index everywhere (`Ref.instance`, `GlobalEntry.resource`).
final class InstanceStore {
    // why unchecked: read on every reference, member access and block expansion (+2.0 % instructions on check 10k checked; bench/RESULTS.md)
    @exclusivity(unchecked) var instances: [Instance] = []
    /// Top-level instances in source order after expansion.
    var ordered: [Int] = []
    var nicGroups: [NicGroup] = []
    var topologyInstance: Int?
    /// `auto` allocation (done on demand for `vm.nic.address`): NIC instance → address.
    var allocation: [Int: IPAddress]? = nil
    /// The allocation runs (an `auto` address read now depends on itself).
    var allocating = false

    /// The reference a namespace entry stands for; nil for entries that are not resources.
    func refValue(_ entry: GlobalEntry, span: Span) -> LValue? {
        switch entry {
        case .resource(let i):
            guard let k = RefKind(instances[i].kind) else { return nil }
            return LValue(.ref(Ref(kind: k, name: instances[i].name, instance: i)), span)
        case .nicGroup(let g):
            return LValue(.ref(Ref(kind: .nic, name: nicGroups[g].name, instance: nicGroups[g].first)), span)
        default: return nil
        }
    }

    /// Whether a namespace entry could stand where `t` is expected (did-you-mean filter).
    func entryFits(_ entry: GlobalEntry, _ t: VType) -> Bool {
        switch t {
        case .ref(let k):
            switch entry {
            case .resource(let i): return RefKind(instances[i].kind) == k
            case .nicGroup: return k == .nic
            default: return false
            }
        case .link:
            switch entry {
            case .resource(let i): return RefKind(instances[i].kind)?.isLink ?? false
            case .nicGroup: return true
            default: return false
            }
        case .nicNetwork:
            if case .resource(let i) = entry { return instances[i].kind == .network }
            return false
        case .list(let inner):
            if case .ref = inner { return entryFits(entry, inner) }
            if case .link = inner { return entryFits(entry, inner) }
            return true
        default:
            return true
        }
    }

    /// The instance of the NIC `nic` of the VM instance `vm`.
    func vmNic(_ vm: Int, named nic: String) -> Int? {
        for c in instances[vm].children where instances[c].kind == .nic && instances[c].name == nic { return c }
        return nil
    }
}
