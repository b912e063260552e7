"""Builds what the cluster would build, as a real Linux data path in network namespaces:

- one namespace per declared host (+ the twin's undeclared node(s), carrying only top-level NICs); each node NIC is a
  veth into an underlay switch — one namespace per physical segment (all nodes' `ens192` share the segment
  `ens192`), a Linux bridge at MTU 65535 that also holds the gateway address of each network riding on that segment;
- the NNCPs applied to every node they select, with `ip`: linux bridges (no VLAN filtering — untagged traffic uses
  PVID 1), ports, MTUs exactly as listed (an interface without `mtu` keeps the kernel's 1500), node addresses,
  routes. A policy naming a port / base interface the node lacks fails there as a whole (nmstate: Degraded);
  bonds, VLANs and OVS are not in this kernel: reported skipped by name;
- per VM a guest namespace: bridge binding = a veth into the node bridge with the VM's MAC and the NAD's MTU; pod
  network (masquerade) = a virt-launcher namespace with the nftables NAT KubeVirt programs
  (pkg/network/setup/netpod/masquerade) and `k6t-eth0` at 10.0.2.1/24, its `eth0` on the cluster's pod network;
- a `cluster` namespace: the pod network's router, a client pod inside the cluster CIDRs, and one Service address
  per VM (kube-proxy-style DNAT to the launcher pod)."""

import fnmatch
import ipaddress
import json

from .netns import run

UNSUPPORTED_KINDS = {
    "bond": "no bonding driver in this kernel",
    "vlan": "no 802.1Q VLAN support in this kernel",
    "ovs-bridge": "no Open vSwitch in this kernel",
    "ovs-interface": "no Open vSwitch in this kernel",
    "vxlan": "not emulated",
    "mac-vlan": "not emulated",
    "mac-vtap": "not emulated",
    "dummy": "no dummy driver in this kernel",
}
CREATES = {"linux-bridge", "bond", "vlan", "ovs-bridge", "ovs-interface", "vxlan", "mac-vlan", "mac-vtap", "dummy", "veth"}

MASQ_NFT = """table ip nat {
  chain prerouting { type nat hook prerouting priority -100; policy accept; }
  chain input { type nat hook input priority 100; policy accept; }
  chain output { type nat hook output priority -100; policy accept; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; }
  chain KUBEVIRT_PREINBOUND { }
  chain KUBEVIRT_POSTINBOUND { }
}
add rule ip nat postrouting ip saddr %(vm)s counter masquerade
add rule ip nat prerouting iifname "eth0" counter jump KUBEVIRT_PREINBOUND
add rule ip nat postrouting oifname "k6t-eth0" counter jump KUBEVIRT_POSTINBOUND
add rule ip nat KUBEVIRT_PREINBOUND counter dnat to %(vm)s
add rule ip nat KUBEVIRT_POSTINBOUND ip saddr { 127.0.0.1 } counter snat to %(gw)s
add rule ip nat output ip daddr { 127.0.0.1 } counter dnat to %(vm)s
"""


def ipv4_enabled(itf):
    v4 = itf.get("ipv4")
    return isinstance(v4, dict) and v4.get("enabled") is True


class Node:
    def __init__(self, idx, host, labels):
        self.idx = idx
        self.name = host.name
        self.hostname = host.hostname
        self.declared = host.declared
        self.labels = dict(labels)
        self.labels["kubernetes.io/hostname"] = host.hostname
        self.nics = host.nics
        self.ns = None
        self.links = set()          # interfaces that really exist in the node namespace
        self.virtual = {}           # interfaces a policy asked for that this kernel cannot build: name -> reason
        self.bridge_gaps = {}       # bridge -> [reason] (ports that are skipped virtual interfaces)
        self.cni_bridges = set()    # bridges the bridge CNI had to create (no policy built them here)
        self.vms = 0


class GuestNic:
    def __init__(self, vm, itf, index):
        self.vm = vm
        self.itf = itf
        self.name = "enp%ds0" % index   # q35: one root port per NIC, in spec order
        self.mac = itf.mac
        self.kind = None                # pod | bridge | stub
        self.skip = None                # reason the data path of this NIC is not emulated
        self.fail = None                # reason it could not be attached at all
        self.config = None              # NetworkFile that matched it
        self.dhcp = False
        self.addresses = []             # IPv4 interfaces configured on it (ipaddress.IPv4Interface)
        self.addresses6 = []            # global IPv6 interfaces configured on it (dual-stack)
        self.network = None             # model.Network
        self.mtu = 1500
        self.node_bridge = None
        self.notes = []


