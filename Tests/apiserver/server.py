#!/usr/bin/env python3
"""A small Kubernetes API server for wukongc's apply tests (Python 3 standard library only;
PyYAML is used when installed, to read the CRD schemas and YAML request bodies).

Serves over HTTPS on 127.0.0.1 (never another address): discovery (/api, /apis, group
versions, /version), GET/LIST (labelSelector, limit/continue), server-side apply PATCH
(create, update, no-op keeps resourceVersion, 409 on field-manager conflicts, force,
dryRun=All, fieldValidation=Strict against ../shared/schemas), POST (create) and merge /
strategic-merge PATCH (as RFC 7386 merge patch; enough for client-side `kubectl diff`), DELETE, bearer-token and
client-certificate authentication, and fault injection.

Usage:
  server.py --cert S.crt --key S.key [--client-ca CA.crt] [--token T ...] [--schemas DIR]
            [--namespace NS ...] [--port 0] [--port-file F]
Prints "listening on 127.0.0.1:<port>" on stdout once ready (and writes the port to --port-file).

Test control (no authentication; loopback only):
  POST   /_test/faults   {"faults": [{"type": "429"|"500"|"503"|"reset"|"slow"|"401"|"403"|"404"|"500-schema",
                          "method": "PATCH", "path_contains": "virtualmachines", "count": 1,
                          "retry_after": 1, "delay": 5}]}   appended; each fires `count` times
  DELETE /_test/faults   clear faults
  POST   /_test/config   {"status_mode": "ready"|"degraded"|"never", "status_delay": 0.1,
                          "unserved": ["virtualmachines.kubevirt.io", ...]}   resources (plural.group, core:
                          plural) taken out of discovery and routing, as if their CRD were not installed
  POST   /_test/reset    drop all objects (and faults, the request log, `unserved`)
Nodes (core v1, cluster-scoped) and KubeVirt CRs (kubevirt.io/v1 `kubevirts`, namespaced) are served
like the other kinds; their `status` is stored as sent (POST or merge PATCH), so a test creates
Nodes with `status.allocatable` and a KubeVirt CR with `status.observedKubeVirtVersion`.
  GET    /_test/log      {"requests": [{"method", "path", "status", "manager"}...]}
Faults can also be given at start in the environment variable WUKONG_TEST_FAULTS (same JSON).
"""
import argparse
import copy
import datetime
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import yaml  # optional
except ImportError:  # pragma: no cover
    yaml = None

# ---------------------------------------------------------------------------------------------
# Resources

RESOURCES = [
    # group, version, kind, plural, namespaced, shortNames
    ("", "v1", "Namespace", "namespaces", False, ["ns"]),
    ("", "v1", "Secret", "secrets", True, []),
    ("nmstate.io", "v1", "NodeNetworkConfigurationPolicy", "nodenetworkconfigurationpolicies", False, ["nncp"]),
    ("k8s.cni.cncf.io", "v1", "NetworkAttachmentDefinition", "network-attachment-definitions", True,
     ["net-attach-def", "nad"]),
    ("k8s.ovn.org", "v1", "ClusterUserDefinedNetwork", "clusteruserdefinednetworks", False, []),
    ("kubevirt.io", "v1", "VirtualMachine", "virtualmachines", True, ["vm", "vms"]),
    ("kubevirt.io", "v1", "KubeVirt", "kubevirts", True, ["kv", "kvs"]),
    ("", "v1", "Node", "nodes", False, ["no"]),
]
BY_PATH = {(g, v, p): (g, v, k, p, n, s) for (g, v, k, p, n, s) in RESOURCES}
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def api_version(group, version):
    return version if group == "" else group + "/" + version


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Schemas (structural check of unknown fields only)

