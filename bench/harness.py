"""Side-by-side timing: each case runs minpy and its peers in one process and prints ratios.

A ratio is peer time / minpy time: above 1 means minpy is faster.
"""
import timeit


def best_time(fn, min_time=0.2, repeat=5):
    """Best per-call time in seconds over `repeat` runs of enough calls to last `min_time`."""
    fn()  # warm up (and first-call costs)
    number, elapsed = 1, 0.0
    while True:
        elapsed = timeit.timeit(fn, number=number)
        if elapsed >= min_time / repeat or number >= 1 << 24:
            break
        number *= 2 if elapsed == 0 else max(2, int(min_time / repeat / max(elapsed, 1e-9)))
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:7.2f} {unit}"
    return f"{seconds * 1e9:7.2f} ns"


def report(title, cases, peers=("numpy",), min_time=0.2):
    """cases: list of (name, {impl: fn}) with 'minpy' among impls; prints one row per case."""
    print(f"\n== {title}")
    header = f"{'case':<34}{'minpy':>12}" + "".join(f"{p:>12}{'ratio':>8}" for p in peers)
    print(header)
    rows = []
    for name, fns in cases:
        t = {impl: best_time(fn, min_time) for impl, fn in fns.items()}
        line = f"{name:<34}{fmt(t['minpy']):>12}"
        for p in peers:
            if p in t:
                line += f"{fmt(t[p]):>12}{t[p] / t['minpy']:>7.2f}x"
            else:
                line += f"{'-':>12}{'-':>8}"
        print(line, flush=True)
        rows.append((name, t))
    return rows
