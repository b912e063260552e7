import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// Generated objects in the back end's proportions: per VM one cloud-init Secret and one NAD.
func generatedObjects(_ count: Int, ns: String = "bench") -> [KubeObject] {
    var out = [namespaceObj(ns, topology: "bench")]
    let vms = max(1, (count - 1) / 3)
    for i in 0..<vms { out.append(secretObj("cloudinit-vm-\(i)", ns: ns, topology: "bench")) }
    for i in 0..<vms { out.append(nadObj("net-\(i)", ns: ns, topology: "bench")) }
    for i in 0..<vms { out.append(vmObj("vm-\(i)", ns: ns, topology: "bench")) }
    return out
}

/// The benchmark hook: `WUKONG_BENCH_APPLY=3000 swift test --filter ApplyBenchmarkTests`
/// (what `scripts/bench-apply` runs) applies that many generated objects to the test server on
/// loopback and prints `apply-bench: ...`. Without the variable a smaller run checks that
/// connections are reused and requests run concurrently.
final class ApplyBenchmarkTests: XCTestCase {
    func testApplyManyObjects() throws {
        let server = try TestAPIServer.shared()
        try server.reset()
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["WUKONG_BENCH_APPLY"] ?? "") ?? 300
        let concurrency = Int(env["WUKONG_BENCH_CONCURRENCY"] ?? "") ?? 8
        let objects = generatedObjects(n)
        var options = ApplyOptions()
        options.concurrency = concurrency
        let applier = Applier(client: KubeClient(config: server.certConfig(), retry: fastRetry()), options: options)
        let start = Date()
        let report = applier.apply(objects)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.count(.created), objects.count)
        let connections = try server.control("GET", "/_test/log")["connections"]?.intValue ?? -1
        print(String(format: "apply-bench: %d objects created in %.2f s (%.0f objects/s, concurrency %d, %d TLS connections)",
                     objects.count, seconds, Double(objects.count) / seconds, concurrency, connections))
        XCTAssertLessThanOrEqual(connections, concurrency + 2, "connections are reused across requests")
        XCTAssertGreaterThan(connections, 1, "requests run concurrently")
        let again = Date()
        let second = applier.apply(objects)
        XCTAssertEqual(second.count(.unchanged), objects.count)
        print(String(format: "apply-bench: %d objects re-applied (unchanged) in %.2f s", objects.count, Date().timeIntervalSince(again)))
    }
}
