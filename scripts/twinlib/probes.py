"""The probes, each one line of the report:

- gateway: every guest reaches the gateway of each of its networks, and the route to it leaves by that network's NIC
  (the pod network's gateway is the launcher's 10.0.2.1);
- ring: the guests on one network reach each other (each the next, in VM order, the last the first);
- client: the cluster client pod (an address inside the cluster CIDRs) reaches each VM with a pod NIC through its
  Service, the launcher's masquerade NAT, and gets the reply (the guest must route it back via 10.0.2.1);
- jumbo: on a network with mtu > 1500, `ping -M do -s <mtu − 28>` passes between two VMs on different nodes (with
  only one node holding VMs: from a VM to the network's gateway on the underlay, across the uplink)."""

import json
from concurrent.futures import ThreadPoolExecutor

from .netns import run


def ping(ns, dst, size=None, df=False, src=None, wait=1):
    cmd = ["ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", "1", "-W", str(wait)]
    if df:
        cmd += ["-M", "do"]
    if size is not None:
        cmd += ["-s", str(size)]
    if src:
        cmd += ["-I", str(src)]
    cmd.append(str(dst))
    r = run(cmd, check=False)
    if r.returncode != 0:   # one retry, so a lost first packet never decides a probe
        r = run(cmd, check=False)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def forget(*entries):
    """Deletes the neighbour (ARP) entries a probe created. The kernel's ARP table is one table for every
    namespace of the machine (gc_thresh3 = 1024 entries by default): a few hundred guests probing at once would
    overflow it — for this machine's own networking too — so each probe removes what it added."""
    for ns, what in entries:
        if what is None:
            run(["ip", "-n", ns, "neigh", "flush", "all"], check=False)
        else:
            ip, dev = what
            run(["ip", "-n", ns, "neigh", "del", str(ip), "dev", dev], check=False)


def probe(ns, dst, size=None, df=False, flush=True):
    """In one process chain inside `ns`: the route to dst, a ping (one retry), then the namespace's ARP entries
    flushed (see forget). Returns (route dict, replied, ping output)."""
    p = "ping -n -q -c 1 -W 1%s%s %s" % (" -M do" if df else "", (" -s %d" % size) if size is not None else "", dst)
    script = "ip -j route get %s; echo '@@'; %s || %s; echo \"@@$?\"%s" % (dst, p, p, "; ip neigh flush all" if flush else "")
    r = run(["ip", "netns", "exec", ns, "sh", "-c", script], check=False)
    parts = (r.stdout or "").split("@@")
    try:
        rt = json.loads(parts[0] or "[]")
        rt = rt[0] if rt else {}
    except ValueError:
        rt = {"error": (r.stderr or "").strip().splitlines()[0] if r.stderr else "route get failed"}
    ok = len(parts) >= 3 and parts[2].strip() == "0"
    out = parts[1].strip() if len(parts) >= 2 else (r.stderr or "").strip()
    return rt, ok, out


def route_get(ns, dst, src=None):
    cmd = ["ip", "-n", ns, "-j", "route", "get", str(dst)]
    if src:
        cmd += ["from", str(src)]
    r = run(cmd, check=False)
    try:
        out = json.loads(r.stdout or "[]")
        return out[0] if out else {}
    except ValueError:
        return {"error": (r.stderr or "").strip()}


def describe_route(rt):
    if not rt:
        return "no route"
    if rt.get("error"):
        return rt["error"]
    s = "dev %s" % rt.get("dev")
    if rt.get("gateway"):
        s += " via %s" % rt["gateway"]
    return s


