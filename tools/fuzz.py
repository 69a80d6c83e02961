#!/usr/bin/env python3
"""Long-run differential fuzzer: minpy's native ops against NumPy.

    PYTHONPATH=python python tools/fuzz.py --calls 1000000 [--seed S] [--family F] [--out FILE]
    PYTHONPATH=python python tools/fuzz.py --seed S --only I      # replay call I of seed S

Call i of seed S is drawn by tests/python/fuzz_ops.py's generators from random.Random("S:i"), so
every call is reproducible from (S, i). The calls run in a worker process; the parent restarts it
after a crash (signal) or a hang (no progress for --hang seconds) and records that call too.
Prints calls/s and the counts of value-equal / same-exception / mismatch calls; writes one
reproducer line per mismatch (at most --per-kind per distinct message) to --out.
"""
import argparse
import json
import mmap
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
sys.path.insert(0, os.path.join(ROOT, "python"))


def _draw(seed, i, family):
    import fuzz_ops
    return fuzz_ops.gen_call(fuzz_ops.RandomDraw(f"{seed}:{i}"), family)


def worker(args):
    import resource
    import warnings

    import fuzz_ops
    warnings.simplefilter("ignore")
    # Keep a runaway allocation a MemoryError instead of taking the machine's memory.
    lim = args.mem_gb << 30
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    fd = os.open(args.progress, os.O_RDWR)
    mm = mmap.mmap(fd, 8)
    out = sys.stdout
    counts = {"equal": 0, "same-exception": 0, "known": 0}
    last = time.time()
    for i in range(args.start, args.stop):
        mm[:8] = i.to_bytes(8, "little")
        try:
            op, a, kw = _draw(args.seed, i, args.family)
        except Exception as e:  # noqa: BLE001 - a generator bug is reported, not fatal
            out.write(json.dumps({"i": i, "kind": "generator", "msg": f"{type(e).__name__}: {e}"}) + "\n")
            continue
        try:
            counts[fuzz_ops.check_call(op, a, kw, known_ok=not args.strict)] += 1
        except fuzz_ops.Mismatch as e:
            out.write(json.dumps({"i": i, "kind": "mismatch", "op": op, "repro": fuzz_ops.repro(op, a, kw),
                                  "msg": str(e)}) + "\n")
        except Exception as e:  # noqa: BLE001 - the comparison itself failed
            out.write(json.dumps({"i": i, "kind": "mismatch", "op": op, "repro": fuzz_ops.repro(op, a, kw),
                                  "msg": f"checker raised {type(e).__name__}: {e}"}) + "\n")
        now = time.time()
        if now - last > 1.0:
            out.write(json.dumps({"i": i + 1, "kind": "counts", **counts}) + "\n")
            counts = {"equal": 0, "same-exception": 0, "known": 0}
            out.flush()
            last = now
    out.write(json.dumps({"i": args.stop, "kind": "counts", **counts}) + "\n")
    out.flush()


def signature(msg):
    """A mismatch's kind: its first line with numbers and array contents left out."""
    first = msg.splitlines()[0] if msg else ""
    return re.sub(r"-?\d+(\.\d+)?(e[+-]?\d+)?", "N", first)[:160]


def parent(args):
    import threading

    fd, path = None, os.path.join("/tmp", f"minpy_fuzz_{os.getpid()}.progress")
    with open(path, "wb") as f:
        f.write(b"\0" * 8)
    stop = args.start + args.calls
    totals = {"equal": 0, "same-exception": 0, "mismatch": 0, "crash": 0, "hang": 0, "generator": 0,
              "numpy-crash": 0, "numpy-hang": 0, "known": 0}
    per_sig = {}
    start_time = time.time()
    next_print = start_time + args.every
    out = open(args.out, "a")
    out.write(f"# tools/fuzz.py --seed {args.seed} --start {args.start} --calls {args.calls}"
              f"{' --family ' + args.family if args.family else ''}  ({time.strftime('%Y-%m-%d %H:%M:%S')})\n")

    def record(kind, i, op, repro, msg):
        totals[kind] += 1
        sig = (op, signature(msg))
        per_sig[sig] = per_sig.get(sig, 0) + 1
        if per_sig[sig] <= args.per_kind:
            out.write(f"{kind} seed={args.seed} i={i} | {repro} | {msg.splitlines()[0] if msg else ''}\n")
            out.flush()

    i = args.start
    done = args.start
    while i < stop:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--seed", str(args.seed), "--start", str(i),
               "--stop", str(stop), "--progress", path, "--mem-gb", str(args.mem_gb)] + (["--strict"] if args.strict else [])
        if args.family:
            cmd += ["--family", args.family]
        with open(path, "r+b") as f:
            f.write(i.to_bytes(8, "little"))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
        state = {"alive": True}
        lines = []

        def reader():
            for line in proc.stdout:
                lines.append(line)
            state["alive"] = False
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        with open(path, "rb") as f:
            mm = mmap.mmap(f.fileno(), 8, access=mmap.ACCESS_READ)
            last_idx, last_change = -1, time.time()
            while True:
                t.join(0.2)
                while lines:
                    ev = json.loads(lines.pop(0))
                    if ev["kind"] == "counts":
                        totals["equal"] += ev["equal"]
                        totals["same-exception"] += ev["same-exception"]
                        totals["known"] += ev["known"]
                        done = ev["i"]
                    elif ev["kind"] == "generator":
                        totals["generator"] += 1
                        out.write(f"generator seed={args.seed} i={ev['i']} | {ev['msg']}\n")
                    else:
                        record("mismatch", ev["i"], ev["op"], ev["repro"], ev["msg"])
                idx = int.from_bytes(mm[:8], "little")
                if idx != last_idx:
                    last_idx, last_change = idx, time.time()
                elif time.time() - last_change > args.hang and proc.poll() is None:
                    proc.kill()
                    proc.wait()
                    op, a, kw = _draw(args.seed, idx, args.family)
                    import fuzz_ops
                    kind, why = _classify_hang(args, idx)
                    record(kind, idx, op, fuzz_ops.repro(op, a, kw), why)
                    i = idx + 1
                    break
                now = time.time()
                if args.time and now - start_time > args.time and proc.poll() is None:
                    proc.kill()  # --time reached: stop where the worker is
                    proc.wait()
                    done = max(done, idx)
                    i = stop
                    break
                if now >= next_print:
                    _report(totals, max(done, idx) - args.start, now - start_time)
                    next_print = now + args.every
                if not state["alive"] and not lines:
                    rc = proc.wait()
                    if rc == 0:
                        i = stop
                    else:
                        idx = int.from_bytes(mm[:8], "little")
                        op, a, kw = _draw(args.seed, idx, args.family)
                        import fuzz_ops
                        kind, why = _classify_crash(args, idx, rc)
                        record(kind, idx, op, fuzz_ops.repro(op, a, kw), why)
                        i = idx + 1
                    break
            mm.close()
        if args.time and time.time() - start_time > args.time:
            break
    elapsed = time.time() - start_time
    _report(totals, max(done, i if i < stop else done) - args.start, elapsed,
            final=True)
    if per_sig:
        print("mismatch kinds (count, op, first line):")
        for (op, sig), n in sorted(per_sig.items(), key=lambda kv: -kv[1]):
            print(f"  {n:7d}  {op:18s} {sig}")
        print(f"reproducers: {args.out}")
    os.unlink(path)
    out.close()
    return 1 if totals["mismatch"] + totals["crash"] + totals["hang"] else 0


