import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// `apply`'s preflight against the test API server: each failing check names the object and what
/// to change, and nothing is written; 403 reads are warnings; `skipPreflight` bypasses it all.
final class PreflightTests: XCTestCase {
    var server: TestAPIServer!

    override func setUpWithError() throws {
        server = try TestAPIServer.shared()
        try server.reset()
    }

    func applier(_ configure: (inout ApplyOptions) -> Void = { _ in }) -> Applier {
        var o = ApplyOptions()
        o.pollInterval = 0.05
        configure(&o)
        return Applier(client: KubeClient(config: server.certConfig(), http: HTTPClientOptions(connectTimeout: 5, requestTimeout: 10),
                                          retry: fastRetry()), options: o)
    }

    /// A topology with one macvtap VM (NAD `mgmt` on ens160) in namespace `lab`.
    func macvtapTopology(nodeSelector: [(String, String)] = [], hostnames: [String]? = nil) -> [KubeObject] {
        [namespaceObj("lab"), macvtapNADObj("mgmt", ns: "lab"),
         macvtapVMObj("edge-1", ns: "lab", nodeSelector: nodeSelector, hostnames: hostnames)]
    }

    func errors(_ r: ApplyReport) -> [PreflightFinding] { r.preflight.filter { $0.severity == .error } }
    func warnings(_ r: ApplyReport) -> [PreflightFinding] { r.preflight.filter { $0.severity == .warning } }

    /// The run stopped in preflight with nothing written.
    func assertNothingWritten(_ r: ApplyReport, _ objects: [KubeObject], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(r.failure?.stage, .preflight, r.summary, file: file, line: line)
        XCTAssertEqual(r.exitCode, 1, file: file, line: line)
        XCTAssertTrue(r.applied.isEmpty, file: file, line: line)
        XCTAssertEqual(r.notApplied.count, objects.count, file: file, line: line)
        // (the tests' own POSTs set up the cluster; apply writes with PATCH and DELETE)
        let writes = try server.log().filter { $0.method == "PATCH" || $0.method == "DELETE" }
        XCTAssertTrue(writes.isEmpty, "nothing is written: \(writes)", file: file, line: line)
        XCTAssertTrue(r.summary.contains("error: preflight failed"), r.summary, file: file, line: line)
        XCTAssertTrue(r.summary.contains("nothing was applied (--skip-preflight applies anyway)"), r.summary, file: file, line: line)
    }

    // MARK: 1. kinds served

