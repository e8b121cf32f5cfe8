import Foundation
import Testing
@testable import Imaging

/// The seeded generators and the two noise operations.
@Suite struct OperationNoiseTests {
    static func hex(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text, radix: 16) else { throw References.ReferenceError("bad hex \(text)") }
        return value
    }

    /// SplitMix64, xoshiro256++ and the variant-seed derivation reproduce the script's independent
    /// Python implementation bit for bit (the reproducibility contract across releases).
    @Test func generatorsMatchIndependentImplementation() throws {
        let random = try References.load().index.random
        for stream in random.splitmix64 {
            var generator = SplitMix64(seed: try Self.hex(stream.seed))
            #expect(try stream.outputs.map(Self.hex) == (0..<stream.outputs.count).map { _ in generator.next() })
        }
        for stream in random.xoshiro256pp {
            var generator = Xoshiro256PlusPlus(seed: try Self.hex(stream.seed))
            #expect(try stream.outputs.map(Self.hex) == (0..<stream.outputs.count).map { _ in generator.next() })
            var block = Xoshiro256PlusPlus(seed: try Self.hex(stream.seed))
            var words = [UInt64](repeating: 0, count: stream.outputs.count)
            words.withUnsafeMutableBufferPointer { block.fill($0) }
            #expect(try words == stream.outputs.map(Self.hex))
        }
        for entry in random.variant_seeds {
            let seed = RandomSeed.variant(sweepSeed: try Self.hex(entry.sweep_seed), index: entry.index)
            #expect(seed == (try Self.hex(entry.seed)), "sweep seed \(entry.sweep_seed) index \(entry.index)")
        }
    }

    /// The float32 Box–Muller stream equals the script's numpy float32 re-implementation bit for
    /// bit (same IEEE operations in the same order), and the exact float64 transform within 1e-6
    /// (a few float32 ulps of values up to ~4).
    @Test func normalStreamMatchesReference() throws {
        let refs = try References.load()
        let reference = try #require(refs.cases("normals").first)
        let count = Int(try reference.number("count"))
        var generator = NormalGenerator(seed: UInt64(try reference.number("seed")))
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { generator.fillNormals($0) }
        let float32 = try refs.float32(refs.output(reference, "float32"))
        let float64 = try refs.float32(refs.output(reference, "float64"))
        let identical = values == float32
        #expect(identical, "differs from the numpy model by \(Compare.maxDifference(values, float32))")
        #expect(Compare.maxDifference(values, float64).value <= 1e-6)
    }

    @Test func uniformStreamMatchesReference() throws {
        let refs = try References.load()
        let reference = try #require(refs.cases("uniforms").first)
        var generator = NormalGenerator(seed: UInt64(try reference.number("seed")))
        var values = [Float](repeating: 0, count: Int(try reference.number("count")))
        values.withUnsafeMutableBufferPointer { generator.fillUniforms($0) }
        #expect(values == (try refs.float32(refs.output(reference, "values"))))
    }

    /// The operations on a real image equal, bit for bit, the script's stream applied by formula.
    @Test func noiseOperationsMatchReference() throws {
        let refs = try References.load()
        for reference in refs.cases("gaussian-noise") + refs.cases("uniform-noise") {
            let image = try refs.floatInput(of: reference)
            let seed = UInt64(try reference.number("seed"))
            let output = reference.op == "gaussian-noise"
                ? try GaussianNoise(sigma: Float(try reference.number("sigma")), seed: seed).apply(to: image)
                : try UniformNoiseBlend(alpha: Float(try reference.number("alpha")), seed: seed).apply(to: image)
            let expected = try refs.float32(refs.output(reference, "stream"))
            let identical = output.pixels == expected
            #expect(identical, "\(reference.name): \(Compare.maxDifference(output.pixels, expected))")
        }
    }

    /// Sample mean and variance of the added noise on a mid-grey 256×256 image (196,608 samples,
    /// no clipping at 0.5 ± 8σ): the mean within 5 standard errors σ/√n, the variance within
    /// 5 standard errors σ²·√(2/(n−1)); also the Kolmogorov–Smirnov distance to N(0, σ²) below
    /// 1.95/√n (the 0.1 % critical value). Several seeds and sigmas.
    @Test(arguments: [(Float(0.02), UInt64(1)), (0.05, 2), (0.06, 0xDEAD_BEEF)])
    func gaussianNoiseHasRequestedMoments(sigma: Float, seed: UInt64) throws {
        let grey = FloatImage(width: 256, height: 256, filledWith: (0.5, 0.5, 0.5))
        let noisy = try GaussianNoise(sigma: sigma, seed: seed).apply(to: grey)
        let noise = noisy.pixels.map { Double($0) - 0.5 }
        let n = Double(noise.count), s = Double(sigma)
        let mean = noise.reduce(0, +) / n
        let variance = noise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        #expect(abs(mean) <= 5 * s / n.squareRoot(), "mean \(mean)")
        #expect(abs(variance - s * s) <= 5 * s * s * (2 / (n - 1)).squareRoot(), "variance \(variance) vs \(s * s)")
        let sorted = noise.sorted()
        var ks = 0.0
        for (i, x) in sorted.enumerated() {
            let cdf = 0.5 * erfc(-x / (s * 2.0.squareRoot()))
            ks = max(ks, abs(cdf - Double(i) / n), abs(cdf - Double(i + 1) / n))
        }
        // Float32 storage quantises x + 0.5 to 2⁻²⁴ steps, far below the KS bound.
        #expect(ks <= 1.95 / n.squareRoot(), "KS distance \(ks)")
    }

    /// Uniform blend on a grey x: mean (1 − α)x + α/2 and variance α²/12, 5-standard-error bounds
    /// (the variance of a sample variance of U[0,1] is (1/80 − 1/144)/n).
    @Test(arguments: [(Float(0.3), UInt64(5)), (1.0, 6)])
    func uniformBlendHasRequestedMoments(alpha: Float, seed: UInt64) throws {
        let x = 0.25
        let grey = FloatImage(width: 256, height: 256, filledWith: (Float(x), Float(x), Float(x)))
        let values = try UniformNoiseBlend(alpha: alpha, seed: seed).apply(to: grey).pixels.map(Double.init)
        let n = Double(values.count), a = Double(alpha)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        #expect(abs(mean - ((1 - a) * x + a / 2)) <= 5 * a * (1.0 / 12 / n).squareRoot())
        #expect(abs(variance - a * a / 12) <= 5 * a * a * ((1.0 / 80 - 1.0 / 144) / n).squareRoot())
        #expect(values.allSatisfy { $0 >= (1 - a) * x - 1e-6 && $0 <= (1 - a) * x + a + 1e-6 })
    }

    /// Same seed, same bytes; another seed, other bytes; σ = 0 and α = 0 are the identity.
    @Test func seedsAreReproducibleAndDistinct() throws {
        let image = FloatImage(try References.load().input("33x25"))
        let a = try GaussianNoise(sigma: 0.1, seed: 11).apply(to: image).quantized()
        let b = try GaussianNoise(sigma: 0.1, seed: 11).apply(to: image).quantized()
        let c = try GaussianNoise(sigma: 0.1, seed: 12).apply(to: image).quantized()
        let same = a == b, different = a != c
        #expect(same)
        #expect(different)
        let u = try UniformNoiseBlend(alpha: 0.5, seed: 11).apply(to: image).quantized()
        #expect(u == (try UniformNoiseBlend(alpha: 0.5, seed: 11).apply(to: image).quantized()))
        #expect(u != (try UniformNoiseBlend(alpha: 0.5, seed: 12).apply(to: image).quantized()))
        #expect(try GaussianNoise(sigma: 0, seed: 1).apply(to: image) == image)
        #expect(try UniformNoiseBlend(alpha: 0, seed: 1).apply(to: image) == image)
        // Variant seeds of one sweep differ from each other.
        let seeds = (0..<1000).map { RandomSeed.variant(sweepSeed: 42, index: $0) }
        #expect(Set(seeds).count == seeds.count)
    }

    /// Output stays in [0, 1] even for huge σ; invalid parameters throw.
    @Test func clampsAndValidates() throws {
        let image = FloatImage(try References.load().input("33x25"))
        #expect(try GaussianNoise(sigma: 5, seed: 3).apply(to: image).pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        for sigma in [Float(-0.1), .nan, .infinity] {
            #expect(throws: ImagingError.self) { try GaussianNoise(sigma: sigma, seed: 0).apply(to: image) }
        }
        for alpha in [Float(-0.1), 1.5, .nan] {
            #expect(throws: ImagingError.self) { try UniformNoiseBlend(alpha: alpha, seed: 0).apply(to: image) }
        }
    }
}

