import Foundation
import Tensors

/// Synthetic noise / blur sweeps with a planted collapse.
///
/// The embedding of the variant at level ℓ with seed r is
/// `√cone·u₀ + a(ℓ)·x + b(ℓ)·z + n(ℓ)·ε_{r,ℓ}`, with x the clean image's content direction, z the
/// collapsed state the model maps heavily degraded images to, s(ℓ) = logistic((ℓ − ℓ₀)/width),
/// a = 1 − s·fade, b = strength·s, and n(ℓ) = noise + wander·ℓ/ℓ_max (fresh Gaussian per variant).
/// With `strength` 0 there is no collapse: the variants drift away from the image and from each
/// other (a pixel encoder under noise); with `fade` 0 and `strength` 0 the model is robust.
public struct SyntheticCollapse: Sendable {
    /// Levels of the sweep (preset units), ascending.
    public var levels: [Double] = (0..<100).map { Double($0) / 99 }
    /// Noise seeds (replicates).
    public var seeds: Int = 3
    /// Embedding dimension.
    public var dimension: Int = 64
    /// The planted collapse midpoint ℓ₀ and logistic width (level units).
    public var collapseLevel: Double = 0.4
    /// Logistic width of the collapse (level units).
    public var collapseWidth: Double = 0.05
    /// Weight of the collapsed state z at full collapse (0 = no collapse).
    public var strength: Double = 1
    /// How much of the image content is lost at full degradation (0…1).
    public var fade: Double = 1
    /// Per-variant noise: base level and growth over the sweep.
    public var noise: Double = 0.05
    /// Growth of the per-variant noise from the first to the last level.
    public var wander: Double = 0
    /// Squared weight of the cone coordinate.
    public var cone: Double = 0.5
    /// Seed of the image (content direction, collapsed state, noise).
    public var seed: UInt64 = 1

    public init() {}

    /// One image's sweep: variant embeddings (levels × seeds rows, level-major), the clean
    /// embedding (1 × d), and each row's level and seed.
    public func sweep() -> (variants: Matrix, clean: Matrix, levels: [Double], seeds: [Int]) {
        var random = SyntheticRandom(seed: seed)
        let conePart = [1.0] + [Double](repeating: 0, count: dimension - 1)
        let content = orthogonalized(random.unitVector(dimension), against: [conePart])
        let collapsed = orthogonalized(random.unitVector(dimension), against: [conePart, content])
        let top = levels.last ?? 1
        var rows: [[Double]] = []
        var levelList: [Double] = []
        var seedList: [Int] = []
        for level in levels {
            let s = 1 / (1 + exp(-(level - collapseLevel) / max(collapseWidth, 1e-9)))
            let a = 1 - s * fade
            let b = strength * s
            let n = noise + wander * level / max(top, 1e-9)
            for r in 0..<seeds {
                var row = [Double](repeating: 0, count: dimension)
                for k in 0..<dimension {
                    row[k] = cone.squareRoot() * conePart[k] + a * content[k] + b * collapsed[k]
                        + n * random.gaussian() / Double(dimension).squareRoot()
                }
                rows.append(row)
                levelList.append(level)
                seedList.append(r)
            }
        }
        let clean = (0..<dimension).map { cone.squareRoot() * conePart[$0] + content[$0] }
        return (SyntheticCosine.embeddings(rows), SyntheticCosine.embeddings([clean]), levelList, seedList)
    }

    private func orthogonalized(_ v: [Double], against basis: [[Double]]) -> [Double] {
        var w = v
        for b in basis {
            let norm2 = b.reduce(0) { $0 + $1 * $1 }
            let dot = zip(w, b).reduce(0) { $0 + $1.0 * $1.1 }
            for k in 0..<w.count { w[k] -= dot / max(norm2, 1e-300) * b[k] }
        }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return w.map { $0 / max(norm, 1e-300) }
    }
}

/// Synthetic explicit-flip data and unrelated images for a baseline.
public struct SyntheticFlips: Sendable {
    /// Number of variants (each with its mirror).
    public var variants: Int = 8
    /// Embedding dimension.
    public var dimension: Int = 64
    /// Squared weight of the cone coordinate shared by all images.
    public var cone: Double = 1
    /// Cosine between a variant's content and its mirror's content (1 = invariant).
    public var invariance: Double = 0.5
    /// Seed of the directions.
    public var seed: UInt64 = 1

