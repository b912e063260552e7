import Foundation
import XCTest
import WukongParallel
import Yams
@testable import WukongKubernetes

final class OutputDirectoryTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "wukong-outdir-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func list(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }
    func read(_ path: String) -> String? { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }

    func testWritesOneFilePerObjectAndAKustomization() throws {
        let objs = KubernetesBackend.objects(for: Fixtures.lab())
        let dir = root + "/out"
        try OutputDirectory.write(objs, to: dir)
        let names = objs.map(OutputDirectory.fileName)
        XCTAssertEqual(names, ["secret-ubuntu-vm-cloudinit.yaml", "nodenetworkconfigurationpolicy-lab-br-external.yaml",
                               "networkattachmentdefinition-external.yaml", "networkattachmentdefinition-management.yaml",
                               "virtualmachine-ubuntu-vm.yaml"])
        XCTAssertEqual(try list(dir), (names + ["kustomization.yaml"]).sorted())
        let k = try XCTUnwrap(try Yams.load(yaml: read(dir + "/kustomization.yaml") ?? "") as? [String: Any])
        XCTAssertEqual(k["apiVersion"] as? String, "kustomize.config.k8s.io/v1beta1")
        XCTAssertEqual(k["kind"] as? String, "Kustomization")
        XCTAssertEqual(k["resources"] as? [String], names, "object order")
        for (o, n) in zip(objs, names) { XCTAssertEqual(read(dir + "/" + n), YAMLOutput.document(o)) }
        // No temporary siblings left behind.
        XCTAssertEqual(try list(root), ["out"])
    }

    /// Writing from the topology (built a batch at a time) gives the files of writing its objects.
    func testWritingFromTopologyEqualsWritingItsObjects() throws {
        let saved = Parallel.threshold
        defer { Parallel.threshold = saved }
        for (i, t) in [Fixtures.many(300), Fixtures.datacenter()].enumerated() {
            Parallel.threshold = Int.max
            let expected = root + "/objects-\(i)"
            try OutputDirectory.write(KubernetesBackend.objects(for: t), to: expected)
            for threshold in [Int.max, 1] {
                Parallel.threshold = threshold
                let dir = root + "/topology-\(i)-\(threshold == 1)"
                try OutputDirectory.write(t, to: dir)
                let names = try list(expected)
                XCTAssertEqual(try list(dir), names)
                for n in names { XCTAssertEqual(read(dir + "/" + n), read(expected + "/" + n), n) }
            }
        }
    }

    func testReplacesAnEarlierOutputAtomically() throws {
        let dir = root + "/out"
        try OutputDirectory.write(KubernetesBackend.objects(for: Fixtures.datacenter()), to: dir)
        XCTAssertTrue(try list(dir).contains("virtualmachine-db.yaml"))
        let objs = KubernetesBackend.objects(for: Fixtures.lab())
        try OutputDirectory.write(objs, to: dir + "/")
        XCTAssertEqual(try list(dir), (objs.map(OutputDirectory.fileName) + ["kustomization.yaml"]).sorted(),
                       "files of the earlier build that are gone from the new one are removed")
        XCTAssertEqual(try list(root), ["out"])
    }

    func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    /// Rebuilding an unchanged topology leaves the previous output as it is (no file is
    /// written again, the directory is not replaced); a rebuild with changes writes the
    /// changed files, links the unchanged ones, drops the gone ones, and gives exactly the
    /// files of a fresh write.
    func testRebuildKeepsUnchangedFiles() throws {
        let saved = Parallel.threshold
        defer { Parallel.threshold = saved }
        for threshold in [Int.max, 1] {
            Parallel.threshold = threshold
            let dir = root + "/out-\(threshold == 1)"
            let first = Fixtures.many(300)
            try OutputDirectory.write(first, to: dir)
            let before = try list(dir)
            let inodes = Dictionary(uniqueKeysWithValues: before.map { ($0, inode(dir + "/" + $0)) })
            let dirInode = inode(dir)
            try OutputDirectory.write(first, to: dir)
            XCTAssertEqual(try list(dir), before)
            XCTAssertEqual(inode(dir), dirInode, "an identical output is kept, not replaced")
            for n in before { XCTAssertEqual(inode(dir + "/" + n), inodes[n], n) }

            // Fewer VMs, one of them changed: the rest keep their files (inodes).
            var second = first
            second.vms.removeLast(10)
            second.vms[3].cpu = 7
            try OutputDirectory.write(second, to: dir)
            let fresh = root + "/fresh-\(threshold == 1)"
            try OutputDirectory.write(KubernetesBackend.objects(for: second), to: fresh)
            XCTAssertEqual(try list(dir), try list(fresh))
            for n in try list(fresh) { XCTAssertEqual(read(dir + "/" + n), read(fresh + "/" + n), n) }
            XCTAssertNotEqual(inode(dir), dirInode, "a changed output is swapped in")
            XCTAssertEqual(inode(dir + "/virtualmachine-web-0.yaml"), inodes["virtualmachine-web-0.yaml"])
            XCTAssertNotEqual(inode(dir + "/virtualmachine-web-3.yaml"), inodes["virtualmachine-web-3.yaml"])
            XCTAssertNotEqual(inode(dir + "/kustomization.yaml"), inodes["kustomization.yaml"])
            XCTAssertEqual(try list(root).filter { $0.hasPrefix(".") }, [], "no temporary siblings left")
        }
    }

    /// A previous file that someone changed (contents or mode) is written again, not kept.
    func testRebuildRewritesFilesChangedSinceTheLastBuild() throws {
        let dir = root + "/out"
        let objs = KubernetesBackend.objects(for: Fixtures.lab())
        try OutputDirectory.write(objs, to: dir)
        let vm = dir + "/virtualmachine-ubuntu-vm.yaml", secret = dir + "/secret-ubuntu-vm-cloudinit.yaml"
        let expectedVM = read(vm)
        try Data("edited: true\n".utf8).write(to: URL(fileURLWithPath: vm))
        XCTAssertEqual(chmod(secret, 0o600), 0)
        try OutputDirectory.write(objs, to: dir)
        XCTAssertEqual(read(vm), expectedVM)
        var st = stat()
        XCTAssertEqual(stat(secret, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o644 & ~currentUmask())
        XCTAssertEqual(read(secret), YAMLOutput.document(objs[0]))
    }

    func currentUmask() -> mode_t {
        let m = umask(0)
        umask(m)
        return m
    }

    /// The line-by-line reading of our own kustomization gives the names Yams reads; anything
    /// else is left to Yams.
    func testKustomizationFastPathReadsWhatWeWrite() throws {
        let names = ["secret-a.yaml", "virtualmachine-b-1.yaml", "networkattachmentdefinition-c.yaml"]
        let text = OutputDirectory.kustomizationText(names.map { KubeValue.string($0) })
        XCTAssertEqual(OutputDirectory.ourKustomizationResources(Array(text.utf8)), names)
        let node = try XCTUnwrap(try Yams.compose(yaml: text))
        XCTAssertEqual(node.mapping?["resources"]?.sequence?.compactMap(\.string), names)
        for edited in [text + "- 'quoted.yaml'\n", text.replacingOccurrences(of: "resources:\n", with: "resources:\n  # mine\n"),
                       "resources: []\n", text + "namePrefix: x-\n", String(text.dropLast())] {
            XCTAssertNil(OutputDirectory.ourKustomizationResources(Array(edited.utf8)), edited)
        }
    }

    func testEmptyDirectoryIsFilled() throws {
        let dir = root + "/empty"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        try OutputDirectory.write(KubernetesBackend.objects(for: Fixtures.lab()), to: dir)
        XCTAssertTrue(try list(dir).contains("kustomization.yaml"))
    }

    func testRefusesAForeignDirectory() throws {
        let dir = root + "/mine"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: dir + "/notes.txt", contents: Data("keep me".utf8))
        XCTAssertThrowsError(try OutputDirectory.write(KubernetesBackend.objects(for: Fixtures.lab()), to: dir)) {
            XCTAssertEqual($0 as? OutputDirectoryError, .notOurs(dir))
        }
        XCTAssertEqual(read(dir + "/notes.txt"), "keep me")
        XCTAssertEqual(try list(root), ["mine"])
    }

    func testRefusesAnOutputWithFilesItDidNotWrite() throws {
        let dir = root + "/out"
        try OutputDirectory.write(KubernetesBackend.objects(for: Fixtures.lab()), to: dir)
        _ = FileManager.default.createFile(atPath: dir + "/extra.yaml", contents: Data("x: 1\n".utf8))
        XCTAssertThrowsError(try OutputDirectory.write(KubernetesBackend.objects(for: Fixtures.lab()), to: dir)) {
            XCTAssertEqual($0 as? OutputDirectoryError, .foreignFiles(dir, ["extra.yaml"]))
        }
        XCTAssertEqual(read(dir + "/extra.yaml"), "x: 1\n")
    }

    func testRefusesAFile() throws {
        let file = root + "/file.yaml"
        _ = FileManager.default.createFile(atPath: file, contents: Data("a: b\n".utf8))
        XCTAssertThrowsError(try OutputDirectory.write([], to: file)) {
            XCTAssertEqual($0 as? OutputDirectoryError, .notADirectory(file))
        }
        XCTAssertEqual(read(file), "a: b\n")
    }

    func testAFailedWriteLeavesThePreviousDirectoryUntouched() throws {
        let dir = root + "/out"
        let first = KubernetesBackend.objects(for: Fixtures.lab())
        try OutputDirectory.write(first, to: dir)
        let before = try list(dir).map { ($0, read(dir + "/" + $0)) }
        // An object whose file cannot be created (a name with a slash) makes the write fail midway.
        var bad = first
        bad.append(KubeObject(apiVersion: "v1", kind: "Secret", name: "no/such/dir", namespace: "vms", body: .map([])))
        XCTAssertThrowsError(try OutputDirectory.write(bad, to: dir))
        let after = try list(dir).map { ($0, read(dir + "/" + $0)) }
        XCTAssertEqual(before.map(\.0), after.map(\.0))
        XCTAssertEqual(before.map(\.1), after.map(\.1))
        XCTAssertEqual(try list(root), ["out"], "the temporary directory is removed")
    }
}
