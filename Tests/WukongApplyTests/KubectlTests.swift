import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// The real kubectl against the test API server: proves the server speaks the protocol, and
/// that kubectl and wukongc agree on what was stored.
final class KubectlTests: XCTestCase {
    var server: TestAPIServer!
    var kubeconfig = ""
    var kubectl = ""
    var home = ""

    override func setUpWithError() throws {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/kubectl" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("kubectl is not installed: the kubectl compatibility tests are skipped (install the `kubectl` or `kubernetes-client` package)")
        }
        kubectl = found
        server = try TestAPIServer.shared()
        try server.reset()
        kubeconfig = try server.writeClientCertKubeconfig("kubectl.yaml", namespace: "lab")
        home = server.dir + "/kubectl-home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    @discardableResult
    func k(_ args: String...) throws -> (Int32, String, String) {
        try runProcess([kubectl, "--kubeconfig", kubeconfig, "--cache-dir", home + "/cache"] + args, env: ["HOME": home])
    }

    func applier(_ configure: (inout ApplyOptions) -> Void = { _ in }) -> Applier {
        var o = ApplyOptions()
        configure(&o)
        return Applier(client: KubeClient(config: server.certConfig(), retry: fastRetry()), options: o)
    }

    /// Writes objects as JSON files (one per object) into a fresh directory for `kubectl -f`.
    func writeObjects(_ objects: [KubeObject], _ name: String) throws -> String {
        let dir = server.dir + "/" + name
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, o) in objects.enumerated() {
            try KubeJSON.encodeString(o.body).write(toFile: String(format: "%@/%02d-%@.json", dir, i, o.name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// Map keys sorted, recursively (kubectl prints JSON with sorted keys).
    func canonical(_ v: KubeValue) -> KubeValue {
        switch v {
        case .map(let f): return .map(f.map { KubeField($0.key, canonical($0.value)) }.sorted { $0.key < $1.key })
        case .list(let l): return .list(l.map(canonical))
        default: return v
        }
    }

    func testKubectlReadsWhatWukongcApplied() throws {
        let objects = smallTopology(vms: 1)
        XCTAssertNil(applier().apply(objects).failure)
        let (rc, out, err) = try k("get", "virtualmachines.kubevirt.io", "web-1", "-o", "json")
        XCTAssertEqual(rc, 0, err)
        let fromKubectl = try KubeJSON.decode(Array(out.utf8))
        let ours = try XCTUnwrap(try KubeClient(config: server.certConfig()).get("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1").get())
        // kubectl hides managedFields unless asked
        XCTAssertEqual(canonical(fromKubectl), canonical(ours.removing(["metadata", "managedFields"])))
        let (_, withFields, _) = try k("get", "vm", "web-1", "-o", "json", "--show-managed-fields")
        XCTAssertEqual(canonical(try KubeJSON.decode(Array(withFields.utf8))), canonical(ours))
        let (rc2, yaml, err2) = try k("get", "nncp", "lab-br1", "-o", "yaml")
        XCTAssertEqual(rc2, 0, err2)
        XCTAssertTrue(yaml.contains("name: lab-br1") && yaml.contains("linux-bridge"), yaml)
        let (rc3, names, _) = try k("get", "vm,nad,secret", "-l", "wukong.dev/topology=lab", "-o", "name")
        XCTAssertEqual(rc3, 0)
        XCTAssertEqual(names.split(separator: "\n").sorted(), ["networkattachmentdefinition.k8s.cni.cncf.io/lan",
                                                                  "secret/cloudinit-web", "virtualmachine.kubevirt.io/web-1"])
    }

    func testKubectlDiffAndApplyAgreeWithWukongc() throws {
        let objects = smallTopology(vms: 2)
        XCTAssertNil(applier().apply(objects).failure)
        let dir = try writeObjects(objects, "same")
        let (rc, out, err) = try k("diff", "--server-side", "--field-manager=wukongc", "-f", dir)
        XCTAssertEqual(rc, 0, "kubectl sees no difference: \(out) \(err)")
        let (rcClient, outClient, errClient) = try k("diff", "-f", dir)
        XCTAssertEqual(rcClient, 0, "client-side kubectl diff (merge patch, dry run) agrees: \(outClient) \(errClient)")
        // kubectl applying the same intent as the same manager changes nothing for wukongc
        let (rcA, outA, errA) = try k("apply", "--server-side", "--field-manager=wukongc", "-f", dir)
        XCTAssertEqual(rcA, 0, errA)
        XCTAssertTrue(outA.contains("virtualmachine.kubevirt.io/web-1 serverside-applied"), outA)
        XCTAssertEqual(applier().apply(objects).count(.unchanged), objects.count)

        // a change: kubectl diff and wukongc diff both see it
        var changed = objects
        changed[4] = vmObj("web-1", ns: "lab", memory: "2Gi")
        let dir2 = try writeObjects(changed, "changed")
        let (rc2, out2, _) = try k("diff", "--server-side", "--field-manager=wukongc", "-f", dir2)
        XCTAssertEqual(rc2, 1)
        XCTAssertTrue(out2.contains("+          guest: 2Gi") || out2.contains("+        guest: 2Gi"), out2)
        let (rc3, out3, _) = try k("diff", "-f", dir2)
        XCTAssertEqual(rc3, 1)
        XCTAssertTrue(out3.contains("+          guest: 2Gi") || out3.contains("+        guest: 2Gi"), out3)
        let ours = applier().diff(changed)
        XCTAssertEqual(ours.exitCode, 1)
        XCTAssertTrue(ours.text.contains("+          guest: 2Gi"), ours.text)
    }

    func testConflictsBetweenKubectlAndWukongc() throws {
        let objects = smallTopology(vms: 1)
        XCTAssertNil(applier().apply(objects).failure)
        var changed = objects
        changed[4] = vmObj("web-1", ns: "lab", memory: "8Gi")
        let dir = try writeObjects([changed[4]], "kubectl-change")
        // kubectl (manager "kubectl") may not take wukongc's field without --force-conflicts
        let (rc, _, err) = try k("apply", "--server-side", "-f", dir)
        XCTAssertEqual(rc, 1)
        XCTAssertTrue(err.contains("conflict with \"wukongc\""), err)
        let (rcF, _, errF) = try k("apply", "--server-side", "--force-conflicts", "-f", dir)
        XCTAssertEqual(rcF, 0, errF)
        // now wukongc's apply of the old value conflicts with kubectl
        let report = applier().apply(objects)
        XCTAssertEqual(report.failure?.error.conflictingManagers, ["kubectl"])
        XCTAssertTrue(report.failure?.error.fields.contains(".spec.template.spec.domain.memory.guest") ?? false,
                      "\(String(describing: report.failure))")
        // and kubectl sees wukongc's forced apply
        XCTAssertNil(applier { $0.forceConflicts = true }.apply(objects).failure)
        let (_, out, _) = try k("get", "vm", "web-1", "-o", "jsonpath={.spec.template.spec.domain.memory.guest}")
        XCTAssertEqual(out, "1Gi")
    }

    func testKubectlDeleteIsSeenByPrune() throws {
        XCTAssertNil(applier().apply(smallTopology(vms: 2)).failure)
        let (rc, _, err) = try k("delete", "vm", "web-2")
        XCTAssertEqual(rc, 0, err)
        let report = applier { $0.prune = true }.apply(smallTopology(vms: 1))
        XCTAssertNil(report.failure)
        XCTAssertEqual(report.pruned, [], "already gone")
    }
}
