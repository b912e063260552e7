import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

/// The repository root (this file is Tests/WukongApplyTests/TestServer.swift).
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    url.deleteLastPathComponent(); url.deleteLastPathComponent(); url.deleteLastPathComponent()
    return url.path
}()

enum TestSetupError: Error, CustomStringConvertible {
    case failed(String)
    var description: String { if case .failed(let m) = self { return m }; return "" }
}

/// Runs a program to completion, returning (exit code, stdout, stderr).
@discardableResult
func runProcess(_ argv: [String], env: [String: String] = [:], stdin: String? = nil, cwd: String? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out; p.standardError = err; p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? inp.fileHandleForWriting.close()
    let errBox = Locked(Data())
    let done = DispatchSemaphore(value: 0)
    Thread { let d = err.fileHandleForReading.readDataToEndOfFile(); errBox.withLock { $0 = d }; done.signal() }.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    done.wait()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errBox.withLock { $0 }, as: UTF8.self))
}

/// The test API server (Tests/apiserver/server.py) on 127.0.0.1 with a random free port, over
/// HTTPS with a throwaway PKI made by openssl. One instance per test process; `reset()` between tests.
final class TestAPIServer: @unchecked Sendable {
    static let token = "wukong-test-token-9f3a"
    let dir: String
    let port: Int
    let process: Process
    var server: String { "https://127.0.0.1:\(port)" }
    var pki: String { dir + "/pki" }

    nonisolated(unsafe) private static var instance: TestAPIServer?
    nonisolated(unsafe) private static var startError: String?

    static func shared() throws -> TestAPIServer {
        if let instance { return instance }
        if let startError { throw TestSetupError.failed(startError) }
        do {
            let s = try TestAPIServer()
            instance = s
            atexit { TestAPIServer.instance?.stop() }
            return s
        } catch {
            startError = "\(error)"
            throw error
        }
    }

