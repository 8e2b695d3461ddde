#!/usr/bin/python3
"""Helpers for bench/daemon/run (stdlib only).

  spawn N WATCH_PID       become a process-group leader, fork N-1 idle `sleep 100000`
                          (N processes in all, counting this one), print "ready K" and
                          wait to be killed. Everything dies with WATCH_PID too (PDEATHSIG).
  persample LOG           median microseconds per process from spiketrace's
                          "sample N: P processes in X ms" debug lines (sample 1 skipped).
  report RESULTS_DIR OUT_JSON
                          print the tables and ratios, write OUT_JSON.
"""
import ctypes
import json
import os
import re
import signal
import statistics
import sys
import time

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(sig, expected_ppid):
    """Get `sig` when our parent goes; exit at once if it is already gone."""
    _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != expected_ppid:
        os._exit(1)


# ---------------------------------------------------------------- spawn
def cmd_spawn(argv):
    n, watch = int(argv[0]), int(argv[1])
    os.setpgid(0, 0)  # one kill(-pgid) ends us and every sleep
    die_with_parent(signal.SIGKILL, watch)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # no zombies if a sleep is killed alone
    me = os.getpid()
    kids = []
    err = None
    for _ in range(max(0, n - 1)):
        try:
            pid = os.fork()
        except OSError as e:  # EAGAIN: ulimit -u, pid_max or threads-max reached
            err = e
            break
        if pid == 0:
            try:
                die_with_parent(signal.SIGKILL, me)
                os.execv("/bin/sleep", ["sleep", "100000"])
            finally:
                os._exit(127)
        kids.append(pid)
    # wait until every child has exec'd, so the population is stable before measuring
    deadline = time.monotonic() + 30
    pending = list(kids)
    while pending and time.monotonic() < deadline:
        left = []
        for pid in pending:
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() != "sleep":
                        left.append(pid)
            except OSError:
                pass
        pending = left
        if pending:
            time.sleep(0.05)
    if err:
        print(f"spawn: stopped after {len(kids)} of {n - 1} forks: {err}", file=sys.stderr)
    print(f"ready {len(kids) + 1}", flush=True)
    while True:
        signal.pause()


# ---------------------------------------------------------------- persample
SAMPLE_RE = re.compile(r"sample (\d+): (\d+) processes in ([0-9.]+) ms")


def persample(path):
    rows = []
    with open(path, errors="replace") as f:
        for line in f:
            m = SAMPLE_RE.search(line)
            if m:
                rows.append((int(m[1]), int(m[2]), float(m[3])))
    rest = [r for r in rows if r[0] > 1]
    if not rest:
        return None
    us = [ms * 1000.0 / n for _, n, ms in rest if n > 0]
    return {
        "samples": len(rows),
        "procs_median": statistics.median(n for _, n, _ in rest),
        "sample_ms_median": statistics.median(ms for _, _, ms in rest),
        "first_sample_ms": rows[0][2] if rows[0][0] == 1 else None,
        "us_per_proc_median": statistics.median(us),
        "us_per_proc_min": min(us),
        "us_per_proc_max": max(us),
    }


def cmd_persample(argv):
    r = persample(argv[0])
    if r is None:
        print("persample: no 'sample N: P processes in X ms' lines", file=sys.stderr)
        return 1
    print(json.dumps(r))
    return 0


# ---------------------------------------------------------------- report
TOOLS = ("spiketrace", "atop", "pidstat")
TARGET_CPU_RATIO_ATOP = 0.10
TARGET_RSS_MIB = 8.0
TARGET_US_PER_PROC = 7.0
US_SLACK = 1.5  # "close to ~7 us": within 1.5x


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def verdict(ok):
    return "n/a" if ok is None else ("meets" if ok else "MISSES")


