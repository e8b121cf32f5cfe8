import Foundation
import Testing
import Tensors
@testable import Analysis

@Suite struct NumericsTests {
    @Test func studentTTailMatchesScipy() throws {
        for c in try ReferenceData.load().tUpper {
            let p = Statistics.studentTUpperTail(c.t, degreesOfFreedom: c.df)
            #expect(abs(p - c.p) <= 1e-10 + 1e-8 * c.p, "t=\(c.t) df=\(c.df): \(p) vs \(c.p)")
        }
    }

    @Test func chiSquaredTailMatchesScipy() throws {
        for c in try ReferenceData.load().chi2Upper {
            let p = Statistics.chiSquaredUpperTail(c.x, degreesOfFreedom: c.df)
            #expect(abs(p - c.p) <= 1e-10 + 1e-8 * c.p, "x=\(c.x) df=\(c.df): \(p) vs \(c.p)")
        }
    }

    @Test func fisherCombinationIsChiSquaredOfLogs() {
        let p = [0.04, 0.2, 0.5]
        let statistic = p.reduce(0) { $0 - 2 * log($1) }
        #expect(Statistics.fisherCombined(p) == Statistics.chiSquaredUpperTail(statistic, degreesOfFreedom: 6))
        #expect(Statistics.fisherCombined([]) == 1)
        #expect(Statistics.fisherCombined([0]).isFinite)
    }

    @Test func quantilesMatchNumpy() throws {
        let q = try ReferenceData.load().quantiles
        for (level, expected) in zip(q.q, q.values) {
            #expect(abs(Statistics.quantile(q.data, level) - expected) < 1e-12)
        }
        #expect(Statistics.median([]) == 0 && Statistics.standardDeviation([3]) == 0)
    }

    @Test func harmonicAmplitudesMatchNumpyFFT() throws {
        let h = try ReferenceData.load().harmonics
        let harmonics = Harmonics(h.profile)
        #expect(harmonics.count == h.amplitudes.count)
        for k in 1..<h.amplitudes.count {
            #expect(abs(harmonics.amplitude(k) - h.amplitudes[k]) < 1e-12, "harmonic \(k)")
        }
    }

    @Test func maximumAngleOfAHarmonic() {
        let n = 72
        // cos(4(θ − 10°)) peaks at 10° (mod 90°).
        let profile = (0..<n).map { cos(4 * (2 * Double.pi * Double($0) / Double(n) - 10 * Double.pi / 180)) }
        #expect(abs(Harmonics(profile).maximumAngleDegrees(4) - 10) < 1e-9)
    }

    @Test func jacobiEigenpairsMatchNumpy() throws {
        let e = try ReferenceData.load().eigen
        let n = e.values.count
        let (values, vectors) = SymmetricEigen.jacobi(e.matrix.flatMap { $0 }, n: n)
        for k in 0..<n {
            #expect(abs(values[k] - e.values[k]) < 1e-10)
            let dot = zip(vectors[k], e.vectors[k]).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(abs(dot) - 1) < 1e-8, "eigenvector \(k) differs (|dot| = \(abs(dot)))")
        }
    }

    @Test func dominantEigenpairsByMagnitude() throws {
        let e = try ReferenceData.load().eigen
        let matrix = ReferenceData.matrix(e.matrix)
        let pairs = SymmetricEigen.dominant(matrix, count: 2, iterations: 200)
        let byMagnitude = e.values.indices.sorted { abs(e.values[$0]) > abs(e.values[$1]) }
        for (pair, index) in zip(pairs, byMagnitude) {
            #expect(abs(pair.value - e.values[index]) < 1e-4)
            let dot = zip(pair.vector, e.vectors[index]).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(abs(dot) - 1) < 1e-3)
        }
        let zero = SymmetricEigen.dominant(Matrix(rows: 5, columns: 5), count: 2)
        #expect(zero.count == 2 && zero.allSatisfy { $0.value == 0 && $0.vector.allSatisfy { $0 == 0 } })
    }

    @Test func seededRandomIsReproducible() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var d = SeededRandom(seed: 7)
        let uniforms = (0..<1000).map { _ in d.nextUnit() }
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(Statistics.mean(uniforms) - 0.5) < 0.05)
        let indices = (0..<1000).map { _ in d.nextIndex(below: 3) }
        #expect(Set(indices) == [0, 1, 2])
    }

    @Test func bootstrapIntervalIsDeterministicAndBracketsTheMean() {
        let values = (0..<30).map { Double($0 % 7) }
        let a = Bootstrap.percentileInterval(values, level: 0.95, resamples: 500, seed: 1) { Statistics.mean($0) }
        let b = Bootstrap.percentileInterval(values, level: 0.95, resamples: 500, seed: 1) { Statistics.mean($0) }
        #expect(a == b)
        #expect(a[0] < Statistics.mean(values) && Statistics.mean(values) < a[1])
    }
}