class Schemas:
    def __init__(self, directory):
        self.by_kind = {}     # kind -> schema (resolved lazily through self.defs)
        self.defs = {}        # swagger definitions by name
        self.object_meta = None
        if not directory or not os.path.isdir(directory):
            return
        core = os.path.join(directory, "k8s-core-swagger.json")
        if os.path.exists(core):
            with open(core) as f:
                d = json.load(f).get("definitions", {})
            self.defs.update(d)
            self.by_kind["Secret"] = {"$ref": "#/definitions/io.k8s.api.core.v1.Secret"}
            self.by_kind["Namespace"] = {"$ref": "#/definitions/io.k8s.api.core.v1.Namespace"}
            if "io.k8s.api.core.v1.Node" in d:
                self.by_kind["Node"] = {"$ref": "#/definitions/io.k8s.api.core.v1.Node"}
            if "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in d:
                self.object_meta = {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
        vm_yaml = os.path.join(directory, "kubevirt-vm-crd-schema.yaml")
        kv_swagger = os.path.join(directory, "kubevirt-swagger.json")
        if yaml is not None and os.path.exists(vm_yaml):
            with open(vm_yaml) as f:
                self.by_kind["VirtualMachine"] = yaml.safe_load(f)["openAPIV3Schema"]
        elif os.path.exists(kv_swagger):
            with open(kv_swagger) as f:
                self.defs.update(json.load(f).get("definitions", {}))
            self.by_kind["VirtualMachine"] = {"$ref": "#/definitions/v1.VirtualMachine"}
        kv_cr_yaml = os.path.join(directory, "kubevirt-kubevirt-crd-schema.yaml")
        if yaml is not None and os.path.exists(kv_cr_yaml):
            with open(kv_cr_yaml) as f:
                self.by_kind["KubeVirt"] = yaml.safe_load(f)["openAPIV3Schema"]
        if yaml is not None:
            for fname, kind in (("nad-crd.yaml", "NetworkAttachmentDefinition"),
                                ("nncp-crd.yaml", "NodeNetworkConfigurationPolicy")):
                path = os.path.join(directory, fname)
                if not os.path.exists(path):
                    continue
                with open(path) as f:
                    for doc in yaml.safe_load_all(f):
                        if not doc or doc.get("kind") != "CustomResourceDefinition":
                            continue
                        for v in doc["spec"]["versions"]:
                            if v["name"] == "v1":
                                self.by_kind[kind] = v["schema"]["openAPIV3Schema"]

    def resolve(self, s):
        seen = 0
        while isinstance(s, dict) and "$ref" in s and seen < 50:
            s = self.defs.get(s["$ref"].split("/")[-1], {})
            seen += 1
        return s

    def unknown_field(self, kind, obj):
        """Returns the first undeclared field path ('.spec.x') or None."""
        schema = self.by_kind.get(kind)
        if schema is None:
            return None
        return self._walk(obj, schema, "", top=True)

    def _walk(self, value, schema, path, top=False):
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return None
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return None
        if isinstance(value, dict):
            props = schema.get("properties")
            addl = schema.get("additionalProperties")
            for k, v in value.items():
                p = path + "." + k
                if top and k == "metadata" and self.object_meta is not None:
                    r = self._walk(v, self.object_meta, p)
                elif props is not None and k in props:
                    r = self._walk(v, props[k], p)
                elif isinstance(addl, dict):
                    r = self._walk(v, addl, p)
                elif props is not None or addl is False:
                    return p
                else:
                    r = None
                if r:
                    return r
        elif isinstance(value, list):
            items = schema.get("items")
            if items is not None:
                for i, v in enumerate(value):
                    r = self._walk(v, items, "%s[%d]" % (path, i))
                    if r:
                        return r
        return None


# ---------------------------------------------------------------------------------------------
# Store and server-side apply (simplified managed-fields model: leaf paths; lists are atomic)

IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
SERVER_META = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")


def leaves(obj, prefix=()):
    out = {}
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            if prefix == ("metadata",) and k in SERVER_META:
                continue
            if prefix == () and k == "status":
                continue
            if isinstance(v, dict) and v:
                out.update(leaves(v, prefix + (k,)))
            else:
                out[prefix + (k,)] = v
    return {p: v for p, v in out.items() if p not in IDENTITY}


def get_path(obj, path):
    cur = obj
    for k in path:
        if not isinstance(cur, dict) or k not in cur:
            return ("<absent>",)
        cur = cur[k]
    return cur


def set_path(obj, path, value):
    cur = obj
    for k in path[:-1]:
        if not isinstance(cur.get(k), dict):
            cur[k] = {}
        cur = cur[k]
    cur[path[-1]] = copy.deepcopy(value)


def del_path(obj, path):
    chain = [obj]
    cur = obj
    for k in path[:-1]:
        if not isinstance(cur, dict) or k not in cur:
            return
        cur = cur[k]
        chain.append(cur)
    if isinstance(cur, dict):
        cur.pop(path[-1], None)
    # drop maps left empty
    for i in range(len(path) - 1, 0, -1):
        if chain[i] == {}:
            chain[i - 1].pop(path[i - 1], None)


def fields_v1(paths):
    root = {}
    for p in sorted(paths):
        cur = root
        for k in p:
            cur = cur.setdefault("f:" + k, {})
    return root


def comparable(obj):
    o = copy.deepcopy(obj)
    md = o.get("metadata", {})
    for k in SERVER_META:
        md.pop(k, None)
    o.pop("status", None)
    return o


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details, self.headers = code, reason, message, details, headers or {}

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            s["details"] = self.details
        return s


class Store:
    def __init__(self, schemas, namespaces=()):
        self.extra_namespaces = [n for n in namespaces if n not in ("default", "kube-system")]
        self.lock = threading.Lock()
        self.objects = {}      # (kind, ns, name) -> {"obj": dict, "managers": {m: {"paths": set, "time": str}}}
        self.rv = 1000
        self.schemas = schemas
        self.status_mode = "ready"
        self.status_delay = 0.0
        self.reset()

    def reset(self):
        with self.lock:
            self.objects = {}
            for ns in ("default", "kube-system") + tuple(self.extra_namespaces):
                self._put_namespace(ns)

    def _put_namespace(self, name):
        self.rv += 1
        self.objects[("Namespace", None, name)] = {"obj": {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "uid": str(uuid.uuid4()), "resourceVersion": str(self.rv),
                         "creationTimestamp": now_rfc3339(), "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
            "managers": {}, "created": time.time()}

    def _render(self, entry, kind):
        obj = copy.deepcopy(entry["obj"])
        self._materialize_status(entry, obj, kind)
        mf = []
        for m, info in entry["managers"].items():
            if info["paths"]:
                mf.append({"manager": m, "operation": "Apply", "apiVersion": obj.get("apiVersion"),
                           "time": info["time"], "fieldsType": "FieldsV1", "fieldsV1": fields_v1(info["paths"])})
        if mf:
            obj["metadata"]["managedFields"] = mf
        return obj

    def _materialize_status(self, entry, obj, kind):
        if kind not in ("NodeNetworkConfigurationPolicy", "VirtualMachine"):
            return
        if self.status_mode == "never" or time.time() - entry["created"] < self.status_delay:
            return
        if kind == "NodeNetworkConfigurationPolicy":
            if self.status_mode == "degraded":
                conds = [{"type": "Degraded", "status": "True", "reason": "FailedToConfigure",
                          "message": "1/1 nodes failed to configure"},
                         {"type": "Available", "status": "False", "reason": "FailedToConfigure"}]
            else:
                conds = [{"type": "Available", "status": "True", "reason": "SuccessfullyConfigured",
                          "message": "1/1 nodes successfully configured"},
                         {"type": "Degraded", "status": "False", "reason": "SuccessfullyConfigured"}]
        else:
            spec = obj.get("spec", {})
            runs = spec.get("runStrategy", "Always" if spec.get("running") else "Halted") not in ("Halted", "Manual")
            if not runs:
                return
            conds = [{"type": "Ready", "status": "True", "reason": "", "message": ""}]
        obj["status"] = {"conditions": conds}

    def get(self, kind, ns, name):
        with self.lock:
            e = self.objects.get((kind, ns, name))
            return None if e is None else self._render(e, kind)

    def namespace_exists(self, ns):
        with self.lock:
            return ("Namespace", None, ns) in self.objects

    def list(self, kind, ns, selector):
        with self.lock:
            keys = sorted(k for k in self.objects if k[0] == kind and (ns is None or k[1] == ns))
            out = []
            for k in keys:
                e = self.objects[k]
                labels = e["obj"].get("metadata", {}).get("labels", {}) or {}
                if matches(selector, labels):
                    out.append(self._render(e, kind))
            return out, str(self.rv)

    def delete(self, kind, ns, name, dry_run):
        with self.lock:
            e = self.objects.get((kind, ns, name))
            if e is None:
                return None
            obj = self._render(e, kind)
            if not dry_run:
                del self.objects[(kind, ns, name)]
                if kind == "Namespace":
                    for k in [k for k in self.objects if k[1] == name]:
                        del self.objects[k]
            return obj

    def update(self, res, ns, name, body, manager, dry_run, strict, create):
        """POST (create=True) or a JSON merge patch / strategic merge patch (treated as a merge
        patch; `$`-directives dropped): an Update operation, which takes ownership of the fields it
        sets and never conflicts."""
        group, version, kind, plural, namespaced, _ = res
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        body = strip_directives(body)
        with self.lock:
            if namespaced and ("Namespace", None, ns) not in self.objects:
                raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns, {"name": ns, "kind": "namespaces"})
            entry = self.objects.get((kind, ns, name))
            if create and entry is not None:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (plural, name),
                               {"name": name, "group": group, "kind": plural})
            if not create and entry is None:
                raise ApiError(404, "NotFound", '%s "%s" not found' % (plural, name),
                               {"name": name, "group": group, "kind": plural})
        if create:
            code, obj = self.apply(res, ns, name, body, manager, True, dry_run, strict)
            return 201, obj
        with self.lock:
            entry = self.objects.get((kind, ns, name))
            if entry is None:
                raise ApiError(404, "NotFound", '%s "%s" not found' % (plural, name))
            live = entry["obj"]
            want_rv = (body.get("metadata") or {}).get("resourceVersion")
            if want_rv is not None and want_rv != live["metadata"].get("resourceVersion"):
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                               'please apply your changes to the latest version and try again' % (plural, name))
            obj = merge_patch(copy.deepcopy(live), body)
            obj["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
            for k in ("annotations", "labels"):  # Go's omitempty
                if obj["metadata"].get(k) == {}:
                    del obj["metadata"][k]
            if strict and self.schemas is not None:
                bad = self.schemas.unknown_field(kind, obj)
                if bad:
                    raise ApiError(400, "BadRequest", 'strict decoding error: unknown field "%s"' % bad.lstrip("."))
            managers = copy.deepcopy(entry["managers"])
            patched = leaves(body)
            t = now_rfc3339()
            for p, v in patched.items():
                for m in managers:
                    managers[m]["paths"] = {q for q in managers[m]["paths"] if q[:len(p)] != p and p[:len(q)] != q}
            mine = managers.setdefault(manager, {"paths": set(), "time": t})
            mine["paths"] |= {p for p, v in patched.items() if v is not None}
            mine["time"] = t
            managers = {m: i for m, i in managers.items() if i["paths"]}
            if comparable(obj) == comparable(live):
                return 200, self._render(entry, kind)
            if group != "":
                obj["metadata"]["generation"] = live["metadata"].get("generation", 1) + 1
            new_entry = {"obj": obj, "managers": managers, "created": entry["created"]}
            if dry_run:
                return 200, self._render(new_entry, kind)
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.objects[(kind, ns, name)] = new_entry
            return 200, self._render(new_entry, kind)

    def apply(self, res, ns, name, body, manager, force, dry_run, strict):
        group, version, kind, plural, namespaced, _ = res
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body of an apply patch must be an object")
        av, bk = body.get("apiVersion"), body.get("kind")
        if av != api_version(group, version) or bk != kind:
            raise ApiError(400, "BadRequest", "the API version in the data (%s) does not match the expected API version (%s)"
                           % (av, api_version(group, version)) if av != api_version(group, version) else
                           "the kind in the data (%s) does not match the expected kind (%s)" % (bk, kind))
        md = body.get("metadata") or {}
        if md.get("name") != name:
            raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the name on the URL (%s)"
                           % (md.get("name"), name))
        if namespaced and md.get("namespace") not in (None, ns):
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
        for k in SERVER_META:
            if k in md and k != "resourceVersion":
                if k == "managedFields":
                    raise ApiError(400, "BadRequest", "metadata.managedFields must be nil")
        if strict and self.schemas is not None:
            bad = self.schemas.unknown_field(kind, body)
            if bad:
                if group == "":
                    raise ApiError(400, "BadRequest", 'strict decoding error: unknown field "%s"' % bad.lstrip("."))
                raise ApiError(500, "InternalError",
                               "failed to create typed patch object (%s; %s, Kind=%s): %s: field not declared in schema"
                               % ((ns + "/" if ns else "") + name, api_version(group, version), kind, bad))
        new_paths = leaves(body)
        with self.lock:
            if namespaced and ("Namespace", None, ns) not in self.objects:
                raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns,
                               {"name": ns, "kind": "namespaces"})
            key = (kind, ns, name)
            entry = self.objects.get(key)
            t = now_rfc3339()
            if entry is None:
                obj = copy.deepcopy(body)
                obj["metadata"] = dict(obj.get("metadata") or {})
                if namespaced:
                    obj["metadata"]["namespace"] = ns
                obj["metadata"]["uid"] = str(uuid.uuid4())
                obj["metadata"]["creationTimestamp"] = t
                if group != "":
                    obj["metadata"]["generation"] = 1
                if kind == "Secret" and "type" not in obj:
                    obj["type"] = "Opaque"
                if kind == "Namespace":
                    obj.setdefault("spec", {"finalizers": ["kubernetes"]})
                    obj.setdefault("status", {"phase": "Active"})
                    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
                new_entry = {"obj": obj, "managers": {manager: {"paths": set(new_paths), "time": t}},
                             "created": time.time()}
                if not dry_run:
                    self.rv += 1
                    obj["metadata"]["resourceVersion"] = str(self.rv)
                    self.objects[key] = new_entry
                    return 201, self._render(new_entry, kind)
                return 201, self._render(new_entry, kind)
            live = entry["obj"]
            managers = copy.deepcopy(entry["managers"])
            conflicts = []
            for p, v in new_paths.items():
                for m, info in managers.items():
                    if m == manager:
                        continue
                    for q in info["paths"]:
                        overlap = q == p or q[:len(p)] == p or p[:len(q)] == q
                        if overlap and get_path(live, q) != get_path(body, q):
                            conflicts.append((m, q))
            if conflicts and not force:
                uniq = []
                for c in conflicts:
                    if c not in uniq:
                        uniq.append(c)
                causes = [{"type": "FieldManagerConflict",
                           "message": 'conflict with "%s" using %s' % (m, api_version(group, version)),
                           "field": "." + ".".join(q)} for m, q in uniq]
                msg = "Apply failed with %d conflict%s: %s" % (
                    len(uniq), "" if len(uniq) == 1 else "s",
                    "; ".join('conflict with "%s" using %s: .%s' % (m, api_version(group, version), ".".join(q))
                              for m, q in uniq))
                raise ApiError(409, "Conflict", msg, {"name": name, "group": group, "kind": plural, "causes": causes})
            for m, q in conflicts:
                managers[m]["paths"].discard(q)
            obj = copy.deepcopy(live)
            mine = managers.get(manager, {"paths": set()})["paths"]
            others = set()
            for m, info in managers.items():
                if m != manager:
                    others |= info["paths"]
            for p in mine - set(new_paths):
                if p not in others:
                    del_path(obj, p)
            for p, v in new_paths.items():
                set_path(obj, p, v)
            old_mine = set(mine)
            managers[manager] = {"paths": set(new_paths),
                                 "time": t if set(new_paths) != old_mine else managers.get(manager, {}).get("time", t)}
            managers = {m: i for m, i in managers.items() if i["paths"]}
            changed = comparable(obj) != comparable(live)
            owners_changed = {m: i["paths"] for m, i in managers.items()} != \
                {m: i["paths"] for m, i in entry["managers"].items() if i["paths"]}
            if not changed and not owners_changed:
                return 200, self._render(entry, kind)
            if changed and group != "":
                spec_changed = {k: v for k, v in comparable(obj).items() if k != "metadata"} != \
                    {k: v for k, v in comparable(live).items() if k != "metadata"}
                if spec_changed:
                    obj["metadata"]["generation"] = live["metadata"].get("generation", 1) + 1
            new_entry = {"obj": obj, "managers": managers, "created": entry["created"]}
            if dry_run:
                return 200, self._render(new_entry, kind)
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.objects[key] = new_entry
            return 200, self._render(new_entry, kind)


