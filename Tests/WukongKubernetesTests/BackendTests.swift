import Foundation
import XCTest
import Yams
import WukongIR
import WukongNet
@testable import WukongKubernetes

/// Parsed output helpers: the objects as plain dictionaries, read back with Yams.
func parsed(_ objects: [KubeObject]) throws -> [[String: Any]] {
    try Yams.load_all(yaml: YAMLOutput.stream(objects)).map { try XCTUnwrap($0 as? [String: Any]) }
}

func dig(_ v: Any?, _ path: Any...) -> Any? {
    var cur = v
    for p in path {
        if let k = p as? String { cur = (cur as? [String: Any])?[k] }
        else if let i = p as? Int { let a = cur as? [Any]; cur = a.flatMap { i < $0.count ? $0[i] : nil } }
    }
    return cur
}

func decodeBase64(_ s: Any?) -> String? {
    guard let s = s as? String, let d = Data(base64Encoded: s) else { return nil }
    return String(decoding: d, as: UTF8.self)
}

final class BackendTests: XCTestCase {
    func testObjectOrderAndNames() {
        let objs = KubernetesBackend.objects(for: Fixtures.datacenter())
        XCTAssertEqual(objs.map { "\($0.kind)/\($0.name)" }, [
            "Namespace/lab",
            "Secret/web-cloudinit", "Secret/db-cloudinit",
            "NodeNetworkConfigurationPolicy/dc-br-external-worker-1",
            "NodeNetworkConfigurationPolicy/dc-br-external-worker-2",
            "NodeNetworkConfigurationPolicy/dc-br-mgmt-worker-1",
            "NodeNetworkConfigurationPolicy/dc-br-ovs",
            "NetworkAttachmentDefinition/external", "NetworkAttachmentDefinition/storage",
            "NetworkAttachmentDefinition/fast", "NetworkAttachmentDefinition/direct", "NetworkAttachmentDefinition/dyn",
            "NetworkAttachmentDefinition/outside",
            "NetworkAttachmentDefinition/web-mgmt-nad", "NetworkAttachmentDefinition/web-legacy-nad",
            "VirtualMachine/web", "VirtualMachine/db",
        ])
        for o in objs {
            let clusterScoped = o.kind == "Namespace" || o.kind == "NodeNetworkConfigurationPolicy"
            XCTAssertEqual(o.namespace, clusterScoped ? nil : "lab", o.name)
            XCTAssertEqual(o.body["metadata"]?["namespace"], clusterScoped ? nil : .string("lab"))
            XCTAssertEqual(o.body["metadata"]?["name"], .string(o.name))
            guard case .map(let top) = o.body else { return XCTFail() }
            XCTAssertEqual(top.prefix(3).map(\.key), ["apiVersion", "kind", "metadata"])
        }
        let noNamespace = KubernetesBackend.objects(for: Fixtures.lab())
        XCTAssertFalse(noNamespace.contains { $0.kind == "Namespace" })
    }

    func testLabelsOnEveryObjectAndVMLabelsMerged() throws {
        let docs = try parsed(KubernetesBackend.objects(for: Fixtures.datacenter()))
        for d in docs {
            let labels = try XCTUnwrap(dig(d, "metadata", "labels") as? [String: String])
            XCTAssertEqual(labels["app.kubernetes.io/managed-by"], "wukongc")
            XCTAssertEqual(labels["wukong.dev/topology"], "dc")
        }
        let web = try XCTUnwrap(docs.first { $0["kind"] as? String == "VirtualMachine" })
        let expected = ["app.kubernetes.io/managed-by": "wukongc", "wukong.dev/topology": "dc", "team": "frontend", "tier": "web"]
        XCTAssertEqual(dig(web, "metadata", "labels") as? [String: String], expected)
        XCTAssertEqual(dig(web, "spec", "template", "metadata", "labels") as? [String: String], expected)
        // The VM's `team` replaces the topology's in place: key order is topology order.
        let obj = KubernetesBackend.objects(for: Fixtures.datacenter()).first { $0.name == "web" && $0.kind == "VirtualMachine" }!
        guard case .map(let l)? = obj.body["metadata"]?["labels"] else { return XCTFail() }
        XCTAssertEqual(l.map(\.key), ["app.kubernetes.io/managed-by", "wukong.dev/topology", "team", "tier"])
    }

