import Analysis
import AugLabTestSupport
import Foundation
import Imaging
import Tensors
@testable import Reports

/// Report documents built from synthetic data, shaped like `auglab run`'s.
enum SyntheticReport {
    static let hostileCaption = "<script>alert(1)</script>"
    static let hostileFile = "\"><img src=x onerror=alert(2)>.png"
    static let hostileModel = "</script><script>alert(3)</script>"

    struct Shape {
        var images = 1
        var models = 2
        var variants = 40
        var presets = ["rotation-40", "noise-12"]
        var texts = 0
        var hostile = false
    }

    /// A deterministic pseudo-random stream (SplitMix64).
    struct Stream {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// A photo-like base picture: a real sample image scaled down once.
    static func basePicture(side: Int) throws -> RGBImage {
        let bytes = [UInt8](try Fixtures.sharedData("images/astronaut.png"))
        let photo = try PNGCodec.decode(bytes).image
        return try photo.resized(width: side, height: side)
    }

    /// The thumbnail of variant `k`: the picture with seeded noise growing with k (noise makes
    /// JPEGs larger than rotations or blur do, so sizes measured with it are on the safe side).
    static func variantThumbnail(_ base: RGBImage, k: Int, of count: Int, seed: UInt64) throws -> ReportThumbnail {
        var stream = Stream(state: seed &+ UInt64(k))
        var pixels = base.pixels
        let amplitude = 80 * Double(k) / Double(max(1, count - 1))
        for i in pixels.indices {
            let noisy = Double(pixels[i]) + (stream.unit() - 0.5) * 2 * amplitude
            pixels[i] = UInt8(max(0, min(255, noisy.rounded())))
        }
        return try ReportThumbnail.make(from: RGBImage(width: base.width, height: base.height, pixels: pixels))
    }

    /// A symmetric similarity-like matrix with a diagonal, a 90°-ish lattice and noise.
    static func similarities(n: Int, model: Int, image: Int, preset: Int) -> Matrix {
        var stream = Stream(state: UInt64(1000 * model + 100 * image + preset))
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in i..<n {
                let d = Double(min(j - i, n - (j - i))) / Double(n)
                let lattice = 0.03 * Double(model) * cos(8 * Double.pi * Double(i) / Double(n)) * cos(8 * Double.pi * Double(j) / Double(n))
                let value = i == j ? 1 : 0.6 + 0.35 * exp(-12 * d) + lattice + 0.01 * (stream.unit() - 0.5)
                m[i, j] = Float(value)
                m[j, i] = Float(value)
            }
        }
        return m
    }

