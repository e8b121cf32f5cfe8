import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct FlipInvarianceTests {
    static func data(invariance: Double, seed: UInt64 = 1) throws -> (originals: Matrix, mirrors: Matrix, baseline: UnrelatedBaseline) {
        var flips = SyntheticFlips()
        flips.invariance = invariance
        flips.seed = seed
        let (originals, mirrors, unrelated) = flips.make()
        let baseline = try UnrelatedBaseline.estimate(embeddings: unrelated, sources: Array(0..<unrelated.rows))
        return (originals, mirrors, baseline)
    }

    @Test func invariantMirrorsAreDetectedWithAnInterval() throws {
        let (originals, mirrors, baseline) = try Self.data(invariance: 1)
        let result = try FlipInvarianceDetector.detect(originals: originals, horizontal: mirrors, vertical: nil, baseline: baseline)
        #expect(result.finding.detected)
        #expect(result.components.map(\.component) == ["horizontal"])
        let h = result.components[0]
        #expect(abs(h.score - 1) < 1e-6)
        #expect(abs(h.effect - baseline.normalize(1)) < 1e-6)
        let ci = try #require(h.ci)
        #expect(ci[0] <= h.effect + 1e-9 && h.effect <= ci[1] + 1e-9 && h.ciLevel == 0.95)
    }

    /// With the cone shared by all images, a content cosine ρ between a variant and its mirror
    /// gives a normalised mirror similarity close to ρ: invariance is declared from ρ ≈ 0.9 on.
    @Test func verdictFollowsTheInvarianceFloor() throws {
        for (rho, expected) in [(0.97, true), (0.8, false), (0.3, false), (-0.2, false)] {
            let (originals, mirrors, baseline) = try Self.data(invariance: rho, seed: 3)
            let result = try FlipInvarianceDetector.detect(originals: originals, horizontal: mirrors, vertical: nil, baseline: baseline)
            #expect(result.finding.detected == expected, "ρ = \(rho): effect \(result.finding.effect)")
        }
    }

    @Test func falseAlarmRateOverNonInvariantEncoders() throws {
        var detections = 0
        var random = SyntheticRandom(seed: 99)
        for trial in 0..<200 {
            let (originals, mirrors, baseline) = try Self.data(invariance: random.uniform(-0.3, 0.8), seed: UInt64(trial))
            if try FlipInvarianceDetector.detect(originals: originals, horizontal: mirrors, vertical: mirrors,
                                                 baseline: baseline).finding.detected {
                detections += 1
            }
        }
        print("flip_explicit non-invariant encoders: \(detections)/200 detected")
        #expect(Double(detections) / 200 <= FlipInvarianceDetector.Configuration().alpha)
    }

    @Test func mirrorEncoderIsInvariantHorizontallyButNotVertically() throws {
        let (originals, mirrors, baseline) = try Self.data(invariance: 0.2)
        let result = try FlipInvarianceDetector.detect(originals: originals, horizontal: originals, vertical: mirrors,
                                                       baseline: baseline)
        #expect(result.components.map(\.detected) == [true, false])
        #expect(result.finding.detected && result.finding.statistic.hasSuffix("driven by horizontal"))
        #expect(result.finding.thresholds.comparisons == 2 && result.components[0].thresholds.alpha == 0.005)
        #expect(result.axes.map(\.axis) == ["horizontal", "vertical"])
    }

    @Test func withoutABaselineThereIsNoVerdict() throws {
        let (originals, _, _) = try Self.data(invariance: 1)
        let result = try FlipInvarianceDetector.detect(originals: originals, horizontal: originals, vertical: nil,
                                                       baseline: .uncalibrated)
        #expect(!result.finding.detected && result.components[0].pValue == nil)
        #expect(result.components[0].warnings.contains { $0.code == "no-baseline-spread" })
    }

    @Test func zeroNormVariantsFollowTheDefinedRule() throws {
        let zeros = Matrix(rows: 2, columns: 3)
        let result = try FlipInvarianceDetector.detect(originals: zeros, horizontal: zeros,
                                                       vertical: Matrix(stacking: [[1, 0, 0], [0, 1, 0]]),
                                                       baseline: .uncalibrated)
        #expect(result.axes[0].similarities == [1, 1] && result.axes[1].similarities == [0, 0])
    }

    @Test func badShapesAreRejected() {
        #expect(throws: AnalysisError.self) {
            try FlipInvarianceDetector.detect(originals: Matrix(rows: 2, columns: 3), horizontal: nil, vertical: nil, baseline: .uncalibrated)
        }
        #expect(throws: AnalysisError.self) {
            try FlipInvarianceDetector.detect(originals: Matrix(rows: 2, columns: 3), horizontal: Matrix(rows: 3, columns: 3),
                                              vertical: nil, baseline: .uncalibrated)
        }
    }
}
