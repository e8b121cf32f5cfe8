import Tensors

/// Image and caption embeddings of one model, paired by row and scaled to unit length.
///
/// Row i of `images` and row i of `texts` are one image–caption pair. Rows are L2-normalised with
/// `Similarity.unitRows`, so a degenerate row (non-finite values, or a (near-)zero norm) becomes
/// the zero vector, keeps Similarity's rule in every cosine (0 with other rows, 1 with another
/// degenerate row) and is named in `warnings`.
public struct PairedEmbeddings: Sendable {
    /// The image rows (n × d), unit length or zero.
    public let images: UnitEmbeddings
    /// The caption rows (n × d), unit length or zero.
    public let texts: UnitEmbeddings

    /// Number of pairs n (≥ 1).
    public var count: Int { images.matrix.rows }
    /// Embedding dimension d (≥ 1).
    public var dimension: Int { images.matrix.columns }
    /// Degenerate rows on either side, one warning per kind and side.
    public var warnings: [AnalysisWarning] { images.warnings + texts.warnings }

    /// Pairs from raw (or already normalised) embeddings: `images` and `texts` are n × d each.
    ///
    /// - Throws: `AnalysisError.invalidInput` when there is no pair, no column, or the two
    ///   matrices differ in rows (pairs) or columns (dimension).
    public init(images: Matrix, texts: Matrix) throws(AnalysisError) {
        guard images.rows == texts.rows else {
            throw AnalysisError(.invalidInput, "\(images.rows) image embeddings but \(texts.rows) caption embeddings: they must pair up row by row",
                                location: "pairs")
        }
        guard images.rows >= 1 else {
            throw AnalysisError(.invalidInput, "no image–caption pairs to analyse", location: "pairs")
        }
        guard images.columns == texts.columns, images.columns >= 1 else {
            throw AnalysisError(.invalidInput,
                                "image embeddings have dimension \(images.columns) but caption embeddings \(texts.columns)",
                                location: "embedding dimension")
        }
        self.images = Similarity.unitRows(images, label: "image embeddings")
        self.texts = Similarity.unitRows(texts, label: "caption embeddings")
    }
}

/// Mean cosines of the four regions of the joint image + caption similarity matrix.
///
/// In-modal means leave out the diagonal (a row with itself); `unmatchedPairs` leaves out the
/// matched pairs, so it compares like with like: two different items within a modality against
/// two different items across modalities. Every value is a cosine in [−1, 1]; nil where the region
/// is empty (one pair has no off-diagonal cell).
public struct ModalityCosines: Sendable, Equatable, Codable {
    /// Mean image–image cosine over i ≠ j.
    public var imageImage: Double?
    /// Mean caption–caption cosine over i ≠ j.
    public var textText: Double?
    /// Mean image–caption cosine of the matched pairs (i, i).
    public var matchedPairs: Double
    /// Mean image–caption cosine over i ≠ j (unmatched pairs).
    public var unmatchedPairs: Double?
    /// Mean image–caption cosine over all n² cells.
    public var crossModal: Double
    /// Mean of the two in-modal means minus `unmatchedPairs`: how much brighter the in-modal blocks
    /// of the heatmap are than the cross-modal ones (cosine units); nil with one pair.
    public var inModalMinusCrossModal: Double?

    enum CodingKeys: String, CodingKey {
        case imageImage = "image_image", textText = "text_text", matchedPairs = "matched_pairs"
        case unmatchedPairs = "unmatched_pairs", crossModal = "cross_modal"
        case inModalMinusCrossModal = "in_modal_minus_cross_modal"
    }

    /// The region means of the four quadrants of a joint similarity matrix of n pairs.
    public init(_ quadrants: SimilarityQuadrants) {
        let n = quadrants.imageImage.rows
        func offDiagonalMean(_ m: Matrix) -> Double? {
            guard n > 1 else { return nil }
            var sum = 0.0
            for i in 0..<n { for j in 0..<n where i != j { sum += Double(m[i, j]) } }
            return sum / Double(n * (n - 1))
        }
        var matched = 0.0, all = 0.0
        for i in 0..<n {
            matched += Double(quadrants.imageText[i, i])
            for j in 0..<n { all += Double(quadrants.imageText[i, j]) }
        }
        imageImage = offDiagonalMean(quadrants.imageImage)
        textText = offDiagonalMean(quadrants.textText)
        matchedPairs = matched / Double(max(n, 1))
        crossModal = all / Double(max(n * n, 1))
        unmatchedPairs = n > 1 ? (all - matched) / Double(n * (n - 1)) : nil
        if let imageImage, let textText, let unmatchedPairs {
            inModalMinusCrossModal = (imageImage + textText) / 2 - unmatchedPairs
        } else {
            inModalMinusCrossModal = nil
        }
    }
}

