/// A whole number of bytes, written with a binary (`Ki`…`Ei`) or decimal (`k`…`E`) suffix.
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Int64
    public init(bytes: Int64) { self.bytes = bytes }

    public static let binarySuffixes: [(String, Int64)] = [
        ("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
    public static let decimalSuffixes: [(String, Int64)] = [
        ("E", 1_000_000_000_000_000_000), ("P", 1_000_000_000_000_000), ("T", 1_000_000_000_000),
        ("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)]
    public static var suffixNames: [String] { binarySuffixes.map(\.0) + decimalSuffixes.map(\.0) }

    public static func multiplier(of suffix: String) -> Int64? {
        for (s, m) in binarySuffixes where s == suffix { return m }
        for (s, m) in decimalSuffixes where s == suffix { return m }
        return nil
    }

    public enum ParseError: Error, Equatable { case badNumber, badSuffix(String), overflow }

    /// "512Mi", "4Gi", "2G", "1024" (plain bytes).
    public static func parse(_ text: String) -> Result<Quantity, ParseError> {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = String(text.dropFirst(digits.count))
        guard !digits.isEmpty, let n = Int64(digits) else { return .failure(digits.isEmpty ? .badNumber : .overflow) }
        if suffix.isEmpty { return .success(Quantity(bytes: n)) }
        guard let m = multiplier(of: suffix) else { return .failure(.badSuffix(suffix)) }
        let (r, o) = n.multipliedReportingOverflow(by: m)
        return o ? .failure(.overflow) : .success(Quantity(bytes: r))
    }

    /// The largest exact unit, binary first, then decimal, else plain bytes: `4Gi`, `2G`, `1500`.
    public var description: String {
        if bytes == 0 { return "0" }
        for (s, m) in Quantity.binarySuffixes where bytes % m == 0 { return "\(bytes / m)\(s)" }
        for (s, m) in Quantity.decimalSuffixes where bytes % m == 0 { return "\(bytes / m)\(s)" }
        return "\(bytes)"
    }

    public static func < (a: Quantity, b: Quantity) -> Bool { a.bytes < b.bytes }
}