    func testSecretCarriesBase64CloudInit() throws {
        let docs = try parsed(KubernetesBackend.objects(for: Fixtures.lab()))
        let secret = try XCTUnwrap(docs.first { $0["kind"] as? String == "Secret" })
        XCTAssertEqual(secret["type"] as? String, "Opaque")
        XCTAssertEqual((secret["data"] as? [String: Any]).map { Set($0.keys) }, ["userdata", "networkdata"])
        let user = try XCTUnwrap(decodeBase64(dig(secret, "data", "userdata")))
        XCTAssertEqual(user, """
            #cloud-config
            users:
            - name: ubuntu
              passwd: $6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1
              lock_passwd: false
              sudo: ALL=(ALL) NOPASSWD:ALL
              groups:
              - sudo
              - adm

            """)
        let net = try XCTUnwrap(decodeBase64(dig(secret, "data", "networkdata")))
        XCTAssertEqual(net, """
            version: 2
            ethernets:
              default:
                match:
                  macaddress: "0e:11:22:33:44:01"
                dhcp4: true
                dhcp4-overrides:
                  route-metric: 150
              ext:
                match:
                  macaddress: "0e:11:22:33:44:02"
                addresses:
                - "192.168.0.200/24"
                routes:
                - to: "0.0.0.0/0"
                  via: "192.168.0.1"
                  metric: 50
                nameservers:
                  addresses:
                  - "192.168.0.1"
                  - "8.8.8.8"
              mgmt:
                match:
                  macaddress: "0e:11:22:33:44:03"
                addresses:
                - "192.168.100.2/24"

            """)
    }

    func testNetworkDataDetails() throws {
        let t = Fixtures.datacenter()
        let web = t.vms[0]
        let nd = YAMLOutput.document(CloudInit.networkData(web, networks: { n in t.networks.first { $0.name == n } }))
        let d = try XCTUnwrap(try Yams.load(yaml: nd) as? [String: Any])
        XCTAssertEqual(dig(d, "ethernets", "ext", "set-name") as? String, "ext0")
        XCTAssertNil(dig(d, "ethernets", "mgmt", "set-name"))
        // Default route with the NIC's metric, then the network's routes with the NIC's metric.
        XCTAssertEqual(dig(d, "ethernets", "ext", "routes") as? [[String: AnyHashable]], [
            ["to": "0.0.0.0/0", "via": "10.2.0.1", "metric": 20],
            ["to": "10.10.0.0/16", "via": "10.2.0.254", "metric": 20],
        ])
        XCTAssertEqual(dig(d, "ethernets", "ext", "nameservers", "search") as? [String], ["lab.local"])
        // The pod NIC's DHCP route sits 100 above the declared default route.
        XCTAssertEqual(dig(d, "ethernets", "default", "dhcp4-overrides", "route-metric") as? Int, 120)
        // A NIC without the default route gets no default route.
        XCTAssertNil(dig(d, "ethernets", "mgmt", "routes"))
        // The db VM: a DHCP NIC on a network without the default route is demoted too.
        let db = YAMLOutput.document(CloudInit.networkData(t.vms[1], networks: { n in t.networks.first { $0.name == n } }))
        let dd = try XCTUnwrap(try Yams.load(yaml: db) as? [String: Any])
        XCTAssertEqual(dig(dd, "ethernets", "dyn", "dhcp4") as? Bool, true)
        XCTAssertEqual(dig(dd, "ethernets", "dyn", "dhcp4-overrides", "route-metric") as? Int, 150)
        XCTAssertEqual(dig(dd, "ethernets", "direct", "routes", 0, "metric") as? Int, 50)
    }

