import Foundation
import Tensors
import AugLabTestSupport

/// The reference values written by scripts/reference/gap_reference.py (numpy, scipy, open_clip's ClipLoss).
enum GapReference {
    struct Cosines: Decodable {
        var imageImage: Double, textText: Double, matchedPairs: Double, unmatchedPairs: Double, crossModal: Double
        var inModalMinusCrossModal: Double
        enum CodingKeys: String, CodingKey {
            case imageImage = "image_image", textText = "text_text", matchedPairs = "matched_pairs"
            case unmatchedPairs = "unmatched_pairs", crossModal = "cross_modal", inModalMinusCrossModal = "in_modal_minus_cross_modal"
        }
    }
    struct Point: Decodable {
        var lambda: Double, centroidDistance: Double, loss: Double, lossImageToText: Double, lossTextToImage: Double
        var accuracyImageToText: Double, accuracyTextToImage: Double
        enum CodingKeys: String, CodingKey {
            case lambda, centroidDistance = "centroid_distance", loss, lossImageToText = "loss_image_to_text"
            case lossTextToImage = "loss_text_to_image", accuracyImageToText = "accuracy_image_to_text"
            case accuracyTextToImage = "accuracy_text_to_image"
        }
    }
    struct Curve: Decodable {
        var logitScale: Double, points: [Point]
        enum CodingKeys: String, CodingKey { case logitScale = "logit_scale", points }
    }
    struct PCA: Decodable {
        var components: [[Double]], explainedVariance: [Double], explainedVarianceRatio: [Double], totalVariance: Double
        var scores: [[Double]], gapVarianceShare: Double, gapAlignment: [Double]
        enum CodingKeys: String, CodingKey {
            case components, explainedVariance = "explained_variance", explainedVarianceRatio = "explained_variance_ratio"
            case totalVariance = "total_variance", scores, gapVarianceShare = "gap_variance_share", gapAlignment = "gap_alignment"
        }
    }
    struct Planted: Decodable {
        var images: [[Double]], texts: [[Double]], plantedImageDirection: [Double], plantedTextDirection: [Double]
        var imageCentroid: [Double], textCentroid: [Double], gap: [Double], distance: Double, meanCosines: Cosines
        var curves: [String: Curve], pca: PCA
        enum CodingKeys: String, CodingKey {
            case images, texts, plantedImageDirection = "planted_image_direction", plantedTextDirection = "planted_text_direction"
            case imageCentroid = "image_centroid", textCentroid = "text_centroid", gap, distance, meanCosines = "mean_cosines"
            case curves, pca
        }
    }
    struct SeriationCase: Decodable { var similarities: [[Double]]; var linkage: [[Double]]; var leaves: [Int] }
    struct File: Decodable {
        var lambdas: [Double], planted: Planted, seriation: SeriationCase, seriationTies: SeriationCase
        enum CodingKeys: String, CodingKey { case lambdas, planted, seriation, seriationTies = "seriation_ties" }
    }

    static func load() throws -> File {
        let url = Fixtures.package("scripts/reference/gap_reference.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func matrix(_ rows: [[Double]]) -> Matrix {
        Matrix(stacking: rows.map { $0.map(Float.init) }, columns: rows.first?.count ?? 0)
    }

    /// Largest |a − b| over two equally long lists (∞ when the lengths differ).
    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}
