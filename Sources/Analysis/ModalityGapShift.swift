import Foundation
import Tensors

/// CLIP's contrastive loss and top-1 retrieval accuracy of one batch of image–caption pairs.
public struct ContrastiveEvaluation: Sendable, Equatable, Codable {
    /// The symmetric loss (ℓ_img→txt + ℓ_txt→img) / 2, in nats.
    public var loss: Double
    /// ℓ_img→txt: mean cross-entropy of picking each image's caption among all captions (nats).
    public var lossImageToText: Double
    /// ℓ_txt→img: mean cross-entropy of picking each caption's image among all images (nats).
    public var lossTextToImage: Double
    /// Fraction of images whose own caption has the strictly largest logit (ties count as misses).
    public var accuracyImageToText: Double
    /// Fraction of captions whose own image has the strictly largest logit (ties count as misses).
    public var accuracyTextToImage: Double

    enum CodingKeys: String, CodingKey {
        case loss, lossImageToText = "loss_image_to_text", lossTextToImage = "loss_text_to_image"
        case accuracyImageToText = "accuracy_image_to_text", accuracyTextToImage = "accuracy_text_to_image"
    }
}

/// CLIP's symmetric InfoNCE loss (Radford et al. 2021), as open_clip's `ClipLoss` computes it on one batch.
///
/// With rows xᵢ (images) and yⱼ (captions) and the model's logit scale s = exp(logit_scale), the
/// logits are Lᵢⱼ = s · xᵢ·yⱼ (cosines when the rows are unit length) and
///
///     ℓ_img→txt = −(1/n) Σᵢ log( exp(Lᵢᵢ) / Σⱼ exp(Lᵢⱼ) )
///     ℓ_txt→img = −(1/n) Σⱼ log( exp(Lⱼⱼ) / Σᵢ exp(Lᵢⱼ) )
///     loss      = (ℓ_img→txt + ℓ_txt→img) / 2          (nats)
///
/// The whole set is one batch, so the loss grows with log n: compare losses of equally many pairs.
/// A perfectly separated batch tends to 0; logits all equal give log n. Sums use the log-sum-exp
/// trick in Double, so every result is finite.
public enum ContrastiveLoss {
    /// The largest logit scale accepted (CLIP clamps exp(logit_scale) at 100; this leaves room).
    public static let maximumLogitScale = 1e4

    /// Loss and accuracy of the pairs (row i of `images` with row i of `texts`); rows used as given.
    ///
    /// - Parameters:
    ///   - images: n × d rows (L2-normalised rows make the logits scaled cosines).
    ///   - texts: n × d rows.
    ///   - logitScale: s = exp(logit_scale), the multiplier of the cosines; finite, in (0, 1e4].
    /// - Throws: `AnalysisError.invalidInput` for no pair or shapes that differ,
    ///   `.invalidArgument` for a logit scale out of range.
    public static func evaluate(images: Matrix, texts: Matrix, logitScale: Double) throws(AnalysisError) -> ContrastiveEvaluation {
        guard images.rows == texts.rows, images.columns == texts.columns, images.rows >= 1 else {
            throw AnalysisError(.invalidInput,
                                "the contrastive loss needs n ≥ 1 pairs of equal width (got \(images.rows)×\(images.columns) images, \(texts.rows)×\(texts.columns) captions)",
                                location: "pairs")
        }
        try checkLogitScale(logitScale)
        try images.requireFinite("image embeddings")
        try texts.requireFinite("caption embeddings")
        return evaluate(dots: images.multiplied(by: texts, transposeOther: true), logitScale: logitScale)
    }

    /// Checks s is finite and in (0, `maximumLogitScale`].
    static func checkLogitScale(_ s: Double) throws(AnalysisError) {
        guard s.isFinite, s > 0, s <= maximumLogitScale else {
            throw AnalysisError(.invalidArgument,
                                "the logit scale exp(logit_scale) must be a finite number in (0, \(Int(maximumLogitScale))] (got \(s))",
                                location: "logit scale")
        }
    }