    /// LANGUAGE.md §7 v2: a pod NIC whose VM's default route leaves by another NIC gets routes to
    /// the cluster's CIDRs (IPv4 only: masquerade's gateway is 10.0.2.1) and, on netplan guests
    /// only, source-policy routing; DHCP NICs on bridges with their own `dns` ignore DHCP's DNS;
    /// nameservers of a family the NIC has no address of are left out.
    func testPodReplyPathAndNameservers() throws {
        var t = Fixtures.lab()
        t.clusterCIDRs = [Fixtures.cidr("10.96.0.0/12"), Fixtures.cidr("10.244.0.0/16"), Fixtures.cidr("fd00:10:96::/112")]
        t.networks[0].dns = [Fixtures.ip("192.168.0.1"), Fixtures.ip("fd00::53"), Fixtures.ip("8.8.8.8")]
        t.vms[0].nics[2].address = .dhcp   // mgmt: macvtap, not bridged: no use-dns override
        func networkData(_ vm: VM) throws -> [String: Any] {
            let text = YAMLOutput.document(CloudInit.networkData(vm, networks: { n in t.networks.first { $0.name == n } },
                                                                 clusterCIDRs: t.clusterCIDRs))
            return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        }
        var vm = t.vms[0]
        vm.networkConfig = .netplan
        var d = try networkData(vm)
        XCTAssertEqual(dig(d, "ethernets", "default", "routes") as? [[String: AnyHashable]], [
            ["to": "10.96.0.0/12", "via": "10.0.2.1"],
            ["to": "10.244.0.0/16", "via": "10.0.2.1"],
            ["to": "0.0.0.0/0", "via": "10.0.2.1", "table": 100],
        ])
        XCTAssertEqual(dig(d, "ethernets", "default", "routing-policy") as? [[String: AnyHashable]],
                       [["from": "10.0.2.2/32", "table": 100]])
        XCTAssertEqual(dig(d, "ethernets", "ext", "nameservers", "addresses") as? [String], ["192.168.0.1", "8.8.8.8"])
        XCTAssertNil(dig(d, "ethernets", "mgmt", "dhcp4-overrides", "use-dns"))

        // passt: the guest has the pod's own address and gateway; no masquerade routes or policy,
        // the learned default route still demoted.
        var passt = vm
        passt.nics[0].binding = .passt
        let pd = try networkData(passt)
        XCTAssertNil(dig(pd, "ethernets", "default", "routes"))
        XCTAssertNil(dig(pd, "ethernets", "default", "routing-policy"))
        XCTAssertEqual(dig(pd, "ethernets", "default", "dhcp4") as? Bool, true)
        XCTAssertNotNil(dig(pd, "ethernets", "default", "dhcp4-overrides", "route-metric"))

        vm.networkConfig = .cloudInit
        d = try networkData(vm)
        XCTAssertEqual((dig(d, "ethernets", "default", "routes") as? [Any])?.count, 2, "no table route for cloud-init's renderers")
        XCTAssertNil(dig(d, "ethernets", "default", "routing-policy"))

        // The pod NIC keeps the default route: nothing added to it.
        vm.nics[0].defaultRoute = true
        vm.nics[1].defaultRoute = false
        vm.networkConfig = .netplan
        d = try networkData(vm)
        XCTAssertNil(dig(d, "ethernets", "default", "routes"))
        XCTAssertNil(dig(d, "ethernets", "default", "routing-policy"))

        // A DHCP NIC on a bridge whose network declares dns: DHCP's (cluster) DNS is ignored.
        vm.nics[1].address = .dhcp
        d = try networkData(vm)
        XCTAssertEqual(dig(d, "ethernets", "ext", "dhcp4-overrides", "use-dns") as? Bool, false)
        XCTAssertEqual(dig(d, "ethernets", "ext", "nameservers", "addresses") as? [String], ["192.168.0.1", "8.8.8.8"])
    }

