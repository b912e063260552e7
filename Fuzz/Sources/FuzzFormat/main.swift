import FuzzSupport
import WukongCompiler
import WukongDiagnostics
import WukongFormat

// `fmt`: formatting is idempotent, and the formatted program means the same — the same
// diagnostic codes and the same IR as the original.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormat(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var sources = SourceMap()
    let id = sources.add(path: "fuzz.wk", bytes: bytes)
    let r = Formatter.format(sources[id]!)
    let refusal = Diagnostic.formatterChangedMeaning(at: .none).message
    if r.diagnostics.contains(where: { $0.message == refusal }) {
        Fuzz.fail("fmt refuses a file without syntax errors", String(decoding: bytes, as: UTF8.self))
    }
    guard let text = r.text else { return 0 }
    let id2 = sources.add(path: "fuzz.wk", bytes: Array(text.utf8))
    guard let twice = Formatter.format(sources[id2]!).text, twice == text else {
        Fuzz.fail("fmt is not idempotent", text)
    }
    let before = Fuzz.compile(bytes), after = Fuzz.compile(Array(text.utf8))
    if before.diagnostics.map(\.code) != after.diagnostics.map(\.code) {
        Fuzz.fail("formatting changed the diagnostics", text)
    }
    if before.topology != after.topology { Fuzz.fail("formatting changed the IR", text) }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Fuzz.initialize()
    return 0
}
