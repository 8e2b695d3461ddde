#!/usr/bin/env python3
"""bench/short-lived/analyze.py - which of the workload's short-lived processes each tool recorded.

usage: analyze.py PIDFILE DUMP_DIR ATOP_PRG_PRC_TXT PIDSTAT_TXT COMM CPU_LO CPU_HI ATOP_NOTE

The workload's "pid index" list is the truth. For each tool: the expected pids it recorded at
all, those recorded with comm COMM, and those whose CPU time, as the tool tells it, lies in
[CPU_LO, CPU_HI] seconds. Prints the table, details, and the ratio lines last.
"""
import glob
import json
import os
import statistics
import sys


def fmt_ratio(a, b):
    return "inf" if b == 0 else f"{a / b:.3f}"


def main():
    pidfile, dump_dir, atop_txt, pidstat_txt, comm, lo, hi, atop_note = sys.argv[1:9]
    lo, hi = float(lo), float(hi)
    expected = {}
    with open(pidfile) as f:
        for line in f:
            p, i = line.split()
            expected[int(p)] = int(i)
    n_exp = len(expected)
    ok_cpu = lambda c: c is not None and lo <= c <= hi

    # ---- spiketrace: every dump's snapshots[].exited, plus triggers on exited culprits
    st = {}  # pid -> dict(comm, cpu, cmdline, lifetime)
    culprits = set()
    dumps = sorted(glob.glob(os.path.join(dump_dir, "spike_*.json")))
    bad_dumps = 0
    exited_null = 0
    for path in dumps:
        try:
            with open(path) as f:
                d = json.load(f)
        except (OSError, ValueError):
            bad_dumps += 1
            continue
        for t in [d.get("trigger", {})] + list(d.get("other_triggers") or []):
            if t.get("culprit_exited") and t.get("pid") in expected:
                culprits.add(t["pid"])
        for s in d.get("snapshots", []):
            ex = s.get("exited")
            if ex is None:
                exited_null += 1
                continue
            for e in ex:
                st.setdefault(e["pid"], {"comm": e.get("comm"), "cpu": e.get("cpu_time_seconds"),
                                         "cmdline": e.get("cmdline"),
                                         "lifetime": e.get("lifetime_seconds")})
    st_rec = [p for p in expected if p in st]
    st_comm = [p for p in st_rec if st[p]["comm"] == comm]
    st_cpu = [p for p in st_rec if ok_cpu(st[p]["cpu"])]
    st_cmd = [p for p in st_rec
              if st[p]["cmdline"] == f"{comm} burn {expected[p]:04d} " + st_cmdline_tail]
    st_ok = [p for p in st_comm if p in st_cpu]
    stray = [p for p, e in st.items() if e["comm"] == comm and p not in expected]

    # ---- atop: PRG (identity, one line per process per sample) and PRC (CPU ticks per interval)
    at_comm, at_cpu_ticks, at_states = {}, {}, {}
    if os.path.exists(atop_txt):
        with open(atop_txt, errors="replace") as f:
            for line in f:
                if not line.startswith(("PRG ", "PRC ")):
                    continue
                # LABEL host epoch date time interval pid (name) state ...; the name may hold spaces
                o, c = line.find("("), line.find(") ")
                head, tail = line[:o].split(), line[c + 2:].split()
                if len(head) < 7 or o < 0 or c < o or not tail:
                    continue
                try:
                    pid = int(head[6])
                except ValueError:
                    continue
                name = line[o + 1:c]
                at_comm.setdefault(pid, name)
                if head[0] == "PRG":
                    at_states.setdefault(pid, set()).add(tail[0])
                elif len(tail) >= 12 and tail[11] == "y":  # PRC of the process, not a thread
                    try:
                        hz = float(tail[1]) or 100.0
                        ticks = float(tail[2]) + float(tail[3])
                    except ValueError:
                        continue
                    at_cpu_ticks[pid] = at_cpu_ticks.get(pid, 0.0) + ticks / hz
    at_rec = [p for p in expected if p in at_comm]
    at_comm_ok = [p for p in at_rec if at_comm[p] == comm]
    at_cpu = [p for p in at_rec if ok_cpu(at_cpu_ticks.get(p))]
    at_exited = [p for p in at_rec if "E" in at_states.get(p, ())]

    # ---- pidstat -u -h: one line per process alive at both ends of an interval
    ps_comm, ps_cpu = {}, {}
    cols = None
    if os.path.exists(pidstat_txt):
        with open(pidstat_txt, errors="replace") as f:
            for line in f:
                if line.startswith("#"):
                    cols = line[1:].split()
                    continue
                fl = line.split()
                if not cols or len(fl) != len(cols):
                    continue
                r = dict(zip(cols, fl))
                try:
                    pid = int(r["PID"])
                    cpu = float(r["%CPU"]) / 100.0  # 1 s interval
                except (KeyError, ValueError):
                    continue
                ps_comm.setdefault(pid, r.get("Command"))
                ps_cpu[pid] = ps_cpu.get(pid, 0.0) + cpu
    ps_rec = [p for p in expected if p in ps_comm]
    ps_comm_ok = [p for p in ps_rec if ps_comm[p] == comm]
    ps_cpu_ok = [p for p in ps_rec if ok_cpu(ps_cpu.get(p))]

    # ---- report
    print(f"{'tool':<12} {'recorded':>9} {'right comm':>11} {'plausible CPU':>14}   (expected {n_exp}; "
          f"CPU {lo:g}-{hi:g} s)")
    print(f"{'expected':<12} {n_exp:>9} {n_exp:>11} {n_exp:>14}")
    print(f"{'spiketrace':<12} {len(st_rec):>9} {len(st_comm):>11} {len(st_cpu):>14}")
    print(f"{'atop':<12} {len(at_rec):>9} {len(at_comm_ok):>11} {len(at_cpu):>14}")
    print(f"{'pidstat':<12} {len(ps_rec):>9} {len(ps_comm_ok):>11} {len(ps_cpu_ok):>14}")
    print()
    print(f"spiketrace: {len(dumps)} dumps ({bad_dumps} unreadable, {exited_null} snapshots with exited=null); "
          f"{len(st_ok)} with right comm AND CPU; {len(st_cmd)} with the exact cmdline; "
          f"{len(culprits)} named as culprit_exited of a trigger; {len(stray)} '{comm}' pids not from the workload")
    if st_rec:
        cpus = sorted(st[p]["cpu"] for p in st_rec if st[p]["cpu"] is not None)
        lts = sorted(st[p]["lifetime"] for p in st_rec if st[p]["lifetime"] is not None)
        if cpus:
            print(f"spiketrace: cpu_time_seconds min {cpus[0]:.3f} median {statistics.median(cpus):.3f} "
                  f"max {cpus[-1]:.3f}; lifetime_seconds median {statistics.median(lts):.3f} max {lts[-1]:.3f}")
        short = [p for p in st_rec if (st[p]["lifetime"] or 0) < 1.0]
        low = sum(1 for c in cpus if c < lo)
        print(f"spiketrace: {len(short)} lived < 1 s (kernel's lifetime; the rest queued for CPU); of those "
              f"atop recorded {sum(1 for p in short if p in at_comm)}, pidstat {sum(1 for p in short if p in ps_comm)}; "
              f"{low} with cpu_time_seconds < {lo:g} (taskstats utime+stime are tick-sampled)")
    missed = sorted(expected[p] for p in expected if p not in st)
    if missed:
        print(f"spiketrace: missed {len(missed)}: indices {missed[:20]}{' ...' if len(missed) > 20 else ''}")
    print(f"atop: {atop_note}; {len(at_exited)} of them shown as exited (state E)")
    if ps_rec:
        print(f"pidstat: its CPU for them median {statistics.median(ps_cpu[p] for p in ps_rec):.3f} s "
              f"(only intervals they were alive at both ends)")
    print()
    print(f"ratio recorded spiketrace/expected: {fmt_ratio(len(st_rec), n_exp)}")
    print(f"ratio recorded spiketrace/atop: {fmt_ratio(len(st_rec), len(at_rec))}")
    print(f"ratio recorded spiketrace/pidstat: {fmt_ratio(len(st_rec), len(ps_rec))}")


st_cmdline_tail = os.environ.get("SL_CPU_MS", "50")

if __name__ == "__main__":
    main()
