import Analysis
import Foundation
import Imaging

/// The interactive report: one self-contained HTML file that works offline.
///
/// No external script, font, stylesheet or image: CSS and script are inline, images are data
/// URIs, and a Content-Security-Policy admits only data: images, inline styles and the page's
/// own script (by its SHA-256), so nothing is fetched and no injected script could run. Every
/// string from the user is escaped: in text and attributes by `Markup`, inside the `<script>`
/// JSON by `Markup.scriptJSON`, and the script builds its text with `textContent`.
///
/// Per image × sweep × model the page draws the heatmap (canvas); hovering a cell shows both
/// variants' thumbnails, their parameters and the similarity; switches choose image, sweep,
/// model, quadrant, colour scale and a difference view (model A − model B, quadrant A −
/// quadrant B). Below come the plots, the findings with one plain sentence each, the models
/// side by side and the provenance.
public enum HTMLReport {
    /// The page for `document` (validated first).
    ///
    /// - Throws: `ReportError.invalidInput` for an inconsistent document (see
    ///   `ReportDocument.validate`).
    public static func render(_ document: ReportDocument) throws(ReportError) -> String {
        try document.validate()
        let payload = try ReportPayload(document).scriptJSON()
        let script = HTMLReportScript.source
        var html = ""
        html.reserveCapacity(payload.utf8.count + 200_000)
        html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy(script: script))\">\n"
        html += "<meta name=\"generator\" content=\"AugLab \(Markup.attribute(document.provenance.toolVersion))\">\n"
        html += "<title>\(Markup.text(document.title))</title>\n"
        html += "<style>\n\(HTMLReportStyle.source)</style>\n</head>\n<body>\n"
        html += header(document)
        html += "<main>\n"
        html += notes(document)
        html += heatmapSection(document)
        html += try plotSection(document)
        html += findingsSection(document)
        html += comparisonSection(document)
        html += provenanceSection(document)
        html += "</main>\n"
        html += tooltip
        html += "<script type=\"application/json\" id=\"auglab-data\">\(payload)</script>\n"
        html += "<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    /// Renders `document` and writes it to `path` atomically (UTF-8).
    ///
    /// - Throws: `ReportError` from `render`, or `.io` naming the path.
    public static func write(_ document: ReportDocument, toPath path: String) throws(ReportError) {
        try ReportFile.write(render(document), toPath: path)
    }

    /// The page's policy: nothing from anywhere, except data: images, inline styles and this script.
    static func contentSecurityPolicy(script: String) -> String {
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-\(scriptHash(script))'; base-uri 'none'; form-action 'none'"
    }

