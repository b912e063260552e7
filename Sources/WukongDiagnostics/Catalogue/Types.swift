// Types and evaluation (E03xx): the static pass and the evaluator.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func typesEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .typeMismatch:
            return (title: "type mismatch",
                    body: """
                        The value has another type than the place where it stands expects. The
                        message names both. There are no implicit conversions except string literals
                        where an IP, CIDR, interface address, MAC or quantity is expected.
                        """,
                    example: """
                        vm web { cpu = "2" }   // expected Int, found String
                        """)
        case .wrongResourceKind:
            return (title: "reference to the wrong kind of resource",
                    body: """
                        A reference names a declared resource of another kind than the attribute
                        needs — typically `bridge = ens192` (a node NIC where a bridge is needed:
                        declare a `bridge` with the NIC as a port, or use `macvlan = ens192`),
                        `macvlan = br-x` (a bridge where a NIC, VLAN or bond is needed) or `ovs =`
                        naming a Linux bridge.
                        """,
                    example: """
                        nic ens192
                        network wrong { bridge = ens192 }
                        """)
        case .invalidLiteralConversion:
            return (title: "string does not convert to the expected type",
                    body: """
                        A string literal stands where an IP, CIDR, interface address, MAC or
                        quantity is expected, and its text is not a valid value of that type.
                        """,
                    example: """
                        mac = "0e:00:00:aa:bb"   // five octets
                        """)
        case .cidrHostBits:
            return (title: "network with host bits set",
                    body: """
                        Where a network (CIDR) is expected, the host bits of the address must be
                        zero. The fix-it gives the network the address belongs to. Use an interface
                        address (with host bits) only for NIC and node addresses.
                        """,
                    example: """
                        subnet = 192.168.0.1/24   // did you mean 192.168.0.0/24?
                        """)
        case .unknownEnumValue:
            return (title: "value not in the allowed set",
                    body: """
                        Enumerated settings are strings checked against their allowed values: bond
                        `mode` (balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb
                        balance-alb) and network `ipam` (none static host-local whereabouts dhcp).
                        """,
                    example: """
                        network n { ipam = "hostlocal" }   // did you mean "host-local"?
                        """)
        case .unsetAttribute:
            return (title: "optional attribute read but not set",
                    body: """
                        There is no null: reading an optional attribute that the declaration does
                        not set is an error at the access.
                        """,
                    example: """
                        network lan { bridge = br0 }
                        let gw = lan.gateway   // `lan` has no gateway
                        """)
        case .wrongArgumentCount:
            return (title: "wrong number of arguments",
                    body: """
                        A function or method was called with more or fewer arguments than it takes.
                        """,
                    example: """
                        let x = min(1)
                        """)
        case .notAValue:
            return (title: "not a value",
                    body: """
                        An imported module is a namespace, not a value: use its members
                        (`images.fedora`), not the module itself.
                        """,
                    example: """
                        import std.sizes
                        vm web { ...sizes }
                        """)
        case .assertionFailed:
            return (title: "assertion failed",
                    body: """
                        An `assert cond, "message"` evaluated to false. The message is the assert's
                        own.
                        """,
                    example: """
                        assert len(vms) <= 100, "too many VMs"
                        """)
        default:
            return nil
        }
    }
}

