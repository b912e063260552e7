import Foundation
import Yams

/// `Wukong` custom resources (`vm.novasphere.dev/v1alpha1`) of the operator this project
/// replaces: one VM each, with its networks inline. Field list: issue #12; mapping and the
/// operator's known faults: docs/import.md, "Wukong custom resources".
extension Reader {
    static let wukongGroup = "vm.novasphere.dev/"

    static func isWukongCR(_ o: Object) -> Bool {
        (o["kind"] as? String) == "Wukong" && ((o["apiVersion"] as? String)?.hasPrefix(wukongGroup) ?? false)
    }

    mutating func readWukong(_ o: Object) {
        let spec = o["spec"] as? Object ?? [:]
        var vm = ImportModel.VM(name: name(o))
        vm.cpu = spec["cpu"] as? Int ?? (spec["cpu"] as? String).flatMap { Int($0) }
        vm.memory = spec["memory"].map { "\($0)" }
        if let size = Reader.sizes.first(where: { $0.cpu == vm.cpu && $0.memory == vm.memory }) { vm.size = "sizes." + size.name }
        if let image = spec["osImage"] as? String {
            vm.image = Reader.images.first(where: { $0.ref == image }).map { "images." + $0.name } ?? quote(image)
        } else { note(o, "no `osImage`: the VM needs an `image`") }
        let known: Set<String> = ["cpu", "memory", "osImage", "networks", "cloudInitUser", "sshKeySecret"]
        for k in spec.keys.sorted() where !known.contains(k) { note(o, "`spec.\(k)` is not a field of the Wukong CR the import knows, dropped") }

        var user: ImportModel.User? = nil
        if let u = spec["cloudInitUser"] as? Object, let n = u["name"] as? String {
            var x = ImportModel.User(name: n)
            x.passwordHash = u["passwordHash"] as? String
            x.sudo = u["sudo"] as? String ?? (u["sudo"] as? Bool == true ? "ALL=(ALL) NOPASSWD:ALL" : nil)
            x.shell = u["shell"] as? String
            if let g = u["groups"] as? [Any] { x.groups = g.map { "\($0)" } } else if let g = u["groups"] as? String {
                x.groups = g.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            user = x
        }
        if let secret = spec["sshKeySecret"] as? String {
            let ns = meta(o)["namespace"] as? String ?? ""
            if let s = secrets["\(ns)/\(secret)"] {
                usedSecrets.insert("\(ns)/\(secret)")
                var keys: [String] = []
                for (_, v) in (s["data"] as? Object ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let b = v as? String, let t = Reader.base64(b) { keys += t.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }
                }
                for (_, v) in (s["stringData"] as? Object ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let t = v as? String { keys += t.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }
                }
                if user == nil { user = ImportModel.User(name: "cloud-user") ; note(o, "`sshKeySecret` without `cloudInitUser`: the keys go to a user `cloud-user`") }
                user?.sshKeys = keys
            } else {
                note(o, "`sshKeySecret` \(secret) is not among the inputs: write its keys as the user's `ssh_keys`")
            }
        }
        if let user { vm.users.append(user) }

        for case let n as Object in spec["networks"] as? [Any] ?? [] {
            guard let netName = n["name"] as? String else { note(o, "a network without `name`, dropped"); continue }
            let type = n["type"] as? String ?? "bridge"
            let bridgeName = n["bridgeName"] as? String
            var net = ImportModel.Network(name: netName, attachment: ("bridge", ""))
            switch type {
            case "bridge", "ovs":
                guard let b = bridgeName else { note(o, "network \(netName): no `bridgeName`, dropped"); continue }
                // the operator attached to a bridge it did not build: referenced, not generated
                if !model.bridges.contains(where: { $0.name == b }) {
                    model.bridges.append(.init(name: b, ports: [], managed: false, ovs: type == "ovs"))
                }
                net.attachment = (type, b)
            case "macvlan":
                guard let link = bridgeName else { note(o, "network \(netName): macvlan without a link (`bridgeName`), dropped"); continue }
                addNic(link)
                net.attachment = ("macvlan", link)
                fault(o, "network \(netName): the operator put macvlan under KubeVirt's bridge binding (the guest gets an address but "
                        + "no inbound traffic, DOMAIN.md §6); imported as `macvlan = \(link)`, which uses the macvtap binding")
            case "sriov":
                guard let r = bridgeName ?? n["nadName"] as? String else { note(o, "network \(netName): SR-IOV without a resource, dropped"); continue }
                net.attachment = ("sriov", quote(r))
            default:
                note(o, "network \(netName): type `\(type)` is not one of bridge/macvlan/sriov/ovs, dropped"); continue
            }
            if let v = n["vlanId"] as? Int { net.vlan = v }
            if let nad = n["nadName"] as? String, type != "sriov" {
                note(o, "network \(netName): `nadName` \(nad) (the operator's per-VM host-local NAD) replaced by one NAD per network "
                        + "with the address in cloud-init (`ipam = \"none\"`)")
            }
            var nic = ImportModel.Nic(name: netName, network: netName)
            if let ip = n["ipConfig"] as? Object {
                switch ip["mode"] as? String {
                case "static":
                    if let a = ip["address"] as? String {
                        let parts = a.split(separator: "/")
                        guard Reader.isIP(String(parts.first ?? "")) else {
                            fault(o, "network \(netName): address `\(a)` is not an IP address, dropped"); break
                        }
                        nic.address = String(parts[0])
                        if parts.count == 2, let p = Int(parts[1]) { net.subnet = Reader.subnet(String(parts[0]), p) }
                    }
                    net.gateway = ip["gateway"] as? String
                case "dhcp", nil: nic.address = "dhcp"
                case let m?: note(o, "network \(netName): ipConfig mode `\(m)` dropped")
                }
                if let d = ip["dnsServers"] as? [Any] { net.dns = d.map { "\($0)" } }
            }
            if let k = model.networks.firstIndex(where: { $0.name == netName }) {
                // shared by several CRs: declared once; the first CR's settings win
                let old = model.networks[k]
                if old.attachment != net.attachment || old.vlan != net.vlan || (net.subnet != nil && old.subnet != nil && old.subnet != net.subnet) {
                    note(o, "network \(netName) differs from the one of an earlier Wukong CR; the earlier one is kept")
                }
                if model.networks[k].subnet == nil { model.networks[k].subnet = net.subnet }
                if model.networks[k].gateway == nil { model.networks[k].gateway = net.gateway }
                if model.networks[k].dns.isEmpty { model.networks[k].dns = net.dns }
            } else {
                model.networks.append(net)
            }
            vm.nics.append(nic)
        }
        if vm.nics.count > 0 {
            fault(o, "the operator configured guest NICs by kernel name (`enp2s0`, `eth1`; not stable, DOMAIN.md §6): "
                    + "the import matches them by MAC (derived) instead")
        }
        model.vms.append(vm)
    }
}
