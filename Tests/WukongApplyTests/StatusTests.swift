// `wukongc status` against the test API server: enactments and VMIs written by the test as
// nmstate and KubeVirt would, compared with the plan (library and CLI, exit codes, --watch).
#if canImport(WukongCompiler)
import Foundation
import XCTest
import WukongCompiler
import WukongKubernetes
@testable import WukongApply

final class StatusTests: XCTestCase {
    var server: TestAPIServer!

    static let topology = """
        topology statuslab {
          namespace = "vms"
        }

        nic ens192

        bridge br-ext {
          ports = [ens192]
        }

        network external {
          bridge  = br-ext
          subnet  = 192.168.0.0/24
          gateway = 192.168.0.1
        }

        vm good {
          image  = "quay.io/containerdisks/ubuntu:22.04"
          cpu    = 1
          memory = 1Gi
          nic default on pod
          nic ext on external { address = 192.168.0.10 }
        }

        vm badmac {
          image  = "quay.io/containerdisks/ubuntu:22.04"
          cpu    = 1
          memory = 1Gi
          nic default on pod
          nic ext on external { address = 192.168.0.11 }
        }

        vm stopped {
          image   = "quay.io/containerdisks/ubuntu:22.04"
          cpu     = 1
          memory  = 1Gi
          running = false
          nic ext on external { address = 192.168.0.12 }
        }

        vm idle {
          image  = "quay.io/containerdisks/ubuntu:22.04"
          cpu    = 1
          memory = 1Gi
          nic ext on external { address = 192.168.0.13 }
        }

        """

    override func setUpWithError() throws {
        server = try TestAPIServer.shared()
        try server.reset()
    }