    static func rectangular(rows: Int, columns: Int, seed: UInt64, base: Double) -> Matrix {
        var stream = Stream(state: seed)
        return Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in Float(base + 0.1 * stream.unit()) })
    }

    static func finding(_ detector: DetectorKind, component: String? = nil, detected: Bool, image: String, model: String,
                        preset: String, value: Double? = nil, ci: [Double]? = nil, unit: String? = nil,
                        control: ControlCheck? = nil) -> Finding {
        Finding(detector: detector, component: component, detected: detected, score: detected ? 0.31 : 0.02,
                effect: detected ? 0.27 : 0.004, pValue: detected ? 0.004 : 0.41, ci: ci, ciLevel: ci == nil ? nil : 0.95,
                value: value, unit: unit, statistic: "synthetic", thresholds: Thresholds(alpha: 0.025, comparisons: 2, effectFloor: 0.05),
                nullModel: "synthetic", baseline: 0.6, control: control, image: image, model: model, preset: preset)
    }

    /// Gives a matrix set text quadrants: `count` texts (the caption first), image–text cosines,
    /// their transpose, and text–text cosines with a unit diagonal.
    static func addTexts(_ count: Int, to set: inout ReportMatrixSet, caption: String, seed: UInt64, textSeed: UInt64? = nil) {
        let n = set.imageImage.rows
        let it = rectangular(rows: n, columns: count, seed: seed, base: 0.2)
        var ti = Matrix(rows: count, columns: n)
        for r in 0..<n { for c in 0..<count { ti[c, r] = it[r, c] } }
        var tt = rectangular(rows: count, columns: count, seed: textSeed ?? seed + 1, base: 0.7)
        for t in 0..<count { tt[t, t] = 1 }
        set.imageText = ReportMatrix(it)
        set.textImage = ReportMatrix(ti)
        set.textText = ReportMatrix(tt)
        set.texts = (0..<count).map { $0 == 0 ? caption : "a photo of a thing \($0)" }
    }

    static func document(_ shape: Shape) throws -> ReportDocument {
        let base = try basePicture(side: 96)
        let images = (0..<shape.images).map { i in
            ReportImage(id: "image-\(i)", file: shape.hostile && i == 0 ? hostileFile : "photo-\(i).png",
                        sha256: String(repeating: "ab", count: 32), width: 512, height: 512,
                        caption: shape.hostile && i == 0 ? hostileCaption : "an astronaut \(i)",
                        thumbnail: try? ReportThumbnail.make(from: base, maxSide: 64))
        }
        let models = (0..<shape.models).map { m in
            ReportModel(id: "model-\(m)", name: shape.hostile && m == 1 ? hostileModel : ["pixels", "histogram", "pixels-mirror"][m % 3],
                        file: nil, sha256: nil, kind: "control encoder", baseline: m == 0 ? 0.55 : 0.6)
        }
        var sweeps: [ReportSweep] = []
        var sets: [ReportVariantSet] = []
        var thumbnails: [Int: ReportThumbnail] = [:]  // per (preset, k): the same for every image, to keep tests fast
        var matrices: [ReportMatrixSet] = []
        var findings: [Finding] = []
        var curves: [ReportCurve] = []
        for (p, preset) in shape.presets.enumerated() {
            let rotation = preset.hasPrefix("rotation")
            let axis = rotation ? ReportAxis(name: "rotation angle", symbol: "θ", unit: "degrees")
                                : ReportAxis(name: "noise level", symbol: "σ", unit: "intensity (0–1)")
            sweeps.append(ReportSweep(id: preset, name: preset, kind: rotation ? .rotation : .degradation, axis: axis,
                                      definition: "name: \(preset)\nsteps: \(shape.variants)\n# <b>not markup</b> & more"))
            func thumbnail(preset p: Int, k: Int) throws -> ReportThumbnail {
                if let cached = thumbnails[p * 100_000 + k] { return cached }
                let made = try variantThumbnail(base, k: k, of: shape.variants, seed: UInt64(1000 * p))
                thumbnails[p * 100_000 + k] = made
                return made
            }
            for (i, image) in images.enumerated() {
                let variants = try (0..<shape.variants).map { k -> ReportVariant in
                    let value = rotation ? 360 * Double(k) / Double(shape.variants) : 0.5 * Double(k) / Double(shape.variants - 1)
                    let label = rotation ? "\(SVGFormat.number(value, digits: 1))°" : "σ = \(SVGFormat.number(value, digits: 3))"
                    return ReportVariant(id: String(format: "%03d", k), label: label, value: value,
                                         parameters: [ReportField("operation", rotation ? "rotate" : "gaussian-noise"),
                                                      ReportField("value", SVGFormat.number(value, digits: 4)),
                                                      ReportField("seed", String(k))],
                                         thumbnail: try thumbnail(preset: p, k: k))
                }
                sets.append(ReportVariantSet(image: image.id, sweep: preset, variants: variants))
                for (m, model) in models.enumerated() {
                    let ii = similarities(n: shape.variants, model: m, image: i, preset: p)
                    var set = ReportMatrixSet(image: image.id, sweep: preset, model: model.id, imageImage: ReportMatrix(ii))
                    if shape.texts > 0 {
                        addTexts(shape.texts, to: &set, caption: image.caption ?? "", seed: UInt64(10_000 + 100 * m + 10 * i + p))
                    }
                    matrices.append(set)
                    if rotation {
                        findings.append(finding(.periodicity90, detected: m == 0, image: image.file, model: model.name, preset: preset,
                                                control: m == 0 ? ControlCheck(verdict: .maskShowsPattern, maskShowsPattern: true, maskPValue: 0.001,
                                                                               circularDetected: false, rule: ArtefactControl.rule) : nil))
                        findings.append(finding(.antidiagonal, detected: false, image: image.file, model: model.name, preset: preset))
                        findings.append(finding(.antidiagonal, component: "axis_0", detected: false, image: image.file,
                                                model: model.name, preset: preset))
                        let profile = (0..<shape.variants).map { d in Double(ii[0, d]) }
                        curves.append(ReportCurve(kind: .rotationProfile, image: image.id, sweep: preset, model: model.id,
                                                  x: (0..<shape.variants).map { 360 * Double($0) / Double(shape.variants) }, y: profile))
                        curves.append(ReportCurve(kind: .antidiagonalProfile, image: image.id, sweep: preset, model: model.id,
                                                  x: (0..<shape.variants).map { 360 * Double($0) / Double(shape.variants) },
                                                  y: profile.map { ($0 - 0.8) / 10 }))
                    } else {
                        let threshold = 0.2 + 0.05 * Double(m)
                        findings.append(finding(.collapseThreshold, detected: true, image: image.file, model: model.name, preset: preset,
                                                value: threshold, ci: [threshold - 0.03, threshold + 0.04], unit: "sigma"))
                        curves.append(ReportCurve(kind: .similarityToClean, image: image.id, sweep: preset, model: model.id,
                                                  x: variants.compactMap(\.value), y: variants.indices.map { exp(-4 * Double($0) / Double(shape.variants)) },
                                                  threshold: threshold, thresholdInterval: [threshold - 0.03, threshold + 0.04]))
                    }
                }
            }
        }
        return ReportDocument(
            title: shape.hostile ? "Report for \(hostileCaption)" : "AugLab report",
            provenance: ReportProvenance(toolVersion: "0.1.0-test", seed: 42,
                                         command: ["auglab", "run", "--image", images.first?.file ?? "", "--caption", images.first?.caption ?? ""],
                                         controlRule: ArtefactControl.rule,
                                         details: [ReportField("preprocessing", "resize 224 bicubic, centre crop")]),
            images: images, models: models, sweeps: sweeps, variantSets: sets, matrices: matrices, findings: findings,
            curves: curves, notes: shape.hostile ? ["note with \(hostileCaption)"] : [])
    }
}
