"""Guest network configuration from networkData, as the guest's image would apply it.

- netplan images (Ubuntu): the networkData goes through the real `netplan generate` into a temporary root; the
  systemd-networkd files it writes (`run/systemd/network/*.network|*.link`) are parsed into a GuestConfig.
- cloud-init images (Fedora, CentOS, Debian 12): cloud-init converts v2 into its own network state and keeps only
  addresses, dhcp4 (+ dhcp4-overrides route-metric), routes' to/via/metric/mtu, nameservers, mtu, match, set-name:
  `routing-policy` is dropped and a route with `table` becomes a main-table route. The twin reduces the networkData
  to that, then renders it with netplan the same way (netplan only parses; nothing of netplan's own is added).
- none (CirrOS): networkData is ignored; the image's own init runs DHCP on its first NIC only.

Many guests are rendered in one `netplan generate` run (ids prefixed per guest) — netplan costs ~0.3 s a run;
when a batch fails, each guest is rendered alone so the error is attributed to its VM."""

import copy
import os
import shutil
import subprocess
import tempfile

import yaml

NETPLAN = shutil.which("netplan") or "/usr/sbin/netplan"


class RenderError(Exception):
    pass


class NetworkFile:
    """One parsed systemd-networkd .network file."""

    def __init__(self, fname):
        self.fname = fname
        self.match_macs = []       # PermanentMACAddress= / MACAddress=
        self.match_names = []      # Name=
        self.mtu = None
        self.addresses = []
        self.dns = []
        self.domains = []
        self.dhcp4 = False
        self.dhcp_route_metric = None
        self.dhcp_use_routes = True
        self.dhcp_use_dns = True
        self.routes = []           # dicts: Destination, Gateway, Metric, Table, GatewayOnLink, Type, ...
        self.rules = []            # dicts: From, To, Table, Priority, ...
        self.gateways = []         # [Network] Gateway= (legacy gateway4)
        self.unsupported = []      # settings the twin does not apply (reported)


class LinkFile:
    def __init__(self, fname):
        self.fname = fname
        self.match_macs = []
        self.name = None
        self.mtu = None


class GuestConfig:
    def __init__(self):
        self.networks = []   # [NetworkFile], lexical file order (networkd uses the first match per link)
        self.links = []      # [LinkFile]
        self.dhcp_first_nic = False   # CirrOS, or cloud-init's fallback: DHCP on the first NIC, nothing else
        self.dhcp_first_metric = 0
        self.notes = []


def _sections(path):
    """systemd unit files repeat sections ([Route] many times) and keys (Address= many times)."""
    out, cur = [], None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = (line[1:-1], [])
                out.append(cur)
            elif "=" in line and cur is not None:
                k, v = line.split("=", 1)
                cur[1].append((k.strip(), v.strip()))
    return out


def parse_network_file(path):
    nf = NetworkFile(os.path.basename(path))
    for sec, kvs in _sections(path):
        if sec == "Match":
            for k, v in kvs:
                if k in ("PermanentMACAddress", "MACAddress"):
                    nf.match_macs += [m.lower() for m in v.split()]
                elif k == "Name":
                    nf.match_names += v.split()
                else:
                    nf.unsupported.append("[Match] %s=%s" % (k, v))
        elif sec == "Link":
            for k, v in kvs:
                if k == "MTUBytes":
                    nf.mtu = int(v)
        elif sec == "Network":
            for k, v in kvs:
                if k == "Address":
                    nf.addresses.append(v)
                elif k == "DNS":
                    nf.dns += v.split()
                elif k == "Domains":
                    nf.domains += v.split()
                elif k == "DHCP":
                    nf.dhcp4 = v in ("yes", "true", "ipv4", "both")
                    if v in ("ipv6", "yes", "both"):
                        nf.unsupported.append("DHCPv6")
                elif k == "Gateway":
                    nf.gateways.append(v)
                elif k in ("LinkLocalAddressing", "IPv6AcceptRA", "ConfigureWithoutCarrier", "IgnoreCarrierLoss"):
                    pass
                else:
                    nf.unsupported.append("[Network] %s=%s" % (k, v))
        elif sec in ("DHCP", "DHCPv4"):
            for k, v in kvs:
                if k == "RouteMetric":
                    nf.dhcp_route_metric = int(v)
                elif k in ("UseRoutes", "UseGateway") and v in ("false", "no", "0"):
                    nf.dhcp_use_routes = False
                elif k == "UseDNS":
                    nf.dhcp_use_dns = v not in ("false", "no", "0")
        elif sec == "Route":
            nf.routes.append(dict(kvs))
        elif sec == "RoutingPolicyRule":
            nf.rules.append(dict(kvs))
        elif sec == "Address":
            for k, v in kvs:
                if k == "Address":
                    nf.addresses.append(v)
    return nf


def parse_link_file(path):
    lf = LinkFile(os.path.basename(path))
    for sec, kvs in _sections(path):
        for k, v in kvs:
            if sec == "Match" and k in ("PermanentMACAddress", "MACAddress"):
                lf.match_macs += [m.lower() for m in v.split()]
            elif sec == "Link" and k == "Name":
                lf.name = v
            elif sec == "Link" and k == "MTUBytes":
                lf.mtu = int(v)
    return lf


