"""Fixed-budget differential fuzzing of the native ops against NumPy (fuzz_ops.py).

Derandomized hypothesis runs per op family plus a seeded loop over the same generators: a few
thousand calls, each compared with NumPy for values, dtype, shape, aliasing, argument state after
the call, or exception class. The long run is `python tools/fuzz.py --calls 1000000`.
"""
import pytest
from hypothesis import HealthCheck, given, settings

from fuzz_ops import FAMILIES, RandomDraw, calls, check_call, gen_call, repro

_FAMILY_EXAMPLES = 250


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family(family):
    @settings(max_examples=_FAMILY_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(calls(family))
    def run(call):
        check_call(*call, known_ok=True)
    run()


@pytest.mark.parametrize("seed", range(4))
def test_seeded(seed):
    """500 calls from tools/fuzz.py's generator (seeds 1000..1003), each reproducible there."""
    failures = []
    for i in range(500):
        op, args, kw = gen_call(RandomDraw(f"{1000 + seed}:{i}"))
        try:
            check_call(op, args, kw, known_ok=True)
        except AssertionError as e:
            failures.append(f"{repro(op, args, kw)}\n    {str(e).splitlines()[0]}")
    assert not failures, "\n".join(failures[:20])


def test_check_call_detects_mismatches(monkeypatch):
    """The checker fails on a wrong value, a wrong exception class and a missing exception."""
    import numpy

    import fuzz_ops
    from fuzz_ops import Arr, Mismatch

    real = fuzz_ops.run

    def off_by_one(lib, op, args, kwargs):
        res, margs = real(lib, op, args, kwargs)
        return (res if lib is numpy else res + 1), margs
    monkeypatch.setattr(fuzz_ops, "run", off_by_one)
    with pytest.raises(Mismatch, match="values differ"):
        check_call("negative", (Arr((3,), "int64", 0),), {})

    def wrong_class(lib, op, args, kwargs):
        if lib is numpy:
            return real(lib, op, args, kwargs)
        raise ValueError("not an IndexError")
    monkeypatch.setattr(fuzz_ops, "run", wrong_class)
    with pytest.raises(Mismatch, match="minpy raised ValueError"):
        check_call("getitem", (Arr((3,), "int64", 0), 5), {})
    monkeypatch.setattr(fuzz_ops, "run", lambda lib, op, a, k: real(numpy, op, a, k) if lib is numpy
                        else (None, None))
    with pytest.raises(Mismatch, match="minpy returned"):
        check_call("getitem", (Arr((3,), "int64", 0), 5), {})
    monkeypatch.setattr(fuzz_ops, "run", real)
    assert check_call("getitem", (Arr((3,), "int64", 0), 5), {}) == "same-exception"
    assert check_call("add", (Arr((2, 3), "int8", 1, view=(("s", (slice(None, None, -1),)),)), 1), {}) == "equal"
