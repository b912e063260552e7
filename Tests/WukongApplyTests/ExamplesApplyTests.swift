// End to end over the real pipeline: every example compiled, applied, re-applied, changed,
// pruned. Needs the whole compiler, so it is built only where WukongCompiler is available.
#if canImport(WukongCompiler)
import Foundation
import XCTest
import WukongCompiler
import WukongKubernetes
@testable import WukongApply

final class ExamplesApplyTests: XCTestCase {
    func examples() throws -> [String] {
        let dir = repoRoot + "/examples"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wk") }.sorted()
        return names.map { dir + "/" + $0 }
    }

    func objects(_ path: String) throws -> [KubeObject] {
        let c = try Driver.compile(path: path)
        guard !c.hasErrors, let topology = c.topology else {
            let first = c.diagnostics.first.map { "\($0.code): \($0.message)" } ?? "no IR"
            throw TestSetupError.failed("\(path) does not compile (\(c.errorCount) errors, first: \(first)): not an apply problem")
        }
        return KubernetesBackend.objects(for: topology)
    }

    /// A label added to the first VM: the change that must come back as `configured`.
    func changed(_ o: KubeObject) -> KubeObject {
        var o = o
        guard let md = o.body["metadata"] else { return o }
        let labels: KubeValue = (md["labels"] ?? .map([])).setting("wukong.dev/test-change", .string("1"))
        o.body = o.body.setting("metadata", md.setting("labels", labels))
        return o
    }

    func testEveryExampleAppliesReappliesChangesAndPrunes() throws {
        let server = try TestAPIServer.shared()
        let paths = try examples()
        XCTAssertFalse(paths.isEmpty)
        var problems: [String] = []
        for path in paths {
            let name = (path as NSString).lastPathComponent
            try server.reset()
            let objects: [KubeObject]
            do { objects = try self.objects(path) } catch { problems.append("\(error)"); continue }
            XCTAssertFalse(objects.isEmpty, name)
            // a cluster the preflight accepts: nodes advertising the examples' device resources
            // where their VMs may run, and a KubeVirt CR registering the macvtap binding plugin
            try server.addClusterFor(objects)
            var options = ApplyOptions()
            options.pollInterval = 0.05
            let applier = Applier(client: KubeClient(config: server.certConfig(), retry: fastRetry()), options: options)
            // the namespaces the topology does not create itself exist already, as on a real cluster
            let created = Set(objects.filter { $0.kind == "Namespace" }.map(\.name))
            var seen: [String] = []
            for o in objects { if let ns = o.namespace, !created.contains(ns), !seen.contains(ns) { seen.append(ns) } }
            XCTAssertNil(applier.apply(seen.map { namespaceObj($0, topology: "pre-existing") }).failure, name)

            let first = applier.apply(objects)
            XCTAssertNil(first.failure, "\(name): \(first.summary)")
            XCTAssertEqual(first.count(.created), objects.count, name)
            XCTAssertEqual(applier.diff(objects).exitCode, 0, "\(name): diff after apply")

            let second = applier.apply(objects)
            XCTAssertEqual(second.count(.unchanged), objects.count, "\(name): \(second.summary)")

            guard let vmIndex = objects.firstIndex(where: { $0.kind == "VirtualMachine" }) else { continue }
            var modified = objects
            modified[vmIndex] = changed(objects[vmIndex])
            let third = applier.apply(modified)
            XCTAssertEqual(third.applied.filter { $0.action == .configured }.map(\.object.name), [objects[vmIndex].name], name)
            XCTAssertEqual(third.count(.unchanged), objects.count - 1, name)

            var prunedSet = modified
            let dropped = prunedSet.remove(at: prunedSet.lastIndex { $0.kind == "VirtualMachine" }!)
            var pruneOptions = options
            pruneOptions.prune = true
            let fourth = Applier(client: applier.client, options: pruneOptions).apply(prunedSet)
            XCTAssertNil(fourth.failure, "\(name): \(fourth.summary)")
            XCTAssertEqual(fourth.pruned.map(\.name), [dropped.name], name)
        }
        XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"))
    }
}
#endif
