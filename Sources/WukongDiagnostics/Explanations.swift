/// Texts of `wukongc explain CODE`: a paragraph and a small example for every code.
public enum Explanations {
    public static func text(for code: DiagnosticCode) -> String {
        let (title, body, example) = entry(code)
        var out = "\(code.rawValue) (\(code.check), \(code.severity.rawValue)): \(title)\n\n\(body)\n"
        if !example.isEmpty {
            out += "\nExample:\n\n" + example.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    // swiftlint:disable function_body_length
    static func entry(_ c: DiagnosticCode) -> (String, String, String) {
        switch c {
        case .invalidCharacter:
            return ("invalid character", "The source contains a character that cannot start any token (a NUL byte, a control character, a stray symbol such as `@` or `#`). Remove it.", "let x = 1 @ 2   // `@` is not an operator")
        case .invalidUTF8:
            return ("invalid UTF-8", "Source files must be UTF-8. A byte sequence that is not valid UTF-8 was found; re-save the file as UTF-8.", "")
        case .unterminatedString:
            return ("unterminated string", "A string literal was opened with `\"` (or `\"\"\"`) but never closed before the end of the line (or file). Add the closing quote.", "image = \"quay.io/containerdisks/fedora:41   // missing \"")
        case .unterminatedComment:
            return ("unterminated block comment", "A `/*` comment was never closed by `*/`. Block comments nest, so every `/*` inside needs its own `*/`.", "/* outer /* inner */   // outer still open")
        case .invalidEscape:
            return ("invalid escape sequence", "Strings support the escapes `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}` (a Unicode scalar in hex). Any other backslash sequence is an error; write `\\\\` for a literal backslash.", "run = [\"echo a\\qb\"]   // `\\q` is not an escape")
        case .invalidNumber:
            return ("invalid number", "An integer literal is malformed or does not fit in a 64-bit signed integer. Integers are written `42`, `0x2a` or `1_000`.", "let big = 9223372036854775808")
        case .invalidQuantity:
            return ("invalid quantity suffix", "A number directly followed by letters is a quantity; its suffix must be exactly one of `Ki Mi Gi Ti Pi Ei` (powers of 1024) or `k M G T P E` (powers of 1000). Suffixes are case-sensitive: `4Gi`, not `4GB` or `4gi`.", "memory = 4GB   // write 4Gi (binary) or 4G (decimal)")
        case .invalidIPv4:
            return ("invalid IPv4 literal", "A digit run followed by `.digit` starts an IPv4 literal, which must have exactly four decimal octets from 0 to 255 without leading zeros. IPv6 addresses are written as strings.", "gateway = 192.168.0    // three octets\ngateway = 010.0.0.1    // leading zero")
        case .invalidPrefix:
            return ("invalid prefix length", "An IPv4 literal directly followed by `/` takes a prefix length from 0 to 32.", "subnet = 10.0.0.0/33")
        case .unexpectedToken:
            return ("syntax error", "The parser expected something else at this point. The message names what was expected and what was found; parsing resumes at the next declaration or attribute, so later errors are still reported.", "vm web { cpu = }   // expected an expression, found `}`")
        case .multilineIndentation:
            return ("bad indentation in multi-line string", "In a `\"\"\"` string the indentation of the closing `\"\"\"` is removed from every line; a line indented less than the closing delimiter is an error. The opening `\"\"\"` must end its line and the closing one must stand on a line of its own.", "cloud_config = \"\"\"\n    packages: [nginx]\n  bad: line\n    \"\"\"")
        case .nestingTooDeep:
            return ("nesting too deep", "Brackets, braces, parentheses or string interpolations are nested deeper than the compiler accepts. Such input is not a realistic topology; flatten it with `let`.", "")
        case .invalidIdentifier:
            return ("invalid identifier", "Identifiers are `[A-Za-z_][A-Za-z0-9_-]*` and may not end in `-`. Dashes belong to names, so subtraction needs spaces: `a - 1`.", "let web- = 1")
        case .unknownName:
            return ("unknown name", "The name is not declared in the topology (in any of its files), in an imported module, or in an enclosing `let`/`for`/`fn` scope. A close match is suggested when one exists. Since dashes are part of names, `i-1` is one name: write `i - 1` to subtract.", "bridge br-external { ports = [ens192] }\nnetwork external { bridge = br-externl }   // did you mean `br-external`?")
        case .duplicateDeclaration:
            return ("duplicate declaration", "Two top-level declarations have one name, whatever their kinds (resources, `let`, `fn`, imports and node NICs share one namespace). The note points at the first. A NIC declared inside several hosts is one logical NIC, not a duplicate; declaring it at top level and inside a host is.", "bridge br0 { ports = [ens192] }\nnetwork br0 { bridge = br0 }   // `br0` is already a bridge")
        case .unknownAttribute:
            return ("unknown attribute", "The block does not have an attribute of this name. The help lists the closest attribute this kind of block knows. A record spread `...r` whose field the block does not know is reported at the spread.", "vm web { cpus = 2 }   // did you mean `cpu`?")
        case .missingAttribute:
            return ("missing required attribute", "Some attributes are required: `cpu`, `memory` and `image` on `vm`; `id` on `vlan`; `ports` on `bond`.", "vm web { cpu = 1, memory = 2Gi }   // missing `image`")
        case .duplicateAttribute:
            return ("attribute set twice", "An attribute is written twice in one block. (A value from a spread `...r` may be overridden by one written in the block; that is not an error.)", "vm web { cpu = 1, cpu = 2 }")
        case .unknownModule:
            return ("unknown module", "Only standard-library modules exist (`std.images`, `std.sizes`, `std.dns`). Modules are embedded in the compiler.", "import std.image   // did you mean `std.images`?")
        case .definitionCycle:
            return ("cycle between definitions", "Definitions refer to each other in a cycle, so none of them has a value. The message lists the cycle.", "let a = b + 1\nlet b = a + 1")
        case .recursiveFunction:
            return ("recursive function", "Functions are pure and non-recursive so that evaluation always terminates. A function that calls itself, directly or through others, is an error at its definition.", "fn f(n: Int) -> Int = if n == 0 { 0 } else { f(n - 1) }")
        case .shadowedName:
            return ("local name shadows a topology name", "A `let` or loop variable inside a block, `for` or `if` may not reuse the name of a top-level declaration: rename the local.", "nic ens192\nfor ens192 in 1..=3 { }")
        case .invalidDeclarationName:
            return ("invalid declaration name", "A declaration named by an interpolated string must still produce a valid name: letters, digits, `_` and `-`, starting with a letter or `_`, not ending in `-`.", "for i in 1..=3 { vm \"web ${i}\" { … } }   // space in name")
        case .unknownMember:
            return ("unknown member", "The value has no member of this name. CIDRs have `.network .broadcast .prefix .size .host(n) .contains(ip)`, IPs `.is_v4 .is_v6`, networks `.subnet .gateway .name`, resources `.name`, and `vm.nic.address` reads a VM NIC's address.", "let n = external.subnet.netmask")
        case .typeMismatch:
            return ("type mismatch", "The value has another type than the place where it stands expects. The message names both. There are no implicit conversions except string literals where an IP, CIDR, interface address, MAC or quantity is expected.", "vm web { cpu = \"2\" }   // expected Int, found String")
        case .wrongResourceKind:
            return ("reference to the wrong kind of resource", "A reference names a declared resource of another kind than the attribute needs — typically `bridge = ens192` (a node NIC where a bridge is needed: declare a `bridge` with the NIC as a port, or use `macvlan = ens192`), `macvlan = br-x` (a bridge where a NIC, VLAN or bond is needed) or `ovs =` naming a Linux bridge.", "nic ens192\nnetwork wrong { bridge = ens192 }")
        case .integerOverflow:
            return ("integer overflow", "Int arithmetic is 64-bit signed and checked at compile time; the result of this operation does not fit.", "let x = 9223372036854775807 + 1")
        case .divisionByZero:
            return ("division by zero", "Division or remainder by zero, found at compile time.", "let x = 10 / 0")
        case .invalidLiteralConversion:
            return ("string does not convert to the expected type", "A string literal stands where an IP, CIDR, interface address, MAC or quantity is expected, and its text is not a valid value of that type.", "mac = \"0e:00:00:aa:bb\"   // five octets")
        case .cidrHostBits:
            return ("network with host bits set", "Where a network (CIDR) is expected, the host bits of the address must be zero. The fix-it gives the network the address belongs to. Use an interface address (with host bits) only for NIC and node addresses.", "subnet = 192.168.0.1/24   // did you mean 192.168.0.0/24?")
        case .unknownEnumValue:
            return ("value not in the allowed set", "Enumerated settings are strings checked against their allowed values: bond `mode` (balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb) and network `ipam` (none static host-local whereabouts dhcp).", "network n { ipam = \"hostlocal\" }   // did you mean \"host-local\"?")
        case .unsetAttribute:
            return ("optional attribute read but not set", "There is no null: reading an optional attribute that the declaration does not set is an error at the access.", "network lan { bridge = br0 }\nlet gw = lan.gateway   // `lan` has no gateway")
        case .wrongArgumentCount:
            return ("wrong number of arguments", "A function or method was called with more or fewer arguments than it takes.", "let x = min(1)")
        case .valueOutOfRange:
            return ("value out of range", "An operation produced a value outside its domain: an address leaving its family (`255.255.255.255 + 1`), `.host(n)` outside the network, an oversized range.", "let a = 10.0.0.0/24.host(300)")
        case .notAValue:
            return ("not a value", "An imported module is a namespace, not a value: use its members (`images.fedora`), not the module itself.", "import std.sizes\nvm web { ...sizes }")
        case .assertionFailed:
            return ("assertion failed", "An `assert cond, \"message\"` evaluated to false. The message is the assert's own.", "assert len(vms) <= 100, \"too many VMs\"")
        case .attachment:
            return ("network needs exactly one attachment", "A network attaches VM NICs through exactly one of `bridge` (Linux bridge, bridge CNI), `ovs` (OVS bridge), `macvlan` (a node link, lowered to KubeVirt's macvtap binding) or `sriov` (a device-plugin resource).", "network n { subnet = 10.0.0.0/24 }   // no attachment")
        case .subnet:
            return ("address and subnet disagree", "A static or `auto` address needs the network's `subnet`; an address, gateway or pool must lie inside it. The note points at the subnet.", "network ext { bridge = br0, subnet = 192.168.0.0/24 }\nvm a { … nic e on ext { address = 192.168.1.200 } }")
        case .prefixMismatch:
            return ("prefix length differs from the subnet", "An address written with a prefix (`10.0.0.5/16`) must have the prefix of its network's subnet. Write the bare address to take the subnet's prefix.", "nic e on ext { address = 192.168.0.10/16 }   // subnet is /24")
        case .reservedAddress:
            return ("reserved address", "The address is the network address, the broadcast address or the gateway of its subnet, which no NIC may take.", "nic e on ext { address = 192.168.0.0 }")
        case .duplicateIP:
            return ("address used twice", "Two NICs have the same address in one layer-2 domain — one network, or networks on the same bridge with the same VLAN tag, or on the same macvlan link — or a NIC takes a node's address on the same bridge or link. The error is at the later one, the note at the other. `auto` never collides.", "nic a on ext { address = 192.168.0.10 }\nnic b on ext { address = 192.168.0.10 }")
        case .poolExhausted:
            return ("address pool exhausted", "`address = auto` takes the lowest free address of the network's `pool` (or subnet), skipping the network and broadcast addresses, the gateway, DNS servers, route next hops, node addresses and taken addresses. None was left for this NIC.", "network small { bridge = br0, subnet = 10.0.0.0/30, gateway = 10.0.0.1 }\n// a /30 has one usable address besides the gateway")
        case .duplicateMAC:
            return ("bad or duplicate MAC address", "Two NICs have the same explicit MAC, or a MAC is multicast or all zeros, or `02:00:00:00:00:00` (reserved by KubeVirt's in-pod bridge) is set on a pod NIC. The topology's `mac_prefix` must be one or two octets, locally administered and unicast.", "nic a on ext { mac = \"01:00:5e:00:00:01\" }   // multicast")
        case .vlan:
            return ("invalid VLAN", "A VLAN id must be between 1 and 4094. A `vlan` tag on a `macvlan` network is not possible: tag the link instead (`vlan v on ens160 { id = 100 }` and `macvlan = v`).", "vlan v on ens160 { id = 4095 }")
        case .port:
            return ("link used twice as a port", "A NIC, VLAN or bond can be a port of one bridge or bond only; a bridge or bond cannot be its own port; a `macvlan` link cannot also be a bridge or bond port (the kernel refuses it).", "bridge a { ports = [ens192] }\nbridge b { ports = [ens192] }")
        case .host:
            return ("host placement impossible", "A bridge targets a host that lacks one of its port NICs, or a VM is pinned to a host where the bridge of one of its networks is not built, or the bridges of a VM's networks share no host.", "host w1 { nic ens192 }\nhost w2 { }\nbridge br { ports = [ens192], hosts = [w2] }")
        case .interfaceName:
            return ("invalid interface name", "Linux interface names are at most 15 bytes and contain no `/`, `:` or whitespace. This covers NICs, VLANs (including the derived `<base>.<id>`), bonds and bridges. A guest `ifname` also may not be `default`, `all` or `lo`.", "vlan v on enp129s0f0np0 { id = 1234 }   // enp129s0f0np0.1234 is 18 bytes")
        case .mtu:
            return ("MTU larger than its lower device", "Compared by effective MTU (the declared `mtu`, else 1500): a bridge's MTU cannot exceed any of its ports' (on every host it is built on: a NIC may have its own `mtu` per host), a VLAN's cannot exceed its base's, and a network's `mtu` cannot exceed its bridge's or macvlan link's. Nothing raises a port's MTU for what sits on it; frames above the smaller MTU are dropped. A bond copies its MTU to its ports, so bonds are not compared with their ports; unmanaged bridges and `nad` networks have no known MTU. A node NIC that sets `mtu` is listed in a NodeNetworkConfigurationPolicy: as the base of a VLAN, neither a bridge/bond port nor carrying a node `address`/`dhcp`, that would replace its (undeclared) IP configuration, so it must declare its addressing.", "nic ens192\nbridge br0 { ports = [ens192], mtu = 9000 }   // set `mtu = 9000` on nic ens192")
        case .nodeAddress:
            return ("bridge takes over two node addresses", "When a port NIC carries a node address, the bridge takes it over on that host; a bridge can take over only one port's addressing per host.", "host w1 { nic a { address = 10.0.0.2/24 }\n          nic b { address = 10.0.1.2/24 } }\nbridge br { ports = [a, b] }")
        case .route:
            return ("default route without gateway", "`default_route = true` on a NIC with a static address needs a `gateway` on its network.", "network n { bridge = br0, subnet = 10.0.0.0/24 }\nnic e on n { address = 10.0.0.5, default_route = true }")
        case .ipam:
            return ("IPAM mode does not fit", "`ipam` other than `none` is impossible on `macvlan` and `sriov` networks; a static or `auto` address cannot be honoured by `whereabouts`/`dhcp`, and `dhcp` not by `static`/`host-local`; `static`/`host-local` need a `gateway` and cannot be combined with `nad`; one VM cannot have two NICs on one `static`/`host-local` network (their NADs would share a name).", "network n { macvlan = ens160, ipam = \"whereabouts\" }")
        case .overlapWarning:
            return ("overlapping subnets on one VM", "A VM has NICs on two networks whose subnets overlap (the pod network's 10.0.2.0/24 included when the VM has a pod NIC), so the guest's routing is ambiguous.", "network a { …, subnet = 10.0.0.0/16 }\nnetwork b { …, subnet = 10.0.5.0/24 }")
        case .routeWarning:
            return ("a route that will not work as intended", "A VM has two default routes with the same metric (the guest picks one arbitrarily); or its default route leaves by a secondary NIC while it has a pod NIC, and either the topology has no `cluster_cidrs` (cluster Services and DNS become unreachable) or the image renders networkData without routing policy (replies to clients outside `cluster_cidrs` leave by the other NIC — KubeVirt's masquerade keeps the client's source address); or a NIC sets `metric` but carries no route; or a NIC gets more than three nameservers (glibc uses three).", "topology t { cluster_cidrs = [10.96.0.0/12, 10.244.0.0/16] }\nvm a { …, image = images.fedora\n  nic default on pod\n  nic ext on external { address = 192.168.0.5, default_route = true }   // replies to NodePort clients leave by ext\n}")
        case .migrateWarning:
            return ("VM that cannot live-migrate asks for live migration", "`eviction = \"live-migrate\"` on a VM with a NIC KubeVirt cannot migrate (the macvtap binding of a `macvlan` network): node drains would wait for a migration that never happens. Use `eviction = \"shutdown\"`, or leave `eviction` out (such a VM gets `evictionStrategy: None`).", "vm a { …, eviction = \"live-migrate\"\n  nic m on management   // macvlan network\n}")
        case .unusedWarning:
            return ("unused declaration", "A bridge, VLAN, bond or network that nothing uses: a network is used by a VM NIC, a link by a port list, a VLAN or a network. A bridge that only carries node addresses counts as used.", "bridge br-old { ports = [ens193] }   // no network uses it")
        case .vlanWarning:
            return ("VLAN tagging that will not work as intended", "An `ovs` network without `vlan` trunks every VLAN into the VM; a `vlan` on a network over an unmanaged bridge needs VLAN filtering that nobody configures.", "network n { ovs = br-ovs }   // add vlan = N")
        case .nodeAddressWarning:
            return ("DHCP node address moved to a bridge", "A port NIC with `dhcp = true` gives its addressing to the bridge; the bridge has a new MAC and so gets a new lease unless the NIC's MAC is carried over (Wukong copies it).", "")
        case .macvtapWarning:
            return ("macvtap lower device the device plugin does not offer", "A `macvlan` network lowers to KubeVirt's macvtap binding, which requests the device-plugin resource `macvtap.network.kubevirt.io/<link>`. Unconfigured, macvtap-cni's device plugin offers only physical NICs and bonds; for a VLAN (or another virtual link) it needs an entry `{\"name\":\"<link>\",\"lowerDevice\":\"<link>\",\"mode\":\"bridge\",\"capacity\":50}` in `DP_MACVTAP_CONF` of its ConfigMap, else no node has the resource and the VM stays Pending.", "vlan v100 on ens160 { id = 100 }\nnetwork n { macvlan = v100 }")
        case .ipamWarning:
            return ("CNI dhcp IPAM", "`ipam = \"dhcp\"` needs the CNI dhcp daemon on every node, and its leases expire under KubeVirt's bridge binding. Prefer `ipam = \"none\"` with DHCP in the guest.", "network n { bridge = br0, ipam = \"dhcp\" }")
        case .podNetwork:
            return ("more than one pod NIC", "A VM can have at most one NIC on `pod`.", "nic a on pod\nnic b on pod")
        case .resources:
            return ("invalid CPU or memory", "`cpu` must be at least 1 and `memory` at least 128Mi.", "vm tiny { cpu = 0, memory = 64Mi, … }")
        case .password:
            return ("plain or malformed password", "Plain `password` is rejected: write `password_hash` with a crypt(3) hash (`openssl passwd -6`). A hash must look like `$id$[rounds=N$]salt$hash` with id 1, 5, 6, y or 2b.", "user admin { password = \"secret\" }")
        case .sshKey:
            return ("malformed SSH public key", "An SSH key must be `<type> <base64> [comment]` with a known type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-…), base64 that decodes, and the same type named inside the key blob.", "ssh_keys = [\"ssh-ed25519 not-base64\"]")
        case .cloudConfig:
            return ("invalid cloud_config", "`cloud_config` must be a YAML mapping; its keys may not collide with keys the generated user data sets (`users`, `runcmd` when `run` is used). For a single string literal the error points at the line inside the string.", "cloud_config = \"\"\"\n  packages: [nginx\n  \"\"\"")
        case .vmNic:
            return ("bad VM NIC name", "Two NICs of one VM share a name, or a NIC is named like a built-in member (`name`, `address`, …).", "nic e on a\nnic e on b")
        case .vmNicWarning:
            return ("VM without NIC", "A VM without any NIC has no network at all.", "")
        case .image:
            return ("configuration the image never applies", "The VM's image has `network_config = \"none\"` (CirrOS): it reads no cloud-init network configuration, so a static or `auto` address, an `ifname`, network `routes`, a `user`, `run` or `cloud_config` would silently never take effect. Use an image that applies cloud-init, or drop the setting.", "vm a { …, image = images.cirros\n  nic e on lan { address = 10.0.0.5 }   // never set in the guest\n}")
        case .imageTagWarning:
            return ("image not pinned", "The image reference has the tag `latest`, or neither a tag nor a digest: the VM's disk changes under you at every restart. Pin a version tag or a digest (`@sha256:…`).", "image = \"quay.io/containerdisks/fedora:latest\"")
        case .kubernetesName:
            return ("invalid Kubernetes name", "Object names must be DNS-1123 subdomains (≤ 253 characters of lower-case letters, digits, `-` and `.`); VirtualMachines, NodeNetworkConfigurationPolicies and everything that becomes a label value must be ≤ 63 characters in label syntax. Derived names (`<topology>-<bridge>`, `<vm>-<network>-nad`, `<vm>-cloudinit`) are checked too; the error points at the declaration that produced them.", "vm Web_1 { … }   // upper case and `_`")
        case .duplicateObject:
            return ("two objects with one name", "Two generated objects of one kind would get the same name.", "")
        case .namespaceName:
            return ("invalid namespace", "The topology's `namespace` must be a DNS label: ≤ 63 lower-case letters, digits and `-`.", "topology lab { namespace = \"VMs\" }")
        case .label:
            return ("invalid label", "Label keys are an optional DNS-subdomain prefix and `/` plus a name of ≤ 63 characters; values are ≤ 63 characters of letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. Keys under `kubevirt.io/` are reserved.", "labels = { \"kubevirt.io/app\" = \"x\" }")
        case .io:
            return ("cannot read input", "A file or directory could not be read.", "")
        case .tooManyErrors:
            return ("too many errors", "At most 100 errors are shown; the rest are counted.", "")
        }
    }
}