def _classify_crash(args, idx, rc):
    """A worker death is NumPy's own when the call crashes NumPy alone (the oracle has bugs too:
    np.repeat(x, 2**62) and cumprod(out=<0-d>) segfault in NumPy 2.4); else it is minpy's, alone
    or only after earlier calls (heap damage)."""
    base = [sys.executable, os.path.abspath(__file__), "--seed", str(args.seed), "--only", str(idx)]
    if args.family:
        base += ["--family", args.family]
    alone_np = subprocess.run(base + ["--numpy-only"], capture_output=True, timeout=120).returncode
    if alone_np < 0:
        return "numpy-crash", f"NumPy itself dies on this call (status {alone_np})"
    alone = subprocess.run(base, capture_output=True, timeout=120).returncode
    if alone < 0:
        return "crash", f"worker died with status {rc}; the call alone crashes too (status {alone})"
    return "crash", f"worker died with status {rc}; the call alone does not crash (earlier heap damage?)"


def _classify_hang(args, idx):
    """A hang is NumPy's own when NumPy alone does not finish the call either (np.repeat of an
    empty array 2**40 times loops over the empty chunks in NumPy 2.4)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--seed", str(args.seed), "--only", str(idx), "--numpy-only"]
    if args.family:
        cmd += ["--family", args.family]
    try:
        subprocess.run(cmd, capture_output=True, timeout=args.hang)
    except subprocess.TimeoutExpired:
        return "numpy-hang", f"NumPy alone does not finish this call in {args.hang} s either"
    return "hang", f"no progress for {args.hang} s"


def _report(t, calls, elapsed, final=False):
    rate = calls / elapsed if elapsed > 0 else 0.0
    print(f"{'total' if final else 'calls'} {calls}  {rate:.0f} calls/s  equal {t['equal']}  "
          f"same-exception {t['same-exception']}  known {t['known']}  mismatch {t['mismatch']}  crash {t['crash']}  "
          f"hang {t['hang']}  numpy-crash {t['numpy-crash']}  numpy-hang {t['numpy-hang']}", flush=True)


def only(args):
    import numpy

    import fuzz_ops
    op, a, kw = _draw(args.seed, args.only, args.family)
    print(fuzz_ops.repro(op, a, kw), flush=True)
    if args.numpy_only:
        print(fuzz_ops.outcome(numpy, op, a, kw)[2])
        return 0
    print(fuzz_ops.check_call(op, a, kw))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=100000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", type=int, default=0, help="first call index")
    p.add_argument("--family", choices=["ufunc", "operator", "reduction", "shape", "linalg", "creation",
                                        "getitem", "setitem"])
    p.add_argument("--out", default="fuzz-failures.txt", help="reproducer lines are appended here")
    p.add_argument("--per-kind", type=int, default=20, help="reproducers written per distinct mismatch")
    p.add_argument("--time", type=float, default=0, help="stop after this many seconds (0: no limit)")
    p.add_argument("--every", type=float, default=10, help="seconds between progress lines")
    p.add_argument("--hang", type=float, default=60, help="seconds without progress that count as a hang")
    p.add_argument("--mem-gb", type=int, default=8, help="address-space limit of the worker")
    p.add_argument("--only", type=int, help="replay one call index and print its reproducer")
    p.add_argument("--strict", action="store_true", help="count the known deviations (fuzz_ops.KNOWN) as mismatches")
    p.add_argument("--numpy-only", action="store_true", help="with --only: run NumPy's side alone")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    p.add_argument("--progress", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args)
    if args.only is not None:
        return only(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
