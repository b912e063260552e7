import Foundation
import WukongDiagnostics
import WukongFormat

/// Prints an `ImportModel` as Wukong text, then through the project's formatter so the result
/// is what `wukongc fmt` would write.
public enum Importer {
    /// Reads `inputs` (YAML streams) as one topology. `defaultName` names it unless an object
    /// carries the `wukong.dev/topology` label.
    public static func read(_ inputs: [ImportInput], defaultName: String) -> ImportModel {
        var notes: [ImportNote] = []
        let objects = Reader.objects(of: inputs, notes: &notes)
        var reader = Reader(defaultName: defaultName)
        reader.model.notes = notes
        reader.read(objects)
        return reader.model
    }

    /// The model as formatted text. `keepMACs(vm, nic)`: whether a NIC's MAC is written (the
    /// driver leaves out those the compiler derives anyway).
    public static func write(_ m: ImportModel, keepMAC: (String, String) -> Bool = { _, _ in true }) -> ImportResult {
        let raw = Writer.text(m, keepMAC: keepMAC)
        var sources = SourceMap()
        let id = sources.add(path: "import.wk", bytes: Array(raw.utf8))
        let text = sources[id].flatMap { Formatter.format($0).text } ?? raw
        return ImportResult(text: text, notes: m.notes, model: m)
    }
}

enum Writer {
    static func isIdent(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || (f.properties.isAlphabetic && f.isASCII) else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
            && !(s.first!.isNumber) && !s.hasPrefix("-")
    }

    /// A declaration name: bare when it is a valid name (dashes allowed), else quoted.
    static func name(_ s: String) -> String { isName(s) ? s : quote(s) }

    static func list(_ xs: [String]) -> String { "[" + xs.joined(separator: ", ") + "]" }

    static func text(_ m: ImportModel, keepMAC: (String, String) -> Bool) -> String {
        var o = "// Imported by `wukongc import` (docs/import.md).\n"
        for (title, fault) in [("Faults of the imported configuration:", true), ("Not carried over:", false)] {
            let notes = m.notes.filter { $0.isFault == fault }
            if notes.isEmpty { continue }
            o += "// \(title)\n"
            for n in notes { o += "//   - \(n.description.replacingOccurrences(of: "\n", with: " "))\n" }
        }
        if m.usesImages { o += "import std.images\n" }
        if m.usesSizes { o += "import std.sizes\n" }
        o += "\ntopology \(name(m.name)) {\n"
        if let ns = m.namespace { o += "namespace = \(quote(ns))\n" }
        if m.createNamespace { o += "create_namespace = true\n" }
        if !m.clusterCIDRs.isEmpty { o += "cluster_cidrs = \(list(m.clusterCIDRs))\n" }
        o += "}\n\n"
        for n in m.nics { o += "nic \(name(n))" + (m.nicMTUs[n].map { " { mtu = \($0) }" } ?? "") + "\n" }
        if !m.nics.isEmpty { o += "\n" }
        for b in m.bonds {
            o += "bond \(name(b.name)) {\nports = \(list(b.ports.map(name)))\n"
            if let mode = b.mode { o += "mode = \(quote(mode))\n" }
            if let mtu = b.mtu { o += "mtu = \(mtu)\n" }
            o += "}\n"
        }
        for v in m.vlans {
            var attrs = ["id = \(v.id)"]
            if let i = v.ifname { attrs.append("ifname = \(quote(i))") }
            if let mtu = v.mtu { attrs.append("mtu = \(mtu)") }
            o += "vlan \(name(v.name)) on \(name(v.base)) { \(attrs.joined(separator: ", ")) }\n"
        }
        if !m.bonds.isEmpty || !m.vlans.isEmpty { o += "\n" }
        for b in m.bridges {
            o += "\(b.ovs ? "ovs-bridge" : "bridge") \(name(b.name)) {\n"
            if !b.managed { o += "managed = false\n" } else { o += "ports = \(list(b.ports.map(name)))\n" }
            if b.stp { o += "stp = true\n" }
            if let mtu = b.mtu { o += "mtu = \(mtu)\n" }
            o += "}\n\n"
        }
        for n in m.networks {
            o += "network \(name(n.name)) {\n"
            o += "\(n.attachment.key) = \(n.attachment.key == "sriov" ? n.attachment.value : name(n.attachment.value))\n"
            if let v = n.vlan { o += "vlan = \(v)\n" }
            if let v = n.mtu { o += "mtu = \(v)\n" }
            if let s = n.subnet { o += "subnet = \(s)\n" }
            if let g = n.gateway { o += "gateway = \(g)\n" }
            if let p = n.pool { o += "pool = \(p)\n" }
            if let i = n.ipam { o += "ipam = \(quote(i))\n" }
            if !n.dns.isEmpty { o += "dns = \(list(n.dns))\n" }
            if !n.routes.isEmpty { o += "routes = \(list(n.routes))\n" }
            o += "}\n\n"
        }
        for vm in m.vms { o += vmText(vm, keepMAC: keepMAC) + "\n" }
        return o
    }

