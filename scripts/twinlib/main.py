"""twin — runs a topology's generated objects as a real Linux data path in throwaway network namespaces.

  scripts/twin PATH [--wukongc BIN]            build PATH (a .wk file or a topology directory) and run it
  scripts/twin --objects X.yaml --ir X.ir.json run pre-built output (objects = `wukongc build`, ir = `--emit ir`)

Needs root, iproute2, iputils-ping, nftables, netplan.io. Sends traffic only inside the namespaces it creates
(prefix twin<pid><rand>-), deletes them all on every exit, Ctrl-C included. Each check is one report line
(PASS / FAIL / SKIP); the last line is `twin: N passed, M failed, K skipped`. Exit 0 when nothing failed, 1 when
something failed, 2 on usage or setup errors."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time

from . import render
from .build import Twin
from .model import InputError, Topology
from .netns import CommandError, Interrupted, Namespaces, install_signal_handlers
from .probes import Probes


class Report:
    def __init__(self, stream=sys.stdout, quiet=False):
        self.lines = []
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        self.lock = threading.Lock()
        self.stream = stream
        self.quiet = quiet

    def add(self, status, text):
        with self.lock:
            self.lines.append((status, text))
            self.counts[status] += 1
            if not (self.quiet and status == "PASS"):
                print("%s %s" % (status, text), file=self.stream, flush=True)

    def info(self, text):
        print("twin: %s" % text, file=self.stream, flush=True)

    def summary(self):
        return "twin: %d passed, %d failed, %d skipped" % (self.counts["PASS"], self.counts["FAIL"], self.counts["SKIP"])


def default_wukongc():
    if os.environ.get("WUKONGC"):
        return os.environ["WUKONGC"]
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(here, ".build", "debug", "wukongc")


def build_inputs(path, wukongc):
    if not os.path.exists(wukongc):
        raise InputError("compiler binary %s not found (--wukongc BIN or $WUKONGC)" % wukongc)
    objs = subprocess.run([wukongc, "build", path], capture_output=True, text=True)
    if objs.returncode != 0:
        raise InputError("`wukongc build %s` failed (exit %d):\n%s" % (path, objs.returncode, (objs.stderr or objs.stdout).rstrip()))
    ir = subprocess.run([wukongc, "build", path, "--emit", "ir"], capture_output=True, text=True)
    if ir.returncode != 0:
        raise InputError("`wukongc build %s --emit ir` failed (exit %d):\n%s" % (path, ir.returncode, (ir.stderr or ir.stdout).rstrip()))
    return objs.stdout, ir.stdout


def preflight():
    missing = [t for t in ("ip", "ping", "nft") if not shutil.which(t) and not os.path.exists("/usr/sbin/" + t)]
    if not os.path.exists(render.NETPLAN):
        missing.append("netplan")
    if missing:
        raise InputError("missing tools: %s (scripts/install-deps installs iproute2, iputils-ping, nftables, netplan.io)" % ", ".join(missing))
    if os.geteuid() != 0:
        raise InputError("needs root (network namespaces)")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="twin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", help="a .wk file or topology directory to build and run")
    ap.add_argument("--wukongc", default=None, help="compiler binary (default: $WUKONGC or .build/debug/wukongc)")
    ap.add_argument("--objects", help="pre-built objects (multi-document YAML from `wukongc build`)")
    ap.add_argument("--ir", help="pre-built IR (JSON from `wukongc build --emit ir`)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only FAIL/SKIP lines and the summary")
    ap.add_argument("--keep", action="store_true", help="wait for Enter before deleting the namespaces (debugging)")
    args = ap.parse_args(argv)
    if args.path and (args.objects or args.ir):
        ap.error("give PATH, or --objects and --ir, not both")
    if not args.path and not (args.objects and args.ir):
        ap.error("give PATH, or both --objects and --ir")
    report = Report(quiet=args.quiet)
    t0 = time.time()
    try:
        preflight()
        if args.path:
            label = args.path
            objects, ir_text = build_inputs(args.path, args.wukongc or default_wukongc())
        else:
            label = args.objects
            with open(args.objects) as f:
                objects = f.read()
            with open(args.ir) as f:
                ir_text = f.read()
        try:
            ir = json.loads(ir_text)
        except ValueError as exc:
            raise InputError("IR is not JSON: %s" % exc)
        topo = Topology(objects, ir)
    except (InputError, OSError) as exc:
        print("twin: error: %s" % exc, file=sys.stderr)
        print("FAIL input %s: %s" % (args.path or args.objects, str(exc).splitlines()[0]))
        print("twin: 0 passed, 1 failed, 0 skipped")
        return 2
    install_signal_handlers()
    nsm = Namespaces()
    code = 0
    try:
        report.info("%s: topology %s — %d hosts, %d policies, %d NADs, %d VMs; namespaces %s-*" % (
            label, topo.name, len(topo.hosts), len(topo.policies), len(topo.nads), len(topo.vms), nsm.prefix))
        report.info("masquerade: the launcher's nftables NAT (KubeVirt's rules) in the launcher namespace, kernel netfilter")
        phases = []
        mark = [time.time()]

        def phase(name):
            now = time.time()
            phases.append("%s %.1f s" % (name, now - mark[0]))
            mark[0] = now
        twin = Twin(topo, nsm, report)
        twin.build_nodes()
        twin.place_gateways()
        twin.apply_policies()
        twin.build_cluster()
        report.info("cluster: client pod %s (pod CIDR %s), Services in %s%s" % (
            twin.client.ip, topo.pod_cidr, topo.service_cidr or topo.pod_cidr,
            "" if topo.cluster_cidrs_declared else " (defaults: the topology declares no cluster_cidrs)"))
        phase("nodes+policies")
        twin.build_vms()
        twin.program_services()
        phase("vms")
        items = {}
        for g in twin.guests:
            if g.ns is not None:
                items["g%d" % g.idx] = (g.vm.network_config, g.vm.network_data)
        rendered = render.render_all(items)
        phase("netplan")
        for g in twin.guests:
            if g.ns is None:
                continue
            gc, err = rendered.get("g%d" % g.idx, (None, "not rendered"))
            if err:
                report.add("FAIL", "vm %s: networkData: %s" % (g.name, err))
            twin.configure_guest(g, gc)
            twin.read_addresses(g)
            if g.config_errors:
                report.add("FAIL", "vm %s: guest configuration (%s, %s): %s" % (
                    g.name, g.vm.network_config, g.vm.network_config_source, "; ".join(g.config_errors)))
            for nic in g.nics:
                if nic.skip:
                    net = (" (network %s)" % nic.network.name) if nic.network else ""
                    report.add("SKIP", "vm %s nic %s%s: %s" % (g.name, nic.itf.name, net, nic.skip))
            for n in g.config_notes:
                report.info("vm %s (%s): %s" % (g.name, g.vm.network_config, n))
        phase("guest config")
        Probes(twin, report).run()
        phase("probes")
        report.info("timing: " + ", ".join(phases))
        if args.keep:
            input("twin: namespaces kept (%s-*); Enter deletes them " % nsm.prefix)
    except CommandError as exc:
        report.add("FAIL", "setup: %s" % exc)
        code = 2
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = getattr(exc, "signum", 2)
        print("twin: interrupted by signal %d: deleting the namespaces" % signum, file=sys.stderr)
        report.add("FAIL", "interrupted by signal %d before the probes finished" % signum)
        code = 128 + signum
    finally:
        left = nsm.cleanup()
        if left:
            print("twin: warning: could not delete namespaces: %s" % " ".join(left), file=sys.stderr)
    report.info("%.1f s" % (time.time() - t0))
    print(report.summary(), flush=True)
    if code:
        return code
    return 1 if report.counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
