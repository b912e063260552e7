import XCTest
import WukongDiagnostics
@testable import WukongSyntax

/// Every `wk` program of LANGUAGE.md, copied verbatim. They must parse without diagnostics
/// (the error program's faults are semantic), and every byte prefix must parse without a crash.
enum LanguageExamples {
    static let lab = #"""
// lab.wk — one VM with a bridged external NIC and a macvlan management NIC
import std.images
import std.sizes

topology lab {
  namespace = "vms"
}

nic ens192                       // node NICs, present on every node
nic ens160

bridge br-external {             // nmstate builds it: NodeNetworkConfigurationPolicy
  ports = [ens192]
}

network external {               // Multus NetworkAttachmentDefinition, bridge CNI
  bridge  = br-external
  subnet  = 192.168.0.0/24
  gateway = 192.168.0.1
  dns     = [192.168.0.1, 8.8.8.8]
}

network management {             // straight onto a node NIC (KubeVirt macvtap binding): no bridge needed
  macvlan = ens160
  subnet  = 192.168.100.0/24
  gateway = 192.168.100.1
}

vm ubuntu-vm {
  ...sizes.medium                // cpu = 2, memory = 4Gi
  image = images.ubuntu_2204

  user ubuntu {
    password_hash = "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1"
    sudo   = "ALL=(ALL) NOPASSWD:ALL"
    groups = ["sudo", "adm"]
  }

  nic default on pod                                    // pod network, masquerade
  nic ext  on external   { address = 192.168.0.200 }
  nic mgmt on management { address = auto, metric = 100 }
}
"""#

    static let nodeSide = #"""
host worker-1 {                         // optional; without hosts, every node is alike
  hostname = "worker-1.lab"             // kubernetes.io/hostname; default: the name
  nic ens192 { address = 192.168.0.121/24, gateway = 192.168.0.1 }   // this host's NIC and node address
  nic ens160
}
nic ens161                              // top level: a NIC that every node has
vlan mgmt-vlan on ens160 { id = 100 }   // Linux name defaults to "ens160.100"; ifname = "..." overrides
bond bond0 { ports = [ens161, ens162], mode = "active-backup" }
bridge br-mgmt { ports = [mgmt-vlan], stp = false, mtu = 1500 }
bridge br-external { ports = [ens192] }   // takes over ens192's node address on worker-1
bridge br-existing { managed = false }  // already on the nodes: referenced, never generated
ovs-bridge br-ovs { ports = [bond0] }
"""#

    static let network = #"""
network external {
  bridge  = br-external     // exactly one of: bridge, ovs, macvlan, sriov
  vlan    = 200             // CNI-level VLAN tag (bridge, ovs, sriov)
  subnet  = 192.168.0.0/24
  gateway = 192.168.0.1
  dns     = [192.168.0.1]
  search  = ["lab.local"]
  mtu     = 1500
  pool    = 192.168.0.100 ..= 192.168.0.199   // where `address = auto` draws from
  routes  = [{ to = 10.10.0.0/16, via = 192.168.0.254 }]
  ipam    = "none"          // none | static | host-local | whereabouts | dhcp  (default none)
  nad     = "existing-nad"  // use an existing NetworkAttachmentDefinition ("ns/name" too), emit none
}
"""#

    static let vm = #"""
vm db-1 {
  cpu     = 4                 // cores, ≥ 1
  memory  = 8Gi               // ≥ 128Mi
  image   = images.fedora     // containerDisk image reference
  host    = worker-1          // optional: pin (nodeSelector kubernetes.io/hostname)
  running = true              // default true (runStrategy Always / Halted)
  labels  = { tier = "db" }
  run     = ["systemctl enable --now postgresql"]   // cloud-config runcmd
  cloud_config = """
    packages: [postgresql]
    """                       // extra #cloud-config, parsed at compile time and merged

  user admin {
    password_hash = "$6$rounds=4096$saltsalt$3lJ0ZB2/0Bq6tBbvKQ5Lr4lV9wR0o1k3E0m4KZ9u8l1"  // crypt(3); plain `password` is rejected
    ssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3p2vPKv8W4d2Sg9l6h0mB7yQJmXc6aN0sK4tZk3bR admin@lab"]
    sudo   = "ALL=(ALL) NOPASSWD:ALL"
    shell  = "/bin/bash"
    groups = ["wheel"]
  }

  nic default on pod                          // pod network (masquerade); at most one
  nic data on data-net {
    address = 10.0.0.5                        // or 10.0.0.5/24, `auto`, `dhcp`
    mac     = "0e:00:00:00:00:05"             // optional; otherwise derived, stable
    ifname  = "data0"                         // optional guest name (netplan set-name)
    metric  = 100                             // route metric of this NIC's routes
    default_route = true                      // install 0.0.0.0/0 via the gateway
  }
}
"""#

    static let forIf = #"""
for i in 1..=20 {
  vm "web-${i}" {
    ...sizes.small
    image = images.ubuntu_2204
    nic default on pod
    nic ext on external { address = 192.168.0.100 + i }
  }
}
if enable_ovs { ovs-bridge br-ovs { ports = [ens161] } }
"""#

    static let dualMacvlan = #"""
// dual-macvlan.wk — two macvlan networks on one node NIC (no nmstate needed)
import std.images
nic ens160
network management { macvlan = ens160, subnet = 192.168.100.0/24, gateway = 192.168.100.1, dns = [192.168.100.1, 114.114.114.114] }
network external   { macvlan = ens160, subnet = 192.168.1.0/24,   gateway = 192.168.1.1,   dns = [192.168.1.1, 8.8.8.8] }
vm ubuntu-vm-dual-network {
  cpu = 2
  memory = 4Gi
  image = images.fedora
  nic default on pod
  nic mgmt on management { address = 192.168.100.10, metric = 100 }
  nic ext  on external   { address = 192.168.1.200,  metric = 200, default_route = true }
}
"""#

    static let vlanBridge = #"""
// vlan-bridge.wk — management on a VLAN-backed bridge, external on macvlan
nic ens160
vlan v100 on ens160 { id = 100 }
bridge br-mgmt { ports = [v100] }
network management { bridge = br-mgmt, subnet = 192.168.100.0/24, gateway = 192.168.100.1 }
network external   { macvlan = ens160, subnet = 192.168.1.0/24, gateway = 192.168.1.1 }
vm app { cpu = 1, memory = 2Gi, image = "quay.io/containerdisks/fedora:40"
  nic mgmt on management { address = 192.168.100.10 }
  nic ext on external { address = 192.168.1.200 }
}
"""#

    static let errorProgram = #"""
nic ens192
bridge br-external { ports = [ens192] }
network external { bridge = br-externl, subnet = 192.168.0.0/24 }   // names: did you mean br-external
network wrong    { bridge = ens192 }                                // types: Nic where Bridge expected
vm a { cpu = 1, memory = 1Gi, image = "x"
  nic e on external { address = 192.168.1.200 }                     // N-SUBNET (note at subnet)
}
vm b { cpu = 1, memory = 1Gi, image = "x"
  nic e on external { address = 192.168.0.0 }                       // N-RESERVED
}
"""#

    static let all: [(String, String)] = [("lab", lab), ("nodeSide", nodeSide), ("network", network), ("vm", vm), ("forIf", forIf), ("dualMacvlan", dualMacvlan), ("vlanBridge", vlanBridge), ("errorProgram", errorProgram)]
}