// Shared by the static pass (StaticTypes.swift) and the evaluator: one constructor each, so
// both say the same thing and the static duplicate is dropped (same code and span).
// Types are passed as their descriptions (`VType.description`), operators as their spelling.
extension Diagnostic {
    public static func cannotApply(_ op: String, to l: String, and r: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: cannot apply `\(op)` to `\(l)` and `\(r)`", at: span)
    }
    public static func cannotApply(_ op: String, to t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: cannot apply `\(op)` to `\(t)`", at: span)
    }
    public static func operatorExpectsBool(_ op: String, found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `\(op)` expects `Bool`, found `\(t)`", at: span)
    }
    /// `min`/`max` (`function`) of two values with no order between them.
    public static func cannotCompare(_ function: String, _ a: String, _ b: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `\(function)` cannot compare `\(a)` and `\(b)`", at: span)
    }
    /// A one-argument built-in given an argument it does not take; `takes` is the built-in's table entry.
    public static func builtinArgument(_ function: String, takes: String, found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `\(function)` takes \(takes), found `\(t)`", at: span)
    }
    public static func argumentCount(_ function: String, expected n: Int, found: Int, at span: Span) -> Diagnostic {
        Diagnostic(.wrongArgumentCount, "`\(function)` takes \(n) argument\(n == 1 ? "" : "s"), found \(found)", at: span)
    }
    public static func conditionNotBool(found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: a condition must be `Bool`, found `\(t)`", at: span)
    }
    public static func notSpreadable(found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `...` spreads a record, found `\(t)`", at: span)
    }
    public static func notIterable(found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `for` walks a list or a range, found `\(t)`", at: span)
    }
    public static func notAFunction(_ name: String, type t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `\(name)` is a `\(t)`, not a function", at: span)
    }
    public static func assertNotBool(found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: an `assert` condition must be `Bool`, found `\(t)`", at: span)
    }
    public static func ifNotBool(found t: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: an `if` condition must be `Bool`, found `\(t)`", at: span)
    }
    public static func typeMismatch(expected t: String, found: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: expected `\(t)`, found `\(found)`", at: span)
    }
    /// `f` or `module.f` used as a value.
    public static func functionNotAValue(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.notAValue, "function `\(name)` is not a value", at: span, help: "call it: `\(name)(…)`")
    }
    public static func moduleNotAValue(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.notAValue, "module `\(name)` is not a value", at: span, help: "use one of its definitions: `\(name).<name>`")
    }
}

// Static pass only (StaticTypes.swift).
extension Diagnostic {
    /// The branches of an `if` expression disagree; the note points at the first branch.
    public static func incompatibleBranches(first: String, other: String, at span: Span, firstBranch: Span) -> Diagnostic {
        Diagnostic(.typeMismatch,
                   "mismatched types: `if` and `else` have incompatible types: expected `\(first)`, found `\(other)`",
                   at: span, notes: [DiagnosticNote("the first branch is `\(first)`", at: firstBranch)],
                   help: "both branches of an `if` expression must have one type")
    }
    /// A reference to a resource of type `foundType` (`Nic`) where another kind is expected.
    public static func wrongResourceKind(expected: ExpectedResource, foundType: String, at span: Span) -> Diagnostic {
        Diagnostic(.wrongResourceKind, "expected \(expected.phrase), found `\(foundType)`", at: span)
    }
}

// Evaluator (Build.swift).
extension Diagnostic {
    /// `message`: the text of the assert's own message, if it has one.
    public static func assertionFailed(message: String?, at span: Span) -> Diagnostic {
        Diagnostic(.assertionFailed, "assertion failed" + (message.map { ": " + $0 } ?? ""), at: span)
    }

    /// The iterations of a `for` an assertion failed in (`i = 3`), the first few and a count.
    public func failing(in iterations: [String], more: Int, at span: Span) -> Diagnostic {
        let listed = iterations.map { "`\($0)`" }
        let text: String
        switch (listed.count, more) {
        case (1, 0): text = listed[0]
        case (_, 0): text = listed.dropLast().joined(separator: ", ") + " and " + listed.last!
        default: text = listed.joined(separator: ", ") + " and \(DiagnosticRenderer.groupedDigits(more)) more iteration\(more == 1 ? "" : "s")"
        }
        return note("fails for " + text, at: span)
    }
}

/// What a reference position takes (E0302).
public enum ExpectedResource: Sendable {
    /// One kind of resource, by its type name (`Bridge`, `OvsBridge`, `Network`).
    case kind(String)
    /// A `nic`, `vlan` or `bond`.
    case link
    /// A network, or `pod`.
    case networkOrPod

    /// As messages name it: "a `Bridge`", "a `Link` (a `nic`, `vlan` or `bond`)".
    var phrase: String {
        switch self {
        case .link: return "a `Link` (a `nic`, `vlan` or `bond`)"
        case .networkOrPod: return "a `Network` or `pod`"
        case .kind(let t):
            let first = t.first ?? "x"
            return ("AEIOU".contains(first) ? "an" : "a") + " `\(t)`"
        }
    }
}

