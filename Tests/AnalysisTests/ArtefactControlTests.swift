import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct ArtefactControlTests {
    static func component(_ name: String, detected: Bool, p: Double, alpha: Double = 0.005) -> Finding {
        Finding(detector: .periodicity90, component: name, detected: detected, score: 0.1, effect: detected ? 0.1 : 0.001,
                pValue: p, statistic: "test", thresholds: Thresholds(alpha: alpha, comparisons: 2, effectFloor: 0.01),
                nullModel: "test", baseline: 0)
    }

    static func headline(_ detected: Bool) -> Finding {
        Finding(detector: .periodicity90, detected: detected, score: 0.1, effect: 0.1, pValue: 0.001, statistic: "test",
                thresholds: Thresholds(alpha: 0.01, comparisons: 2, effectFloor: 0.01), nullModel: "test", baseline: 0)
    }

    @Test func maskShowingTheSameComponentMakesItTheGeometrys() {
        // The mask's effect is tiny (a flat image) but significant: the floor is not applied.
        let judged = ArtefactControl.judge(
            headline: Self.headline(true), components: [Self.component("angle_profile", detected: true, p: 1e-6)],
            mask: [Self.component("angle_profile", detected: false, p: 1e-4)], circular: nil)
        #expect(judged.components[0].control?.verdict == .maskShowsPattern)
        #expect(judged.headline.control?.verdict == .maskShowsPattern && judged.headline.control?.survives == false)
        #expect(judged.headline.control?.rule == ArtefactControl.rule)
    }

    @Test func insignificantMaskAndReproducedCircularSweepSurvive() {
        let judged = ArtefactControl.judge(
            headline: Self.headline(true), components: [Self.component("difference_profile", detected: true, p: 1e-6)],
            mask: [Self.component("difference_profile", detected: false, p: 0.2)],
            circular: Self.headline(true))
        #expect(judged.components[0].control?.verdict == .survives)
        #expect(judged.headline.control?.survives == true && judged.headline.control?.maskShowsPattern == false)
    }

    @Test func notReproducedWithoutCornersDoesNotSurvive() {
        let judged = ArtefactControl.judge(
            headline: Self.headline(true), components: [Self.component("angle_profile", detected: true, p: 1e-6)],
            mask: [Self.component("angle_profile", detected: false, p: 0.5)], circular: Self.headline(false))
        #expect(judged.headline.control?.verdict == .notReproducedWithCircularMask)
    }

    @Test func aGenuineComponentSurvivesBesideAnArtefactOne() {
        let judged = ArtefactControl.judge(
            headline: Self.headline(true),
            components: [Self.component("difference_profile", detected: true, p: 1e-6),
                         Self.component("angle_profile", detected: true, p: 1e-6)],
            mask: [Self.component("difference_profile", detected: false, p: 0.3),
                   Self.component("angle_profile", detected: true, p: 1e-5)], circular: nil)
        #expect(judged.components.map { $0.control?.verdict } == [.survives, .maskShowsPattern])
        #expect(judged.headline.control?.verdict == .survives)
    }

    @Test func undetectedFindingsAreNotApplicable() {
        let judged = ArtefactControl.judge(
            headline: Self.headline(false), components: [Self.component("angle_profile", detected: false, p: 0.4)],
            mask: [Self.component("angle_profile", detected: true, p: 1e-6)], circular: nil)
        #expect(judged.headline.control?.verdict == .notApplicable && judged.headline.control?.survives == true)
    }

    /// End to end on synthetic sweeps: black corners on an image's rotation, and the flat grey
    /// mask control (corners only, a near-constant "content").
    @Test func cornerLatticeIsAttributedToTheMaskAndAGenuineOneIsNot() throws {
        let baseline = UnrelatedBaseline(mean: 0.2, standardDeviation: 0.1, pairCount: 50, sourceCount: 6)
        func result(_ sweep: SyntheticRotation) throws -> PeriodicityResult {
            try PeriodicityDetector.detect(similarities: sweep.similarities(),
                                           sweep: RotationSweep(anglesDegrees: sweep.anglesDegrees), baseline: baseline)
        }
        var photo = SyntheticRotation()
        photo.decayWidthDegrees = 8
        photo.fourFoldProduct = 0.3
        photo.noise = 0.05
        var mask = SyntheticRotation()
        mask.decayWidthDegrees = 8
        mask.cone = 5          // a flat image: little content besides the corners
        mask.fourFoldProduct = 0.02
        mask.noise = 0.01
        var circular = photo
        circular.fourFoldProduct = 0
        let checked = ArtefactControl.apply(to: try result(photo), mask: try result(mask), circular: try result(circular))
        #expect(checked.finding.detected && checked.finding.control?.survives == false)

        var genuine = photo
        genuine.fourFoldProduct = 0
        genuine.fourFoldDifference = 0.3
        var quietMask = mask
        quietMask.fourFoldProduct = 0
        let kept = ArtefactControl.apply(to: try result(genuine), mask: try result(quietMask), circular: try result(genuine))
        #expect(kept.finding.detected && kept.finding.control?.verdict == .survives)
    }
}

