import Analysis
import AugLabTestSupport
import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// The HTML report without a browser: self-containment, escaping, the data it embeds.
@Suite struct HTMLReportTests {
    static func payloadJSON(of html: String) throws -> [String: Any] {
        let open = "<script type=\"application/json\" id=\"auglab-data\">"
        let start = try #require(html.range(of: open))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let text = String(html[start.upperBound..<end.lowerBound])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func pageIsSelfContainedWithItsScriptPinnedByHash() throws {
        let html = try HTMLReport.render(SyntheticReport.document(.init(variants: 36)))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(", "@import", "<link", "<iframe"] {
            #expect(!html.contains(external), "external reference \(external)")
        }
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        let script = HTMLReportScript.source
        #expect(html.contains("<script>\(script)</script>"))
        // The CSP hash is the script's SHA-256, base64 (recomputed independently of the page builder).
        let digestHex = SHA256.hex(of: Array(script.utf8))
        let digest = stride(from: 0, to: 64, by: 2).map { i -> UInt8 in
            let start = digestHex.index(digestHex.startIndex, offsetBy: i)
            return UInt8(digestHex[start..<digestHex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        #expect(html.contains("script-src 'sha256-\(Data(digest).base64EncodedString())'"))
        #expect(html.contains("default-src 'none'"))
    }

    @Test func renderingIsDeterministic() throws {
        let document = try SyntheticReport.document(.init(images: 2, models: 3, variants: 12, presets: ["rotation-12", "noise-12"], texts: 2))
        let first = try HTMLReport.render(document)
        let second = try HTMLReport.render(ReportDocument.decode(document.encodedJSON()))
        #expect(first == second)
        #expect(try ReportArtifacts.files(for: document) == ReportArtifacts.files(for: document))
    }

    @Test func userStringsAreEscapedEverywhere() throws {
        let document = try SyntheticReport.document(.init(variants: 36, texts: 3, hostile: true))
        let html = try HTMLReport.render(document)
        #expect(!html.contains(SyntheticReport.hostileCaption))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains(SyntheticReport.hostileModel))
        // Only our two scripts open and close.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(html.components(separatedBy: "</script>").count - 1 == 2)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("\"&gt;&lt;img src=x onerror=alert(2)&gt;.png"))
        // Inside the script JSON the same strings decode back exactly.
        let payload = try Self.payloadJSON(of: html)
        let images = try #require(payload["images"] as? [[String: Any]])
        #expect(images.first?["caption"] as? String == SyntheticReport.hostileCaption)
        #expect(images.first?["file"] as? String == SyntheticReport.hostileFile)
        let models = try #require(payload["models"] as? [[String: Any]])
        #expect(models.contains { $0["name"] as? String == SyntheticReport.hostileModel })
    }

    @Test func scriptJSONEscapesTheCharactersThatEndOrBreakAScript() {
        let escaped = Markup.scriptJSON("{\"a\":\"</script><!-- & \u{2028}\u{2029}\"}")
        #expect(escaped == "{\"a\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029\"}")
        let decoded = try? JSONSerialization.jsonObject(with: Data(escaped.utf8)) as? [String: String]
        #expect(decoded?["a"] == "</script><!-- & \u{2028}\u{2029}")
    }

    @Test func markupEscapesTextAndAttributes() {
        #expect(Markup.text("a<b>&c\"'") == "a&lt;b&gt;&amp;c\"'")
        #expect(Markup.attribute("a<b>&c\"'") == "a&lt;b&gt;&amp;c&quot;&#39;")
        #expect(Markup.text("bell\u{7}tab\t\u{FFFE}") == "bell\u{FFFD}tab\t\u{FFFD}")
    }

    @Test func matricesAreEmbeddedToWithinTheirQuantisationStep() throws {
        let document = try SyntheticReport.document(.init(models: 1, variants: 36, presets: ["rotation-36"]))
        let payload = try Self.payloadJSON(of: HTMLReport.render(document))
        let matrices = try #require(payload["matrices"] as? [[String: Any]])
        let blocks = try #require(payload["blocks"] as? [[String: Any]])
        let ii = blocks[try #require(matrices.first?["ii"] as? Int)]
        let low = try #require(ii["min"] as? Double), high = try #require(ii["max"] as? Double)
        #expect(ii["symmetric"] as? Bool == true)
        let encoded = try #require(ii["data"] as? String)
        let bytes = [UInt8](try #require(Data(base64Encoded: encoded)))
        let matrix = document.matrices[0].imageImage
        let n = matrix.rows
        #expect(bytes.count == n * (n + 1))  // the upper triangle, 2 bytes per cell
        var k = 0
        for r in 0..<n {
            for c in r..<n {
                let step = UInt16(bytes[2 * k]) | UInt16(bytes[2 * k + 1]) << 8
                k += 1
                let shown = QuantizedMatrix.value(step: step, min: low, max: high)
                #expect(abs(shown - Double(matrix.values[r * n + c])) <= (high - low) / 131_070 + 1e-12)
            }
        }
    }

    @Test func repeatedAndTransposedQuadrantsAreStoredOnce() throws {
        let document = try SyntheticReport.document(.init(images: 1, models: 1, variants: 10, presets: ["rotation-10", "noise-10"], texts: 4))
        var shared = document
        shared.matrices[1].textText = shared.matrices[0].textText  // the same texts in both sweeps
        let payload = try Self.payloadJSON(of: HTMLReport.render(shared))
        let matrices = try #require(payload["matrices"] as? [[String: Any]])
        let blocks = try #require(payload["blocks"] as? [[String: Any]])
        #expect(matrices.allSatisfy { $0["tiT"] as? Bool == true && $0["ti"] == nil })
        #expect(matrices[0]["tt"] as? Int == matrices[1]["tt"] as? Int)
        #expect(blocks.count == 5)  // ii ×2, it ×2, tt ×1
        #expect(blocks[try #require(matrices[0]["it"] as? Int)]["symmetric"] as? Bool == false)
    }

    @Test func findingsTableExplainsEveryHeadlineInOneSentence() throws {
        let document = try SyntheticReport.document(.init(variants: 36))
        let html = try HTMLReport.render(document)
        let headlines = document.findings.filter { $0.component == nil }
        #expect(html.components(separatedBy: "<tr class=\"finding\"").count - 1 == document.findings.count)
        for finding in headlines {
            let sentence = FindingExplanation.sentence(for: finding)
            #expect(html.contains(Markup.text(sentence)))
        }
        #expect(html.contains("detected, but the geometry&#39;s (control)") || html.contains("detected, but the geometry's (control)"))
    }

    @Test func explanationsNameVerdictEffectAndControl() {
        let base = SyntheticReport.finding(.periodicity90, detected: true, image: "a", model: "m", preset: "r",
                                           control: ControlCheck(verdict: .maskShowsPattern, maskShowsPattern: true, maskPValue: 0.01,
                                                                 circularDetected: nil, rule: "rule"))
        let sentence = FindingExplanation.sentence(for: base)
        #expect(sentence.contains("every 90°") && sentence.contains("0.27") && sentence.contains("mask"))
        #expect(sentence.hasSuffix("not from the picture."))
        #expect(!sentence.contains(". But") && !sentence.contains(". It"))  // one sentence, control included
        for kind in DetectorKind.allCases {
            for detected in [true, false] {
                let finding = SyntheticReport.finding(kind, detected: detected, image: "a", model: "m", preset: "p",
                                                      value: 0.3, ci: [0.25, 0.35], unit: "sigma")
                let text = FindingExplanation.sentence(for: finding)
                #expect(text.hasSuffix(".") && !text.contains("\n"), "\(kind) \(detected): \(text)")
                #expect(text.split(separator: ".").count >= 1)
            }
        }
        let collapse = FindingExplanation.sentence(for: SyntheticReport.finding(.collapseThreshold, detected: true, image: "a", model: "m",
                                                                                 preset: "p", value: 0.3, ci: [0.25, 0.35], unit: "sigma"))
        #expect(collapse.contains("0.3 (95% interval 0.25–0.35) sigma"))
    }

    @Test func plotsComeFromTheRealDetectors() throws {
        var rotation = SyntheticRotation()
        rotation.count = 48
        rotation.fourFoldDifference = 0.05
        let sweep = try RotationSweep(anglesDegrees: rotation.anglesDegrees)
        let baseline = UnrelatedBaseline(mean: 0.5, standardDeviation: 0.05, pairCount: 10, sourceCount: 5)
        let periodicity = try PeriodicityDetector.detect(similarities: rotation.similarities(), sweep: sweep, baseline: baseline)
        let antidiagonal = try AntidiagonalDetector.detect(similarities: rotation.similarities(), sweep: sweep, baseline: baseline)
        var collapseShape = SyntheticCollapse()
        collapseShape.levels = (0..<20).map { Double($0) / 19 }
        collapseShape.seeds = 1
        let parts = collapseShape.sweep()
        let collapse = try CollapseDetector.detect(
            images: [CollapseSweep.fromEmbeddings(variants: parts.variants, clean: parts.clean, levels: parts.levels, seeds: parts.seeds)],
            unit: "sigma", baseline: baseline)

        let profile = ReportCurve.rotationProfile(periodicity, image: "i", sweep: "rot", model: "m")
        #expect(profile.x.count == 48 && profile.x[12] == 90 && profile.y == periodicity.differenceProfile)
        let axes = ReportCurve.antidiagonalProfile(antidiagonal, image: "i", sweep: "rot", model: "m")
        #expect(axes.x == antidiagonal.axisSumDegrees && axes.y == antidiagonal.axisProfile)
        let clean = ReportCurve.similarityToClean(collapse.pooledCurve, finding: collapse.finding, image: nil, sweep: "noise", model: "m")
        #expect(clean.x == collapse.pooledCurve.levels && clean.y == collapse.pooledCurve.similarityToCleanNormalized)
        #expect(clean.threshold == collapse.finding.value)

        let document = ReportDocument(
            provenance: ReportProvenance(toolVersion: "t"), images: [ReportImage(id: "i", file: "i.png")],
            models: [ReportModel(id: "m", name: "pixels")],
            sweeps: [ReportSweep(id: "rot", name: "rotation-48", kind: .rotation, axis: ReportAxis(name: "angle", symbol: "θ", unit: "degrees")),
                     ReportSweep(id: "noise", name: "noise-20", kind: .degradation, axis: ReportAxis(name: "noise level", symbol: "σ", unit: "intensity (0–1)"))],
            curves: [profile, axes, clean])
        let figures = ReportPlots.figures(for: document)
        #expect(figures.map(\.kind) == [.rotationProfile, .antidiagonalProfile, .similarityToClean])
        for figure in figures {
            let xml = XMLCheck.parse(figure.svg)
            #expect(xml.error == nil)
            #expect(xml.texts.contains { $0.contains("(degrees)") || $0.contains("(intensity (0–1))") })
        }
        let rotationTexts = XMLCheck.parse(figures[0].svg).texts
        #expect(rotationTexts.contains("90°") && rotationTexts.contains("180°") && rotationTexts.contains("270°"))
    }
}