// Evaluator: references, coercion and conversions (Coerce.swift, Expressions.swift, Operators.swift).
extension Diagnostic {
    /// A reference to the resource `name`, declared with `keyword` (type `type`), where `expected`
    /// is needed; the classic mistakes (a NIC as a bridge, a Linux bridge as an OVS bridge, …) get a help.
    public static func wrongResourceKind(expected: ExpectedResource, found keyword: String, type: String,
                                         named name: String, at span: Span) -> Diagnostic {
        let isLink = keyword == "nic" || keyword == "vlan" || keyword == "bond"
        var help: String? = nil
        switch expected {
        case .kind("Bridge") where isLink:
            help = "declare a bridge over it (`bridge br-\(name) { ports = [\(name)] }`) and use `bridge = br-\(name)`, "
                + "or attach the network directly with `macvlan = \(name)`"
        case .kind("Bridge") where keyword == "ovs-bridge":
            help = "`\(name)` is an OVS bridge: use `ovs = \(name)`"
        case .kind("OvsBridge") where keyword == "bridge":
            help = "`\(name)` is a Linux bridge: use `bridge = \(name)`, or declare it as `ovs-bridge \(name)`"
        case .kind("OvsBridge") where isLink:
            help = "declare an OVS bridge over it (`ovs-bridge ovs-\(name) { ports = [\(name)] }`) and use `ovs = ovs-\(name)`"
        case .link where keyword == "bridge" || keyword == "ovs-bridge":
            help = "a bridge is not a link: attach the network with `bridge = \(name)`"
                + (keyword == "ovs-bridge" ? " (`ovs = \(name)` for an OVS bridge)" : "")
                + ", or use one of the bridge's ports"
        default: break
        }
        return Diagnostic(.wrongResourceKind, "expected \(expected.phrase), found \(type) `\(name)`", at: span, help: help)
    }
    /// A value of type `String` (not a literal) where `expected` (an `IP`, `CIDR`, `MAC`, … description) is needed.
    public static func stringNotConverted(expected: String, at span: Span) -> Diagnostic {
        let conversion: String
        switch expected {
        case "CIDR": conversion = "cidr(…)"
        case "MAC": conversion = "mac(…)"
        default: conversion = "ip(…)"
        }
        return Diagnostic(.typeMismatch, "mismatched types: expected `\(expected)`, found `String`", at: span,
                          help: "only a string literal written here converts; use `\(conversion)`")
    }
    /// An `IP` (`address`) where an `IfAddr` is expected.
    public static func addressWithoutPrefix(_ address: String, isV6: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: expected `IfAddr`, found `IP`", at: span,
                   help: "an interface address carries its prefix length: write `\(address)/\(isV6 ? 64 : 24)` (with the real prefix)")
    }
    /// A module (imported and read through a `let`) where a value is expected.
    public static func moduleUsedAsValue(at span: Span) -> Diagnostic {
        Diagnostic(.notAValue, "a module is not a value", at: span, help: "use one of its definitions: `module.<name>`")
    }
    public static func moduleNotAFunction(_ name: String, at span: Span) -> Diagnostic {
        Diagnostic(.notAValue, "module `\(name)` is not a function", at: span)
    }
    /// `module.member` called, where `member` is not a function.
    public static func moduleMemberNotAFunction(_ module: String, _ member: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: `\(module).\(member)` is not a function", at: span)
    }
    /// A value of type `type` called like a function.
    public static func notCallable(type: String, at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: a `\(type)` cannot be called", at: span)
    }
    public static func subtractingAddressFamilies(at span: Span) -> Diagnostic {
        Diagnostic(.typeMismatch, "mismatched types: cannot subtract addresses of different families", at: span)
    }
    /// `value` (of an attribute `attribute`) is not one of `allowed`.
    public static func invalidEnumValue(_ value: String, attribute: String, allowed: [String], at span: Span) -> Diagnostic {
        let what = attribute == "mode" ? "bond mode" : "`\(attribute)` value"
        return Diagnostic(.unknownEnumValue, "`\(value)` is not a valid \(what)", at: span,
                          help: Suggest.didYouMean(value, among: allowed)
                            ?? "expected one of \(allowed.map { "`\($0)`" }.joined(separator: ", "))")
    }
}

