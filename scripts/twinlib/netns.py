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
        return self.add_many([role])[0]

    def add_many(self, roles, lo=True):
        """Creates namespaces (one `ip -batch` for all), with loopback up unless lo=False (then the caller's
        configuration batch must bring it up). Kernel defaults otherwise: no forwarding, rp_filter 0."""
        names = [self.name(r) for r in roles]
        if not names:
            return []
        self.created += names     # recorded first: a partial failure is still cleaned up
        run(["ip", "-batch", "-"], input="".join("netns add %s\n" % n for n in names))
        if lo:
            for n in names:
                self.batch(n, ["link set dev lo up"])
        return names

    def sysctl(self, ns, values):
        args = []
        for k, v in values.items():
            args += ["-w", "%s=%s" % (k, v)]
        run(["ip", "netns", "exec", ns, "sysctl", "-q"] + args)

    def batch(self, ns, lines, check=True):
        """Runs `ip -n ns -batch -` with the given command lines (without the leading `ip`); ns None = this
        namespace (used to create veth pairs straight into two namespaces)."""
        if not lines:
            return None
        cmd = ["ip"] + (["-n", ns] if ns else []) + ["-batch", "-"]
        return run(cmd, input="\n".join(lines) + "\n", check=check)

    def forced(self, ns, lines, family=None):
        """Runs all lines even when some fail (`ip -force -batch`); returns {line index: error message}.
        `family` "-6": every line is IPv6 (`ip rule` takes the family from the option, not from the address)."""
        if not lines:
            return {}
        cmd = ["ip"] + ([family] if family else []) + (["-n", ns] if ns else []) + ["-force", "-batch", "-"]
        r = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True)
        errors, pending = {}, []
        for line in (r.stderr or "").splitlines():
            if line.startswith("Command failed -:"):
                try:
                    errors[int(line.split(":")[-1]) - 1] = " ".join(pending) or "failed"
                except ValueError:
                    pass
                pending = []
            elif line.strip():
                pending.append(line.strip())
        if r.returncode != 0 and not errors:
            errors[-1] = (r.stderr or "ip exited %d" % r.returncode).strip()
        return errors

    def exec(self, ns, cmd, check=False, timeout=30):
        return run(["ip", "netns", "exec", ns] + cmd, check=check, timeout=timeout)

    def cleanup(self):
        old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        for s in old:
            signal.signal(s, signal.SIG_IGN)
        try:
            mine = [ns for ns in reversed(self.created) if os.path.exists("/run/netns/" + ns)]
            if mine:
                subprocess.run(["ip", "-force", "-batch", "-"], input="".join("netns del %s\n" % n for n in mine),
                               capture_output=True, text=True)
            left = []
            for ns in mine:
                if os.path.exists("/run/netns/" + ns):
                    r = subprocess.run(["ip", "netns", "del", ns], capture_output=True, text=True)
                    if r.returncode != 0 and os.path.exists("/run/netns/" + ns):
                        left.append(ns)
            self.created = []
            return left
        finally:
            for s, h in old.items():
                signal.signal(s, h)


class Interrupted(BaseException):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def install_signal_handlers():
    """SIGINT/SIGTERM/SIGHUP raise Interrupted in the main thread, so `finally` deletes the namespaces. SIGINT is
    set explicitly: a shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT."""
    def handler(signum, _frame):
        raise Interrupted(signum)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)
