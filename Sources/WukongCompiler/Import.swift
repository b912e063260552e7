import Foundation
import WukongImport
import WukongIR

/// `wukongc import`: the text of the import, its notes, and the check of that text as a topology.
public struct ImportOutcome: Sendable {
    public var text: String
    public var notes: [ImportNote]
    /// The generated file compiled as it will be written (`path`): its diagnostics are the
    /// imported configuration's faults, in terms of the generated source.
    public var compilation: Compilation
}

extension Driver {
    /// Imports Kubernetes YAML as one topology written to `path` (for its diagnostics; nothing is
    /// written here). MACs the compiler would derive anyway are left out: a first compilation
    /// without any says which those are, the rest stay explicit.
    public static func importYAML(_ inputs: [ImportInput], defaultName: String, path: String) -> ImportOutcome {
        let model = Importer.read(inputs, defaultName: defaultName)
        func compile(_ text: String) -> Compilation {
            Driver.compile(files: [InputFile(path: path, text: text)], defaultName: defaultName)
        }
        let bare = Importer.write(model, keepMAC: { _, _ in false })
        let first = compile(bare.text)
        var derived: [String: String] = [:]   // "vm/nic" → MAC the compiler derives
        for vm in first.topology?.vms ?? [] {
            for nic in vm.nics { derived["\(vm.name)/\(nic.name)"] = nic.mac.description }
        }
        let wanted = Dictionary(model.vms.flatMap { vm in vm.nics.compactMap { n in n.mac.map { ("\(vm.name)/\(n.name)", $0.lowercased()) } } },
                                uniquingKeysWith: { a, _ in a })
        if first.topology != nil, wanted.allSatisfy({ derived[$0.key] == $0.value }) {
            return ImportOutcome(text: bare.text, notes: bare.notes, compilation: first)
        }
        let result = Importer.write(model, keepMAC: { vm, nic in
            first.topology == nil || derived["\(vm)/\(nic)"] != wanted["\(vm)/\(nic)"]
        })
        return ImportOutcome(text: result.text, notes: result.notes, compilation: compile(result.text))
    }
}
