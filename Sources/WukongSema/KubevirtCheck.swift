import WukongDiagnostics
import WukongNet

// Checking one `kubevirt { }` setting (a path relative to the VM's `spec` and a value) against
// the schema and the table of fields the compiler owns, and converting the value into the
// `HatchValue` the backend merges (docs/vm-reference.md, "The kubevirt block").

public enum KubevirtOwnership {
    /// The VirtualMachine fields the compiler generates, relative to `spec`, and the attribute
    /// (or declaration) that owns each — the one table both the checker and the backend's
    /// coverage test read. A path owns everything below it; `[]` stands for every list element.
    public static let owned: [(path: String, attribute: String)] = [
        ("dataVolumeTemplates", "`disk`"),
        ("instancetype", "`instancetype`"),
        ("preference", "`preference`"),
        ("runStrategy", "`run_strategy`"),
        ("running", "`running`"),
        ("template.metadata.labels", "`labels`"),
        ("template.spec.nodeSelector", "`node_selector`"),
        ("template.spec.tolerations", "`tolerations`"),
        ("template.spec.affinity", "`spread`"),
        ("template.spec.evictionStrategy", "`eviction`"),
        ("template.spec.domain.firmware.uuid", "the VM's name (a stable firmware UUID)"),
        ("template.spec.domain.firmware.bootloader", "`firmware`"),
        ("template.spec.domain.features.smm", "`firmware`"),
        ("template.spec.domain.cpu.cores", "`cpu`"),
        ("template.spec.domain.cpu.sockets", "`cpu`"),
        ("template.spec.domain.cpu.threads", "`cpu`"),
        ("template.spec.domain.memory.guest", "`memory`"),
        ("template.spec.domain.resources.requests.cpu", "`cpu`"),
        ("template.spec.domain.resources.limits.cpu", "`cpu`"),
        ("template.spec.domain.resources.requests.memory", "`memory`"),
        ("template.spec.domain.resources.limits.memory", "`memory`"),
        ("template.spec.domain.devices.autoattachPodInterface", "`nic` (the pod network)"),
        ("template.spec.domain.devices.disks", "`image`, `disk` and cloud-init (`user`)"),
        ("template.spec.domain.devices.interfaces[].model", "`model`"),
        ("template.spec.domain.devices.interfaces", "`nic`"),
        ("template.spec.networks", "`nic`"),
        ("template.spec.volumes", "`image`, `disk` and cloud-init (`user`)"),
    ]

    /// The owner of `path` (field names, `[]` for list elements), if the compiler owns it.
    public static func owner(of path: [String]) -> String? {
        for entry in owned {
            let p = entry.path.replacingOccurrences(of: "[]", with: ".[]").split(separator: ".").map(String.init)
            if p.count <= path.count && Array(path.prefix(p.count)) == p { return entry.attribute }
        }
        return nil
    }
}

extension KubevirtSchema {
    /// The settings of a `kubevirt { }` record: one per top-level field of `spec`.
    func settings(_ hatch: LValue, ownerSpan: (String) -> Span? = { _ in nil }, into diags: inout [Diagnostic])
        -> [KubevirtSetting] {
        guard case .record(let r) = hatch.value else {
            if !hatch.value.isError {
                diags.append(.kubevirtWrongType(path: "", expected: "a block of `path = value` settings",
                                                found: Self.describe(hatch.value), at: hatch.span))
            }
            return []
        }
        var out: [KubevirtSetting] = []
        for (i, key) in r.keys.enumerated() {
            if let s = check(path: [key], pathSpan: r.keySpans[i], value: r.values[i], ownerSpan: ownerSpan, into: &diags) {
                out.append(s)
            }
        }
        return out
    }

    /// Checks `value` (at `valueSpan`) for the field at `path` (written at `pathSpan`) and
    /// converts it; nil (with diagnostics) when anything is wrong.
    func check(path: [String], pathSpan: Span, value: LValue, ownerSpan: (String) -> Span? = { _ in nil },
               into diags: inout [Diagnostic]) -> KubevirtSetting? {
        switch lookup(path) {
        case .unknown(let at, let suggestions):
            diags.append(.kubevirtUnknownField(path[at], parent: Self.dotted(Array(path[..<at])),
                                               suggestions: suggestions, at: pathSpan))
            return nil
        case .notAnObject(let at):
            guard at > 0 else { return nil }
            let through = Self.dotted(Array(path[..<at]))
            let kind: String
            switch lookupType(Array(path[..<at])) {
            case .array: kind = "a list"
            case .map: kind = "a map"
            default: kind = "not checked by the schema"
            }
            diags.append(.kubevirtPathThrough(path: Self.dotted(path), through: through, kind: kind, at: pathSpan))
            return nil
        case .found(let index):
            if let owner = KubevirtOwnership.owner(of: path) {
                diags.append(.kubevirtOwned(path: Self.dotted(path), attribute: owner, at: pathSpan,
                                            attributeAt: Self.ownerAttribute(owner).flatMap(ownerSpan)))
                return nil
            }
            let before = diags.count
            guard let v = convert(value, nodes[index], path: path, ownerSpan: ownerSpan, into: &diags), diags.count == before else {
                return nil
            }
            return KubevirtSetting(path: path, value: v)
        }
    }

    func lookupType(_ path: [String]) -> KubevirtFieldType? {
        if case .found(let i) = lookup(path) { return nodes[i].type }
        return nil
    }

