#!/usr/bin/env python3
"""Gives the test API server (server.py) what a real cluster has and `wukongc apply`'s preflight
reads, for a given set of objects: one Node per hostname the VMs are pinned to (plus `node-0`),
each carrying every nodeSelector label of the VMs and advertising every device-plugin resource
the NADs name (status.allocatable), and, when a VM uses the macvtap binding, the KubeVirt CR
kubevirt/kubevirt registering the plugin (KubeVirt v1.6.0). The same as
TestAPIServer.addClusterFor in Tests/WukongApplyTests/TestServer.swift.

Usage: seed-cluster.py --server https://127.0.0.1:PORT --ca CA.crt --cert C.crt --key C.key OBJECTS.json
(OBJECTS.json: `wukongc build --format json` output, a v1 List). Python 3 standard library only.
"""
import argparse
import json
import ssl
import urllib.request

RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
HOSTNAME = "kubernetes.io/hostname"


def fixtures(objects):
    labels, hosts, resources, macvtap = {}, ["node-0"], {}, False
    for o in objects:
        md = o.get("metadata") or {}
        if o.get("kind") == "NetworkAttachmentDefinition":
            r = (md.get("annotations") or {}).get(RESOURCE_ANNOTATION)
            if r:
                resources[r] = "50"
        if o.get("kind") != "VirtualMachine":
            continue
        spec = ((o.get("spec") or {}).get("template") or {}).get("spec") or {}
        for k, v in (spec.get("nodeSelector") or {}).items():
            if k == HOSTNAME:
                hosts.append(v)
            else:
                labels[k] = v
        required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                    .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
        for term in required.get("nodeSelectorTerms") or []:
            for e in term.get("matchExpressions") or []:
                if e.get("key") == HOSTNAME:
                    hosts += e.get("values") or []
        ifaces = ((spec.get("domain") or {}).get("devices") or {}).get("interfaces") or []
        macvtap = macvtap or any((i.get("binding") or {}).get("name") == "macvtap" for i in ifaces)
    out = []
    for h in dict.fromkeys(hosts):
        alloc = dict({"cpu": "8", "memory": "32Gi", "pods": "110"}, **resources)
        out.append(("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node",
                                      "metadata": {"name": h, "labels": dict(labels, **{HOSTNAME: h})},
                                      "status": {"allocatable": alloc, "capacity": alloc}}))
    if macvtap:
        out.append(("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubevirt"}}))
        out.append(("/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts", {
            "apiVersion": "kubevirt.io/v1", "kind": "KubeVirt", "metadata": {"name": "kubevirt", "namespace": "kubevirt"},
            "spec": {"configuration": {"network": {"binding": {"macvtap": {"domainAttachmentType": "tap"}}}}},
            "status": {"observedKubeVirtVersion": "v1.6.0", "phase": "Deployed"}}))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("objects")
    args = ap.parse_args()
    with open(args.objects) as f:
        doc = json.load(f)
    objects = doc.get("items", []) if doc.get("kind") == "List" else [doc]
    ctx = ssl.create_default_context(cafile=args.ca)
    ctx.load_cert_chain(args.cert, args.key)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), urllib.request.ProxyHandler({}))
    for path, obj in fixtures(objects):
        req = urllib.request.Request(args.server + path + "?fieldValidation=Strict", data=json.dumps(obj).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with opener.open(req, timeout=10) as resp:
            resp.read()


if __name__ == "__main__":
    main()
