import Foundation
import XCTest
import WukongCompiler
import WukongIR
import WukongNet
@testable import WukongKubernetes

/// Placement and lifecycle attributes of a `vm` (docs/vm-reference.md) as they land in the
/// VirtualMachine: source → IR → objects.
final class PlacementTests: XCTestCase {
    static let source = """
        topology t { node_selector = { pool = "vms" } }
        host worker-1 { nic ens192 }
        bridge br1 { ports = [ens192], hosts = [worker-1] }
        network n1 { bridge = br1 }
        vm secure { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", node_selector = { disktype = "ssd", pool = "vms" }
          run_strategy = "RerunOnFailure"
          tolerations = [{ key = "gpu", operator = "Exists", effect = "NoSchedule" },
                         { key = "maint", value = "yes", effect = "NoExecute", toleration_seconds = 300 }]
          firmware = "efi-secure"
          nic a on n1 { model = "e1000e" }
        }
        vm plain-efi { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", firmware = "efi", running = false, host = worker-1
          node_selector = { "kubernetes.io/hostname" = "worker-1" }
          nic a on pod
        }
        for i in 1..=2 {
          vm "web-${i}" { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", spread = "host"
            nic a on pod
          }
        }
        vm db { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", spread = "host-required", spread_group = "data"
          nic a on n1
        }
        vm legacy { cpu = 1, memory = 1Gi, image = "quay.io/x/y:1", firmware = "bios", eviction = "live-migrate"
          nic a on pod { model = "virtio" }
        }
        """

    func virtualMachines() throws -> [String: [String: Any]] {
        let c = Driver.compile(files: [InputFile(path: "t.wk", text: Self.source)], defaultName: "t")
        let t = try XCTUnwrap(c.topology, "\(c.diagnostics.map(\.message))")
        var out: [String: [String: Any]] = [:]
        for o in try parsed(KubernetesBackend.objects(for: t)) where o["kind"] as? String == "VirtualMachine" {
            out[try XCTUnwrap(dig(o, "metadata", "name") as? String)] = o
        }
        return out
    }

    func testRunStrategyAndRunningShorthand() throws {
        let vms = try virtualMachines()
        XCTAssertEqual(dig(vms["secure"], "spec", "runStrategy") as? String, "RerunOnFailure")
        XCTAssertEqual(dig(vms["plain-efi"], "spec", "runStrategy") as? String, "Halted")
        XCTAssertEqual(dig(vms["legacy"], "spec", "runStrategy") as? String, "Always")
    }

    func testNodeSelectorMergedWithTheTopologys() throws {
        let vms = try virtualMachines()
        let secure = try XCTUnwrap(dig(vms["secure"], "spec", "template", "spec", "nodeSelector") as? [String: String])
        XCTAssertEqual(secure, ["pool": "vms", "disktype": "ssd"])
        // the bridge still restricts the VM to its hosts
        XCTAssertNotNil(dig(vms["secure"], "spec", "template", "spec", "affinity", "nodeAffinity"))
        let pinned = try XCTUnwrap(dig(vms["plain-efi"], "spec", "template", "spec", "nodeSelector") as? [String: String])
        XCTAssertEqual(pinned, ["pool": "vms", "kubernetes.io/hostname": "worker-1"])
        let legacy = try XCTUnwrap(dig(vms["legacy"], "spec", "template", "spec", "nodeSelector") as? [String: String])
        XCTAssertEqual(legacy, ["pool": "vms"])
    }

    func testFirmware() throws {
        let vms = try virtualMachines()
        let domain = { (name: String) in dig(vms[name], "spec", "template", "spec", "domain") }
        XCTAssertEqual(dig(domain("secure"), "firmware", "bootloader", "efi", "secureBoot") as? Bool, true)
        XCTAssertEqual(dig(domain("secure"), "features", "smm", "enabled") as? Bool, true, "secure boot needs SMM")
        XCTAssertEqual(dig(domain("plain-efi"), "firmware", "bootloader", "efi", "secureBoot") as? Bool, false)
        XCTAssertNil(dig(domain("plain-efi"), "features"))
        XCTAssertNotNil(dig(domain("legacy"), "firmware", "bootloader", "bios"), "written bios is explicit")
        XCTAssertNil(dig(domain("web-1"), "firmware", "bootloader"), "no firmware: KubeVirt's default")
        XCTAssertNotNil(dig(domain("legacy"), "firmware", "uuid"))
    }

