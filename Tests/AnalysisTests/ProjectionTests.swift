import Foundation
import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

/// PCA against numpy's SVD, both eigen-problem routes, the sign convention, rank-deficient and
/// constant data, the gap direction's variance share, and the symmetric eigen-solver itself.
@Suite struct ProjectionTests {
    static func jointRows() throws -> (GapReference.Planted, Matrix, ModalityGap) {
        let reference = try GapReference.load().planted
        let pairs = try PairedEmbeddings(images: GapReference.matrix(reference.images), texts: GapReference.matrix(reference.texts))
        let stacked = Matrix(rows: 2 * pairs.count, columns: pairs.dimension, values: pairs.images.matrix.values + pairs.texts.matrix.values)
        return (reference, stacked, ModalityGap.measure(pairs))
    }

    @Test func pcaMatchesNumpy() throws {
        let (reference, stacked, gap) = try Self.jointRows()
        let expected = reference.pca
        let pca = try Projection.pca(stacked, components: expected.components.count)
        #expect(pca.sampleCount == 48)
        #expect(abs(pca.totalVariance - expected.totalVariance) < 1e-6)
        #expect(GapReference.maxDifference(pca.explainedVariance, expected.explainedVariance) < 1e-6)
        #expect(GapReference.maxDifference(pca.explainedVarianceRatio, expected.explainedVarianceRatio) < 1e-6)
        for (component, numpy) in zip(pca.components, expected.components) {
            #expect(GapReference.maxDifference(component, numpy) < 1e-4)
        }
        for (row, numpy) in zip(pca.scores, expected.scores) {
            #expect(GapReference.maxDifference(row, numpy) < 1e-4)
        }
        #expect(abs(Projection.varianceShare(of: stacked, along: gap.vector) - expected.gapVarianceShare) < 1e-6)
    }

    @Test func covarianceAndGramRoutesAgree() throws {
        // 12 points in 8 dimensions use the covariance; the same points padded to 40 use the Gram matrix.
        var random = SyntheticRandom(seed: 42)
        let points = (0..<12).map { i in (0..<8).map { j in random.gaussian() * Double(j + 1) + Double(i % 3) } }
        let small = Matrix(stacking: points.map { $0.map(Float.init) })
        let padded = Matrix(stacking: points.map { $0.map(Float.init) + [Float](repeating: 0, count: 32) })
        let a = try Projection.pca(small, components: 8), b = try Projection.pca(padded, components: 8)
        #expect(abs(a.totalVariance - b.totalVariance) < 1e-9 * a.totalVariance)
        #expect(GapReference.maxDifference(a.explainedVariance, b.explainedVariance) < 1e-9 * a.totalVariance)
        for (u, v) in zip(a.components, b.components) {
            #expect(GapReference.maxDifference(u, Array(v.prefix(8))) < 1e-8)
            #expect(v.dropFirst(8).allSatisfy { abs($0) < 1e-12 })
        }
        for (x, y) in zip(a.scores, b.scores) { #expect(GapReference.maxDifference(x, y) < 1e-8) }
    }

    @Test func componentsAreOrthonormalAndOriented() throws {
        let (_, stacked, _) = try Self.jointRows()
        let pca = try Projection.pca(stacked, components: 16)
        for (i, u) in pca.components.enumerated() {
            let largest = u.indices.max { abs(u[$0]) < abs(u[$1]) } ?? 0
            #expect(u[largest] > 0, "component \(i) has its largest entry positive")
            for (j, v) in pca.components.enumerated() {
                let dot = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-9)
            }
        }
        #expect(zip(pca.explainedVariance, pca.explainedVariance.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(abs(pca.explainedVarianceRatio.reduce(0, +) - 1) < 1e-9, "16 components of 16-d data hold all the variance")
        // The variance along the first component is its explained share.
        #expect(abs(Projection.varianceShare(of: stacked, along: pca.components[0]) - pca.explainedVarianceRatio[0]) < 1e-9)
        #expect(GapReference.maxDifference(pca.coordinates(of: pca.mean), [Double](repeating: 0, count: 16)) < 1e-12)
    }