    public init() {}

    /// `originals` and their `mirrors` (row i mirrors row i), plus `unrelated` images (one per
    /// source, `sources` of them) sharing only the cone.
    public func make(sources: Int = 12) -> (originals: Matrix, mirrors: Matrix, unrelated: Matrix) {
        var random = SyntheticRandom(seed: seed)
        func image(_ content: [Double]) -> [Double] {
            [cone.squareRoot()] + content
        }
        var originals: [[Double]] = []
        var mirrors: [[Double]] = []
        for _ in 0..<variants {
            let x = random.unitVector(dimension - 1)
            let y = random.unitVector(dimension - 1)
            let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
            var yPerp = zip(y, x).map { $0 - dot * $1 }
            let norm = yPerp.reduce(0) { $0 + $1 * $1 }.squareRoot()
            yPerp = yPerp.map { $0 / max(norm, 1e-300) }
            let rho = min(1, max(-1, invariance))
            let m = zip(x, yPerp).map { rho * $0 + (1 - rho * rho).squareRoot() * $1 }
            originals.append(image(x))
            mirrors.append(image(m))
        }
        let unrelated = (0..<sources).map { _ in image(random.unitVector(dimension - 1)) }
        return (SyntheticCosine.embeddings(originals), SyntheticCosine.embeddings(mirrors),
                SyntheticCosine.embeddings(unrelated))
    }
}

/// Synthetic image and text embeddings for the cross-modal readout, with a modality gap.
///
/// Images sit in a cone around u_img, texts around u_txt (the gap); the caption shares a
/// content direction x with the clean image. Along the sweep the image's content turns from x
/// towards an unrelated direction y by `angle(level)`: cos = 1 at level 0, falling to
/// cos = `finalAlignment` at the last level.
public struct SyntheticCrossModal: Sendable {
    /// Sweep levels (the drift grows linearly with the level).
    public var levels: [Double] = (0..<20).map { Double($0) / 19 }
    /// Number of distractor prompts.
    public var distractors: Int = 80
    /// Embedding dimension.
    public var dimension: Int = 128
    /// Cosine between image and caption content at the last level.
    public var finalAlignment: Double = 0
    /// Weight of the content directions (images, caption and distractors).
    public var contentWeight: Double = 0.6
    /// Whether the caption describes the image (false: its content direction is unrelated, a null).
    public var captionMatchesImage: Bool = true
    /// Seed of the directions.
    public var seed: UInt64 = 1

    public init() {}

    /// Image variants (one per level), the caption (1 × d) and the distractors (m × d).
    public func make() -> (images: Matrix, caption: Matrix, distractors: Matrix) {
        var random = SyntheticRandom(seed: seed)
        let imageCone = random.unitVector(dimension)
        let textCone = random.unitVector(dimension)
        let x = random.unitVector(dimension)
        let y = random.unitVector(dimension)
        func mix(_ parts: [(Double, [Double])]) -> [Double] {
            (0..<dimension).map { k in parts.reduce(0) { $0 + $1.0 * $1.1[k] } }
        }
        let top = levels.last ?? 1
        let finalAngle = acos(min(1, max(-1, finalAlignment)))
        let images = levels.map { level -> [Double] in
            let angle = finalAngle * level / max(top, 1e-9)
            return mix([(1, imageCone), (contentWeight * cos(angle), x), (contentWeight * sin(angle), y),
                        (0.1, random.unitVector(dimension))])
        }
        let captionContent = captionMatchesImage ? x : random.unitVector(dimension)
        let caption = mix([(1, textCone), (contentWeight, captionContent)])
        let distractorRows = (0..<distractors).map { _ in mix([(1, textCone), (contentWeight, random.unitVector(dimension))]) }
        return (SyntheticCosine.embeddings(images), SyntheticCosine.embeddings([caption]),
                SyntheticCosine.embeddings(distractorRows))
    }
}
