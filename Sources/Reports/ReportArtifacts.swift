import Foundation
import Tensors

/// A file of a report folder: its path relative to the folder and its bytes.
public struct ReportArtifact: Sendable, Equatable {
    /// Relative path with `/` separators, e.g. `heatmaps/astronaut.png__rotation-100__pixels.png`.
    public var path: String
    /// The contents.
    public var bytes: [UInt8]
}

/// Every file a run folder gets from its report document, in one place, so `auglab run` and
/// `auglab report DIR` write the same things the same way:
///
/// - `report.html`: the interactive report (`HTMLReport`);
/// - `heatmaps/<image>__<sweep>__<model>.png`: the plain colour-mapped image–image matrix, one
///   pixel per cell, viridis on the default similarity range (`ColorScale.similarity`);
/// - `heatmaps/<image>__<sweep>__<model>.svg`: the same, labelled (axes in the sweep's units,
///   colour bar, title; with text quadrants, the joint matrix with quadrant separators);
/// - `plots/<image or all>__<sweep>__<kind>.svg`: the line plots (`ReportPlots`).
///
/// Names are ids passed through `ReportFile.safeName`; a clash gets `-2`, `-3`, … appended.
public enum ReportArtifacts {
    /// The labelled heatmap of a matrix set: the image–image matrix, or with `joint` and text
    /// quadrants present, images and texts together with separators at the split.
    ///
    /// - Throws: `ReportError.invalidInput` when the set's matrices do not fit together.
    public static func heatmapFigure(for set: ReportMatrixSet, in document: ReportDocument,
                                     joint: Bool = false) throws(ReportError) -> HeatmapFigure {
        let imageName = document.images.first { $0.id == set.image }?.file ?? set.image
        let sweep = document.sweeps.first { $0.id == set.sweep }
        let model = document.models.first { $0.id == set.model }
        let variants = document.variantSet(image: set.image, sweep: set.sweep)?.variants ?? []
        var labels = variants.map(\.label)
        let axisTitle = sweep?.axis.title ?? "variant"
        let title = "\(sweep?.name ?? set.sweep) · \(imageName) · \(model?.name ?? set.model)"
        guard var matrix = set.imageImage.matrix else {
            throw ReportError(.invalidInput, "image–image matrix does not fit its shape", location: "matrices")
        }
        var split: Int?
        var rowTitle = axisTitle
        if joint, let texts = set.texts, let it = set.imageText?.matrix, let ti = set.textImage?.matrix,
           let tt = set.textText?.matrix {
            matrix = try jointMatrix(ii: matrix, it: it, ti: ti, tt: tt)
            split = set.imageImage.rows
            labels += texts
            rowTitle = axisTitle + ", then texts"
        }
        let scale = ColorScale.similarity(values: matrix.values, baseline: joint && split != nil ? nil : model?.baseline)
        return HeatmapFigure(title: title, matrix: matrix, colormap: .viridis, scale: scale, rowLabels: labels,
                             columnLabels: labels, rowTitle: rowTitle, columnTitle: rowTitle, quadrantSplit: split)
    }

    /// The (n + m) × (n + m) matrix of images and texts together.
    static func jointMatrix(ii: Matrix, it: Matrix, ti: Matrix, tt: Matrix) throws(ReportError) -> Matrix {
        let n = ii.rows, m = tt.rows
        guard ii.columns == n, it.rows == n, it.columns == m, ti.rows == m, ti.columns == n, tt.columns == m else {
            throw ReportError(.invalidInput, "the quadrants do not fit together", location: "matrices")
        }
        var joint = Matrix(rows: n + m, columns: n + m)
        for r in 0..<(n + m) {
            for c in 0..<(n + m) {
                switch (r < n, c < n) {
                case (true, true): joint[r, c] = ii[r, c]
                case (true, false): joint[r, c] = it[r, c - n]
                case (false, true): joint[r, c] = ti[r - n, c]
                case (false, false): joint[r, c] = tt[r - n, c - n]
                }
            }
        }
        return joint
    }

    /// Every file of the report folder (see the type's documentation), the document validated first.
    ///
    /// - Throws: `ReportError.invalidInput` for an inconsistent document.
    public static func files(for document: ReportDocument) throws(ReportError) -> [ReportArtifact] {
        var files = [ReportArtifact(path: "report.html", bytes: Array(try HTMLReport.render(document).utf8))]
        var used: Set<String> = ["report.html"]
        func unique(_ folder: String, _ stem: String, _ suffix: String) -> String {
            var candidate = "\(folder)/\(stem)\(suffix)"
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(folder)/\(stem)-\(counter)\(suffix)"
                counter += 1
            }
            used.insert(candidate)
            return candidate
        }
        for set in document.matrices where set.imageImage.rows > 0 {
            let stem = [set.image, set.sweep, set.model].map(ReportFile.safeName).joined(separator: "__")
            let model = document.models.first { $0.id == set.model }
            guard let matrix = set.imageImage.matrix else { continue }
            let scale = ColorScale.similarity(values: matrix.values, baseline: model?.baseline)
            let png = try HeatmapImage.png(matrix, colormap: .viridis, scale: scale)
            let joint = set.texts != nil && set.imageText != nil && set.textImage != nil && set.textText != nil
            let svg = try HeatmapSVG.render(heatmapFigure(for: set, in: document, joint: joint))
            let pngPath = unique("heatmaps", stem, ".png")
            files.append(ReportArtifact(path: pngPath, bytes: png))
            files.append(ReportArtifact(path: String(pngPath.dropLast(4)) + ".svg", bytes: Array(svg.utf8)))
            used.insert(String(pngPath.dropLast(4)) + ".svg")
        }
        for figure in ReportPlots.figures(for: document) {
            let stem = [figure.image ?? "all", figure.sweep, figure.kind.rawValue].map(ReportFile.safeName).joined(separator: "__")
            files.append(ReportArtifact(path: unique("plots", stem, ".svg"), bytes: Array(figure.svg.utf8)))
        }
        return files
    }

    /// Writes every file of `files(for:)` into `folder` (created with its subfolders if
    /// missing), each atomically; returns the relative paths written.
    ///
    /// - Throws: `ReportError.invalidInput` for an inconsistent document, `.io` naming the path
    ///   that could not be created or written.
    @discardableResult
    public static func write(_ document: ReportDocument, toFolder folder: String) throws(ReportError) -> [String] {
        let artifacts = try files(for: document)
        for subfolder in Set(artifacts.compactMap { $0.path.split(separator: "/").dropLast().first.map(String.init) }).sorted() {
            let path = (folder as NSString).appendingPathComponent(subfolder)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw ReportError(.io, "cannot create the folder: \(error.localizedDescription)", path: path)
            }
        }
        for artifact in artifacts {
            try ReportFile.write(artifact.bytes, toPath: (folder as NSString).appendingPathComponent(artifact.path))
        }
        return artifacts.map(\.path)
    }
}
