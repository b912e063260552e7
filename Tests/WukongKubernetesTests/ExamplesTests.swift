import Foundation
import XCTest
import WukongParallel
import Yams
import WukongCompiler
import WukongIR
@testable import WukongKubernetes

/// The repository and the referee tools (`<repo>/../shared/tools`).
enum Repo {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let tools = URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/tools").path
    static let golden = root + "/Tests/golden"

    /// `examples/*.wk` files and `examples/*/` directories, sorted.
    static func examples() throws -> [(name: String, path: String)] {
        let dir = root + "/examples"
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { return [] }
        var out: [(String, String)] = []
        for e in entries.sorted() {
            var isDir: ObjCBool = false
            let p = dir + "/" + e
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { continue }
            if isDir.boolValue { out.append((e, p)) } else if e.hasSuffix(".wk") { out.append((String(e.dropLast(3)), p)) }
        }
        return out
    }

    static func compile(_ path: String) throws -> Topology {
        let c = try Driver.compile(path: path)
        guard let t = c.topology else {
            let errors = c.diagnostics.filter { $0.severity == .error }.map { "\($0.code): \($0.message)" }
            throw CompileFailure(path: path, errors: errors)
        }
        return t
    }
}

struct CompileFailure: Error, CustomStringConvertible {
    var path: String
    var errors: [String]
    var description: String { "\(path) does not compile: \(errors.joined(separator: "; "))" }
}

struct ToolResult { var status: Int32; var output: String }

