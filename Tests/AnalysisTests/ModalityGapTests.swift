import Foundation
import Testing
import Tensors
@testable import Analysis

/// The modality gap, the shift that closes it and the contrastive loss along the way, against
/// scripts/reference/gap_reference.py (numpy and open_clip's ClipLoss) on embeddings with a planted gap.
@Suite struct ModalityGapTests {
    static func planted() throws -> (GapReference.Planted, PairedEmbeddings) {
        let reference = try GapReference.load().planted
        return (reference, try PairedEmbeddings(images: GapReference.matrix(reference.images), texts: GapReference.matrix(reference.texts)))
    }

    @Test func gapMatchesNumpy() throws {
        let (reference, pairs) = try Self.planted()
        let gap = ModalityGap.measure(pairs)
        #expect(pairs.warnings.isEmpty)
        #expect(gap.pairCount == 24)
        #expect(GapReference.maxDifference(gap.imageCentroid, reference.imageCentroid) < 1e-6)
        #expect(GapReference.maxDifference(gap.textCentroid, reference.textCentroid) < 1e-6)
        #expect(GapReference.maxDifference(gap.vector, reference.gap) < 1e-6)
        #expect(abs(gap.distance - reference.distance) < 1e-6)
        #expect(abs(ModalityGap.norm(gap.direction) - 1) < 1e-12)
        let cosines = gap.cosines, expected = reference.meanCosines
        #expect(abs((cosines.imageImage ?? .nan) - expected.imageImage) < 1e-6)
        #expect(abs((cosines.textText ?? .nan) - expected.textText) < 1e-6)
        #expect(abs(cosines.matchedPairs - expected.matchedPairs) < 1e-6)
        #expect(abs((cosines.unmatchedPairs ?? .nan) - expected.unmatchedPairs) < 1e-6)
        #expect(abs(cosines.crossModal - expected.crossModal) < 1e-6)
        #expect(abs((cosines.inModalMinusCrossModal ?? .nan) - expected.inModalMinusCrossModal) < 1e-6)
    }

    @Test func gapPointsFromTheTextConeToTheImageCone() throws {
        let (reference, pairs) = try Self.planted()
        let gap = ModalityGap.measure(pairs)
        let planted = zip(reference.plantedImageDirection, reference.plantedTextDirection).map { $0 - $1 }
        let cosine = zip(gap.direction, planted).reduce(0) { $0 + $1.0 * $1.1 } / ModalityGap.norm(planted)
        #expect(cosine > 0.95, "cos(Δ, u − w) = \(cosine)")
        // The centroids of unit rows lie inside the ball; the gap is at most their sum.
        #expect(gap.imageCentroidNorm < 1 && gap.textCentroidNorm < 1)
        #expect(gap.distance <= gap.imageCentroidNorm + gap.textCentroidNorm + 1e-12)
    }

    @Test(arguments: ["scale_100", "scale_fixture"])
    func shiftCurveMatchesOpenCLIPLoss(_ name: String) throws {
        let file = try GapReference.load()
        let (reference, pairs) = try Self.planted()
        let curve = try #require(reference.curves[name])
        let gap = ModalityGap.measure(pairs)
        let points = try GapShift.curve(pairs, gap: gap, lambdas: file.lambdas, logitScale: curve.logitScale)
        #expect(file.lambdas == GapShift.defaultLambdas)
        try #require(points.count == curve.points.count)
        for (point, expected) in zip(points, curve.points) {
            #expect(point.lambda == expected.lambda)
            #expect(point.collapsedRows == 0)
            #expect(abs(point.centroidDistance - expected.centroidDistance) < 1e-5, "λ \(point.lambda)")
            let evaluation = point.evaluation
            // Float32 cosines × s ≈ 100: logits agree to about 1e-5.
            #expect(abs(evaluation.loss - expected.loss) < 1e-4 * max(1, expected.loss), "λ \(point.lambda): \(evaluation.loss) vs \(expected.loss)")
            #expect(abs(evaluation.lossImageToText - expected.lossImageToText) < 1e-4 * max(1, expected.lossImageToText))
            #expect(abs(evaluation.lossTextToImage - expected.lossTextToImage) < 1e-4 * max(1, expected.lossTextToImage))
            #expect(evaluation.accuracyImageToText == expected.accuracyImageToText, "λ \(point.lambda)")
            #expect(evaluation.accuracyTextToImage == expected.accuracyTextToImage, "λ \(point.lambda)")
        }
    }

    @Test func lambdaZeroReproducesTheOriginalLoss() throws {
        let (reference, pairs) = try Self.planted()
        let scale = try #require(reference.curves["scale_100"]).logitScale
        let original = try ContrastiveLoss.evaluate(images: pairs.images.matrix, texts: pairs.texts.matrix, logitScale: scale)
        let gap = ModalityGap.measure(pairs)
        let point = try #require(try GapShift.curve(pairs, gap: gap, lambdas: [0], logitScale: scale).first)
        #expect(abs(point.evaluation.loss - original.loss) < 1e-9 * max(1, original.loss))
        #expect(point.evaluation.accuracyImageToText == original.accuracyImageToText)
        #expect(point.evaluation.accuracyTextToImage == original.accuracyTextToImage)
        #expect(abs(point.centroidDistance - gap.distance) < 1e-6)
        let (images, texts, _) = GapShift.shifted(pairs, gap: gap, lambda: 0)
        #expect(zip(images.values, pairs.images.matrix.values).allSatisfy { abs($0 - $1) <= 2e-7 })
        #expect(zip(texts.values, pairs.texts.matrix.values).allSatisfy { abs($0 - $1) <= 2e-7 })
    }

