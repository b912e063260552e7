import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// Faults injected between the client and the API server by Tests/apiserver/fault-proxy.py (the
/// server itself behaves). For each: the documented retry behaviour, a report naming exactly what
/// the server acknowledged (the proxy's log is the witness), and a cluster holding a prefix of the
/// ordered plan (Namespace → Secret → NNCP → NAD → VM).
final class ProxyFaultTests: XCTestCase {
    var server: TestAPIServer!
    var proxy: TestFaultProxy!

    override func setUpWithError() throws {
        proxy = try TestFaultProxy.shared()
        server = proxy.server
        try server.reset()
        try proxy.reset()
    }

    /// Through the proxy with the bearer token; one request at a time unless told (so the
    /// cluster's prefix is exact, not per kind).
    func applier(config: ClusterConfig? = nil, retry: RetryPolicy = fastRetry(), requestTimeout: Double = 10,
                 concurrency: Int = 1) -> Applier {
        var o = ApplyOptions()
        o.concurrency = concurrency
        return Applier(client: KubeClient(config: config ?? proxy.tokenConfig(),
                                          http: HTTPClientOptions(connectTimeout: 2, requestTimeout: requestTimeout), retry: retry),
                       options: o)
    }

    /// The plan in apply order: (reference, object path).
    func plan(_ objects: [KubeObject]) throws -> [(ref: ObjectRef, path: String)] {
        try applier().plan(objects).get().map { ($0.ref, $0.path) }
    }

    /// The plan's objects the server's store holds (read directly, not through the proxy), in plan order.
    func stored(_ objects: [KubeObject]) throws -> [ObjectRef] {
        let direct = KubeClient(config: server.certConfig(), retry: fastRetry())
        return try plan(objects).filter { try direct.get($0.path).get() != nil }.map(\.ref)
    }

    /// The plan's objects whose apply PATCH the server answered 2xx, per the proxy's log.
    func acknowledged(_ objects: [KubeObject]) throws -> Set<ObjectRef> {
        let paths = Set(try proxy.log().filter { $0.method == "PATCH" && $0.acknowledged }.map(\.path))
        return Set(try plan(objects).filter { paths.contains($0.path) }.map(\.ref))
    }

    /// The contract every fault must keep. `held`: how many objects of the plan the cluster must
    /// hold (a prefix); the report's `applied` plus `unconfirmed` is exactly what the server
    /// acknowledged; every object is either applied or listed as not applied.
    func assertOutcome(_ report: ApplyReport, _ objects: [KubeObject], held: Int, concurrency: Int = 1,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let refs = try plan(objects).map(\.ref)
        let inCluster = try stored(objects)
        if concurrency == 1 {
            XCTAssertEqual(inCluster, Array(refs.prefix(inCluster.count)), "the cluster holds a prefix of the plan", file: file, line: line)
        } else {
            // In flight together, the objects of one kind may land in any order: a prefix by kind.
            let phases = inCluster.map { r in ResourceType.lookup(apiVersion: r.apiVersion, kind: r.kind)!.phase }
            let last = phases.max() ?? -1
            let complete = refs.filter { ResourceType.lookup(apiVersion: $0.apiVersion, kind: $0.kind)!.phase < last }
            XCTAssertEqual(Array(inCluster.prefix(complete.count)), complete, "every kind before the last one is complete", file: file, line: line)
        }
        XCTAssertEqual(inCluster.count, held, "objects in the cluster: \(inCluster.map(\.qualified))", file: file, line: line)
        XCTAssertEqual(Set(report.applied.map(\.object)).union(report.unconfirmed), try acknowledged(objects),
                       "the report lists what the server acknowledged (applied + unconfirmed)", file: file, line: line)
        XCTAssertEqual(Set(inCluster), try acknowledged(objects), file: file, line: line)
        // every object accounted for once, each list in plan order (with one request at a time, the
        // applied ones are exactly the objects before the failure)
        let applied = report.applied.map(\.object)
        XCTAssertEqual(Set(applied + report.notApplied), Set(refs), file: file, line: line)
        XCTAssertEqual(applied.count + report.notApplied.count, refs.count, file: file, line: line)
        XCTAssertEqual(applied, refs.filter(Set(applied).contains), file: file, line: line)
        XCTAssertEqual(report.notApplied, refs.filter(Set(report.notApplied).contains), file: file, line: line)
        if concurrency == 1 { XCTAssertEqual(applied + report.notApplied, refs, file: file, line: line) }
        XCTAssertTrue(Set(report.unconfirmed).isSubset(of: Set(report.notApplied)), file: file, line: line)
        XCTAssertEqual(report.exitCode, report.failure == nil ? 0 : 1, file: file, line: line)
    }

