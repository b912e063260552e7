"""Throwaway network namespaces: creation under one per-run prefix, `ip` batches, commands inside a
namespace, and cleanup of every namespace this run created (also on Ctrl-C / SIGTERM / SIGHUP)."""

import os
import random
import signal
import subprocess


class CommandError(Exception):
    def __init__(self, cmd, rc, out):
        super().__init__("%s: exit %d: %s" % (" ".join(cmd), rc, out.strip()))
        self.cmd, self.rc, self.out = cmd, rc, out


def run(cmd, check=True, input=None, timeout=60):
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise CommandError(cmd, r.returncode, (r.stderr or r.stdout))
    return r


class Namespaces:
    """Owns every namespace of one twin run. Names: <prefix>-<role>; the prefix holds the pid and a random
    suffix so parallel runs never collide. `cleanup()` deletes them all; it is idempotent."""

    def __init__(self):
        self.prefix = "twin%d%02x" % (os.getpid() % 100000, random.randrange(256))
        self.created = []

    def name(self, role):
        return "%s-%s" % (self.prefix, role)

    def add(self, role):
        ns = self.name(role)
        run(["ip", "netns", "add", ns])
        self.created.append(ns)
        # loopback up; rp_filter loose (what systemd ships: 50-default.conf), no forwarding unless asked
        self.sysctl(ns, {"net.ipv4.conf.all.rp_filter": 2, "net.ipv4.conf.default.rp_filter": 2,
                         "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.default.disable_ipv6": 1})
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
        return ns

    def sysctl(self, ns, values):
        args = []
        for k, v in values.items():
            args += ["-w", "%s=%s" % (k, v)]
        run(["ip", "netns", "exec", ns, "sysctl", "-q"] + args)

    def batch(self, ns, lines, check=True):
        """Runs `ip -n ns -batch -` with the given command lines (without the leading `ip`)."""
        if not lines:
            return None
        return run(["ip", "-n", ns, "-batch", "-"], input="\n".join(lines) + "\n", check=check)

    def exec(self, ns, cmd, check=False, timeout=30):
        return run(["ip", "netns", "exec", ns] + cmd, check=check, timeout=timeout)

    def cleanup(self):
        old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        for s in old:
            signal.signal(s, signal.SIG_IGN)
        try:
            left = []
            for ns in reversed(self.created):
                r = subprocess.run(["ip", "netns", "del", ns], capture_output=True, text=True)
                if r.returncode != 0 and os.path.exists("/run/netns/" + ns):
                    left.append(ns)
            self.created = []
            return left
        finally:
            for s, h in old.items():
                signal.signal(s, h)


def install_signal_handlers():
    """Turns SIGTERM/SIGHUP into SystemExit (SIGINT already raises KeyboardInterrupt) so `finally` blocks run."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)
