import FuzzSupport
import WukongDiagnostics
import WukongSyntax

// Lexer and parser: any bytes give a tree and diagnostics, never a crash or a hang; every
// diagnostic lies inside the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParse(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var sources = SourceMap()
    let id = sources.add(path: "fuzz.wk", bytes: bytes)
    let (_, diagnostics) = Parser.parse(sources[id]!)
    for d in diagnostics where d.span.file == id && (d.span.start > d.span.end || Int(d.span.end) > bytes.count) {
        Fuzz.fail("diagnostic span outside the file", "\(d.code.rawValue) \(d.span) of \(bytes.count) bytes")
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Fuzz.initialize()
    return 0
}
