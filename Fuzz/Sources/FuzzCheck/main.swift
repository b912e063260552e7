import FuzzSupport
import WukongCompiler

// `check`: the whole front end (parse, evaluate, topology checks, lowering) on any input —
// no crash, no hang, and the same diagnostics when run twice (determinism).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheck(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let first = Fuzz.compile(bytes)
    if first.diagnostics.isEmpty && first.hasErrors { Fuzz.fail("errors without diagnostics") }
    let again = Fuzz.compile(bytes)
    if Fuzz.signature(first) != Fuzz.signature(again) {
        Fuzz.fail("diagnostics differ between two runs", Fuzz.signature(first).joined(separator: "\n"))
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Fuzz.initialize()
    return 0
}
