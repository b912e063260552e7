"""The twin's input: the Kubernetes objects of the built YAML (NNCPs, NADs, VMs, cloud-init Secrets) and only the
inventory the objects cannot carry, from `wukongc build --emit ir`: hosts and their NICs (names, node addresses),
networks (subnet, gateway, mtu), the topology's cluster CIDRs, and how each VM's image applies networkData."""

import base64
import ipaddress
import json

import yaml

DEFAULT_POD_CIDR = "10.244.0.0/16"
DEFAULT_SERVICE_CIDR = "10.96.0.0/12"


class InputError(Exception):
    pass


def _dict(v):
    return v if isinstance(v, dict) else {}


def _list(v):
    return v if isinstance(v, list) else []


def _kv(v):
    """IR label maps are lists of {key, value}; objects use plain maps. Accept both."""
    if isinstance(v, dict):
        return dict(v)
    return {e.get("key"): e.get("value") for e in _list(v) if isinstance(e, dict)}


class Interface:
    """One VM interface, from the VirtualMachine object (binding, MAC) and its network (pod or Multus NAD)."""

    def __init__(self, name, binding, mac, network_source):
        self.name = name
        self.binding = binding              # masquerade | bridge | sriov | passt | macvtap | <plugin> | ...
        self.mac = (mac or "").lower()
        self.source = network_source        # {"pod": {}} or {"multus": {"networkName": ...}}
        self.network = None                 # IR network name, when known
        self.nad = None                     # (namespace, name)


class VM:
    def __init__(self, obj):
        md, spec = _dict(obj.get("metadata")), _dict(obj.get("spec"))
        self.name = md.get("name")
        self.namespace = md.get("namespace") or "default"
        tspec = _dict(_dict(spec.get("template")).get("spec"))
        self.node_selector = _kv(tspec.get("nodeSelector"))
        self.affinity_terms = []
        aff = _dict(_dict(_dict(tspec.get("affinity")).get("nodeAffinity")).get("requiredDuringSchedulingIgnoredDuringExecution"))
        for term in _list(aff.get("nodeSelectorTerms")):
            self.affinity_terms.append(_list(_dict(term).get("matchExpressions")))
        devices = _dict(_dict(tspec.get("domain")).get("devices"))
        nets = {n.get("name"): n for n in _list(tspec.get("networks")) if isinstance(n, dict)}
        self.interfaces = []
        for i in _list(devices.get("interfaces")):
            if not isinstance(i, dict):
                continue
            binding = "unknown"
            for b in ("masquerade", "bridge", "sriov", "passt", "passtBinding", "slirp", "macvtap"):
                if b in i:
                    binding = b
            if "binding" in i:
                binding = _dict(i["binding"]).get("name") or "plugin"
            net = nets.get(i.get("name"), {})
            self.interfaces.append(Interface(i.get("name"), binding, i.get("macAddress"), net))
        self.image = None
        self.network_data = None
        self.network_data_secret = None
        for v in _list(tspec.get("volumes")):
            v = _dict(v)
            if "containerDisk" in v:
                self.image = _dict(v["containerDisk"]).get("image")
            for src in ("cloudInitNoCloud", "cloudInitConfigDrive"):
                ci = _dict(v.get(src))
                if "networkData" in ci:
                    self.network_data = ci["networkData"]
                elif "networkDataBase64" in ci:
                    self.network_data = base64.b64decode(ci["networkDataBase64"]).decode()
                elif "networkDataSecretRef" in ci:
                    self.network_data_secret = _dict(ci["networkDataSecretRef"]).get("name")
        self.network_config = None          # netplan | cloud-init | none
        self.network_config_source = None


class Policy:
    def __init__(self, obj):
        self.name = _dict(obj.get("metadata")).get("name")
        spec = _dict(obj.get("spec"))
        self.node_selector = _kv(spec.get("nodeSelector"))
        self.desired = _dict(spec.get("desiredState"))
        self.interfaces = [i for i in _list(self.desired.get("interfaces")) if isinstance(i, dict)]
        self.routes = [r for r in _list(_dict(self.desired.get("routes")).get("config")) if isinstance(r, dict)]