/// The address types a string literal converts to (`invalidLiteral`).
public enum AddressLiteral: Sendable { case ip, cidr, ifaddr, mac }

// Evaluator: string literals converted to the expected type (Expressions.swift).
extension Diagnostic {
    /// `address` (an IfAddr, as written) where a network is expected; `network` is the network it
    /// belongs to, offered as a fix-it (in quotes when the value was a string literal: `quoted`).
    public static func cidrHostBits(_ address: String, network: String, quoted: Bool, at span: Span) -> Diagnostic {
        Diagnostic(.cidrHostBits, "`\(address)` has host bits set; a network address is expected here", at: span,
                   help: "did you mean \(network)?", fixIts: [FixIt(replace: span, with: quoted ? "\"\(network)\"" : network)])
    }
    /// A string literal that does not convert to the expected address type.
    public static func invalidLiteral(_ text: String, as type: AddressLiteral, at span: Span) -> Diagnostic {
        let noun: String, help: String?
        switch type {
        case .ip:
            noun = "IP address"
            help = text.contains("/") ? "an address with a prefix is an `IfAddr`; write the address alone" : nil
        case .cidr: noun = "network (CIDR)"; help = "write an address and a prefix length, such as \"fd00::/64\""
        case .ifaddr: noun = "interface address"; help = "write an address and a prefix length, such as \"fd00::10/64\""
        case .mac: noun = "MAC address"; help = "write six hexadecimal octets separated by colons, such as \"0e:00:00:aa:bb:cc\""
        }
        return Diagnostic(.invalidLiteralConversion, "`\(text)` is not a valid \(noun)", at: span, help: help)
    }
    /// `badSuffix`: the suffix, when only it is wrong (then `suffixes` feed "did you mean").
    public static func invalidQuantityString(_ text: String, badSuffix: String?, suffixes: [String],
                                             at span: Span) -> Diagnostic {
        Diagnostic(.invalidLiteralConversion, "`\(text)` is not a valid quantity", at: span,
                   help: badSuffix.flatMap { Suggest.didYouMean($0, among: suffixes) }
                       ?? "use a whole number with one of the suffixes Ki Mi Gi Ti Pi Ei k M G T P E")
    }
}

// Evaluator: optional attributes read but not set (Members.swift).
extension Diagnostic {
    /// `keyword` `resource` (declared at `declared`) does not set `attribute`.
    public static func unsetAttribute(_ attribute: String, of keyword: String, _ resource: String, at span: Span,
                                      declared: Span) -> Diagnostic {
        Diagnostic(.unsetAttribute, "\(keyword) `\(resource)` has no `\(attribute)`", at: span,
                   notes: [DiagnosticNote("declared here", at: declared)],
                   help: "set `\(attribute) = …` in `\(keyword) \(resource)`")
    }
    /// The VM NIC `nic` (`vm.nic`, declared at `declared`) does not set `attribute`.
    public static func unsetNicAttribute(_ attribute: String, nic: String, at span: Span, declared: Span) -> Diagnostic {
        Diagnostic(.unsetAttribute, "nic `\(nic)` has no `\(attribute)`", at: span,
                   notes: [DiagnosticNote("declared here", at: declared)])
    }
    /// `vm.nic.address` of a NIC (`nic`: `vm.nic`) without a static or `auto` address; `declared`
    /// is its declaration or its `address = dhcp`.
    public static func nicAddressByDHCP(_ nic: String, at span: Span, declared: Span) -> Diagnostic {
        Diagnostic(.unsetAttribute, "`\(nic)` has no address: it gets one by DHCP", at: span,
                   notes: [DiagnosticNote("declared here", at: declared)])
    }
}