    func patches(_ name: String) throws -> [ProxyLogEntry] { try proxy.log().filter { $0.method == "PATCH" && $0.name == name } }

    // MARK: connection reset mid-body

    func testResetMidBodyIsRetriedAndTheObjectReportedOnce() throws {
        try proxy.inject(#"[{"type": "reset-mid-body", "method": "PATCH", "path_contains": "/secrets/cloudinit-web"}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let report = applier().apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.count, 1, "\(log.lines)")
        XCTAssertEqual(log.retries.first?.delay, 0.05, "the first backoff step")
        // the server applied the first PATCH; its answer was cut off; the retry is a no-op apply
        let secret = try patches("cloudinit-web")
        XCTAssertEqual(secret.map(\.upstreamStatus), [201, 200], "\(secret)")
        XCTAssertEqual(secret.map(\.delivered), ["partial", "complete"])
        XCTAssertEqual(report.actions[1], "secret/cloudinit-web created", "created (the GET saw nothing), not configured")
        XCTAssertEqual(report.summary, "6 created, 0 configured, 0 unchanged")
        try assertOutcome(report, objects, held: 6)
    }

    func testResetEveryTimeReportsTheObjectUnconfirmed() throws {
        try proxy.inject(#"[{"type": "reset-mid-body", "method": "PATCH", "path_contains": "/network-attachment-definitions/lan", "count": 10}]"#)
        let objects = smallTopology(vms: 2)
        let report = applier(retry: fastRetry(3)).apply(objects)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.object?.name, "lan")
        XCTAssertEqual(failure.error.kind, .transport)
        XCTAssertEqual(failure.error.attempts, 3)
        XCTAssertTrue(failure.error.answerLost)
        XCTAssertEqual(try patches("lan").count, 3, "three attempts, no more")
        // the server holds the NAD (it acknowledged every attempt): the report says it may
        XCTAssertEqual(report.unconfirmed.map(\.qualified), ["lab/networkattachmentdefinition.k8s.cni.cncf.io/lan"])
        XCTAssertTrue(report.summary.contains("\napplied 3 of 6 objects; not applied: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan, lab/virtualmachine.kubevirt.io/web-1, lab/virtualmachine.kubevirt.io/web-2\n"
                                              + "unconfirmed: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan: the answer was lost, the server may have applied it (re-run to converge)"),
                      report.summary)
        XCTAssertTrue(report.summary.contains(" after 3 attempts"), report.summary)
        try assertOutcome(report, objects, held: 4)
    }

    // MARK: 429 with Retry-After

    func testTooManyRequestsWaitsRetryAfter() throws {
        try proxy.inject(#"[{"type": "429", "method": "PATCH", "path_contains": "/virtualmachines/web-1", "retry_after": 1}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let start = Date()
        let report = applier(retry: RetryPolicy(maxAttempts: 5, initialDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 5)).apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.map(\.delay), [1.0], "Retry-After, not the 0.01 s backoff")
        XCTAssertEqual(log.retries.map(\.reason), ["HTTP 429"])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1.0)
        XCTAssertTrue(log.lines.contains("virtualmachine.kubevirt.io/web-1: HTTP 429, retrying in 1.0s (attempt 2)"), "\(log.lines)")
        XCTAssertEqual(try patches("web-1").map(\.forwarded), [false, true], "the 429 never reached the server")
        try assertOutcome(report, objects, held: 6)
    }

    func testTooManyRequestsUntilTheAttemptsRunOut() throws {
        try proxy.inject(#"[{"type": "429", "method": "PATCH", "path_contains": "/virtualmachines/web-1", "retry_after": 0, "count": 10}]"#)
        let objects = smallTopology(vms: 2)
        let report = applier(retry: fastRetry(3)).apply(objects)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .tooManyRequests)
        // kube-apiserver's throttling answer is plain text, not a Status
        XCTAssertEqual(failure.description, "lab/virtualmachine.kubevirt.io/web-1: apply failed: Too many requests, please try again later. (HTTP 429) after 3 attempts")
        XCTAssertTrue(report.unconfirmed.isEmpty, "a 429 was not processed")
        try assertOutcome(report, objects, held: 4)
    }

