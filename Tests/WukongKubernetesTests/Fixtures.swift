import Foundation
import WukongIR
import WukongNet

/// Hand-built IR topologies (what lowering produces), used until and alongside the examples.
enum Fixtures {
    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }
    static func cidr(_ s: String) -> CIDR { CIDR.parse(s).cidr! }
    static func ifaddr(_ s: String) -> IfAddr { IfAddr(s)! }
    static func mac(_ s: String) -> MACAddress { MACAddress(s)! }

    static let baseLabels = [KeyValue("app.kubernetes.io/managed-by", "wukongc"), KeyValue("wukong.dev/topology", "lab")]

    /// LANGUAGE.md §1: one VM, a bridged external NIC and a macvtap management NIC.
    static func lab() -> Topology {
        let ens192 = LinkRef(kind: .nic, name: "ens192", ifname: "ens192")
        let ens160 = LinkRef(kind: .nic, name: "ens160", ifname: "ens160")
        var t = Topology(name: "lab", namespace: "vms", labels: baseLabels)
        t.nics = [NodeNic(name: "ens192", hosts: nil, settings: [NodeNicSettings(host: nil)]),
                  NodeNic(name: "ens160", hosts: nil, settings: [NodeNicSettings(host: nil)])]
        t.bridges = [Bridge(name: "br-external", ifname: "br-external", kind: .linux, ports: [ens192], stp: false,
                            mtu: nil, hosts: nil, managed: true, nodeAddresses: [])]
        t.networks = [
            Network(name: "external", attachment: .bridge(name: "br-external", ifname: "br-external"),
                    subnet: cidr("192.168.0.0/24"), gateway: ip("192.168.0.1"), dns: [ip("192.168.0.1"), ip("8.8.8.8")],
                    nadName: "external"),
            Network(name: "management", attachment: .macvlan(ens160), subnet: cidr("192.168.100.0/24"),
                    gateway: ip("192.168.100.1"), nadName: "management"),
        ]
        t.policies = [NodePolicy(name: "lab-br-external", host: nil, nodeSelector: [], interfaces: [.bridge("br-external")])]
        t.vms = [VM(name: "ubuntu-vm", cpu: 2, memory: Quantity(bytes: 4 << 30),
                    image: "quay.io/containerdisks/ubuntu:22.04",
                    users: [User(name: "ubuntu",
                                 passwordHash: "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1",
                                 sudo: "ALL=(ALL) NOPASSWD:ALL", groups: ["sudo", "adm"])],
                    nics: [
                        VMNic(name: "default", network: nil, binding: .masquerade, mac: mac("0e:11:22:33:44:01"), address: .dhcp),
                        VMNic(name: "ext", network: "external", binding: .bridge, mac: mac("0e:11:22:33:44:02"),
                              address: .static(ifaddr("192.168.0.200/24")), defaultRoute: true, networkName: "vms/external"),
                        VMNic(name: "mgmt", network: "management", binding: .macvtap, mac: mac("0e:11:22:33:44:03"),
                              address: .static(ifaddr("192.168.100.2/24")), metric: 100, networkName: "vms/management"),
                    ],
                    secretName: "ubuntu-vm-cloudinit", firmwareUUID: Hash.uuidV5URL("wukong://vms/ubuntu-vm"))]
        return t
    }

    /// Everything the back end can express that the referee tools accept: hosts with per-host
    /// node addresses moved onto a bridge, a VLAN, a bond under an OVS bridge, static and
    /// host-local per-NIC NADs, SR-IOV, pinning and affinity, cloud_config, a halted VM.
    static func datacenter() -> Topology {
        let ens192 = LinkRef(kind: .nic, name: "ens192", ifname: "ens192")
        let ens160 = LinkRef(kind: .nic, name: "ens160", ifname: "ens160")
        let ens161 = LinkRef(kind: .nic, name: "ens161", ifname: "ens161")
        let ens162 = LinkRef(kind: .nic, name: "ens162", ifname: "ens162")
        let bond0 = LinkRef(kind: .bond, name: "bond0", ifname: "bond0")
        let v100 = LinkRef(kind: .vlan, name: "v100", ifname: "ens160.100")
        var t = Topology(name: "dc", namespace: "lab", createNamespace: true,
                         labels: [KeyValue("app.kubernetes.io/managed-by", "wukongc"), KeyValue("wukong.dev/topology", "dc"),
                                  KeyValue("team", "net")],
                         nodeSelector: [KeyValue("node-role.kubernetes.io/worker", "")])
        t.hosts = [Host(name: "worker-1", hostname: "worker-1.lab"), Host(name: "worker-2", hostname: "worker-2.lab")]
        t.nics = [
            NodeNic(name: "ens192", hosts: ["worker-1", "worker-2"], settings: [
                NodeNicSettings(host: "worker-1", address: ifaddr("10.1.0.21/24"), gateway: ip("10.1.0.1"),
                                dns: [ip("10.1.0.1"), ip("1.1.1.1")], mtu: 1500),
                NodeNicSettings(host: "worker-2", dhcp: true),
            ]),
            NodeNic(name: "ens160", hosts: nil, settings: [NodeNicSettings(host: nil)]),
            NodeNic(name: "ens161", hosts: nil, settings: [NodeNicSettings(host: nil)]),
            NodeNic(name: "ens162", hosts: nil, settings: [NodeNicSettings(host: nil)]),
        ]
        t.vlans = [Vlan(name: "v100", ifname: "ens160.100", base: ens160, id: 100, mtu: 1500)]
        t.bonds = [Bond(name: "bond0", ifname: "bond0", ports: [ens161, ens162], mode: "active-backup", mtu: 9000)]
        t.bridges = [
            Bridge(name: "br-external", ifname: "br-external", kind: .linux, ports: [ens192], stp: true, mtu: 1500,
                   hosts: nil, managed: true, nodeAddresses: [
                       BridgeNodeAddress(host: "worker-1", fromNic: "ens192", fromIfname: "ens192",
                                         address: ifaddr("10.1.0.21/24"), dhcp: false, gateway: ip("10.1.0.1"),
                                         dns: [ip("10.1.0.1"), ip("1.1.1.1")]),
                       BridgeNodeAddress(host: "worker-2", fromNic: "ens192", fromIfname: "ens192",
                                         address: nil, dhcp: true, gateway: nil, dns: []),
                   ]),
            Bridge(name: "br-mgmt", ifname: "br-mgmt", kind: .linux, ports: [v100], stp: false, mtu: nil,
                   hosts: ["worker-1"], managed: true, nodeAddresses: []),
            Bridge(name: "br-ovs", ifname: "br-ovs", kind: .ovs, ports: [bond0], stp: false, mtu: nil,
                   hosts: nil, managed: true, nodeAddresses: []),
            Bridge(name: "br-existing", ifname: "br0", kind: .linux, ports: [], stp: false, mtu: nil,
                   hosts: nil, managed: false, nodeAddresses: []),
        ]
        t.networks = [
            Network(name: "external", attachment: .bridge(name: "br-external", ifname: "br-external"), vlan: 200,
                    subnet: cidr("10.2.0.0/24"), gateway: ip("10.2.0.1"), dns: [ip("10.2.0.1")], search: ["lab.local"],
                    mtu: 1500, routes: [Route(to: cidr("10.10.0.0/16"), via: ip("10.2.0.254"))], nadName: "external"),
            Network(name: "mgmt", attachment: .bridge(name: "br-mgmt", ifname: "br-mgmt"),
                    subnet: cidr("192.168.100.0/24"), gateway: ip("192.168.100.1"), dns: [ip("192.168.100.1")],
                    ipam: .static),
            Network(name: "legacy", attachment: .bridge(name: "br-mgmt", ifname: "br-mgmt"),
                    subnet: cidr("192.168.101.0/24"), gateway: ip("192.168.101.1"), ipam: .hostLocal),
            Network(name: "storage", attachment: .ovs(name: "br-ovs", ifname: "br-ovs"), vlan: 300,
                    subnet: cidr("172.16.0.0/16"), mtu: 9000, nadName: "storage"),
            Network(name: "fast", attachment: .sriov(resource: "intel.com/sriov_netdevice"), vlan: 400,
                    subnet: cidr("172.17.0.0/24"), nadName: "fast"),
            Network(name: "direct", attachment: .macvlan(ens160), subnet: cidr("192.168.1.0/24"),
                    gateway: ip("192.168.1.1"), nadName: "direct"),
            Network(name: "dyn", attachment: .bridge(name: "br-external", ifname: "br-external"), ipam: .dhcp,
                    nadName: "dyn"),
            Network(name: "outside", attachment: .bridge(name: "br-existing", ifname: "br0"),
                    subnet: cidr("10.3.0.0/24"), nadName: "outside"),
        ]
        t.policies = [
            NodePolicy(name: "dc-br-external-worker-1", host: "worker-1",
                       nodeSelector: [KeyValue("kubernetes.io/hostname", "worker-1.lab")],
                       interfaces: [.releasedNic("ens192"), .bridge("br-external")]),
            NodePolicy(name: "dc-br-external-worker-2", host: "worker-2",
                       nodeSelector: [KeyValue("kubernetes.io/hostname", "worker-2.lab")],
                       interfaces: [.releasedNic("ens192"), .bridge("br-external")]),
            NodePolicy(name: "dc-br-mgmt-worker-1", host: "worker-1",
                       nodeSelector: [KeyValue("kubernetes.io/hostname", "worker-1.lab")],
                       interfaces: [.vlan("v100"), .bridge("br-mgmt")]),
            NodePolicy(name: "dc-br-ovs", host: nil, nodeSelector: [KeyValue("node-role.kubernetes.io/worker", "")],
                       interfaces: [.bond("bond0"), .bridge("br-ovs")]),
        ]
        let hash = "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1"
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3p2vPKv8W4d2Sg9l6h0mB7yQJmXc6aN0sK4tZk3bR admin@lab"
        t.vms = [
            VM(name: "web", cpu: 2, memory: Quantity(bytes: 2 << 30), image: "quay.io/containerdisks/fedora:40",
               affinityHostnames: ["worker-1.lab"], labels: [KeyValue("tier", "web"), KeyValue("team", "frontend")],
               run: ["systemctl enable --now nginx", "echo 'done: yes' > /tmp/state"],
               cloudConfig: "packages: [nginx]\nwrite_files:\n- path: /etc/motd\n  content: |\n    hello\n    world\n  permissions: '0644'\nssh_pwauth: no\n",
               users: [User(name: "admin", passwordHash: hash, sshKeys: [key], sudo: "ALL=(ALL) NOPASSWD:ALL",
                            shell: "/bin/bash", groups: ["wheel"])],
               nics: [
                   VMNic(name: "default", network: nil, binding: .masquerade, mac: mac("0e:aa:00:00:00:01"), address: .dhcp),
                   VMNic(name: "ext", network: "external", binding: .bridge, mac: mac("0e:aa:00:00:00:02"),
                         address: .static(ifaddr("10.2.0.10/24")), ifname: "ext0", metric: 20, defaultRoute: true,
                         networkName: "lab/external"),
                   VMNic(name: "mgmt", network: "mgmt", binding: .bridge, mac: mac("0e:aa:00:00:00:03"),
                         address: .static(ifaddr("192.168.100.10/24")), networkName: "lab/web-mgmt-nad",
                         ownNAD: "web-mgmt-nad"),
                   VMNic(name: "old", network: "legacy", binding: .bridge, mac: mac("0e:aa:00:00:00:04"),
                         address: .static(ifaddr("192.168.101.10/24")), networkName: "lab/web-legacy-nad",
                         ownNAD: "web-legacy-nad"),
               ],
               secretName: "web-cloudinit", firmwareUUID: Hash.uuidV5URL("wukong://lab/web")),
            VM(name: "db", cpu: 4, memory: Quantity(bytes: 8 << 30), image: "quay.io/containerdisks/centos-stream:9",
               pinnedHostname: "worker-1.lab", running: false,
               nics: [
                   VMNic(name: "storage", network: "storage", binding: .bridge, mac: mac("0e:aa:00:00:01:01"),
                         address: .static(ifaddr("172.16.0.5/16")), networkName: "lab/storage"),
                   VMNic(name: "fast", network: "fast", binding: .sriov, mac: mac("0e:aa:00:00:01:02"),
                         address: .static(ifaddr("172.17.0.5/24")), networkName: "lab/fast"),
                   VMNic(name: "direct", network: "direct", binding: .macvtap, mac: mac("0e:aa:00:00:01:03"),
                         address: .static(ifaddr("192.168.1.5/24")), defaultRoute: true, networkName: "lab/direct"),
                   VMNic(name: "dyn", network: "dyn", binding: .bridge, mac: mac("0e:aa:00:00:01:04"),
                         address: .dhcp, networkName: "lab/dyn"),
                   VMNic(name: "outside", network: "outside", binding: .bridge, mac: mac("0e:aa:00:00:01:05"),
                         address: .static(ifaddr("10.3.0.7/24")), networkName: "lab/outside"),
               ],
               secretName: "db-cloudinit", firmwareUUID: Hash.uuidV5URL("wukong://lab/db")),
        ]
        return t
    }

    /// `count` VMs on one bridged network (performance and chunking tests).
    static func many(_ count: Int) -> Topology {
        var t = lab()
        t.vms = []
        let base = ip("10.0.0.10")
        t.networks[0].subnet = cidr("10.0.0.0/8")
        t.networks[0].gateway = ip("10.0.0.1")
        for i in 0..<count {
            let name = "web-\(i)"
            t.vms.append(VM(name: name, cpu: 1, memory: Quantity(bytes: 2 << 30), image: "quay.io/containerdisks/fedora:40",
                            users: [User(name: "admin", sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3p2vPKv8W4d2Sg9l6h0mB7yQJmXc6aN0sK4tZk3bR"])],
                            nics: [
                                VMNic(name: "default", network: nil, binding: .masquerade,
                                      mac: MACAddress(0x0e00_0000_0000 | UInt64(2 * i)), address: .dhcp),
                                VMNic(name: "ext", network: "external", binding: .bridge,
                                      mac: MACAddress(0x0e00_0000_0000 | UInt64(2 * i + 1)),
                                      address: .static(IfAddr(address: base.adding(i)!, prefix: 8)), defaultRoute: true,
                                      networkName: "vms/external"),
                            ],
                            secretName: "\(name)-cloudinit", firmwareUUID: Hash.uuidV5URL("wukong://vms/\(name)")))
        }
        return t
    }
}
