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
            if let loop = loop(m.vms, from: k, keepMAC: keepMAC) {
                o += loop.text + "\n"
                k += loop.count
            } else {
                o += vmText(m.vms[k], keepMAC: keepMAC) + "\n"
                k += 1
            }
        }
        return o
    }

    /// VMs that differ only by a trailing index, addresses that grow with it and a few string
    /// values become one `for` (LANGUAGE.md §5.7) once there are this many of them.
    static let minLoop = 3

    struct LoopKey {
        var prefix: String
        var index: Int
        /// Per NIC with an IPv4 address: address − index (the loop's base).
        var bases: [UInt32]
        /// The VM's text as the loop writes it (name, addresses, the VM's own name inside strings
        /// as `prefix${i}`), with the strings that stand where an expression may cut out…
        var skeleton: String
        /// …and those strings, in order.
        var literals: [String]
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
        let (skeleton, literals) = cutLiterals(text, name: vm.name, interpolated: prefix + "${i}")
        return LoopKey(prefix: prefix, index: index, bases: bases, skeleton: skeleton, literals: literals)
    }

    /// The marker of a cut-out string in a skeleton (never in generated text: `quote` escapes
    /// control characters).
    static let hole = "\u{1}"

    /// `text` with the string literals that stand where an expression may (after `=`, `[`, or a
    /// `,` inside a list) replaced by `hole`, and those literals. In every string, `name` is
    /// written `interpolated` (`web-3` → `web-${i}`): evaluated at the VM's own index it is the
    /// same text.
    static func cutLiterals(_ text: String, name: String, interpolated: String) -> (String, [String]) {
        let b = Array(text.utf8)
        var skeleton: [UInt8] = [], literals: [String] = []
        var brackets: [UInt8] = [], last: UInt8 = 0
        var i = 0
        let quoteMark = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func substituted(_ bytes: ArraySlice<UInt8>) -> String {
            String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: name, with: interpolated)
        }
        while i < b.count {
            let c = b[i]
            if c == quoteMark {
                let multiline = i + 2 < b.count && b[i + 1] == quoteMark && b[i + 2] == quoteMark
                var j = i + (multiline ? 3 : 1)
                while j < b.count {
                    if b[j] == backslash { j += 2; continue }
                    if b[j] == quoteMark && (!multiline || (j + 2 < b.count && b[j + 1] == quoteMark && b[j + 2] == quoteMark)) { break }
                    j += 1
                }
                let end = min(b.count, j + (multiline ? 3 : 1))
                let literal = substituted(b[i..<end])
                let isValue = last == UInt8(ascii: "=") || last == UInt8(ascii: "[") || (last == UInt8(ascii: ",") && brackets.last == UInt8(ascii: "["))
                if isValue && !multiline {
                    skeleton += hole.utf8
                    literals.append(literal)
                } else {
                    skeleton += literal.utf8
                }
                last = quoteMark
                i = end
                continue
            }
            switch c {
            case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "("): brackets.append(c)
            case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ")"): _ = brackets.popLast()
            default: break
            }
            if c != UInt8(ascii: " ") && c != UInt8(ascii: "\n") { last = c }
            skeleton.append(c)
            i += 1
        }
        return (String(decoding: skeleton, as: UTF8.self), literals)
    }

    /// The `for` that writes the VMs from `start` on, and how many it writes; nil when fewer than
    /// `minLoop` VMs can share one. A string that differs between them becomes an `if` on the
    /// index (`if i % 10 == 0 { "cache" } else { "app" }`) when its exceptions are few: at most
    /// one condition (an `i % n == r` or a listed index) per four VMs.
    static func loop(_ vms: [ImportModel.VM], from start: Int, keepMAC: (String, String) -> Bool) -> (text: String, count: Int)? {
        guard let first = loopKey(vms[start], keepMAC: keepMAC) else { return nil }
        var run = [first]
        var k = start + 1
        while k < vms.count, let next = loopKey(vms[k], keepMAC: keepMAC), next.prefix == first.prefix,
              next.index == run[run.count - 1].index + 1, next.bases == first.bases, next.skeleton == first.skeleton {
            run.append(next)
            k += 1
        }
        // the whole run with conditions, else the VMs that agree on every string too
        if run.count >= minLoop, let values = conditionalLiterals(run) {
            return (forText(run, values), run.count)
        }
        let same = run.prefix { $0.literals == first.literals }
        guard same.count >= minLoop else { return nil }
        return (forText(Array(same), first.literals), same.count)
    }

    static func forText(_ run: [LoopKey], _ values: [String]) -> String {
        var body = "", rest = Substring(run[0].skeleton), n = 0
        while let h = rest.range(of: hole) {
            body += rest[..<h.lowerBound] + values[n]
            n += 1
            rest = rest[h.upperBound...]
        }
        body += rest
        return "for i in \(run[0].index)..=\(run[run.count - 1].index) {\n" + body + "}\n"
    }

    /// Per cut-out string of the run, the expression that gives each VM its own; nil when that
    /// takes more than one condition per four VMs.
    static func conditionalLiterals(_ run: [LoopKey]) -> [String]? {
        var out: [String] = [], conditions = 0
        for p in run[0].literals.indices {
            let values = run.map { $0.literals[p] }
            var order: [String] = [], indices: [String: [Int]] = [:]
            for (key, v) in zip(run, values) {
                if indices[v] == nil { order.append(v) }
                indices[v, default: []].append(key.index)
            }
            if order.count == 1 { out.append(values[0]); continue }
            // the most frequent value is the `else`; ties go to the first seen
            let common = order.max { indices[$0]!.count < indices[$1]!.count || (indices[$0]!.count == indices[$1]!.count && order.firstIndex(of: $0)! > order.firstIndex(of: $1)!) }!
            var text = ""
            for v in order where v != common {
                let (condition, cost) = condition(indices[v]!, from: run[0].index, to: run[run.count - 1].index)
                conditions += cost
                text += "if \(condition) { \(v) } else "
            }
            out.append(text + "{ \(common) }")
        }
        return conditions * 4 <= run.count ? out : nil
    }

    /// `i % n == r` when `indices` (three or more) are exactly the run's indices with that
    /// remainder (two make a rule by chance too often), else
    /// `i == k` or `i in [k, …]`; and what it costs (a rule 1, a list its length).
    static func condition(_ indices: [Int], from lo: Int, to hi: Int) -> (String, Int) {
        if indices.count >= 3 {
            let step = indices[1] - indices[0]
            if step >= 2, zip(indices, indices.dropFirst()).allSatisfy({ $1 - $0 == step }),
               indices[0] - step < lo, indices[indices.count - 1] + step > hi {
                return ("i % \(step) == \(indices[0] % step)", 1)
            }
        }
        if indices.count == 1 { return ("i == \(indices[0])", 1) }
        return ("i in [" + indices.map(String.init).joined(separator: ", ") + "]", indices.count)
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