    private init() throws {
        // loopback never goes through a proxy a CI machine may have configured
        for key in ["NO_PROXY", "no_proxy"] { setenv(key, "127.0.0.1,localhost", 1) }
        dir = NSTemporaryDirectory() + "wukong-apiserver-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (rc, _, err) = try runProcess(["sh", repoRoot + "/Tests/apiserver/make-certs.sh", dir + "/pki"])
        guard rc == 0 else { throw TestSetupError.failed("make-certs.sh failed (is openssl installed?): \(err)") }
        let portFile = dir + "/port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", repoRoot + "/Tests/apiserver/server.py",
                    "--cert", dir + "/pki/server.crt", "--key", dir + "/pki/server.key",
                    "--client-ca", dir + "/pki/ca.crt", "--token", TestAPIServer.token, "--port", "0",
                    "--port-file", portFile]
        let schemas = URL(fileURLWithPath: repoRoot + "/../shared/schemas").standardized.path
        if FileManager.default.fileExists(atPath: schemas) { args += ["--schemas", schemas] }
        process.arguments = args
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var found: Int? = nil
        for _ in 0..<300 {  // up to 30 s (schema loading is the slow part)
            if let s = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(s) { found = p; break }
            if !process.isRunning { break }
            usleep(100_000)
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw TestSetupError.failed("the test API server did not start (python3 \(repoRoot)/Tests/apiserver/server.py)")
        }
        port = found
    }

    /// Called at process exit: signal the server (by its pid) and remove the temp dir; no waiting,
    /// Foundation's run loop may already be gone.
    func stop() {
        kill(process.processIdentifier, SIGTERM)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func read(_ name: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: pki + "/" + name) ?? Data()) }

    /// Cluster config authenticating with the client certificate.
    func certConfig() -> ClusterConfig {
        ClusterConfig(contextName: "test", server: server,
                      tls: TLSConfig(caPEM: read("ca.crt"), clientCertPEM: read("client.crt"), clientKeyPEM: read("client.key")))
    }

    func tokenConfig(_ token: String = TestAPIServer.token) -> ClusterConfig {
        ClusterConfig(contextName: "test", server: server, tls: TLSConfig(caPEM: read("ca.crt")), credentials: .token(token))
    }

    private lazy var controlClient = HTTPClient(baseURL: server, tls: TLSConfig(caPEM: read("ca.crt")))

    @discardableResult
    func control(_ method: String, _ path: String, _ json: String? = nil) throws -> KubeValue {
        let r = controlClient.perform(HTTPRequest(method: method, path: path, body: json.map { Array($0.utf8) },
                                                  contentType: "application/json"))
        switch r {
        case .failure(let e): throw TestSetupError.failed("control \(path): \(e)")
        case .success(let resp):
            guard resp.status == 200 else { throw TestSetupError.failed("control \(path): HTTP \(resp.status)") }
            return try KubeJSON.decode(resp.body)
        }
    }

    func reset() throws { try control("POST", "/_test/reset") }
    func inject(_ faultsJSON: String) throws { try control("POST", "/_test/faults", "{\"faults\":\(faultsJSON)}") }

    /// The request log: (method, path) pairs.
    func log() throws -> [(method: String, path: String, status: Int)] {
        let v = try control("GET", "/_test/log")
        return (v["requests"]?.listValue ?? []).map {
            ($0["method"]?.stringValue ?? "", $0["path"]?.stringValue ?? "", $0["status"]?.intValue ?? 0)
        }
    }

    /// Writes a kubeconfig into the server's temp dir and returns its path.
    func writeKubeconfig(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A kubeconfig that reaches this server with the test client certificate.
    func writeClientCertKubeconfig(_ name: String, namespace: String? = nil) throws -> String {
        try writeKubeconfig(name, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster: {server: "\(server)", certificate-authority: pki/ca.crt}
            users:
            - name: cert
              user: {client-certificate: pki/client.crt, client-key: pki/client.key}
            contexts:
            - name: test
              context: {cluster: test, user: cert\(namespace.map { ", namespace: \($0)" } ?? "")}
            current-context: test
            """)
    }
}

/// Small builders for KubeValue objects in tests.
func m(_ fields: (String, KubeValue)...) -> KubeValue { .map(fields.map { KubeField($0.0, $0.1) }) }
func s(_ v: String) -> KubeValue { .string(v) }

func meta(_ name: String, ns: String?, topology: String = "lab") -> KubeValue {
    var f = [KubeField("name", s(name))]
    if let ns { f.append(KubeField("namespace", s(ns))) }
    f.append(KubeField("labels", m(("app.kubernetes.io/managed-by", s("wukongc")), ("wukong.dev/topology", s(topology)))))
    return .map(f)
}

func obj(_ apiVersion: String, _ kind: String, _ name: String, ns: String?, topology: String = "lab",
         _ rest: (String, KubeValue)...) -> KubeObject {
    var f = [KubeField("apiVersion", s(apiVersion)), KubeField("kind", s(kind)), KubeField("metadata", meta(name, ns: ns, topology: topology))]
    for (k, v) in rest { f.append(KubeField(k, v)) }
    return KubeObject(apiVersion: apiVersion, kind: kind, name: name, namespace: ns, body: .map(f))
}

func namespaceObj(_ name: String, topology: String = "lab") -> KubeObject { obj("v1", "Namespace", name, ns: nil, topology: topology) }

func secretObj(_ name: String, ns: String, value: String = "I2Nsb3VkLWNvbmZpZw==", topology: String = "lab") -> KubeObject {
    obj("v1", "Secret", name, ns: ns, topology: topology, ("type", s("Opaque")), ("data", m(("userdata", s(value)))))
}

func nncpObj(_ name: String, bridge: String = "br1", topology: String = "lab") -> KubeObject {
    obj("nmstate.io/v1", "NodeNetworkConfigurationPolicy", name, ns: nil, topology: topology,
        ("spec", m(("desiredState", m(("interfaces", .list([m(("name", s(bridge)), ("type", s("linux-bridge")), ("state", s("up")))])))))))
}

func nadObj(_ name: String, ns: String, bridge: String = "br1", topology: String = "lab") -> KubeObject {
    obj("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", name, ns: ns, topology: topology,
        ("spec", m(("config", s("{\"cniVersion\":\"0.3.1\",\"name\":\"\(name)\",\"type\":\"bridge\",\"bridge\":\"\(bridge)\",\"ipam\":{}}")))))
}

func vmObj(_ name: String, ns: String, memory: String = "1Gi", runStrategy: String = "Always", topology: String = "lab",
           extraInterfaceField: (String, KubeValue)? = nil) -> KubeObject {
    var iface: [(String, KubeValue)] = [("name", s("default")), ("masquerade", .map([])), ("macAddress", s("0e:00:00:00:00:01"))]
    if let extraInterfaceField { iface.append(extraInterfaceField) }
    let domain = m(("devices", m(("interfaces", .list([.map(iface.map { KubeField($0.0, $0.1) })])))),
                   ("memory", m(("guest", s(memory)))))
    let podSpec = m(("domain", domain), ("networks", .list([m(("name", s("default")), ("pod", .map([])))])))
    let template = m(("metadata", m(("labels", m(("kubevirt.io/vm", s(name)))))), ("spec", podSpec))
    return obj("kubevirt.io/v1", "VirtualMachine", name, ns: ns, topology: topology,
               ("spec", m(("runStrategy", s(runStrategy)), ("template", template))))
}

/// A small topology's objects, in the back end's order.
func smallTopology(ns: String = "lab", vms: Int = 2, memory: String = "1Gi", topology: String = "lab") -> [KubeObject] {
    var out = [namespaceObj(ns, topology: topology), secretObj("cloudinit-web", ns: ns, topology: topology),
               nncpObj("\(topology)-br1", topology: topology), nadObj("lan", ns: ns, topology: topology)]
    for i in 1...vms { out.append(vmObj("web-\(i)", ns: ns, memory: memory, topology: topology)) }
    return out
}

/// Collects events (thread-safe) and the printed lines.
final class EventLog: Sendable {
    private let events = Locked<[ApplyEvent]>([])
    let dryRun: Bool
    init(dryRun: Bool = false) { self.dryRun = dryRun }
    var sink: @Sendable (ApplyEvent) -> Void { { [self] e in events.withLock { $0.append(e) } } }
    var all: [ApplyEvent] { events.withLock { $0 } }
    var lines: [String] { all.compactMap { $0.line(dryRun: dryRun) } }
    var retries: [RetryNotice] { all.compactMap { if case .retrying(_, let n) = $0 { return n }; return nil } }
}

extension ApplyReport {
    var actions: [String] { applied.map { "\($0.object) \($0.action.rawValue)" } }
}

func fastRetry(_ attempts: Int = 5) -> RetryPolicy { RetryPolicy(maxAttempts: attempts, initialDelay: 0.05, maxDelay: 0.2, maxRetryAfter: 2) }

// MARK: cluster state the preflight reads (Nodes, the KubeVirt CR, NADs of other topologies)

extension TestAPIServer {
    /// Creates an object through the API (POST, strict field validation, as an admin would).
    @discardableResult
    func create(_ collectionPath: String, _ object: KubeValue) throws -> KubeValue {
        let c = KubeClient(config: certConfig(), retry: fastRetry())
        switch c.send(HTTPRequest(method: "POST", path: collectionPath + "?fieldValidation=Strict", body: KubeJSON.encode(object),
                                  contentType: "application/json")) {
        case .failure(let e): throw TestSetupError.failed("create in \(collectionPath): \(e)")
        case .success(let r):
            guard r.status == 201 else { throw TestSetupError.failed("create in \(collectionPath): HTTP \(r.status) \(String(decoding: r.body, as: UTF8.self))") }
            return try KubeJSON.decode(r.body)
        }
    }

    func createNamespace(_ name: String) throws {
        try create("/api/v1/namespaces", m(("apiVersion", s("v1")), ("kind", s("Namespace")), ("metadata", m(("name", s(name))))))
    }

    /// A Node with `kubernetes.io/hostname` = name plus `labels`, advertising `allocatable`.
    func addNode(_ name: String, labels: [String: String] = [:], allocatable: [String: String] = [:]) throws {
        var l = [KubeField("kubernetes.io/hostname", s(name))]
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) { l.append(KubeField(k, s(v))) }
        var a = [KubeField("cpu", s("8")), KubeField("memory", s("32Gi")), KubeField("pods", s("110"))]
        for (k, v) in allocatable.sorted(by: { $0.key < $1.key }) { a.append(KubeField(k, s(v))) }
        try create("/api/v1/nodes", m(("apiVersion", s("v1")), ("kind", s("Node")),
                                      ("metadata", m(("name", s(name)), ("labels", .map(l)))),
                                      ("status", m(("allocatable", .map(a)), ("capacity", .map(a))))))
    }

    /// The KubeVirt CR `kubevirt/kubevirt` (namespace created too). `macvtap`: register the
    /// binding plugin with that domainAttachmentType (nil: not registered); `version`: the
    /// `status.observedKubeVirtVersion` (nil: no status yet).
    func addKubeVirt(macvtap: String? = "tap", featureGates: [String] = [], version: String? = "v1.6.0") throws {
        try createNamespace("kubevirt")
        var configuration: [KubeField] = []
        if !featureGates.isEmpty {
            configuration.append(KubeField("developerConfiguration", m(("featureGates", .list(featureGates.map(s))))))
        }
        if let macvtap {
            configuration.append(KubeField("network", m(("binding", m(("macvtap", m(("domainAttachmentType", s(macvtap)))))))))
        }
        var cr: [(String, KubeValue)] = [("apiVersion", s("kubevirt.io/v1")), ("kind", s("KubeVirt")),
                                         ("metadata", m(("name", s("kubevirt")), ("namespace", s("kubevirt")))),
                                         ("spec", m(("configuration", .map(configuration))))]
        if let version { cr.append(("status", m(("observedKubeVirtVersion", s(version)), ("phase", s("Deployed"))))) }
        try create("/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts", .map(cr.map { KubeField($0.0, $0.1) }))
    }

    /// Nodes and a KubeVirt CR under which every VM of `objects` passes the preflight: one node
    /// per hostname the VMs are pinned to (plus `node-0`), each with every nodeSelector label of the
    /// VMs and advertising every device resource the NADs name.
    func addClusterFor(_ objects: [KubeObject]) throws {
        var labels: [String: String] = [:]
        var hosts: [String] = ["node-0"]
        var resources: [String: String] = [:]
        for o in objects {
            if o.kind == "NetworkAttachmentDefinition",
               let r = o.body.at("metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName")?.stringValue {
                resources[r] = "50"
            }
            guard o.kind == "VirtualMachine", let spec = o.body.at("spec", "template", "spec") else { continue }
            if case .map(let fs)? = spec["nodeSelector"] {
                for f in fs {
                    if f.key == "kubernetes.io/hostname" { hosts.append(f.value.stringValue ?? "") } else { labels[f.key] = f.value.stringValue }
                }
            }
            for term in spec.at("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")?.listValue ?? [] {
                for e in term["matchExpressions"]?.listValue ?? [] where e["key"]?.stringValue == "kubernetes.io/hostname" {
                    hosts += (e["values"]?.listValue ?? []).compactMap(\.stringValue)
                }
            }
        }
        var seen: Set<String> = []
        for h in hosts where seen.insert(h).inserted { try addNode(h, labels: labels, allocatable: resources) }
        let macvtap = objects.contains(where: { $0.kind == "VirtualMachine" && Applier.usesMacvtap($0.body) })
        let passt = objects.contains(where: { $0.kind == "VirtualMachine" && Applier.usesPasst($0.body) })
        if macvtap || passt { try addKubeVirt(macvtap: macvtap ? "tap" : nil, featureGates: passt ? ["PasstBinding"] : []) }
    }
}

/// A macvtap NAD on node device `device` (what the back end emits for `macvlan = <device>`).
func macvtapNADObj(_ name: String, ns: String, device: String = "ens160") -> KubeObject {
    let md = meta(name, ns: ns).setting("annotations", m(("k8s.v1.cni.cncf.io/resourceName", s("macvtap.network.kubevirt.io/\(device)"))))
    return KubeObject(apiVersion: "k8s.cni.cncf.io/v1", kind: "NetworkAttachmentDefinition", name: name, namespace: ns,
                      body: m(("apiVersion", s("k8s.cni.cncf.io/v1")), ("kind", s("NetworkAttachmentDefinition")), ("metadata", md),
                              ("spec", m(("config", s("{\"cniVersion\":\"0.3.1\",\"name\":\"\(name)\",\"type\":\"macvtap\"}"))))))
}

/// A VM with a pod NIC and a macvtap NIC on network `networkName` ("nad" or "ns/nad"), placed by
/// `nodeSelector` and/or a required node affinity `kubernetes.io/hostname In hostnames`.
func macvtapVMObj(_ name: String, ns: String, networkName: String = "mgmt", binding: String = "macvtap",
                  nodeSelector: [(String, String)] = [], hostnames: [String]? = nil) -> KubeObject {
    let interfaces: KubeValue = .list([
        m(("name", s("default")), ("masquerade", .map([])), ("macAddress", s("0e:00:00:00:00:01"))),
        m(("name", s("mgmt")), ("binding", m(("name", s(binding)))), ("macAddress", s("0e:00:00:00:00:02")))])
    var podSpec: [KubeField] = []
    if !nodeSelector.isEmpty { podSpec.append(KubeField("nodeSelector", .map(nodeSelector.map { KubeField($0.0, s($0.1)) }))) }
    if let hostnames {
        let expr = m(("key", s("kubernetes.io/hostname")), ("operator", s("In")), ("values", .list(hostnames.map(s))))
        let terms: KubeValue = .list([m(("matchExpressions", .list([expr])))])
        let required = m(("nodeSelectorTerms", terms))
        podSpec.append(KubeField("affinity", m(("nodeAffinity", m(("requiredDuringSchedulingIgnoredDuringExecution", required))))))
    }
    podSpec.append(KubeField("domain", m(("devices", m(("interfaces", interfaces))), ("memory", m(("guest", s("1Gi")))))))
    podSpec.append(KubeField("networks", .list([m(("name", s("default")), ("pod", .map([]))),
                                                m(("name", s("mgmt")), ("multus", m(("networkName", s(networkName)))))])))
    let template = m(("metadata", m(("labels", m(("kubevirt.io/vm", s(name)))))), ("spec", .map(podSpec)))
    return obj("kubevirt.io/v1", "VirtualMachine", name, ns: ns, ("spec", m(("runStrategy", s("Always")), ("template", template))))
}

// MARK: the fault-injecting proxy in front of the test API server

/// One request as the proxy (Tests/apiserver/fault-proxy.py) logged it.
struct ProxyLogEntry: CustomStringConvertible {
    var method: String
    var path: String
    /// The fault that decided the answer (`rotated-token-accepted` when a rotated-to token passed).
    var fault: String?
    var forwarded: Bool
    /// The server's answer, when the request was forwarded.
    var upstreamStatus: Int?
    /// The server answered 2xx: it did the work, whatever the client then saw.
    var acknowledged: Bool
    /// The status line the client was sent (nil: none).
    var status: Int?
    /// `complete`, `partial` (cut off), `late` (after a stall) or `none`.
    var delivered: String
    var name: String { String(path.split(separator: "/").last ?? "") }
    var description: String {
        "\(method) \(path) fault=\(fault ?? "-") upstream=\(upstreamStatus.map(String.init) ?? "-") status=\(status.map(String.init) ?? "-") \(delivered)"
    }
}

/// The fault proxy on 127.0.0.1 with a random port, forwarding to `TestAPIServer.shared()` and
/// presenting the same test PKI's server certificate (its SANs cover 127.0.0.1). One per test
/// process; `reset()` between tests. Clients authenticate with the bearer token: a client
/// certificate cannot pass through a TLS-terminating proxy.
final class TestFaultProxy: @unchecked Sendable {
    let server: TestAPIServer
    let port: Int
    let process: Process
    var url: String { "https://127.0.0.1:\(port)" }

    nonisolated(unsafe) private static var instance: TestFaultProxy?
    nonisolated(unsafe) private static var startError: String?

    static func shared() throws -> TestFaultProxy {
        if let instance { return instance }
        if let startError { throw TestSetupError.failed(startError) }
        do {
            let p = try TestFaultProxy(server: try TestAPIServer.shared())
            instance = p
            atexit { if let p = TestFaultProxy.instance { kill(p.process.processIdentifier, SIGTERM) } }
            return p
        } catch {
            startError = "\(error)"
            throw error
        }
    }

    private init(server: TestAPIServer) throws {
        self.server = server
        let portFile = server.dir + "/proxy-port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot + "/Tests/apiserver/fault-proxy.py",
                             "--cert", server.pki + "/server.crt", "--key", server.pki + "/server.key",
                             "--ca", server.pki + "/ca.crt", "--upstream", server.server, "--port", "0", "--port-file", portFile]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var found: Int? = nil
        for _ in 0..<300 {
            if let s = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(s) { found = p; break }
            if !process.isRunning { break }
            usleep(100_000)
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw TestSetupError.failed("the fault proxy did not start (python3 \(repoRoot)/Tests/apiserver/fault-proxy.py)")
        }
        port = found
    }

    private lazy var controlClient = HTTPClient(baseURL: url, tls: TLSConfig(caPEM: server.read("ca.crt")))

    @discardableResult
    func control(_ method: String, _ path: String, _ json: String? = nil) throws -> KubeValue {
        switch controlClient.perform(HTTPRequest(method: method, path: path, body: json.map { Array($0.utf8) }, contentType: "application/json")) {
        case .failure(let e): throw TestSetupError.failed("proxy control \(path): \(e)")
        case .success(let r):
            guard r.status == 200 else { throw TestSetupError.failed("proxy control \(path): HTTP \(r.status) \(String(decoding: r.body, as: UTF8.self))") }
            return try KubeJSON.decode(r.body)
        }
    }

    func reset() throws { try control("POST", "/_proxy/reset") }
    func inject(_ faultsJSON: String) throws { try control("POST", "/_proxy/faults", "{\"faults\":\(faultsJSON)}") }

    func log() throws -> [ProxyLogEntry] {
        (try control("GET", "/_proxy/log")["requests"]?.listValue ?? []).map { e in
            ProxyLogEntry(method: e["method"]?.stringValue ?? "", path: e["path"]?.stringValue ?? "",
                          fault: e["fault"]?.stringValue, forwarded: e["forwarded"] == .bool(true),
                          upstreamStatus: e["upstream_status"]?.intValue, acknowledged: e["acknowledged"] == .bool(true),
                          status: e["status"]?.intValue, delivered: e["delivered"]?.stringValue ?? "")
        }
    }

    /// Cluster config reaching the server through the proxy with a bearer token.
    func tokenConfig(_ token: String = TestAPIServer.token) -> ClusterConfig {
        ClusterConfig(contextName: "test", server: url, tls: TLSConfig(caPEM: server.read("ca.crt")), credentials: .token(token))
    }

    /// A kubeconfig (in the server's temp dir) reaching the server through the proxy as user
    /// `user` with `credential` (e.g. `token: X` or `tokenFile: F`), context `lab`.
    func writeKubeconfig(_ name: String, user: String = "admin", credential: String) throws -> String {
        try server.writeKubeconfig(name, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: proxied
              cluster: {server: "\(url)", certificate-authority: pki/ca.crt}
            users:
            - name: \(user)
              user: {\(credential)}
            contexts:
            - name: lab
              context: {cluster: proxied, user: \(user)}
            current-context: lab
            """)
    }
}
