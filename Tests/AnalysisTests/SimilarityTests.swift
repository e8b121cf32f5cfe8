import Foundation
import Testing
import Tensors
@testable import Analysis

@Suite struct SimilarityTests {
    @Test func cosineMatrixMatchesNumpy() throws {
        let c = try ReferenceData.load().cosine
        let result = Similarity.cosineMatrix(ReferenceData.matrix(c.embeddings))
        #expect(result.warnings.isEmpty)
        for i in 0..<c.cosine.count {
            for j in 0..<c.cosine.count {
                #expect(abs(Double(result.matrix[i, j]) - c.cosine[i][j]) < 1e-6)
            }
        }
    }

    @Test func unitRowsHaveUnitLength() throws {
        let c = try ReferenceData.load().cosine
        let unit = Similarity.unitRows(ReferenceData.matrix(c.embeddings))
        for i in 0..<unit.matrix.rows {
            let norm = unit.matrix.row(i).reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-6)
        }
        #expect(!unit.isDegenerate.contains(true))
    }

    @Test func zeroAndResidueRowsGetTheDefinedSimilarityAndAWarning() {
        // Rows: a real vector, an exact zero, rounding residue (rms 1e-8), the real vector scaled.
        let m = Matrix(stacking: [[1, 2, 3, 4], [0, 0, 0, 0], [1e-8, -1e-8, 1e-8, 0], [2, 4, 6, 8]])
        let result = Similarity.cosineMatrix(m)
        #expect(result.matrix.values.allSatisfy { !$0.isNaN })
        #expect(result.matrix[1, 2] == 1 && result.matrix[2, 1] == 1)   // two degenerate rows: 1
        #expect(result.matrix[0, 1] == 0 && result.matrix[1, 3] == 0)   // degenerate vs real: 0
        #expect(abs(result.matrix[0, 3] - 1) < 1e-6)
        #expect((0..<4).allSatisfy { result.matrix[$0, $0] == 1 })
        #expect(result.warnings.map(\.code) == ["zero-norm-embedding"])
    }

    @Test func rowsTinyRelativeToTheLargestAreDegenerate() {
        let m = Matrix(stacking: [[1000, 0, 0], [0, 1e-4, 0], [0, 0, 3]])
        let unit = Similarity.unitRows(m)
        #expect(unit.isDegenerate == [false, true, false])
    }

    @Test func nonFiniteRowsAreTreatedAsZeroWithAWarning() {
        let m = Matrix(stacking: [[1, 0], [Float.nan, 1], [0, Float.infinity], [0, 1]])
        let result = Similarity.cosineMatrix(m, label: "test")
        #expect(result.matrix.values.allSatisfy { $0.isFinite })
        #expect(result.matrix[1, 2] == 1 && result.matrix[1, 3] == 0)
        #expect(result.warnings.contains { $0.code == "non-finite-embedding" && $0.message.hasPrefix("test:") })
    }

    @Test func allZeroEmbeddingsGiveAnAllOnesMatrix() {
        let result = Similarity.cosineMatrix(Matrix(rows: 3, columns: 4))
        #expect(result.matrix.values.allSatisfy { $0 == 1 })
    }

    @Test func quadrantsAreConsistentBlocksOfTheJointMatrix() throws {
        let images = Matrix(stacking: [[1, 0, 0], [1, 1, 0], [0, 0, 2]])
        let texts = Matrix(stacking: [[0, 1, 0], [1, 0, 1]])
        let q = try Similarity.quadrants(images: images, texts: texts)
        #expect(q.imageImage.rows == 3 && q.imageText.rows == 3 && q.imageText.columns == 2)
        #expect(q.textImage.rows == 2 && q.textText.rows == 2)
        let joint = q.joint()
        let all = Matrix(stacking: (0..<3).map { images.row($0) } + (0..<2).map { texts.row($0) })
        let direct = Similarity.cosineMatrix(all).matrix
        for i in 0..<5 { for j in 0..<5 { #expect(abs(joint[i, j] - direct[i, j]) < 1e-6) } }
        for i in 0..<3 { for j in 0..<2 { #expect(q.imageText[i, j] == q.textImage[j, i]) } }
    }

    @Test func cosineRejectsDifferentDimensions() {
        let a = Similarity.unitRows(Matrix(rows: 2, columns: 3, repeating: 1))
        let b = Similarity.unitRows(Matrix(rows: 2, columns: 4, repeating: 1))
        #expect(throws: AnalysisError.self) { try Similarity.cosine(a, b) }
        #expect((try? Similarity.cosine(a, a))?.values.allSatisfy { abs($0 - 1) < 1e-6 } == true)
    }

    @Test func quadrantsRejectDifferentDimensions() {
        #expect(throws: AnalysisError.self) {
            try Similarity.quadrants(images: Matrix(rows: 2, columns: 3), texts: Matrix(rows: 2, columns: 4))
        }
    }
}

@Suite struct BaselineTests {
    @Test func meanAndSpreadOverCrossSourcePairsOnly() throws {
        let s = Matrix(stacking: [[1, 0.9, 0.2, 0.4], [0.9, 1, 0.3, 0.5], [0.2, 0.3, 1, 0.8], [0.4, 0.5, 0.8, 1]])
        let b = try UnrelatedBaseline.estimate(similarities: s, sources: [0, 0, 1, 1])
        let cross: [Double] = [0.2, 0.4, 0.3, 0.5].map { Double(Float($0)) }
        #expect(b.pairCount == 4 && b.sourceCount == 2)
        #expect(abs(b.mean - Statistics.mean(cross)) < 1e-12)
        #expect(abs(b.standardDeviation - Statistics.standardDeviation(cross)) < 1e-9)
        #expect(b.warnings.contains { $0.code == "few-baseline-sources" })
    }

    @Test func normalisationMapsBaselineToZeroAndIdentityToOne() {
        let b = UnrelatedBaseline(mean: 0.4, standardDeviation: 0.1, pairCount: 10, sourceCount: 5)
        #expect(abs(b.normalize(0.4)) < 1e-15 && abs(b.normalize(1) - 1) < 1e-15)
        #expect(abs(b.normalizeDifference(0.06) - 0.1) < 1e-15)
        #expect(UnrelatedBaseline.uncalibrated.normalize(0.7) == 0.7)
    }

    @Test func baselineNearOneIsClampedWithAWarning() {
        let b = UnrelatedBaseline(mean: 0.999, standardDeviation: 0, pairCount: 3, sourceCount: 3)
        #expect(b.reference == UnrelatedBaseline.maximumForNormalization)
        #expect(b.normalize(1).isFinite && b.warnings.contains { $0.code == "baseline-near-one" })
    }

    @Test func oneSourceGivesAnUncalibratedBaseline() throws {
        let b = try UnrelatedBaseline.estimate(embeddings: Matrix(stacking: [[1, 0], [0, 1]]), sources: [3, 3])
        #expect(!b.isCalibrated && b.mean == 0 && b.sourceCount == 1)
    }

    @Test func estimateFromEmbeddingsSubsamplesEachSourceEvenly() throws {
        #expect(UnrelatedBaseline.subsample(sources: [0, 0, 0, 0, 1, 1], perSource: 2) == [0, 2, 4, 5])
        let e = Matrix(stacking: [[1, 0], [1, 0.1], [0, 1], [0.1, 1]])
        let b = try UnrelatedBaseline.estimate(embeddings: e, sources: [0, 0, 1, 1])
        let s = Similarity.cosineMatrix(e).matrix
        let expected = [s[0, 2], s[0, 3], s[1, 2], s[1, 3]].map(Double.init)
        #expect(abs(b.mean - Statistics.mean(expected)) < 1e-9)
        #expect(throws: AnalysisError.self) { try UnrelatedBaseline.estimate(embeddings: e, sources: [0]) }
    }
}