    /// LANGUAGE.md §7 v2: `evictionStrategy` in the VM template when the IR carries one.
    func testEvictionStrategy() throws {
        var t = Fixtures.lab()
        t.vms[0].evictionStrategy = "None"
        let objs = try parsed(KubernetesBackend.objects(for: t))
        let vm = try XCTUnwrap(objs.first { $0["kind"] as? String == "VirtualMachine" })
        XCTAssertEqual(dig(vm, "spec", "template", "spec", "evictionStrategy") as? String, "None")
        t.vms[0].evictionStrategy = nil
        let plain = try parsed(KubernetesBackend.objects(for: t))
        XCTAssertNil(dig(plain.first { $0["kind"] as? String == "VirtualMachine" }, "spec", "template", "spec", "evictionStrategy"))
    }

    func testUserDataMergesCloudConfigKeepingItsStyles() throws {
        let vm = Fixtures.datacenter().vms[0]
        let text = CloudInit.userData(vm)
        XCTAssertFalse(text.contains("!!"), "no tags appear on the user's keys:\n\(text)")
        XCTAssertTrue(text.hasPrefix("#cloud-config\n"))
        let d = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        let keys = Array(try XCTUnwrap(try Yams.compose(yaml: text)?.mapping).keys.compactMap(\.string))
        XCTAssertEqual(keys, ["users", "runcmd", "packages", "write_files", "ssh_pwauth"])
        XCTAssertEqual(d["runcmd"] as? [String], ["systemctl enable --now nginx", "echo 'done: yes' > /tmp/state"])
        XCTAssertEqual(dig(d, "write_files", 0, "content") as? String, "hello\nworld\n")
        // The user's quoted '0644' stays a string, the plain `no` stays a boolean.
        XCTAssertEqual(dig(d, "write_files", 0, "permissions") as? String, "0644")
        XCTAssertEqual(d["ssh_pwauth"] as? Bool, false)
        XCTAssertEqual(dig(d, "users", 0, "ssh_authorized_keys") as? [String], vm.users[0].sshKeys)
        XCTAssertEqual(dig(d, "users", 0, "shell") as? String, "/bin/bash")
        XCTAssertFalse(text.contains("- default"), "the image's default user is not kept")
        XCTAssertTrue(text.hasSuffix("ssh_pwauth: no\n"), text)
        XCTAssertTrue(text.contains("packages: [nginx]\n"), "the user's flow style is kept:\n\(text)")
    }

    func testCloudConfigThatIsNotAMappingAddsNothing() throws {
        var vm = Fixtures.lab().vms[0]
        vm.users = []
        for bad in ["- a\n- b\n", "just text", "a: 1\nb: [\n", ""] {
            vm.cloudConfig = bad
            XCTAssertEqual(CloudInit.userData(vm), "#cloud-config\n{}\n", bad)
        }
        vm.cloudConfig = "a: &x {k: 1}\nb: *x\nc: !!str 12\n"
        let d = try XCTUnwrap(try Yams.load(yaml: CloudInit.userData(vm)) as? [String: Any])
        XCTAssertEqual(dig(d, "b", "k") as? Int, 1)
        XCTAssertEqual(d["c"] as? String, "12")
    }

    func testUserDataWithoutUsersIsAnEmptyMapping() {
        var vm = Fixtures.lab().vms[0]
        vm.users = []
        XCTAssertEqual(CloudInit.userData(vm), "#cloud-config\n{}\n")
        vm.users = [User(name: "ops")]
        XCTAssertEqual(CloudInit.userData(vm), "#cloud-config\nusers:\n- name: ops\n", "no hash: no passwd, lock_passwd default")
    }