    @Test func rankDeficientAndConstantData() throws {
        // Three points span a plane: components beyond the second are zero, with zero variance.
        let three = Matrix(stacking: [[1, 0, 0, 2, 0], [0, 1, 0, 2, 0], [0, 0, 0, 2, 0]] as [[Float]])
        let pca = try Projection.pca(three, components: 5)
        #expect(pca.explainedVariance[0] > 0 && pca.explainedVariance[1] > 0)
        #expect(pca.explainedVariance.dropFirst(2).allSatisfy { $0 == 0 })
        #expect(pca.components.dropFirst(2).allSatisfy { $0.allSatisfy { $0 == 0 } })
        #expect(abs(pca.explainedVarianceRatio[0] + pca.explainedVarianceRatio[1] - 1) < 1e-12)
        for data in [Matrix(rows: 5, columns: 3, repeating: 0.25), Matrix(rows: 1, columns: 4, repeating: 1)] {
            let flat = try Projection.pca(data, components: 2)
            #expect(flat.totalVariance == 0 && flat.explainedVariance == [0, 0] && flat.explainedVarianceRatio == [0, 0])
            #expect(flat.scores.allSatisfy { $0 == [0, 0] })
            #expect(Projection.varianceShare(of: data, along: [Double](repeating: 1, count: 3)) == 0)
        }
        #expect(Projection.varianceShare(of: three, along: [0, 0, 0, 0, 0]) == 0)
        #expect(Projection.varianceShare(of: three, along: [1, 2]) == 0)
    }

    @Test func badInputIsAnError() {
        #expect(throws: AnalysisError.self) { try Projection.pca(Matrix(rows: 0, columns: 3)) }
        #expect(throws: AnalysisError.self) { try Projection.pca(Matrix(rows: 3, columns: 0)) }
        #expect(throws: AnalysisError.self) { try Projection.pca(Matrix(rows: 3, columns: 3), components: 0) }
        #expect(throws: AnalysisError.self) { try Projection.pca(Matrix(rows: 2, columns: 2, values: [1, .nan, 0, 1])) }
        #expect(throws: AnalysisError.self) { try Projection.pca(Matrix(rows: 1, columns: Projection.maximumDimension + 1)) }
    }

    @Test func eigenSolverDecomposesSymmetricMatrices() {
        var random = SyntheticRandom(seed: 7)
        for n in [1, 2, 3, 10, 33] {
            var a = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in i..<n { a[i * n + j] = random.gaussian(); a[j * n + i] = a[i * n + j] } }
            let (values, vectors) = SymmetricEigenSolver.decompose(a, size: n)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
            for (value, vector) in zip(values, vectors) {
                for i in 0..<n {
                    let av = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * vector[$1] }
                    #expect(abs(av - value * vector[i]) < 1e-10, "n = \(n): A v = λ v")
                }
                #expect(abs(ModalityGap.norm(vector) - 1) < 1e-12)
            }
        }
        // Repeated eigenvalues and the zero matrix keep an orthonormal basis.
        let diagonal = [2.0, 0, 0, 0, 5, 0, 0, 0, 2]
        let (values, vectors) = SymmetricEigenSolver.decompose(diagonal, size: 3)
        #expect(values == [5, 2, 2])
        for i in 0..<3 { for j in 0..<3 {
            let dot = zip(vectors[i], vectors[j]).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(dot - (i == j ? 1 : 0)) < 1e-12)
        } }
        let zero = SymmetricEigenSolver.decompose([Double](repeating: 0, count: 16), size: 4)
        #expect(zero.values == [0, 0, 0, 0])
        #expect(zero.vectors.allSatisfy { abs(ModalityGap.norm($0) - 1) < 1e-12 })
    }
}
