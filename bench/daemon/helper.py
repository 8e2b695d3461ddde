#!/usr/bin/python3
"""Helpers for bench/daemon/run (stdlib only).

  spawn N WATCH_PID       become a process-group leader, fork N-1 idle `sleep 100000`
                          (N processes in all, counting this one), print "ready K" and
                          wait to be killed. Everything dies with WATCH_PID too (PDEATHSIG).
  persample LOG           median microseconds per process from spiketrace's
                          "sample N: P processes in X ms" debug lines (sample 1 skipped).
  steady WRAPPER_PID FROM_S TO_S OUT_JSON
                          the CPU % of one core that the command run by the rusage wrapper
                          WRAPPER_PID used between FROM_S and TO_S after its start (the sum of
                          its threads' /proc/PID/task/*/schedstat run time, ns; polled, so a
                          run that ends early still has a window), and its last VmRSS: the
                          steady state, without start-up.
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
SAMPLE_RE = re.compile(r"sample (\d+): (\d+) processes in ([0-9.]+) ms"
                       r"(?: \(process collector ([0-9.]+) ms\))?")


def persample(path):
    rows = []
    with open(path, errors="replace") as f:
        for line in f:
            m = SAMPLE_RE.search(line)
            if m:
                rows.append((int(m[1]), int(m[2]), float(m[3]),
                             float(m[4]) if m[4] is not None else None))
    rest = [r[:3] for r in rows if r[0] > 1]
    if not rest:
        return None
    us = [ms * 1000.0 / n for _, n, ms in rest if n > 0]
    coll = [r[3] * 1000.0 / r[1] for r in rows if r[0] > 1 and r[3] is not None and r[1] > 0]
    return {
        "collector_us_per_proc_median": statistics.median(coll) if coll else None,
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


# ---------------------------------------------------------------- steady
def _child_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except (OSError, ValueError):
        return None


def _run_ns(pid):
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None  # gone, or a thread went between listdir and open: try again
    return total


def _rss_kib(pid):
    """(VmRSS, VmHWM) of pid in KiB: now, and its own peak (not its children's)."""
    got = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    got[line[:5]] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return got.get("VmRSS"), got.get("VmHWM")


def cmd_steady(argv):
    wrapper, t_from, t_to, out = int(argv[0]), float(argv[1]), float(argv[2]), argv[3]
    t0 = time.monotonic()
    child = None
    while child is None and time.monotonic() - t0 < 10:
        child = _child_of(wrapper)
        if child is None:
            time.sleep(0.02)
    res = {"from_s": t_from, "to_s": t_to}
    if child is not None:
        time.sleep(max(0.0, t_from - (time.monotonic() - t0)))
        first = last = None
        # poll until TO_S or until it exits (a run may end early): the last reading counts
        while time.monotonic() - t0 <= t_to:
            ns = _run_ns(child)
            if ns is None:
                if not os.path.exists(f"/proc/{child}/task"):
                    break
            else:
                rss, hwm = _rss_kib(child)
                last = (ns, time.monotonic(), rss if rss else (last[2] if last else None),
                        hwm if hwm else (last[3] if last else None))
                if first is None:
                    first = last
            time.sleep(0.25)
        if first and last and last[1] - first[1] > 1.0:
            res.update({"window_s": last[1] - first[1], "cpu_ms": (last[0] - first[0]) / 1e6,
                        "cpu_pct_one_core": 100.0 * (last[0] - first[0]) / 1e9 / (last[1] - first[1]),
                        "rss_kib": last[2], "hwm_kib": last[3]})
    with open(out, "w") as f:
        json.dump(res, f)
    return 0


# ---------------------------------------------------------------- report
BASELINES = ("atop", "pidstat")
TARGET_CPU_RATIO_ATOP = 0.10  # at 1 s
TARGET_SENTINEL_PCT = 0.1  # % of one core, 1 s interval, ~600 processes
TARGET_DIAGNOSTIC_PCT = 2.0  # % of one core, 100 ms interval
TARGET_RSS_MIB = 8.0
TARGET_US_PER_PROC = 7.0  # the /proc path: one pread of PID/stat
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


def tool_result(sdir, name):
    r = load(os.path.join(sdir, name + ".json"))
    if not r:
        return None
    r["cpu_pct_one_core"] = 100.0 * r["cpu_s"] / r["wall_s"] if r["wall_s"] > 0 else None
    r["peak_rss_mib"] = r["maxrss_kib"] / 1024.0
    st = load(os.path.join(sdir, name + ".steady.json")) or {}
    r["steady_cpu_pct"] = st.get("cpu_pct_one_core")
    r["steady_rss_mib"] = st["rss_kib"] / 1024.0 if st.get("rss_kib") else None
    # VmHWM: the tool's own peak; ru_maxrss also counts the children it waited for (the
    # daemon's BPF loader, which parses the kernel's BTF for a moment and exits)
    r["own_peak_rss_mib"] = st["hwm_kib"] / 1024.0 if st.get("hwm_kib") else None
    r["steady_window_s"] = st.get("window_s")
    return r


def cmd_report(argv):
    rdir, out = argv[0], argv[1]
    meta = load(os.path.join(rdir, "meta.json")) or {}
    scen_names = meta.get("scenarios", [])
    variants = meta.get("variants", [])
    doc = {
        "meta": meta,
        "targets": {
            "note": "from the issues: at 600 processes",
            "sentinel_1s_steady_cpu_pct_max": TARGET_SENTINEL_PCT,
            "diagnostic_100ms_steady_cpu_pct_max": TARGET_DIAGNOSTIC_PCT,
            "cpu_ratio_spiketrace_atop_max_at_1s": TARGET_CPU_RATIO_ATOP,
            "spiketrace_peak_rss_mib_max": TARGET_RSS_MIB,
            "proc_us_per_process_about": TARGET_US_PER_PROC,
        },
        "scenarios": {},
    }
    ratio_lines = []
    for sc in scen_names:
        sdir = os.path.join(rdir, sc)
        smeta = load(os.path.join(sdir, "scenario.json")) or {}
        names = [v["name"] for v in variants] + list(BASELINES)
        tools = {t: tool_result(sdir, t) for t in names}
        persample = {src: load(os.path.join(sdir, f"persample-{src}.json"))
                     for src in meta.get("sources", [])}
        label = smeta.get("label", sc)
        nprocs = smeta.get("procs_before_tools")
        at, pi = tools.get("atop"), tools.get("pidstat")
        print()
        print(f"== scenario {sc}: {label}: {nprocs or '?'} processes on the host "
              f"({smeta.get('spawned', '?')} spawned), {meta.get('duration_s')} s per tool, "
              f"{meta.get('mode')}")
        print(f"{'tool':<24} {'CPU s':>6} {'wall s':>6} {'CPU %':>7} {'steady %':>8} "
              f"{'peak RSS':>8} {'end RSS':>7}  rc   (CPU % of one core; RSS MiB)")
        for t in names:
            r = tools[t]
            if not r:
                print(f"{t:<24} {'(no result)':>7}")
                continue
            print(f"{t:<24} {r['cpu_s']:6.2f} {r['wall_s']:6.1f} {fmt(r['cpu_pct_one_core'], '7.3f')} "
                  f"{fmt(r['steady_cpu_pct'], '8.3f')} {r['peak_rss_mib']:8.2f} "
                  f"{fmt(r['steady_rss_mib'], '7.2f')}  {r['rc']}")
        checks, rats = {}, {}
        for v in variants:
            r = tools.get(v["name"])
            if not r:
                continue
            n = v["name"]
            steady = r["steady_cpu_pct"]
            if v["interval_s"] >= 1:
                target, what = TARGET_SENTINEL_PCT, "sentinel"
                rats[n + "/atop"] = ratio(r["cpu_pct_one_core"], at and at["cpu_pct_one_core"])
                rats[n + "/pidstat"] = ratio(r["cpu_pct_one_core"], pi and pi["cpu_pct_one_core"])
                rats[n + "/atop steady"] = ratio(steady, at and at["steady_cpu_pct"])
                rats[n + "/pidstat steady"] = ratio(steady, pi and pi["steady_cpu_pct"])
                rats[n + "/atop rss"] = ratio(r["peak_rss_mib"], at and at["peak_rss_mib"])
                rats[n + "/pidstat rss"] = ratio(r["peak_rss_mib"], pi and pi["peak_rss_mib"])
                rats[n + "/atop own peak rss"] = ratio(r["own_peak_rss_mib"],
                                                       at and at["own_peak_rss_mib"])
            else:
                target, what = TARGET_DIAGNOSTIC_PCT, "diagnostic"
            ok = None if steady is None else steady < target
            checks[n] = {"steady_cpu_pct_target": target, "steady_cpu_ok": ok,
                         "peak_rss_ok": r["peak_rss_mib"] < TARGET_RSS_MIB,
                         "own_peak_rss_ok": None if r["own_peak_rss_mib"] is None
                         else r["own_peak_rss_mib"] < TARGET_RSS_MIB,
                         "steady_rss_ok": None if r["steady_rss_mib"] is None
                         else r["steady_rss_mib"] < TARGET_RSS_MIB}
            print(f"  {n}: steady CPU {fmt(steady, '.3f')} % ({what} target < {target:g} %: "
                  f"{verdict(ok)}), peak RSS {r['peak_rss_mib']:.2f} MiB with the children it "
                  f"waited for, its own {fmt(r['own_peak_rss_mib'], '.2f')} MiB, steady "
                  f"{fmt(r['steady_rss_mib'], '.2f')} MiB (target < {TARGET_RSS_MIB:g}: peak "
                  f"{verdict(checks[n]['peak_rss_ok'])}, own peak "
                  f"{verdict(checks[n]['own_peak_rss_ok'])}, steady "
                  f"{verdict(checks[n]['steady_rss_ok'])})")
        # the two sources against each other, per interval
        for iv in sorted({v["interval_s"] for v in variants}, reverse=True):
            b = next((tools.get(v["name"]) for v in variants
                      if v["source"] == "bpf" and v["interval_s"] == iv), None)
            p = next((tools.get(v["name"]) for v in variants
                      if v["source"] == "proc" and v["interval_s"] == iv), None)
            if b and p:
                rats[f"bpf/proc {iv:g}s steady"] = ratio(b["steady_cpu_pct"], p["steady_cpu_pct"])
                rats[f"bpf/proc {iv:g}s"] = ratio(b["cpu_pct_one_core"], p["cpu_pct_one_core"])
        for src, ps in persample.items():
            if not ps:
                print(f"  per-process cost ({src}): n/a")
                continue
            us = ps["us_per_proc_median"]
            line = (f"  per-process cost ({src}, -i 0.2, median of samples 2..{ps['samples']}): "
                    f"{us:.2f} us/process, of which the process collector "
                    f"{fmt(ps.get('collector_us_per_proc_median'), '.2f')} ({ps['sample_ms_median']:.2f} ms per sample of "
                    f"{ps['procs_median']:g} processes; range {ps['us_per_proc_min']:.2f}-"
                    f"{ps['us_per_proc_max']:.2f}; first sample {fmt(ps['first_sample_ms'], '.2f')} ms)")
            if src == "proc":
                cu = ps.get("collector_us_per_proc_median") or us
                checks["proc_us_per_proc"] = cu <= TARGET_US_PER_PROC * US_SLACK
                line += (f"   collector target ~{TARGET_US_PER_PROC:g} us (<= {TARGET_US_PER_PROC * US_SLACK:g}): "
                         f"{verdict(checks['proc_us_per_proc'])}")
            print(line)
        if persample.get("bpf") and persample.get("proc"):
            rats["proc/bpf us per process (whole sample)"] = ratio(
                persample["proc"]["us_per_proc_median"], persample["bpf"]["us_per_proc_median"])
            rats["proc/bpf us per process (process collector)"] = ratio(
                persample["proc"].get("collector_us_per_proc_median"),
                persample["bpf"].get("collector_us_per_proc_median"))
        if smeta.get("dumps_written") is not None:
            print(f"  spiketrace wrote {smeta['dumps_written']} dump(s) during its runs "
                  f"(triggers cost CPU too: rendering and writing)")
        doc["scenarios"][sc] = {**smeta, "tools": tools, "ratios": rats,
                                "per_process": persample, "targets_met": checks}
        ratio_lines += [f"ratio {k} ({label}): {fmt(v, '.3f')}" for k, v in rats.items()]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    print()
    if meta.get("rss_floor_kib") is not None:
        print(f"peak RSS is ru_maxrss from wait4() (the method's floor, /bin/true, is "
              f"{meta['rss_floor_kib'] / 1024:.2f} MiB), so it includes the largest child a tool "
              f"waited for (spiketrace's BPF loader parses the kernel BTF, ~14 MiB for ~1 s at "
              f"start, and exits); 'own' peak is the tool's VmHWM; end RSS is VmRSS at the end "
              f"of the steady window {meta.get('steady_window_s')} s")
    print(f"results: {out}")
    print("ratios (CPU as CPU % of one core; 'steady' without start-up; RSS as peak RSS):")
    for line in ratio_lines:
        print(line)
    return 0


def main():
    cmds = {"spawn": cmd_spawn, "persample": cmd_persample, "steady": cmd_steady,
            "report": cmd_report}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