class GuestVM:
    def __init__(self, idx, vm):
        self.idx = idx
        self.vm = vm
        self.name = vm.name
        self.ns = None
        self.launcher = None
        self.node = None
        self.nics = []
        self.pod = None                 # {"cidr", "gw", "guest", "pod_ip", "service_ip"}
        self.config_errors = []
        self.config_notes = []
        self.skips = []
        self.unschedulable = None


class Twin:
    def __init__(self, topo, namespaces, report):
        self.topo = topo
        self.nsm = namespaces
        self.report = report
        self.nodes = []
        self.segments = {}      # nic ifname -> namespace
        self.guests = []
        self.cluster = None
        self.void = None
        self.pod_net = topo.pod_cidr
        self.router = None
        self.client = None
        self.gateways = {}      # network name -> segment names it was placed on
        self.gateways6 = {}     # the same for a dual-stack network's IPv6 gateway

    # ------------------------------------------------------------------ nodes and underlay
    def build_nodes(self):
        from .model import Host
        hosts = list(self.topo.hosts)
        if hosts:
            extra = [Host("extra", "twin-extra-node", list(self.topo.top_nics), False)]
        else:
            extra = [Host("node-%d" % i, "twin-node-%d" % i, list(self.topo.top_nics), False) for i in (1, 2)]
        all_hosts = hosts + extra
        names = self.nsm.add_many(["node%d" % i for i in range(len(all_hosts))])
        seg_names = sorted({ifname for h in all_hosts for ifname, _ in h.nics})
        for ifname, ns in zip(seg_names, self.nsm.add_many(["seg%d" % i for i in range(len(seg_names))])):
            self.segments[ifname] = ns
            self.nsm.batch(ns, ["link add name sw mtu 65535 type bridge", "link set dev sw type bridge stp_state 0",
                                "link set dev sw up"])
        veths, seg_lines = [], {}
        for i, h in enumerate(all_hosts):
            n = Node(i, h, self.topo.node_labels)
            n.ns = names[i]
            self.nodes.append(n)
            for ifname, _ in n.nics:
                seg = self.segments[ifname]
                veths.append("link add name %s netns %s type veth peer name n%d netns %s mtu 65535" % (ifname, n.ns, i, seg))
                seg_lines.setdefault(seg, []).extend(["link set dev n%d master sw" % i, "link set dev n%d up" % i])
                n.links.add(ifname)
        self.nsm.batch(None, veths)
        for seg, lines in seg_lines.items():
            self.nsm.batch(seg, lines)
        for n in self.nodes:
            # the node's own addressing before any policy (inventory: address, gateway); a NIC's declared mtu
            # reaches the node only through a policy that lists it
            lines = ["link set dev %s up" % ifname for ifname, _ in n.nics]
            lines += ["addr add %s dev %s" % (s["address"], ifname) for ifname, s in n.nics if s.get("address")]
            lines += ["route add default via %s dev %s" % (s["gateway"], ifname)
                      for ifname, s in n.nics if s.get("address") and s.get("gateway")]
            self.nsm.batch(n.ns, lines)

    def policy_bridges(self):
        """linux-bridge name -> (port names, {port: type}) over all policies (what nmstate builds)."""
        out = {}
        for p in self.topo.policies:
            types = {i.get("name"): i.get("type") for i in p.interfaces}
            for i in p.interfaces:
                if i.get("type") == "linux-bridge":
                    ports = [q.get("name") for q in (i.get("bridge") or {}).get("port") or [] if isinstance(q, dict)]
                    out.setdefault(i.get("name"), (set(), {}))
                    out[i["name"]][0].update(ports)
                    out[i["name"]][1].update({q: types.get(q) for q in ports})
        return out

    def place_gateways(self):
        """Each network's gateway sits on the underlay segment its bridge's uplink NIC reaches."""
        bridges = self.policy_bridges()
        for net in self.topo.networks.values():
            if net.gateway is None or net.subnet is None or net.bridge is None or net.vlan:
                continue
            ports, types = bridges.get(net.bridge, (set(), {}))
            segs = sorted(p for p in ports if p in self.segments and types.get(p) in (None, "ethernet"))
            for s in segs:
                r = self.nsm.batch(self.segments[s], ["addr add %s/%d dev sw" % (net.gateway, net.subnet.prefixlen)], check=False)
                if r.returncode == 0 or "File exists" in (r.stderr or ""):
                    self.gateways.setdefault(net.name, []).append(s)
                # dual-stack: the IPv6 gateway beside it (nodad: answers at once)
                if net.gateway6 is not None and net.subnet6 is not None:
                    r6 = run(["ip", "-6", "-n", self.segments[s], "addr", "add", "%s/%d" % (net.gateway6, net.subnet6.prefixlen),
                              "dev", "sw", "nodad"], check=False)
                    if r6.returncode == 0 or "File exists" in (r6.stderr or ""):
                        self.gateways6.setdefault(net.name, []).append(s)

    # ------------------------------------------------------------------ policies
    def apply_policies(self):
        for node in self.nodes:
            for pol in self.topo.policies:
                if not all(node.labels.get(k) == v for k, v in pol.node_selector.items()):
                    continue
                self.apply_policy(node, pol)

    def apply_policy(self, node, pol):
        where = "policy %s on node %s" % (pol.name, node.name)
        known = set(node.links) | set(node.virtual)
        for i in pol.interfaces:
            if i.get("type") in CREATES and i.get("state", "up") != "absent":
                known.add(i.get("name"))
        missing = []
        for i in pol.interfaces:
            name, typ, state = i.get("name"), i.get("type"), i.get("state", "up")
            if state == "absent":
                continue
            if typ == "ethernet" and name not in node.links:
                missing.append("interface %s missing" % name)
            for role, ref in self.references(i):
                if ref not in known:
                    missing.append("%s %s missing" % (role, ref))
        for r in pol.routes:
            dev = r.get("next-hop-interface")
            if dev and dev not in known and r.get("state") != "absent":
                missing.append("route next-hop-interface %s missing" % dev)
        if missing:
            seen = []
            for m in missing:
                if m not in seen:
                    seen.append(m)
            self.report.add("FAIL", "%s: %s (nmstate: the policy fails on this node, Degraded; nothing applied)" % (where, ", ".join(seen)))
            return
        built, skipped, errors = [], [], []
        # interfaces this kernel cannot build: remember them so what rides on them is reported, not faked
        for i in pol.interfaces:
            typ = i.get("type")
            if typ in UNSUPPORTED_KINDS and i.get("state", "up") != "absent":
                node.virtual[i["name"]] = "%s %s" % (typ, i["name"])
                skipped.append("%s %s (%s)" % (typ, i["name"], UNSUPPORTED_KINDS[typ]))
        lines, addr_lines, notes = [], [], []
        for i in pol.interfaces:
            name, typ, state = i.get("name"), i.get("type"), i.get("state", "up")
            if typ in UNSUPPORTED_KINDS:
                continue
            if state == "absent":
                if name in node.links and typ == "linux-bridge":
                    lines.append("link del dev %s" % name)
                    node.links.discard(name)
                continue
            if typ == "linux-bridge":
                if name not in node.links:
                    lines.append("link add name %s type bridge" % name)
                    node.links.add(name)
                stp = ((i.get("bridge") or {}).get("options") or {}).get("stp")
                if isinstance(stp, dict) and stp.get("enabled"):
                    notes.append("stp on %s not emulated (forwarding starts at once)" % name)
                ports = [q.get("name") for q in (i.get("bridge") or {}).get("port") or [] if isinstance(q, dict)]
                for p in ports:
                    if p in node.virtual:
                        node.bridge_gaps.setdefault(name, []).append(node.virtual[p])
                    else:
                        lines.append("link set dev %s master %s" % (p, name))
                        lines.append("link set dev %s up" % p)
                if i.get("mtu"):
                    lines.append("link set dev %s mtu %d" % (name, int(i["mtu"])))
                lines.append("link set dev %s %s" % (name, "down" if state == "down" else "up"))
                shown = ["%s (%s, not built)" % (p, node.virtual[p].split()[0]) if p in node.virtual else p for p in ports]
                built.append("linux-bridge %s [%s]%s" % (name, ", ".join(shown), (" mtu %s" % i["mtu"]) if i.get("mtu") else ""))
            elif typ == "ethernet":
                if i.get("mtu"):
                    lines.append("link set dev %s mtu %d" % (name, int(i["mtu"])))
                lines.append("link set dev %s %s" % (name, "down" if state == "down" else "up"))
                built.append("ethernet %s%s" % (name, (" mtu %s" % i["mtu"]) if i.get("mtu") else ""))
            else:
                skipped.append("%s %s (type not emulated)" % (typ, name))
                node.virtual[name] = "%s %s" % (typ, name)
                continue
            # IP configuration: an interface listed without ipv4 (or enabled: false) has IPv4 disabled
            v4 = i.get("ipv4") if isinstance(i.get("ipv4"), dict) else {}
            if name in node.links:
                addr_lines.append("addr flush dev %s" % name)
                if ipv4_enabled(i):
                    if v4.get("dhcp"):
                        skipped.append("DHCP on %s (no DHCP server on the underlay)" % name)
                    for a in v4.get("address") or []:
                        addr_lines.append("addr add %s/%s dev %s" % (a.get("ip"), a.get("prefix-length"), name))
        route_lines = []
        for r in pol.routes:
            if r.get("state") == "absent":
                continue
            dev = r.get("next-hop-interface")
            if dev in node.virtual:
                skipped.append("route %s via %s (%s not built)" % (r.get("destination"), r.get("next-hop-address"), dev))
                continue
            cmd = "route add %s" % r.get("destination")
            if r.get("next-hop-address"):
                cmd += " via %s" % r["next-hop-address"]
            if dev:
                cmd += " dev %s" % dev
            if r.get("metric") is not None:
                cmd += " metric %s" % r["metric"]
            if r.get("table-id"):
                cmd += " table %s" % r["table-id"]
            route_lines.append(cmd)
        allcmds = lines + addr_lines + route_lines
        for k, err in sorted(self.nsm.forced(node.ns, allcmds).items()):
            errors.append("ip %s: %s" % (allcmds[k] if 0 <= k < len(allcmds) else "-batch", err))
        for s in skipped:
            self.report.add("SKIP", "%s: %s" % (where, s))
        if errors:
            self.report.add("FAIL", "%s: %s" % (where, "; ".join(str(e) for e in errors)))
        else:
            self.report.add("PASS", "%s: applied (%s)%s" % (where, "; ".join(built) or "nothing to build",
                                                         (" — " + "; ".join(notes)) if notes else ""))

    @staticmethod
    def references(i):
        """Interfaces a policy entry needs on the node: bridge ports, bond ports, VLAN base."""
        out = []
        br = i.get("bridge") if isinstance(i.get("bridge"), dict) else {}
        for q in br.get("port") or br.get("ports") or []:
            if isinstance(q, dict) and q.get("name"):
                out.append(("port", q["name"]))
        la = i.get("link-aggregation") if isinstance(i.get("link-aggregation"), dict) else {}
        for q in la.get("port") or la.get("ports") or la.get("slaves") or []:
            out.append(("port", q))
        vl = i.get("vlan") if isinstance(i.get("vlan"), dict) else {}
        if i.get("type") == "vlan" and vl.get("base-iface"):
            out.append(("base-iface", vl["base-iface"]))
        return out

    # ------------------------------------------------------------------ cluster (pod network, client, Services)
    def build_cluster(self):
        self.cluster = self.nsm.add("cluster")
        self.void = self.nsm.add("void")
        p = self.pod_net
        self.router = ipaddress.ip_interface("%s/%d" % (p.network_address + 1, p.prefixlen))
        self.client = ipaddress.ip_interface("%s/%d" % (p.network_address + 2, p.prefixlen))
        self.nsm.batch(self.cluster, ["link add name pods type bridge", "link set dev pods up",
                                      "addr add %s dev pods" % self.router, "addr add %s dev pods" % self.client])
        if self.topo.service_cidr is not None and not self.topo.service_cidr.subnet_of(self.pod_net):
            # Service addresses are virtual: routed towards the pod network, DNATed (kube-proxy) on the way out
            self.nsm.batch(self.cluster, ["route add %s dev pods" % self.topo.service_cidr])

    def pod_address(self, i):
        a = self.pod_net.network_address + 10 + i
        if a not in self.pod_net or a == self.pod_net.broadcast_address:
            raise RuntimeError("pod CIDR %s too small for %d VMs" % (self.pod_net, i + 1))
        return a

    def service_address(self, i):
        s = self.topo.service_cidr
        if s is None:   # one cluster CIDR declared: Services from its upper half
            s = self.pod_net
            a = s.network_address + s.num_addresses // 2 + 10 + i
        else:
            a = s.network_address + 10 + i
        if a not in s:
            raise RuntimeError("service CIDR %s too small" % s)
        return a

    def program_services(self):
        rules = ["table ip twin-services {", "  chain output { type nat hook output priority -100; policy accept; }", "}"]
        for g in self.guests:
            if g.pod:
                rules.append("add rule ip twin-services output ip daddr %s counter dnat to %s" % (g.pod["service_ip"], g.pod["pod_ip"]))
        run(["ip", "netns", "exec", self.cluster, "nft", "-f", "-"], input="\n".join(rules) + "\n")

    # ------------------------------------------------------------------ VMs
    def schedule(self, vm):
        def matches(node):
            if not all(node.labels.get(k) == v for k, v in vm.node_selector.items()):
                return False
            if not vm.affinity_terms:
                return True
            for term in vm.affinity_terms:
                ok = True
                for e in term:
                    key, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
                    have = node.labels.get(key)
                    if op == "In":
                        ok = ok and have in vals
                    elif op == "NotIn":
                        ok = ok and have not in vals
                    elif op == "Exists":
                        ok = ok and have is not None
                    elif op == "DoesNotExist":
                        ok = ok and have is None
                    else:
                        ok = False
                if ok:
                    return True
            return False
        eligible = [n for n in self.nodes if matches(n)]
        if not eligible:
            return None
        best = min(eligible, key=lambda n: (n.vms, n.idx))   # spread: fewest VMs first, then node order
        best.vms += 1
        return best

    def build_vms(self):
        """Plans every VM's attachment first, then creates all namespaces, all veth pairs and all addresses in a
        handful of `ip -batch` runs (a few hundred VMs in seconds)."""
        self.cmds = {}          # namespace (None = here) -> [(line, (guest, nic) or None)]
        self.launchers = []     # (guest, nft rules)
        self.launchers6 = []    # (launcher namespace, `ip -6` line): the IPv6 masquerade gateway (dual-stack)
        for idx, vm in enumerate(self.topo.vms):
            g = GuestVM(idx, vm)
            self.guests.append(g)
            g.node = self.schedule(vm)
            if g.node is None:
                g.unschedulable = "no node matches its nodeSelector/affinity"
                self.report.add("FAIL", "vm %s: unschedulable: %s" % (vm.name, g.unschedulable))
        placed = [g for g in self.guests if g.node is not None]
        for g, ns in zip(placed, self.nsm.add_many(["vm%d" % g.idx for g in placed], lo=False)):
            g.ns = ns
            self.cmd(ns, "link set dev lo up")
        pods = [g for g in placed if any("pod" in (i.source or {}) and i.binding == "masquerade" for i in g.vm.interfaces)]
        for g, ns in zip(pods, self.nsm.add_many(["launcher%d" % g.idx for g in pods], lo=False)):
            g.launcher = ns
            self.cmd(ns, "link set dev lo up")
        for g in placed:
            for k, itf in enumerate(g.vm.interfaces, start=1):
                nic = GuestNic(g, itf, k)
                g.nics.append(nic)
                if itf.network:
                    nic.network = self.topo.networks.get(itf.network)
                self.plan_nic(g, nic, k)
        # veth pairs straight into their two namespaces, then each namespace's own configuration
        order = [None] + [ns for ns in self.cmds if ns is not None]
        for ns in order:
            entries = self.cmds.get(ns, [])
            errors = self.nsm.forced(ns, [line for line, _ in entries])
            for k, err in sorted(errors.items()):
                tag = entries[k][1] if 0 <= k < len(entries) else None
                line = entries[k][0] if 0 <= k < len(entries) else "-batch"
                if tag is not None:
                    g, nic = tag
                    if not nic.fail:
                        nic.fail = "ip %s: %s" % (line, err)
                        self.report.add("FAIL", "vm %s nic %s: attach failed: %s" % (g.name, nic.itf.name, nic.fail))
                else:
                    self.report.add("FAIL", "setup: ip %s: %s" % (line, err))
        for ns, line in self.launchers6:
            self.nsm.forced(ns, [line], family="-6")
        for g, rules in self.launchers:
            r = run(["ip", "netns", "exec", g.launcher, "sh", "-c", "sysctl -qw net.ipv4.ip_forward=1 && nft -f -"],
                    input=rules, check=False)
            if r.returncode != 0:
                nic = g.pod["nic"]
                nic.fail = "launcher NAT: %s" % (r.stderr or r.stdout).strip()
                self.report.add("FAIL", "vm %s nic %s: %s" % (g.name, nic.itf.name, nic.fail))

    def cmd(self, ns, line, tag=None):
        self.cmds.setdefault(ns, []).append((line, tag))

    def plan_nic(self, g, nic, k):
        itf = nic.itf
        tag = (g, nic)
        src = itf.source or {}
        mac = (" address %s" % nic.mac) if nic.mac else ""
        if "pod" in src:
            if itf.binding != "masquerade":
                nic.skip = "%s binding on the pod network not emulated (only masquerade)" % itf.binding
                return self.plan_stub(g, nic, k)
            nic.kind = "pod"
            cidr = ipaddress.ip_network((src.get("pod") or {}).get("vmNetworkCIDR") or "10.0.2.0/24")
            gw, guest = cidr.network_address + 1, cidr.network_address + 2
            pod_ip = self.pod_address(g.idx)
            g.pod = {"cidr": cidr, "gw": gw, "guest": guest, "pod_ip": pod_ip, "service_ip": self.service_address(g.idx),
                     "nic": nic}
            L = g.launcher
            self.cmd(None, "link add name %s netns %s%s type veth peer name k6t-eth0 netns %s" % (nic.name, g.ns, mac, L), tag)
            self.cmd(None, "link add name eth0 netns %s type veth peer name p%d netns %s" % (L, g.idx, self.cluster), tag)
            self.cmd(self.cluster, "link set dev p%d master pods" % g.idx, tag)
            self.cmd(self.cluster, "link set dev p%d up" % g.idx, tag)
            for line in ("addr add %s/%d dev k6t-eth0" % (gw, cidr.prefixlen), "link set dev k6t-eth0 up",
                         "addr add %s/%d dev eth0" % (pod_ip, self.pod_net.prefixlen), "link set dev eth0 up",
                         "route add default via %s dev eth0" % self.router.ip):
                self.cmd(L, line, tag)
            self.cmd(g.ns, "link set dev %s up" % nic.name, tag)
            if self.topo.dual_stack:
                # KubeVirt's IPv6 masquerade gateway on a dual-stack cluster (its ip6 NAT is not emulated)
                g.pod["gw6"] = ipaddress.ip_address("fd10:0:2::1")
                self.launchers6.append((L, "addr add fd10:0:2::1/120 dev k6t-eth0 nodad"))
            self.launchers.append((g, MASQ_NFT % {"vm": guest, "gw": gw}))
            return
        if itf.binding != "bridge":
            what = {"sriov": "SR-IOV VF passthrough", "macvtap": "macvtap binding", "passt": "passt binding",
                    "passtBinding": "passt binding"}.get(itf.binding, "%s binding" % itf.binding)
            nic.skip = "%s not emulated" % what
            return self.plan_stub(g, nic, k)
        nad = self.topo.nads.get(itf.nad) if itf.nad else None
        if nad is None:
            nic.fail = "NetworkAttachmentDefinition %s not in the objects" % ("/".join(itf.nad) if itf.nad else "?")
            self.report.add("FAIL", "vm %s nic %s: %s (virt-launcher cannot start)" % (g.name, itf.name, nic.fail))
            return self.plan_stub(g, nic, k)
        typ = nad.get("type")
        try:
            nic.mtu = int(nad.get("mtu") or 1500)
        except (TypeError, ValueError):
            nic.mtu = 1500
        if typ != "bridge":
            nic.skip = {"ovs": "ovs-cni NAD (no Open vSwitch in this kernel)", "macvtap": "macvtap NAD not emulated",
                        "sriov": "SR-IOV NAD not emulated",
                        "ovn-k8s-cni-overlay": "OVN-Kubernetes %s network %s not emulated (no OVN in the twin)" % (
                            nad.get("topology"), nad.get("name"))}.get(typ, "CNI type %s not emulated" % typ)
            return self.plan_stub(g, nic, k)
        if nad.get("vlan") or nad.get("vlanTrunk"):
            nic.skip = "NAD %s sets vlan %s: needs bridge VLAN filtering (not in this kernel)" % (
                itf.nad[1], nad.get("vlan") or nad.get("vlanTrunk"))
            return self.plan_stub(g, nic, k)
        br = nad.get("bridge") or "cni0"
        node = g.node
        if br in node.bridge_gaps:
            nic.skip = "bridge %s on node %s rides on %s (not built)" % (br, node.name, ", ".join(node.bridge_gaps[br]))
            return self.plan_stub(g, nic, k)
        if br in node.virtual:
            nic.skip = "bridge %s on node %s is %s (not built)" % (br, node.name, node.virtual[br])
            return self.plan_stub(g, nic, k)
        if br not in node.links:
            if br not in self.policy_bridges() and self.unmanaged_bridge(br):
                nic.skip = "bridge %s is not built by any policy (managed = false): its uplink is unknown" % br
                return self.plan_stub(g, nic, k)
            # the bridge CNI creates a missing bridge, without uplink (DOMAIN.md §6)
            self.cmd(node.ns, "link add name %s type bridge" % br)
            self.cmd(node.ns, "link set dev %s up" % br)
            node.links.add(br)
            node.cni_bridges.add(br)
        if br in node.cni_bridges:
            nic.notes.append("bridge %s did not exist on node %s: the bridge CNI created it without uplink" % (br, node.name))
        nic.kind = "bridge"
        nic.node_bridge = br
        host_end = "v%dk%d" % (g.idx, k)
        self.cmd(None, "link add name %s netns %s mtu %d%s type veth peer name %s netns %s mtu %d" % (
            nic.name, g.ns, nic.mtu, mac, host_end, node.ns, nic.mtu), tag)
        self.cmd(node.ns, "link set dev %s master %s" % (host_end, br), tag)
        self.cmd(node.ns, "link set dev %s up" % host_end, tag)
        self.cmd(g.ns, "link set dev %s up" % nic.name, tag)

    def unmanaged_bridge(self, br):
        for b in self.topo.ir.get("bridges") or []:
            if isinstance(b, dict) and (b.get("ifname") or b.get("name")) == br:
                return b.get("managed") is False
        return False

    def plan_stub(self, g, nic, k):
        """A NIC whose data path is not emulated still exists in the guest (networkData may route through it): a
        veth whose peer sits, unattached, in the `void` namespace — traffic sent into it is lost."""
        nic.kind = "stub"
        tag = (g, nic)
        mac = (" address %s" % nic.mac) if nic.mac else ""
        self.cmd(None, "link add name %s netns %s mtu %d%s type veth peer name s%dk%d netns %s" % (
            nic.name, g.ns, nic.mtu, mac, g.idx, k, self.void), tag)
        self.cmd(self.void, "link set dev s%dk%d up" % (g.idx, k), tag)
        self.cmd(g.ns, "link set dev %s up" % nic.name, tag)

    # ------------------------------------------------------------------ guest configuration
    def configure_guest(self, g, gc):
        """Applies the systemd-networkd configuration netplan generated (or the CirrOS-style DHCP) with `ip`."""
        if gc is None:
            return
        g.config_notes += gc.notes
        nics = [n for n in g.nics if n.kind and not n.fail]
        by_mac = {n.mac: n for n in nics}
        # .link files: udev renames and MTU before networkd
        cmds = []
        for lf in gc.links:
            nic = next((by_mac[m] for m in lf.match_macs if m in by_mac), None)
            if nic is None:
                continue
            if lf.name and lf.name != nic.name:
                cmds += ["link set dev %s down" % nic.name, "link set dev %s name %s" % (nic.name, lf.name),
                         "link set dev %s up" % lf.name]
                nic.name = lf.name
            if lf.mtu:
                cmds.append("link set dev %s mtu %d" % (nic.name, lf.mtu))
        self.guest_cmds(g, cmds)
        # .network files: the first file (lexical order) that matches a link configures it
        for nic in nics:
            for nf in gc.networks:
                if not nf.match_macs and not nf.match_names:
                    continue
                if nf.match_macs and nic.mac not in nf.match_macs:
                    continue
                if nf.match_names and not any(fnmatch.fnmatchcase(nic.name, pat) for pat in nf.match_names):
                    continue
                nic.config = nf
                break
        if gc.dhcp_first_nic:
            first = next((n for n in g.nics if n.kind), None)
            if first is not None and not first.fail:
                self.guest_cmds(g, self.dhcp(g, first, gc.dhcp_first_metric, True))
            return
        cmds = []
        cmds6 = []   # IPv6 addresses, routes and rules: one `ip -6` batch (nodad: no DAD wait in a twin)
        for nic in nics:
            nf = nic.config
            if nf is None:
                continue
            if nf.mtu:
                cmds.append("link set dev %s mtu %d" % (nic.name, nf.mtu))
                nic.mtu = nf.mtu
            for a in nf.addresses:
                if ":" in a:
                    cmds6.append("addr add %s dev %s nodad" % (a, nic.name))
                    continue
                cmds.append("addr add %s dev %s" % (a, nic.name))
            for u in nf.unsupported:
                nic.notes.append("networkd setting not applied: %s" % u)
            if nf.dhcp4:
                cmds += self.dhcp(g, nic, nf.dhcp_route_metric, nf.dhcp_use_routes)
        for nic in nics:
            nf = nic.config
            if nf is None:
                continue
            for gw in nf.gateways:
                (cmds6 if ":" in gw else cmds).append("route add default via %s dev %s" % (gw, nic.name))
            for r in nf.routes:
                dst = r.get("Destination") or ("0.0.0.0/0" if ":" not in r.get("Gateway", "") else "::/0")
                out = cmds6 if (":" in dst or ":" in r.get("Gateway", "")) else cmds
                typ = r.get("Type")
                special = typ in ("blackhole", "unreachable", "prohibit")
                cmd = "route add %s%s" % ((typ + " ") if special else "", dst)
                if r.get("Gateway") and not special:
                    cmd += " via %s" % r["Gateway"]
                if not special:
                    cmd += " dev %s" % nic.name
                if r.get("Metric"):
                    cmd += " metric %s" % r["Metric"]
                if r.get("Table"):
                    cmd += " table %s" % r["Table"]
                if r.get("GatewayOnLink") in ("yes", "true", "1"):
                    cmd += " onlink"
                if r.get("PreferredSource"):
                    cmd += " src %s" % r["PreferredSource"]
                if r.get("Scope"):
                    cmd += " scope %s" % r["Scope"]
                if r.get("MTUBytes"):
                    cmd += " mtu %s" % r["MTUBytes"]
                out.append(cmd)
            for rule in nf.rules:
                cmd = "rule add"
                if rule.get("From"):
                    cmd += " from %s" % rule["From"]
                if rule.get("To"):
                    cmd += " to %s" % rule["To"]
                if rule.get("IncomingInterface"):
                    cmd += " iif %s" % rule["IncomingInterface"]
                if rule.get("FirewallMark"):
                    cmd += " fwmark %s" % rule["FirewallMark"]
                if rule.get("Priority"):
                    cmd += " priority %s" % rule["Priority"]
                cmd += " table %s" % rule.get("Table", "main")
                (cmds6 if ":" in rule.get("From", "") + rule.get("To", "") else cmds).append(cmd)
        self.guest_cmds(g, cmds)
        self.guest_cmds(g, cmds6, family="-6")

    def dhcp(self, g, nic, metric, use_routes):
        """DHCP: only the pod NIC has a DHCP server the twin emulates (masquerade: KubeVirt's in-pod server hands out
        the vmNetworkCIDR's .2 with router .1). Returns the commands."""
        nic.dhcp = True
        if nic.kind != "pod":
            if not nic.skip:
                nic.skip = "DHCP on a secondary NIC not emulated"
            return []
        p = g.pod
        cmds = ["addr add %s/%d dev %s" % (p["guest"], p["cidr"].prefixlen, nic.name)]
        if use_routes:
            cmds.append("route add default via %s dev %s metric %d" % (p["gw"], nic.name, 1024 if metric is None else metric))
        return cmds

    def guest_cmds(self, g, cmds, family=None):
        errors = self.nsm.forced(g.ns, cmds, family=family)
        for k, err in sorted(errors.items()):
            g.config_errors.append("ip %s%s: %s" % ((family + " ") if family else "", cmds[k] if 0 <= k < len(cmds) else "-batch", err))
        return not errors

    def read_addresses(self, g):
        r = run(["ip", "-n", g.ns, "-j", "addr", "show"], check=False)
        try:
            links = json.loads(r.stdout or "[]")
        except ValueError:
            links = []
        by_name = {}
        for l in links:
            by_name[l.get("ifname")] = [ipaddress.ip_interface("%s/%s" % (a["local"], a["prefixlen"]))
                                        for a in l.get("addr_info") or [] if a.get("family") == "inet"
                                        or (a.get("family") == "inet6" and a.get("scope") == "global")]
        for nic in g.nics:
            found = by_name.get(nic.name, [])
            nic.addresses = [a for a in found if a.version == 4]
            nic.addresses6 = [a for a in found if a.version == 6]
