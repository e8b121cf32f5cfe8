import Foundation
import Tensors
import AugLabTestSupport

/// The reference values written by scripts/reference/analysis_reference.py (numpy / scipy).
enum ReferenceData {
    struct TCase: Decodable { var t: Double; var df: Double; var p: Double }
    struct ChiCase: Decodable { var x: Double; var df: Double; var p: Double }
    struct Quantiles: Decodable { var data: [Double]; var q: [Double]; var values: [Double] }
    struct HarmonicsCase: Decodable { var profile: [Double]; var amplitudes: [Double] }
    struct CosineCase: Decodable { var embeddings: [[Double]]; var cosine: [[Double]] }
    struct EigenCase: Decodable { var matrix: [[Double]]; var values: [Double]; var vectors: [[Double]] }
    struct FourFoldCase: Decodable {
        var profile: [Double]; var excess: Double; var envelope: Double; var irregularity: Double
        var noise: Double; var references: Int; var p: Double
    }
    struct AxisCase: Decodable {
        var matrix: [[Double]]; var halfWidth: Int; var flank: Int; var profile: [Double]; var excess: [Double]
        enum CodingKeys: String, CodingKey { case matrix, halfWidth = "half_width", flank, profile, excess }
    }
    struct File: Decodable {
        var tUpper: [TCase]; var chi2Upper: [ChiCase]; var quantiles: Quantiles; var harmonics: HarmonicsCase
        var cosine: CosineCase; var eigen: EigenCase; var fourfold: [FourFoldCase]; var axis: AxisCase
        enum CodingKeys: String, CodingKey {
            case tUpper = "t_upper", chi2Upper = "chi2_upper", quantiles, harmonics, cosine, eigen, fourfold, axis
        }
    }

    static func load() throws -> File {
        let url = Fixtures.package("scripts/reference/analysis/reference.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func matrix(_ rows: [[Double]]) -> Matrix {
        Matrix(stacking: rows.map { $0.map(Float.init) }, columns: rows.first?.count ?? 0)
    }
}