def strip_directives(v):
    if isinstance(v, dict):
        return {k: strip_directives(x) for k, x in v.items() if not k.startswith("$")}
    if isinstance(v, list):
        return [strip_directives(x) for x in v]
    return v


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def parse_selector(s):
    reqs = []
    for part in [p.strip() for p in (s or "").split(",") if p.strip()]:
        if "!=" in part:
            k, v = part.split("!=", 1)
            reqs.append(("!=", k.strip(), v.strip()))
        elif "==" in part:
            k, v = part.split("==", 1)
            reqs.append(("=", k.strip(), v.strip()))
        elif "=" in part:
            k, v = part.split("=", 1)
            reqs.append(("=", k.strip(), v.strip()))
        elif part.startswith("!"):
            reqs.append(("!", part[1:].strip(), None))
        else:
            reqs.append(("exists", part, None))
    return reqs


def matches(selector, labels):
    for op, k, v in selector:
        if op == "=" and labels.get(k) != v:
            return False
        if op == "!=" and labels.get(k) == v:
            return False
        if op == "exists" and k not in labels:
            return False
        if op == "!" and k in labels:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# HTTP

class State:
    def __init__(self, args):
        self.tokens = set(args.token or [])
        self.store = Store(Schemas(args.schemas), args.namespace or [])
        self.faults = []
        self.lock = threading.Lock()
        self.log = []
        self.connections = 0
        self.epoch = 0
        self.unserved = set()   # "plural.group" (core: "plural") of resources not served
        env = os.environ.get("WUKONG_TEST_FAULTS")
        if env:
            self.faults.extend(json.loads(env).get("faults", []))

    def resources(self):
        """The served resources (RESOURCES less the `unserved` ones)."""
        with self.lock:
            off = set(self.unserved)
        return [r for r in RESOURCES if (r[3] + "." + r[0] if r[0] else r[3]) not in off]

    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f.get("count", 1) <= 0:
                    continue
                if f.get("method") and f["method"] != method:
                    continue
                if f.get("path_contains") and f["path_contains"] not in path:
                    continue
                f["count"] = f.get("count", 1) - 1
                return dict(f)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wukong-test-apiserver/1"

    def log_message(self, fmt, *args):  # quiet; the request log is kept in memory
        pass

    def setup(self):
        self.request.settimeout(30)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.close_connection = True
            self.request = None
        super().setup() if self.request is not None else None

    def handle(self):
        if self.request is None:
            return
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, socket.timeout):
            pass

    def finish(self):
        if self.request is None:
            return
        try:
            super().finish()
        except (ssl.SSLError, OSError):
            pass

    # -- helpers
    def send_json(self, code, obj, headers=None):
        data = json.dumps(obj, separators=(",", ":")).encode()
        st = self.server.state
        if not self.path.startswith("/_test/"):
            # logged before the answer goes out: a client that has its answer finds it in the log
            with st.lock:
                st.log.append({"method": self.command, "path": self.path.split("?")[0],
                               "query": self.path.partition("?")[2], "status": code})
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_status(self, err):
        self.send_json(err.code, err.status(), err.headers)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def authenticated(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in self.server.state.tokens:
            return True
        try:
            cert = self.request.getpeercert()
        except (ValueError, AttributeError):
            cert = None
        return bool(cert)

    def reset_connection(self):
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()
        except OSError:
            pass
        self.close_connection = True

    # -- dispatch
    def do_GET(self): self.dispatch()
    def do_PATCH(self): self.dispatch()
    def do_DELETE(self): self.dispatch()
    def do_POST(self): self.dispatch()
    def do_PUT(self): self.dispatch()

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query)
        body = self.read_body()
        st = self.server.state
        try:
            if path.startswith("/_test/"):
                return self.control(path, body)
            fault = st.take_fault(self.command, path)
            if fault:
                ft = str(fault.get("type"))
                if ft == "reset":
                    return self.reset_connection()
                if ft == "slow":
                    epoch = st.epoch
                    time.sleep(float(fault.get("delay", 5)))
                    if st.epoch != epoch:  # reset meanwhile: never touch the next test's objects
                        return self.reset_connection()
                elif ft == "429":
                    raise ApiError(429, "TooManyRequests", "too many requests, please try again later",
                                   {"retryAfterSeconds": int(fault.get("retry_after", 1))},
                                   {"Retry-After": str(fault.get("retry_after", 1))})
                elif ft == "500":
                    raise ApiError(500, "InternalError", "Internal error occurred: etcdserver: request timed out")
                elif ft == "503":
                    raise ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request")
                elif ft == "404":
                    raise ApiError(404, "NotFound", "the server could not find the requested resource")
                elif ft == "401":
                    raise ApiError(401, "Unauthorized", "Unauthorized")
                elif ft == "403":
                    raise ApiError(403, "Forbidden", forbidden_message(self.command, path))
                elif ft == "500-schema":
                    raise ApiError(500, "InternalError", "failed to create typed patch object (injected): "
                                   ".spec.injected: field not declared in schema")
            if not self.authenticated():
                raise ApiError(401, "Unauthorized", "Unauthorized")
            self.route(path, query, body)
        except ApiError as e:
            self.send_error_status(e)

    def control(self, path, body):
        st = self.server.state
        req = json.loads(body) if body else {}
        if path == "/_test/faults" and self.command == "POST":
            with st.lock:
                st.faults.extend(req.get("faults", []))
            return self.send_json(200, {"ok": True})
        if path == "/_test/faults" and self.command == "DELETE":
            with st.lock:
                st.faults = []
            return self.send_json(200, {"ok": True})
        if path == "/_test/config" and self.command == "POST":
            if "status_mode" in req:
                st.store.status_mode = req["status_mode"]
            if "status_delay" in req:
                st.store.status_delay = float(req["status_delay"])
            if "unserved" in req:
                with st.lock:
                    st.unserved = set(req["unserved"])
            return self.send_json(200, {"ok": True})
        if path == "/_test/reset" and self.command == "POST":
            st.store.reset()
            with st.lock:
                st.epoch += 1
                st.faults = []
                st.log = []
                st.connections = 0
                st.unserved = set()
            st.store.status_mode, st.store.status_delay = "ready", 0.0
            return self.send_json(200, {"ok": True})
        if path == "/_test/log" and self.command == "GET":
            with st.lock:
                log = list(st.log)
                conns = st.connections
            return self.send_json(200, {"requests": log, "connections": conns})
        raise ApiError(404, "NotFound", "no such control endpoint")

    def decode(self, body):
        try:
            return json.loads(body)
        except ValueError:
            if yaml is None:
                raise ApiError(400, "BadRequest", "error decoding YAML: PyYAML is not installed in the test server")
            try:
                return yaml.safe_load(body)
            except yaml.YAMLError as e:
                raise ApiError(400, "BadRequest", "error decoding YAML: %s" % e)

    def route(self, path, query, body):
        parts = [p for p in path.split("/") if p]
        port = self.server.server_address[1]
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "36", "gitVersion": "v1.36.0-wukong-test",
                                        "platform": "linux/amd64"})
        if path == "/openapi/v3":
            return self.send_json(200, {"paths": {
                ("api/v1" if g == "" else "apis/%s/v1" % g): {"serverRelativeURL": "/openapi/v3/%s?hash=1" % (
                    "api/v1" if g == "" else "apis/%s/v1" % g)}
                for g in ("", "nmstate.io", "k8s.cni.cncf.io", "k8s.ovn.org", "kubevirt.io")}})
        if path.startswith("/openapi/v3/"):
            return self.send_json(200, openapi_v3(path[len("/openapi/v3/"):]))
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % port}]})
        served = self.server.state.resources()
        if path == "/apis":
            groups = []
            for g in ("nmstate.io", "k8s.cni.cncf.io", "k8s.ovn.org", "kubevirt.io"):
                if not any(r[0] == g for r in served):
                    continue
                gv = {"groupVersion": g + "/v1", "version": "v1"}
                groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if parts[:1] == ["apis"] and len(parts) == 2:
            g = parts[1]
            if not any(r[0] == g for r in served):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            gv = {"groupVersion": g + "/v1", "version": "v1"}
            return self.send_json(200, {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv],
                                        "preferredVersion": gv})
        if parts[:1] == ["api"]:
            group, version, rest = "", parts[1] if len(parts) > 1 else "", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            res = [r for r in served if r[0] == group and r[1] == version]
            if not res:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                        "groupVersion": api_version(group, version), "resources": [
                {"name": r[3], "singularName": r[2].lower(), "namespaced": r[4], "kind": r[2], "verbs": VERBS,
                 "shortNames": r[5]} for r in res]})
        # resource paths
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3 and group == "":
            ns, rest = rest[1], rest[2:]
        elif rest[0] == "namespaces" and len(rest) >= 3:
            ns, rest = rest[1], rest[2:]
        res = BY_PATH.get((group, version, rest[0]))
        if res not in served or len(rest) > 2:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        kind, namespaced = res[2], res[4]
        if not namespaced and ns is not None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) == 2 else None
        store = self.server.state.store
        if namespaced and name is not None and ns is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        dry_run = query.get("dryRun", [""])[0] == "All"
        manager = query.get("fieldManager", [""])[0] or (self.headers.get("User-Agent") or "unknown").split("/")[0]
        strict = query.get("fieldValidation", ["Warn"])[0] == "Strict"
        if name is None and self.command == "POST":
            doc = self.decode(body)
            cname = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
            if not cname:
                raise ApiError(422, "Invalid", "metadata.name: Required value: name or generateName is required")
            code, obj = store.update(res, ns if namespaced else None, cname, doc, manager, dry_run, strict, create=True)
            return self.send_json(code, obj)
        if name is None:
            if self.command != "GET":
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            items, rv = store.list(kind, ns if namespaced else None, parse_selector(query.get("labelSelector", [""])[0]))
            limit = int(query.get("limit", ["0"])[0] or 0)
            start = int(query.get("continue", ["0"])[0] or 0)
            meta = {"resourceVersion": rv}
            if limit > 0:
                if start + limit < len(items):
                    meta["continue"] = str(start + limit)
                items = items[start:start + limit]
            return self.send_json(200, {"kind": kind + "List", "apiVersion": api_version(group, version),
                                        "metadata": meta, "items": items})
        not_found = ApiError(404, "NotFound", '%s "%s" not found' % (res[3] if group == "" else res[3] + "." + group, name),
                             {"name": name, "group": group, "kind": res[3]})
        if self.command == "GET":
            obj = store.get(kind, ns, name)
            if obj is None:
                raise not_found
            return self.send_json(200, obj)
        if self.command == "DELETE":
            obj = store.delete(kind, ns, name, dry_run)
            if obj is None:
                raise not_found
            return self.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                        "details": {"name": name, "group": group, "kind": res[3],
                                                    "uid": obj["metadata"].get("uid")}})
        if self.command == "PATCH":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
                code, obj = store.update(res, ns if namespaced else None, name, self.decode(body), manager, dry_run,
                                         strict, create=False)
                return self.send_json(code, obj)
            if ctype != "application/apply-patch+yaml":
                raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                               "accepted media types include: application/apply-patch+yaml, "
                               "application/merge-patch+json, application/strategic-merge-patch+json")
            manager = query.get("fieldManager", [""])[0]
            if not manager:
                raise ApiError(400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager to be set")
            doc = self.decode(body)
            force = query.get("force", ["false"])[0] == "true"
            code, obj = store.apply(res, ns if namespaced else None, name, doc, manager, force, dry_run, strict)
            return self.send_json(code, obj)
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def forbidden_message(method, path):
    """kube-apiserver's RBAC denial text for the request (the test user is `wukong-test`)."""
    verb = {"GET": "get", "PATCH": "patch", "POST": "create", "PUT": "update", "DELETE": "delete"}.get(method, method.lower())
    parts = [p for p in path.split("/") if p]
    group = parts[1] if parts[:1] == ["apis"] and len(parts) > 1 else ""
    rest = parts[2:] if parts[:1] == ["api"] else parts[3:]
    ns = None
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) > 2:
        ns, rest = rest[1], rest[2:]
    resource = rest[0] if rest else ""
    if verb == "get" and len(rest) == 1:
        verb = "list"
    where = 'in the namespace "%s"' % ns if ns else "at the cluster scope"
    return '%s is forbidden: User "wukong-test" cannot %s resource "%s" in API group "%s" %s' % (
        (resource + "." + group if group else resource), verb, resource, group, where)


