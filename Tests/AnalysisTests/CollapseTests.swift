import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct CollapseTests {
    static let baseline = UnrelatedBaseline(mean: 0.3, standardDeviation: 0.05, pairCount: 100, sourceCount: 8)

    static func sweep(_ generator: SyntheticCollapse, name: String? = nil) throws -> CollapseSweep {
        let s = generator.sweep()
        return try CollapseSweep.fromEmbeddings(name: name, variants: s.variants, clean: s.clean, levels: s.levels, seeds: s.seeds)
    }

    /// Stated strength: a collapse pull of weight ≥ 0.5 towards a common state, at noise up to
    /// 0.3, is found, and the threshold lies within two level steps of the planted midpoint.
    @Test func plantedCollapseIsFoundAtItsLevel() throws {
        for strength in [0.5, 1.0] {
            for noise in [0.02, 0.3] {
                var generator = SyntheticCollapse()
                generator.strength = strength
                generator.noise = noise
                generator.collapseLevel = 0.4
                let result = try CollapseDetector.detect(images: [Self.sweep(generator)], unit: "sigma", baseline: Self.baseline)
                let f = result.finding
                #expect(f.detected, "strength \(strength) noise \(noise): effect \(f.effect) p \(f.pValue ?? -1)")
                let value = try #require(f.value)
                if strength == 1 { #expect(abs(value - 0.4) <= 2.0 / 99, "threshold \(value)") }
                let ci = try #require(f.ci)
                #expect(ci[0] <= value && value <= ci[1] && f.unit == "sigma")
                #expect(result.components.isEmpty && result.perImage.count == 1)
            }
        }
    }

    @Test func weakPullAmongWanderingVariantsIsNotCalledACollapse() throws {
        var generator = SyntheticCollapse()
        generator.strength = 0.1
        generator.wander = 1
        let result = try CollapseDetector.detect(images: [Self.sweep(generator)], unit: "sigma", baseline: Self.baseline)
        #expect(!result.finding.detected && result.finding.effect < CollapseDetector.Configuration().gapFloor)
    }

    @Test func falseAlarmRateOnNullsStaysUnderAlpha() throws {
        var detections = 0
        var random = SyntheticRandom(seed: 5)
        let trials = 200
        for trial in 0..<trials {
            var generator = SyntheticCollapse()
            generator.levels = (0..<40).map { Double($0) / 39 }
            generator.seeds = 2
            generator.seed = UInt64(trial)
            generator.strength = 0
            generator.cone = random.uniform(0, 2)
            switch trial % 3 {
            case 0:  // a pixel encoder under noise: the variants wander off, away from each other
                generator.fade = 1; generator.wander = random.uniform(0.5, 3); generator.noise = random.uniform(0, 0.2)
            case 1:  // a robust encoder: nothing changes but noise
                generator.fade = 0; generator.noise = random.uniform(0.01, 0.5)
            default:  // the content fades into isotropic noise
                generator.fade = random.uniform(0.3, 1); generator.noise = random.uniform(0.2, 1.5)
            }
            if try CollapseDetector.detect(images: [Self.sweep(generator)], unit: "sigma", baseline: Self.baseline).finding.detected {
                detections += 1
            }
        }
        print("collapse_threshold nulls: \(detections)/\(trials) detected")
        #expect(Double(detections) / Double(trials) <= CollapseDetector.Configuration().alpha)
    }

    @Test func severalImagesArePooledWithAnIntervalOverImages() throws {
        var sweeps: [CollapseSweep] = []
        for (index, level) in [0.3, 0.4, 0.5].enumerated() {
            var generator = SyntheticCollapse()
            generator.collapseLevel = level
            generator.seed = UInt64(index + 10)
            sweeps.append(try Self.sweep(generator, name: "image\(index).png"))
        }
        let result = try CollapseDetector.detect(images: sweeps, unit: "sigma", baseline: Self.baseline)
        #expect(result.components.map(\.image) == ["image0.png", "image1.png", "image2.png"])
        #expect(result.components.allSatisfy { $0.detected && $0.component == "per_image" })
        let value = try #require(result.finding.value)
        let ci = try #require(result.finding.ci)
        #expect(result.finding.detected && abs(value - 0.4) < 0.05)
        #expect(ci[0] < 0.4 && 0.4 < ci[1] && ci[0] >= 0.25 && ci[1] <= 0.55)
        #expect(result.pooledCurve.levels.count == 100)
    }

    @Test func singleSeedHasNoIntervalAndSaysSo() throws {
        var generator = SyntheticCollapse()
        generator.seeds = 1
        let result = try CollapseDetector.detect(images: [Self.sweep(generator)], unit: "px", baseline: Self.baseline)
        #expect(result.finding.ci == nil && result.finding.warnings.contains { $0.code == "single-seed" })
        #expect(result.finding.detected)
    }

    @Test func curvesDescribeTheSweep() throws {
        let result = try CollapseDetector.detect(images: [Self.sweep(SyntheticCollapse())], unit: "sigma", baseline: Self.baseline)
        let curve = result.perImage[0].curve
        #expect(curve.levels.count == 100 && curve.similarityToClean.count == 100)
        #expect(curve.similarityToClean.first! > curve.similarityToClean.last!)
        #expect(curve.collapseIndex.first! < 0 && curve.collapseIndex.last! > 0)
        for k in 0..<100 {
            #expect(abs(curve.similarityToCleanNormalized[k] - Self.baseline.normalize(curve.similarityToClean[k])) < 1e-9)
        }
        #expect(result.perImage[0].blockCoherence > result.perImage[0].blockToClean)
    }

    @Test func crossingInterpolatesBetweenLevels() {
        #expect(CollapseDetector.crossing([-1, -0.5, 0.5, 1], levels: [0, 1, 2, 3]) == 1.5)
        #expect(CollapseDetector.crossing([1, 1], levels: [0, 1]) == 0)
        #expect(CollapseDetector.crossing([1, -1], levels: [0, 1]) == nil)
    }

    @Test func badSweepsAreRejected() throws {
        #expect(throws: AnalysisError.self) {
            try CollapseSweep(levels: [0, 1, 2], seeds: [0, 0, 0], similarities: Matrix(rows: 3, columns: 3),
                              similarityToClean: [1, 1, 1])
        }
        #expect(throws: AnalysisError.self) {
            try CollapseSweep(levels: [0, 1, 2, 3], seeds: [0, 0, 0], similarities: Matrix(rows: 4, columns: 4),
                              similarityToClean: [1, 1, 1, 1])
        }
        var other = SyntheticCollapse()
        other.levels = (0..<50).map { Double($0) / 49 }
        #expect(throws: AnalysisError.self) {
            try CollapseDetector.detect(images: [Self.sweep(SyntheticCollapse()), Self.sweep(other)], unit: "sigma",
                                        baseline: Self.baseline)
        }
        #expect(throws: AnalysisError.self) { try CollapseDetector.detect(images: [], unit: "sigma", baseline: Self.baseline) }
    }
}