/// The vectorised `quantized()` against the plain definition, on every float in [0, 1] that is a
/// multiple of 2⁻²⁴ near each rounding boundary and on special values.
@Suite struct OperationQuantizeTests {
    static func definition(_ v: Float) -> UInt8 {
        !(v > 0) ? 0 : (v >= 1 ? 255 : UInt8((v * 255).rounded(.toNearestOrAwayFromZero)))
    }

    @Test func matchesDefinitionAroundEveryBoundary() {
        var values: [Float] = [0, 1, -0.0, .nan, .infinity, -.infinity, -1, 2, .leastNonzeroMagnitude, 1 - .ulpOfOne / 2]
        for level in 0...255 {
            // x = 255·v crosses level + 0.5 here; probe the floats right around it.
            let boundary = (Float(level) + 0.5) / 255
            var v = boundary
            for _ in 0..<4 { v = v.nextDown }
            for _ in 0..<9 { values.append(v); v = v.nextUp }
        }
        for step in 0..<4096 { values.append(Float(step) / 4095) }
        let image = FloatImage(width: values.count, height: 1, pixels: values.flatMap { [$0, $0, $0] })
        let quantized = image.quantized().pixels
        for (i, v) in values.enumerated() {
            #expect(quantized[3 * i] == Self.definition(v), "value \(v) (bits \(String(v.bitPattern, radix: 16)))")
        }
    }
}
