import Foundation
import XCTest
import WukongCompiler
import WukongIR
import WukongNet
import WukongSema
@testable import WukongKubernetes

/// `kubevirt { }` settings merged into the generated VirtualMachine.
final class KubevirtMergeTests: XCTestCase {
    func testRecordsMergeKeyByKeyAndNewKeysGoLast() {
        var body = KubeValue.map([KubeField("spec", .map([
            KubeField("runStrategy", .string("Always")),
            KubeField("template", .map([KubeField("spec", .map([
                KubeField("domain", .map([KubeField("cpu", .map([KubeField("cores", .int(2))]))]))]))]))]))])
        KubevirtMerge.apply([
            KubevirtSetting(path: ["template"], value: .map([HatchField("spec", .map([HatchField("domain", .map([
                HatchField("cpu", .map([HatchField("model", .string("host-passthrough"))])),
                HatchField("ioThreadsPolicy", .string("auto"))]))]))])),
            KubevirtSetting(path: ["template"], value: .map([HatchField("spec", .map([
                HatchField("terminationGracePeriodSeconds", .int(30)),
                HatchField("dnsConfig", .map([HatchField("nameservers", .list([.string("1.1.1.1")]))]))]))])),
        ], toVirtualMachine: &body)
        let domain = body["spec"]?["template"]?["spec"]?["domain"]
        XCTAssertEqual(domain?["cpu"], .map([KubeField("cores", .int(2)), KubeField("model", .string("host-passthrough"))]))
        XCTAssertEqual(domain?["ioThreadsPolicy"], .string("auto"))
        guard case .map(let spec)? = body["spec"]?["template"]?["spec"] else { return XCTFail() }
        XCTAssertEqual(spec.map(\.key), ["domain", "terminationGracePeriodSeconds", "dnsConfig"])
        XCTAssertEqual(body["spec"]?["runStrategy"], .string("Always"))
    }

    func testScalarsAndListsReplace() {
        var body = KubeValue.map([KubeField("spec", .map([KubeField("a", .list([.int(1), .int(2)])), KubeField("b", .int(1))]))])
        KubevirtMerge.apply([KubevirtSetting(path: ["a"], value: .list([.int(3)])),
                             KubevirtSetting(path: ["b"], value: .string("x"))], toVirtualMachine: &body)
        XCTAssertEqual(body["spec"], .map([KubeField("a", .list([.int(3)])), KubeField("b", .string("x"))]))
    }

    func testSourceToObjectIsDeterministicAndStreamsLikeTheTree() throws {
        let t = try Repo.compile(Repo.root + "/examples/tuned-vm.wk")
        XCTAssertTrue(t.vms.contains { !($0.kubevirt ?? []).isEmpty })
        let a = KubernetesBackend.objects(for: t), b = KubernetesBackend.objects(for: t)
        XCTAssertEqual(a, b)
        let vm = try XCTUnwrap(a.first { $0.kind == "VirtualMachine" })
        XCTAssertEqual(vm.body["spec"]?["template"]?["spec"]?["domain"]?["ioThreadsPolicy"], .string("auto"))
    }

    /// Every field the backend writes into a VirtualMachine's `spec` is in the owned table
    /// (`KubevirtOwnership.owned`): a new generated field must be added there, or a
    /// `kubevirt { }` setting could silently fight it.
    func testEveryGeneratedVMFieldIsOwned() throws {
        var missing: Set<String> = []
        var seen = 0
        for (_, path) in try Repo.examples() {
            guard let t = try? Repo.compile(path) else { continue }
            for o in KubernetesBackend.objects(for: t) where o.kind == "VirtualMachine" {
                guard let spec = o.body["spec"] else { continue }
                seen += 1
                leaves(spec, []) { p in
                    if KubevirtOwnership.owner(of: p) == nil && !Self.hatchOnly(p) { missing.insert(p.joined(separator: ".")) }
                }
            }
        }
        XCTAssertGreaterThan(seen, 10)
        XCTAssertEqual(missing.sorted(), [], "VM fields the backend emits but the owned table does not cover")
    }

    /// Fields the examples set through their own `kubevirt { }` blocks.
    static func hatchOnly(_ p: [String]) -> Bool {
        guard let setting = try? Repo.compile(Repo.root + "/examples/tuned-vm.wk") else { return false }
        return setting.vms.flatMap { $0.kubevirt ?? [] }.contains { s in
            p.count >= s.path.count && Array(p.prefix(s.path.count)) == s.path && covers(s.value, Array(p.dropFirst(s.path.count)))
        }
    }

    static func covers(_ v: HatchValue, _ rest: [String]) -> Bool {
        guard let k = rest.first else { return true }
        switch v {
        case .map(let fs): return fs.first { $0.key == k }.map { covers($0.value, Array(rest.dropFirst())) } ?? false
        default: return true
        }
    }

    /// Calls `f` with the path of every leaf (a list is a leaf).
    func leaves(_ v: KubeValue, _ path: [String], _ f: ([String]) -> Void) {
        if case .map(let fs) = v, !fs.isEmpty { for x in fs { leaves(x.value, path + [x.key], f) } } else { f(path) }
    }
}
