import WukongDiagnostics
import WukongNet
import WukongSyntax

// Checking a value against an expected type (attribute schemas, annotations, parameters).
// The only conversions: an untyped `a.b.c.d/n` (CIDR) where an IfAddr is expected, a range
// where a list is expected, and a String naming a resource in a reference position (resolved
// after expansion: `nic x on "net-${i}"`).

extension Engine {
    func coerce(_ v: LValue, to t: VType) -> LValue {
        let span = v.span
        switch (t, v.value) {
        case (_, .error), (.error, _), (.any, _):
            return v
        case (.int, .int), (.bool, .bool), (.string, .string), (.quantity, .quantity), (.ip, .ip), (.cidr, .cidr),
             (.ifaddr, .ifaddr), (.mac, .mac), (.pod, .pod), (.addressMode, .auto), (.addressMode, .dhcp),
             (.vmNic, .vmNic):
            return v
        case (.cidr, .ifaddr(let a)):
            reportHostBits(a, span: span, quoted: false)
            return .error(span)
        case (.ifaddr, .cidr(let c)):
            return LValue(.ifaddr(IfAddr(address: c.network, prefix: c.prefix)), span)
        case (.nicAddress, .ip), (.nicAddress, .ifaddr), (.nicAddress, .auto), (.nicAddress, .dhcp):
            return v
        case (.nicAddress, .cidr(let c)):
            return LValue(.ifaddr(IfAddr(address: c.network, prefix: c.prefix)), span)
        case (.ipRange, .range(let r)):
            switch r {
            case .ip: return v
            case .emptyIP:
                report(.emptyAddressRange(at: span))
                return .error(span)
            case .int: return mismatch(expected: t, v)
            }
        case (.perFamily(let et), .list(let xs)):
            // one value per address family; which family each is, NetworkChecks says (with spans)
            var out: [LValue] = []
            var failed = false
            for x in xs {
                var c = coerce(x, to: et)
                if et == .nicAddress, case .auto = c.value { c = mismatch(expected: "IP or IfAddr", c) }
                else if et == .nicAddress, case .dhcp = c.value { c = mismatch(expected: "IP or IfAddr", c) }
                if c.value.isError { failed = true }
                out.append(c)
            }
            return failed ? .error(span) : LValue(.list(out), span)
        case (.perFamily(let et), _):
            return coerce(v, to: et)
        case (.list(let et), .list(let xs)):
            var out: [LValue] = []
            out.reserveCapacity(xs.count)
            var failed = false
            for x in xs {
                let c = coerce(x, to: et)
                if c.value.isError { failed = true }
                out.append(c)
            }
            return failed ? .error(span) : LValue(.list(out), span)
        case (.list(let et), .range(let r)):
            guard let xs = materialise(r, span: span) else { return .error(span) }
            return coerce(LValue(.list(xs), span), to: .list(et))
        case (.record(let fields), .record(let r)):
            return coerceRecord(r, fields: fields, span: span)
        case (.map(let et), .record(let r)):
            var out = r
            var failed = false
            for i in r.values.indices {
                let c = coerce(r.values[i], to: et)
                if c.value.isError { failed = true }
                out.values[i] = c
            }
            return failed ? .error(span) : LValue(.record(out), span)
        case (.ref(let k), .ref(let r)):
            if r.kind == k { return v }
            return wrongKind(expected: t, r, span: span)
        case (.link, .ref(let r)):
            if r.kind.isLink { return v }
            return wrongKind(expected: t, r, span: span)
        case (.nicNetwork, .ref(let r)):
            if r.kind == .network { return v }
            return wrongKind(expected: t, r, span: span)
        case (.nicNetwork, .pod):
            return v
        case (.ref, .string(let s)), (.link, .string(let s)), (.nicNetwork, .string(let s)):
            guard let g = namespace.globals[s], let ref = store.refValue(g.entry, span: span) else {
                var candidates: [String] = []
                if budgets.takeSuggestion() {
                    candidates = namespace.globals.compactMap { store.entryFits($0.value.entry, t) ? $0.key : nil }
                }
                report(.unknownName(s, candidates: candidates, at: span))
                return .error(span)
            }
            return coerce(ref, to: t)
        case (.image, .string):
            return v
        case (.image, .record(let r)):
            return coerceImage(r, span: span)
        case (_, .module):
            report(.moduleUsedAsValue(at: span))
            return .error(span)
        case (.ifaddr, .ip(let a)):
            report(.addressWithoutPrefix(a.description, isV6: a.isV6, at: span))
            return .error(span)
        case (.ip, .string), (.cidr, .string), (.ifaddr, .string), (.mac, .string), (.quantity, .string),
             (.nicAddress, .string):
            report(.stringNotConverted(expected: t.description, at: span))
            return .error(span)
        default:
            return mismatch(expected: t, v)
        }
    }

    /// A record literal against known fields: unknown fields and missing ones (unless `optional`)
    /// are errors; `imageRecord`: the record is an `image` (messages say so).
    func coerceRecord(_ r: RecordValue, fields: [RecordFieldType], optional: Set<String> = [], imageRecord: Bool = false,
                      span: Span) -> LValue {
        var out = RecordValue()
        var failed = false
        for (i, k) in r.keys.enumerated() where !fields.contains(where: { $0.name == k }) {
            report(.unknownField(k, imageRecord: imageRecord, candidates: fields.map(\.name), at: r.keySpans[i]))
            failed = true
        }
        for f in fields {
            guard let x = r[f.name], let i = r.index(of: f.name) else {
                if optional.contains(f.name) { continue }
                report(.missingField(f.name, type: f.type.description, imageRecord: imageRecord, at: span))
                failed = true
                continue
            }
            let c = coerce(x, to: f.type)
            if c.value.isError { failed = true }
            out.set(f.name, c, keySpan: r.keySpans[i])
        }
        return failed ? .error(span) : LValue(.record(out), span)
    }

    /// An image record (LANGUAGE.md §5.1): `ref` required, `network_config` optional (a plain
    /// string means "cloud-init") and one of `Schema.networkConfigModes`.
    func coerceImage(_ r: RecordValue, span: Span) -> LValue {
        let v = coerceRecord(r, fields: Schema.imageRecord, optional: ["network_config"], imageRecord: true, span: span)
        guard case .record(let rec) = v.value, let mode = rec["network_config"], case .string(let m) = mode.value,
              !Schema.networkConfigModes.contains(m) else { return v }
        report(.invalidEnumValue(m, attribute: "network_config", allowed: Schema.networkConfigModes, at: mode.span))
        return .error(span)
    }

    func mismatch(expected t: VType, _ v: LValue) -> LValue {
        report(.typeMismatch(expected: t.description, found: v.value.type.description, at: v.span))
        return .error(v.span)
    }

    func mismatch(expected t: String, _ v: LValue) -> LValue {
        report(.typeMismatch(expected: t, found: v.value.type.description, at: v.span))
        return .error(v.span)
    }

    /// A resource of the wrong kind (E0302); the catalogue explains the classic mistakes.
    func wrongKind(expected t: VType, _ r: Ref, span: Span) -> LValue {
        report(.wrongResourceKind(expected: Engine.expectedResource(t), found: r.kind.keyword, type: r.kind.typeName,
                                  named: r.name, at: span))
        return .error(span)
    }

    /// What a reference position of type `t` takes, as the catalogue names it.
    static func expectedResource(_ t: VType) -> ExpectedResource {
        switch t {
        case .link: return .link
        case .nicNetwork: return .networkOrPod
        default: return .kind(t.description)
        }
    }
}
