#!/usr/bin/env python3
"""A fault-injecting, TLS-terminating HTTP/1.1 proxy for wukongc's apply tests (Python 3 standard
library only). It sits between the client and the test API server (server.py):

    wukongc (libcurl) --HTTPS--> fault-proxy.py --HTTPS--> server.py

The client connects to the proxy as if it were the API server (kubeconfig `server:` is the proxy's
address). The proxy listens on 127.0.0.1 only, with the test PKI's server certificate
(Tests/apiserver/make-certs.sh: SANs IP:127.0.0.1, DNS:localhost, DNS:kubernetes.test, so the
address it listens on is covered), and forwards every request over its own TLS connection to the
upstream (one per client connection, kept alive on both sides), with the client's method, path,
body, Content-Type, Accept, User-Agent and Authorization header.

Client certificates cannot pass through a TLS-terminating proxy (the TLS session that carried the
certificate ends here, and the proxy holds no client key), so tests through the proxy authenticate
with a bearer token, which the proxy forwards.

Usage:
  fault-proxy.py --cert S.crt --key S.key --upstream https://127.0.0.1:PORT --ca CA.crt
                 [--port 0] [--port-file F]
Prints "listening on 127.0.0.1:<port>" once ready (and writes the port to --port-file).

Control (no authentication; loopback only; never forwarded):
  POST   /_proxy/faults  {"faults": [FAULT, ...]}   appended
  DELETE /_proxy/faults  clear the faults and a token rotation
  POST   /_proxy/reset   clear faults, rotation and the log
  GET    /_proxy/log     {"requests": [ENTRY, ...]}

FAULT: {"type": T, "method": "PATCH", "path_contains": "virtualmachines", "after": 0, "count": 1, ...}
  A fault matches requests by method and path substring (both optional); it lets the first `after`
  matching requests (every request matching its filters counts, whichever fault takes it) and then
  fires on the next `count` (default 1). The first fault that fires decides. Types:
  reset-mid-body  forward; send the upstream's status line, headers and half its body, then RST
  429             not forwarded; kube-apiserver's throttling answer: plain text "Too many requests,
                  please try again later." with `Retry-After: <retry_after>` (default 1)
  500, 503        an InternalError / ServiceUnavailable Status; not forwarded unless "forward": true
                  (then the upstream's answer is replaced: the server did the work, the client
                  sees the error)
  stall           forward (unless "forward": false), then hold the answer `delay` s (default 5)
                  before sending it: longer than the client's timeout
  409             not forwarded; the Status kube-apiserver sends for a server-side apply
                  field-manager conflict: "fields" (default [".spec.replicas"]) owned by
                  "manager" (default "kubectl") with "operation" (default "Update", printed
                  `"kubectl" using <apiVersion>`; "Apply" prints just `"kubectl"`)
  rotate-token    from this request on, every request is answered 401 Unauthorized (not forwarded),
                  as an API server does once the token was rotated; with "new_token": N and
                  "upstream_token": T, requests bearing N are still forwarded (with T), as after
                  a rotation to N
  truncate-json   forward; a complete answer whose JSON body is cut in half (Content-Length of the
                  cut body)
  truncate-body   forward; headers with the full Content-Length, half the body, then close

ENTRY (one per request, in arrival order): {"seq", "method", "path", "query", "fault" (type or
null), "forwarded" (bool), "upstream_status" (the server's status, null when not forwarded),
"acknowledged" (the server answered 2xx: it did the work), "status" (the status line the client
was sent, null if none), "delivered" ("complete" | "partial" | "late" | "none")}.
"""
import argparse
import http.client
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REASONS = {200: "OK", 201: "Created", 401: "Unauthorized", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te",
              "trailer", "upgrade"}


def status_body(code, reason, message, details=None):
    """A metav1.Status as kube-apiserver serialises it (field order of the Go struct)."""
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
         "reason": reason}
    if details is not None:
        s["details"] = details
    s["code"] = code
    return json.dumps(s, separators=(",", ":")).encode()


FAULT_TYPES = {"reset-mid-body", "429", "500", "503", "stall", "409", "rotate-token", "truncate-json", "truncate-body"}
ERRORS = {"500": status_body(500, "InternalError", "Internal error occurred: etcdserver: request timed out"),
          "503": status_body(503, "ServiceUnavailable", "the server is currently unable to handle the request")}


def api_version_of(path):
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) > 1:
        return parts[1]
    if parts[:1] == ["apis"] and len(parts) > 2:
        return parts[1] + "/" + parts[2]
    return "v1"