    /// base64 of the script's SHA-256, as CSP hash sources are written.
    static func scriptHash(_ script: String) -> String {
        let hex = Array(SHA256.hex(of: Array(script.utf8)).utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
        for i in stride(from: 0, to: hex.count - 1, by: 2) { bytes.append(nibble(hex[i]) << 4 | nibble(hex[i + 1])) }
        return Data(bytes).base64EncodedString()
    }

    // MARK: Sections

    static func header(_ document: ReportDocument) -> String {
        let counts = "\(document.images.count) image\(document.images.count == 1 ? "" : "s") · \(document.sweeps.count) sweep\(document.sweeps.count == 1 ? "" : "s") · \(document.models.count) model\(document.models.count == 1 ? "" : "s")"
        return "<header>\n<h1>\(Markup.text(document.title))</h1>\n<p>AugLab \(Markup.text(document.provenance.toolVersion)) · \(counts)</p>\n</header>\n"
    }

    static func notes(_ document: ReportDocument) -> String {
        guard !document.notes.isEmpty else { return "" }
        let items = document.notes.map { "<li>\(Markup.text($0))</li>" }.joined(separator: "\n")
        return "<section id=\"notes\">\n<h2>Notes</h2>\n<ul class=\"notes\">\n\(items)\n</ul>\n</section>\n"
    }

    static func heatmapSection(_ document: ReportDocument) -> String {
        func control(_ id: String, _ label: String, wrapper: String? = nil, options: String = "") -> String {
            let wrapperID = wrapper.map { " id=\"\($0)\"" } ?? ""
            return "<label\(wrapperID)>\(Markup.text(label))<select id=\"\(id)\">\(options)</select></label>\n"
        }
        let scaleOptions = "<option value=\"baseline\">baseline to identical (default)</option><option value=\"data\">data range</option><option value=\"fixed\">fixed [−1, 1]</option>"
        let mapOptions = ["viridis", "plasma", "magma"].map { "<option value=\"\($0)\">\($0)</option>" }.joined()
        var html = "<section id=\"heatmaps\">\n<h2>Similarity heatmaps</h2>\n<div class=\"controls\">\n"
        html += control("select-image", "image")
        html += control("select-sweep", "sweep")
        html += control("select-model", "model")
        html += control("select-mode", "show")
        html += control("select-model-b", "model B", wrapper: "model-b-control")
        html += "<span id=\"quad-control\" hidden>" + control("select-quad-a", "quadrant A") + control("select-quad-b", "quadrant B") + "</span>\n"
        html += control("select-view", "quadrant", wrapper: "view-control")
        html += control("select-scale", "colour range", options: scaleOptions)
        html += control("select-colormap", "colours", wrapper: "colormap-control", options: mapOptions)
        html += "</div>\n<p id=\"image-caption\" class=\"figure-notes\"></p>\n"
        html += "<div id=\"heatmap-message\" hidden></div>\n<canvas id=\"heatmap\" width=\"1\" height=\"1\" aria-label=\"similarity heatmap\"></canvas>\n"
        html += "<p id=\"axis-label\" class=\"figure-notes\"></p>\n<p id=\"scale-label\" class=\"figure-notes\"></p>\n"
        html += "<p class=\"figure-notes\">Hover a cell to see both variants, their parameters and the similarity. "
        html += "Default colour range: from the model's unrelated-images baseline (two different pictures) to 1 (identical), "
        html += "so colours mean the same for every model; without a baseline the data range is used. Differences use a "
        html += "diverging map centred on 0.</p>\n</section>\n"
        return html
    }

    static func plotSection(_ document: ReportDocument) throws(ReportError) -> String {
        var html = "<section id=\"plots\">\n<h2>Curves and profiles</h2>\n<div class=\"plots\">\n"
        for figure in ReportPlots.figures(for: document) {
            html += "<figure class=\"plot\" data-image=\"\(Markup.attribute(figure.image ?? ""))\" data-sweep=\"\(Markup.attribute(figure.sweep))\" data-kind=\"\(figure.kind.rawValue)\">\n"
            html += figure.svg + "\n</figure>\n"
        }
        html += "</div>\n<p id=\"plots-empty\" class=\"figure-notes\">No curves for this sweep and image.</p>\n</section>\n"
        return html
    }

    /// Display names of the detectors.
    static func detectorName(_ kind: DetectorKind) -> String {
        switch kind {
        case .flipExplicit: return "flip invariance (explicit mirrors)"
        case .antidiagonal: return "anti-diagonal (±θ look alike)"
        case .periodicity90: return "90° periodicity (checkerboard)"
        case .collapseThreshold: return "collapse threshold"
        case .crossmodal: return "caption readout"
        }
    }

    /// The verdict words and CSS class of a finding.
    static func verdict(_ finding: Finding) -> (String, String) {
        guard finding.detected else { return ("not detected", "verdict-no") }
        if let control = finding.control, !control.survives {
            return ("detected, but the geometry's (control)", "verdict-artefact")
        }
        return ("detected", "verdict-yes")
    }

    static func resolveImage(_ name: String?, in document: ReportDocument) -> ReportImage? {
        guard let name else { return nil }
        return document.images.first { $0.id == name } ?? document.images.first { $0.file == name }
    }

    static func resolveSweep(_ name: String?, in document: ReportDocument) -> ReportSweep? {
        guard let name else { return nil }
        return document.sweeps.first { $0.id == name } ?? document.sweeps.first { $0.name == name }
    }

    static func resolveModel(_ name: String?, in document: ReportDocument) -> ReportModel? {
        guard let name else { return nil }
        return document.models.first { $0.id == name } ?? document.models.first { $0.name == name }
    }

    static func findingRow(_ finding: Finding, document: ReportDocument, withComponent: Bool) -> String {
        let image = resolveImage(finding.image, in: document)
        let sweep = resolveSweep(finding.preset, in: document)
        let model = resolveModel(finding.model, in: document)
        let (words, className) = verdict(finding)
        var value = finding.value.map { SVGFormat.label($0) } ?? ""
        if let ci = finding.ci, ci.count == 2 { value += (value.isEmpty ? "" : " ") + "[\(SVGFormat.label(ci[0])), \(SVGFormat.label(ci[1]))]" }
        if !value.isEmpty, let unit = finding.unit { value += " " + unit }
        var cells = [
            Markup.text(image?.file ?? finding.image ?? ""),
            Markup.text(sweep?.name ?? finding.preset ?? ""),
            Markup.text(model?.name ?? finding.model ?? ""),
            Markup.text(detectorName(finding.detector)),
        ]
        if withComponent { cells.append(Markup.text(finding.component ?? "headline")) }
        var html = "<tr class=\"finding\" data-image=\"\(Markup.attribute(image?.id ?? finding.image ?? ""))\" "
        html += "data-sweep=\"\(Markup.attribute(sweep?.id ?? finding.preset ?? ""))\" data-model=\"\(Markup.attribute(model?.id ?? finding.model ?? ""))\" "
        html += "data-detector=\"\(finding.detector.rawValue)\">"
        html += cells.map { "<td>\($0)</td>" }.joined()
        html += "<td class=\"\(className)\">\(Markup.text(words))</td>"
        html += "<td class=\"num\">\(SVGFormat.number(finding.effect, digits: 3))</td>"
        html += "<td class=\"num\">\(finding.pValue.map { SVGFormat.pValue($0) } ?? "–")</td>"
        html += "<td class=\"num\">\(Markup.text(value))</td>"
        html += "<td>\(Markup.text(FindingExplanation.sentence(for: finding)))</td></tr>\n"
        return html
    }

    static func findingsSection(_ document: ReportDocument) -> String {
        var html = "<section id=\"findings\">\n<h2>Findings</h2>\n"
        guard !document.findings.isEmpty else { return html + "<p class=\"figure-notes\">No findings.</p>\n</section>\n" }
        html += "<div class=\"controls\"><label class=\"check\"><input type=\"checkbox\" id=\"only-selected\"> only the image and sweep selected above</label></div>\n"
        let head = "<th>image</th><th>sweep</th><th>model</th><th>detector</th>"
        let tail = "<th>verdict</th><th>effect</th><th>p</th><th>value [95% interval]</th><th>what it means</th>"
        html += "<table id=\"findings-table\">\n<thead><tr>\(head)\(tail)</tr></thead>\n<tbody>\n"
        for finding in document.findings where finding.component == nil {
            html += findingRow(finding, document: document, withComponent: false)
        }
        html += "</tbody>\n</table>\n"
        let components = document.findings.filter { $0.component != nil }
        if !components.isEmpty {
            html += "<details>\n<summary>All \(components.count) components</summary>\n<table id=\"components-table\">\n"
            html += "<thead><tr>\(head)<th>component</th>\(tail)</tr></thead>\n<tbody>\n"
            for finding in components { html += findingRow(finding, document: document, withComponent: true) }
            html += "</tbody>\n</table>\n</details>\n"
        }
        html += "<p class=\"figure-notes\">Effects are in normalised units: 0 = as similar as two unrelated images, 1 = identical. "
        html += "A finding is detected when its p-value is at most the stated level and its effect reaches the detector's floor.</p>\n"
        return html + "</section>\n"
    }

    static func comparisonSection(_ document: ReportDocument) -> String {
        let table = document.comparison ?? ComparisonTable(findings: document.findings)
        let rows = table.rows.filter { $0.component == nil }
        guard table.models.count > 1, !rows.isEmpty else { return "" }
        var html = "<section id=\"comparison\">\n<h2>Models side by side</h2>\n<table id=\"comparison-table\">\n<thead><tr><th>image</th><th>sweep</th><th>detector</th>"
        for model in table.models {
            html += "<th>\(Markup.text(resolveModel(model, in: document)?.name ?? model))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr><td>\(Markup.text(resolveImage(row.image, in: document)?.file ?? row.image ?? ""))</td>"
            html += "<td>\(Markup.text(resolveSweep(row.preset, in: document)?.name ?? row.preset ?? ""))</td>"
            html += "<td>\(Markup.text(detectorName(row.detector)))</td>"
            for cell in row.cells {
                guard let cell else { html += "<td>–</td>"; continue }
                var text = (cell.detected ? "✔ " : "✘ ") + "effect \(SVGFormat.number(cell.effect, digits: 3))"
                if let p = cell.pValue { text += ", p \(SVGFormat.pValue(p))" }
                if let value = cell.value { text += ", at \(SVGFormat.label(value))\(row.unit.map { " " + $0 } ?? "")" }
                let artefact = cell.detected && cell.control.map { $0 != .notApplicable && $0 != .survives } == true
                if artefact { text += " (geometry's)" }
                let className = artefact ? "verdict-artefact" : (cell.detected ? "verdict-yes" : "verdict-no")
                html += "<td class=\"\(className)\">\(Markup.text(text))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }

    static func provenanceSection(_ document: ReportDocument) -> String {
        let provenance = document.provenance
        var html = "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"provenance\">\n"
        html += "<dt>tool</dt><dd>AugLab \(Markup.text(provenance.toolVersion))</dd>\n"
        html += "<dt>seed</dt><dd>\(provenance.seed.map { String($0) } ?? "none")</dd>\n"
        if let command = provenance.command {
            html += "<dt>command</dt><dd class=\"hash\">\(Markup.text(command.map(shellQuoted).joined(separator: " ")))</dd>\n"
        }
        if let rule = provenance.controlRule { html += "<dt>artefact control rule</dt><dd>\(Markup.text(rule))</dd>\n" }
        for field in provenance.details { html += "<dt>\(Markup.text(field.name))</dt><dd>\(Markup.text(field.value))</dd>\n" }
        html += "</dl>\n"
        if !document.models.isEmpty {
            html += "<h3>Models</h3>\n<table id=\"models-table\"><thead><tr><th>name</th><th>kind</th><th>file</th><th>sha256</th><th>unrelated-images baseline</th></tr></thead>\n<tbody>\n"
            for model in document.models {
                html += "<tr><td>\(Markup.text(model.name))</td><td>\(Markup.text(model.kind ?? ""))</td><td>\(Markup.text(model.file ?? "–"))</td>"
                html += "<td class=\"hash\">\(Markup.text(model.sha256 ?? "–"))</td>"
                html += "<td class=\"num\">\(model.baseline.map { SVGFormat.number($0, digits: 4) } ?? "not measured")</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        if !document.images.isEmpty {
            html += "<h3>Source images</h3>\n<table id=\"images-table\"><thead><tr><th></th><th>file</th><th>sha256</th><th>size</th><th>caption</th></tr></thead>\n<tbody>\n"
            for image in document.images {
                let picture = image.thumbnail.map { "<img class=\"source\" alt=\"\" src=\"\(Markup.attribute($0.dataURI))\">" } ?? ""
                let size = (image.width.map(String.init) ?? "?") + " × " + (image.height.map(String.init) ?? "?") + " px"
                html += "<tr><td>\(picture)</td><td>\(Markup.text(image.file))</td><td class=\"hash\">\(Markup.text(image.sha256 ?? "–"))</td>"
                html += "<td class=\"num\">\(Markup.text(size))</td><td>\(Markup.text(image.caption ?? ""))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        if !document.sweeps.isEmpty {
            html += "<h3>Presets</h3>\n"
            for sweep in document.sweeps {
                html += "<h4>\(Markup.text(sweep.name))</h4>\n<p class=\"figure-notes\">\(Markup.text(sweep.kind.rawValue)) sweep of \(Markup.text(sweep.axis.title))</p>\n"
                if let definition = sweep.definition { html += "<pre>\(Markup.text(definition))</pre>\n" }
            }
        }
        return html + "</section>\n"
    }

    /// An argument as a POSIX shell would need it (single-quoted when it has special characters).
    static func shellQuoted(_ argument: String) -> String {
        let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !argument.isEmpty, argument.unicodeScalars.allSatisfy({ plain.contains($0) }) { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static let tooltip = """
<div id="tooltip" role="tooltip" hidden>
<div class="tip-pair"><div class="tip-item" id="tip-row" data-role="row"></div><div class="tip-item" id="tip-column" data-role="column"></div></div>
<div id="tip-value" data-role="value"></div>
<div id="tip-detail"></div>
<div id="tip-cell"></div>
</div>

"""
}