    var binary: String? {
        [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wukongc").path,
         Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wukongc").path]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes the topology, applies its objects and returns (path, plan).
    func applyFixture() throws -> (String, StatusPlan) {
        let path = server.dir + "/statuslab.wk"
        try Self.topology.write(toFile: path, atomically: true, encoding: .utf8)
        let c = try Driver.compile(path: path)
        guard !c.hasErrors, let topology = c.topology else { throw TestSetupError.failed("fixture does not compile: \(c.diagnostics)") }
        let objects = KubernetesBackend.objects(for: topology)
        try server.createNamespace("vms")
        var o = ApplyOptions()
        o.skipPreflight = true
        let report = Applier(client: KubeClient(config: server.certConfig(), retry: fastRetry()), options: o).apply(objects)
        XCTAssertNil(report.failure, report.summary)
        return (path, StatusPlan(objects: objects, topology: topology))
    }

    /// A JSON merge patch, as a controller would send it.
    func mergePatch(_ path: String, _ patch: KubeValue) throws {
        let c = KubeClient(config: server.certConfig(), retry: fastRetry())
        let r = try c.send(HTTPRequest(method: "PATCH", path: path, body: KubeJSON.encode(patch),
                                       contentType: "application/merge-patch+json")).get()
        guard r.status == 200 else { throw TestSetupError.failed("PATCH \(path): HTTP \(r.status)") }
    }

    func mac(_ plan: StatusPlan, _ vm: String, _ nic: String) -> String {
        plan.vms.first { $0.name == vm }?.nics.first { $0.name == nic }?.mac ?? "?"
    }

    /// An enactment as kubernetes-nmstate writes it: all five condition types, `state` True.
    func addEnactment(node: String, policy: String, state: String, message: String = "") throws {
        try server.create("/apis/nmstate.io/v1beta1/nodenetworkconfigurationenactments", enactment(node: node, policy: policy, state: state, message: message))
    }

    func enactment(node: String, policy: String, state: String, message: String) -> KubeValue {
        let conditions: [KubeValue] = ["Failing", "Available", "Progressing", "Pending", "Aborted"].map { t in
            m(("type", s(t)), ("status", s(t == state ? "True" : "False")), ("reason", s(t == state ? "Reason\(t)" : "")),
              ("message", s(t == state ? message : "")))
        }
        return m(("apiVersion", s("nmstate.io/v1beta1")), ("kind", s("NodeNetworkConfigurationEnactment")),
                 ("metadata", m(("name", s("\(node).\(policy)")),
                                ("labels", m(("nmstate.io/node", s(node)), ("nmstate.io/policy", s(policy)))))),
                 ("status", m(("policyGeneration", .int(1)), ("conditions", .list(conditions)))))
    }

    /// A VMI with `interfaces` (KubeVirt name, MAC, addresses, guest interface name).
    func addVMI(_ name: String, phase: String = "Running", node: String = "node-1",
                _ interfaces: [(String, String, [String], String?)]) throws {
        let ifaces: [KubeValue] = interfaces.map { i in
            var f = [KubeField("name", s(i.0)), KubeField("mac", s(i.1))]
            if let first = i.2.first { f.append(KubeField("ipAddress", s(first))) }
            f.append(KubeField("ipAddresses", .list(i.2.map(s))))
            if let g = i.3 { f.append(KubeField("interfaceName", s(g))); f.append(KubeField("infoSource", s("domain, guest-agent"))) }
            return .map(f)
        }
        try server.create("/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances",
                          m(("apiVersion", s("kubevirt.io/v1")), ("kind", s("VirtualMachineInstance")),
                            ("metadata", m(("name", s(name)), ("namespace", s("vms")))),
                            ("status", m(("phase", s(phase)), ("nodeName", s(node)), ("interfaces", .list(ifaces))))))
    }

    /// The mixed cluster: one enactment Available, one Failing; `good` as planned, `badmac` with
    /// a wrong MAC and without its static address, `stopped` halted (fine), `idle` without VMI.
    func mixedCluster(_ plan: StatusPlan) throws {
        try addEnactment(node: "node-1", policy: "statuslab-br-ext", state: "Available", message: "successfully reconciled")
        try addEnactment(node: "node-2", policy: "statuslab-br-ext", state: "Failing",
                         message: "error reconciling NodeNetworkConfigurationPolicy: interface ens192 not found")
        try addVMI("good", [("default", mac(plan, "good", "default"), ["10.244.1.7"], "enp1s0"),
                            ("ext", mac(plan, "good", "ext").uppercased(), ["192.168.0.10", "fe80::c53:d9ff:fe67:c4b5"], "enp2s0")])
        try addVMI("badmac", node: "node-2", [("default", mac(plan, "badmac", "default"), ["10.244.2.9"], "enp1s0"),
                                              ("ext", "02:00:00:00:00:99", ["192.168.0.99"], "eth1")])
    }

    func testLibraryReportComparesEnactmentsAndNICsWithThePlan() throws {
        let (_, plan) = try applyFixture()
        XCTAssertEqual(plan.policies, ["statuslab-br-ext"])
        XCTAssertEqual(plan.vms.map(\.name), ["badmac", "good", "idle", "stopped"])
        XCTAssertEqual(plan.vms.first { $0.name == "good" }?.nics.map(\.address), [nil, "192.168.0.10/24"])
        try mixedCluster(plan)
        let reader = StatusReader(client: KubeClient(config: server.certConfig(), retry: fastRetry()))
        let status = try reader.read(plan).get()
        XCTAssertEqual(status.exitCode, 1)
        let p = try XCTUnwrap(status.policies.first)
        XCTAssertTrue(p.found)
        XCTAssertEqual(p.enactments.map(\.node), ["node-1", "node-2"])
        XCTAssertEqual(p.enactments.map(\.state), [.available, .failing])
        XCTAssertEqual(p.enactments[1].message, "error reconciling NodeNetworkConfigurationPolicy: interface ens192 not found")

        let vms = Dictionary(uniqueKeysWithValues: status.vms.map { ($0.name, $0) })
        let good = try XCTUnwrap(vms["good"])
        XCTAssertTrue(good.ready, "\(good)")   // MAC case and extra link-local addresses do not matter
        XCTAssertEqual(good.node, "node-1")
        XCTAssertEqual(good.nics.map(\.guestInterface), ["enp1s0", "enp2s0"])
        let bad = try XCTUnwrap(vms["badmac"])
        XCTAssertFalse(bad.ready)
        XCTAssertEqual(bad.nics[0].problems, [])
        XCTAssertEqual(bad.nics[1].problems, ["MAC 02:00:00:00:00:99, planned \(mac(plan, "badmac", "ext"))",
                                              "address 192.168.0.11/24 not reported by the guest"])
        XCTAssertEqual(vms["stopped"]?.state, .halted)
        XCTAssertEqual(vms["stopped"]?.ready, true)
        XCTAssertEqual(vms["idle"]?.state, .notRunning)
        XCTAssertEqual(status.summaryLine, "not ready: 1 enactment Failing, 1 VM not running, 1 VM with mismatched NICs")

        // a NIC the VMI does not report at all, and a VM that was never applied
        try server.reset()
        try server.createNamespace("vms")
        try addVMI("good", [("default", mac(plan, "good", "default"), [], nil)])
        let second = try reader.read(plan).get()
        XCTAssertEqual(second.policies.first?.found, false)
        XCTAssertEqual(second.vms.first { $0.name == "good" }?.state, .notApplied)
        let reportedNIC = m(("name", s("default")))
        let vmi = m(("status", m(("phase", s("Running")), ("interfaces", .list([reportedNIC])))))
        let goodPlan = try XCTUnwrap(plan.vms.first { $0.name == "good" })
        let onlyVMI = StatusReader.vmStatus(goodPlan, vm: m(("spec", m(("runStrategy", s("Always"))))), vmi: vmi)
        XCTAssertEqual(onlyVMI.nics.map(\.problems), [[], ["not reported by the VMI"]])

        // long nmstate logs are cut in the table, kept whole in JSON
        XCTAssertEqual(oneLine("a\n  b"), "a b")
        XCTAssertEqual(oneLine(String(repeating: "x", count: 405), limit: 400),
                       String(repeating: "x", count: 400) + " … (5 more characters; --format json has all)")

        // an enactment of an older policy generation is not ready, even when Available
        let old = StatusReader.enactment(enactment(node: "n1", policy: "p", state: "Available", message: ""), policy: "p", generation: 2)
        XCTAssertEqual(old.state, .available)
        XCTAssertTrue(old.stale)
        XCTAssertFalse(PolicyStatus(name: "p", found: true, enactments: [old]).ready)
        XCTAssertFalse(StatusReader.enactment(enactment(node: "n1", policy: "p", state: "Available", message: ""), policy: "p", generation: 1).stale)
    }

    func testUnreachableClusterIsAFailureNotAStatus() throws {
        var config = server.certConfig()
        config.server = "https://127.0.0.1:1"
        let reader = StatusReader(client: KubeClient(config: config, http: HTTPClientOptions(connectTimeout: 1, requestTimeout: 2),
                                                     retry: fastRetry(2)))
        let plan = StatusPlan(topology: "x", policies: ["x-br"], vms: [])
        guard case .failure = reader.read(plan) else { return XCTFail("an unreachable server must fail the read") }
    }

    func testCommandTablesJSONAndExitCodes() throws {
        guard let bin = binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let (path, plan) = try applyFixture()
        try mixedCluster(plan)
        let kubeconfig = try server.writeClientCertKubeconfig("status.yaml")
        let (rc, out, err) = try runProcess([bin, "status", path, "--kubeconfig", kubeconfig])
        XCTAssertEqual(rc, 1, out + err)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "POLICY            NODE    STATE      MESSAGE")
        XCTAssertTrue(lines.contains("statuslab-br-ext  node-1  Available  successfully reconciled"), out)
        XCTAssertTrue(lines.contains("statuslab-br-ext  node-2  Failing    error reconciling NodeNetworkConfigurationPolicy: interface ens192 not found"), out)
        let badmac = lines.first { $0.hasPrefix("vms/badmac") && $0.contains(" ext ") } ?? ""
        XCTAssertTrue(badmac.contains("eth1 192.168.0.99"), out)
        XCTAssertTrue(badmac.hasSuffix("  MISMATCH: MAC 02:00:00:00:00:99, planned \(mac(plan, "badmac", "ext")); address 192.168.0.11/24 not reported by the guest"), out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("vms/good") && $0.contains("192.168.0.10/24") && $0.hasSuffix("  ok") }, out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("vms/idle") && $0.contains("not running") && $0.hasSuffix("not ready") }, out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("vms/stopped") && $0.contains("Halted") && $0.hasSuffix("ok") }, out)
        // VMs in name order, the good pod NIC reported with its guest name
        XCTAssertEqual(lines.filter { $0.hasPrefix("vms/") }.map { String($0.prefix { $0 != " " }) },
                       ["vms/badmac", "vms/badmac", "vms/good", "vms/good", "vms/idle", "vms/stopped"])
        XCTAssertEqual(lines.last, "not ready: 1 enactment Failing, 1 VM not running, 1 VM with mismatched NICs")
        // the same twice: deterministic
        XCTAssertEqual(try runProcess([bin, "status", path, "--kubeconfig", kubeconfig]).1, out)

        let (jrc, json, _) = try runProcess([bin, "status", path, "--kubeconfig", kubeconfig, "--format", "json"])
        XCTAssertEqual(jrc, 1)
        let doc = try KubeJSON.decode(Array(json.utf8))
        XCTAssertEqual(doc["ready"], .bool(false))
        XCTAssertEqual(doc.at("policies")?.listValue?.first?["enactments"]?.listValue?[1]["state"]?.stringValue, "Failing")
        XCTAssertEqual(doc["vms"]?.listValue?.map { $0["name"]?.stringValue ?? "" }, ["badmac", "good", "idle", "stopped"])

        // everything as planned: exit 0
        try server.reset()
        _ = try applyFixture()
        try addEnactment(node: "node-1", policy: "statuslab-br-ext", state: "Available")
        try addVMI("good", [("default", mac(plan, "good", "default"), ["10.244.1.7"], "enp1s0"),
                            ("ext", mac(plan, "good", "ext"), ["192.168.0.10"], "enp2s0")])
        try addVMI("badmac", [("default", mac(plan, "badmac", "default"), ["10.244.1.8"], "enp1s0"),
                              ("ext", mac(plan, "badmac", "ext"), ["192.168.0.11"], "enp2s0")])
        try addVMI("idle", [("ext", mac(plan, "idle", "ext"), ["192.168.0.13"], "enp1s0")])
        let (rc0, out0, err0) = try runProcess([bin, "status", path, "--kubeconfig", kubeconfig])
        XCTAssertEqual(rc0, 0, out0 + err0)
        XCTAssertTrue(out0.hasSuffix("ready: 1 policy (1 enactment Available), 4 VMs as planned\n"), out0)

        // usage and compile errors: 2
        XCTAssertEqual(try runProcess([bin, "status", path, "--kubeconfig", kubeconfig, "--interval", "0"]).0, 2)
        let broken = server.dir + "/broken.wk"
        try "vm x {}\n".write(toFile: broken, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runProcess([bin, "status", broken, "--kubeconfig", kubeconfig]).0, 2)
    }

    func testWatchPrintsChangesAndStopsWhenReady() throws {
        guard let bin = binary else { throw XCTSkip("wukongc binary not found next to the test runner (build it: swift build)") }
        let (path, plan) = try applyFixture()
        try addEnactment(node: "node-1", policy: "statuslab-br-ext", state: "Progressing", message: "applying desired state")
        try addVMI("good", [("default", mac(plan, "good", "default"), ["10.244.1.7"], "enp1s0"),
                            ("ext", mac(plan, "good", "ext"), ["192.168.0.10"], "enp2s0")])
        try addVMI("badmac", [("default", mac(plan, "badmac", "default"), ["10.244.1.8"], "enp1s0"),
                              ("ext", mac(plan, "badmac", "ext"), ["192.168.0.11"], "enp2s0")])
        try addVMI("idle", [("ext", mac(plan, "idle", "ext"), ["192.168.0.13"], "enp1s0")])
        let kubeconfig = try server.writeClientCertKubeconfig("status-watch.yaml")

        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["status", path, "--kubeconfig", kubeconfig, "--until-ready", "--interval", "0.2", "--timeout", "30s"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let box = Locked(Data())
        let done = DispatchSemaphore(value: 0)
        try p.run()
        Thread {
            while true {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                box.withLock { $0.append(d) }
            }
            done.signal()
        }.start()
        // the first report (compiling may be slow on a loaded machine), then a few more polls
        for _ in 0..<400 where !String(decoding: box.withLock { $0 }, as: UTF8.self).contains("not ready:") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.8)   // several polls, still one report (nothing changed)
        XCTAssertTrue(p.isRunning, "still waiting for the enactment")
        // nmstate flips the condition, in one write (the test server has no status subresource and
        // keeps a status-only patch out: a label changes with it)
        try mergePatch("/apis/nmstate.io/v1beta1/nodenetworkconfigurationenactments/node-1.statuslab-br-ext",
                       m(("metadata", m(("labels", m(("test/flipped", s("1")))))),
                         ("status", enactment(node: "node-1", policy: "statuslab-br-ext", state: "Available", message: "")["status"]!)))
        p.waitUntilExit()
        done.wait()
        let text = String(decoding: box.withLock { $0 }, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, text)
        let stamps = text.split(separator: "\n").filter { $0.hasPrefix("# ") }
        XCTAssertEqual(stamps.count, 2, "printed only when something changed:\n\(text)")
        XCTAssertTrue(text.contains("node-1  Progressing  applying desired state"), text)
        XCTAssertTrue(text.hasSuffix("ready: 1 policy (1 enactment Available), 4 VMs as planned\n"), text)

        // --timeout ends a watch that never gets ready, with exit 1
        try server.reset()
        _ = try applyFixture()
        let (rc, out2, _) = try runProcess([bin, "status", path, "--kubeconfig", kubeconfig, "--watch", "--interval", "0.2", "--timeout", "1s"])
        XCTAssertEqual(rc, 1)
        XCTAssertEqual(out2.split(separator: "\n").filter { $0.hasPrefix("# ") }.count, 1, out2)
        // JSON while watching: one compact document per change
        let (jrc, json, _) = try runProcess([bin, "status", path, "--kubeconfig", kubeconfig, "--watch", "--format", "json",
                                             "--interval", "0.2", "--timeout", "1s"])
        XCTAssertEqual(jrc, 1)
        let docs = json.split(separator: "\n")
        XCTAssertEqual(docs.count, 1, json)
        XCTAssertEqual(try KubeJSON.decode(Array(docs[0].utf8))["ready"], .bool(false))
        // --timeout without a watch is a usage error
        XCTAssertEqual(try runProcess([bin, "status", path, "--kubeconfig", kubeconfig, "--timeout", "1s"]).0, 2)
    }
}
#endif
