import Foundation

/// Descriptive statistics and the few distribution functions the detectors need (Double precision).
public enum Statistics {
    /// Arithmetic mean; 0 for an empty list.
    public static func mean(_ x: [Double]) -> Double {
        x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count)
    }

    /// Sample standard deviation (n − 1 denominator); 0 for fewer than two values.
    public static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        let ss = x.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (ss / Double(x.count - 1)).squareRoot()
    }

    /// The median; 0 for an empty list.
    public static func median(_ x: [Double]) -> Double {
        quantile(x, 0.5)
    }

    /// The `q`-quantile with linear interpolation between order statistics (numpy's default,
    /// "type 7"); `q` is clamped to [0, 1]; 0 for an empty list.
    public static func quantile(_ x: [Double], _ q: Double) -> Double {
        guard !x.isEmpty else { return 0 }
        let sorted = x.sorted()
        return quantile(sorted: sorted, q)
    }

    /// `quantile` on an already ascending list.
    static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = min(1, max(0, q)) * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// P(T ≥ t) for Student's t with `degreesOfFreedom` > 0 (upper tail); 0.5 at t = 0.
    public static func studentTUpperTail(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0 else { return 1 }
        if t.isNaN { return 1 }
        if t == .infinity { return 0 }
        if t == -.infinity { return 1 }
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// P(X ≥ x) for a chi-squared variable with `degreesOfFreedom` > 0.
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom k: Double) -> Double {
        guard k > 0, x.isFinite else { return x == .infinity ? 0 : 1 }
        if x <= 0 { return 1 }
        return regularizedUpperGamma(a: k / 2, x: x / 2)
    }

    /// Fisher's method: the combined p-value of independent one-sided p-values (−2 Σ ln p ~ χ²₂ₖ).
    ///
    /// p-values are clamped to [1e-300, 1]; an empty list gives 1.
    public static func fisherCombined(_ pValues: [Double]) -> Double {
        guard !pValues.isEmpty else { return 1 }
        let statistic = pValues.reduce(0) { $0 - 2 * log(min(1, max(1e-300, $1))) }
        return chiSquaredUpperTail(statistic, degreesOfFreedom: Double(2 * pValues.count))
    }

    /// The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logBeta + logPowers
        let front = exp(logFront)
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    /// Lentz's method for the incomplete beta continued fraction.
    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let md = Double(m)
            let m2 = 2 * md
            var aa = md * (b - md) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + md) * (qab + md) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// The regularised upper incomplete gamma function Q(a, x) for a > 0, x ≥ 0.
    static func regularizedUpperGamma(a: Double, x: Double) -> Double {
        if x <= 0 { return 1 }
        let logPower: Double = a * log(x)
        let logFront: Double = logPower - x - lgamma(a)
        if x < a + 1 {
            // Series for P(a, x), then Q = 1 − P.
            var sum = 1 / a
            var term = sum
            var ap = a
            for _ in 0..<1000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return max(0, 1 - sum * exp(logFront))
        }
        // Continued fraction for Q(a, x) (Lentz).
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...1000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(logFront) * h)
    }
}

/// Seeded percentile bootstrap.
enum Bootstrap {
    /// The central `level` percentile interval of `statistic` over `resamples` resamples (with
    /// replacement) of `values`, using a generator seeded with `seed`.
    static func percentileInterval(_ values: [Double], level: Double, resamples: Int, seed: UInt64,
                                   statistic: ([Double]) -> Double) -> [Double] {
        guard !values.isEmpty else { return [0, 0] }
        var random = SeededRandom(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(max(1, resamples))
        var sample = [Double](repeating: 0, count: values.count)
        for _ in 0..<max(1, resamples) {
            for k in 0..<values.count { sample[k] = values[random.nextIndex(below: values.count)] }
            estimates.append(statistic(sample))
        }
        estimates.sort()
        let tail = (1 - level) / 2
        return [Statistics.quantile(sorted: estimates, tail), Statistics.quantile(sorted: estimates, 1 - tail)]
    }
}
