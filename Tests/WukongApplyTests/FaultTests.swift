import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// Each injected fault gives the documented behaviour, and nothing is lost or silently skipped.
final class FaultTests: XCTestCase {
    var server: TestAPIServer!

    override func setUpWithError() throws {
        server = try TestAPIServer.shared()
        try server.reset()
    }

    func applier(retry: RetryPolicy = fastRetry(), requestTimeout: Double = 10, config: ClusterConfig? = nil,
                 concurrency: Int = 4) -> Applier {
        var o = ApplyOptions()
        o.concurrency = concurrency
        return Applier(client: KubeClient(config: config ?? server.certConfig(),
                                          http: HTTPClientOptions(connectTimeout: 2, requestTimeout: requestTimeout), retry: retry),
                       options: o)
    }

    /// After a fault the run either completes, or the report accounts for every object.
    func assertAccountedFor(_ report: ApplyReport, _ objects: [KubeObject], file: StaticString = #filePath, line: UInt = #line) {
        let seen = Set(report.applied.map { $0.object.qualified } + report.notApplied.map(\.qualified))
        XCTAssertEqual(report.applied.count + report.notApplied.count, objects.count, file: file, line: line)
        XCTAssertEqual(seen.count, objects.count, "every object is either applied or reported not applied", file: file, line: line)
    }

