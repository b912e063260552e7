"""twin-test — the twin's own test, run by scripts/test:

(a) the old-rules fixtures (Tests/twin/*.old.yaml + *.old.ir.json): the twin must FAIL each, with at least one
    FAIL line matching the fixture's pattern in Tests/twin/expected-old-failures and no other FAIL line;
(b) every examples/*.wk, every topology directory under examples/, and every Tests/twin/*.wk, built with the
    current compiler: no FAIL line, except the lines Tests/twin/known-failures allows for that path.

Prints one line per case and ends with `twin-test: N passed, M failed`. Exit 0 all passed, 1 some failed,
3 skipped (not root, or no network namespaces here)."""

import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TWIN = os.path.join(ROOT, "scripts", "twin")


def table(path, fields):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ", fields - 1)]
            if len(parts) >= 2:
                rows.append(parts + [""] * (fields - len(parts)))
    return rows


def run_twin(args):
    t = time.time()
    r = subprocess.run([TWIN, "-q"] + args, capture_output=True, text=True, cwd=ROOT)
    out = r.stdout + r.stderr
    fails = [l for l in out.splitlines() if l.startswith("FAIL ")]
    summary = next((l for l in reversed(out.splitlines()) if re.match(r"twin: \d+ passed", l)), "twin: no summary")
    return r.returncode, fails, summary, out, time.time() - t


def main(argv):
    wukongc = argv[1] if len(argv) > 1 else os.environ.get("WUKONGC") or os.path.join(ROOT, ".build", "debug", "wukongc")
    if os.geteuid() != 0:
        print("twin-test: SKIPPED: needs root (network namespaces)")
        return 3
    import shutil
    missing = [t for t in ("ip", "ping", "nft", "netplan") if not shutil.which(t) and not os.path.exists("/usr/sbin/" + t)]
    if missing:
        print("twin-test: SKIPPED: missing %s (scripts/install-deps installs iproute2, iputils-ping, nftables, netplan.io)"
              % ", ".join(missing))
        return 3
    probe = "twin-test-probe-%d" % os.getpid()
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        print("twin-test: SKIPPED: cannot create network namespaces here")
        return 3
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    passed = failed = 0
    t0 = time.time()

    def result(ok, text, detail=None):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print("twin-test: %s %s" % ("ok" if ok else "FAILED", text), flush=True)
        if detail and not ok:
            for l in detail.rstrip().splitlines()[-25:]:
                print("    " + l)

    # (a) old rules: each fixture fails with its expected probe, and only with it
    tdir = os.path.join(ROOT, "Tests", "twin")
    old_patterns = {name: pattern for name, pattern in [r[:2] for r in table(os.path.join(tdir, "expected-old-failures"), 2)]}
    for name, pattern in old_patterns.items():
        objs, ir = os.path.join(tdir, name + ".old.yaml"), os.path.join(tdir, name + ".old.ir.json")
        if not (os.path.exists(objs) and os.path.exists(ir)):
            result(False, "(a) %s: fixture %s.old.yaml / .old.ir.json missing" % (name, name))
            continue
        rc, fails, summary, out, dt = run_twin(["--objects", objs, "--ir", ir])
        rx = re.compile(pattern)
        hit = [l for l in fails if rx.search(l)]
        other = [l for l in fails if not rx.search(l)]
        ok = rc == 1 and hit and not other
        why = "fails as expected (%d× /%s/)" % (len(hit), pattern) if ok else (
            "expected FAIL /%s/, got: %s" % (pattern, "; ".join(other) if other else ("no such FAIL line, " + summary)))
        result(ok, "(a) old rules %s: %s [%.1f s]" % (name, why, dt), out)

    # (b) current compiler: every example and fixture source passes (known failures excepted)
    known = {}
    for path, pattern, why in table(os.path.join(tdir, "known-failures"), 3):
        known.setdefault(os.path.normpath(path), []).append((re.compile(pattern), why))
    paths = sorted(glob.glob(os.path.join(ROOT, "examples", "*.wk")))
    paths += sorted(d for d in glob.glob(os.path.join(ROOT, "examples", "*")) if os.path.isdir(d) and glob.glob(os.path.join(d, "*.wk")))
    paths += sorted(glob.glob(os.path.join(tdir, "*.wk")))
    if not os.path.exists(wukongc):
        result(False, "(b) compiler %s not found" % wukongc)
        paths = []
    for p in paths:
        rel = os.path.relpath(p, ROOT)
        rc, fails, summary, out, dt = run_twin([rel, "--wukongc", wukongc])
        if rc == 2 and any(l.startswith("FAIL input") for l in fails):
            first = next((l for l in out.splitlines() if re.match(r"\s*error", l)), fails[0])
            result(False, "(b) %s: the compiler cannot build it: %s%s" % (
                rel, first.strip(), " (v2 syntax: needs the compiler with the v2 rules)" if "Tests/twin" in rel else ""))
            continue
        allowed = known.get(os.path.normpath(rel), [])
        unexpected = [l for l in fails if not any(rx.search(l) for rx, _ in allowed)]
        expected = [l for l in fails if l not in unexpected]
        old = old_patterns.get(os.path.splitext(os.path.basename(p))[0]) if os.path.dirname(os.path.abspath(p)) == tdir else None
        if unexpected and old and all(re.search(old, l) for l in unexpected):
            result(False, "(b) %s: still fails like the old rules (%s): the compiler lacks the v2 rule for it [%.1f s]%s" % (
                rel, summary, dt, "".join("\n    " + l for l in unexpected[:5])))
            continue
        if rc not in (0, 1) or unexpected:
            more = ("\n    ... and %d more FAIL lines" % (len(unexpected) - 5)) if len(unexpected) > 5 else ""
            result(False, "(b) %s: %s [%.1f s]%s%s" % (rel, summary, dt, "".join("\n    " + l for l in unexpected[:5]), more))
            continue
        note = ""
        if expected:
            note = " — %d known failure(s): %s" % (len(expected), allowed[0][1])
        elif allowed:
            note = " — note: listed in Tests/twin/known-failures but passes now: remove the entry"
        result(True, "(b) %s: %s [%.1f s]%s" % (rel, summary, dt, note))
    print("twin-test: %d passed, %d failed (%.0f s)" % (passed, failed, time.time() - t0))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