class Host:
    def __init__(self, name, hostname, nics, declared):
        self.name = name
        self.hostname = hostname
        self.nics = nics          # [(ifname, settings dict)]
        self.declared = declared  # False for the twin's undeclared node(s)


class Network:
    def __init__(self, ir):
        self.name = ir.get("name")
        self.subnet = ipaddress.ip_network(ir["subnet"]) if ir.get("subnet") else None
        self.gateway = ipaddress.ip_address(ir["gateway"]) if ir.get("gateway") else None
        # dual-stack: the IPv6 subnet and gateway (subnet/gateway are then the IPv4 ones)
        self.subnet6 = ipaddress.ip_network(ir["subnet6"]) if ir.get("subnet6") else None
        self.gateway6 = ipaddress.ip_address(ir["gateway6"]) if ir.get("gateway6") else None
        self.mtu = ir.get("mtu")
        self.vlan = ir.get("vlan")
        self.ipam = ir.get("ipam")
        self.attachment = _dict(ir.get("attachment"))
        self.nad_name = ir.get("nadName")

    @property
    def bridge(self):
        b = self.attachment.get("bridge")
        return (b.get("ifname") or b.get("name")) if isinstance(b, dict) else None

    def kind(self):
        for k in ("bridge", "ovs", "macvlan", "sriov"):
            if k in self.attachment:
                return k
        return next(iter(self.attachment), "unknown")


def image_network_config(ir_vm, image_ref):
    """How the guest applies networkData: the IR's record when the compiler provides one (v2: image =
    {ref, network_config}), else a guess from the image reference: Ubuntu runs netplan, CirrOS applies nothing,
    everything else (Fedora, CentOS, Debian 12, ...) goes through cloud-init's own renderers."""
    for key in ("networkConfig", "network_config", "imageNetworkConfig"):
        if isinstance(ir_vm.get(key), str):
            return ir_vm[key], "IR %s" % key
    img = ir_vm.get("image")
    if isinstance(img, dict):
        for key in ("networkConfig", "network_config"):
            if isinstance(img.get(key), str):
                return img[key], "IR image.%s" % key
        image_ref = img.get("ref") or image_ref
    ref = (image_ref or (img if isinstance(img, str) else "") or "").lower()
    if "ubuntu" in ref:
        return "netplan", "guessed from image %s" % ref
    if "cirros" in ref:
        return "none", "guessed from image %s" % ref
    return "cloud-init", "guessed from image %s" % (ref or "?")


