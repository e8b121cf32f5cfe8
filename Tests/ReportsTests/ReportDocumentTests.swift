import AugLabTestSupport
import Foundation
import Imaging
import Tensors
import Testing
@testable import Reports

/// The document: JSON round trip, validation of untrusted files, thumbnails, atomic writes.
@Suite struct ReportDocumentTests {
    func small() throws -> ReportDocument {
        try SyntheticReport.document(.init(images: 1, models: 2, variants: 8, presets: ["rotation-8", "noise-8"], texts: 2))
    }

    @Test func jsonRoundTripsAndIsStable() throws {
        let document = try small()
        let bytes = try document.encodedJSON()
        #expect(try ReportDocument.decode(bytes) == document)
        #expect(try ReportDocument.decode(bytes).encodedJSON() == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"variant_sets\"") && text.contains("\"image_image\"") && text.contains("\"tool_version\""))
    }

    @Test func writeAndReadBackThroughAFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let document = try small()
        try document.write(toPath: folder.path("report.json"))
        #expect(try ReportDocument.read(fromPath: folder.path("report.json")) == document)
        try HTMLReport.write(document, toPath: folder.path("report.html"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["report.html", "report.json"])
        let missing = #expect(throws: ReportError.self) { try ReportDocument.read(fromPath: folder.path("none.json")) }
        #expect(missing?.code == .io && missing?.path == folder.path("none.json"))
        #expect(throws: ReportError.self) { try HTMLReport.write(document, toPath: folder.path("no/such/dir/report.html")) }
    }

    @Test func malformedFilesGiveErrorsNamingTheFileAndPlace() throws {
        let bad = #expect(throws: ReportError.self) { try ReportDocument.decode(Array("{\"title\": 3}".utf8), path: "run/report.json") }
        #expect(bad?.code == .invalidInput && bad?.path == "run/report.json")
        #expect(bad?.description.hasPrefix("run/report.json: ") == true)
        #expect(throws: ReportError.self) { try ReportDocument.decode(Array("not json".utf8)) }
        #expect(throws: ReportError.self) { try ReportDocument.decode([]) }
    }

    func expectInvalid(_ change: (inout ReportDocument) -> Void, location: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        var document = try small()
        change(&document)
        let error = #expect(throws: ReportError.self, sourceLocation: sourceLocation) { try document.validate() }
        #expect(error?.location?.hasPrefix(location) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        // Rendering validates too, and a file with the same content is refused with its path.
        #expect(throws: ReportError.self, sourceLocation: sourceLocation) { try HTMLReport.render(document) }
        if let bytes = try? document.encodedJSON() {
            let fromFile = #expect(throws: ReportError.self, sourceLocation: sourceLocation) { try ReportDocument.decode(bytes, path: "x.json") }
            #expect(fromFile?.path == "x.json", sourceLocation: sourceLocation)
        }
    }

    @Test func validationCatchesInconsistentDocuments() throws {
        try expectInvalid({ $0.images.append($0.images[0]) }, location: "images[1].id")
        try expectInvalid({ $0.models[0].id = "" }, location: "models[0].id")
        try expectInvalid({ $0.variantSets[0].image = "nowhere" }, location: "variant_sets[0].image")
        try expectInvalid({ $0.variantSets.append($0.variantSets[0]) }, location: "variant_sets[")
        try expectInvalid({ $0.matrices[0].model = "ghost" }, location: "matrices[0].model")
        try expectInvalid({ $0.matrices[0].imageImage.values.removeLast() }, location: "matrices[0].image_image")
        try expectInvalid({ $0.matrices[0].imageImage.values[5] = .nan }, location: "matrices[0].image_image")
        try expectInvalid({ $0.matrices[0].imageImage = ReportMatrix(Matrix(rows: 7, columns: 7)) }, location: "matrices[0].image_image")
        try expectInvalid({ $0.matrices[0].texts = ["only one"] }, location: "matrices[0].image_text")
        try expectInvalid({ $0.matrices[0].texts = nil }, location: "matrices[0].texts")
        try expectInvalid({ $0.matrices[0].imageImage.rows = -1 }, location: "matrices[0].image_image")
        try expectInvalid({ $0.matrices[0].imageImage.rows = Int.max }, location: "matrices[0].image_image")
        try expectInvalid({ $0.variantSets[0].variants[0].thumbnail?.mimeType = "text/html" }, location: "variant_sets[0].variants[0].thumbnail")
        try expectInvalid({ $0.variantSets[0].variants[0].thumbnail?.width = 0 }, location: "variant_sets[0].variants[0].thumbnail")
        try expectInvalid({ $0.variantSets[0].variants[1].id = $0.variantSets[0].variants[0].id }, location: "variant_sets[0].variants[1].id")
        try expectInvalid({ $0.curves[0].y.removeLast() }, location: "curves[0]")
        try expectInvalid({ $0.curves[0].sweep = "nope" }, location: "curves[0].sweep")
        try expectInvalid({ $0.models[0].baseline = .infinity }, location: "models[0].baseline")
    }

    @Test func thumbnailsAreSmallJPEGsOfTheRightShape() throws {
        let image = RGBImage(width: 300, height: 150, filledWith: (200, 30, 60))
        let thumbnail = try ReportThumbnail.make(from: image)
        #expect(thumbnail.mimeType == "image/jpeg" && thumbnail.width == 64 && thumbnail.height == 32)
        let decoded = try JPEGCodec.decode([UInt8](thumbnail.data)).image
        #expect(decoded.width == 64 && decoded.height == 32)
        #expect(thumbnail.dataURI.hasPrefix("data:image/jpeg;base64,"))
        let png = try ReportThumbnail.make(from: RGBImage(width: 10, height: 20, filledWith: (1, 2, 3)), maxSide: 64, format: .png)
        #expect(png.mimeType == "image/png" && png.width == 10 && png.height == 20)
        #expect(throws: ReportError.self) { try ReportThumbnail.make(from: image, maxSide: 0) }
        #expect(throws: ReportError.self) { try ReportThumbnail.make(from: image, format: .jpeg(quality: 0)) }
    }

    @Test func safeNamesCannotLeaveTheFolder() {
        #expect(ReportFile.safeName("../../etc/passwd") == "_.._etc_passwd")
        #expect(ReportFile.safeName("rotation-100") == "rotation-100")
        #expect(ReportFile.safeName("") == "_")
        #expect(ReportFile.safeName("a b/ç") == "a_b__")
        #expect(ReportFile.safeName(String(repeating: "x", count: 200)).count == 80)
    }
}
