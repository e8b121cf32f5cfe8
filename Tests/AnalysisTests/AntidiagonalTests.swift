import Foundation
import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct AntidiagonalTests {
    static let baseline = UnrelatedBaseline(mean: 0.3, standardDeviation: 0.05, pairCount: 100, sourceCount: 8)

    static func run(_ sweep: SyntheticRotation, shiftSteps: Int = 0) throws -> AntidiagonalResult {
        // With shiftSteps = N/4 the variant built for angle θ is presented as θ + 90°, which moves
        // the mirror axis θi + θj ≡ 0° to ≡ 180°.
        let angles = sweep.anglesDegrees.map { ($0 + Double(shiftSteps) * 360 / Double(sweep.count)).truncatingRemainder(dividingBy: 360) }
        return try AntidiagonalDetector.detect(similarities: sweep.similarities(), sweep: RotationSweep(anglesDegrees: angles),
                                               baseline: baseline)
    }

    @Test func falseAlarmRateOnRealisticNullsStaysUnderAlpha() throws {
        var detections = 0, significant = 0
        let trials = 240
        for trial in 0..<trials {
            let result = try Self.run(SyntheticRotation.randomNull(seed: UInt64(10_000 + trial)))
            if result.finding.detected { detections += 1 }
            if (result.finding.pValue ?? 1) <= AntidiagonalDetector.Configuration().alpha { significant += 1 }
        }
        let alpha = AntidiagonalDetector.Configuration().alpha
        print("antidiagonal nulls: \(detections)/\(trials) detected; significant without floor \(significant) (nominal \(alpha))")
        #expect(Double(detections) / Double(trials) <= alpha)
        #expect(significant <= binomialUpperCount(trials: trials, rate: alpha))
    }

    /// Stated strength: a mirror fraction μ ≥ 0.5 (the ±θ variants share at least a third of
    /// the rotation path's energy) is found on its axis for decay widths 10°–45°, noise ≤ 0.2.
    @Test(arguments: [0, 25])
    func plantedMirrorAboveStatedStrengthIsFoundOnItsAxis(shift: Int) throws {
        for width in [10.0, 25.0, 45.0] {
            for noise in [0.0, 0.2] {
                var sweep = SyntheticRotation()
                sweep.decayWidthDegrees = width
                sweep.noise = noise
                sweep.mirror = 0.5
                sweep.perAngle = .phase(strength: 0.3, amplitudes: [0.8, 0.4, 0.2], phases: [0.3, 1.9, 4.0])
                let result = try Self.run(sweep, shiftSteps: shift)
                let axis = shift == 0 ? "axis_0" : "axis_180"
                #expect(result.components.first { $0.component == axis }?.detected == true, "width \(width) noise \(noise)")
                #expect(result.finding.detected)
                let other = shift == 0 ? "axis_180" : "axis_0"
                #expect(result.components.first { $0.component == other }?.detected == false)
            }
        }
    }

    /// Random nulls with a growing mirror fraction, within the stated conditions: decay width
    /// ≤ 45° (a ridge as wide as the detrending flanks cannot be told from smooth per-angle
    /// structure), noise ≤ 0.2 and per-angle structure ≤ 0.5 (a stronger one draws ridges of its own).
    @Test func detectionRateGrowsWithMirrorStrength() throws {
        var rates: [Double] = []
        for mirror in [0.0, 0.05, 0.2, 0.6] {
            var found = 0
            for trial in 0..<12 {
                var sweep = SyntheticRotation.randomNull(seed: UInt64(700 + trial))
                sweep.count = 100
                sweep.decayWidthDegrees = min(sweep.decayWidthDegrees, 45)
                sweep.noise = min(sweep.noise, 0.2)
                if case let .phase(strength, amplitudes, phases) = sweep.perAngle {
                    sweep.perAngle = .phase(strength: min(strength, 0.5), amplitudes: amplitudes, phases: phases)
                }
                if case let .typicality(strength, center, width) = sweep.perAngle {
                    sweep.perAngle = .typicality(strength: min(strength, 0.5), centerDegrees: center, width: width)
                }
                sweep.mirror = mirror
                if try Self.run(sweep).finding.detected { found += 1 }
            }
            rates.append(Double(found) / 12)
        }
        print("antidiagonal detection rate by mirror fraction [0, 0.05, 0.2, 0.6]: \(rates)")
        #expect(rates == rates.sorted())
        #expect(rates[0] == 0 && rates[3] >= 0.8)
    }

    @Test func exactPartnerIsNMinusI() throws {
        let n = 60
        var s = Matrix(rows: n, columns: n, repeating: 0.4)
        for i in 0..<n {
            s[i, i] = 1
            s[i, (n - i) % n] = max(s[i, (n - i) % n], 0.9)
        }
        let result = try AntidiagonalDetector.detect(similarities: s, sweep: RotationSweep(anglesDegrees: (0..<n).map { 6 * Double($0) }),
                                                     baseline: .uncalibrated)
        #expect(result.components[0].detected && result.components[0].pValue == 1 / Double(n - 2))
        #expect(!result.components[1].detected)
        #expect(result.axisSumDegrees[0] == 0 && result.axisSumDegrees[n / 2] == 180)
    }

    @Test func axisProfileAndExcessMatchTheReferenceImplementation() throws {
        let a = try ReferenceData.load().axis
        let n = a.matrix.count
        let s = a.matrix.flatMap { $0 }
        let d = RotationProfiles.difference(s, n: n)
        let profile = AntidiagonalDetector.axisProfile(RotationProfiles.residual(s, difference: d, n: n), n: n)
        for k in 0..<n { #expect(abs(profile[k] - a.profile[k]) < 1e-12) }
        let excess = AntidiagonalDetector.detrended(profile, halfWidth: a.halfWidth, flank: a.flank)
        for k in 0..<n { #expect(abs(excess[k] - a.excess[k]) < 1e-10) }
    }

    @Test func coarseSweepsWarnThatTheNullCannotReachAlpha() throws {
        var sweep = SyntheticRotation()
        sweep.count = 32
        sweep.mirror = 1
        let result = try Self.run(sweep)
        #expect(result.finding.warnings.contains { $0.code == "coarse-null" })
        #expect(result.finding.thresholds.pValueResolution == 1.0 / 30)
        #expect(!result.finding.detected)
    }
}
