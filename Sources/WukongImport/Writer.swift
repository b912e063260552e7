import Foundation
import WukongDiagnostics
import WukongFormat
import WukongNet
import WukongSyntax

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
    /// Whether `s` can be a bare record key (the lexer's rule: WukongSyntax `Spelling`).
    static func isIdent(_ s: String) -> Bool { Spelling.isBareKey(s) }

    /// Whether `s` can be written bare: one identifier by the lexer's rules (no keyword).
    static func isName(_ s: String) -> Bool { Spelling.isBareName(s) }

    /// A declaration name: bare when it is a valid name (dashes allowed), else quoted.
    static func name(_ s: String) -> String { isName(s) ? s : quote(s) }

    /// A text ending in a newline as a `"""` string (LANGUAGE.md §2), else quoted.
    static func multiline(_ s: String) -> String {
        guard s.hasSuffix("\n"), !s.contains("\"\"\""), !s.contains("\r"), !s.contains("\t") else { return quote(s) }
        let body = s.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "${", with: "$${")
            return escaped.isEmpty ? "" : escaped
        }
        return "\"\"\"\n" + body.joined(separator: "\n") + "\n\"\"\""
    }

    /// An address or prefix from the input: bare when it is one, else quoted — the check then
    /// reports a type error at it instead of the file failing to parse.
    static func addr(_ s: String) -> String {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        // IPv6 literals are written as strings (LANGUAGE.md §2)
        guard parts.count <= 2, Reader.isIP(String(parts[0])), !parts[0].contains(":") else { return quote(s) }
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= 32, String(p) == parts[1] else { return quote(s) }
        }
        return s
    }

    /// One value, or `[v4, "v6"]` on a dual-stack network.
    static func family(_ v4: String?, _ v6: String?) -> String? {
        switch (v4, v6) {
        case let (a?, b?): return "[\(addr(a)), \(addr(b))]"
        case let (a?, nil): return addr(a)
        case let (nil, b?): return addr(b)
        default: return nil
        }
    }

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
        if m.dualStack { o += "dual_stack = true\n" }
        if m.ovnNetworksCUDN { o += "ovn_networks = \"cudn\"\n" }
        if let sel = m.nodeSelector, !sel.isEmpty {
            o += "node_selector = { " + sel.map { "\(quote($0.0)) = \(quote($0.1))" }.joined(separator: ", ") + " }\n"
        }
        if !m.labels.isEmpty {
            o += "labels = { " + m.labels.map { "\(Reader.key($0.0)) = \(quote($0.1))" }.joined(separator: ", ") + " }\n"
        }
        if !m.clusterCIDRs.isEmpty { o += "cluster_cidrs = \(list(m.clusterCIDRs.map(addr)))\n" }
        o += "}\n\n"
        for h in m.hosts {
            o += "host \(name(h.name)) {\n"
            if h.hostname != h.name { o += "hostname = \(quote(h.hostname))\n" }
            for n in h.nics {
                var attrs: [String] = []
                if let a = n.address { attrs.append("address = \(addr(a))") }
                if n.dhcp { attrs.append("dhcp = true") }
                if let g = n.gateway { attrs.append("gateway = \(addr(g))") }
                if !n.dns.isEmpty { attrs.append("dns = \(list(n.dns.map(addr)))") }
                if let mtu = n.mtu { attrs.append("mtu = \(mtu)") }
                o += "nic \(name(n.name))" + (attrs.isEmpty ? "" : " { \(attrs.joined(separator: ", ")) }") + "\n"
            }
            o += "}\n\n"
        }
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
            if !b.everyNode, !b.hosts.isEmpty, Set(b.hosts) != Set(m.hosts.map(\.name)) { o += "hosts = \(list(b.hosts.map(name)))\n" }
            if let mtu = b.mtu { o += "mtu = \(mtu)\n" }
            o += "}\n\n"
        }
        for n in m.networks {
            o += "network \(name(n.name)) {\n"
            let literal = n.attachment.key == "sriov" || n.attachment.key == "overlay"
            o += "\(n.attachment.key) = \(literal ? n.attachment.value : name(n.attachment.value))\n"
            for (k, v) in n.extra { o += "\(k) = \(v)\n" }
            if let v = n.vlan { o += "vlan = \(v)\n" }
            if let v = n.mtu { o += "mtu = \(v)\n" }
            if let v = family(n.subnet, n.subnet6) { o += "subnet = \(v)\n" }
            if let v = family(n.gateway, n.gateway6) { o += "gateway = \(v)\n" }
            if let p = n.pool { o += "pool = \(p)\n" }
            if let i = n.ipam { o += "ipam = \(quote(i))\n" }
            if !n.dns.isEmpty { o += "dns = \(list(n.dns.map(addr)))\n" }
            if !n.search.isEmpty { o += "search = \(list(n.search))\n" }
            if !n.routes.isEmpty { o += "routes = \(list(n.routes))\n" }
            o += "}\n\n"
        }
        var k = 0
        while k < m.vms.count {
            let run = loopRun(m.vms, from: k, keepMAC: keepMAC)
            if run.count >= minLoop, let first = run.first, let last = run.last {
                o += "for i in \(first.index)..=\(last.index) {\n" + first.loopText + "}\n\n"
                k += run.count
            } else {
                o += vmText(m.vms[k], keepMAC: keepMAC) + "\n"
                k += 1
            }
        }
        return o
    }

    /// VMs that differ only by a trailing index and addresses that grow with it become one `for`
    /// (LANGUAGE.md §5.7) once there are this many of them.
    static let minLoop = 3

    struct LoopKey {
        var prefix: String
        var index: Int
        /// Per NIC with an IPv4 address: address − index (the loop's base).
        var bases: [UInt32]
        /// The VM's text with the name and those addresses as the loop writes them.
        var loopText: String
    }

    static func loopKey(_ vm: ImportModel.VM, keepMAC: (String, String) -> Bool) -> LoopKey? {
        guard let (stem, digits) = splitTrailingIndex(vm.name), digits.count <= 6, !digits.hasPrefix("0"),
              let index = Int(digits) else { return nil }
        let prefix = String(stem)
        var copy = vm
        var bases: [UInt32] = []
        for n in copy.nics.indices {
            guard let a = copy.nics[n].address, a != "dhcp" else { continue }
            guard let v = ipv4(a), v >= UInt32(index) else { return nil }
            let base = v - UInt32(index)
            bases.append(base)
            copy.nics[n].address = "\(base >> 24).\(base >> 16 & 255).\(base >> 8 & 255).\(base & 255) + i"
        }
        let text = vmText(copy, keepMAC: { keepMAC(vm.name, $1) }, nameText: "\"" + prefix + "${i}\"")
        return LoopKey(prefix: prefix, index: index, bases: bases, loopText: text)
    }

    /// The longest run of VMs from `start` that one `for` can write.
    static func loopRun(_ vms: [ImportModel.VM], from start: Int, keepMAC: (String, String) -> Bool) -> [LoopKey] {
        guard let first = loopKey(vms[start], keepMAC: keepMAC) else { return [] }
        var run = [first]
        var k = start + 1
        while k < vms.count, let next = loopKey(vms[k], keepMAC: keepMAC), next.prefix == first.prefix,
              next.index == run[run.count - 1].index + 1, next.bases == first.bases, next.loopText == first.loopText {
            run.append(next)
            k += 1
        }
        return run
    }

    static func ipv4(_ s: String) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard p.count <= 3, let b = UInt32(p), b < 256 else { return nil }
            v = v << 8 | b
        }
        return v
    }

    static func vmText(_ vm: ImportModel.VM, keepMAC: (String, String) -> Bool, nameText: String? = nil) -> String {
        var o = "vm \(nameText ?? name(vm.name)) {\n"
        if let s = vm.size { o += "...\(s)\n" } else {
            if let c = vm.cpu { o += "cpu = \(c)\n" }
            if let m = vm.memory { o += "memory = \(m)\n" }
        }
        if !vm.image.isEmpty { o += "image = \(vm.image)\n" }
        if let h = vm.host { o += "host = \(name(h))\n" }
        for (k, v) in vm.extra { o += "\(k) = \(v)\n" }
        if !vm.running { o += "running = false\n" }
        if let r = vm.runStrategy { o += "run_strategy = \(quote(r))\n" }
        if let e = vm.eviction { o += "eviction = \(quote(e))\n" }
        if !vm.labels.isEmpty {
            o += "labels = { " + vm.labels.map { "\(Reader.key($0.0)) = \(quote($0.1))" }.joined(separator: ", ") + " }\n"
        }
        if !vm.run.isEmpty { o += "run = \(list(vm.run.map(quote)))\n" }
        if let c = vm.cloudConfig { o += "cloud_config = \(multiline(c))\n" }
        for u in vm.users {
            o += "\nuser \(name(u.name)) {\n"
            if let p = u.passwordHash { o += "password_hash = \(quote(p))\n" }
            if !u.sshKeys.isEmpty { o += "ssh_keys = \(list(u.sshKeys.map(quote)))\n" }
            if let s = u.sudo { o += "sudo = \(quote(s))\n" }
            if let s = u.shell { o += "shell = \(quote(s))\n" }
            if !u.groups.isEmpty { o += "groups = \(list(u.groups.map(quote)))\n" }
            o += "}\n"
        }
        for d in vm.disks {
            o += "\ndisk \(name(d.name)) {\n" + d.attrs.map { "\($0.0) = \($0.1)" }.joined(separator: "\n") + "\n}\n"
        }
        if !vm.nics.isEmpty { o += "\n" }
        for n in vm.nics {
            var attrs: [String] = []
            if let a = n.address, let b = n.address6 { attrs.append("address = [\(a), \(addr(b))]") }
            else if let a = n.address { attrs.append("address = \(a)") }
            else if let b = n.address6 { attrs.append("address = \(addr(b))") }
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