/// The modality gap of paired embeddings: the two centroids and the vector between them.
///
/// With unit rows x̂ᵢ (images) and ŷᵢ (captions), the centroids are c_img = (1/n) Σ x̂ᵢ and
/// c_txt = (1/n) Σ ŷᵢ, and the gap vector is **Δ = c_img − c_txt** (Liang et al. 2022, "Mind the
/// Gap"); its Euclidean norm ‖Δ‖ is the gap distance, in the units of the unit sphere (0 when the
/// centroids coincide, at most 2). A degenerate row counts as the zero vector (it pulls its
/// centroid towards the origin; `PairedEmbeddings.warnings` names it). Everything is computed in
/// Double and is finite.
public struct ModalityGap: Sendable, Equatable, Codable {
    /// Number of pairs n.
    public var pairCount: Int
    /// c_img, the mean of the unit image rows (d values).
    public var imageCentroid: [Double]
    /// c_txt, the mean of the unit caption rows (d values).
    public var textCentroid: [Double]
    /// Δ = c_img − c_txt (d values).
    public var vector: [Double]
    /// ‖Δ‖, the gap distance.
    public var distance: Double
    /// Δ / ‖Δ‖, or all zeros when ‖Δ‖ ≤ 1e-12 (no gap, no direction).
    public var direction: [Double]
    /// ‖c_img‖: 1 when all images embed to one point, near 0 when they spread over the sphere
    /// (the "cone" of the image embeddings).
    public var imageCentroidNorm: Double
    /// ‖c_txt‖, the same for the captions.
    public var textCentroidNorm: Double
    /// Cosine between the two centroids; 0 when either is zero.
    public var centroidCosine: Double
    /// The region means of the joint similarity matrix.
    public var cosines: ModalityCosines

    enum CodingKeys: String, CodingKey {
        case pairCount = "pair_count", imageCentroid = "image_centroid", textCentroid = "text_centroid"
        case vector, distance, direction, imageCentroidNorm = "image_centroid_norm"
        case textCentroidNorm = "text_centroid_norm", centroidCosine = "centroid_cosine", cosines = "mean_cosines"
    }

    /// Norms at or below this count as zero (no direction).
    public static let zeroNorm = 1e-12

    /// Measures the gap of `pairs`; `quadrants` are their cosines (computed when not given).
    public static func measure(_ pairs: PairedEmbeddings, quadrants: SimilarityQuadrants? = nil) -> ModalityGap {
        let imageCentroid = centroid(pairs.images.matrix)
        let textCentroid = centroid(pairs.texts.matrix)
        let vector = zip(imageCentroid, textCentroid).map { $0 - $1 }
        let distance = norm(vector)
        let imageNorm = norm(imageCentroid), textNorm = norm(textCentroid)
        var dot = 0.0
        for (a, b) in zip(imageCentroid, textCentroid) { dot += a * b }
        let cosine = imageNorm > zeroNorm && textNorm > zeroNorm ? min(1, max(-1, dot / (imageNorm * textNorm))) : 0
        let regions = quadrants ?? jointQuadrants(pairs)
        return ModalityGap(pairCount: pairs.count, imageCentroid: imageCentroid, textCentroid: textCentroid, vector: vector,
                           distance: distance, direction: distance > zeroNorm ? vector.map { $0 / distance } : vector.map { _ in 0 },
                           imageCentroidNorm: imageNorm, textCentroidNorm: textNorm, centroidCosine: cosine,
                           cosines: ModalityCosines(regions))
    }

    /// The four cosine quadrants of `pairs` (images first), through BLAS with Similarity's rules.
    public static func jointQuadrants(_ pairs: PairedEmbeddings) -> SimilarityQuadrants {
        let images = pairs.images, texts = pairs.texts
        var imageImage = Similarity.product(images, images)
        var textText = Similarity.product(texts, texts)
        for i in 0..<pairs.count {
            imageImage[i, i] = 1
            textText[i, i] = 1
        }
        let imageText = Similarity.product(images, texts)
        var textImage = Matrix(rows: pairs.count, columns: pairs.count)
        for i in 0..<pairs.count { for j in 0..<pairs.count { textImage[j, i] = imageText[i, j] } }
        return SimilarityQuadrants(imageImage: imageImage, imageText: imageText, textImage: textImage, textText: textText,
                                   warnings: pairs.warnings)
    }

    /// The mean of the rows, in Double.
    static func centroid(_ rows: Matrix) -> [Double] {
        var sum = [Double](repeating: 0, count: rows.columns)
        for i in 0..<rows.rows {
            for j in 0..<rows.columns { sum[j] += Double(rows.values[i * rows.columns + j]) }
        }
        let scale = 1 / Double(max(rows.rows, 1))
        return sum.map { $0 * scale }
    }

    /// The Euclidean norm.
    static func norm(_ v: [Double]) -> Double {
        v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
