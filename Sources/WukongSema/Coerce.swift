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
                error(.valueOutOfRange, "the address range is empty", at: span, help: "write `first ..= last` with first ≤ last")
                return .error(span)
            case .int: return mismatch(expected: t, v)
            }
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
            guard let g = globals[s], let ref = refValue(g.entry, span: span) else {
                var help: String? = nil
                if suggestionBudget > 0 {
                    suggestionBudget -= 1
                    help = Suggest.didYouMean(s, among: globals.compactMap { entryFits($0.value.entry, t) ? $0.key : nil })
                }
                error(.unknownName, "unknown name `\(s)`", at: span, help: help)
                return .error(span)
            }
            return coerce(ref, to: t)
        case (.image, .string):
            return v
        case (.image, .record(let r)):
            return coerceImage(r, span: span)
        case (_, .module):
            error(.notAValue, "a module is not a value", at: span, help: "use one of its definitions: `module.<name>`")
            return .error(span)
        case (.ifaddr, .ip(let a)):
            error(.typeMismatch, "mismatched types: expected `IfAddr`, found `IP`", at: span,
                  help: "an interface address carries its prefix length: write `\(a)/\(a.isV6 ? 64 : 24)` (with the real prefix)")
            return .error(span)
        case (.ip, .string), (.cidr, .string), (.ifaddr, .string), (.mac, .string), (.quantity, .string),
             (.nicAddress, .string):
            error(.typeMismatch, "mismatched types: expected `\(t.description)`, found `String`", at: span,
                  help: "only a string literal written here converts; use `\(conversionHint(t))`")
            return .error(span)
        default:
            return mismatch(expected: t, v)
        }
    }

    /// A record literal against known fields: unknown fields and missing ones (unless `optional`)
    /// are errors; `what` names the record in messages (" of an image record").
    func coerceRecord(_ r: RecordValue, fields: [RecordFieldType], optional: Set<String> = [], what: String = "",
                      span: Span) -> LValue {
        var out = RecordValue()
        var failed = false
        for (i, k) in r.keys.enumerated() where !fields.contains(where: { $0.name == k }) {
            error(.unknownAttribute, "unknown field `\(k)`\(what)", at: r.keySpans[i],
                  help: Suggest.didYouMean(k, among: fields.map(\.name)))
            failed = true
        }
        for f in fields {
            guard let x = r[f.name], let i = r.index(of: f.name) else {
                if optional.contains(f.name) { continue }
                error(.missingAttribute, "missing field `\(f.name)`\(what)", at: span,
                      help: "add `\(f.name) = …` (a `\(f.type.description)`)")
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
        let v = coerceRecord(r, fields: Schema.imageRecord, optional: ["network_config"], what: " of an image record", span: span)
        guard case .record(let rec) = v.value, let mode = rec["network_config"], case .string(let m) = mode.value,
              !Schema.networkConfigModes.contains(m) else { return v }
        error(.unknownEnumValue, "`\(m)` is not a valid `network_config` value", at: mode.span,
              help: Suggest.didYouMean(m, among: Schema.networkConfigModes)
                ?? "expected one of \(Schema.networkConfigModes.map { "`\($0)`" }.joined(separator: ", "))")
        return .error(span)
    }

    func conversionHint(_ t: VType) -> String {
        switch t {
        case .cidr: return "cidr(…)"
        case .mac: return "mac(…)"
        default: return "ip(…)"
        }
    }

    func mismatch(expected t: VType, _ v: LValue) -> LValue {
        report(.typeMismatch(expected: t.description, found: v.value.type.description, at: v.span))
        return .error(v.span)
    }

    /// A resource of the wrong kind (E0302), with the classic mistakes explained.
    func wrongKind(expected t: VType, _ r: Ref, span: Span) -> LValue {
        var help: String? = nil
        switch (t, r.kind) {
        case (.ref(.bridge), .nic), (.ref(.bridge), .vlan), (.ref(.bridge), .bond):
            help = "declare a bridge over it (`bridge br-\(r.name) { ports = [\(r.name)] }`) and use `bridge = br-\(r.name)`, "
                + "or attach the network directly with `macvlan = \(r.name)`"
        case (.ref(.bridge), .ovsBridge):
            help = "`\(r.name)` is an OVS bridge: use `ovs = \(r.name)`"
        case (.ref(.ovsBridge), .bridge):
            help = "`\(r.name)` is a Linux bridge: use `bridge = \(r.name)`, or declare it as `ovs-bridge \(r.name)`"
        case (.ref(.ovsBridge), .nic), (.ref(.ovsBridge), .vlan), (.ref(.ovsBridge), .bond):
            help = "declare an OVS bridge over it (`ovs-bridge ovs-\(r.name) { ports = [\(r.name)] }`) and use `ovs = ovs-\(r.name)`"
        case (.link, .bridge), (.link, .ovsBridge):
            help = "a bridge is not a link: attach the network with `bridge = \(r.name)`"
                + (r.kind == .ovsBridge ? " (`ovs = \(r.name)` for an OVS bridge)" : "")
                + ", or use one of the bridge's ports"
        default: break
        }
        error(.wrongResourceKind, "expected \(Engine.kindPhrase(t)), found \(r.kind.typeName) `\(r.name)`", at: span, help: help)
        return .error(span)
    }

    /// A resource type as messages name it: "a `Bridge`", "a `Link` (a `nic`, `vlan` or `bond`)".
    static func kindPhrase(_ t: VType) -> String {
        switch t {
        case .link: return "a `Link` (a `nic`, `vlan` or `bond`)"
        case .nicNetwork: return "a `Network` or `pod`"
        default:
            let first = t.description.first ?? "x"
            return ("AEIOU".contains(first) ? "an" : "a") + " `\(t.description)`"
        }
    }
}