def conflict_status(fault, path):
    """k8s.io/apimachinery managedfields/internal/conflict.go: NewConflictError → NewApplyConflict.
    The manager is printed by printManager: `"m"` for an Apply manager, `"m" using <apiVersion>`
    for an Update manager (the identifier carries no time); the causes are FieldManagerConflict with
    the field path; the message lists them (several: grouped under each manager)."""
    manager = fault.get("manager", "kubectl")
    printed = json.dumps(manager)
    if fault.get("operation", "Update") == "Update":
        printed += " using " + fault.get("api_version", api_version_of(path))
    fields = fault.get("fields") or [".spec.replicas"]
    causes = [{"reason": "FieldManagerConflict", "message": "conflict with " + printed, "field": f} for f in fields]
    if len(fields) == 1:
        message = "Apply failed with 1 conflict: conflict with %s: %s" % (printed, fields[0])
    else:
        message = "Apply failed with %d conflicts: %s" % (
            len(fields), "\n".join(["conflicts with %s:" % printed] + ["- " + f for f in fields]))
    return status_body(409, "Conflict", message, {"causes": causes})


class State:
    def __init__(self, upstream, ca):
        u = urllib.parse.urlsplit(upstream)
        self.host, self.port = u.hostname, u.port or 443
        self.upstream_ctx = ssl.create_default_context(cafile=ca)
        self.lock = threading.Lock()
        self.faults = []
        self.log = []
        self.rotated = None     # the rotate-token fault once it fired
        self.epoch = 0

    def take_fault(self, method, path):
        with self.lock:
            chosen = None
            for f in self.faults:
                if f.get("method") and f["method"] != method:
                    continue
                if f.get("path_contains") and f["path_contains"] not in path:
                    continue
                f["_seen"] = f.get("_seen", 0) + 1
                if chosen is not None or f["_seen"] <= int(f.get("after", 0)) or f.get("count", 1) <= 0:
                    continue
                f["count"] = f.get("count", 1) - 1
                chosen = dict(f)
            if chosen is not None and chosen.get("type") == "rotate-token":
                self.rotated = chosen
            return chosen

    def record(self, entry):
        """Logs `entry` at the request's arrival; the handler fills it in as the answer goes out."""
        with self.lock:
            entry["seq"] = len(self.log) + 1
            self.log.append(entry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wukong-fault-proxy/1"

    def log_message(self, fmt, *args):  # quiet; the request log is kept in memory
        pass

    def setup(self):
        self.request.settimeout(30)
        self.upstream = None
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
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
            pass
        finally:
            if self.upstream is not None:
                self.upstream.close()

    def finish(self):
        if self.request is None:
            return
        try:
            super().finish()
        except (ssl.SSLError, OSError):
            pass

    def do_GET(self): self.dispatch()
    def do_PATCH(self): self.dispatch()
    def do_DELETE(self): self.dispatch()
    def do_POST(self): self.dispatch()
    def do_PUT(self): self.dispatch()

    # -- raw writing (every byte the client gets goes through here, so the log is exact)
    def head(self, code, headers, length):
        lines = ["HTTP/1.1 %d %s" % (code, REASONS.get(code, "Status"))]
        lines += ["%s: %s" % (k, v) for k, v in headers]
        lines.append("Content-Length: %d" % length)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send_raw(self, data):
        self.request.sendall(data)

    def reset(self):
        """Abort the connection with a TCP RST (SO_LINGER 0, no TLS close_notify)."""
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()
        except OSError:
            pass
        self.close_connection = True

    def close_quietly(self):
        """Close after sending close_notify (a clean end of the stream, short of the promised body)."""
        try:
            self.request.settimeout(1)
            self.request.unwrap().close()
        except (OSError, ValueError, ssl.SSLError):
            try:
                self.request.close()
            except OSError:
                pass
        self.close_connection = True

    def send_json(self, code, obj):
        data = json.dumps(obj, separators=(",", ":")).encode()
        self.send_raw(self.head(code, [("Content-Type", "application/json")], len(data)) + data)

    # -- upstream
    def forward(self, body):
        headers = {}
        for name in ("Authorization", "Content-Type", "Accept", "User-Agent"):
            if self.headers.get(name) is not None:
                headers[name] = self.headers[name]
        rotated = self.server.state.rotated
        if rotated is not None and rotated.get("upstream_token"):
            headers["Authorization"] = "Bearer " + rotated["upstream_token"]
        st = self.server.state
        for attempt in (1, 2):
            fresh = self.upstream is None
            if fresh:
                self.upstream = http.client.HTTPSConnection(st.host, st.port, context=st.upstream_ctx, timeout=60)
            try:
                self.upstream.request(self.command, self.path, body=body if body or self.command != "GET" else None,
                                      headers=headers)
                resp = self.upstream.getresponse()
                data = resp.read()
                return resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP], data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                # the upstream closed an idle kept-alive connection: reconnect once
                self.upstream.close()
                self.upstream = None
                if fresh or attempt == 2:
                    raise e
        raise RuntimeError("unreachable")

    # -- dispatch
    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        st = self.server.state
        if path.startswith("/_proxy/"):
            return self.control(path, body)
        entry = {"method": self.command, "path": path, "query": url.query, "fault": None, "forwarded": False,
                 "upstream_status": None, "acknowledged": False, "status": None, "delivered": "none"}
        fault = st.take_fault(self.command, path)
        ftype = str(fault.get("type")) if fault else None
        rotated = st.rotated
        if ftype is None and rotated is not None:
            new = rotated.get("new_token")
            if new and self.headers.get("Authorization", "") == "Bearer " + new:
                ftype = None
                entry["fault"] = "rotated-token-accepted"
            else:
                ftype = "rotate-token"
        if ftype is not None:
            entry["fault"] = ftype
        st.record(entry)
        self.serve(entry, fault or {}, ftype, body)

    def serve(self, entry, fault, ftype, body):
        # faults answered by the proxy itself: the server never sees the request
        local = {"429", "409", "rotate-token"}
        if ftype in ("500", "503") and not fault.get("forward"):
            local.add(ftype)
        if ftype == "stall" and fault.get("forward") is False:
            local.add("stall")
        if ftype in local:
            if ftype == "stall":  # without forwarding: never answer
                self.hold(fault)
                return self.reset()
            headers = [("Content-Type", "application/json")]
            if ftype == "429":
                code, data = 429, b"Too many requests, please try again later.\n"
                headers = [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
                           ("Retry-After", str(fault.get("retry_after", 1)))]
            elif ftype == "409":
                code, data = 409, conflict_status(fault, entry["path"])
            elif ftype == "rotate-token":
                code, data = 401, status_body(401, "Unauthorized", "Unauthorized")
            else:
                code, data = int(ftype), ERRORS[ftype]
            entry["status"] = code
            self.send_raw(self.head(code, headers, len(data)) + data)
            entry["delivered"] = "complete"
            return
        try:
            code, headers, data = self.forward(body)
        except (OSError, http.client.HTTPException) as e:
            data = status_body(502, "InternalError", "fault-proxy: upstream failed: %s" % e)
            entry["status"] = 502
            self.send_raw(self.head(502, [("Content-Type", "application/json")], len(data)) + data)
            entry["delivered"] = "complete"
            return
        entry["forwarded"] = True
        entry["upstream_status"] = code
        entry["acknowledged"] = 200 <= code < 300
        if ftype in ("500", "503"):  # forwarded, then the answer replaced
            err = ERRORS[ftype]
            entry["status"] = int(ftype)
            self.send_raw(self.head(int(ftype), [("Content-Type", "application/json")], len(err)) + err)
            entry["delivered"] = "complete"
            return
        entry["status"] = code
        if ftype == "reset-mid-body":
            self.send_raw(self.head(code, headers, len(data)) + data[:len(data) // 2])
            entry["delivered"] = "partial"
            time.sleep(0.05)  # let the partial answer reach the client before the RST
            return self.reset()
        if ftype == "truncate-body":
            self.send_raw(self.head(code, headers, len(data)) + data[:len(data) // 2])
            entry["delivered"] = "partial"
            return self.close_quietly()
        if ftype == "truncate-json":
            cut = data[:len(data) // 2]
            self.send_raw(self.head(code, headers, len(cut)) + cut)
            entry["delivered"] = "complete"
            return
        if ftype == "stall":
            if not self.hold(fault):
                return self.reset()
            try:
                self.send_raw(self.head(code, headers, len(data)) + data)
                entry["delivered"] = "late"
            except OSError:
                entry["delivered"] = "none"
            return self.reset()
        self.send_raw(self.head(code, headers, len(data)) + data)
        entry["delivered"] = "complete"

    def hold(self, fault):
        """Sleeps `delay` seconds; False when the proxy was reset meanwhile (the next test runs)."""
        st = self.server.state
        epoch = st.epoch
        end = time.time() + float(fault.get("delay", 5))
        while time.time() < end:
            time.sleep(0.05)
            if st.epoch != epoch:
                return False
        return True

    def control(self, path, body):
        st = self.server.state
        req = json.loads(body) if body else {}
        if path == "/_proxy/faults" and self.command == "POST":
            unknown = [f.get("type") for f in req.get("faults", []) if str(f.get("type")) not in FAULT_TYPES]
            if unknown:  # a typo in a test must not silently inject nothing
                return self.send_json(400, {"error": "unknown fault types: %s" % unknown})
            with st.lock:
                st.faults.extend(req.get("faults", []))
            return self.send_json(200, {"ok": True})
        if path == "/_proxy/faults" and self.command == "DELETE":
            with st.lock:
                st.faults = []
                st.rotated = None
            return self.send_json(200, {"ok": True})
        if path == "/_proxy/reset" and self.command == "POST":
            with st.lock:
                st.faults = []
                st.rotated = None
                st.log = []
                st.epoch += 1
            return self.send_json(200, {"ok": True})
        if path == "/_proxy/log" and self.command == "GET":
            with st.lock:
                log = [dict(e) for e in st.log]
            return self.send_json(200, {"requests": log})
        return self.send_json(404, {"error": "no such control endpoint"})


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
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--upstream", required=True, help="https://127.0.0.1:PORT of server.py")
    ap.add_argument("--ca", required=True, help="CA that signed the upstream's certificate")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    args = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server = Server(("127.0.0.1", args.port), ctx, State(args.upstream, args.ca))
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
    sys.exit(main())
