import Tensors

/// The joint embeddings of both modalities in the plane of their leading principal components,
/// and how much of their spread the gap accounts for.
public struct ModalityGapProjection: Sendable, Equatable, Codable {
    /// PCA of the 2n unit rows (images first, then captions), centred on their joint mean.
    public var pca: PrincipalComponents
    /// Share of the joint variance along the gap direction Δ/‖Δ‖, in [0, 1] (0 without a gap).
    public var gapVarianceShare: Double
    /// Cosine between Δ and each principal component (Δ/‖Δ‖ · componentₖ; 0 without a gap).
    public var gapAlignment: [Double]
    /// Length of the projection of Δ/‖Δ‖ onto the plane of the first two components, in [0, 1]:
    /// 1 when the 2-D picture shows the gap at full length.
    public var gapInPlane: Double
    /// The image centroid's coordinates on the components.
    public var imageCentroid: [Double]
    /// The caption centroid's coordinates on the components.
    public var textCentroid: [Double]

    enum CodingKeys: String, CodingKey {
        case pca, gapVarianceShare = "gap_variance_share", gapAlignment = "gap_alignment", gapInPlane = "gap_in_plane"
        case imageCentroid = "image_centroid", textCentroid = "text_centroid"
    }
}

/// The cluster order of the joint image + caption similarity matrix.
public struct ModalityGapSeriation: Sendable, Equatable {
    /// Average-linkage clustering of the joint matrix (leaves: images 0..<n, captions n..<2n).
    public var dendrogram: Dendrogram
    /// The dendrogram's leaf order (the pure seriation, modalities mixed as the clustering has them).
    public var jointOrder: [Int]
    /// The joint leaf order split by modality, images first (each in its leaf order): the order of
    /// the drawn heatmap, so one separator divides images from captions.
    public var grouped: [Int]
    /// The joint matrix in `grouped` order.
    public var groupedMatrix: Matrix
    /// Whether the dendrogram's top split is exactly images versus captions.
    public var topSplitIsModality: Bool
    /// Of the two clusters under the top split, the fraction of items that belong to their
    /// cluster's majority modality, in [0.5, 1]: 1 when the split separates the modalities.
    public var topSplitPurity: Double
}

/// Everything the modality-gap toolkit measures on one set of image–caption pairs.
///
/// Pure: embeddings in, numbers and matrices out. Run `analyze` once per model.
public struct ModalityGapAnalysis: Sendable {
    /// The gap: centroids, Δ, ‖Δ‖ and the region means.
    public var gap: ModalityGap
    /// Loss, accuracy and centroid distance for each λ of the shift, in the order given.
    public var shift: [GapShiftPoint]
    /// The cosine quadrants of the unshifted embeddings.
    public var quadrants: SimilarityQuadrants
    /// The joint (2n × 2n) cosine matrix, images first.
    public var joint: Matrix
    /// The cluster order of `joint`.
    public var seriation: ModalityGapSeriation
    /// The PCA of the joint embeddings.
    public var projection: ModalityGapProjection
    /// The logit scale the loss used (exp(logit_scale)).
    public var logitScale: Double
    /// Degenerate rows, collapsed shifted rows, too few pairs.
    public var warnings: [AnalysisWarning]

    /// Largest number of pairs (the joint matrix is 2n × 2n; its seriation keeps n(2n − 1) Doubles).
    public static let maximumPairs = Seriation.maximumSize / 2