def cloud_init_subset(doc, notes):
    """What cloud-init's v2 → network-state conversion keeps (cloudinit/net/network_state.py, _v2_to_v1_ipcfg and
    handle_ethernets): no routing-policy; routes only to/via/metric/mtu (a route with `table` lands in main);
    dhcp4-overrides only route-metric."""
    doc = copy.deepcopy(doc)
    eths = doc.get("ethernets") or {}
    for key, e in eths.items():
        if not isinstance(e, dict):
            continue
        if "routing-policy" in e:
            notes.append("%s: routing-policy dropped (cloud-init renderer)" % key)
            del e["routing-policy"]
        routes = []
        for r in e.get("routes") or []:
            if not isinstance(r, dict):
                continue
            if "table" in r:
                notes.append("%s: route to %s loses table %s (cloud-init renderer: main table)" % (key, r.get("to"), r["table"]))
            routes.append({k: v for k, v in r.items() if k in ("to", "via", "metric", "mtu")})
        if routes:
            e["routes"] = routes
        elif "routes" in e:
            del e["routes"]
        for ov in ("dhcp4-overrides", "dhcp6-overrides"):
            if isinstance(e.get(ov), dict):
                kept = {k: v for k, v in e[ov].items() if k == "route-metric"}
                dropped = sorted(set(e[ov]) - set(kept))
                if dropped:
                    notes.append("%s: %s %s dropped (cloud-init renderer)" % (key, ov, ", ".join(dropped)))
                if kept:
                    e[ov] = kept
                else:
                    del e[ov]
        for k in list(e):
            if k not in ("match", "set-name", "addresses", "dhcp4", "dhcp6", "dhcp4-overrides", "dhcp6-overrides",
                         "routes", "nameservers", "mtu", "gateway4", "gateway6", "optional", "wakeonlan", "accept-ra"):
                notes.append("%s: %s dropped (cloud-init renderer)" % (key, k))
                del e[k]
    return doc


def _generate(docs_by_guest):
    """Runs netplan generate once over {guest_key: v2 doc}. With several guests, ids are prefixed with the guest
    key (only for docs whose entries all have a `match`); a single guest's doc is written as is.
    Returns {guest_key: GuestConfig}; raises RenderError with netplan's message."""
    root = tempfile.mkdtemp(prefix="twin-netplan-")
    try:
        single = next(iter(docs_by_guest)) if len(docs_by_guest) == 1 else None
        if single is not None:
            merged = docs_by_guest[single]
        else:
            merged = {"version": 2, "ethernets": {}}
            for g, doc in docs_by_guest.items():
                for key, e in (doc.get("ethernets") or {}).items():
                    merged["ethernets"]["%s--%s" % (g, key)] = e
        d = os.path.join(root, "etc", "netplan")
        os.makedirs(d)
        fn = os.path.join(d, "50-cloud-init.yaml")
        fd = os.open(fn, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump({"network": merged}, f, default_flow_style=False, sort_keys=False)
        r = subprocess.run([NETPLAN, "generate", "--root-dir", root], capture_output=True, text=True)
        if r.returncode != 0:
            raise RenderError((r.stderr or r.stdout).strip().replace(root, "<root>"))
        out = {g: GuestConfig() for g in docs_by_guest}
        nd = os.path.join(root, "run", "systemd", "network")
        for fname in sorted(os.listdir(nd)) if os.path.isdir(nd) else []:
            base = fname[len("10-netplan-"):] if fname.startswith("10-netplan-") else fname
            g = single if single is not None else base.split("--", 1)[0]
            if g not in out:
                continue
            p = os.path.join(nd, fname)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if fname.endswith(".network"):
                out[g].networks.append(parse_network_file(p))
            elif fname.endswith(".link"):
                out[g].links.append(parse_link_file(p))
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _batchable(doc):
    if not isinstance(doc, dict) or doc.get("version") != 2:
        return False
    if set(doc) - {"version", "ethernets", "renderer"}:
        return False
    eths = doc.get("ethernets")
    if not isinstance(eths, dict):
        return False
    # an entry without match is matched by its id (the interface name): its id must stay as written
    return all(isinstance(e, dict) and isinstance(e.get("match"), dict) for e in eths.values())


def prepare(mode, text):
    """networkData text → (v2 doc to render or None, notes, error). `mode`: netplan | cloud-init | none."""
    notes = []
    if mode == "none":
        return None, ["image applies no networkData (its own init runs DHCP on the first NIC)"], None
    if text is None:
        return None, ["no networkData: cloud-init's fallback, DHCP on the first NIC"], None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, notes, "networkData is not YAML: %s" % str(exc).replace("\n", " ")
    if isinstance(doc, dict) and "network" in doc and isinstance(doc["network"], dict):
        doc = doc["network"]
    if not isinstance(doc, dict) or doc.get("version") != 2:
        return None, notes, "networkData is not netplan v2 (version: %r)" % (doc.get("version") if isinstance(doc, dict) else None)
    if mode == "cloud-init":
        doc = cloud_init_subset(doc, notes)
    return doc, notes, None


def render_all(items):
    """items: {guest_key: (mode, networkData text)} → {guest_key: (GuestConfig or None, error or None)}."""
    results, docs, single = {}, {}, {}
    for g, (mode, text) in items.items():
        doc, notes, err = prepare(mode, text)
        if err:
            results[g] = (None, err)
            continue
        if doc is None:
            gc = GuestConfig()
            gc.notes = notes
            gc.dhcp_first_nic = True
            gc.dhcp_first_metric = 0 if mode == "none" else 100   # udhcpc: metric 0; netplan/networkd: 100
            results[g] = (gc, None)
            continue
        (docs if _batchable(doc) else single)[g] = (doc, notes)
    if docs:
        try:
            out = _generate({g: d for g, (d, _) in docs.items()})
            for g, (_, notes) in docs.items():
                out[g].notes = notes
                results[g] = (out[g], None)
        except RenderError:
            single.update(docs)
    for g, (doc, notes) in single.items():
        try:
            gc = _generate({g: doc})[g]
            gc.notes = notes
            results[g] = (gc, None)
        except RenderError as exc:
            results[g] = (None, "netplan generate: %s" % exc)
    return results