    static func vmText(_ vm: ImportModel.VM, keepMAC: (String, String) -> Bool) -> String {
        var o = "vm \(name(vm.name)) {\n"
        if let s = vm.size { o += "...\(s)\n" } else {
            if let c = vm.cpu { o += "cpu = \(c)\n" }
            if let m = vm.memory { o += "memory = \(m)\n" }
        }
        if !vm.image.isEmpty { o += "image = \(vm.image)\n" }
        if !vm.running { o += "running = false\n" }
        if let r = vm.runStrategy { o += "run_strategy = \(quote(r))\n" }
        if let e = vm.eviction { o += "eviction = \(quote(e))\n" }
        if !vm.labels.isEmpty {
            o += "labels = { " + vm.labels.map { "\(Reader.key($0.0)) = \(quote($0.1))" }.joined(separator: ", ") + " }\n"
        }
        if !vm.run.isEmpty { o += "run = \(list(vm.run.map(quote)))\n" }
        if let c = vm.cloudConfig { o += "cloud_config = \(quote(c))\n" }
        for u in vm.users {
            o += "\nuser \(name(u.name)) {\n"
            if let p = u.passwordHash { o += "password_hash = \(quote(p))\n" }
            if !u.sshKeys.isEmpty { o += "ssh_keys = \(list(u.sshKeys.map(quote)))\n" }
            if let s = u.sudo { o += "sudo = \(quote(s))\n" }
            if let s = u.shell { o += "shell = \(quote(s))\n" }
            if !u.groups.isEmpty { o += "groups = \(list(u.groups.map(quote)))\n" }
            o += "}\n"
        }
        if !vm.nics.isEmpty { o += "\n" }
        for n in vm.nics {
            var attrs: [String] = []
            if let a = n.address { attrs.append("address = \(a)") }
            if let mac = n.mac, keepMAC(vm.name, n.name) { attrs.append("mac = \(quote(mac))") }
            if let i = n.ifname { attrs.append("ifname = \(quote(i))") }
            if let m = n.model { attrs.append("model = \(quote(m))") }
            if let b = n.binding { attrs.append("binding = \(quote(b))") }
            if let m = n.metric { attrs.append("metric = \(m)") }
            if n.defaultRoute { attrs.append("default_route = true") }
            o += "nic \(name(n.name)) on \(n.network.map(name) ?? "pod")"
            o += attrs.isEmpty ? "\n" : " {\n" + attrs.joined(separator: "\n") + "\n}\n"
        }
        if !vm.kubevirt.isEmpty {
            o += "\nkubevirt {\n"
            for (p, v) in vm.kubevirt { o += "\(p) = \(v)\n" }
            o += "}\n"
        }
        return o + "}\n"
    }
}
