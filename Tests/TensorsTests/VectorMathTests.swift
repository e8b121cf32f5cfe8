import Foundation
import Testing
@testable import Tensors

@Suite struct VectorMathTests {
    /// Runs an element-wise kernel over `values` through the same path the models use.
    private func mapped(_ values: [Float], _ transform: (VectorMath.Vector) -> VectorMath.Vector) -> [Float] {
        var out = values
        out.withUnsafeMutableBufferPointer { VectorMath.map($0.baseAddress!, count: $0.count, transform) }
        return out
    }

    private var grid: [Float] { stride(from: -20.0, through: 20.0, by: 0.0137).map { Float($0) } }

    @Test func expIsWithinTwoUlpOverItsRange() {
        let xs = stride(from: -86.9, through: 87.9, by: 0.0731).map { Float($0) }
        let ys = mapped(xs, VectorMath.exp)
        for (x, y) in zip(xs, ys) {
            let reference = Foundation.exp(Double(x))
            #expect(abs(Double(y) - reference) <= 2.5e-7 * reference, "exp(\(x)) = \(y), reference \(reference)")
        }
    }

    @Test func expClampsInsteadOfProducingDenormalsOrInfinity() {
        let ys = mapped([-1000, -200, -88, .infinity * -1, 89, 1000], VectorMath.exp)
        for y in ys.prefix(4) { #expect(y.isNormal && y < 2e-38) }
        for y in ys.suffix(2) { #expect(y.isFinite && y > 1e38) }
    }

    @Test func geluMatchesTheErfDefinition() {
        let xs = grid + [0, -0.0, 1e-20, -1e-20]
        let ys = mapped(xs, VectorMath.gelu)
        for (x, y) in zip(xs, ys) {
            let xd = Double(x)
            let reference = 0.5 * xd * (1 + Foundation.erf(xd / 2.0.squareRoot()))
            #expect(abs(Double(y) - reference) <= 1.0e-7 * max(1, abs(xd)), "gelu(\(x)) = \(y), reference \(reference)")
        }
    }

    @Test func geluKeepsRelativeAccuracyForNegativeInputs() {
        // Φ(x) for x in [-8, -1] spans 0.16 down to 6e-16; a cancellation-prone 1 + erf would lose it all.
        let xs = stride(from: -8.0, through: -1.0, by: 0.01).map { Float($0) }
        let ys = mapped(xs, VectorMath.gelu)
        for (x, y) in zip(xs, ys) {
            let xd = Double(x)
            let reference = 0.5 * xd * Foundation.erfc(-xd / 2.0.squareRoot())
            #expect(abs(Double(y) - reference) <= 5e-6 * abs(reference), "gelu(\(x)) = \(y), reference \(reference)")
        }
    }

    @Test func quickGELUMatchesItsDefinition() {
        let xs = grid + [-200, 200]
        let ys = mapped(xs, VectorMath.quickGELU)
        for (x, y) in zip(xs, ys) {
            let xd = Double(x)
            let reference = xd / (1 + Foundation.exp(-1.702 * xd))
            #expect(abs(Double(y) - reference) <= 3e-7 * max(1, abs(xd)), "quickGELU(\(x)) = \(y), reference \(reference)")
        }
    }

    @Test func tailsGoThroughTheSameVectorCode() {
        // 13 values: one full vector and a tail of 5; every value must equal its result in a full vector.
        var rng = TestValues(seed: 7)
        let xs = rng.array(13, -4, 4)
        let whole = mapped(xs, VectorMath.gelu)
        for (i, x) in xs.enumerated() {
            #expect(mapped([x], VectorMath.gelu)[0] == whole[i])
        }
    }
}
