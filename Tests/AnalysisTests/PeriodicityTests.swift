import Foundation
import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

/// The largest count k with P(Binomial(n, p) ≥ k) > tail: a count above it is evidence (at that
/// tail probability) that the true rate exceeds p.
func binomialUpperCount(trials n: Int, rate p: Double, tail: Double = 0.01) -> Int {
    var cumulative = 0.0
    var logChoose = 0.0
    for k in 0...n {
        if k > 0 { logChoose += log(Double(n - k + 1)) - log(Double(k)) }
        cumulative += exp(logChoose + Double(k) * log(p) + Double(n - k) * log(1 - p))
        if 1 - cumulative < tail { return k }
    }
    return n
}

@Suite struct PeriodicityTests {
    static let baseline = UnrelatedBaseline(mean: 0.3, standardDeviation: 0.05, pairCount: 100, sourceCount: 8)

    static func run(_ sweep: SyntheticRotation, baseline: UnrelatedBaseline = baseline) throws -> PeriodicityResult {
        let axis = try RotationSweep(anglesDegrees: sweep.anglesDegrees)
        return try PeriodicityDetector.detect(similarities: sweep.similarities(), sweep: axis, baseline: baseline)
    }

    @Test func falseAlarmRateOnRealisticNullsStaysUnderAlpha() throws {
        var detections = 0, significant = [0, 0]
        let trials = 240
        for trial in 0..<trials {
            let result = try Self.run(SyntheticRotation.randomNull(seed: UInt64(trial)))
            if result.finding.detected { detections += 1 }
            for c in 0..<2 where (result.components[c].pValue ?? 1) <= result.components[c].thresholds.alpha { significant[c] += 1 }
        }
        let alpha = PeriodicityDetector.Configuration().alpha
        print("periodicity_90 nulls: \(detections)/\(trials) detected; significant without floor: difference \(significant[0]), angle \(significant[1]) (nominal \(alpha / 2) each)")
        #expect(Double(detections) / Double(trials) <= alpha)
        let limit = binomialUpperCount(trials: trials, rate: alpha / 2)
        #expect(significant.allSatisfy { $0 <= limit }, "p-values too small too often under the null")
    }

