import XCTest
import Foundation
import WukongNet
@testable import WukongSema

/// The embedded KubeVirt v1.9.0 VirtualMachine schema behind `kubevirt { }`.
final class KubevirtSchemaTests: XCTestCase {
    static var repoRoot: URL { StdlibTests.repoRoot }

    /// Fails when KubevirtSchema.generated.swift differs from what the generator writes now.
    func testGeneratedFileIsUpToDate() throws {
        let schema = Self.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/kubevirt-vm-crd-schema.yaml")
        guard FileManager.default.fileExists(atPath: schema.path) else { throw XCTSkip("no ../shared/schemas") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.repoRoot.appendingPathComponent("scripts/gen-kubevirt-schema").path, "--check", schema.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "KubevirtSchema.generated.swift is stale: run scripts/gen-kubevirt-schema")
    }

    func testLookupFindsFieldsWithTypesAndDescriptions() {
        let s = KubevirtSchema.shared
        guard case .found(let i) = s.lookup(["template", "spec", "domain", "ioThreadsPolicy"]) else {
            return XCTFail("ioThreadsPolicy not found")
        }
        XCTAssertEqual(s.nodes[i].type, .string)
        XCTAssertTrue(s.nodes[i].description?.contains("IOThreads") ?? false, s.nodes[i].description ?? "no description")
        guard case .found(let r) = s.lookup(["template", "spec", "domain", "rebootPolicy"]) else { return XCTFail() }
        XCTAssertEqual(s.nodes[r].type, .enumeration(["Reboot", "Terminate"]))
        guard case .found(let g) = s.lookup(["template", "spec", "domain", "memory", "guest"]) else { return XCTFail() }
        XCTAssertEqual(s.nodes[g].type, .quantity)
        guard case .found(let l) = s.lookup(["template", "spec", "domain", "devices", "gpus"]) else { return XCTFail() }
        XCTAssertEqual(s.nodes[l].type, .array)
        XCTAssertNotNil(s.nodes[l].children["[]"])
        XCTAssertTrue(s.root.childNames.contains("template"))
    }

    func testUnknownFieldsSuggestAndListsStopPaths() {
        let s = KubevirtSchema.shared
        XCTAssertEqual(s.lookup(["template", "spec", "domain", "ioThreadPolicy"]),
                       .unknown(at: 3, suggestions: ["ioThreadsPolicy"]))
        XCTAssertEqual(s.lookup(["tempalte"]), .unknown(at: 0, suggestions: ["template"]))
        XCTAssertEqual(s.lookup(["template", "spec", "dnsConfig", "nameservers", "x"]), .notAnObject(at: 4))
    }

    /// Every path of the owned table names a real field (a typo would make it own nothing).
    func testOwnedTableNamesSchemaFields() {
        let s = KubevirtSchema.shared
        for entry in KubevirtOwnership.owned {
            let segments = entry.path.split(separator: ".").map(String.init)
            var node: KubevirtField = s.root
            for seg in segments where node.type != .any {   // below an unchecked object, anything goes
                var name = seg
                let element = name.hasSuffix("[]")
                if element { name.removeLast(2) }
                guard let c = node.children[name] ?? (node.type == .map ? node.children["{}"] : nil) else {
                    XCTFail("owned path \(entry.path): `\(name)` is not in the schema"); break
                }
                node = s.nodes[c]
                if element, let e = node.children["[]"] { node = s.nodes[e] }
            }
        }
        XCTAssertEqual(KubevirtOwnership.owner(of: ["template", "spec", "domain", "devices", "interfaces"]), "`nic`")
        XCTAssertEqual(KubevirtOwnership.owner(of: ["template", "spec", "affinity", "podAntiAffinity"]), "`spread`")
        XCTAssertNil(KubevirtOwnership.owner(of: ["template", "spec", "domain", "ioThreadsPolicy"]))
        XCTAssertNil(KubevirtOwnership.owner(of: ["template", "spec", "domain", "cpu", "model"]))
    }

    /// The brief's attribute names for fields other declarations own.
    func testOwnedTableNamesTheOwningAttributes() {
        let expected: [String: String] = [
            "template.spec.nodeSelector": "`node_selector`", "template.spec.tolerations": "`tolerations`",
            "template.spec.affinity": "`spread`", "runStrategy": "`run_strategy`", "running": "`running`",
            "template.spec.domain.firmware.bootloader": "`firmware`", "template.spec.domain.features.smm": "`firmware`",
            "template.spec.domain.devices.interfaces[].model": "`model`", "instancetype": "`instancetype`",
            "preference": "`preference`", "template.spec.evictionStrategy": "`eviction`",
        ]
        for (path, attribute) in expected {
            XCTAssertEqual(KubevirtOwnership.owned.first { $0.path == path }?.attribute, attribute, path)
        }
    }
}
