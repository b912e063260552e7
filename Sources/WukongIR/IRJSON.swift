import Foundation

/// `wukongc build --emit ir`: the IR as stable JSON (sorted keys, two-space indentation, no
/// escaped slashes), ending with a newline.
public enum IRJSON {
    public static func encode(_ t: Topology) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(t) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
