"""Polynomial coefficients for engine/src/backend/cpu/vector_math.h (Chebyshev fits, near-minimax).

Each reduced function is fitted as a polynomial in z on the reduced interval with mpmath.chebyfit
at 60 digits; the printed doubles are pasted into vector_math.h. `D` sets target float64 results,
`F` target float32 results (evaluated in
double, or in float where the kernel has a float path: `F32`). Run: python tools/gen_vmath_coeffs.py
"""
import mpmath as mp

mp.mp.dps = 60


def fit(name, f, a, b, deg):
    coeffs = mp.chebyfit(f, [a, b], deg + 1)
    # The fit's maximum error on a dense grid (mpmath's own estimate is unreliable at a removable
    # singularity of f).
    err = max(abs(mp.polyval(coeffs, a + (b - a) * i / 400) - f(a + (b - a) * i / 400)) for i in range(401))
    body = ", ".join(mp.nstr(c, 21, min_fixed=-1, max_fixed=-1).replace("e", "e") for c in coeffs)
    print(f"// {name}: degree {deg} on [{mp.nstr(a, 6)}, {mp.nstr(b, 6)}], max abs error {mp.nstr(err, 3)}")
    print(f"inline constexpr double {name}[] = {{{body}}};")


ln2 = mp.log(2)
# exp/expm1: e^r = 1 + r + r^2 q(r), |r| <= ln2/2 (+ a little slack for the rounded reduction).
h = ln2 / 2 * mp.mpf("1.0001")
q = lambda r: (mp.exp(r) - 1 - r) / r**2 if r != 0 else mp.mpf(1) / 2
fit("kExpQ_D", q, -h, h, 10)
fit("kExpQ_F", q, -h, h, 4)
# exp2: 2^r = 1 + r p(r), |r| <= 1/2.
p2 = lambda r: (mp.power(2, r) - 1) / r if r != 0 else ln2
fit("kExp2P_D", p2, -mp.mpf(0.5), mp.mpf(0.5), 11)
fit("kExp2P_F", p2, -mp.mpf(0.5), mp.mpf(0.5), 5)
# log: log(m) = 2s + s z R(z), s = (m-1)/(m+1), z = s^2 <= ((sqrt2-1)/(sqrt2+1))^2.
zmax = ((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) ** 2 * mp.mpf("1.001")
R = lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / (mp.sqrt(z) * z) if z != 0 else mp.mpf(2) / 3
fit("kLogR_D", R, 0, zmax, 8)
fit("kLogR_F", R, 0, zmax, 3)
# sin/cos on |r| <= pi/4: sin r = r + r z S(z), cos r = 1 + z C(z), z = r^2.
zs = (mp.pi / 4) ** 2 * mp.mpf("1.001")
S = lambda z: (mp.sin(mp.sqrt(z)) / mp.sqrt(z) - 1) / z if z != 0 else -mp.mpf(1) / 6
C = lambda z: (mp.cos(mp.sqrt(z)) - 1) / z if z != 0 else -mp.mpf(1) / 2
fit("kSinS_D", S, 0, zs, 6)
fit("kCosC_D", C, 0, zs, 7)
fit("kSinS_F", S, 0, zs, 3)
fit("kCosC_F", C, 0, zs, 4)
# atan on |t| <= tan(pi/8): atan t = t + t z A(z).
za = mp.tan(mp.pi / 8) ** 2 * mp.mpf("1.001")
A = lambda z: (mp.atan(mp.sqrt(z)) / mp.sqrt(z) - 1) / z if z != 0 else -mp.mpf(1) / 3
fit("kAtanA_D", A, 0, za, 11)
fit("kAtanA_F", A, 0, za, 5)
# float32 arithmetic (the evalf kernels): cos r = 1 - z/2 + z^2 C2(z) (1 - z/2 kept in two pieces),
# sinh a = a + a z Sh(z) for |a| < 1, atan t = t + t z A(z) on |t| <= 1 (t = min/max, one exact-input
# division, so no third reduction interval).
C2 = lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2 if z != 0 else mp.mpf(1) / 24
fit("kCosC2_F32", C2, 0, (mp.pi / 4) ** 2 * mp.mpf("1.01"), 2)
Sh = lambda z: (mp.sinh(mp.sqrt(z)) / mp.sqrt(z) - 1) / z if z != 0 else mp.mpf(1) / 6
fit("kSinhS_F32", Sh, 0, mp.mpf("1.0001"), 3)
fit("kAtanA_F32", A, 0, mp.mpf(1), 9)
# float32 log2/log10/log1p without a division: ln(1+f) = f + f^2 Q(f), f = m - 1 on
# [sqrt(1/2) - 1, sqrt(2) - 1] (+ slack); the log2/log10 variants are Q / ln 2 and Q / ln 10.
fa, fb = mp.sqrt(0.5) * mp.mpf("0.9999") - 1, mp.sqrt(2) * mp.mpf("1.0001") - 1
Q = lambda f: (mp.log1p(f) - f) / f**2 if f != 0 else -mp.mpf(1) / 2
fit("kLog1pQ_F32", Q, fa, fb, 8)
fit("kLog2Q_F32", lambda f: Q(f) / ln2, fa, fb, 8)
fit("kLog10Q_F32", lambda f: Q(f) / mp.log(10), fa, fb, 8)
