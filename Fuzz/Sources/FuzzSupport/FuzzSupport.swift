import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongSema
import WukongSyntax

/// What every fuzz target shares: the input as a `.wk` file, one compilation, and a failure that
/// libFuzzer records as a crash (with the message on stderr).
public enum Fuzz {
    /// The input as one source file (any bytes: invalid UTF-8 must be diagnosed, not crash).
    public static func file(_ data: UnsafeRawBufferPointer) -> InputFile {
        InputFile(path: "fuzz.wk", bytes: Array(data))
    }

    public static func compile(_ bytes: [UInt8]) -> Compilation {
        Driver.compile(files: [InputFile(path: "fuzz.wk", bytes: bytes)], defaultName: "fuzz")
    }

    /// The codes and positions of a compilation's diagnostics, for comparing two compilations.
    public static func signature(_ c: Compilation) -> [String] {
        c.diagnostics.map { "\($0.code.rawValue)@\($0.span.start)-\($0.span.end) \($0.message)" }
    }

    /// An invariant broke: abort so libFuzzer keeps the input as a crash.
    public static func fail(_ what: String, _ detail: @autoclosure () -> String = "") -> Never {
        FileHandle.standardError.write(Data("fuzz invariant broken: \(what)\n\(detail())\n".utf8))
        abort()
    }
}

extension Fuzz {
    /// Called by each target's `LLVMFuzzerInitialize`: with `WUKONG_FUZZ_DICT=PATH` in the
    /// environment, writes the dictionary there and exits (scripts/fuzz makes it this way, so
    /// the dictionary always matches the compiler being fuzzed).
    public static func initialize() {
        guard let path = ProcessInfo.processInfo.environment["WUKONG_FUZZ_DICT"] else { return }
        do { try dictionary().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            FileHandle.standardError.write(Data("cannot write \(path): \(error)\n".utf8)); exit(2)
        }
        exit(0)
    }

    /// A libFuzzer dictionary of the language's tokens, from the compiler's own tables:
    /// keywords and punctuation (`TokenKind`), the attributes of every block and their allowed
    /// values, built-in functions and members, standard-library modules and their names, and a
    /// few literal shapes.
    public static func dictionary() -> String {
        var words = Set<String>()
        for k in TokenKind.allCases { if let s = k.spelling { words.insert(s) } }
        for kind in ResourceKind.allCases {
            for a in LanguageFacts.attributes(of: kind) {
                words.insert(a.name)
                a.allowed?.forEach { words.insert("\"\($0)\"") }
            }
            for a in LanguageFacts.attributes(of: .nic, nestedIn: kind) { words.insert(a.name) }
        }
        for f in LanguageFacts.builtinFunctionFacts { words.insert(f.name + "(") }
        for t in ["CIDR", "IfAddr", "IP", "[Int]", "Network", "VM NIC", "String"] {
            for m in LanguageFacts.members(ofType: t) { words.insert("." + m.name) }
        }
        for m in LanguageFacts.stdlibModules {
            words.insert("std." + m.name)
            m.definitions.forEach { words.insert($0) }
        }
        words.formUnion(["10.0.0.0/24", "10.0.0.5", "192.168.0.1/24", "fd00::1", "4Gi", "128Mi", "02:00:00:00:00:01",
                         "\"\"\"", "${", "//", "/*", "*/", "\n", "9223372036854775807", "4294967296", "-1"])
        let hex = Array("0123456789ABCDEF")
        return words.sorted().map { w in
            "\"" + w.utf8.map { b -> String in
                switch b {
                case UInt8(ascii: "\""): return "\\\""
                case UInt8(ascii: "\\"): return "\\\\"
                case 0x20..<0x7F: return String(UnicodeScalar(b))
                default: return "\\x" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
                }
            }.joined() + "\""
        }.joined(separator: "\n") + "\n"
    }
}