class Probes:
    def __init__(self, twin, report):
        self.twin = twin
        self.report = report

    def plan(self):
        """Returns the ordered list of probe callables; each returns (status, text)."""
        t = self.twin
        jobs = []
        # gateway probes, VM by VM
        for g in t.guests:
            if g.ns is None:
                continue
            for nic in g.nics:
                if nic.fail:
                    continue
                if nic.kind == "pod":
                    jobs.append(lambda g=g, nic=nic: self.gateway(g, nic, g.pod["gw"], "pod network"))
                    if g.pod.get("gw6") is not None:   # dual-stack cluster: KubeVirt's IPv6 masquerade gateway
                        jobs.append(lambda g=g, nic=nic: self.gateway6(g, nic, g.pod["gw6"], "pod network"))
                    continue
                if nic.skip or nic.network is None:
                    continue
                if nic.network.gateway6 is not None and nic.network.name in t.gateways6:
                    jobs.append(lambda g=g, nic=nic: self.gateway6(g, nic, nic.network.gateway6, "network %s" % nic.network.name))
                if nic.network.gateway is not None:
                    jobs.append(lambda g=g, nic=nic: self.gateway(g, nic, nic.network.gateway, "network %s" % nic.network.name))
                elif not nic.addresses:
                    jobs.append(lambda g=g, nic=nic: ("FAIL", "vm %s nic %s (network %s): no IPv4 address configured in the guest%s"
                                                     % (g.name, nic.itf.name, nic.network.name, self.why_no_address(g, nic))))
        # ring probes, network by network
        for net in t.topo.networks.values():
            members = []
            for g in t.guests:
                for nic in g.nics:
                    if nic.network is net and nic.kind == "bridge" and not nic.skip and not nic.fail:
                        addr = next((a for a in nic.addresses if net.subnet is None or a.ip in net.subnet), None)
                        if addr is not None:
                            members.append((g, nic, addr))
            if len(members) >= 2:
                pairs = [(members[i], members[(i + 1) % len(members)]) for i in range(len(members))]
                if len(members) == 2:
                    pairs = [(members[0], members[1]), (members[1], members[0])]
                for a, b in pairs:
                    jobs.append(lambda net=net, a=a, b=b: self.ring(net, a, b))
            # dual-stack: the same ring over the IPv6 addresses
            if net.subnet6 is not None:
                members6 = []
                for g in t.guests:
                    for nic in g.nics:
                        if nic.network is net and nic.kind == "bridge" and not nic.skip and not nic.fail:
                            addr = next((a for a in nic.addresses6 if a.ip in net.subnet6), None)
                            if addr is not None:
                                members6.append((g, nic, addr))
                if len(members6) >= 2:
                    pairs = [(members6[i], members6[(i + 1) % len(members6)]) for i in range(len(members6))]
                    if len(members6) == 2:
                        pairs = [(members6[0], members6[1]), (members6[1], members6[0])]
                    for a, b in pairs:
                        jobs.append(lambda net=net, a=a, b=b: self.ring(net, a, b))
                else:
                    jobs.append(lambda net=net: ("SKIP", "network %s IPv6 ring: fewer than two emulated VM NICs with an IPv6 address" % net.name))
            mtu = max(int(net.mtu or 0), 0)
            if mtu > 1500:
                jobs.append(lambda net=net, members=members, mtu=mtu: self.jumbo(net, members, mtu))
        # cluster client → every VM with a pod NIC
        for g in t.guests:
            if g.pod and g.ns is not None:
                jobs.append(lambda g=g: self.client(g))
                if g.pod.get("gw6") is not None:
                    jobs.append(lambda g=g: ("SKIP", "vm %s: cluster client over IPv6 (Service → masquerade to fd10:0:2::2): "
                                             "the cluster namespace and KubeVirt's ip6 NAT are IPv4-only in the twin" % g.name))
        return jobs

    def run(self, workers=int(__import__("os").environ.get("TWIN_WORKERS", "16"))):
        jobs = self.plan()
        ex = ThreadPoolExecutor(max_workers=workers)
        try:
            results = list(ex.map(lambda j: j(), jobs))
        finally:
            # on Ctrl-C / SIGTERM: drop the queued probes at once, so the namespaces are deleted without delay
            ex.shutdown(wait=False, cancel_futures=True)
        for status, text in results:
            self.report.add(status, text)

    # ------------------------------------------------------------------
    def why_no_address(self, g, nic):
        if g.vm.network_config == "none":
            return " (image %s applies no networkData)" % (g.vm.image or "?")
        if nic.config is None:
            return " (no networkData entry matches its MAC %s)" % nic.mac
        return ""

    def gateway(self, g, nic, gw, label):
        head = "vm %s nic %s (%s) reaches gateway %s" % (g.name, nic.itf.name, label, gw)
        if not nic.addresses and nic.kind != "pod":
            return "FAIL", "%s: no IPv4 address configured in the guest%s" % (head, self.why_no_address(g, nic))
        if nic.kind == "pod" and not nic.dhcp:
            return "FAIL", "%s: the guest does not run DHCP on its pod NIC%s" % (head, self.why_no_address(g, nic))
        rt, ok, out = probe(g.ns, gw)
        far = [(g.launcher, None)] if nic.kind == "pod" else [
            (self.twin.segments[s], (a.ip, "sw")) for s in self.twin.gateways.get(nic.network.name, []) for a in nic.addresses]
        forget(*far)
        if rt.get("dev") != nic.name:
            return "FAIL", "%s: the route to it leaves by %s, not %s" % (head, describe_route(rt), nic.name)
        extra = ("; " + "; ".join(nic.notes)) if nic.notes else ""
        if ok:
            return "PASS", "%s via %s" % (head, nic.name)
        return "FAIL", "%s via %s: no reply%s" % (head, nic.name, extra)

    def gateway6(self, g, nic, gw, label):
        """Dual-stack: the IPv6 gateway answers, and the route to it leaves by the NIC."""
        head = "vm %s nic %s (%s) reaches IPv6 gateway %s" % (g.name, nic.itf.name, label, gw)
        if not nic.addresses6 and nic.kind != "pod":
            return "FAIL", "%s: no IPv6 address configured in the guest%s" % (head, self.why_no_address(g, nic))
        rt, ok, _ = probe(g.ns, gw)
        if rt.get("dev") != nic.name:
            return "FAIL", "%s: the route to it leaves by %s, not %s" % (head, describe_route(rt), nic.name)
        if ok:
            return "PASS", "%s via %s" % (head, nic.name)
        return "FAIL", "%s via %s: no reply" % (head, nic.name)

    def ring(self, net, a, b):
        (ga, na, aa), (gb, nb, ab) = a, b
        head = "network %s ring: %s (%s) reaches %s (%s)" % (net.name, ga.name, aa.ip, gb.name, ab.ip)
        rt, ok, _ = probe(ga.ns, ab.ip)
        forget((gb.ns, (aa.ip, nb.name)))
        if rt.get("dev") != na.name:
            return "FAIL", "%s: the route leaves by %s, not %s" % (head, describe_route(rt), na.name)
        if ok:
            return "PASS", "%s via %s (nodes %s → %s)" % (head, na.name, ga.node.name, gb.node.name)
        notes = na.notes + nb.notes
        return "FAIL", "%s via %s (nodes %s → %s): no reply%s" % (head, na.name, ga.node.name, gb.node.name,
                                                                  ("; " + "; ".join(notes)) if notes else "")

    def jumbo(self, net, members, mtu):
        size = mtu - 28
        head = "network %s mtu %d: ping -M do -s %d" % (net.name, mtu, size)
        if not members:
            return "SKIP", "%s: no emulated VM NIC with an address on it" % head
        a = members[0]
        b = next((m for m in members[1:] if m[0].node is not a[0].node), None)
        ga, na, aa = a
        if b is not None:
            gb, nb, ab = b
            dst, what = ab.ip, "%s (node %s) to %s (node %s)" % (ga.name, ga.node.name, gb.name, gb.node.name)
        elif net.gateway is not None and net.name in self.twin.gateways:
            dst, what = net.gateway, "%s (node %s) to the gateway %s on the underlay (no two VMs on different nodes)" % (
                ga.name, ga.node.name, net.gateway)
        else:
            return "SKIP", "%s: needs two VMs on different nodes (or a gateway on the underlay)" % head
        _, ok, out = probe(ga.ns, dst, size=size, df=True)
        if b is not None:
            forget((gb.ns, (aa.ip, nb.name)))
        else:
            forget(*[(self.twin.segments[s], (aa.ip, "sw")) for s in self.twin.gateways.get(net.name, [])])
        if ok:
            return "PASS", "%s from %s" % (head, what)
        detail = out.splitlines()[-1] if out else "no reply"
        return "FAIL", "%s from %s: %s%s" % (head, what, detail, self.mtu_path(ga, na))

    def mtu_path(self, g, nic):
        """Names the interfaces on the sending node whose MTU is below the guest's, for the FAIL line."""
        node = g.node
        r = run(["ip", "-n", node.ns, "-j", "link", "show"], check=False)
        try:
            links = {l["ifname"]: l for l in json.loads(r.stdout or "[]")}
        except ValueError:
            return ""
        small = []
        br = nic.node_bridge
        for name, l in sorted(links.items()):
            if name == br or l.get("master") == br:
                if int(l.get("mtu", 0)) < nic.mtu:
                    small.append("%s mtu %s" % (name, l.get("mtu")))
        return (" (on node %s: %s)" % (node.name, ", ".join(small))) if small else ""

    def client(self, g):
        t = self.twin
        p = g.pod
        nic = p["nic"]
        head = "vm %s: cluster client %s reaches it through service %s (pod %s, masquerade to %s)" % (
            g.name, t.client.ip, p["service_ip"], p["pod_ip"], p["guest"])
        if not nic.dhcp:
            return "FAIL", "%s: the guest has no address on its pod NIC%s" % (head, self.why_no_address(g, nic))
        ok, _ = ping(t.cluster, p["service_ip"], src=t.client.ip)
        forget((t.cluster, (p["pod_ip"], "pods")), (g.launcher, None), (g.ns, None))
        if ok:
            return "PASS", "%s and gets the reply" % head
        rt = route_get(g.ns, t.client.ip, src=p["guest"])
        if rt.get("dev") and rt.get("dev") != nic.name:
            why = "the guest's reply to %s leaves by %s, not by the pod NIC %s (masquerade keeps the client's source address)" % (
                t.client.ip, describe_route(rt), nic.name)
        else:
            why = "no reply (guest route back: %s)" % describe_route(rt)
        return "FAIL", "%s: %s" % (head, why)