    /// Converts a value for `field` at `path` (for messages and ownership of record keys).
    func convert(_ lv: LValue, _ field: KubevirtField, path: [String], ownerSpan: (String) -> Span? = { _ in nil },
                 into diags: inout [Diagnostic]) -> HatchValue? {
        let v = lv.value
        if v.isError { return nil }
        func wrong() -> HatchValue? {
            diags.append(.kubevirtWrongType(path: Self.dotted(path), expected: field.type.name,
                                            found: Self.describe(v), at: lv.span))
            return nil
        }
        switch field.type {
        case .string:
            return Self.scalarString(v).map { .string($0) } ?? wrong()
        case .integer:
            if case .int(let i) = v { return .int(i) }
            return wrong()
        case .boolean:
            if case .bool(let b) = v { return .bool(b) }
            return wrong()
        case .quantity:
            switch v {
            case .quantity(let q): return .string(q.description)
            case .int(let i): return .int(i)
            case .string(let s):
                if case .success = Quantity.parse(s) { return .string(s) }
                return wrong()
            default: return wrong()
            }
        case .intOrString:
            if case .int(let i) = v { return .int(i) }
            return Self.scalarString(v).map { .string($0) } ?? wrong()
        case .enumeration(let values):
            if case .string(let s) = v, values.contains(s) { return .string(s) }
            return wrong()
        case .array:
            if case .record(let r) = v, let first = r.keys.first {
                // `list.field = …`: paths have no indices; a list is set whole
                diags.append(.kubevirtPathThrough(path: Self.dotted(path + [first]), through: Self.dotted(path),
                                                  kind: "a list", at: lv.span))
                return nil
            }
            guard case .list(let xs) = v else { return wrong() }
            guard let element = field.children["[]"] else { return nil }
            var out: [HatchValue] = []
            for (i, x) in xs.enumerated() {
                var p = path; p[p.count - 1] += "[\(i)]"
                guard let h = convert(x, nodes[element], path: p, ownerSpan: ownerSpan, into: &diags) else { continue }
                out.append(h)
            }
            return .list(out)
        case .object, .map, .any:
            guard case .record(let r) = v else { return wrong() }
            var out: [HatchField] = []
            for (i, key) in r.keys.enumerated() {
                let sub = path + [key]
                let keySpan = r.keySpans[i]
                let child: KubevirtField
                switch field.type {
                case .object:
                    guard let c = field.children[key] else {
                        diags.append(.kubevirtUnknownField(key, parent: Self.dotted(path),
                                                           suggestions: Suggest.similar(to: key, among: field.childNames),
                                                           at: keySpan))
                        continue
                    }
                    child = nodes[c]
                case .map:
                    guard let c = field.children["{}"] else { continue }
                    child = nodes[c]
                default:
                    child = KubevirtField(name: key, type: .any, descriptionIndex: -1)
                }
                if let owner = KubevirtOwnership.owner(of: sub.map { $0.hasSuffix("]") ? String($0.prefix { $0 != "[" }) : $0 }) {
                    diags.append(.kubevirtOwned(path: Self.dotted(sub), attribute: owner, at: keySpan,
                                                attributeAt: Self.ownerAttribute(owner).flatMap(ownerSpan)))
                    continue
                }
                if child.type == .any, case .record = r.values[i].value {
                    // unchecked object: any record, any scalars
                } else if child.type == .any {
                    if let h = Self.anyValue(r.values[i].value) { out.append(HatchField(key, h)) }
                    continue
                }
                if let h = convert(r.values[i], child, path: sub, ownerSpan: ownerSpan, into: &diags) { out.append(HatchField(key, h)) }
            }
            return .map(out)
        }
    }

    /// The attribute of an owner written as one attribute (`\`cpu\``), nil for declarations and derived values.
    static func ownerAttribute(_ owner: String) -> String? {
        guard owner.hasPrefix("`"), owner.hasSuffix("`"), owner.count > 2 else { return nil }
        let name = String(owner.dropFirst().dropLast())
        return name.contains("`") || name == "nic" || name == "disk" ? nil : name
    }

    /// Strings, and the values the language writes as strings (addresses, quantities).
    static func scalarString(_ v: Value) -> String? {
        switch v {
        case .string(let s): return s
        case .ip(let a): return a.description
        case .cidr(let c): return c.description
        case .ifaddr(let a): return a.description
        case .mac(let m): return m.description
        case .quantity(let q): return q.description
        default: return nil
        }
    }

    /// A value below an unchecked object.
    static func anyValue(_ v: Value) -> HatchValue? {
        switch v {
        case .int(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .list(let xs): return .list(xs.compactMap { anyValue($0.value) })
        case .record(let r): return .map(zip(r.keys, r.values).compactMap { k, x in anyValue(x.value).map { HatchField(k, $0) } })
        default: return scalarString(v).map { .string($0) }
        }
    }

    static func describe(_ v: Value) -> String {
        switch v {
        case .int(let i): return "the integer \(i)"
        case .bool(let b): return "the bool \(b)"
        case .string(let s): return "the string \"\(s)\""
        case .quantity(let q): return "the quantity \(q)"
        case .list: return "a list"
        case .record: return "a record"
        case .ip, .cidr, .ifaddr, .mac: return "an address"
        default: return "a value of another kind"
        }
    }
}
