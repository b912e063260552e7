import Foundation
import XCTest
import WukongCompiler
import WukongImport

/// Odd input never crashes the import and never yields a file `fmt` cannot read: values that
/// are not what the language expects are written so the check reports them at their place.
final class ImportRobustnessTests: XCTestCase {
    func importText(_ yaml: String) -> ImportOutcome {
        Driver.importYAML([ImportInput(path: "in.yaml", text: yaml)], defaultName: "t", path: "t.wk")
    }

    func testOddInputs() {
        let inputs = [
            "", "---\n---\n", "42", "- a\n- b", "kind: VirtualMachine", "kind: VirtualMachine\nspec: 3",
            "kind: VirtualMachine\nmetadata: {name: \"we ird\"}\nspec: {template: {spec: {domain: {cpu: {cores: -1}}}}}",
            "kind: NodeNetworkConfigurationPolicy\nspec: {desiredState: {interfaces: [{name: x.1, type: vlan}, 3, {type: bond}]}}",
            "kind: NetworkAttachmentDefinition\nmetadata: {name: n}\nspec: {config: 'not json'}",
            "kind: NetworkAttachmentDefinition\nmetadata: {name: n}\nspec: {config: '{\"type\":\"bridge\",\"ipam\":{\"type\":\"whereabouts\",\"range\":\"bogus\",\"gateway\":\"${x}\"}}'}",
            "apiVersion: vm.novasphere.dev/v1alpha1\nkind: Wukong\nmetadata: {name: w}\nspec: {cpu: x, networks: [{name: n, type: bridge, bridgeName: b, ipConfig: {mode: static, address: 999.1.1.1/99}}]}",
            "kind: List\nitems: [3, {kind: Namespace}]",
        ]
        for yaml in inputs {
            let r = importText(yaml)
            let f = Driver.format(InputFile(path: "t.wk", text: r.text))
            XCTAssertNotNil(f.formatted, "not parseable for input:\n\(yaml)\n---\n\(r.text)")
            XCTAssertFalse(f.changed, "not in fmt layout for input:\n\(yaml)")
        }
    }

    func testMixedTopologiesAndNamespacesAreNoted() {
        let r = importText("""
        kind: VirtualMachine
        metadata: {name: a, namespace: one, labels: {wukong.dev/topology: t1}}
        ---
        kind: VirtualMachine
        metadata: {name: b, namespace: one, labels: {wukong.dev/topology: t2}}
        ---
        kind: VirtualMachine
        metadata: {name: c, namespace: two}
        """)
        let notes = r.notes.map(\.description)
        XCTAssert(notes.contains("input: objects of several topologies (t1, t2) imported as one, `t1`"), "\(notes)")
        XCTAssert(notes.contains("VirtualMachine/two/c: in namespace two, not the topology's `one`: moved there"), "\(notes)")
        XCTAssert(r.text.contains("topology t1 {"), r.text)
    }

    func testBadAddressIsReportedWhereItIsWritten() {
        let r = importText("""
        kind: NetworkAttachmentDefinition
        metadata: {name: n, namespace: x}
        spec: {config: '{"type":"bridge","bridge":"br0","ipam":{"type":"whereabouts","range":"10.0.0.0/33"}}'}
        """)
        XCTAssert(r.text.contains("subnet = \"10.0.0.0/33\""), r.text)
        XCTAssert(r.compilation.hasErrors, "\(r.compilation.diagnostics.map(\.message))")
    }
}
