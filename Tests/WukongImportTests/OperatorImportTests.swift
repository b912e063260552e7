import Foundation
import XCTest
import WukongCompiler
import WukongImport

/// `Wukong` CRs and the objects the Wukong operator generated (fixtures in Tests/import/, written
/// from the field list of issue #12): the import maps them, says which of the operator's known
/// faults it met, and the check of the generated program reports the configuration's own faults.
final class OperatorImportTests: XCTestCase {
    func load(_ dir: String) throws -> [ImportInput] {
        let path = Repo.root + "/Tests/import/" + dir
        return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".yaml") }.sorted().map {
            ImportInput(path: "\(dir)/\($0)", text: try String(contentsOfFile: path + "/" + $0, encoding: .utf8))
        }
    }

    func testWukongCRs() throws {
        let r = Driver.importYAML(try load("wukong-cr"), defaultName: "apps", path: "apps.wk")
        for line in ["topology apps {", "namespace = \"apps\"", "create_namespace = true", "bridge br-lab {", "managed = false",
                     "network lab-net {", "vlan = 100", "subnet = 192.168.10.0/24", "gateway = 192.168.10.1", "dns = [192.168.10.1]",
                     "vm web-1 {", "...sizes.medium", "image = images.ubuntu_2204", "user ubuntu {", "shell = \"/bin/bash\"",
                     "groups = [\"sudo\", \"adm\"]", "ssh_keys = [\"ssh-ed25519 AAAAC3", "nic lab-net on lab-net {",
                     "address = 192.168.10.11", "network mgmt {", "macvlan = ens160", "address = dhcp",
                     "image = \"quay.io/example/monitor:1.0\""] {
            XCTAssert(r.text.contains(line), "missing `\(line)` in\n\(r.text)")
        }
        // the network shared by web-1 and web-2 is declared once
        XCTAssertEqual(r.text.components(separatedBy: "network lab-net {").count, 2)
        // the operator's faults: import notes (the language cannot express them)
        let faults = r.notes.filter(\.isFault).map(\.description)
        XCTAssert(faults.contains { $0.hasPrefix("Wukong/apps/monitor") && $0.contains("macvlan under KubeVirt's bridge binding") }, "\(faults)")
        XCTAssert(faults.contains { $0.contains("kernel name (`enp2s0`, `eth1`") }, "\(faults)")
        XCTAssert(r.text.contains("// Faults of the imported configuration:"))
        // and the configuration's own fault, from the check of the generated program
        let codes = r.compilation.diagnostics.map(\.code.rawValue)
        XCTAssert(codes.contains("E0405"), "\(r.compilation.diagnostics.map(\.message))")
        XCTAssertFalse(Driver.format(InputFile(path: "apps.wk", text: r.text)).changed)
    }

    func testOperatorGeneratedObjects() throws {
        let r = Driver.importYAML(try load("operator-vm"), defaultName: "legacy", path: "legacy.wk")
        XCTAssertEqual(r.compilation.errorCount, 0, "\(r.compilation.diagnostics.map(\.message))\n\(r.text)")
        XCTAssert(r.text.contains("macvlan = ens160"), r.text)
        XCTAssert(r.text.contains("nic mgmt on mgmt {\n    address = 192.168.100.30\n  }"), r.text)
        let faults = r.notes.filter(\.isFault).map(\.description)
        XCTAssert(faults.contains { $0.contains("macvlan CNI under KubeVirt's bridge binding") }, "\(faults)")
        XCTAssert(faults.contains { $0.contains("guest NIC `eth1` by its kernel name") }, "\(faults)")
        XCTAssertFalse(Driver.format(InputFile(path: "legacy.wk", text: r.text)).changed)
    }

    /// A firmware UUID other than the derived one cannot be kept (`firmware.uuid` is owned): said.
    func testForeignFirmwareUUIDIsNoted() {
        let yaml = """
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: a, namespace: x}
        spec:
          template:
            spec:
              domain:
                firmware: {uuid: 11111111-2222-3333-4444-555555555555}
                cpu: {cores: 1}
                memory: {guest: 1Gi}
                devices: {interfaces: [{name: default, masquerade: {}}]}
              networks: [{name: default, pod: {}}]
              volumes: [{name: containerdisk, containerDisk: {image: quay.io/containerdisks/fedora:41}}]
        """
        let r = Driver.importYAML([ImportInput(path: "in.yaml", text: yaml)], defaultName: "x", path: "x.wk")
        let notes = r.notes.map(\.description).filter { $0.contains("11111111-2222-3333-4444-555555555555") }
        XCTAssertEqual(notes.count, 1, "\(r.notes)")
        XCTAssert(notes.allSatisfy { r.text.contains($0) }, r.text)
        XCTAssertEqual(r.compilation.errorCount, 0)
    }

    /// What cannot be carried is listed at the top of the output and in the notes, never lost silently.
    func testDroppedFieldsAreListed() {
        let yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: extra, namespace: x}
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: a, namespace: x, annotations: {owner: team-a, kubevirt.io/latest-observed-api-version: v1}}
        spec:
          template:
            spec:
              hostname: a-host
              domain:
                cpu: {cores: 1, sockets: 2}
                memory: {guest: 1Gi}
                devices: {interfaces: [{name: default, masquerade: {}}]}
              networks: [{name: default, pod: {}}]
              volumes: [{name: containerdisk, containerDisk: {image: quay.io/containerdisks/fedora:41}}]
        ---
        not: [valid
        """
        let r = Driver.importYAML([ImportInput(path: "in.yaml", text: yaml)], defaultName: "x", path: "x.wk")
        XCTAssert(r.text.contains("template.spec.hostname = \"a-host\""), r.text)       // kubevirt { } escape hatch
        let dropped = r.notes.filter { !$0.isFault }.map(\.description)
        XCTAssert(dropped.contains { $0.contains("template.spec.domain.cpu.sockets") }, "\(dropped)")  // owned by `cpu`
        XCTAssert(dropped.contains { $0.contains("kind ConfigMap") }, "\(dropped)")
        XCTAssert(dropped.contains("VirtualMachine/x/a: annotation `owner` of the VirtualMachine dropped"), "\(dropped)")
        XCTAssertFalse(dropped.contains { $0.contains("latest-observed-api-version") }, "\(dropped)")
        XCTAssert(dropped.contains { $0.hasPrefix("in.yaml: the YAML document starting at line 18 is not readable") }, "\(dropped)")
        for d in dropped { XCTAssert(r.text.contains(d), "`\(d)` not in the header") }
    }
}