func runTool(_ tool: String, _ args: [String], input: String? = nil) throws -> ToolResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Repo.tools + "/" + tool)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    let inPipe = Pipe()
    p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try p.run()
    if let input {
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ToolResult(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

final class ExamplesTests: XCTestCase {
    /// Every example, built and emitted, equals `Tests/golden/<example>.yaml` (and its IR
    /// `Tests/golden/<example>.ir.json`). `WUKONG_UPDATE_GOLDEN=1` rewrites them.
    func testGoldenOutputs() throws {
        let examples = try Repo.examples()
        if examples.isEmpty { throw XCTSkip("no examples/ yet") }
        let update = ProcessInfo.processInfo.environment["WUKONG_UPDATE_GOLDEN"] == "1"
        try FileManager.default.createDirectory(atPath: Repo.golden, withIntermediateDirectories: true)
        for ex in examples {
            let t: Topology
            do { t = try Repo.compile(ex.path) } catch { XCTFail("\(error)"); continue }
            let outputs = [(ex.name + ".yaml", YAMLOutput.stream(KubernetesBackend.objects(for: t))),
                           (ex.name + ".ir.json", IRJSON.encode(t))]
            for (file, text) in outputs {
                let path = Repo.golden + "/" + file
                if update {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                    continue
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    XCTFail("missing golden \(path) (run with WUKONG_UPDATE_GOLDEN=1 and review the diff)")
                    continue
                }
                let golden = String(decoding: data, as: UTF8.self)
                if golden != text {
                    let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
                    let b = text.split(separator: "\n", omittingEmptySubsequences: false)
                    let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                    XCTFail("\(file) differs from the golden at line \(i + 1):\n- \(i < a.count ? a[i] : "<end>")\n+ \(i < b.count ? b[i] : "<end>")\n(WUKONG_UPDATE_GOLDEN=1 rewrites it)")
                }
            }
        }
    }

    /// Building twice gives identical bytes; a directory topology gives identical bytes
    /// whatever order its files are handed over in.
    func testDeterminism() throws {
        let examples = try Repo.examples()
        if examples.isEmpty { throw XCTSkip("no examples/ yet") }
        for ex in examples {
            guard let a = try? Repo.compile(ex.path), let b = try? Repo.compile(ex.path) else { continue }
            XCTAssertEqual(YAMLOutput.stream(KubernetesBackend.objects(for: a)),
                           YAMLOutput.stream(KubernetesBackend.objects(for: b)), ex.name)
        }
        // A topology of several files, given in two orders.
        let files = [
            InputFile(path: "topo/a-net.wk", text: """
                nic ens192
                bridge br-ext { ports = [ens192] }
                network ext { bridge = br-ext, subnet = 10.0.0.0/24, gateway = 10.0.0.1 }
                """),
            InputFile(path: "topo/b-vms.wk", text: """
                vm one { cpu = 1, memory = 1Gi, image = "x"
                  nic e on ext { address = auto }
                }
                """),
            InputFile(path: "topo/c-more.wk", text: """
                vm two { cpu = 1, memory = 1Gi, image = "x"
                  nic e on ext { address = auto }
                }
                """),
        ]
        let c1 = Driver.compile(files: files, defaultName: "topo")
        let c2 = Driver.compile(files: files.reversed(), defaultName: "topo")
        let t1 = try XCTUnwrap(c1.topology, "\(c1.diagnostics.map(\.message))")
        let t2 = try XCTUnwrap(c2.topology)
        let y1 = YAMLOutput.stream(KubernetesBackend.objects(for: t1))
        XCTAssertEqual(y1, YAMLOutput.stream(KubernetesBackend.objects(for: t2)))
        XCTAssertTrue(y1.contains("kind: VirtualMachine"))
    }

    /// The streamed YAML (Secrets, VirtualMachines and networkData emitted as libyaml events
    /// straight from the IR, batches rendered on worker threads) has the bytes of emitting the
    /// object trees (`objects(for:)`, which JSON, apply and diff use), for every example, the
    /// fixtures and generated fleets, on one thread and on several.
    func testStreamedYAMLEqualsObjectTreeYAML() throws {
        var inputs: [(String, Topology)] = [("lab", Fixtures.lab()), ("datacenter", Fixtures.datacenter()),
                                            ("many", Fixtures.many(300))]
        for ex in try Repo.examples() { inputs.append((ex.name, try Repo.compile(ex.path))) }
        for (i, style) in ["explicit", "for"].enumerated() {
            let c = Driver.compile(files: [InputFile(path: "gen.wk", text: generatedFleet(120 + i, style))], defaultName: "gen")
            inputs.append(("generated-\(style)", try XCTUnwrap(c.topology, "\(c.diagnostics.map(\.message))")))
        }
        for (name, t) in inputs { assertStreamedYAMLEqualsObjectTree(t, name) }
    }

    /// The workload of bench/gen.py (both styles), with a few variations: VM labels, a pinned
    /// VM, `run`, `cloud_config` and a DHCP pod NIC next to static ones.
    func generatedFleet(_ n: Int, _ style: String) -> String {
        var out = [
            #"topology gen { namespace = "gen", labels = { team = "net" } }"#,
            "nic ens192",
            "nic ens160",
            "vlan v100 on ens160 { id = 100 }",
            "bridge br-front { ports = [ens192] }",
            "bridge br-back { ports = [v100] }",
            "network front { bridge = br-front, subnet = 10.4.0.0/14, gateway = 10.4.0.1, dns = [10.4.0.1] }",
            "network back { bridge = br-back, subnet = 172.16.0.0/24, gateway = 172.16.0.1 }",
        ]
        let user = #"user admin { password_hash = "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1", sudo = "ALL=(ALL) NOPASSWD:ALL" }"#
        if style == "for" {
            out += ["for i in 1..=\(n) {", #"  vm "vm-${i}" {"#, "    cpu = 2", "    memory = 4Gi",
                    #"    image = "quay.io/containerdisks/fedora:41""#, "    " + user, "    nic default on pod",
                    "    nic front on front { address = 10.4.0.10 + i }", "  }", "}"]
        } else {
            for i in 1...n {
                out += ["vm vm-\(i) {", "  cpu = \(1 + i % 3)", "  memory = 4Gi", #"  image = "quay.io/containerdisks/fedora:41""#,
                        "  " + user, "  nic default on pod", "  nic front on front { address = 10.4.\(i / 200).\(10 + i % 200) }"]
                if i % 7 == 0 { out.append("  nic back on back { address = auto }") }
                if i % 11 == 0 { out.append(#"  run = ["echo \#(i)"]"#) }
                if i % 13 == 0 { out.append(#"  labels = { tier = "t\#(i % 2)" }"#) }
                out.append("}")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: referee tools

    /// The outputs the referee tools check: every example plus the hand-built fixtures.
    func refereeInputs() throws -> [(name: String, topology: Topology)] {
        var out: [(String, Topology)] = [("fixture-lab", Fixtures.lab()), ("fixture-datacenter", Fixtures.datacenter())]
        for ex in try Repo.examples() {
            do { out.append((ex.name, try Repo.compile(ex.path))) } catch { XCTFail("\(error)") }
        }
        return out
    }

    func requireTools() throws {
        if !FileManager.default.fileExists(atPath: Repo.tools + "/validate-k8s") {
            throw XCTSkip("referee tools not found at \(Repo.tools): skipping validate-k8s, cni-exec, netplan-check, cloudinit-check")
        }
    }

    /// At most 12 VMs (the first and last six) of a fleet: the payload tools start a process per
    /// payload, and fleet VMs differ only in names and addresses.
    func sampled(_ t: Topology) -> Topology {
        var s = t
        if s.vms.count > 12 { s.vms = Array(t.vms.prefix(6) + t.vms.suffix(6)) }
        return s
    }

    /// validate-k8s does not know whereabouts IPAM; that one finding is the tool's limit, not ours.
    static let toolLimits = [#"unsupported IPAM type "whereabouts""#]

    /// Problem lines of a validate-k8s run, without the tool's known limits: whereabouts IPAM,
    /// and NADs on `managed = false` bridges (they exist on the nodes, not in the input).
    func problems(_ output: String, _ t: Topology) -> [String] {
        let unmanaged = t.bridges.filter { !$0.managed }.map { #"bridge ""# + $0.ifname + #"" is not created by any"# }
        return output.split(separator: "\n").map(String.init).filter { line in
            line.contains(": ") && !line.hasSuffix("problems") && !line.hasPrefix("note:")
                && !(Self.toolLimits + unmanaged).contains { line.contains($0) }
        }
    }

    /// validate-k8s on every whole output (schemas, webhook rules, cross-references), and
    /// with `--deep` (netplan and cloud-init on the embedded payloads) on a sample of each.
    func testValidateK8s() throws {
        try requireTools()
        let inputs = try refereeInputs()
        // The tool runs are independent: two at a time (each is a python process).
        let runs = Parallel.map((0..<inputs.count).map { $0..<($0 + 1) }) { r -> [Result<ToolResult, Error>] in
            let t = inputs[r.lowerBound].topology
            return [
                Result { try runTool("validate-k8s", ["-"], input: YAMLOutput.stream(KubernetesBackend.objects(for: t))) },
                Result { try runTool("validate-k8s", ["--deep", "-"],
                                     input: YAMLOutput.stream(KubernetesBackend.objects(for: sampled(t)))) },
            ]
        }
        for ((name, t), results) in zip(inputs, runs) {
            let full = try results[0].get(), deep = try results[1].get()
            if full.status != 0 { XCTAssertEqual(problems(full.output, t), [], "validate-k8s on \(name):\n\(full.output)") }
            XCTAssertTrue(full.output.contains("objects checked"), full.output)
            if deep.status != 0 { XCTAssertEqual(problems(deep.output, t), [], "validate-k8s --deep on \(name):\n\(deep.output)") }
        }
    }

    func testNetplanAndCloudInitPayloads() throws {
        try requireTools()
        let tmp = NSTemporaryDirectory() + "wukong-payloads-\(getpid())"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        for (name, t) in try refereeInputs() {
            var netFiles: [String] = [], userFiles: [String] = []
            for (i, o) in KubernetesBackend.objects(for: sampled(t)).enumerated() where o.kind == "Secret" {
                guard let net = decodeBase64(valueString(o.body["data"]?["networkdata"])),
                      let user = decodeBase64(valueString(o.body["data"]?["userdata"])) else {
                    XCTFail("\(name): \(o.name) lacks networkdata/userdata"); continue
                }
                let n = tmp + "/\(name)-\(i)-network.yaml", u = tmp + "/\(name)-\(i)-user.yaml"
                try Data(net.utf8).write(to: URL(fileURLWithPath: n))
                try Data(user.utf8).write(to: URL(fileURLWithPath: u))
                netFiles.append(n)
                userFiles.append(u)
            }
            if netFiles.isEmpty { continue }
            let np = try runTool("netplan-check", netFiles)
            if np.status == 3 { throw XCTSkip("netplan-check: netplan.io not installed") }
            XCTAssertEqual(np.status, 0, "netplan-check on \(name):\n\(np.output)")
            let ci = try runTool("cloudinit-check", userFiles)
            if ci.status == 3 { throw XCTSkip("cloudinit-check: cloud-init not installed") }
            XCTAssertEqual(ci.status, 0, "cloudinit-check on \(name):\n\(ci.output)")
        }
    }

    /// The real bridge and macvtap CNI plugins accept every bridge/macvtap NAD (NADs with
    /// `dhcp` IPAM need the node's DHCP daemon, whereabouts is not packaged: both left out).
    func testCNIExec() throws {
        try requireTools()
        if geteuid() != 0 { throw XCTSkip("cni-exec needs root") }
        for (name, t) in try refereeInputs() {
            let objs = KubernetesBackend.objects(for: sampled(t))
            let yaml = YAMLOutput.stream(objs)
            for o in objs where o.kind == "NetworkAttachmentDefinition" {
                guard let cfg = valueString(o.body["spec"]?["config"]),
                      let json = try? JSONSerialization.jsonObject(with: Data(cfg.utf8)) as? [String: Any] else {
                    XCTFail("\(name): \(o.name) has no CNI config"); continue
                }
                let type = json["type"] as? String
                guard type == "bridge" || type == "macvtap" else { continue }
                let ipam = (json["ipam"] as? [String: Any])?["type"] as? String
                if ipam == "dhcp" || ipam == "whereabouts" { continue }
                let r = try runTool("cni-exec", ["--name", o.name, "-"], input: yaml)
                XCTAssertEqual(r.status, 0, "cni-exec \(o.name) of \(name):\n\(r.output)")
            }
        }
    }

    // MARK: cross-object properties

    func testCrossObjectProperties() throws {
        for (name, t) in try refereeInputs() {
            try checkProperties(name, t)
        }
    }

    func checkProperties(_ name: String, _ t: Topology) throws {
        let objs = KubernetesBackend.objects(for: t)
        let docs = try parsed(objs)
        func kind(_ k: String) -> [[String: Any]] { docs.filter { $0["kind"] as? String == k } }

        // Interfaces the policies create, unmanaged bridges, declared node links.
        var created: [String: String] = [:]
        for p in kind("NodeNetworkConfigurationPolicy") {
            for i in (dig(p, "spec", "desiredState", "interfaces") as? [[String: Any]]) ?? [] {
                if let n = i["name"] as? String, let ty = i["type"] as? String, created[n] == nil || ty != "ovs-interface" {
                    created[n] = ty
                }
            }
        }
        let unmanaged = Set(t.bridges.filter { !$0.managed }.map(\.ifname))
        // OVN bridge mappings: localnet → bridge, each bridge an ovs-bridge a policy creates or an unmanaged one
        var mappings: [String: String] = [:]
        for p in kind("NodeNetworkConfigurationPolicy") {
            for m in (dig(p, "spec", "desiredState", "ovn", "bridge-mappings") as? [[String: Any]]) ?? [] {
                let (ln, br) = (try XCTUnwrap(m["localnet"] as? String), try XCTUnwrap(m["bridge"] as? String))
                XCTAssertNil(mappings[ln], "\(name): localnet \(ln) mapped twice")
                mappings[ln] = br
                XCTAssertTrue(created[br] == "ovs-bridge" || unmanaged.contains(br), "\(name): mapped bridge \(br) is no OVS bridge")
            }
        }
        func checkPhysnet(_ physnet: String?, _ what: String) {
            guard let physnet else { return XCTFail("\(name): \(what) has no physicalNetworkName") }
            XCTAssertNotNil(mappings[physnet], "\(name): \(what): physical network \(physnet) has no bridge mapping")
        }
        let nodeLinks = Set(t.nics.map(\.name) + t.vlans.map(\.ifname) + t.bonds.map(\.ifname))

        var nadType: [String: String] = [:]
        for nad in kind("NetworkAttachmentDefinition") {
            let nadName = try XCTUnwrap(dig(nad, "metadata", "name") as? String)
            let cfgText = try XCTUnwrap(dig(nad, "spec", "config") as? String)
            let cfg = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cfgText.utf8)) as? [String: Any])
            let type = try XCTUnwrap(cfg["type"] as? String)
            nadType["\(t.namespace)/\(nadName)"] = type
            switch type {
            case "bridge", "ovs":
                let br = try XCTUnwrap(cfg["bridge"] as? String)
                let want = type == "bridge" ? "linux-bridge" : "ovs-bridge"
                XCTAssertTrue(created[br] == want || unmanaged.contains(br),
                              "\(name): NAD \(nadName) uses bridge \(br), which no policy creates as \(want)")
            case "macvtap":
                let res = try XCTUnwrap(dig(nad, "metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName") as? String)
                let dev = String(res.dropFirst("macvtap.network.kubevirt.io/".count))
                XCTAssertTrue(res.hasPrefix("macvtap.network.kubevirt.io/"))
                XCTAssertTrue(nodeLinks.contains(dev) || created[dev] != nil, "\(name): macvtap lower device \(dev) is not declared")
            case "sriov":
                XCTAssertNotNil(dig(nad, "metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName"))
            case "ovn-k8s-cni-overlay":
                XCTAssertEqual(cfg["netAttachDefName"] as? String, "\(t.namespace)/\(nadName)", name)
                XCTAssertNil(cfg["ipam"], "\(name): OVN NADs carry no ipam key")
                if cfg["topology"] as? String == "localnet" { checkPhysnet(cfg["physicalNetworkName"] as? String, "NAD \(nadName)") }
            default:
                XCTFail("\(name): unexpected CNI type \(type)")
            }
        }

        // a ClusterUserDefinedNetwork stands for the NAD OVN-Kubernetes renders in the selected namespace
        for cudn in kind("ClusterUserDefinedNetwork") {
            let cudnName = try XCTUnwrap(dig(cudn, "metadata", "name") as? String)
            XCTAssertEqual(dig(cudn, "spec", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") as? String, t.namespace)
            nadType["\(t.namespace)/\(cudnName)"] = "ovn-k8s-cni-overlay"
            if dig(cudn, "spec", "network", "topology") as? String == "Localnet" {
                checkPhysnet(dig(cudn, "spec", "network", "localnet", "physicalNetworkName") as? String, "ClusterUserDefinedNetwork \(cudnName)")
            }
        }

        let secrets = Dictionary(kind("Secret").compactMap { s in (dig(s, "metadata", "name") as? String).map { ($0, s) } },
                                 uniquingKeysWith: { a, _ in a })
        let hashes = t.vms.flatMap { $0.users.compactMap(\.passwordHash) }
        for (vmDoc, vm) in zip(kind("VirtualMachine"), t.vms) {
            let vmName = try XCTUnwrap(dig(vmDoc, "metadata", "name") as? String)
            XCTAssertEqual(vmName, vm.name)
            let spec = dig(vmDoc, "spec", "template", "spec")
            let ifaces = (dig(spec, "domain", "devices", "interfaces") as? [[String: Any]]) ?? []
            let nets = (dig(spec, "networks") as? [[String: Any]]) ?? []
            XCTAssertEqual(ifaces.map { $0["name"] as? String }, nets.map { $0["name"] as? String },
                           "\(name)/\(vmName): interfaces and networks pair up by name")
            let volumes = (dig(spec, "volumes") as? [[String: Any]]) ?? []
            // every disk has its volume, every DataVolume volume its template, exactly one disk boots first
            let disks = (dig(spec, "domain", "devices", "disks") as? [[String: Any]]) ?? []
            XCTAssertEqual(disks.map { $0["name"] as? String }, volumes.map { $0["name"] as? String }, "\(name)/\(vmName)")
            let templates = ((dig(vmDoc, "spec", "dataVolumeTemplates") as? [[String: Any]]) ?? []).compactMap { dig($0, "metadata", "name") as? String }
            XCTAssertEqual(volumes.compactMap { dig($0, "dataVolume", "name") as? String }, templates, "\(name)/\(vmName)")
            XCTAssertLessThanOrEqual(disks.filter { $0["bootOrder"] != nil }.count, 1, "\(name)/\(vmName)")
            XCTAssertEqual(vm.disks.count + (vm.image == nil ? 1 : 2), disks.count, "\(name)/\(vmName)")
            let cloudInit = try XCTUnwrap(volumes.first { $0["name"] as? String == "cloudinitdisk" }, "\(name)/\(vmName): no cloud-init volume")
            let secretName = try XCTUnwrap(dig(cloudInit, "cloudInitNoCloud", "networkDataSecretRef", "name") as? String)
            let secret = try XCTUnwrap(secrets[secretName], "\(name)/\(vmName): Secret \(secretName) missing")
            let netData = try XCTUnwrap(try Yams.load(yaml: decodeBase64(dig(secret, "data", "networkdata")) ?? "") as? [String: Any])
            for (iface, net) in zip(ifaces, nets) {
                let nicName = try XCTUnwrap(iface["name"] as? String)
                // Binding fits the NAD type.
                if net["pod"] != nil {
                    XCTAssertTrue(iface["masquerade"] != nil || iface["passtBinding"] != nil, "\(name)/\(vmName)/\(nicName): pod NIC is masquerade or passt")
                } else {
                    let ref = try XCTUnwrap(dig(net, "multus", "networkName") as? String)
                    if let type = nadType[ref] {
                        switch type {
                        case "bridge", "ovs", "ovn-k8s-cni-overlay": XCTAssertNotNil(iface["bridge"], "\(name)/\(vmName)/\(nicName)")
                        case "macvtap": XCTAssertEqual(dig(iface, "binding", "name") as? String, "macvtap")
                        case "sriov": XCTAssertNotNil(iface["sriov"], "\(name)/\(vmName)/\(nicName)")
                        default: XCTFail("\(type)")
                        }
                    } else {
                        XCTAssertTrue(t.networks.contains { $0.existingNAD != nil }, "\(name): \(ref) is neither emitted nor existing")
                    }
                }
                // MAC in the VM = MAC that networkData matches on.
                XCTAssertEqual(iface["macAddress"] as? String, dig(netData, "ethernets", nicName, "match", "macaddress") as? String,
                               "\(name)/\(vmName)/\(nicName)")
                // Static address = the IR's, inside the network's subnet.
                let irNic = try XCTUnwrap(vm.nics.first { $0.name == nicName })
                if case .static(let a) = irNic.address {
                    XCTAssertEqual(dig(netData, "ethernets", nicName, "addresses", 0) as? String, a.description)
                    if let subnet = t.networks.first(where: { $0.name == irNic.network })?.subnet {
                        XCTAssertTrue(subnet.contains(a.address), "\(name)/\(vmName)/\(nicName): \(a) outside \(subnet)")
                    }
                    // dual-stack: the IPv6 address second, inside the IPv6 subnet
                    if let a6 = irNic.address6 {
                        XCTAssertEqual(dig(netData, "ethernets", nicName, "addresses", 1) as? String, a6.description)
                        let subnet6 = t.networks.first(where: { $0.name == irNic.network })?.subnet6
                        XCTAssertTrue(subnet6?.contains(a6.address) ?? false, "\(name)/\(vmName)/\(nicName): \(a6) outside \(String(describing: subnet6))")
                    }
                } else if irNic.network == nil && t.dualStack == true && irNic.binding == .masquerade {
                    // a dual-stack cluster: the masquerade pod NIC's IPv6 is static (KubeVirt runs no DHCPv6 there)
                    XCTAssertEqual(dig(netData, "ethernets", nicName, "addresses", 0) as? String, "fd10:0:2::2/120")
                } else {
                    XCTAssertNil(dig(netData, "ethernets", nicName, "addresses"))
                }
            }
            let vmText = YAMLOutput.document(objs.first { $0.kind == "VirtualMachine" && $0.name == vmName }!)
            for h in hashes { XCTAssertFalse(vmText.contains(h), "\(name)/\(vmName): a password hash inside the VM") }
        }
    }
}

func valueString(_ v: KubeValue?) -> String? {
    if case .string(let s)? = v { return s }
    return nil
}
