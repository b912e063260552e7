import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

final class ApplyTests: XCTestCase {
    var server: TestAPIServer!

    override func setUpWithError() throws {
        server = try TestAPIServer.shared()
        try server.reset()
    }

    func applier(_ config: ClusterConfig? = nil, _ configure: (inout ApplyOptions) -> Void = { _ in },
                 retry: RetryPolicy = fastRetry(), timeout: Double = 10) -> Applier {
        var o = ApplyOptions()
        o.pollInterval = 0.05
        configure(&o)
        let client = KubeClient(config: config ?? server.certConfig(),
                                http: HTTPClientOptions(connectTimeout: 5, requestTimeout: timeout), retry: retry)
        return Applier(client: client, options: o)
    }

    func live(_ path: String) throws -> KubeValue? {
        let c = KubeClient(config: server.certConfig(), retry: fastRetry())
        switch c.get(path) {
        case .success(let v): return v
        case .failure(let e): throw e
        }
    }

    func testApplyReapplyChangeConverges() throws {
        let objects = smallTopology()
        let log = EventLog()
        let first = applier().apply(objects, events: log.sink)
        XCTAssertNil(first.failure, first.summary)
        XCTAssertEqual(first.actions, [
            "namespace/lab created", "secret/cloudinit-web created",
            "nodenetworkconfigurationpolicy.nmstate.io/lab-br1 created",
            "networkattachmentdefinition.k8s.cni.cncf.io/lan created",
            "virtualmachine.kubevirt.io/web-1 created", "virtualmachine.kubevirt.io/web-2 created"])
        XCTAssertEqual(Array(log.lines.prefix(2)), ["namespace/lab created", "secret/cloudinit-web created"])
        XCTAssertEqual(first.summary, "6 created, 0 configured, 0 unchanged")
        let progress = log.all.compactMap { e -> Int? in if case .progress(let d, 6) = e { return d }; return nil }
        XCTAssertEqual(progress, Array(1...6), "progress counts up once per object")
        let vm = try XCTUnwrap(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"))
        XCTAssertEqual(vm.at("spec", "template", "spec", "domain", "memory", "guest")?.stringValue, "1Gi")
        XCTAssertEqual(vm.at("metadata", "managedFields")?.listValue?.first?["manager"]?.stringValue, "wukongc")

        let second = applier().apply(objects)
        XCTAssertNil(second.failure)
        XCTAssertEqual(second.count(.unchanged), 6, second.actions.joined(separator: "\n"))

        // change one VM: only it is configured
        var changed = objects
        changed[5] = vmObj("web-2", ns: "lab", memory: "2Gi")
        let third = applier().apply(changed)
        XCTAssertEqual(third.actions.last, "virtualmachine.kubevirt.io/web-2 configured")
        XCTAssertEqual(third.count(.unchanged), 5)
        let vm2 = try XCTUnwrap(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-2"))
        XCTAssertEqual(vm2.at("spec", "template", "spec", "domain", "memory", "guest")?.stringValue, "2Gi")
        XCTAssertEqual(vm2.at("metadata", "generation")?.intValue, 2)
    }

    func testObjectsAreSentInKindOrderWhateverTheInputOrder() throws {
        let objects = smallTopology(vms: 1).reversed()
        let report = applier { $0.concurrency = 1 }.apply(Array(objects))
        XCTAssertNil(report.failure, report.summary)
        let patches = try server.log().filter { $0.method == "PATCH" }.map(\.path)
        XCTAssertEqual(patches, [
            "/api/v1/namespaces/lab", "/api/v1/namespaces/lab/secrets/cloudinit-web",
            "/apis/nmstate.io/v1/nodenetworkconfigurationpolicies/lab-br1",
            "/apis/k8s.cni.cncf.io/v1/namespaces/lab/network-attachment-definitions/lan",
            "/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"])
    }

    func testServerDryRunChangesNothing() throws {
        let log = EventLog(dryRun: true)
        // the namespace must exist for a dry run of namespaced objects
        XCTAssertNil(applier().apply([namespaceObj("lab")]).failure)
        let report = applier { $0.dryRun = true }.apply(Array(smallTopology().dropFirst()), events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.count(.created), 5)
        XCTAssertTrue(log.lines.contains("virtualmachine.kubevirt.io/web-1 created (server dry run)"), "\(log.lines)")
        XCTAssertNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"))
        XCTAssertTrue(try server.log().filter { $0.method == "PATCH" }.dropFirst().allSatisfy { _ in true })
        // dry run of an existing, changed object reports configured but stores nothing
        XCTAssertNil(applier().apply(smallTopology()).failure)
        let dry = applier { $0.dryRun = true }.apply([vmObj("web-1", ns: "lab", memory: "4Gi"), vmObj("web-2", ns: "lab")])
        XCTAssertEqual(dry.actions, ["virtualmachine.kubevirt.io/web-1 configured", "virtualmachine.kubevirt.io/web-2 unchanged"])
        let vm = try XCTUnwrap(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"))
        XCTAssertEqual(vm.at("spec", "template", "spec", "domain", "memory", "guest")?.stringValue, "1Gi")
    }

    func testPruneListsThenDeletesOnlyOurStaleObjects() throws {
        XCTAssertNil(applier().apply(smallTopology(vms: 3)).failure)
        // an object of another topology in the same namespace must survive
        XCTAssertNil(applier().apply([vmObj("other", ns: "lab", topology: "other")]).failure)
        let next = smallTopology(vms: 1)
        // dry run first: listed, nothing deleted
        let dryLog = EventLog(dryRun: true)
        let dry = applier { $0.prune = true; $0.dryRun = true }.apply(next, events: dryLog.sink)
        XCTAssertNil(dry.failure, dry.summary)
        XCTAssertEqual(dry.pruned.map(\.description), ["virtualmachine.kubevirt.io/web-2", "virtualmachine.kubevirt.io/web-3"])
        XCTAssertNotNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-2"))

        let log = EventLog()
        let report = applier { $0.prune = true }.apply(next, events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.pruned.map(\.description), ["virtualmachine.kubevirt.io/web-2", "virtualmachine.kubevirt.io/web-3"])
        XCTAssertTrue(report.summary.contains("2 pruned"))
        // candidates are all listed before the first deletion
        let lines = log.lines.filter { $0.contains("prune") }
        XCTAssertEqual(lines, ["virtualmachine.kubevirt.io/web-2 will be pruned", "virtualmachine.kubevirt.io/web-3 will be pruned",
                               "virtualmachine.kubevirt.io/web-2 pruned", "virtualmachine.kubevirt.io/web-3 pruned"])
        XCTAssertNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-2"))
        XCTAssertNotNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"))
        XCTAssertNotNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/other"))
        // cluster-scoped kinds are pruned cluster-wide
        let renamed = [namespaceObj("lab"), nncpObj("lab-br9", bridge: "br9")]
        let r2 = applier { $0.prune = true }.apply(renamed)
        XCTAssertNil(r2.failure, r2.summary)
        XCTAssertTrue(r2.pruned.map(\.description).contains("nodenetworkconfigurationpolicy.nmstate.io/lab-br1"), "\(r2.pruned)")
    }

    func testPruneFollowsListPages() throws {
        XCTAssertNil(applier().apply(smallTopology(vms: 7)).failure)
        let report = applier { $0.prune = true; $0.listPageSize = 2 }.apply(smallTopology(vms: 2))
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.pruned.map(\.name), ["web-3", "web-4", "web-5", "web-6", "web-7"])
        let lists = try server.log().filter { $0.method == "GET" && $0.path.hasSuffix("/virtualmachines") }
        XCTAssertEqual(lists.count, 4, "7 VMs in pages of 2")
    }

    func testConflictNamesTheOwningManagerAndForceTakesOwnership() throws {
        XCTAssertNil(applier().apply([namespaceObj("lab")]).failure)
        let other = applier { $0.fieldManager = "other-tool" }.apply([nadObj("lan", ns: "lab", bridge: "br-other")])
        XCTAssertNil(other.failure)
        let objects = [namespaceObj("lab"), nadObj("lan", ns: "lab", bridge: "br1"), vmObj("web-1", ns: "lab")]
        let report = applier().apply(objects)
        let failure = try XCTUnwrap(report.failure)
        XCTAssertEqual(failure.error.kind, .conflict)
        XCTAssertEqual(failure.error.httpStatus, 409)
        XCTAssertEqual(failure.error.conflictingManagers, ["other-tool"])
        XCTAssertEqual(failure.error.fields, [".spec.config"])
        XCTAssertEqual(failure.object?.description, "networkattachmentdefinition.k8s.cni.cncf.io/lan")
        XCTAssertTrue(report.summary.contains("owned by `other-tool`"), report.summary)
        XCTAssertEqual(report.actions, ["namespace/lab unchanged"])
        XCTAssertEqual(report.notApplied.map(\.description),
                       ["networkattachmentdefinition.k8s.cni.cncf.io/lan", "virtualmachine.kubevirt.io/web-1"])
        XCTAssertEqual(report.exitCode, 1)
        XCTAssertNil(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"), "nothing after the failure is applied")

        let forced = applier { $0.forceConflicts = true }.apply(objects)
        XCTAssertNil(forced.failure, forced.summary)
        XCTAssertEqual(forced.actions, ["namespace/lab unchanged", "networkattachmentdefinition.k8s.cni.cncf.io/lan configured",
                                        "virtualmachine.kubevirt.io/web-1 created"])
        XCTAssertTrue(try server.log().contains { $0.method == "PATCH" && $0.status == 200 })
    }

    func testWaitForNNCPAvailableAndVMReady() throws {
        try server.control("POST", "/_test/config", "{\"status_delay\": 0.3}")
        let log = EventLog()
        let report = applier { $0.wait = true }.apply(smallTopology(vms: 1), events: log.sink)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertTrue(log.lines.contains("nodenetworkconfigurationpolicy.nmstate.io/lab-br1 condition met (Available)"), "\(log.lines)")
        XCTAssertTrue(log.lines.contains("virtualmachine.kubevirt.io/web-1 condition met (Ready)"), "\(log.lines)")
        // the NAD is applied only after the policy is available
        let order = log.lines.filter { $0.contains("lab-br1 condition met") || $0.contains("lan created") }
        XCTAssertEqual(order.count, 2)
        XCTAssertTrue(order[0].contains("condition met"))
    }

    func testWaitFailsOnDegradedPolicyAndOnTimeout() throws {
        try server.control("POST", "/_test/config", "{\"status_mode\": \"degraded\"}")
        let report = applier { $0.wait = true }.apply(smallTopology(vms: 1))
        let f = try XCTUnwrap(report.failure)
        XCTAssertEqual(f.stage, .wait)
        XCTAssertTrue(f.error.message.contains("Degraded"), f.error.message)
        XCTAssertEqual(report.notApplied.map(\.description),
                       ["networkattachmentdefinition.k8s.cni.cncf.io/lan", "virtualmachine.kubevirt.io/web-1"])

        try server.control("POST", "/_test/config", "{\"status_mode\": \"never\"}")
        let start = Date()
        let timedOut = applier { $0.wait = true; $0.timeout = 0.5 }.apply(smallTopology(vms: 1))
        XCTAssertEqual(timedOut.failure?.error.kind, .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testStrictSchemaErrorIsReportedAtOnceNotRetried() throws {
        let schemas = URL(fileURLWithPath: repoRoot + "/../shared/schemas").standardized.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: schemas), "no ../shared/schemas")
        let objects = [namespaceObj("lab"), nadObj("lan", ns: "lab"),
                       vmObj("web-1", ns: "lab", extraInterfaceField: ("masquarade", .map([]))), vmObj("web-2", ns: "lab")]
        let log = EventLog()
        let report = applier(nil, { $0.concurrency = 1 }, retry: RetryPolicy(maxAttempts: 5, initialDelay: 1, maxDelay: 8)).apply(objects, events: log.sink)
        let f = try XCTUnwrap(report.failure)
        XCTAssertEqual(f.error.httpStatus, 500)
        XCTAssertTrue(f.error.isPermanent)
        XCTAssertEqual(f.error.attempts, 1)
        XCTAssertTrue(f.error.message.contains(".spec.template.spec.domain.devices.interfaces[0].masquarade: field not declared in schema"),
                      f.error.message)
        XCTAssertEqual(f.error.fields, [".spec.template.spec.domain.devices.interfaces[0].masquarade"])
        XCTAssertTrue(log.retries.isEmpty)
        XCTAssertEqual(try server.log().filter { $0.method == "PATCH" && $0.path.hasSuffix("/web-1") }.count, 1)
        XCTAssertEqual(report.actions, ["namespace/lab created", "networkattachmentdefinition.k8s.cni.cncf.io/lan created"])
        XCTAssertEqual(report.notApplied.map(\.description), ["virtualmachine.kubevirt.io/web-1", "virtualmachine.kubevirt.io/web-2"])
        XCTAssertFalse(try server.log().contains { $0.path.hasSuffix("/web-2") }, "nothing is sent after the failure")

        // a built-in kind: 400
        var bad = secretObj("s", ns: "lab")
        bad.body = bad.body.setting("dta", .map([]))
        let r2 = applier().apply([bad])
        XCTAssertEqual(r2.failure?.error.httpStatus, 400)
        XCTAssertEqual(r2.failure?.error.kind, .invalid)
    }

    func testMissingNamespaceIsReportedWithTheServerMessage() throws {
        // (the preflight catches it first: PreflightTests; here the server's answer without it)
        let report = applier(nil, { $0.skipPreflight = true }).apply([secretObj("s", ns: "nowhere")])
        XCTAssertEqual(report.failure?.error.kind, .notFound)
        XCTAssertEqual(report.failure?.error.message, "namespaces \"nowhere\" not found")
    }

    func testMissingCRDIsReportedBeforeAnythingIsWritten() throws {
        try server.inject(#"[{"type": "404", "method": "GET", "path_contains": "/apis/kubevirt.io/v1", "count": 1}]"#)
        let report = applier().apply(smallTopology(vms: 1))
        let f = try XCTUnwrap(report.failure)
        XCTAssertEqual(f.stage, .preflight)
        XCTAssertEqual(f.error.message, "the cluster does not serve `kubevirt.io/v1`, needed by VirtualMachine lab/web-1; install KubeVirt (CRD virtualmachines.kubevirt.io)")
        XCTAssertEqual(f.object?.qualified, "lab/virtualmachine.kubevirt.io/web-1")
        XCTAssertEqual(report.applied.count, 0)
        XCTAssertEqual(report.notApplied.count, 5)
        XCTAssertFalse(try server.log().contains { $0.method == "PATCH" })
    }

    func testUnsupportedKindStopsBeforeSendingAnything() throws {
        let cm = KubeObject(apiVersion: "v1", kind: "ConfigMap", name: "x", namespace: "lab", body: .map([]))
        let report = applier().apply([namespaceObj("lab"), cm])
        XCTAssertEqual(report.failure?.stage, .preflight)
        XCTAssertEqual(report.notApplied.count, 2)
        XCTAssertTrue(try server.log().isEmpty)
        let twice = applier().apply([namespaceObj("lab"), vmObj("a", ns: "lab"), vmObj("a", ns: "lab")])
        XCTAssertEqual(twice.failure?.error.message, "the object appears twice in the set to apply")
        XCTAssertTrue(try server.log().isEmpty)
    }

    func testSecretsAndTokensNeverAppearInOutput() throws {
        let secretValue = "c3VwZXItc2VjcmV0LXBhc3N3b3JkLWhhc2g="
        let objects = [namespaceObj("lab"), secretObj("cloudinit", ns: "lab", value: secretValue)]
        let log = EventLog()
        let r1 = applier(server.tokenConfig()).apply(objects, events: log.sink)
        XCTAssertNil(r1.failure)
        let changed = [namespaceObj("lab"), secretObj("cloudinit", ns: "lab", value: "bmV3LXNlY3JldC12YWx1ZQ==")]
        let diff = applier(server.tokenConfig()).diff(changed)
        XCTAssertEqual(diff.exitCode, 1)
        XCTAssertTrue(diff.text.contains("*** (before)") && diff.text.contains("*** (after)"), diff.text)
        try server.inject("[{\"type\": \"401\", \"count\": 1}]")
        let r2 = applier(server.tokenConfig()).apply(changed, events: log.sink)
        XCTAssertEqual(r2.failure?.error.kind, .unauthorized)
        let everything = log.lines.joined(separator: "\n") + r1.summary + r2.summary + diff.text + "\(r2.failure!)"
        for secret in [secretValue, "bmV3LXNlY3JldC12YWx1ZQ==", TestAPIServer.token] {
            XCTAssertFalse(everything.contains(secret), "leaked \(secret)")
        }
    }

    func testDiffExitCodes() throws {
        let objects = smallTopology(vms: 1)
        let before = applier().diff(objects)
        XCTAssertEqual(before.exitCode, 1, "new objects are changes")
        XCTAssertTrue(before.entries.allSatisfy(\.isNew))
        XCTAssertTrue(before.text.contains("+++ merged/lab/virtualmachine.kubevirt.io/web-1"), before.text)
        XCTAssertTrue(before.text.contains("\n+          guest: 1Gi\n"), before.text)
        XCTAssertNil(applier().apply(objects).failure)
        let same = applier().diff(objects)
        XCTAssertEqual(same.exitCode, 0, same.text)
        XCTAssertEqual(same.text, "")
        var changed = objects
        changed[4] = vmObj("web-1", ns: "lab", memory: "3Gi")
        let d = applier().diff(changed)
        XCTAssertEqual(d.exitCode, 1)
        XCTAssertTrue(d.text.contains("-          guest: 1Gi\n+          guest: 3Gi"), d.text)
        XCTAssertFalse(d.text.contains("managedFields") || d.text.contains("resourceVersion") || d.text.contains("status:"), d.text)
        XCTAssertEqual(d.entries.filter { !$0.text.isEmpty }.map(\.object.description), ["virtualmachine.kubevirt.io/web-1"])
        // nothing was written by diff
        let vm = try XCTUnwrap(try live("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1"))
        XCTAssertEqual(vm.at("spec", "template", "spec", "domain", "memory", "guest")?.stringValue, "1Gi")
        // an error gives 2
        try server.inject("[{\"type\": \"401\", \"count\": 1}]")
        XCTAssertEqual(applier(server.tokenConfig()).diff([vmObj("web-1", ns: "lab")]).exitCode, 2)
    }

    func testDiffOfANewNamespaceShowsItsObjects() throws {
        let d = applier().diff(smallTopology(ns: "fresh", vms: 1))
        XCTAssertEqual(d.exitCode, 1, "\(d.failures)")
        XCTAssertTrue(d.text.contains("+++ merged/fresh/secret/cloudinit-web"), d.text)
        XCTAssertTrue(d.text.contains("+  userdata: \"*** (after)\""), d.text)
        XCTAssertFalse(d.text.contains("I2Nsb3VkLWNvbmZpZw=="), d.text)
    }
}
