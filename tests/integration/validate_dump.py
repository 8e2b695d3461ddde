#!/usr/bin/python3
"""Validates spike dumps against docs/dump.schema.json plus the invariants the schema cannot say."""
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check(path, validator):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    errors = sorted(validator.iter_errors(d), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        return f"{path}: schema: {'/'.join(map(str, e.path))}: {e.message}"
    snaps = d["snapshots"]
    idx = d["trigger_snapshot_index"]
    if not snaps[idx]["is_trigger"] or sum(s["is_trigger"] for s in snaps) != 1:
        return f"{path}: trigger_snapshot_index does not point at the one trigger snapshot"
    if idx + 1 > d["config"]["context_snapshots_per_dump"]:
        return f"{path}: more snapshots up to the trigger than context_snapshots_per_dump"
    # after the trigger: only the fast samples of a diagnostic episode
    if any(s["mode"] != "diagnostic" for s in snaps[idx + 1:]):
        return f"{path}: a snapshot after the trigger's was not taken in diagnostic mode"
    if idx != len(snaps) - 1 and d["diagnosis"] is None:
        return f"{path}: fast samples without a diagnosis"
    offs = [s["offset_seconds"] for s in snaps]
    if any(o > 0 for o in offs[:idx + 1]) or any(o <= 0 for o in offs[idx + 1:]):
        return f"{path}: offsets are not <= 0 up to the trigger and > 0 after it"
    seqs = [s["seq"] for s in snaps]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        return f"{path}: snapshots not in time order"
    top = d["config"]["top_processes_stored"]
    for s in snaps:
        cpu = [p["cpu_pct"] for p in s["procs"]]
        rss = [p["rss_kib"] for p in s["top_rss_procs"]]
        if cpu != sorted(cpu, reverse=True) or rss != sorted(rss, reverse=True):
            return f"{path}: top lists not sorted"
        io = [p["io"]["read_bytes_per_s"] + p["io"]["write_bytes_per_s"] for p in s["top_io_procs"]]
        if io != sorted(io, reverse=True) or any(x <= 0 for x in io) or (top and len(io) > top):
            return f"{path}: top_io_procs not sorted, holds an idle process or is too long"
        want = s["process_count"] if top == 0 else min(top, s["process_count"])
        if len(s["procs"]) != want or len(s["top_rss_procs"]) != want:
            return f"{path}: top lists hold {len(s['procs'])}, want {want}"
    name = os.path.basename(path)
    t = d["trigger"]
    if not name.startswith("spike_") or f"_{t['type']}_{t['pid']}.json" not in name:
        return f"{path}: file name does not match the trigger"
    return None


def main():
    with open(os.path.join(ROOT, "docs", "dump.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[1:]:
        err = check(path, validator)
        if err:
            print(err, file=sys.stderr)
            bad += 1
    return 1 if bad or not sys.argv[1:] else 0


if __name__ == "__main__":
    sys.exit(main())