    func testKindNotServedFailsBeforeAnyWrite() throws {
        // kubevirt.io/v1 is served (KubeVirt CRs) but the VirtualMachine CRD is missing
        try server.control("POST", "/_test/config", #"{"unserved": ["virtualmachines.kubevirt.io"]}"#)
        let objects = smallTopology(vms: 2)
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertEqual(e.first?.check, .api)
        XCTAssertEqual(e.first?.object?.qualified, "lab/virtualmachine.kubevirt.io/web-1")
        XCTAssertEqual(e.first?.message,
                       "the cluster serves `kubevirt.io/v1` but not the kind VirtualMachine (resource `virtualmachines`), needed by VirtualMachines lab/web-1, lab/web-2")
        XCTAssertEqual(e.first?.fix, "install or upgrade the CRD virtualmachines.kubevirt.io (part of KubeVirt)")
        XCTAssertTrue(r.summary.contains("  - lab/virtualmachine.kubevirt.io/web-1: the cluster serves `kubevirt.io/v1` but not the kind VirtualMachine"), r.summary)
        // the same with the NAD CRD: both problems are listed at once
        try server.reset()
        try server.control("POST", "/_test/config", #"{"unserved": ["virtualmachines.kubevirt.io", "network-attachment-definitions.k8s.cni.cncf.io"]}"#)
        let both = applier().apply(objects)
        try assertNothingWritten(both, objects)
        XCTAssertEqual(errors(both).map { $0.object?.kind }, ["NetworkAttachmentDefinition", "VirtualMachine"])
        XCTAssertTrue(both.summary.hasPrefix("error: preflight failed (2 problems)"), both.summary)
        // the whole group missing
        try server.reset()
        try server.control("POST", "/_test/config", #"{"unserved": ["nodenetworkconfigurationpolicies.nmstate.io"]}"#)
        let group = applier().apply(objects)
        try assertNothingWritten(group, objects)
        XCTAssertEqual(errors(group).first?.message, "the cluster does not serve `nmstate.io/v1`, needed by NodeNetworkConfigurationPolicy lab-br1")
        XCTAssertEqual(errors(group).first?.fix, "install kubernetes-nmstate (CRD nodenetworkconfigurationpolicies.nmstate.io)")
    }

    // MARK: 2. the passt binding's feature gate

    func passtVMObj(_ name: String, ns: String) -> KubeObject {
        let interfaces: KubeValue = .list([m(("name", s("default")), ("passtBinding", .map([])), ("macAddress", s("0e:00:00:00:00:01")))])
        let spec: KubeValue = m(("domain", m(("devices", m(("interfaces", interfaces))), ("memory", m(("guest", s("1Gi")))))),
                                ("networks", .list([m(("name", s("default")), ("pod", .map([])))])))
        return obj("kubevirt.io/v1", "VirtualMachine", name, ns: ns,
                   ("spec", m(("runStrategy", s("Always")), ("template", m(("spec", spec))))))
    }

    func testPasstVMNeedsTheFeatureGate() throws {
        let objects = [namespaceObj("lab"), passtVMObj("web-1", ns: "lab")]
        // no KubeVirt CR
        let none = applier().apply(objects)
        try assertNothingWritten(none, objects)
        XCTAssertEqual(errors(none).map(\.check), [.featureGate])
        XCTAssertEqual(errors(none)[0].message, "VirtualMachine lab/web-1 uses the passt binding, but the cluster has no KubeVirt CR (kubevirt.io/v1 KubeVirt)")
        // a CR without the gate
        try server.reset()
        try server.addKubeVirt(macvtap: nil, featureGates: ["DataVolumes"], version: "v1.9.0")
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        XCTAssertEqual(errors(r).map(\.check), [.featureGate])
        XCTAssertEqual(errors(r)[0].object?.qualified, "lab/virtualmachine.kubevirt.io/web-1")
        XCTAssertTrue(errors(r)[0].message.hasPrefix("KubeVirt kubevirt/kubevirt does not enable the feature gate PasstBinding"), errors(r)[0].message)
        XCTAssertEqual(errors(r)[0].fix, "add `PasstBinding` to `spec.configuration.developerConfiguration.featureGates` in KubeVirt kubevirt/kubevirt (KubeVirt v1.8 or later)")
        // with the gate: applied; a masquerade VM never asks
        try server.reset()
        try server.addKubeVirt(macvtap: nil, featureGates: ["PasstBinding"], version: "v1.9.0")
        let ok = applier().apply(objects)
        XCTAssertNil(ok.failure, ok.summary)
        XCTAssertTrue(ok.preflight.isEmpty, "\(ok.preflight)")
        XCTAssertFalse(Applier.usesPasst(macvtapVMObj("x", ns: "lab").body))
    }

    // MARK: 2. the macvtap binding plugin and its feature gate

    func testMacvtapVMWithoutBindingInKubeVirtCRFails() throws {
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        let objects = macvtapTopology()
        // no KubeVirt CR at all
        let none = applier().apply(objects)
        try assertNothingWritten(none, objects)
        XCTAssertEqual(errors(none).map(\.check), [.macvtapBinding])
        XCTAssertTrue(errors(none)[0].message.contains("VirtualMachine lab/edge-1 uses the macvtap binding, but the cluster has no KubeVirt CR"),
                      errors(none)[0].message)

        // a KubeVirt CR that does not register the plugin
        try server.addKubeVirt(macvtap: nil, version: "v1.6.0")
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.macvtapBinding], "\(e)")
        XCTAssertEqual(e[0].object?.qualified, "lab/virtualmachine.kubevirt.io/edge-1")
        XCTAssertTrue(e[0].message.hasPrefix("KubeVirt kubevirt/kubevirt does not register the macvtap network binding plugin that VirtualMachine lab/edge-1 uses"),
                      e[0].message)
        XCTAssertEqual(e[0].fix, "add `spec.configuration.network.binding.macvtap: {domainAttachmentType: tap}` to KubeVirt kubevirt/kubevirt "
                       + #"(kubectl -n kubevirt patch kubevirt kubevirt --type merge -p '{"spec":{"configuration":{"network":{"binding":{"macvtap":{"domainAttachmentType":"tap"}}}}}}')"#)
        XCTAssertFalse(try server.log().contains { $0.path.hasSuffix("/edge-1") }, "the VM is not even read")

        // registered, but not as tap
        try server.reset()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "managedTap")
        let wrong = applier().apply(objects)
        try assertNothingWritten(wrong, objects)
        XCTAssertTrue(errors(wrong)[0].message.contains("registers the macvtap binding plugin with domainAttachmentType `managedTap`"), errors(wrong)[0].message)

        // registered as tap: applied
        try server.reset()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "tap", version: "v1.6.0")
        let ok = applier().apply(objects)
        XCTAssertNil(ok.failure, ok.summary)
        XCTAssertTrue(ok.preflight.isEmpty, "\(ok.preflight)")
        XCTAssertEqual(ok.count(.created), 3)
    }