    // MARK: 500 / 503

    func testServerErrorsAreRetriedWithBackoff() throws {
        // the 503 is sent after the server applied the NNCP (an answer replaced on the way)
        try proxy.inject(#"[{"type": "500", "method": "PATCH", "path_contains": "/secrets/", "count": 2},"#
                         + #" {"type": "503", "method": "PATCH", "path_contains": "/nodenetworkconfigurationpolicies/", "forward": true}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let report = applier().apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.map(\.reason), ["HTTP 500", "HTTP 500", "HTTP 503"])
        XCTAssertEqual(log.retries.map(\.delay), [0.05, 0.1, 0.05], "exponential per request")
        XCTAssertEqual(try patches("cloudinit-web").map(\.upstreamStatus), [nil, nil, 201])
        XCTAssertEqual(try patches("lab-br1").map(\.upstreamStatus), [201, 200])
        XCTAssertEqual(report.actions[2], "nodenetworkconfigurationpolicy.nmstate.io/lab-br1 created")
        try assertOutcome(report, objects, held: 6)
    }

    func testServerErrorEveryTimeStopsTheRun() throws {
        try proxy.inject(#"[{"type": "503", "method": "PATCH", "path_contains": "/nodenetworkconfigurationpolicies/", "count": 10}]"#)
        let objects = smallTopology(vms: 1)
        let report = applier(retry: fastRetry(2)).apply(objects)
        XCTAssertEqual(report.failure?.description,
                       "nodenetworkconfigurationpolicy.nmstate.io/lab-br1: apply failed: the server is currently unable to handle the request (HTTP 503 ServiceUnavailable) after 2 attempts")
        XCTAssertTrue(report.unconfirmed.isEmpty)
        try assertOutcome(report, objects, held: 2)
    }

    // MARK: a response stalled past the client's timeout

    func testStalledResponseTimesOutAndIsRetried() throws {
        try proxy.inject(#"[{"type": "stall", "method": "PATCH", "path_contains": "/virtualmachines/web-1", "delay": 4}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let start = Date()
        let report = applier(requestTimeout: 1).apply(objects, events: log.sink)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.count, 1)
        XCTAssertTrue(log.retries[0].reason.lowercased().contains("timed out"), log.retries[0].reason)
        XCTAssertLessThan(elapsed, 3.5, "the client gave up after its 1 s timeout, it did not wait for the stalled answer")
        let web1 = try patches("web-1")
        XCTAssertEqual(web1.map(\.upstreamStatus), [201, 200], "the stalled request was applied; the retry is a no-op")
        XCTAssertEqual(report.actions[4], "virtualmachine.kubevirt.io/web-1 created")
        try assertOutcome(report, objects, held: 6)
    }

    // MARK: 409 field-manager conflict

    func testConflictIsNotRetriedAndNamesManagersFieldsAndTheFix() throws {
        try proxy.inject(#"[{"type": "409", "method": "PATCH", "path_contains": "/network-attachment-definitions/lan", "count": 5,"#
                         + #" "manager": "kubectl", "fields": [".spec.config"]}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let report = applier(retry: RetryPolicy(maxAttempts: 5, initialDelay: 1, maxDelay: 8)).apply(objects, events: log.sink)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .conflict)
        XCTAssertEqual(failure.error.attempts, 1)
        XCTAssertTrue(log.retries.isEmpty, "a conflict is not transient")
        XCTAssertEqual(try patches("lan").count, 1)
        XCTAssertEqual(failure.error.message, #"Apply failed with 1 conflict: conflict with "kubectl" using k8s.cni.cncf.io/v1: .spec.config"#)
        XCTAssertEqual(failure.error.conflictingManagers, ["kubectl"])
        XCTAssertEqual(failure.error.fields, [".spec.config"])
        XCTAssertEqual(report.summary, """
            error: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan: apply failed: conflict: .spec.config is owned by `kubectl` (HTTP 409 Conflict)
            3 created, 0 configured, 0 unchanged
            applied 3 of 6 objects; not applied: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan, lab/virtualmachine.kubevirt.io/web-1, lab/virtualmachine.kubevirt.io/web-2
            hint: another field manager (`kubectl`) owns these fields; re-run with --force-conflicts to take them over, or remove them from the topology to leave them to it
            """)
        try assertOutcome(report, objects, held: 3)
    }

    // MARK: 401 after a token rotation

    func testRotatedTokenStopsAtOnceAndNamesTheCredentialSource() throws {
        let path = try proxy.writeKubeconfig("rotated.yaml", credential: "token: \(TestAPIServer.token)")
        let config = try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()
        try proxy.inject(#"[{"type": "rotate-token", "method": "PATCH", "path_contains": "/network-attachment-definitions/"}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let report = applier(config: config, retry: RetryPolicy(maxAttempts: 5, initialDelay: 1, maxDelay: 8)).apply(objects, events: log.sink)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .unauthorized)
        XCTAssertEqual(failure.error.attempts, 1)
        XCTAssertTrue(log.retries.isEmpty)
        let rejected = try proxy.log().filter { $0.fault == "rotate-token" }
        XCTAssertEqual(rejected.count, 1, "nothing is sent after the 401: \(rejected)")
        XCTAssertEqual(try proxy.log().last?.fault, "rotate-token", "the 401 was the run's last request")
        XCTAssertEqual(failure.error.rejectedCredentials, "the token of user `admin` (context `lab`) in kubeconfig `\(path)`; not retried")
        XCTAssertEqual(report.summary, """
            error: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan: apply failed: Unauthorized (HTTP 401 Unauthorized); the server rejected the token of user `admin` (context `lab`) in kubeconfig `\(path)`; not retried
            3 created, 0 configured, 0 unchanged
            applied 3 of 6 objects; not applied: lab/networkattachmentdefinition.k8s.cni.cncf.io/lan, lab/virtualmachine.kubevirt.io/web-1, lab/virtualmachine.kubevirt.io/web-2
            hint: renew those credentials (or pick another context with --context) and re-run; nothing after the 401 was sent
            """)
        XCTAssertFalse(report.summary.contains(TestAPIServer.token), "the token itself is never shown")
        try assertOutcome(report, objects, held: 3)
    }

    func testRotatedTokenFileIsReadOnceAndNotResentUnchanged() throws {
        let tokenFile = server.dir + "/rotating-token"
        try "\(TestAPIServer.token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let path = try proxy.writeKubeconfig("rotating-file.yaml", user: "sa", credential: "tokenFile: rotating-token")
        let config = try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()
        try proxy.inject(#"[{"type": "rotate-token", "method": "PATCH", "path_contains": "/secrets/"}]"#)
        let objects = smallTopology(vms: 1)
        let report = applier(config: config).apply(objects)
        XCTAssertEqual(report.failure?.error.kind, .unauthorized)
        XCTAssertEqual(report.failure?.error.rejectedCredentials,
                       "the tokenFile `\(tokenFile)` of user `sa` (context `lab`) in kubeconfig `\(path)`; fetched again after the 401: unchanged; not retried")
        XCTAssertEqual(try proxy.log().filter { $0.fault == "rotate-token" }.count, 1, "the same token is not sent again")
        try assertOutcome(report, objects, held: 1)
    }

    func testRotatedTokenFileWithANewTokenIsResentOnce() throws {
        let tokenFile = server.dir + "/rotated-token"
        try "\(TestAPIServer.token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let path = try proxy.writeKubeconfig("rotated-file.yaml", user: "sa", credential: "tokenFile: rotated-token")
        let a = applier(config: try Kubeconfig.load(explicitPath: path, environment: [:]).resolve())
        XCTAssertNil(a.apply([namespaceObj("lab")]).failure)  // the client has read the old token
        // the token rotates: the file holds the new one, the old one is refused from the NNCP on
        try "rotated-token-2\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try proxy.inject(#"[{"type": "rotate-token", "method": "PATCH", "path_contains": "/nodenetworkconfigurationpolicies/","#
                         + #" "new_token": "rotated-token-2", "upstream_token": "\#(TestAPIServer.token)"}]"#)
        let objects = smallTopology(vms: 1)
        let report = a.apply(objects)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(try patches("lab-br1").map(\.fault), ["rotate-token", "rotated-token-accepted"])
        try assertOutcome(report, objects, held: 5)
    }

    func testUnauthorizedInAParallelBatchStopsEveryWorker() throws {
        var objects = [namespaceObj("lab")]
        for i in 1...30 { objects.append(vmObj("vm-\(i)", ns: "lab")) }
        try proxy.inject(#"[{"type": "rotate-token", "method": "PATCH", "path_contains": "/virtualmachines/vm-10"}]"#)
        let log = EventLog()
        let report = applier(concurrency: 4).apply(objects, events: log.sink)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .unauthorized)
        XCTAssertFalse(failure.error.notSent, "the report names a request the server refused, not one refused unsent")
        XCTAssertNotNil(failure.error.rejectedCredentials)
        XCTAssertTrue(log.retries.isEmpty)
        // at most the other requests already on the wire meet the 401; nothing starts afterwards
        let refused = try proxy.log().filter { $0.fault == "rotate-token" }
        XCTAssertLessThanOrEqual(refused.count, 4, "\(refused)")
        XCTAssertLessThan(report.applied.count, 16, "work stopped soon after the 401")
        try assertOutcome(report, objects, held: report.applied.count, concurrency: 4)
    }

    func testUnauthorizedStopsADiffToo() throws {
        var objects = [namespaceObj("lab")]
        for i in 1...20 { objects.append(vmObj("vm-\(i)", ns: "lab")) }
        try proxy.inject(#"[{"type": "rotate-token", "method": "GET", "path_contains": "/virtualmachines/vm-3"}]"#)
        let diff = applier(concurrency: 2).diff(objects)
        XCTAssertEqual(diff.exitCode, 2)
        let refused = try proxy.log().filter { $0.fault == "rotate-token" }
        XCTAssertLessThanOrEqual(refused.count, 2, "\(refused)")
        XCTAssertEqual(diff.failures.filter { $0.object != nil }.count, refused.count, "one error per refused request")
        let rest = try XCTUnwrap(diff.failures.last)
        XCTAssertNil(rest.object)
        XCTAssertTrue(rest.error.message.hasSuffix(" more objects not diffed: the credentials were rejected (HTTP 401)"), rest.error.message)
        XCTAssertEqual(diff.entries.count + refused.count + Int(rest.error.message.split(separator: " ")[0])!, objects.count)
    }

    // MARK: truncated answers

    func testTruncatedJSONOnSuccessIsRetried() throws {
        try proxy.inject(#"[{"type": "truncate-json", "method": "PATCH", "path_contains": "/virtualmachines/web-1"}]"#)
        let objects = smallTopology(vms: 2)
        let log = EventLog()
        let report = applier().apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.map(\.reason), ["HTTP 201 with a body that is not valid JSON"])
        XCTAssertEqual(try patches("web-1").map(\.upstreamStatus), [201, 200])
        XCTAssertEqual(report.actions[4], "virtualmachine.kubevirt.io/web-1 created")
        try assertOutcome(report, objects, held: 6)
        // a cut GET answer too (the object exists now: 200)
        try proxy.inject(#"[{"type": "truncate-json", "method": "GET", "path_contains": "/network-attachment-definitions/lan"}]"#)
        let again = EventLog()
        let second = applier().apply(objects, events: again.sink)
        XCTAssertEqual(second.summary, "0 created, 0 configured, 6 unchanged")
        XCTAssertEqual(again.retries.map(\.reason), ["HTTP 200 with a body that is not valid JSON"])
    }

    func testTruncatedJSONEveryTimeIsAClearErrorNotApplied() throws {
        try proxy.inject(#"[{"type": "truncate-json", "method": "PATCH", "path_contains": "/virtualmachines/web-1", "count": 10}]"#)
        let objects = smallTopology(vms: 2)
        let report = applier(retry: fastRetry(2)).apply(objects)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .badResponse)
        XCTAssertTrue(failure.error.message.hasPrefix("the server's answer ("), failure.error.message)
        XCTAssertTrue(failure.error.message.contains("is not valid JSON"), failure.error.message)
        XCTAssertFalse(report.applied.contains { $0.object.name == "web-1" }, "never reported applied")
        XCTAssertEqual(report.unconfirmed.map(\.name), ["web-1"], "the server did apply it")
        try assertOutcome(report, objects, held: 5)
    }

    func testTruncatedBodyIsRetried() throws {
        try proxy.inject(#"[{"type": "truncate-body", "method": "PATCH", "path_contains": "/nodenetworkconfigurationpolicies/"}]"#)
        let objects = smallTopology(vms: 1)
        let log = EventLog()
        let report = applier().apply(objects, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(log.retries.count, 1, "\(log.lines)")
        XCTAssertEqual(try patches("lab-br1").map(\.delivered), ["partial", "complete"])
        XCTAssertEqual(report.actions[2], "nodenetworkconfigurationpolicy.nmstate.io/lab-br1 created")
        try assertOutcome(report, objects, held: 5)
    }
}

/// `wukongc apply` through the proxy: exit codes and the printed report.
final class ProxyFaultCLITests: XCTestCase {
    var binary: String? {
        [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
         Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func testApplyCommandReportsConflictAndRotatedToken() throws {
        guard let bin = binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let proxy = try TestFaultProxy.shared()
        let server = proxy.server
        try server.reset()
        try proxy.reset()
        try server.createNamespace("tenants")
        let kubeconfig = try proxy.writeKubeconfig("cli-faults.yaml", credential: "token: \(TestAPIServer.token)")
        // 3 Secrets, 1 NNCP, 6 NADs, 3 VMs in namespace `tenants`
        let topology = repoRoot + "/examples/host-local.wk"
        func apply() throws -> (Int32, String, String) { try runProcess([bin, "apply", topology, "--kubeconfig", kubeconfig]) }

        try proxy.inject(#"[{"type": "409", "method": "PATCH", "path_contains": "/nodenetworkconfigurationpolicies/","#
                         + #" "manager": "kubectl-edit", "fields": [".spec.desiredState"]}]"#)
        let (rc, out, err) = try apply()
        XCTAssertEqual(rc, 1, out + err)
        XCTAssertTrue(out.contains("secret/tenant-3-cloudinit created\n"), out)
        XCTAssertTrue(out.contains("nodenetworkconfigurationpolicy.nmstate.io/operator-br-ext failed: conflict: .spec.desiredState is owned by `kubectl-edit` (HTTP 409 Conflict)"), out)
        XCTAssertTrue(err.hasPrefix("""
            error: nodenetworkconfigurationpolicy.nmstate.io/operator-br-ext: apply failed: conflict: .spec.desiredState is owned by `kubectl-edit` (HTTP 409 Conflict)
            3 created, 0 configured, 0 unchanged
            applied 3 of 13 objects; not applied: nodenetworkconfigurationpolicy.nmstate.io/operator-br-ext, tenants/networkattachmentdefinition.k8s.cni.cncf.io/
            """), err)
        XCTAssertTrue(err.hasSuffix(", tenants/virtualmachine.kubevirt.io/tenant-3\nhint: another field manager (`kubectl-edit`) owns these fields; re-run with --force-conflicts to take them over, or remove them from the topology to leave them to it\n"), err)

        try proxy.inject(#"[{"type": "rotate-token", "method": "PATCH", "path_contains": "/network-attachment-definitions/"}]"#)
        let (rc2, out2, err2) = try apply()
        XCTAssertEqual(rc2, 1, out2 + err2)
        XCTAssertTrue(err2.contains("apply failed: Unauthorized (HTTP 401 Unauthorized); the server rejected the token of user `admin` (context `lab`) in kubeconfig `\(kubeconfig)`; not retried\n"), err2)
        XCTAssertTrue(err2.contains("\n1 created, 0 configured, 3 unchanged\napplied 4 of 13 objects; not applied: "), err2)
        XCTAssertTrue(err2.hasSuffix("\nhint: renew those credentials (or pick another context with --context) and re-run; nothing after the 401 was sent\n"), err2)
        XCTAssertFalse((out2 + err2).contains("retrying"), out2)
        // the NADs' requests already on the wire (6 NADs, 8 run at once) met the 401; nothing after them was sent
        let refused = try proxy.log().filter { $0.fault == "rotate-token" }
        XCTAssertTrue((1...6).contains(refused.count) && refused.allSatisfy { $0.path.contains("/network-attachment-definitions/") },
                      "\(refused)")
        XCTAssertFalse(try proxy.log().contains { $0.path.contains("/virtualmachines/") })

        // the faults gone, a re-run converges
        try proxy.control("DELETE", "/_proxy/faults")
        let (rc3, out3, err3) = try apply()
        XCTAssertEqual(rc3, 0, out3 + err3)
        XCTAssertTrue(out3.hasSuffix("9 created, 0 configured, 4 unchanged\n"), out3)
    }
}