class Topology:
    def __init__(self, objects_text, ir):
        self.ir = ir
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: 10x faster
            docs = [d for d in yaml.load_all(objects_text, Loader=loader) if isinstance(d, dict)]
        except yaml.YAMLError as exc:
            raise InputError("objects are not YAML: %s" % exc)
        # a v1 List (kubectl style) is flattened
        flat = []
        for d in docs:
            if d.get("kind") == "List":
                flat += [i for i in _list(d.get("items")) if isinstance(i, dict)]
            else:
                flat.append(d)
        self.policies = [Policy(d) for d in flat if d.get("kind") == "NodeNetworkConfigurationPolicy"]
        self.nads = {}
        for d in flat:
            if d.get("kind") == "NetworkAttachmentDefinition":
                md = _dict(d.get("metadata"))
                cfg = _dict(d.get("spec")).get("config")
                try:
                    conf = json.loads(cfg) if isinstance(cfg, str) else {}
                except ValueError:
                    conf = {"_invalid": cfg}
                if isinstance(conf.get("plugins"), list) and conf["plugins"]:
                    main = dict(conf["plugins"][0])
                    main.setdefault("name", conf.get("name"))
                    conf = main
                self.nads[(md.get("namespace") or "default", md.get("name"))] = conf
        for d in flat:
            # a ClusterUserDefinedNetwork: OVN-Kubernetes renders a NAD of its name in each selected
            # namespace (only matchLabels on the namespace name are understood here)
            if d.get("kind") == "ClusterUserDefinedNetwork":
                md, spec = _dict(d.get("metadata")), _dict(d.get("spec"))
                ns = _dict(_dict(spec.get("namespaceSelector")).get("matchLabels")).get("kubernetes.io/metadata.name")
                net = _dict(spec.get("network"))
                if ns:
                    self.nads[(ns, md.get("name"))] = {"type": "ovn-k8s-cni-overlay", "name": md.get("name"),
                                                       "topology": str(net.get("topology") or "").lower()}
        self.secrets = {}
        for d in flat:
            if d.get("kind") == "Secret":
                md = _dict(d.get("metadata"))
                data = {}
                for k, v in _dict(d.get("data")).items():
                    try:
                        data[k] = base64.b64decode(v).decode()
                    except (ValueError, UnicodeDecodeError):
                        data[k] = None
                for k, v in _dict(d.get("stringData")).items():
                    data[k] = v
                self.secrets[(md.get("namespace") or "default", md.get("name"))] = data
        self.vms = [VM(d) for d in flat if d.get("kind") == "VirtualMachine"]

        # ---- inventory from the IR
        self.name = ir.get("name") or "topology"
        self.networks = {}
        self.networks_by_nad = {}
        for n in _list(ir.get("networks")):
            net = Network(n)
            self.networks[net.name] = net
            if net.nad_name:
                self.networks_by_nad[net.nad_name] = net
        ir_vms = {v.get("name"): v for v in _list(ir.get("vms")) if isinstance(v, dict)}
        for vm in self.vms:
            irv = ir_vms.get(vm.name, {})
            nic_net = {n.get("name"): n.get("network") for n in _list(irv.get("nics")) if isinstance(n, dict)}
            vm.network_config, vm.network_config_source = image_network_config(irv, vm.image)
            for itf in vm.interfaces:
                m = _dict(itf.source.get("multus"))
                if m.get("networkName"):
                    nn = m["networkName"]
                    ns, _, nm = nn.rpartition("/")
                    itf.nad = (ns or vm.namespace, nm)
                itf.network = nic_net.get(itf.name)
                if itf.network is None and itf.nad and itf.nad[1] in self.networks_by_nad:
                    itf.network = self.networks_by_nad[itf.nad[1]].name
            if vm.network_data is None and vm.network_data_secret:
                data = self.secrets.get((vm.namespace, vm.network_data_secret))
                if data is not None:
                    vm.network_data = data.get("networkdata", data.get("networkData"))
        self.node_labels = _kv(ir.get("nodeSelector"))
        top_nics, host_nics = [], {}
        for n in _list(ir.get("nics")):
            settings = [s for s in _list(n.get("settings")) if isinstance(s, dict)]
            ifname = n.get("ifname") or n.get("name")
            if n.get("hosts"):
                for h in n["hosts"]:
                    s = next((s for s in settings if s.get("host") == h), {})
                    host_nics.setdefault(h, []).append((ifname, s))
            else:
                top_nics.append((ifname, settings[0] if settings else {}))
        self.hosts = []
        for h in _list(ir.get("hosts")):
            self.hosts.append(Host(h.get("name"), h.get("hostname") or h.get("name"),
                                   top_nics + host_nics.get(h.get("name"), []), True))
        self.top_nics = top_nics
        # cluster CIDRs (v2 topology attribute), any spelling the IR may use
        cidrs = None
        for key in ("clusterCIDRs", "clusterCidrs", "cluster_cidrs", "clusterCIDR"):
            if isinstance(ir.get(key), list):
                cidrs = ir[key]
                break
            topo = _dict(ir.get("topology"))
            if isinstance(topo.get(key), list):
                cidrs = topo[key]
                break
        self.cluster_cidrs_declared = cidrs is not None and len(cidrs) > 0
        # `topology { dual_stack = true }`: the masquerade pod NIC has KubeVirt's IPv6 too
        self.dual_stack = bool(ir.get("dualStack"))
        v4 = [ipaddress.ip_network(c, strict=False) for c in (cidrs or []) if ":" not in str(c)]
        if v4:
            svc = next((c for c in v4 if ipaddress.ip_address("10.96.0.1") in c), v4[-1] if len(v4) > 1 else None)
            pods = next((c for c in v4 if c is not svc), v4[0])
            if svc is pods:     # one CIDR for both: Services take its upper half (build.service_address)
                svc = None
            self.pod_cidr, self.service_cidr = pods, svc
        else:
            self.pod_cidr = ipaddress.ip_network(DEFAULT_POD_CIDR)
            self.service_cidr = ipaddress.ip_network(DEFAULT_SERVICE_CIDR)
