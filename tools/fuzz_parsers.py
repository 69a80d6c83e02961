#!/usr/bin/env python3
"""Coverage-guided fuzzing of minpy's index, shape and axis parsers against NumPy (atheris).

    PYTHONPATH=python python tools/fuzz_parsers.py -max_total_time=300       # atheris/libFuzzer
    PYTHONPATH=python python tools/fuzz_parsers.py --no-atheris --time 300    # plain random bytes

Each input's bytes are decoded (tests/python/fuzz_ops.py's BytesDraw) into one call: `a[index]`,
`a[index] = value` with an index tuple of ints, slices, Ellipsis, None, bools, integer/boolean
arrays, lists and junk; `reshape`/`zeros`/`broadcast_to`/`transpose` with a shape or axes; or a
reduction/`expand_dims`/`squeeze`/`moveaxis` with an axis argument. The call runs on NumPy and
minpy and must give the same value or exception class (`check_call`). A crash stops libFuzzer,
which saves the input; a mismatch is written as a reproducer line to --out and fuzzing goes on
(`--stop-on-mismatch` makes it a libFuzzer finding instead). atheris instruments the Python side
only (the harness and minpy's Python layer): the C++ engine is not built with -fsanitize=fuzzer.
"""
import argparse
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
sys.path.insert(0, os.path.join(ROOT, "python"))

STATE = {"execs": 0, "mismatch": 0, "equal": 0, "same-exception": 0, "known": 0, "seen": set(), "out": None,
         "stop": False}

_TARGETS = ["getitem", "setitem", "reshape", "zeros", "broadcast_to", "transpose", "axis"]


def decode(data):
    """The call that `data` stands for: (op, args, kwargs)."""
    import fuzz_ops as F
    d = F.BytesDraw(data)
    target = d.choice(_TARGETS)
    shape = F.gen_shape(d)
    if target in ("getitem", "setitem"):
        op, args, kw = (F.gen_getitem if target == "getitem" else F.gen_setitem)(d)
        return op, args, kw
    a = F.gen_arr(d, shape)
    if target == "reshape":
        new = _shape_arg(d, F, len(shape))
        return ("a.reshape", (a,) + new, {}) if isinstance(new, tuple) and d.coin(0.3) else ("reshape", (a, new), {})
    if target == "zeros":
        return d.choice(["zeros", "ones", "empty", "full"]), (_shape_arg(d, F, 3),) + ((1,) if d.coin(0.2) else ()), {}
    if target == "broadcast_to":
        return "broadcast_to", (a, _shape_arg(d, F, len(shape) + 1)), {}
    if target == "transpose":
        return "transpose", (a, _shape_arg(d, F, len(shape))), {}
    name = d.choice(["sum", "max", "argmax", "cumsum", "mean", "any", "count_nonzero", "expand_dims", "squeeze",
                     "moveaxis", "flip", "swapaxes", "concatenate", "stack", "sort", "take"])
    axis = _axis_arg(d, F, len(shape))
    if name == "moveaxis":
        return name, (a, axis, _axis_arg(d, F, len(shape))), {}
    if name == "swapaxes":
        return name, (a, axis, _axis_arg(d, F, len(shape))), {}
    if name in ("concatenate", "stack"):
        return name, ([a, a],), {"axis": axis}
    if name == "take":
        return name, (a, F.Np([0], "int64")), {"axis": axis}
    return name, (a,), {"axis": axis}


def _int(d):
    return d.weighted([(8, d.int(-2, 6)), (1, d.choice([2**62, 2**63 - 1, 2**63, 2**64, -(2**63), 10**20])),
                       (1, d.choice([True, 1.0, "2", None, -7]))])


def _shape_arg(d, F, ndim):
    k = d.weighted([(3, "tuple"), (2, "int"), (1, "list"), (1, "npint"), (1, "junk")])
    if k == "int":
        return _int(d)
    if k == "npint":
        return F.Np(d.int(0, 4), d.choice(["int8", "uint64", "int64", "bool"]), mp=False)
    if k == "junk":
        return d.choice([(), (2, (3,)), "abc", 2.5, [[1]], {}, F.Np([2, 3], "int64", mp=False)])
    dims = tuple(_int(d) for _ in range(d.int(0, max(ndim, 1) + 1)))
    return list(dims) if k == "list" else dims


def _axis_arg(d, F, ndim):
    k = d.weighted([(4, "int"), (2, "tuple"), (1, "junk"), (1, "npint")])
    if k == "int":
        return d.weighted([(6, d.int(-ndim - 1, ndim + 1)), (1, _int(d))])
    if k == "tuple":
        return tuple(d.int(-ndim - 1, ndim) for _ in range(d.int(0, ndim + 1)))
    if k == "npint":
        return F.Np(d.int(-1, 2), d.choice(["int8", "uint64", "bool"]), mp=False)
    return d.choice([None, [0], 1.0, "0", True, (0, 0), (None,)])


def one_input(data):
    import fuzz_ops as F
    STATE["execs"] += 1
    try:
        op, args, kw = decode(data)
    except Exception:  # noqa: BLE001 - an undecodable input is not a finding
        return
    try:
        STATE[F.check_call(op, args, kw, known_ok=True)] += 1
    except Exception as e:  # noqa: BLE001 - a Mismatch, or the checker itself failing
        STATE["mismatch"] += 1
        if not isinstance(e, F.Mismatch):
            e = F.Mismatch(f"checker raised {type(e).__name__}: {e}")
        line = f"{F.repro(op, args, kw)} | {str(e).splitlines()[0]}"
        key = (op, str(e).splitlines()[0][:80])
        if key not in STATE["seen"]:
            STATE["seen"].add(key)
            STATE["out"].write(line + "\n")
            STATE["out"].flush()
        if STATE["stop"]:
            raise


def report(elapsed):
    rate = STATE["execs"] / elapsed if elapsed > 0 else 0
    print(f"execs {STATE['execs']}  {rate:.0f}/s  equal {STATE['equal']}  same-exception "
          f"{STATE['same-exception']}  known {STATE['known']}  mismatch {STATE['mismatch']} ({len(STATE['seen'])} distinct)", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--no-atheris", action="store_true", help="feed seeded random bytes instead of atheris")
    p.add_argument("--time", type=float, default=60, help="seconds to run (--no-atheris)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="fuzz-parsers-failures.txt")
    p.add_argument("--stop-on-mismatch", action="store_true")
    args, rest = p.parse_known_args()
    import resource
    # A shape that slips through as a real multi-GB allocation is a MemoryError, not the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    STATE["out"] = open(args.out, "a")
    STATE["stop"] = args.stop_on_mismatch
    import warnings
    warnings.simplefilter("ignore")
    start = time.time()
    if args.no_atheris:
        rng = random.Random(args.seed)
        next_print = start + 10
        while time.time() - start < args.time:
            one_input(rng.randbytes(rng.randint(1, 96)))
            if time.time() > next_print:
                report(time.time() - start)
                next_print += 10
        report(time.time() - start)
        return 0
    import atexit

    import atheris
    with atheris.instrument_imports():
        import fuzz_ops  # noqa: F401  (the harness and decoders get coverage feedback)
        import minpy.numpy  # noqa: F401
    atexit.register(lambda: report(time.time() - start))
    if not any(r.startswith("-rss_limit_mb") for r in rest):
        rest.append("-rss_limit_mb=8192")  # NumPy's lazily-zeroed big arrays are not leaks
    atheris.Setup([sys.argv[0]] + rest, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.exit(main())