    func testPolicies() throws {
        let docs = try parsed(KubernetesBackend.objects(for: Fixtures.datacenter()))
        let nncp = docs.filter { $0["kind"] as? String == "NodeNetworkConfigurationPolicy" }
        XCTAssertEqual(nncp.count, 4)
        // worker-1: static node address moved from ens192 to the bridge, with route and DNS.
        let w1 = nncp[0]
        XCTAssertEqual(dig(w1, "spec", "nodeSelector") as? [String: String], ["kubernetes.io/hostname": "worker-1.lab"])
        let ifs = try XCTUnwrap(dig(w1, "spec", "desiredState", "interfaces") as? [[String: Any]])
        XCTAssertEqual(ifs.map { $0["name"] as? String }, ["ens192", "br-external"])
        XCTAssertEqual(ifs[0]["type"] as? String, "ethernet")
        XCTAssertEqual(dig(ifs[0], "ipv4", "enabled") as? Bool, false)
        XCTAssertEqual(ifs[0]["mtu"] as? Int, 1500)
        XCTAssertEqual(ifs[1]["type"] as? String, "linux-bridge")
        XCTAssertEqual(ifs[1]["state"] as? String, "up")
        XCTAssertEqual(dig(ifs[1], "ipv4", "enabled") as? Bool, true)
        XCTAssertEqual(dig(ifs[1], "ipv4", "address", 0, "ip") as? String, "10.1.0.21")
        XCTAssertEqual(dig(ifs[1], "ipv4", "address", 0, "prefix-length") as? Int, 24)
        XCTAssertEqual(dig(ifs[1], "bridge", "options", "stp", "enabled") as? Bool, true)
        XCTAssertEqual(dig(ifs[1], "bridge", "port", 0, "name") as? String, "ens192")
        XCTAssertEqual(dig(w1, "spec", "desiredState", "routes", "config") as? [[String: String]], [
            ["destination": "0.0.0.0/0", "next-hop-address": "10.1.0.1", "next-hop-interface": "br-external"]])
        XCTAssertEqual(dig(w1, "spec", "desiredState", "dns-resolver", "config", "server") as? [String], ["10.1.0.1", "1.1.1.1"])
        // worker-2: DHCP on the bridge, keeping the NIC's MAC.
        let w2ifs = try XCTUnwrap(dig(nncp[1], "spec", "desiredState", "interfaces") as? [[String: Any]])
        XCTAssertEqual(w2ifs[1]["copy-mac-from"] as? String, "ens192")
        XCTAssertEqual(dig(w2ifs[1], "ipv4", "dhcp") as? Bool, true)
        XCTAssertNil(dig(nncp[1], "spec", "desiredState", "routes"))
        // VLAN + bridge.
        let mg = try XCTUnwrap(dig(nncp[2], "spec", "desiredState", "interfaces") as? [[String: Any]])
        XCTAssertEqual(mg[0]["name"] as? String, "ens160.100")
        XCTAssertEqual(dig(mg[0], "vlan", "base-iface") as? String, "ens160")
        XCTAssertEqual(dig(mg[0], "vlan", "id") as? Int, 100)
        XCTAssertEqual(dig(mg[0], "ipv4", "enabled") as? Bool, false)
        XCTAssertEqual(dig(mg[1], "ipv4", "enabled") as? Bool, false)
        // Bond + OVS bridge, topology node selector.
        XCTAssertEqual(dig(nncp[3], "spec", "nodeSelector") as? [String: String], ["node-role.kubernetes.io/worker": ""])
        let ovs = try XCTUnwrap(dig(nncp[3], "spec", "desiredState", "interfaces") as? [[String: Any]])
        XCTAssertEqual(ovs[0]["type"] as? String, "bond")
        XCTAssertEqual(ovs[0]["mtu"] as? Int, 9000)
        XCTAssertEqual(dig(ovs[0], "link-aggregation", "mode") as? String, "active-backup")
        XCTAssertEqual(dig(ovs[0], "link-aggregation", "port") as? [String], ["ens161", "ens162"])
        XCTAssertEqual(ovs[1]["type"] as? String, "ovs-bridge")
        XCTAssertEqual(dig(ovs[1], "bridge", "options", "stp") as? Bool, false)
        XCTAssertEqual(dig(ovs[1], "bridge", "port", 0, "name") as? String, "bond0")
        // Every interface of every policy has an explicit ipv4 block.
        for p in nncp {
            for i in (dig(p, "spec", "desiredState", "interfaces") as? [[String: Any]]) ?? [] {
                XCTAssertNotNil(i["ipv4"], "\(i)")
            }
        }
        XCTAssertNil(dig(nncp[0], "metadata", "namespace"))
    }

