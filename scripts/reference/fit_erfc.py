"""Fits the erfc approximation used by Tensors/Kernels/VectorMath.swift (exact GELU).

Form: erfc(z) ~= t * exp(-z*z + P(t)), t = 1 / (1 + z/2), z >= 0, P a polynomial in t.
The target log(erfc(z) / t) + z^2 is smooth in t on (0, 1]; a least-squares fit on Chebyshev nodes
over z in [0, 10] (t in [1/6, 1]) bounds the relative error of erfc, which is what GELU's negative
tail needs. Prints the monomial coefficients (highest degree first, for Horner evaluation) and the
worst relative error in double precision. Run: python3 scripts/reference/fit_erfc.py
"""
import math

import numpy as np

DEGREE = 9
T_LOW, T_HIGH = 1.0 / 6.0, 1.0


def target(t):
    z = 2.0 * (1.0 / t - 1.0)
    return math.log(math.erfc(z) / t) + z * z


def main():
    nodes = 4000
    k = np.arange(nodes)
    ts = (T_LOW + T_HIGH) / 2 + (T_HIGH - T_LOW) / 2 * np.cos(np.pi * (k + 0.5) / nodes)
    ys = np.array([target(t) for t in ts])
    cheb = np.polynomial.chebyshev.Chebyshev.fit(ts, ys, DEGREE, domain=[T_LOW, T_HIGH])
    mono = cheb.convert(kind=np.polynomial.Polynomial, domain=[-1, 1], window=[-1, 1]).coef
    coeffs = [float(np.float32(c)) for c in mono]
    worst = 0.0
    for z in np.linspace(0, 10, 200001):
        t = 1.0 / (1.0 + z / 2.0)
        p = 0.0
        for c in reversed(coeffs):
            p = p * t + c
        approx = t * math.exp(-z * z + p)
        worst = max(worst, abs(approx / math.erfc(z) - 1))
    print("coefficients, highest degree first:")
    for c in reversed(coeffs):
        print(f"  {c:.9e}")
    print(f"worst relative error of erfc over z in [0, 10] (float32 coefficients, double arithmetic): {worst:.3e}")


if __name__ == "__main__":
    main()
