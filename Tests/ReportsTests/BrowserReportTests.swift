import AugLabTestSupport
import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// The report in a real browser: headless Chromium driven through the DevTools protocol.
///
/// These tests fail (they do not skip) when Chromium is missing; the failure says how to install it.
@Suite(.serialized) struct BrowserReportTests {
    /// Writes the page, opens it in a fresh tab, waits for the script's ready flag.
    func open(_ document: ReportDocument, in browser: BrowserSession, folder: TemporaryDirectory) throws -> (BrowserPage, String) {
        let html = try HTMLReport.render(document)
        let path = folder.path("report.html")
        try ReportFile.write(html, toPath: path)
        let page = try BrowserPage(browser: browser)
        try page.open(URL(fileURLWithPath: path))
        do {
            try page.waitUntil("!!(window.auglabReport && window.auglabReport.ready)")
        } catch {
            throw BrowserSession.Failure("the report did not become ready: \(error); the page reported \(page.problems())")
        }
        return (page, html)
    }

    /// Hovers a cell with a real mouse event and returns what the tooltip shows.
    func hover(_ page: BrowserPage, row: Int, column: Int) throws -> [String: String] {
        let center = try #require(try page.evaluate("window.auglabReport.cellCenter(\(row), \(column))") as? [String: Any])
        let x = try #require(center["x"] as? Double), y = try #require(center["y"] as? Double)
        try page.moveMouse(x: x + 0.25, y: y - 0.25)
        try page.waitUntil("!document.getElementById('tooltip').hidden && document.getElementById('tooltip').dataset.row === '\(row)' && document.getElementById('tooltip').dataset.column === '\(column)'")
        let json = try #require(try page.evaluate("""
            (function () {
              var q = function (s) { return document.querySelector(s); };
              var pick = function (id) {
                var box = document.getElementById(id), img = box.querySelector('img'), text = box.querySelector('.tip-text');
                return { variant: box.dataset.variant || '', src: img ? img.getAttribute('src') : '', text: text ? text.textContent : '',
                         label: (box.querySelector('.tip-label') || { textContent: '' }).textContent,
                         params: (box.querySelector('.tip-params') || { textContent: '' }).textContent };
              };
              var r = pick('tip-row'), c = pick('tip-column');
              return JSON.stringify({ rowVariant: r.variant, rowSrc: r.src, rowText: r.text, rowLabel: r.label, rowParams: r.params,
                                      columnVariant: c.variant, columnSrc: c.src, columnText: c.text,
                                      value: q('#tip-value').textContent, detail: q('#tip-detail').textContent });
            })()
            """) as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
    }

    /// The value the page shows for a cell: the matrix's 16-bit step, formatted to 4 decimals.
    static func shown(_ matrix: ReportMatrix, row: Int, column: Int) -> Double {
        let quantized = QuantizedMatrix(matrix)
        let value = Double(matrix.values[row * matrix.columns + column])
        return QuantizedMatrix.value(step: QuantizedMatrix.step(value, min: quantized.min, max: quantized.max),
                                     min: quantized.min, max: quantized.max)
    }

    static func fixed4(_ x: Double) -> String { String(format: "%.4f", x) }

    @Test func hoveringACellShowsBothVariantsAndTheSimilarity() throws {
        let document = try SyntheticReport.document(.init(images: 2, models: 2, variants: 40, texts: 3))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let browser = try BrowserSession()
        defer { browser.close() }
        let (page, _) = try open(document, in: browser, folder: folder)
        #expect(page.problems().isEmpty, "\(page.problems())")

        // Default view: first image, first sweep, first model, image–image quadrant.
        let set = document.matrices[0]
        let variants = try #require(document.variantSet(image: set.image, sweep: set.sweep)).variants
        let tip = try hover(page, row: 7, column: 23)
        #expect(tip["rowVariant"] == variants[7].id && tip["columnVariant"] == variants[23].id)
        #expect(tip["rowSrc"] == variants[7].thumbnail?.dataURI && tip["columnSrc"] == variants[23].thumbnail?.dataURI)
        if let path = ProcessInfo.processInfo.environment["AUGLAB_SCREENSHOT"] {  // the tooltip, for a person to look at
            try ReportFile.write(try page.screenshot(), toPath: path + "-hover.png")
        }
        #expect(tip["rowLabel"] == variants[7].label)
        #expect(tip["rowParams"]?.contains("operation: rotate") == true)
        #expect(tip["value"] == Self.fixed4(Self.shown(set.imageImage, row: 7, column: 23)))
        #expect(abs((Double(tip["value"] ?? "") ?? .nan) - Double(set.imageImage.values[7 * 40 + 23])) < 1e-4)

        // Difference view: model A − model B in raw cosine (data range scale).
        _ = try page.evaluate("window.auglabReport.select({ mode: 'models', scale: 'data' }), true")
        let other = try #require(document.matrices.first { $0.image == set.image && $0.sweep == set.sweep && $0.model != set.model })
        let difference = try hover(page, row: 3, column: 30)
        let expected = Self.shown(set.imageImage, row: 3, column: 30) - Self.shown(other.imageImage, row: 3, column: 30)
        #expect(difference["value"] == Self.fixed4(expected))
        #expect(difference["detail"]?.contains(Self.fixed4(Self.shown(other.imageImage, row: 3, column: 30))) == true)

        // Joint view of images and texts: row 41 is the second text.
        _ = try page.evaluate("window.auglabReport.select({ mode: 'plain', view: 'joint' }), true")
        let joint = try hover(page, row: 41, column: 5)
        #expect(joint["rowText"] == "“\(set.texts?[1] ?? "")”")
        #expect(joint["rowVariant"] == "" && joint["columnVariant"] == variants[5].id)
        #expect(joint["value"] == Self.fixed4(Self.shown(try #require(set.textImage), row: 1, column: 5)))

        // Quadrant difference needs equal shapes: image–text (40×3) − text–text (3×3) is refused with a message.
        _ = try page.evaluate("window.auglabReport.select({ mode: 'quadrants', quadA: 'it', quadB: 'tt' }), true")
        let message = try page.evaluate("document.getElementById('heatmap-message').hidden ? '' : document.getElementById('heatmap-message').textContent") as? String
        #expect(message?.contains("cannot be subtracted") == true)

        // Switching sweep shows that sweep's plots only.
        _ = try page.evaluate("window.auglabReport.select({ mode: 'plain', view: 'ii', sweep: 'noise-12' }), true")
        let visiblePlots = try page.evaluate("Array.prototype.filter.call(document.querySelectorAll('.plot'), function (e) { return !e.hidden; }).map(function (e) { return e.dataset.kind; }).join(',')") as? String
        #expect(visiblePlots == "similarity_to_clean")

        // A screenshot is not blank: many distinct colours, much of it not white.
        _ = try page.evaluate("window.auglabReport.select({ sweep: 'rotation-40' }), window.scrollTo(0, 0), true")
        let png = try page.screenshot()
        let shot = try PNGCodec.decode(png).image
        if let path = ProcessInfo.processInfo.environment["AUGLAB_SCREENSHOT"] {  // for a person to look at
            try ReportFile.write(png, toPath: path)
            try ReportFile.write(HTMLReport.render(document), toPath: path + ".html")
        }
        var colours = Set<UInt32>()
        var nonWhite = 0
        for i in stride(from: 0, to: shot.pixels.count, by: 3) {
            let (r, g, b) = (shot.pixels[i], shot.pixels[i + 1], shot.pixels[i + 2])
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
            if r < 240 || g < 240 || b < 240 { nonWhite += 1 }
        }
        #expect(shot.width == 1280 && shot.height == 1000)
        #expect(colours.count >= 100, "only \(colours.count) colours")
        #expect(Double(nonWhite) / Double(shot.width * shot.height) > 0.1)
        #expect(page.problems().isEmpty, "\(page.problems())")
    }

    @Test func hostileNamesShowAsTextAndRunNothing() throws {
        let document = try SyntheticReport.document(.init(images: 1, models: 2, variants: 36, presets: ["rotation-36"], texts: 2, hostile: true))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let browser = try BrowserSession()
        defer { browser.close() }
        let (page, _) = try open(document, in: browser, folder: folder)
        let problems = page.problems()
        #expect(problems.isEmpty, "\(problems)")
        #expect(!problems.contains { $0.kind == "dialog" })
        #expect(try page.evaluate("document.querySelectorAll('script').length") as? Int == 2)
        #expect(try page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") as? Int == 0)
        #expect(try page.evaluate("document.body.innerText.includes('<script>alert(1)</script>')") as? Bool == true)
        #expect(try page.evaluate("document.title") as? String == "Report for <script>alert(1)</script>")
        let option = try page.evaluate("document.getElementById('select-image').options[0].textContent") as? String
        #expect(option == "\(SyntheticReport.hostileFile) — \(SyntheticReport.hostileCaption)")
        let caption = try page.evaluate("document.getElementById('image-caption').textContent") as? String
        #expect(caption?.contains(SyntheticReport.hostileCaption) == true)
        let modelNames = try page.evaluate("Array.prototype.map.call(document.getElementById('select-model').options, function (o) { return o.textContent; }).join('|')") as? String
        #expect(modelNames?.contains(SyntheticReport.hostileModel) == true)
        // The caption in the joint view's tooltip is text too.
        _ = try page.evaluate("window.auglabReport.select({ view: 'joint' }), true")
        let tip = try hover(page, row: 36, column: 0)
        #expect(tip["rowText"] == "“\(SyntheticReport.hostileCaption)”")
        #expect(page.problems().isEmpty, "\(page.problems())")
    }

    @Test func emptyAndFindingsOnlyReportsOpenCleanly() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let browser = try BrowserSession()
        defer { browser.close() }
        let empty = ReportDocument(provenance: ReportProvenance(toolVersion: "0.1.0-test"))
        let (page, _) = try open(empty, in: browser, folder: folder)
        #expect(page.problems().isEmpty, "\(page.problems())")
        let message = try page.evaluate("document.getElementById('heatmap-message').textContent") as? String
        #expect(message == "No matrix for this image, sweep and model.")
        // Findings and images but no matrices (e.g. a run folder without them): tables, no heatmap.
        var findingsOnly = try SyntheticReport.document(.init(images: 1, models: 2, variants: 8, presets: ["rotation-8"]))
        findingsOnly.matrices = []
        let (second, _) = try open(findingsOnly, in: browser, folder: folder)
        #expect(second.problems().isEmpty, "\(second.problems())")
        #expect(try second.evaluate("document.querySelectorAll('#findings-table tr.finding').length") as? Int == 4)
    }

    @Test func defaultSuiteSizedReportStaysUnder10MBAndOpensQuickly() throws {
        // 4 presets × 3 images × 3 models × 100 variants, thumbnails 64 px JPEG of noisy photo variants.
        let shape = SyntheticReport.Shape(images: 3, models: 3, variants: 100,
                                          presets: ["rotation-100", "flip-100", "noise-100", "blur-100"])
        let start = Date()
        let document = try SyntheticReport.document(shape)
        let renderStart = Date()
        let html = try HTMLReport.render(document)
        let renderMilliseconds = Date().timeIntervalSince(renderStart) * 1000
        let bytes = html.utf8.count
        let thumbnailBytes = document.variantSets.flatMap(\.variants).reduce(0) { $0 + ($1.thumbnail?.dataURI.utf8.count ?? 0) }
        #expect(bytes < 10_000_000, "report is \(bytes) bytes")
        // With a caption and 90 distractor prompts per matrix (CLIP runs), it must stay under 10 MB too.
        var withTexts = document
        for index in withTexts.matrices.indices {  // sets run preset → image → model: index % 3 is the model
            SyntheticReport.addTexts(91, to: &withTexts.matrices[index], caption: "a caption", seed: UInt64(100 + index),
                                     textSeed: UInt64(index % 3))  // a model's text–text cosines are the same in every sweep
        }
        let textBytes = try HTMLReport.render(withTexts).utf8.count
        #expect(textBytes < 10_000_000, "report with text quadrants is \(textBytes) bytes")
        let built = Date().timeIntervalSince(start)

        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let browser = try BrowserSession()
        defer { browser.close() }
        var loads: [Double] = []
        var walls: [Double] = []
        for _ in 0..<3 {
            let opened = Date()
            let (page, _) = try open(document, in: browser, folder: folder)
            walls.append(Date().timeIntervalSince(opened) * 1000)
            let ready = try #require(try page.evaluate("window.auglabReport.readyMs") as? Double)
            loads.append(ready)
            #expect(page.problems().isEmpty, "\(page.problems())")
            _ = try? page.send("Page.close")
        }
        let best = loads.min() ?? .nan
        #expect(best < 5000, "navigation start to ready took \(best) ms")
        print("report size (default suite, 4 presets × 3 images × 3 models × 100 variants): \(bytes) bytes "
              + "(variant thumbnails \(thumbnailBytes) bytes); "
              + "with text quadrants (91 texts): \(textBytes) bytes; rendered in \(String(format: "%.0f", renderMilliseconds)) ms, "
              + "generated and rendered in \(String(format: "%.1f", built)) s (debug, both); "
              + "Chromium navigation start → ready: \(loads.map { String(format: "%.0f", $0) }.joined(separator: ", ")) ms "
              + "(render in debug + write + new tab + load → ready: \(walls.map { String(format: "%.0f", $0) }.joined(separator: ", ")) ms)")
    }

    @Test func missingChromiumFailsWithInstallAdvice() {
        let error = #expect(throws: BrowserSession.Failure.self) {
            _ = try BrowserSessionProbe.locate(paths: ["/nonexistent/chromium"])
        }
        #expect(error?.description.contains("apt-get install chromium") == true)
    }
}

/// Chromium lookup over explicit paths (the same rule as `BrowserSession.locateChromium`).
enum BrowserSessionProbe {
    static func locate(paths: [String]) throws -> String {
        try BrowserSession.locateChromium(candidates: paths)
    }
}