    func testOVSBridgeTakingOverANodeAddressUsesAnInternalPort() throws {
        var t = Fixtures.datacenter()
        t.bridges[2].nodeAddresses = [BridgeNodeAddress(host: nil, fromNic: "ens163", fromIfname: "ens163",
                                                        address: Fixtures.ifaddr("10.9.0.5/24"), dhcp: false,
                                                        gateway: nil, dns: [])]
        let docs = try parsed(KubernetesBackend.objects(for: t))
        let p = try XCTUnwrap(docs.first { dig($0, "metadata", "name") as? String == "dc-br-ovs" })
        let ifs = try XCTUnwrap(dig(p, "spec", "desiredState", "interfaces") as? [[String: Any]])
        let port = try XCTUnwrap(ifs.first { $0["type"] as? String == "ovs-interface" })
        XCTAssertEqual(port["name"] as? String, "br-ovs")
        XCTAssertEqual(dig(port, "ipv4", "address", 0, "ip") as? String, "10.9.0.5")
        let bridge = try XCTUnwrap(ifs.first { $0["type"] as? String == "ovs-bridge" })
        XCTAssertEqual((dig(bridge, "bridge", "port") as? [[String: Any]])?.map { $0["name"] as? String }, ["bond0", "br-ovs"])
    }