    /// Gap, shift curve, seriation and projection of n image–caption pairs.
    ///
    /// - Parameters:
    ///   - images: n × d image embeddings (raw or normalised; rows are L2-normalised here).
    ///   - texts: n × d caption embeddings, row i describing image i.
    ///   - logitScale: the model's exp(logit_scale), for the contrastive loss.
    ///   - lambdas: the shift grid (see `GapShift`).
    ///   - components: principal components to keep (≥ 2; the plot uses the first two).
    /// - Throws: `AnalysisError` for shapes that do not pair up, more than `maximumPairs` pairs,
    ///   a logit scale or λ out of range.
    public static func analyze(images: Matrix, texts: Matrix, logitScale: Double, lambdas: [Double] = GapShift.defaultLambdas,
                               components: Int = 10) throws(AnalysisError) -> ModalityGapAnalysis {
        guard images.rows <= maximumPairs else {
            throw AnalysisError(.invalidArgument, "\(images.rows) pairs exceed the limit of \(maximumPairs) for one gap analysis",
                                location: "pairs")
        }
        let pairs = try PairedEmbeddings(images: images, texts: texts)
        let quadrants = ModalityGap.jointQuadrants(pairs)
        let gap = ModalityGap.measure(pairs, quadrants: quadrants)
        let shift = try GapShift.curve(pairs, gap: gap, lambdas: lambdas, logitScale: logitScale)
        let joint = quadrants.joint()
        let seriation = try seriate(joint, pairCount: pairs.count)
        let projection = try project(pairs, gap: gap, components: max(2, components))

        var warnings = pairs.warnings
        if pairs.count < 2 {
            warnings.append(AnalysisWarning(code: "single-pair",
                                            message: "one image–caption pair: the loss is 0 and the accuracy 1 at every shift, and there are no in-modal or unmatched pairs to average"))
        }
        let collapsed = shift.filter { $0.collapsedRows > 0 }
        if !collapsed.isEmpty {
            let lambdaList = collapsed.prefix(6).map { String($0.lambda) }.joined(separator: ", ") + (collapsed.count > 6 ? ", …" : "")
            warnings.append(AnalysisWarning(code: "shift-collapsed-rows",
                                            message: "at λ = \(lambdaList) some shifted embeddings had (near-)zero length and were set to zero (collapsed_rows in the curve)"))
        }
        return ModalityGapAnalysis(gap: gap, shift: shift, quadrants: quadrants, joint: joint, seriation: seriation,
                                   projection: projection, logitScale: logitScale, warnings: warnings)
    }

    /// The joint seriation, its modality-grouped order and the top split's purity.
    static func seriate(_ joint: Matrix, pairCount n: Int) throws(AnalysisError) -> ModalityGapSeriation {
        let dendrogram = try Seriation.averageLinkage(similarities: joint)
        let order = dendrogram.leafOrder
        let grouped = order.filter { $0 < n } + order.filter { $0 >= n }
        let labels = dendrogram.clusters(count: 2)
        var counts = [[Int]](repeating: [0, 0], count: 2)  // [cluster][modality]
        for (item, label) in labels.enumerated() where label < 2 { counts[label][item < n ? 0 : 1] += 1 }
        let majority = counts.reduce(0) { $0 + max($1[0], $1[1]) }
        let purity = Double(majority) / Double(max(2 * n, 1))
        let isModality = counts.allSatisfy { min($0[0], $0[1]) == 0 } && counts.allSatisfy { $0[0] + $0[1] > 0 }
        return ModalityGapSeriation(dendrogram: dendrogram, jointOrder: order, grouped: grouped,
                                    groupedMatrix: Seriation.reordered(joint, by: grouped),
                                    topSplitIsModality: isModality, topSplitPurity: purity)
    }

    /// PCA of the stacked unit rows and the gap's share of it.
    static func project(_ pairs: PairedEmbeddings, gap: ModalityGap, components: Int) throws(AnalysisError) -> ModalityGapProjection {
        let stacked = Matrix(rows: 2 * pairs.count, columns: pairs.dimension,
                             values: pairs.images.matrix.values + pairs.texts.matrix.values)
        let pca = try Projection.pca(stacked, components: components)
        let alignment = pca.components.map { component in zip(component, gap.direction).reduce(0) { $0 + $1.0 * $1.1 } }
        let inPlane = alignment.prefix(2).reduce(0) { $0 + $1 * $1 }.squareRoot()
        return ModalityGapProjection(pca: pca, gapVarianceShare: Projection.varianceShare(of: stacked, along: gap.direction),
                                     gapAlignment: alignment, gapInPlane: min(1, inPlane),
                                     imageCentroid: pca.coordinates(of: gap.imageCentroid),
                                     textCentroid: pca.coordinates(of: gap.textCentroid))
    }
}