    /// Stated strength: a four-fold component of squared weight ≥ 0.3 relative to the unit-weight
    /// rotation path (difference form, or the product form of the black corners), with per-angle
    /// structure of strength ≤ 0.5, decay widths 10°–45°, noise up to 0.5 and any cone, is found.
    @Test(arguments: ["product", "difference"])
    func plantedFourFoldAboveStatedStrengthIsFound(form: String) throws {
        var found = 0, total = 0
        for width in [10.0, 25.0, 45.0] {
            for noise in [0.0, 0.1, 0.5] {
                for cone in [0.2, 1.5] {
                    var sweep = SyntheticRotation()
                    sweep.decayWidthDegrees = width
                    sweep.noise = noise
                    sweep.cone = cone
                    sweep.perAngle = .typicality(strength: 0.5, centerDegrees: 20, width: 0.8)
                    sweep.seed = UInt64(total)
                    if form == "product" { sweep.fourFoldProduct = 0.3 } else { sweep.fourFoldDifference = 0.3 }
                    let result = try Self.run(sweep)
                    total += 1
                    if result.finding.detected { found += 1 }
                    let expected = form == "product" ? "angle_profile" : "difference_profile"
                    #expect(result.components.first { $0.component == expected }?.detected == true,
                            "\(form) width \(width) noise \(noise) cone \(cone) not found in \(expected)")
                }
            }
        }
        #expect(found == total)
    }

    @Test func detectionRateGrowsWithStrengthAndVanishesBelowTheFloor() throws {
        var rates: [Double] = []
        for strength in [0.001, 0.01, 0.05, 0.3] {
            var found = 0
            for trial in 0..<12 {
                var sweep = SyntheticRotation.randomNull(seed: UInt64(500 + trial))
                sweep.count = 100
                sweep.fourFoldProduct = strength
                if try Self.run(sweep).finding.detected { found += 1 }
            }
            rates.append(Double(found) / 12)
        }
        print("periodicity_90 detection rate by planted product weight [0.001, 0.01, 0.05, 0.3]: \(rates)")
        #expect(rates[0] == 0)
        #expect(rates == rates.sorted())
        #expect(rates[3] >= 0.8)
    }

    @Test func exactlyPeriodicButNegligibleIsSignificantYetNotDetected() throws {
        let n = 64
        var s = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n {
                let d = 2 * Double.pi * Double(j - i) / Double(n)
                let decay = exp((cos(d) - 1) / 0.02)
                s[i, j] = Float(0.8 + 0.2 * decay + 2e-3 * cos(4 * d))
            }
        }
        let axis = try RotationSweep(anglesDegrees: (0..<n).map { 360 * Double($0) / Double(n) })
        let result = try PeriodicityDetector.detect(similarities: s, sweep: axis, baseline: .uncalibrated)
        let difference = try #require(result.components.first { $0.component == "difference_profile" })
        #expect((difference.pValue ?? 1) < 1e-3)
        #expect(difference.effect < PeriodicityDetector.Configuration().effectFloor)
        #expect(!result.finding.detected)
        #expect(result.finding.warnings.contains { $0.code == "no-baseline" })
    }

    @Test func constantMatrixGivesNoEvidenceAndNoNaN() throws {
        let n = 40
        let axis = try RotationSweep(anglesDegrees: (0..<n).map { 9 * Double($0) })
        let result = try PeriodicityDetector.detect(similarities: Matrix(rows: n, columns: n, repeating: 1), sweep: axis,
                                                    baseline: Self.baseline)
        #expect(result.allFindings.allSatisfy { $0.pValue == 1 && !$0.detected && $0.score.isFinite })
        #expect(result.angleProfiles.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    @Test func differenceFormHasLocalMaximaAtMultiplesOf90() throws {
        var sweep = SyntheticRotation()
        sweep.decayWidthDegrees = 15
        sweep.fourFoldDifference = 0.5
        let result = try Self.run(sweep)
        #expect(result.peaks.map(\.targetDegrees) == [90, 180, 270])
        #expect(result.peaks.allSatisfy { $0.isLocalMaximum && $0.prominence > 0 })
        #expect(result.finding.detected)
    }

    @Test func fourFoldTestMatchesTheReferenceImplementation() throws {
        for c in try ReferenceData.load().fourfold {
            let test = FourFoldTest(profile: c.profile)
            #expect(abs(test.excess - c.excess) < 1e-12)
            #expect(abs(test.envelope - c.envelope) < 1e-12)
            #expect(abs(test.irregularity - c.irregularity) < 1e-9)
            #expect(abs(test.noise - c.noise) < 1e-12)
            #expect(test.references == c.references)
            #expect(abs(test.pValue - c.p) < 1e-9 + 1e-6 * c.p)
        }
    }

    @Test func variantOrderDoesNotMatter() throws {
        var sweep = SyntheticRotation()
        sweep.count = 48
        sweep.fourFoldProduct = 0.3
        sweep.noise = 0.1
        let canonical = try Self.run(sweep)
        // Present the variants in a shuffled order with angles in −180…180.
        let order = (0..<48).map { ($0 * 7) % 48 }
        let s = sweep.similarities()
        var shuffled = Matrix(rows: 48, columns: 48)
        for i in 0..<48 { for j in 0..<48 { shuffled[i, j] = s[order[i], order[j]] } }
        let angles = order.map { Double($0) * 7.5 > 180 ? Double($0) * 7.5 - 360 : Double($0) * 7.5 }
        let result = try PeriodicityDetector.detect(similarities: shuffled, sweep: RotationSweep(anglesDegrees: angles),
                                                    baseline: Self.baseline)
        #expect(result.finding == canonical.finding)
        #expect(result.differenceProfile == canonical.differenceProfile)
    }

    @Test func badInputIsRejectedWithAnError() throws {
        let axis = try RotationSweep(anglesDegrees: (0..<40).map { 9 * Double($0) })
        #expect(throws: AnalysisError.self) {
            try PeriodicityDetector.detect(similarities: Matrix(rows: 39, columns: 39), sweep: axis, baseline: Self.baseline)
        }
        var nan = Matrix(rows: 40, columns: 40, repeating: 0.5)
        nan[3, 4] = .nan
        #expect(throws: AnalysisError.self) {
            try PeriodicityDetector.detect(similarities: nan, sweep: axis, baseline: Self.baseline)
        }
    }
}

@Suite struct RotationSweepTests {
    @Test func acceptsAnyOrderAndRepresentation() throws {
        let sweep = try RotationSweep(anglesDegrees: (0..<36).map { Double($0) * 10 - 180 })
        #expect(sweep.canonicalIndex.first == 18 && sweep.canonicalIndex[18] == 0)
        #expect(sweep.stepDegrees == 10)
    }

    @Test func rejectsOffGridRepeatedAndShortSweeps() {
        #expect(throws: AnalysisError.self) { try RotationSweep(anglesDegrees: (0..<36).map { Double($0) * 9.9 }) }
        #expect(throws: AnalysisError.self) { try RotationSweep(anglesDegrees: [0] + (1..<36).map { Double($0) * 10 }.dropLast() + [0]) }
        #expect(throws: AnalysisError.self) { try RotationSweep(anglesDegrees: (0..<8).map { Double($0) * 45 }) }
        #expect(throws: AnalysisError.self) { try RotationSweep(anglesDegrees: (0..<5000).map { Double($0) * 360 / 5000 }) }
        #expect(throws: AnalysisError.self) { try RotationSweep(anglesDegrees: [Double.nan] + (1..<36).map { Double($0) * 10 }) }
        do {
            _ = try RotationSweep(anglesDegrees: (0..<36).map { $0 == 5 ? 51 : Double($0) * 10 })
            Issue.record("expected an error")
        } catch {
            #expect(error.location == "angles[5]" && error.code == .invalidInput)
        }
    }
}
