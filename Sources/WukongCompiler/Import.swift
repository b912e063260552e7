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
        var model = Importer.read(inputs, defaultName: defaultName)
        let r = importYAML(model, defaultName: defaultName, path: path)
        let uuids = uuidNotes(model, r.compilation)
        if uuids.isEmpty { return r }
        // said at the top of the file too: written again with them (the header moves the lines)
        model.notes += uuids
        return importYAML(model, defaultName: defaultName, path: path)
    }

    static func importYAML(_ model: ImportModel, defaultName: String, path: String) -> ImportOutcome {
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

    /// `firmware.uuid` is derived (namespace and name), never written: a VM whose UUID was
    /// another gets a new cloud-init instance-id, which the import says.
    static func uuidNotes(_ model: ImportModel, _ c: Compilation) -> [ImportNote] {
        guard let t = c.topology else { return [] }
        var derived: [String: String] = [:]
        for vm in t.vms { derived[vm.name] = vm.firmwareUUID }
        return model.vms.compactMap { vm in
            guard let old = vm.firmwareUUID, let new = derived[vm.name], old.lowercased() != new.lowercased() else { return nil }
            return ImportNote(object: "VirtualMachine/\(model.namespace ?? "default")/\(vm.name)",
                              message: "`firmware.uuid` \(old) becomes the derived \(new): the guest sees a new cloud-init instance-id and runs cloud-init again once")
        }
    }
}
