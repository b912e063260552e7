// Evaluation (E03xx, E0207): values the evaluator cannot compute — arithmetic out of range,
// addresses leaving their family, collections and loops past evaluation's limits, `auto`
// addresses read too early.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).
// Call sites pass values and spans only; no message text lives outside `Catalogue/`.

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func evaluationEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .integerOverflow:
            return (title: "integer overflow",
                    body: """
                        Int arithmetic is 64-bit signed and checked at compile time; the result of
                        this operation does not fit.
                        """,
                    example: """
                        let x = 9223372036854775807 + 1
                        """)
        case .divisionByZero:
            return (title: "division by zero",
                    body: """
                        Division or remainder by zero, found at compile time.
                        """,
                    example: """
                        let x = 10 / 0
                        """)
        case .valueOutOfRange:
            return (title: "value out of range",
                    body: """
                        An operation produced a value outside its domain: an address leaving its
                        family (`255.255.255.255 + 1`), `.host(n)` outside the network, an oversized
                        range.
                        """,
                    example: """
                        let a = 10.0.0.0/24.host(300)
                        """)
        default:
            return nil
        }
    }
}

// Arithmetic (WukongSema/Operators.swift, LanguageTable.swift).
extension Diagnostic {
    /// `-(value)` of the smallest Int.
    public static func negationOverflow(of value: Int, at span: Span) -> Diagnostic {
        Diagnostic(.integerOverflow, "integer overflow: `-(\(value))` does not fit in 64 bits", at: span)
    }
    /// `l op r` (operands as their text) overflows.
    public static func arithmeticOverflow(_ l: String, _ op: String, _ r: String, at span: Span) -> Diagnostic {
        Diagnostic(.integerOverflow, "integer overflow: `\(l) \(op) \(r)` does not fit in 64 bits", at: span)
    }
    /// `len` of a range with more than `Int.max` elements.
    public static func rangeLengthOverflow(at span: Span) -> Diagnostic {
        Diagnostic(.integerOverflow, "integer overflow: the range has more elements than fit in 64 bits", at: span)
    }
    /// `.size` of a network (`cidr`) with more than `Int.max` addresses.
    public static func networkSizeOverflow(_ cidr: String, at span: Span) -> Diagnostic {
        Diagnostic(.integerOverflow, "integer overflow: `\(cidr)` has more addresses than fit in 64 bits", at: span)
    }
    /// `remainder`: `%` rather than `/`; `zero` is the divisor.
    public static func divisionByZero(remainder: Bool, at span: Span, zero: Span) -> Diagnostic {
        Diagnostic(.divisionByZero, remainder ? "remainder by zero" : "division by zero", at: span,
                   notes: [DiagnosticNote("this is zero", at: zero)])
    }
    /// `l op r` (operands as their text) would be a negative quantity.
    public static func negativeQuantity(_ l: String, _ op: String, _ r: String, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "`\(l) \(op) \(r)` is a negative quantity", at: span)
    }
    /// `quantity / n` does not divide exactly.
    public static func quantityNotWhole(_ quantity: String, dividedBy n: Int, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "`\(quantity) / \(n)` is not a whole number of bytes", at: span,
                   help: "a quantity divides only exactly")
    }
}

// Addresses (Operators.swift, Coerce.swift, LanguageTable.swift).
extension Diagnostic {
    /// `address op n` passes the end (or start) of the address space of `address`.
    public static func addressLeavesFamily(_ address: String, _ op: String, _ n: Int, isV6: Bool,
                                           at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "`\(address) \(op) \(n)` leaves the \(isV6 ? "IPv6" : "IPv4") address space", at: span)
    }
    public static func addressRangeFamilies(at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "the bounds of an address range must be of one address family", at: span)
    }
    public static func emptyAddressRange(at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "the address range is empty", at: span, help: "write `first ..= last` with first ≤ last")
    }
    public static func ipv6NoBroadcast(at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "IPv6 networks have no broadcast address", at: span)
    }
    /// `.host(index)` of `network`, which has `size` addresses (nil: more than fit in an Int).
    public static func hostOutsideNetwork(_ index: Int, network: String, size: Int?, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange,
                   "`host(\(index))` is outside the network `\(network)` (\(size.map { "\($0) addresses" } ?? "addresses"))",
                   at: span, help: "`.host(n)` takes 0 ≤ n < `.size`")
    }
}

// Limits of evaluation (Engine.swift, Operators.swift, Expressions.swift).
extension Diagnostic {
    /// More than `limit` loop iterations and function calls.
    public static func stepLimitExceeded(limit: Int, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "evaluation takes more than \(limit) steps (loop iterations and calls)", at: span,
                   help: "make the loops smaller")
    }
    /// A range (`range`, as its text) walked or materialised with more than `limit` elements.
    public static func rangeTooLarge(_ range: String, limit: Int, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "range `\(range)` has more than \(limit) elements", at: span, help: "narrow the range")
    }
    /// A concatenation longer than `limit` elements.
    public static func listTooLarge(limit: Int, at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "the list grows beyond what evaluation allows", at: span,
                   help: "a list holds at most \(limit) elements")
    }
    /// A concatenation longer than 16 MiB.
    public static func stringTooLarge(at span: Span) -> Diagnostic {
        Diagnostic(.valueOutOfRange, "the string grows beyond what evaluation allows", at: span,
                   help: "a string holds at most 16 MiB")
    }
}

// `auto` addresses read in expressions (`vm.nic.address`, Members.swift).
extension Diagnostic {
    /// Read while `for`/`if` are still being expanded.
    public static func autoAddressDuringExpansion(at span: Span) -> Diagnostic {
        Diagnostic(.definitionCycle, "an `auto` address is allocated after expansion; it cannot decide a `for` or `if`",
                   at: span, help: "give the NIC a static address, or compute the value from the network's pool")
    }
    /// Read while the allocation computes the addresses `auto` must avoid.
    public static func autoAddressInOwnAllocation(at span: Span) -> Diagnostic {
        Diagnostic(.definitionCycle, "this `auto` address depends on the allocation it is part of", at: span,
                   help: "NIC addresses that `auto` must avoid cannot themselves use an `auto` address")
    }
}