    func testSpread() throws {
        let vms = try virtualMachines()
        let web = try XCTUnwrap(vms["web-2"])
        XCTAssertEqual(dig(web, "spec", "template", "metadata", "labels", "wukong.dev/spread") as? String, "web")
        XCTAssertNil(dig(web, "metadata", "labels", "wukong.dev/spread"), "the group labels the pod, not the VM")
        let preferred = dig(web, "spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0)
        XCTAssertEqual(dig(preferred, "weight") as? Int, 100)
        XCTAssertEqual(dig(preferred, "podAffinityTerm", "topologyKey") as? String, "kubernetes.io/hostname")
        XCTAssertEqual(dig(preferred, "podAffinityTerm", "labelSelector", "matchLabels", "wukong.dev/spread") as? String, "web")
        let db = try XCTUnwrap(vms["db"])
        let affinity = dig(db, "spec", "template", "spec", "affinity")
        XCTAssertNotNil(dig(affinity, "nodeAffinity"), "the bridge's hosts still apply")
        let required = dig(affinity, "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", 0)
        XCTAssertEqual(dig(required, "labelSelector", "matchLabels", "wukong.dev/spread") as? String, "data")
        XCTAssertEqual(dig(required, "topologyKey") as? String, "kubernetes.io/hostname")
        XCTAssertNil(dig(vms["legacy"], "spec", "template", "spec", "affinity"))
        XCTAssertEqual(defaultSpreadGroup("app-12"), "app")
        XCTAssertEqual(defaultSpreadGroup("db"), "db")
        XCTAssertEqual(defaultSpreadGroup("db-a"), "db-a")
        XCTAssertEqual(defaultSpreadGroup("-1"), "-1")
        XCTAssertEqual(defaultSpreadGroup("a1-2"), "a1")
        XCTAssertEqual(defaultSpreadGroup("web12"), "web12")
        // the splitter graph and import group fleets by, too
        XCTAssertEqual(splitTrailingIndex("app-12").map { [String($0.stem), String($0.digits)] }, ["app-", "12"])
        XCTAssertEqual(splitTrailingIndex("web7").map { [String($0.stem), String($0.digits)] }, ["web", "7"])
        XCTAssertNil(splitTrailingIndex("123"))
        XCTAssertNil(splitTrailingIndex("db"))
        XCTAssertNil(splitTrailingIndex(""))
    }

    func testTolerations() throws {
        let vms = try virtualMachines()
        let ts = try XCTUnwrap(dig(vms["secure"], "spec", "template", "spec", "tolerations") as? [[String: Any]])
        XCTAssertEqual(ts.count, 2)
        XCTAssertEqual(ts[0] as NSDictionary, ["key": "gpu", "operator": "Exists", "effect": "NoSchedule"] as NSDictionary)
        XCTAssertEqual(ts[1] as NSDictionary, ["key": "maint", "value": "yes", "effect": "NoExecute", "tolerationSeconds": 300] as NSDictionary)
        XCTAssertNil(dig(vms["legacy"], "spec", "template", "spec", "tolerations"))
    }

    func testNicModelAndEviction() throws {
        let vms = try virtualMachines()
        XCTAssertEqual(dig(vms["secure"], "spec", "template", "spec", "domain", "devices", "interfaces", 0, "model") as? String, "e1000e")
        XCTAssertNil(dig(vms["legacy"], "spec", "template", "spec", "domain", "devices", "interfaces", 0, "model"), "virtio is the default")
        XCTAssertNil(dig(vms["plain-efi"], "spec", "template", "spec", "domain", "devices", "interfaces", 0, "model"))
        XCTAssertEqual(dig(vms["legacy"], "spec", "template", "spec", "evictionStrategy") as? String, "LiveMigrate")
    }
}
