import Foundation
import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct FindingOutputTests {
    static func encoded<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    @Test func findingsUseTheSummaryFieldNames() throws {
        let finding = Finding(detector: .collapseThreshold, detected: true, score: 0.5, effect: 0.5, pValue: 0.01,
                              ci: [0.2, 0.3], ciLevel: 0.95, value: 0.25, unit: "sigma", statistic: "s",
                              thresholds: Thresholds(alpha: 0.05, effectFloor: 0.2, pValueResolution: 0.04),
                              nullModel: "n", baseline: 0.3).labelled(image: "a.png", model: "pixels", preset: "noise-100")
        let object = try #require(JSONSerialization.jsonObject(with: Self.encoded(finding)) as? [String: Any])
        for key in ["detector", "detected", "score", "effect", "p_value", "ci", "value", "unit", "null_model",
                    "thresholds", "image", "model", "preset", "baseline", "warnings"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["detector"] as? String == "collapse_threshold")
        let thresholds = try #require(object["thresholds"] as? [String: Any])
        #expect(thresholds["effect_floor"] as? Double == 0.2 && thresholds["p_value_resolution"] as? Double == 0.04)
        let text = String(decoding: try Self.encoded(finding), as: UTF8.self)
        let keys = ["\"baseline\"", "\"ci\"", "\"ci_level\"", "\"detected\"", "\"detector\""].map { text.range(of: $0)!.lowerBound }
        #expect(keys == keys.sorted())
        #expect(try JSONDecoder().decode(Finding.self, from: Self.encoded(finding)) == finding)
    }

    @Test func sameInputGivesByteIdenticalOutput() throws {
        var sweep = SyntheticRotation()
        sweep.fourFoldProduct = 0.2
        sweep.noise = 0.1
        sweep.mirror = 0.3
        let baseline = UnrelatedBaseline(mean: 0.3, standardDeviation: 0.05, pairCount: 40, sourceCount: 5)
        func run() throws -> Data {
            let axis = try RotationSweep(anglesDegrees: sweep.anglesDegrees)
            let s = sweep.similarities()
            let p = try PeriodicityDetector.detect(similarities: s, sweep: axis, baseline: baseline)
            let a = try AntidiagonalDetector.detect(similarities: s, sweep: axis, baseline: baseline)
            let c = try CollapseDetector.detect(images: [CollapseTests.sweep(SyntheticCollapse())], unit: "sigma", baseline: baseline)
            return try Self.encoded([Self.encoded(p), Self.encoded(a), Self.encoded(c)])
        }
        #expect(try run() == run())
    }

    /// Degenerate input everywhere: all-zero embeddings (the centred pixels of a flat image),
    /// a constant matrix, a NaN embedding. Nothing is NaN (JSONEncoder refuses NaN), warnings say why.
    @Test func degenerateInputNeverProducesNaN() throws {
        let n = 40
        let zeros = Matrix(rows: n, columns: 16)
        let similarity = Similarity.cosineMatrix(zeros)
        let axis = try RotationSweep(anglesDegrees: (0..<n).map { 9 * Double($0) })
        let baseline = try UnrelatedBaseline.estimate(embeddings: zeros, sources: (0..<n).map { $0 % 4 })
        let periodicity = try PeriodicityDetector.detect(similarities: similarity.matrix, sweep: axis, baseline: baseline)
        let antidiagonal = try AntidiagonalDetector.detect(similarities: similarity.matrix, sweep: axis, baseline: baseline)
        let flips = try FlipInvarianceDetector.detect(originals: zeros, horizontal: zeros, vertical: nil, baseline: baseline)
        let collapse = try CollapseDetector.detect(
            images: [CollapseSweep.fromEmbeddings(variants: zeros, clean: Matrix(rows: 1, columns: 16),
                                                  levels: (0..<n).map { Double($0 / 4) }, seeds: (0..<n).map { $0 % 4 })],
            unit: "sigma", baseline: baseline)
        var nanText = Matrix(rows: 3, columns: 16, repeating: 1)
        nanText[1, 2] = .nan
        let crossmodal = try CrossModalReadout.evaluate(images: zeros, caption: Matrix(rows: 1, columns: 16, repeating: 1),
                                                        distractors: nanText, levels: (0..<n).map(Double.init), unit: "sigma")
        _ = try Self.encoded(periodicity)
        _ = try Self.encoded(antidiagonal)
        _ = try Self.encoded(flips)
        _ = try Self.encoded(collapse)
        _ = try Self.encoded(crossmodal)
        _ = try Self.encoded(ComparisonTable(findings: periodicity.allFindings + flips.allFindings))
        #expect(similarity.warnings.contains { $0.code == "zero-norm-embedding" })
        #expect(crossmodal.finding.warnings.contains { $0.code == "non-finite-embedding" })
        #expect(!periodicity.finding.detected && !antidiagonal.finding.detected)
    }
}