def openapi_v3(gv_path):
    """Just enough OpenAPI v3 for kubectl to see that PATCH supports fieldValidation (so it
    validates on the server instead of downloading schemas)."""
    paths = {}
    for (g, v, k, plural, namespaced, _) in RESOURCES:
        if ("api/v1" if g == "" else "apis/%s/%s" % (g, v)) != gv_path:
            continue
        prefix = "/" + gv_path + ("/namespaces/{namespace}" if namespaced else "")
        paths["%s/%s/{name}" % (prefix, plural)] = {"patch": {
            "operationId": "patch" + k,
            "x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": k},
            "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                           for n in ("dryRun", "fieldManager", "fieldValidation", "force")],
            "responses": {"200": {"description": "OK"}}}}
    if not paths:
        raise ApiError(404, "NotFound", "the server could not find the requested resource")
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.36.0"}, "paths": paths}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, ctx, state):
        self.ctx = ctx
        self.state = state
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        with self.state.lock:
            self.state.connections += 1
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca")
    ap.add_argument("--token", action="append")
    ap.add_argument("--schemas")
    ap.add_argument("--namespace", action="append", help="a namespace that exists from the start (besides default)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    args = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    server = Server(("127.0.0.1", args.port), ctx, State(args))
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)
    print("listening on 127.0.0.1:%d" % port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