    func testFeatureGateRequiredBeforeKubeVirt15() throws {
        let objects = macvtapTopology()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "tap", featureGates: ["Snapshot"], version: "v1.4.0")
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.featureGate], "\(e)")
        XCTAssertEqual(e[0].message, "KubeVirt kubevirt/kubevirt runs KubeVirt v1.4.0, which needs the feature gate NetworkBindingPlugins for the macvtap binding that VirtualMachine lab/edge-1 uses")
        XCTAssertEqual(e[0].fix, "add `NetworkBindingPlugins` to `spec.configuration.developerConfiguration.featureGates` in KubeVirt kubevirt/kubevirt (or upgrade KubeVirt to v1.5 or later)")

        // with the gate on 1.4: applied
        try server.reset()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "tap", featureGates: ["Snapshot", "NetworkBindingPlugins"], version: "v1.4.0")
        let gated = applier().apply(objects)
        XCTAssertNil(gated.failure, gated.summary)
        XCTAssertTrue(gated.preflight.isEmpty, "\(gated.preflight)")

        // 1.5 and later do not need the gate
        try server.reset()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "tap", version: "v1.5.0")
        XCTAssertTrue(applier().apply(objects).preflight.isEmpty)

        // version unknown (no status yet): a missing gate is a warning, the apply goes on
        try server.reset()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addKubeVirt(macvtap: "tap", version: nil)
        let log = EventLog()
        let unknown = applier().apply(objects, events: log.sink)
        XCTAssertNil(unknown.failure, unknown.summary)
        XCTAssertEqual(unknown.count(.created), 3)
        XCTAssertEqual(warnings(unknown).map(\.check), [.featureGate])
        XCTAssertTrue(log.lines[0].hasPrefix("warning: preflight: lab/virtualmachine.kubevirt.io/edge-1: the KubeVirt version of KubeVirt kubevirt/kubevirt is unknown"),
                      "\(log.lines)")
        XCTAssertEqual(Applier.kubevirtVersion("v1.4.0").map { [$0.0, $0.1] }, [1, 4])
        XCTAssertEqual(Applier.kubevirtVersion("1.10.2-rc.1").map { [$0.0, $0.1] }, [1, 10])
        XCTAssertNil(Applier.kubevirtVersion("devel"))
    }

    // MARK: 3. device resources on the nodes a VM can run on

    func testMacvtapResourceNobodyAdvertisesFails() throws {
        try server.addKubeVirt()
        try server.addNode("node-a", allocatable: ["macvtap.network.kubevirt.io/ens192": "50", "macvtap.network.kubevirt.io/ens160": "0"])
        let objects = macvtapTopology()
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.deviceResource], "\(e)")
        XCTAssertEqual(e[0].object?.qualified, "lab/virtualmachine.kubevirt.io/edge-1")
        XCTAssertEqual(e[0].message, "no node advertises `macvtap.network.kubevirt.io/ens160` (status.allocatable), which VirtualMachine lab/edge-1 (network `mgmt`, NAD lab/mgmt) needs: the VM would stay Pending (Insufficient macvtap.network.kubevirt.io/ens160)")
        XCTAssertTrue(e[0].fix?.contains(#"configure macvtap-cni's DP_MACVTAP_CONF with {"name":"ens160","lowerDevice":"ens160","mode":"bridge","capacity":50}"#) == true,
                      e[0].fix ?? "")
    }

    func testResourceMustBeOnANodeTheVMCanRunOn() throws {
        try server.addKubeVirt()
        try server.addNode("node-a", labels: ["rack": "r1"], allocatable: ["macvtap.network.kubevirt.io/ens160": "50"])
        try server.addNode("node-b", labels: ["rack": "r2"])
        try server.addNode("node-c", labels: ["rack": "r2"])
        // pinned by affinity to node-b/node-c: only node-a advertises the resource
        let pinned = macvtapTopology(hostnames: ["node-b", "node-c"])
        let r = applier().apply(pinned)
        try assertNothingWritten(r, pinned)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.deviceResource], "\(e)")
        XCTAssertEqual(e[0].message, "no node that VirtualMachine edge-1 can run on advertises `macvtap.network.kubevirt.io/ens160` (network `mgmt`, NAD lab/mgmt): its placement (required node affinity kubernetes.io/hostname In [node-b, node-c]) allows node-b, node-c; nodes advertising it: node-a")
        XCTAssertTrue(e[0].fix?.hasPrefix("change the VM's placement to include a node advertising it, or deploy macvtap-cni on node-b, node-c;") == true, e[0].fix ?? "")
        // by nodeSelector
        let selected = macvtapTopology(nodeSelector: [("rack", "r2")])
        let s2 = applier().apply(selected)
        try assertNothingWritten(s2, selected)
        XCTAssertTrue(errors(s2)[0].message.contains("its placement (nodeSelector rack=r2) allows node-b, node-c"), errors(s2)[0].message)
        // a placement no node matches at all
        let nowhere = macvtapTopology(nodeSelector: [("rack", "r9")])
        let s3 = applier().apply(nowhere)
        try assertNothingWritten(s3, nowhere)
        XCTAssertTrue(errors(s3)[0].message.hasPrefix("no node matches the placement of VirtualMachine edge-1 (nodeSelector rack=r9)"), errors(s3)[0].message)

        // pinned to a node that advertises it: applied
        let onA = macvtapTopology(hostnames: ["node-a", "node-b"])
        let ok = applier().apply(onA)
        XCTAssertNil(ok.failure, ok.summary)
        XCTAssertTrue(ok.preflight.isEmpty, "\(ok.preflight)")
        XCTAssertEqual(ok.count(.created), 3)
        // and unpinned: any node will do
        XCTAssertNil(applier().apply(macvtapTopology()).failure)
    }

    func testNADOutsideTheSetIsReadFromTheCluster() throws {
        try server.addKubeVirt()
        try server.addNode("node-a", allocatable: ["intel.com/sriov_vfio": "4"])
        try server.createNamespace("shared")
        // an SR-IOV NAD another team owns, in namespace `shared`
        var nad = macvtapNADObj("dpdk", ns: "shared").body
        nad = nad.setting("metadata", m(("name", s("dpdk")), ("namespace", s("shared")),
                                        ("annotations", m(("k8s.v1.cni.cncf.io/resourceName", s("intel.com/sriov_netdevice"))))))
        try server.create("/apis/k8s.cni.cncf.io/v1/namespaces/shared/network-attachment-definitions", nad)
        let objects = [namespaceObj("lab"), macvtapVMObj("dpdk-1", ns: "lab", networkName: "shared/dpdk", binding: "sriov-like")]
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.deviceResource], "\(e)")
        XCTAssertTrue(e[0].message.hasPrefix("no node advertises `intel.com/sriov_netdevice` (status.allocatable), which VirtualMachine lab/dpdk-1 (network `mgmt`, NAD shared/dpdk) needs"),
                      e[0].message)
        XCTAssertTrue(e[0].fix?.contains("SriovNetworkNodePolicy") == true, e[0].fix ?? "")
        XCTAssertTrue(try server.log().contains { $0.method == "GET" && $0.path == "/apis/k8s.cni.cncf.io/v1/namespaces/shared/network-attachment-definitions/dpdk" })
        // a NAD that exists nowhere is not this check's business (KubeVirt reports it at start)
        let missing = [namespaceObj("lab"), macvtapVMObj("dpdk-1", ns: "lab", networkName: "shared/absent", binding: "sriov-like")]
        let ok = applier().apply(missing)
        XCTAssertNil(ok.failure, ok.summary)
        XCTAssertTrue(ok.preflight.isEmpty, "\(ok.preflight)")
    }

    // MARK: 403: warnings

    func testForbiddenNodesIsAWarningAndApplyProceeds() throws {
        try server.addKubeVirt()
        try server.inject(#"[{"type": "403", "method": "GET", "path_contains": "/api/v1/nodes", "count": 10}]"#)
        let objects = macvtapTopology()
        let log = EventLog()
        let r = applier().apply(objects, events: log.sink)
        XCTAssertNil(r.failure, r.summary)
        XCTAssertEqual(r.count(.created), 3)
        XCTAssertEqual(errors(r).count, 0)
        XCTAssertEqual(warnings(r).map(\.check), [.deviceResource])
        let warning = try XCTUnwrap(log.all.compactMap { e -> PreflightFinding? in if case .preflightWarning(let f) = e { return f }; return nil }.first)
        XCTAssertTrue(warning.message.hasPrefix("cannot list nodes (nodes is forbidden: User \"wukong-test\" cannot list resource \"nodes\" in API group \"\" at the cluster scope)"),
                      warning.message)
        XCTAssertTrue(warning.message.hasSuffix("not checked that a node advertises `macvtap.network.kubevirt.io/ens160`"), warning.message)
        XCTAssertTrue(log.lines.first?.hasPrefix("warning: preflight: lab/virtualmachine.kubevirt.io/edge-1: cannot list nodes") == true, "\(log.lines)")
        // warnings come before the first object
        XCTAssertEqual(log.lines.firstIndex { $0.hasPrefix("warning:") }, 0)

        // the KubeVirt CR unreadable too: two warnings, still applied
        try server.reset()
        try server.inject(#"[{"type": "403", "method": "GET", "path_contains": "/api/v1/nodes", "count": 10}, {"type": "403", "method": "GET", "path_contains": "/kubevirts", "count": 10}]"#)
        let r2 = applier().apply(objects)
        XCTAssertNil(r2.failure, r2.summary)
        XCTAssertEqual(warnings(r2).map(\.check), [.macvtapBinding, .deviceResource])
    }

    func testForbiddenDiscoveryNamespaceAndNADReadsAreWarnings() throws {
        try server.inject(#"[{"type": "403", "method": "GET", "path_contains": "/apis/kubevirt.io/v1", "count": 1}, {"type": "403", "method": "GET", "path_contains": "/api/v1/namespaces/lab", "count": 1}, {"type": "403", "method": "GET", "path_contains": "/network-attachment-definitions/ext", "count": 1}]"#)
        let objects = [secretObj("s", ns: "lab"), macvtapVMObj("vm-1", ns: "lab", networkName: "other/ext", binding: "bridge-like")]
        try server.createNamespace("lab")
        let r = applier().apply(objects)
        XCTAssertNil(r.failure, r.summary)
        XCTAssertEqual(r.count(.created), 2)
        XCTAssertEqual(warnings(r).map(\.check), [.api, .namespace, .deviceResource], "\(r.preflight)")
        XCTAssertEqual(warnings(r).map { $0.object?.name }, ["vm-1", "s", "vm-1"])
        XCTAssertTrue(warnings(r)[1].message.hasPrefix("cannot read namespace `lab` (namespaces is forbidden"), warnings(r)[1].message)
        XCTAssertTrue(warnings(r)[2].message.hasPrefix("cannot read NetworkAttachmentDefinition other/ext ("), warnings(r)[2].message)
    }

    func testOtherReadFailuresStillStopTheRun() throws {
        try server.inject(#"[{"type": "401", "method": "GET", "path_contains": "/api/v1/namespaces/lab", "count": 1}]"#)
        let objects = smallTopology(vms: 1)
        let r = applier().apply(objects)
        XCTAssertEqual(r.failure?.stage, .preflight)
        XCTAssertEqual(r.failure?.error.kind, .unauthorized)
        XCTAssertFalse(try server.log().contains { $0.method == "PATCH" })
    }

    // MARK: 4. namespaces

    func testMissingNamespaceNotCreatedByTheApplyFails() throws {
        let objects = [secretObj("s", ns: "nowhere"), nadObj("lan", ns: "nowhere"), vmObj("web-1", ns: "lab")]
        let r = applier().apply(objects)
        try assertNothingWritten(r, objects)
        let e = errors(r)
        XCTAssertEqual(e.map(\.check), [.namespace, .namespace], "\(e)")
        XCTAssertEqual(e[0].object?.qualified, "nowhere/secret/s")
        XCTAssertEqual(e[0].message, "namespace `nowhere` does not exist and this apply does not create it (objects nowhere/secret/s, nowhere/networkattachmentdefinition.k8s.cni.cncf.io/lan go there)")
        XCTAssertEqual(e[0].fix, "create it first (`kubectl create namespace nowhere`) or set `create_namespace = true` in the topology")
        XCTAssertEqual(e[1].message, "namespace `lab` does not exist and this apply does not create it (VirtualMachine lab/web-1 go there)")
        // created by the same apply: fine
        let ok = applier().apply([namespaceObj("nowhere")] + objects.dropLast())
        XCTAssertNil(ok.failure, ok.summary)
        // existing: fine
        XCTAssertNil(applier().apply([secretObj("s2", ns: "nowhere")]).failure)
    }

    // MARK: dry run into a namespace the run creates

    func testServerDryRunWithANewNamespaceReportsWouldBeCreated() throws {
        let objects = smallTopology(ns: "fresh", vms: 3)
        let log = EventLog(dryRun: true)
        let r = applier { $0.dryRun = true }.apply(objects, events: log.sink)
        XCTAssertNil(r.failure, r.summary)
        XCTAssertEqual(r.count(.created), objects.count)
        XCTAssertEqual(r.applied.filter(\.inNewNamespace).map(\.object.name), ["cloudinit-web", "lan", "web-1", "web-2", "web-3"])
        XCTAssertEqual(log.lines.filter { $0.hasSuffix(" created (server dry run)") }.count, objects.count, "\(log.lines)")
        XCTAssertTrue(r.summary.hasPrefix("7 created, 0 configured, 0 unchanged (server dry run); 5 objects in namespaces this apply creates: fields checked by the server, admission not run (no namespace yet)"),
                      r.summary)
        // every object was sent with dryRun=All, and nothing was stored
        let patches = try server.log().filter { $0.method == "PATCH" }
        XCTAssertEqual(patches.count, objects.count)
        XCTAssertEqual(patches.filter { $0.status == 404 }.count, 5, "the server refused the namespaced ones for the missing namespace")
        XCTAssertEqual(try server.control("GET", "/_test/log")["requests"]?.listValue?.filter { $0["method"]?.stringValue == "PATCH" }
            .allSatisfy { ($0["query"]?.stringValue ?? "").contains("dryRun=All") }, true)
        let c = KubeClient(config: server.certConfig(), retry: fastRetry())
        if case .success(let ns) = c.get("/api/v1/namespaces/fresh") { XCTAssertNil(ns) } else { XCTFail("GET namespace") }

        // a namespace that neither exists nor is created: still an error (preflight, or the server's with skipPreflight)
        let orphan = Array(objects.dropFirst())
        XCTAssertEqual(applier { $0.dryRun = true }.apply(orphan).failure?.stage, .preflight)
        let skipped = applier { $0.dryRun = true; $0.skipPreflight = true }.apply(orphan)
        XCTAssertEqual(skipped.failure?.error.message, "namespaces \"fresh\" not found")
    }

    func testDiffOfANewNamespaceStillReportsAKindNotServed() throws {
        try server.control("POST", "/_test/config", #"{"unserved": ["network-attachment-definitions.k8s.cni.cncf.io"]}"#)
        let d = applier().diff(smallTopology(ns: "fresh", vms: 1))
        XCTAssertEqual(d.exitCode, 2)
        XCTAssertEqual(d.failures.map { $0.object?.kind }, ["NetworkAttachmentDefinition"], "\(d.failures)")
    }

    func testServerDryRunInANewNamespaceStillChecksFields() throws {
        let schemas = URL(fileURLWithPath: repoRoot + "/../shared/schemas").standardized.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: schemas), "no ../shared/schemas")
        let objects = [namespaceObj("fresh"), vmObj("web-1", ns: "fresh", extraInterfaceField: ("masquarade", .map([])))]
        let r = applier { $0.dryRun = true }.apply(objects)
        XCTAssertEqual(r.failure?.stage, .apply)
        XCTAssertTrue(r.failure?.error.message.contains("masquarade: field not declared in schema") == true, r.summary)
    }

    // MARK: skipPreflight

    func testSkipPreflightBypassesEveryCheck() throws {
        // no KubeVirt CR and no node: the preflight fails; skipped, the apply goes through
        let objects = macvtapTopology(hostnames: ["node-z"])
        XCTAssertEqual(applier().apply(objects).failure?.stage, .preflight)
        try server.reset()
        let r = applier { $0.skipPreflight = true }.apply(objects)
        XCTAssertNil(r.failure, r.summary)
        XCTAssertEqual(r.count(.created), 3)
        XCTAssertTrue(r.preflight.isEmpty)
        let paths = try server.log().map(\.path)
        XCTAssertFalse(paths.contains { $0.hasSuffix("/kubevirts") || $0.hasSuffix("/nodes") || $0 == "/apis/kubevirt.io/v1" }, "\(paths)")
    }
}

/// The placement and quantity rules of the device-resource check, without a server.
final class PreflightUnitTests: XCTestCase {
    func node(_ name: String, _ labels: [String: String]) -> Applier.NodeInfo {
        Applier.NodeInfo(name: name, labels: labels.merging(["kubernetes.io/hostname": name]) { a, _ in a }, allocatable: [:])
    }

    func spec(_ json: String) throws -> KubeValue { try KubeJSON.decode(Array(json.utf8)) }

    func testNodeSelectorAndRequiredAffinity() throws {
        let a = node("a", ["zone": "z1", "gpu": "yes", "cores": "16"]), b = node("b", ["zone": "z2"])
        XCTAssertTrue(Applier.nodeMatches(a, podSpec: try spec("{}")))
        XCTAssertTrue(Applier.nodeMatches(a, podSpec: try spec(#"{"nodeSelector": {"zone": "z1"}}"#)))
        XCTAssertFalse(Applier.nodeMatches(b, podSpec: try spec(#"{"nodeSelector": {"zone": "z1"}}"#)))
        func aff(_ terms: String) throws -> KubeValue {
            try spec(#"{"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": \#(terms)}}}}"#)
        }
        let hostIn = try aff(#"[{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["b", "c"]}]}]"#)
        XCTAssertFalse(Applier.nodeMatches(a, podSpec: hostIn))
        XCTAssertTrue(Applier.nodeMatches(b, podSpec: hostIn))
        // terms are ORed, expressions ANDed
        let or = try aff(#"[{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z9"]}]}, {"matchExpressions": [{"key": "gpu", "operator": "Exists"}, {"key": "cores", "operator": "Gt", "values": ["8"]}]}]"#)
        XCTAssertTrue(Applier.nodeMatches(a, podSpec: or))
        XCTAssertFalse(Applier.nodeMatches(b, podSpec: or))
        XCTAssertTrue(Applier.nodeMatches(b, podSpec: try aff(#"[{"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}, {"key": "zone", "operator": "NotIn", "values": ["z1"]}]}]"#)))
        XCTAssertTrue(Applier.nodeMatches(b, podSpec: try aff(#"[{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}]"#)))
        // an empty term matches nothing
        XCTAssertFalse(Applier.nodeMatches(a, podSpec: try aff(#"[{}]"#)))
        XCTAssertEqual(Applier.placementText(hostIn), "required node affinity kubernetes.io/hostname In [b, c]")
    }

    func testQuantities() {
        XCTAssertTrue(Applier.isPositiveQuantity(.string("50")))
        XCTAssertTrue(Applier.isPositiveQuantity(.int(1)))
        XCTAssertTrue(Applier.isPositiveQuantity(.string("1k")))
        XCTAssertFalse(Applier.isPositiveQuantity(.string("0")))
        XCTAssertFalse(Applier.isPositiveQuantity(.int(0)))
        XCTAssertFalse(Applier.isPositiveQuantity(nil))
    }
}

/// `wukongc apply` itself (the binary next to the test runner): preflight errors on stderr with
/// exit 1, `--skip-preflight`, warnings on stderr while the apply goes on.
final class PreflightCLITests: XCTestCase {
    var binary: String? {
        [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
         Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func testApplyCommandPreflightSkipAndWarnings() throws {
        guard let bin = binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let server = try TestAPIServer.shared()
        try server.reset()
        let kubeconfig = try server.writeClientCertKubeconfig("preflight-cli.yaml")
        let lab = repoRoot + "/examples/lab.wk"   // a macvtap NIC on ens160, namespace `vms` (not created by it)
        func apply(_ extra: String...) throws -> (Int32, String, String) {
            try runProcess([bin, "apply", lab, "--kubeconfig", kubeconfig] + extra)
        }
        // bare cluster: no namespace, no KubeVirt CR, no node
        let (rc, out, err) = try apply()
        XCTAssertEqual(rc, 1, out + err)
        XCTAssertTrue(err.hasPrefix("error: preflight failed (3 problems); nothing was applied (--skip-preflight applies anyway):\n"), err)
        XCTAssertTrue(err.contains("namespace `vms` does not exist and this apply does not create it"), err)
        XCTAssertTrue(err.contains("uses the macvtap binding, but the cluster has no KubeVirt CR"), err)
        XCTAssertTrue(err.contains(#"DP_MACVTAP_CONF with {"name":"ens160","lowerDevice":"ens160","mode":"bridge","capacity":50}"#), err)
        XCTAssertFalse(try server.log().contains { $0.method == "PATCH" })

        // --skip-preflight: the namespace is still missing, so the server refuses the first object
        let (rc2, _, err2) = try apply("--skip-preflight")
        XCTAssertEqual(rc2, 1)
        XCTAssertTrue(err2.contains("namespaces \"vms\" not found"), err2)
        XCTAssertFalse(err2.contains("preflight"), err2)

        // namespace and KubeVirt there, nodes unreadable: a warning on stderr, and applied
        try server.createNamespace("vms")
        try server.addKubeVirt()
        try server.inject(#"[{"type": "403", "method": "GET", "path_contains": "/api/v1/nodes", "count": 10}]"#)
        let (rc3, out3, err3) = try apply()
        XCTAssertEqual(rc3, 0, out3 + err3)
        XCTAssertTrue(err3.hasPrefix("warning: preflight: vms/virtualmachine.kubevirt.io/ubuntu-vm: cannot list nodes (nodes is forbidden"), err3)
        XCTAssertTrue(out3.contains("virtualmachine.kubevirt.io/ubuntu-vm created"), out3)
    }
}