def cmd_report(argv):
    rdir, out = argv[0], argv[1]
    meta = load(os.path.join(rdir, "meta.json")) or {}
    scen_names = meta.get("scenarios", [])
    doc = {
        "meta": meta,
        "targets": {
            "note": "from the issue: at 1 s and 600 processes",
            "cpu_ratio_spiketrace_atop_max": TARGET_CPU_RATIO_ATOP,
            "spiketrace_peak_rss_mib_max": TARGET_RSS_MIB,
            "us_per_process_about": TARGET_US_PER_PROC,
        },
        "scenarios": {},
    }
    ratio_lines = []
    for sc in scen_names:
        sdir = os.path.join(rdir, sc)
        smeta = load(os.path.join(sdir, "scenario.json")) or {}
        tools = {}
        for t in TOOLS:
            r = load(os.path.join(sdir, t + ".json"))
            if r:
                r["cpu_pct_one_core"] = 100.0 * r["cpu_s"] / r["wall_s"] if r["wall_s"] > 0 else None
                r["peak_rss_mib"] = r["maxrss_kib"] / 1024.0
            tools[t] = r
        ps = load(os.path.join(sdir, "persample.json"))
        st, at, pi = tools["spiketrace"], tools["atop"], tools["pidstat"]

        # CPU is compared as CPU % (CPU s / wall s): the three take their samples over
        # slightly different spans (atop and spiketrace: N samples in N-1 s, pidstat N+1 in N s).
        def pct(r):
            return r["cpu_pct_one_core"] if r else None

        def rss(r):
            return r["peak_rss_mib"] if r else None

        rat = {
            "cpu_spiketrace_atop": ratio(pct(st), pct(at)),
            "cpu_spiketrace_pidstat": ratio(pct(st), pct(pi)),
            "rss_spiketrace_atop": ratio(rss(st), rss(at)),
            "rss_spiketrace_pidstat": ratio(rss(st), rss(pi)),
        }
        us = ps["us_per_proc_median"] if ps else None
        checks = {
            "cpu_ratio_atop": None if rat["cpu_spiketrace_atop"] is None
            else rat["cpu_spiketrace_atop"] <= TARGET_CPU_RATIO_ATOP,
            "rss": None if rss(st) is None else rss(st) < TARGET_RSS_MIB,
            "us_per_proc": None if us is None else us <= TARGET_US_PER_PROC * US_SLACK,
        }
        doc["scenarios"][sc] = {**smeta, "tools": tools, "ratios": rat,
                                "per_process": ps, "targets_met": checks}

        label = smeta.get("label", sc)
        print()
        print(f"== scenario {sc}: {label}: {smeta.get('procs_before_tools', '?')} processes on the host "
              f"({smeta.get('spawned', '?')} spawned), {meta.get('duration_s')} x "
              f"{meta.get('interval_s')} s, {meta.get('mode')}")
        print(f"{'tool':<11} {'CPU s':>7} {'user s':>7} {'sys s':>7} {'wall s':>7} "
              f"{'CPU % 1 core':>12} {'peak RSS MiB':>12}  rc")
        for t in TOOLS:
            r = tools[t]
            if not r:
                print(f"{t:<11} {'(no result)':>7}")
                continue
            print(f"{t:<11} {r['cpu_s']:7.2f} {r['user_s']:7.2f} {r['sys_s']:7.2f} {r['wall_s']:7.1f} "
                  f"{fmt(r['cpu_pct_one_core'], '12.3f')} {r['peak_rss_mib']:12.2f}  {r['rc']}")
        if st:
            print(f"  spiketrace peak RSS {rss(st):.2f} MiB   target < {TARGET_RSS_MIB:g} MiB: "
                  f"{verdict(checks['rss'])}"
                  + (f" (over by {rss(st) - TARGET_RSS_MIB:.2f} MiB, x{rss(st) / TARGET_RSS_MIB:.2f})"
                     if checks["rss"] is False else ""))
            if smeta.get("dumps_written") is not None:
                print(f"  spiketrace wrote {smeta['dumps_written']} dump(s) during the run")
        print(f"  CPU spiketrace/atop    {fmt(rat['cpu_spiketrace_atop'], '.3f'):>7}   target <= "
              f"{TARGET_CPU_RATIO_ATOP:g}: {verdict(checks['cpu_ratio_atop'])}")
        print(f"  CPU spiketrace/pidstat {fmt(rat['cpu_spiketrace_pidstat'], '.3f'):>7}")
        print(f"  RSS spiketrace/atop    {fmt(rat['rss_spiketrace_atop'], '.3f'):>7}")
        print(f"  RSS spiketrace/pidstat {fmt(rat['rss_spiketrace_pidstat'], '.3f'):>7}")
        dur = meta.get("duration_s")
        nprocs = smeta.get("procs_before_tools")
        if st and dur and nprocs:
            cpu_us = st["cpu_s"] / dur / nprocs * 1e6
            doc["scenarios"][sc]["spiketrace_cpu_us_per_process_sample"] = cpu_us
            print(f"  spiketrace CPU per sample {st['cpu_s'] / dur * 1e3:.2f} ms = {cpu_us:.2f} us per process "
                  f"(CPU s / {dur} samples / {nprocs} processes, start-up included)")
        if ps:
            print(f"  per-process read cost (-i 0.2, {ps['samples']} samples, median of 2..N): "
                  f"{us:.2f} us/process ({ps['sample_ms_median']:.2f} ms per sample of "
                  f"{ps['procs_median']:g} processes; range {ps['us_per_proc_min']:.2f}-"
                  f"{ps['us_per_proc_max']:.2f}; first sample {fmt(ps['first_sample_ms'], '.2f')} ms)"
                  f"   target ~{TARGET_US_PER_PROC:g} us (<= {TARGET_US_PER_PROC * US_SLACK:g}): "
                  f"{verdict(checks['us_per_proc'])}")
        else:
            print("  per-process read cost: n/a")
        n = label
        ratio_lines += [
            f"ratio cpu spiketrace/atop ({n}): {fmt(rat['cpu_spiketrace_atop'], '.3f')}",
            f"ratio cpu spiketrace/pidstat ({n}): {fmt(rat['cpu_spiketrace_pidstat'], '.3f')}",
            f"ratio rss spiketrace/atop ({n}): {fmt(rat['rss_spiketrace_atop'], '.3f')}",
            f"ratio rss spiketrace/pidstat ({n}): {fmt(rat['rss_spiketrace_pidstat'], '.3f')}",
        ]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    print()
    if meta.get("rss_floor_kib") is not None:
        print(f"peak RSS is ru_maxrss from wait4(); the method's floor (/bin/true) is "
              f"{meta['rss_floor_kib'] / 1024:.2f} MiB")
    print(f"results: {out}")
    print("ratios (CPU as CPU % of one core, i.e. CPU s / wall s; RSS as peak RSS):")
    for line in ratio_lines:
        print(line)
    return 0


def main():
    cmds = {"spawn": cmd_spawn, "persample": cmd_persample, "report": cmd_report}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