@Suite struct ComparisonTests {
    static func finding(_ model: String, _ detector: DetectorKind, component: String? = nil, score: Double) -> Finding {
        Finding(detector: detector, component: component, detected: score > 0.5, score: score, effect: score, pValue: 0.01,
                value: 3, unit: "sigma", statistic: "s", thresholds: Thresholds(alpha: 0.05, effectFloor: 0.2),
                nullModel: "n", baseline: 0.3, image: "cat.png", model: model, preset: "noise-100")
    }

    @Test func everyScoreSideBySide() {
        let findings = [Self.finding("vit", .collapseThreshold, score: 0.7), Self.finding("rn50", .collapseThreshold, score: 0.4),
                        Self.finding("rn50", .periodicity90, score: 0.9),
                        Self.finding("rn50", .periodicity90, component: "angle_profile", score: 0.8)]
        let table = ComparisonTable(findings: findings)
        #expect(table.models == ["rn50", "vit"])
        #expect(table.rows.map(\.detector) == [.collapseThreshold, .periodicity90, .periodicity90])
        #expect(table.rows.map(\.component) == [nil, nil, "angle_profile"])
        #expect(table.rows[0].cells.map { $0?.score } == [0.4, 0.7])
        #expect(table.rows[1].cells[1] == nil && table.rows[0].unit == "sigma")
    }

    @Test func differenceMatricesInRawAndNormalisedUnits() throws {
        let a = Matrix(stacking: [[1, 0.8], [0.8, 1]]), b = Matrix(stacking: [[1, 0.5], [0.5, 1]])
        let ba = UnrelatedBaseline(mean: 0.6, standardDeviation: 0.1, pairCount: 5, sourceCount: 3)
        let bb = UnrelatedBaseline(mean: 0.0, standardDeviation: 0.1, pairCount: 5, sourceCount: 3)
        let d = try SimilarityDifference(a: a, baselineA: ba, b: b, baselineB: bb)
        #expect(abs(d.raw[0, 1] - (a[0, 1] - b[0, 1])) < 1e-7 && d.raw[0, 0] == 0)
        let expected = ba.normalize(Double(a[0, 1])) - bb.normalize(Double(b[0, 1]))
        #expect(abs(Double(d.normalized[0, 1]) - expected) < 1e-6)
        #expect(abs(d.rawSummary.maxAbsolute - Double(a[0, 1] - b[0, 1])) < 1e-7 && d.rawSummary.maxRow == 0 && d.rawSummary.maxColumn == 1)
        #expect(throws: AnalysisError.self) {
            try SimilarityDifference(a: a, baselineA: ba, b: Matrix(rows: 3, columns: 3), baselineB: bb)
        }
    }
}