    func cniConfig(_ docs: [[String: Any]], _ name: String) throws -> [String: Any] {
        let nad = try XCTUnwrap(docs.first { $0["kind"] as? String == "NetworkAttachmentDefinition" && dig($0, "metadata", "name") as? String == name })
        let text = try XCTUnwrap(dig(nad, "spec", "config") as? String)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testNetworkAttachmentDefinitions() throws {
        let objs = KubernetesBackend.objects(for: Fixtures.datacenter())
        let docs = try parsed(objs)
        let ext = try cniConfig(docs, "external")
        XCTAssertEqual(ext["cniVersion"] as? String, "0.3.1")
        XCTAssertEqual(ext["name"] as? String, "external")
        XCTAssertEqual(ext["type"] as? String, "bridge")
        XCTAssertEqual(ext["bridge"] as? String, "br-external")
        XCTAssertEqual(ext["vlan"] as? Int, 200)
        XCTAssertEqual(ext["mtu"] as? Int, 1500)
        XCTAssertEqual((ext["ipam"] as? [String: Any])?.isEmpty, true)
        // Stable key order in the JSON text.
        let extText = objs.first { $0.name == "external" }!.body["spec"]?["config"]
        XCTAssertEqual(extText, .string(#"{"cniVersion":"0.3.1","name":"external","type":"bridge","bridge":"br-external","vlan":200,"mtu":1500,"ipam":{}}"#))

        let ovs = try cniConfig(docs, "storage")
        XCTAssertEqual(ovs["type"] as? String, "ovs")
        XCTAssertEqual(ovs["bridge"] as? String, "br-ovs")
        XCTAssertEqual(ovs["vlan"] as? Int, 300)

        let sriov = try cniConfig(docs, "fast")
        XCTAssertEqual(sriov["type"] as? String, "sriov")
        XCTAssertEqual(sriov["vlan"] as? Int, 400)
        let fastNAD = docs.first { dig($0, "metadata", "name") as? String == "fast" }
        XCTAssertEqual(dig(fastNAD, "metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName") as? String, "intel.com/sriov_netdevice")

        let mv = try cniConfig(docs, "direct")
        XCTAssertEqual(mv["type"] as? String, "macvtap")
        let mvNAD = docs.first { dig($0, "metadata", "name") as? String == "direct" }
        XCTAssertEqual(dig(mvNAD, "metadata", "annotations", "k8s.v1.cni.cncf.io/resourceName") as? String,
                       "macvtap.network.kubevirt.io/ens160")

        XCTAssertEqual(dig(try cniConfig(docs, "dyn"), "ipam", "type") as? String, "dhcp")

        let st = try cniConfig(docs, "web-mgmt-nad")
        XCTAssertEqual(st["name"] as? String, "web-mgmt-nad")
        XCTAssertEqual(dig(st, "ipam", "type") as? String, "static")
        XCTAssertEqual(dig(st, "ipam", "addresses", 0, "address") as? String, "192.168.100.10/24")
        XCTAssertEqual(dig(st, "ipam", "addresses", 0, "gateway") as? String, "192.168.100.1")
        XCTAssertEqual(dig(st, "ipam", "routes", 0, "dst") as? String, "0.0.0.0/0")
        XCTAssertEqual(dig(st, "ipam", "dns", "nameservers") as? [String], ["192.168.100.1"])

        let hl = try cniConfig(docs, "web-legacy-nad")
        XCTAssertEqual(dig(hl, "ipam", "type") as? String, "host-local")
        XCTAssertEqual(dig(hl, "ipam", "ranges", 0, 0) as? [String: String], [
            "subnet": "192.168.101.0/24", "rangeStart": "192.168.101.10", "rangeEnd": "192.168.101.10",
            "gateway": "192.168.101.1"])
    }

    func testWhereaboutsIPAM() throws {
        var t = Fixtures.lab()
        t.networks[0].ipam = .whereabouts
        t.networks[0].poolFirst = Fixtures.ip("192.168.0.100")
        t.networks[0].poolLast = Fixtures.ip("192.168.0.199")
        t.networks[0].routes = [Route(to: Fixtures.cidr("10.0.0.0/8"), via: Fixtures.ip("192.168.0.254"))]
        let cfg = try cniConfig(try parsed(KubernetesBackend.objects(for: t)), "external")
        XCTAssertEqual(dig(cfg, "ipam", "type") as? String, "whereabouts")
        XCTAssertEqual(dig(cfg, "ipam", "range") as? String, "192.168.0.0/24")
        XCTAssertEqual(dig(cfg, "ipam", "range_start") as? String, "192.168.0.100")
        XCTAssertEqual(dig(cfg, "ipam", "range_end") as? String, "192.168.0.199")
        XCTAssertEqual(dig(cfg, "ipam", "gateway") as? String, "192.168.0.1")
        XCTAssertNil(dig(cfg, "ipam", "exclude"), "gateway outside the pool needs no exclusion")
        XCTAssertEqual(dig(cfg, "ipam", "routes", 1, "dst") as? String, "10.0.0.0/8")
        t.networks[0].poolFirst = nil
        t.networks[0].poolLast = nil
        let all = try cniConfig(try parsed(KubernetesBackend.objects(for: t)), "external")
        XCTAssertEqual(dig(all, "ipam", "exclude") as? [String], ["192.168.0.1/32"])
    }

    func testVirtualMachine() throws {
        let docs = try parsed(KubernetesBackend.objects(for: Fixtures.datacenter()))
        let vms = docs.filter { $0["kind"] as? String == "VirtualMachine" }
        let web = vms[0], db = vms[1]
        XCTAssertEqual(dig(web, "spec", "runStrategy") as? String, "Always")
        XCTAssertEqual(dig(db, "spec", "runStrategy") as? String, "Halted")
        let spec = try XCTUnwrap(dig(web, "spec", "template", "spec") as? [String: Any])
        XCTAssertEqual(dig(spec, "domain", "firmware", "uuid") as? String, Hash.uuidV5URL("wukong://lab/web"))
        XCTAssertEqual(dig(spec, "domain", "cpu", "cores") as? Int, 2)
        XCTAssertEqual(dig(spec, "domain", "memory", "guest") as? String, "2Gi")
        XCTAssertEqual(dig(spec, "domain", "resources", "requests", "memory") as? String, "2Gi")
        XCTAssertNil(dig(spec, "domain", "devices", "autoattachPodInterface"))
        let ifaces = try XCTUnwrap(dig(spec, "domain", "devices", "interfaces") as? [[String: Any]])
        XCTAssertEqual(ifaces.map { $0["name"] as? String }, ["default", "ext", "mgmt", "old"])
        XCTAssertNotNil(ifaces[0]["masquerade"])
        XCTAssertNotNil(ifaces[1]["bridge"])
        XCTAssertEqual(ifaces[1]["macAddress"] as? String, "0e:aa:00:00:00:02")
        let nets = try XCTUnwrap(spec["networks"] as? [[String: Any]])
        XCTAssertNotNil(nets[0]["pod"])
        XCTAssertEqual(dig(nets[2], "multus", "networkName") as? String, "lab/web-mgmt-nad")
        XCTAssertEqual(dig(spec, "volumes", 0, "containerDisk", "image") as? String, "quay.io/containerdisks/fedora:40")
        XCTAssertEqual(dig(spec, "volumes", 1, "cloudInitNoCloud", "secretRef", "name") as? String, "web-cloudinit")
        XCTAssertEqual(dig(spec, "volumes", 1, "cloudInitNoCloud", "networkDataSecretRef", "name") as? String, "web-cloudinit")
        XCTAssertEqual((dig(spec, "domain", "devices", "disks") as? [[String: Any]])?.map { $0["name"] as? String },
                       ["containerdisk", "cloudinitdisk"])
        // Placement: topology selector + affinity for web, selector + hostname for the pinned db.
        XCTAssertEqual(spec["nodeSelector"] as? [String: String], ["node-role.kubernetes.io/worker": ""])
        let term = dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                       "nodeSelectorTerms", 0, "matchExpressions", 0)
        XCTAssertEqual(dig(term, "key") as? String, "kubernetes.io/hostname")
        XCTAssertEqual(dig(term, "operator") as? String, "In")
        XCTAssertEqual(dig(term, "values") as? [String], ["worker-1.lab"])
        let dbSpec = try XCTUnwrap(dig(db, "spec", "template", "spec") as? [String: Any])
        XCTAssertEqual(dbSpec["nodeSelector"] as? [String: String],
                       ["node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": "worker-1.lab"])
        XCTAssertNil(dbSpec["affinity"])
        XCTAssertEqual(dig(dbSpec, "domain", "devices", "autoattachPodInterface") as? Bool, false)
        let dbIfaces = try XCTUnwrap(dig(dbSpec, "domain", "devices", "interfaces") as? [[String: Any]])
        XCTAssertNotNil(dbIfaces[1]["sriov"])
        XCTAssertEqual(dig(dbIfaces[2], "binding", "name") as? String, "macvtap")
    }

    func testDeterministic() {
        let a = YAMLOutput.stream(KubernetesBackend.objects(for: Fixtures.datacenter()))
        let b = YAMLOutput.stream(KubernetesBackend.objects(for: Fixtures.datacenter()))
        XCTAssertEqual(a, b)
        XCTAssertEqual(JSONOutput.stream(KubernetesBackend.objects(for: Fixtures.datacenter())),
                       JSONOutput.stream(KubernetesBackend.objects(for: Fixtures.datacenter())))
    }

    func testNoPasswordHashInsideVirtualMachines() {
        for o in KubernetesBackend.objects(for: Fixtures.datacenter()) where o.kind == "VirtualMachine" {
            XCTAssertFalse(YAMLOutput.document(o).contains("$6$"))
        }
    }
}