    func testTooManyRequestsHonoursRetryAfter() throws {
        try server.inject(#"[{"type": "429", "method": "PATCH", "path_contains": "web-1", "retry_after": 1, "count": 1}]"#)
        let log = EventLog()
        let start = Date()
        let objects = smallTopology(vms: 2)
        let report = applier(retry: RetryPolicy(maxAttempts: 5, initialDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 5)).apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.count(.created), objects.count)
        XCTAssertEqual(log.retries.map(\.delay), [1.0], "the server's Retry-After, not the 0.01 s backoff")
        XCTAssertEqual(log.retries.first?.reason, "HTTP 429")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1.0)
        XCTAssertTrue(log.lines.contains { $0.hasPrefix("virtualmachine.kubevirt.io/web-1: HTTP 429, retrying in 1.0s") }, "\(log.lines)")
    }

    func testTransientServerErrorsAreRetriedWithBackoff() throws {
        try server.inject(#"[{"type": "500", "method": "PATCH", "path_contains": "secrets", "count": 2}, {"type": "503", "method": "GET", "path_contains": "lan", "count": 1}]"#)
        let log = EventLog()
        let report = applier().apply(smallTopology(vms: 1), events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.count, 3)
        XCTAssertEqual(log.retries.filter { $0.reason == "HTTP 500" }.map(\.delay), [0.05, 0.1], "exponential")
        XCTAssertEqual(try server.log().filter { $0.method == "PATCH" && $0.path.hasSuffix("/secrets/cloudinit-web") }.map(\.status),
                       [500, 500, 201])
    }

    func testBackoffIsCappedAndBounded() throws {
        let p = RetryPolicy(maxAttempts: 5, initialDelay: 0.5, maxDelay: 8)
        XCTAssertEqual((1...6).map { p.delay(afterAttempt: $0) }, [0.5, 1, 2, 4, 8, 8])
        try server.inject(#"[{"type": "500", "method": "PATCH", "path_contains": "web-1", "count": 100}]"#)
        let objects = smallTopology(vms: 2)
        let report = applier(retry: fastRetry(4), concurrency: 1).apply(objects)
        let f = try XCTUnwrap(report.failure)
        XCTAssertEqual(f.error.httpStatus, 500)
        XCTAssertEqual(f.error.attempts, 4)
        XCTAssertTrue(report.summary.contains("after 4 attempts"), report.summary)
        XCTAssertEqual(report.notApplied.map(\.description), ["virtualmachine.kubevirt.io/web-1", "virtualmachine.kubevirt.io/web-2"])
        XCTAssertTrue(report.summary.contains("applied 4 of 6 objects; not applied: lab/virtualmachine.kubevirt.io/web-1, lab/virtualmachine.kubevirt.io/web-2"), report.summary)
        assertAccountedFor(report, objects)
        // re-running after the failure converges
        try server.control("DELETE", "/_test/faults")
        let again = applier().apply(objects)
        XCTAssertNil(again.failure)
        XCTAssertEqual(again.actions.filter { $0.hasSuffix("created") }, ["virtualmachine.kubevirt.io/web-1 created", "virtualmachine.kubevirt.io/web-2 created"])
    }

    func testPermanentErrorDressedAs500IsNotRetried() throws {
        try server.inject(#"[{"type": "500-schema", "method": "PATCH", "path_contains": "lan", "count": 5}]"#)
        let log = EventLog()
        let objects = smallTopology(vms: 1)
        let report = applier(retry: RetryPolicy(maxAttempts: 5, initialDelay: 2, maxDelay: 8)).apply(objects, events: log.sink)
        XCTAssertEqual(report.failure?.error.attempts, 1)
        XCTAssertTrue(log.retries.isEmpty)
        XCTAssertEqual(report.failure?.object?.description, "networkattachmentdefinition.k8s.cni.cncf.io/lan")
        XCTAssertEqual(report.failure?.error.fields, [".spec.injected"])
        assertAccountedFor(report, objects)
    }

    func testConnectionResetIsRetried() throws {
        try server.inject(#"[{"type": "reset", "method": "PATCH", "path_contains": "nodenetwork", "count": 2}]"#)
        let log = EventLog()
        let report = applier().apply(smallTopology(vms: 1), events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        // curl itself re-sends once on a reused connection that died before answering; the rest is ours
        XCTAssertGreaterThanOrEqual(log.retries.count, 1, "\(log.lines)")
        XCTAssertEqual(report.count(.created), 5)
    }

    func testSlowResponseTimesOutAndIsRetried() throws {
        try server.inject(#"[{"type": "slow", "method": "PATCH", "path_contains": "web-1", "delay": 2.5, "count": 1}]"#)
        let log = EventLog()
        let start = Date()
        let report = applier(requestTimeout: 1).apply(smallTopology(vms: 1), events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.count, 1)
        XCTAssertTrue(log.retries[0].reason.lowercased().contains("timed out") || log.retries[0].reason.lowercased().contains("timeout"),
                      log.retries[0].reason)
        // the first attempt ended by the client's 1 s timeout, not by the server's late answer
        XCTAssertEqual(try server.log().filter { $0.method == "PATCH" && $0.path.hasSuffix("/web-1") }.map(\.status).first, 201,
                       "the only answer logged for web-1 is the retry's (the slow one was never read)")
        _ = start
        XCTAssertEqual(report.count(.created), 5)
    }

    func testSlowResponseEveryTimeFailsAsTimeout() throws {
        try server.inject(#"[{"type": "slow", "method": "GET", "path_contains": "lan", "delay": 1.5, "count": 2}]"#)
        let objects = smallTopology(vms: 1)
        let report = applier(retry: fastRetry(2), requestTimeout: 0.5).apply(objects)
        XCTAssertEqual(report.failure?.error.kind, .timeout)
        XCTAssertEqual(report.failure?.error.attempts, 2)
        assertAccountedFor(report, objects)
    }

    func testUnauthorizedStopsAtOnce() throws {
        try server.inject(#"[{"type": "401", "method": "PATCH", "path_contains": "secrets", "count": 1}]"#)
        let objects = smallTopology(vms: 1)
        let report = applier(config: server.tokenConfig()).apply(objects)
        XCTAssertEqual(report.failure?.error.kind, .unauthorized)
        XCTAssertEqual(report.failure?.error.attempts, 1)
        XCTAssertEqual(report.actions, ["namespace/lab created"])
        XCTAssertEqual(report.notApplied.count, 4)
        assertAccountedFor(report, objects)
    }

    func testWrongTokenIsUnauthorized() throws {
        let report = applier(config: server.tokenConfig("not-the-token")).apply([namespaceObj("lab")])
        XCTAssertEqual(report.failure?.error.httpStatus, 401)
        XCTAssertEqual(report.exitCode, 1)
    }

    func testConnectionRefusedIsRetriedThenReported() throws {
        // a port nobody listens on: bind, read the port, close
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        close(fd)
        var config = server.certConfig()
        config.server = "https://127.0.0.1:\(port)"
        let log = EventLog()
        let report = applier(retry: fastRetry(3), config: config).apply([namespaceObj("lab")], events: log.sink)
        XCTAssertEqual(report.failure?.error.kind, .transport)
        XCTAssertEqual(report.failure?.error.attempts, 3)
        XCTAssertEqual(log.retries.count, 2)
        XCTAssertEqual(report.notApplied.map(\.description), ["namespace/lab"])
    }

    func testFailureInAParallelBatchStopsNewWorkAndReportsExactly() throws {
        var objects = [namespaceObj("lab")]
        for i in 1...40 { objects.append(vmObj("vm-\(i)", ns: "lab")) }
        // the other VMs' answers take 0.1 s, so the failure is seen while few requests are in
        // flight however loaded the machine is (a sanitizer build, a busy CI runner)
        try server.inject(#"[{"type": "401", "method": "PATCH", "path_contains": "/vm-10", "count": 1}, "#
                          + #"{"type": "slow", "delay": 0.1, "method": "PATCH", "path_contains": "/vm-", "count": 40}]"#)
        let report = applier(config: server.tokenConfig(), concurrency: 4).apply(objects)
        XCTAssertEqual(report.failure?.object?.name, "vm-10")
        assertAccountedFor(report, objects)
        // what the report says was applied is exactly what the server has
        let stored = try server.log().filter { $0.method == "PATCH" && ($0.status == 201 || $0.status == 200) }.map { String($0.path.split(separator: "/").last!) }
        XCTAssertEqual(Set(stored), Set(report.applied.map(\.object.name)))
        XCTAssertLessThan(report.applied.count, 20, "work stopped soon after the failure")
    }
}