    /// Loss and accuracy from the n × n dot products (row = image, column = caption).
    ///
    /// One pass computes every exp(Lᵢⱼ − c) once, with c the largest logit, and sums it into its
    /// row and its column; when the logits span more than 600 (where exp(−span) would lose
    /// precision) each row and column is shifted by its own maximum instead.
    static func evaluate(dots: Matrix, logitScale s: Double) -> ContrastiveEvaluation {
        let n = dots.rows
        let values = dots.values
        @inline(__always) func logit(_ index: Int) -> Double {
            let x = Double(values[index])
            return x.isFinite ? s * x : 0
        }
        var largest = -Double.infinity, smallest = Double.infinity
        var rowOther = [Double](repeating: -.infinity, count: n), columnOther = [Double](repeating: -.infinity, count: n)
        for i in 0..<n {
            for j in 0..<n {
                let value = logit(i * n + j)
                largest = max(largest, value)
                smallest = min(smallest, value)
                if i != j {
                    rowOther[i] = max(rowOther[i], value)
                    columnOther[j] = max(columnOther[j], value)
                }
            }
        }
        var rowShift = [Double](repeating: largest, count: n), columnShift = rowShift
        if largest - smallest > 600 {
            for i in 0..<n {
                rowShift[i] = max(rowOther[i], logit(i * n + i))
                columnShift[i] = max(columnOther[i], logit(i * n + i))
            }
        }
        var rowSums = [Double](repeating: 0, count: n), columnSums = [Double](repeating: 0, count: n)
        if largest - smallest > 600 {
            for i in 0..<n {
                for j in 0..<n {
                    let value = logit(i * n + j)
                    rowSums[i] += exp(value - rowShift[i])
                    columnSums[j] += exp(value - columnShift[j])
                }
            }
        } else {
            for i in 0..<n {
                var rowSum = 0.0
                for j in 0..<n {
                    let term = exp(logit(i * n + j) - largest)
                    rowSum += term
                    columnSums[j] += term
                }
                rowSums[i] = rowSum
            }
        }
        var lossImages = 0.0, lossTexts = 0.0
        var hitsImages = 0, hitsTexts = 0
        for i in 0..<n {
            let own = logit(i * n + i)
            lossImages += rowShift[i] + log(rowSums[i]) - own
            lossTexts += columnShift[i] + log(columnSums[i]) - own
            if own > rowOther[i] { hitsImages += 1 }
            if own > columnOther[i] { hitsTexts += 1 }
        }
        let count = Double(n)
        // Rounding can make a per-row loss a hair below 0 (its true minimum); keep the sums ≥ 0.
        let imageToText = max(0, lossImages / count), textToImage = max(0, lossTexts / count)
        return ContrastiveEvaluation(loss: (imageToText + textToImage) / 2, lossImageToText: imageToText,
                                     lossTextToImage: textToImage, accuracyImageToText: Double(hitsImages) / count,
                                     accuracyTextToImage: Double(hitsTexts) / count)
    }
}

/// One point of the loss-versus-shift curve.
public struct GapShiftPoint: Sendable, Equatable, Codable {
    /// λ, the fraction of the gap closed (0: as embedded; 1: centroids meet before re-normalisation).
    public var lambda: Double
    /// Signed distance between the centroids of the shifted, re-normalised embeddings:
    /// ‖c′_img − c′_txt‖, negative when c′_img − c′_txt points against Δ (the gap reversed).
    public var centroidDistance: Double
    /// Loss and accuracy of the shifted embeddings.
    public var evaluation: ContrastiveEvaluation
    /// Rows whose shifted vector had (near-)zero length and were set to zero (normally 0).
    public var collapsedRows: Int

    enum CodingKeys: String, CodingKey {
        case lambda, centroidDistance = "centroid_distance", evaluation, collapsedRows = "collapsed_rows"
    }
}

/// Closing the modality gap by shifting both modalities along Δ (Liang et al. 2022, "Mind the Gap", §4.2).
///
/// For λ ∈ ℝ every unit row moves by half the gap towards the other modality's side, then is put
/// back on the sphere:
///
///     x′ᵢ = (x̂ᵢ − λΔ/2) / ‖x̂ᵢ − λΔ/2‖        y′ᵢ = (ŷᵢ + λΔ/2) / ‖ŷᵢ + λΔ/2‖
///
/// Before re-normalisation the centroids are c_img − λΔ/2 and c_txt + λΔ/2, so they are (1 − λ)Δ
/// apart: λ = 0 keeps the embeddings, λ = 1 makes the centroids meet, λ = 2 swaps them, λ < 0
/// widens the gap. (Liang et al.'s code steps along the unit direction Δ/‖Δ‖; their δ is λ‖Δ‖.)
/// Degenerate rows stay zero; a shifted row of length ≤ `collapseNorm` becomes zero and is counted.
public enum GapShift {
    /// λ from −1 to 2 in steps of 0.1: widening the gap to twice its size, closing it (λ = 1) and
    /// reversing it.
    public static let defaultLambdas: [Double] = (-10...20).map { Double($0) / 10 }
    /// Largest |λ| accepted.
    public static let maximumLambda = 1000.0
    /// Largest number of λ values accepted.
    public static let maximumLambdaCount = 10_001
    /// Shifted rows of at most this length are set to zero instead of being re-normalised.
    public static let collapseNorm = 1e-6

