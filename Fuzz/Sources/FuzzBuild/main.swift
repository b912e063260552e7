import Foundation
import FuzzSupport
import WukongCompiler
import WukongKubernetes
import Yams

// `build`: a program that compiles without errors gives objects whose YAML parses, whose JSON
// parses, and both are the same on a second build (determinism).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBuild(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let c = Fuzz.compile(bytes)
    guard !c.hasErrors, let topology = c.topology else { return 0 }
    let objects = KubernetesBackend.objects(for: topology)
    let yaml = YAMLOutput.stream(objects)
    let json = JSONOutput.stream(objects)
    do {
        let docs = try Array(Yams.load_all(yaml: yaml))
        if docs.count != objects.count { Fuzz.fail("YAML has \(docs.count) documents for \(objects.count) objects", yaml) }
    } catch {
        Fuzz.fail("YAML does not parse: \(error)", yaml)
    }
    if (try? JSONSerialization.jsonObject(with: Data(json.utf8))) == nil { Fuzz.fail("JSON does not parse", json) }
    guard let again = Fuzz.compile(bytes).topology else { Fuzz.fail("second build has no topology") }
    let objects2 = KubernetesBackend.objects(for: again)
    if YAMLOutput.stream(objects2) != yaml || JSONOutput.stream(objects2) != json { Fuzz.fail("output differs between two builds") }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Fuzz.initialize()
    return 0
}