    @Test func theGapClosesAtLambdaOneAndReversesAtTwo() throws {
        let (_, pairs) = try Self.planted()
        let gap = ModalityGap.measure(pairs)
        for (lambda, remaining) in [(1.0, 0.0), (2.0, -1.0), (0.5, 0.5), (-1.0, 2.0)] {
            let (images, texts, _) = GapShift.shifted(pairs, gap: gap, lambda: lambda, renormalize: false)
            let difference = zip(ModalityGap.centroid(images), ModalityGap.centroid(texts)).map { $0 - $1 }
            let expected = gap.vector.map { remaining * $0 }
            #expect(GapReference.maxDifference(difference, expected) < 1e-6, "λ = \(lambda): centroids (1 − λ)Δ apart before re-normalisation")
        }
        let (images, texts, _) = GapShift.shifted(pairs, gap: gap, lambda: 1)
        for row in 0..<pairs.count {
            let imageNorm = images.row(row).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let textNorm = texts.row(row).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(imageNorm - 1) < 1e-6 && abs(textNorm - 1) < 1e-6)
        }
        let after = try #require(try GapShift.curve(pairs, gap: gap, lambdas: [1], logitScale: 100).first)
        #expect(abs(after.centroidDistance) < 0.1 * gap.distance, "re-normalised centroids nearly meet: \(after.centroidDistance)")
    }

    @Test func lossOfKnownConfigurations() throws {
        let n = 6
        // All logits equal: every softmax is uniform, loss log n; every top-1 is a tie, a miss.
        let same = Matrix(rows: n, columns: 3, values: (0..<(3 * n)).map { [0.6, 0.8, 0][$0 % 3] })
        let flat = try ContrastiveLoss.evaluate(images: same, texts: same, logitScale: 50)
        #expect(abs(flat.loss - log(Double(n))) < 1e-12)
        #expect(flat.accuracyImageToText == 0 && flat.accuracyTextToImage == 0)
        // Orthonormal pairs: logits s on the diagonal, 0 elsewhere: loss log(1 + (n − 1)e^(−s)).
        var identity = Matrix(rows: n, columns: n)
        for i in 0..<n { identity[i, i] = 1 }
        for s in [1.0, 10, 100, 1000] {  // 1000: logits span more than 600, rows and columns shifted separately
            let result = try ContrastiveLoss.evaluate(images: identity, texts: identity, logitScale: s)
            let expected = log(1 + Double(n - 1) * exp(-s))
            #expect(abs(result.lossImageToText - expected) < 1e-12 * max(1, expected) + 1e-15)
            #expect(abs(result.loss - expected) < 1e-12 * max(1, expected) + 1e-15)
            #expect(result.accuracyImageToText == 1 && result.accuracyTextToImage == 1)
        }
        // Captions in reversed order: every pair misses and the loss is s + log(1 + (n − 1)e^(−s)).
        let reversed = Matrix(stacking: (0..<n).map { identity.row(n - 1 - $0) })
        for s in [10.0, 1000] {
            let wrong = try ContrastiveLoss.evaluate(images: identity, texts: reversed, logitScale: s)
            #expect(abs(wrong.loss - (s + log(1 + Double(n - 1) * exp(-s)))) < 1e-9 * s)
            #expect(wrong.accuracyImageToText == 0 && wrong.accuracyTextToImage == 0)
        }
    }

    @Test func analysisCombinesEveryPart() throws {
        let (reference, _) = try Self.planted()
        let analysis = try ModalityGapAnalysis.analyze(images: GapReference.matrix(reference.images),
                                                       texts: GapReference.matrix(reference.texts), logitScale: 100)
        #expect(analysis.shift.count == GapShift.defaultLambdas.count)
        #expect(analysis.joint.rows == 48 && analysis.joint.columns == 48)
        #expect(analysis.warnings.isEmpty)
        // The planted cones are far apart: the dendrogram splits images from captions first.
        #expect(analysis.seriation.topSplitIsModality)
        #expect(analysis.seriation.topSplitPurity == 1)
        #expect(Set(analysis.seriation.grouped.prefix(24)) == Set(0..<24))
        #expect(Set(analysis.seriation.grouped) == Set(0..<48))
        // The gap dominates the joint spread, along the first principal component.
        #expect(abs(abs(analysis.projection.gapAlignment[0]) - abs(reference.pca.gapAlignment[0])) < 1e-5)
        #expect(abs(analysis.projection.gapVarianceShare - reference.pca.gapVarianceShare) < 1e-6)
        #expect(analysis.projection.gapInPlane > 0.99)
        let imageSide = analysis.projection.imageCentroid[0], textSide = analysis.projection.textCentroid[0]
        #expect(imageSide * textSide < 0, "the two centroids lie on opposite sides along PC1")
    }

    @Test func degenerateInputGivesFiniteResults() throws {
        let d = 8
        func matrix(_ rows: [[Float]]) -> Matrix { Matrix(stacking: rows, columns: d) }
        let unit: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        let zero = [Float](repeating: 0, count: d)
        let nan = [Float](repeating: .nan, count: d)
        let huge: [Float] = [3e38, -3e38, 3e38, 0, 0, 0, 0, 1]
        let tiny: [Float] = [1e-30, 0, 0, 0, 0, 0, 0, 0]
        let cases: [(String, Matrix, Matrix)] = [
            ("all zero", matrix([zero, zero, zero]), matrix([zero, zero, zero])),
            ("NaN and infinite rows", matrix([nan, unit, huge]), matrix([unit, nan, [Float](repeating: .infinity, count: d)])),
            ("identical rows", matrix([unit, unit, unit, unit]), matrix([unit, unit, unit, unit])),
            ("images equal their captions", matrix([unit, tiny, huge]), matrix([unit, tiny, huge])),
            ("one pair", matrix([unit]), matrix([zero])),
            ("opposite points", matrix([unit, unit]), matrix([unit.map { -$0 }, unit.map { -$0 }])),
        ]
        let encoder = JSONEncoder()  // throws on a non-finite Double
        for (name, images, texts) in cases {
            let analysis = try ModalityGapAnalysis.analyze(images: images, texts: texts, logitScale: 100, lambdas: [-3, -1, 0, 0.5, 1, 2, 7])
            _ = try encoder.encode(analysis.gap)
            _ = try encoder.encode(analysis.shift)
            _ = try encoder.encode(analysis.projection)
            #expect(analysis.joint.values.allSatisfy { $0.isFinite }, "\(name)")
            #expect(analysis.seriation.groupedMatrix.values.allSatisfy { $0.isFinite }, "\(name)")
            #expect(Set(analysis.seriation.grouped) == Set(0..<(2 * images.rows)), "\(name)")
        }
        // Opposite points: Δ = 2u; at λ = 1 every row lands on the origin and collapses to zero.
        let opposite = try ModalityGapAnalysis.analyze(images: cases[5].1, texts: cases[5].2, logitScale: 100, lambdas: [1])
        #expect(abs(opposite.gap.distance - 2) < 1e-6)
        #expect(opposite.shift[0].collapsedRows == 4)
        #expect(opposite.warnings.contains { $0.code == "shift-collapsed-rows" })
        let single = try ModalityGapAnalysis.analyze(images: cases[4].1, texts: cases[4].2, logitScale: 100)
        #expect(single.warnings.contains { $0.code == "single-pair" } && single.warnings.contains { $0.code == "zero-norm-embedding" })
        #expect(single.gap.cosines.imageImage == nil && single.gap.cosines.unmatchedPairs == nil)
    }

    @Test func badInputIsAnError() throws {
        let a = Matrix(rows: 3, columns: 4, repeating: 1), b = Matrix(rows: 2, columns: 4, repeating: 1)
        #expect(throws: AnalysisError.self) { try PairedEmbeddings(images: a, texts: b) }
        #expect(throws: AnalysisError.self) { try PairedEmbeddings(images: a, texts: Matrix(rows: 3, columns: 5, repeating: 1)) }
        #expect(throws: AnalysisError.self) { try PairedEmbeddings(images: Matrix(rows: 0, columns: 4), texts: Matrix(rows: 0, columns: 4)) }
        let pairs = try PairedEmbeddings(images: a, texts: a)
        let gap = ModalityGap.measure(pairs)
        for scale in [0, -1, .nan, .infinity, 1e5] {
            #expect(throws: AnalysisError.self) { try GapShift.curve(pairs, gap: gap, logitScale: scale) }
            #expect(throws: AnalysisError.self) { try ContrastiveLoss.evaluate(images: a, texts: a, logitScale: scale) }
        }
        for lambdas in [[], [Double.nan], [0, .infinity], [1001]] {
            #expect(throws: AnalysisError.self) { try GapShift.curve(pairs, gap: gap, lambdas: lambdas, logitScale: 100) }
        }
        #expect(throws: AnalysisError.self) { try ContrastiveLoss.evaluate(images: a, texts: b, logitScale: 10) }
        var withNaN = a
        withNaN[1, 2] = .nan
        #expect(throws: AnalysisError.self) { try ContrastiveLoss.evaluate(images: withNaN, texts: a, logitScale: 10) }
        let tooMany = Matrix(rows: ModalityGapAnalysis.maximumPairs + 1, columns: 1, repeating: 1)
        do {
            _ = try ModalityGapAnalysis.analyze(images: tooMany, texts: tooMany, logitScale: 10)
            Issue.record("more than the maximum number of pairs was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }
}