    /// The shifted image and caption rows for one λ.
    ///
    /// - Parameters:
    ///   - renormalize: put every row back on the unit sphere (the definition); false returns
    ///     x̂ᵢ − λΔ/2 and ŷᵢ + λΔ/2 as they are (their centroids are exactly (1 − λ)Δ apart).
    /// - Returns: both n × d matrices and the number of rows that collapsed to zero.
    public static func shifted(_ pairs: PairedEmbeddings, gap: ModalityGap, lambda: Double,
                               renormalize: Bool = true) -> (images: Matrix, texts: Matrix, collapsedRows: Int) {
        let step = gap.vector.map { lambda * $0 / 2 }
        let (images, collapsedImages) = move(pairs.images, by: step, sign: -1, renormalize: renormalize)
        let (texts, collapsedTexts) = move(pairs.texts, by: step, sign: 1, renormalize: renormalize)
        return (images, texts, collapsedImages + collapsedTexts)
    }

    /// The loss, accuracy and centroid distance at every λ of `lambdas` (in the order given).
    ///
    /// - Parameters:
    ///   - logitScale: s = exp(logit_scale), the model's multiplier of the cosines.
    /// - Throws: `AnalysisError.invalidArgument` for a logit scale out of range, no λ, more than
    ///   `maximumLambdaCount`, or a λ that is not finite or beyond ±`maximumLambda`.
    public static func curve(_ pairs: PairedEmbeddings, gap: ModalityGap, lambdas: [Double] = defaultLambdas,
                             logitScale: Double) throws(AnalysisError) -> [GapShiftPoint] {
        try ContrastiveLoss.checkLogitScale(logitScale)
        try checkLambdas(lambdas)
        return lambdas.map { lambda in
            let (images, texts, collapsed) = shifted(pairs, gap: gap, lambda: lambda)
            let evaluation = ContrastiveLoss.evaluate(dots: images.multiplied(by: texts, transposeOther: true), logitScale: logitScale)
            return GapShiftPoint(lambda: lambda, centroidDistance: signedCentroidDistance(images, texts, gap: gap),
                                 evaluation: evaluation, collapsedRows: collapsed)
        }
    }

    /// Checks a λ grid (see `curve`).
    public static func checkLambdas(_ lambdas: [Double]) throws(AnalysisError) {
        guard !lambdas.isEmpty, lambdas.count <= maximumLambdaCount else {
            throw AnalysisError(.invalidArgument, "the shift needs 1 to \(maximumLambdaCount) values of λ (got \(lambdas.count))",
                                location: "lambda")
        }
        for lambda in lambdas where !(lambda.isFinite && abs(lambda) <= maximumLambda) {
            throw AnalysisError(.invalidArgument, "λ must be a finite number within ±\(Int(maximumLambda)) (got \(lambda))",
                                location: "lambda")
        }
    }

    /// ‖c′_img − c′_txt‖ with the sign of (c′_img − c′_txt)·Δ (positive when Δ is 0).
    static func signedCentroidDistance(_ images: Matrix, _ texts: Matrix, gap: ModalityGap) -> Double {
        let difference = zip(ModalityGap.centroid(images), ModalityGap.centroid(texts)).map { $0 - $1 }
        var along = 0.0
        for (a, b) in zip(difference, gap.vector) { along += a * b }
        let distance = ModalityGap.norm(difference)
        return along < 0 ? -distance : distance
    }

    /// Rows + sign·step, optionally re-normalised; degenerate rows stay zero.
    private static func move(_ rows: UnitEmbeddings, by step: [Double], sign: Double,
                             renormalize: Bool) -> (Matrix, Int) {
        let n = rows.matrix.rows, d = rows.matrix.columns
        var result = Matrix(rows: n, columns: d)
        var collapsed = 0
        var moved = [Double](repeating: 0, count: d)
        for i in 0..<n where !rows.isDegenerate[i] {
            var squared = 0.0
            for j in 0..<d {
                moved[j] = Double(rows.matrix.values[i * d + j]) + sign * step[j]
                squared += moved[j] * moved[j]
            }
            let length = squared.squareRoot()
            if renormalize {
                guard length > collapseNorm else { collapsed += 1; continue }
                for j in 0..<d { result.values[i * d + j] = Float(moved[j] / length) }
            } else {
                for j in 0..<d { result.values[i * d + j] = Float(moved[j]) }
            }
        }
        return (result, collapsed)
    }
}
