import AugLabTestSupport
import CLIP
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Imaging
import Testing

/// `auglab gap` end to end on the tiny CLIP fixture: every file written and parsed, the numbers
/// checked against the model's own embeddings (`auglab embed`), byte-identical reruns, the three
/// ways to give pairs, precomputed embeddings, and one-line errors that leave no folder.
@Suite struct GapCommandTests {
    static let fixtures = Fixtures.shared("fixtures/clip")
    static let model = fixtures.appendingPathComponent("vit_openclip").path

    /// The two fixture PNGs and the bundled images, each with a short caption.
    static let pairs: [(image: String, caption: String)] = [
        (fixtures.appendingPathComponent("png_a_97x61.png").path, "a landscape picture with gradients, a triangle and a disk"),
        (fixtures.appendingPathComponent("png_b_200x300.png").path, "a portrait picture with a \"blue\" checkerboard, stripes and a frame"),
        (Fixtures.package("Images/astronaut.png").path, "a photo of an astronaut"),
        (Fixtures.package("Images/camera.png").path, "a black and white photo of a cameraman"),
        (Fixtures.package("Images/chelsea.png").path, "a photo of a cat"),
        (Fixtures.package("Images/coffee.png").path, "a photo of a cup of coffee"),
        (Fixtures.package("Images/retina.jpg").path, "a photo of a retina"),
        (Fixtures.package("Images/rocket.jpg").path, "a photo of a rocket on the launch pad"),
        (Fixtures.package("Images/synthetic_c4.png").path, "a pattern with four-fold rotational symmetry"),
        (Fixtures.package("Images/synthetic_glyph_F.png").path, "the letter F"),
        (Fixtures.package("Images/synthetic_hmirror.png").path, "a mirror-symmetric pattern"),
    ]
    static let files = ["gap.json", "loss-vs-shift.svg", "accuracy-vs-shift.svg", "heatmap.png", "heatmap.svg",
                        "heatmap-ordered.png", "heatmap-ordered.svg", "projection.svg"]

    static func writePairsJSON(_ directory: TemporaryDirectory, name: String = "pairs.json",
                               pairs: [(image: String, caption: String)] = pairs) throws -> String {
        let list = pairs.map { ["image": $0.image, "caption": $0.caption] }
        let path = directory.path(name)
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static func gap(_ document: [String: Any]) throws -> [String: Any] { try #require(document["gap"] as? [String: Any]) }

    static func points(_ document: [String: Any]) throws -> [[String: Any]] {
        try #require((document["shift"] as? [String: Any])?["points"] as? [[String: Any]])
    }

    /// The loss at λ = 0 as gap.json reports it.
    static func originalLoss(_ document: [String: Any]) throws -> Double {
        let point = try #require(try points(document).first { ($0["lambda"] as? Double) == 0 })
        return try #require((point["evaluation"] as? [String: Any])?["loss"] as? Double)
    }

    @Test func fixtureRunWritesEveryFileAndRerunsByteIdentically() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pairsFile = try Self.writePairsJSON(directory)
        let first = directory.path("first"), second = directory.path("second")
        let arguments = ["gap", "--model", Self.model, "--pairs", pairsFile, "--no-cache"]
        let run1 = try CommandRunner.run(arguments + ["--out", first])
        #expect(run1.status == 0, "\(run1.standardError)")
        #expect(run1.standardOutput.contains("‖Δ‖ = ") && run1.standardOutput.contains("wrote \(first)/"))
        #expect(run1.standardError.contains("gap: 11 pairs from \(pairsFile)"))
        let run2 = try CommandRunner.run(arguments + ["--out", second, "--quiet"])
        #expect(run2.status == 0 && run2.standardError.isEmpty, "\(run2.standardError)")
        // Again into the first folder: an earlier gap folder is replaced without --force.
        let run3 = try CommandRunner.run(arguments + ["--out", first, "--quiet"])
        #expect(run3.status == 0, "\(run3.standardError)")
        for file in Self.files {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(first)/\(file)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(second)/\(file)"))
            #expect(a == b && !a.isEmpty, "\(file) is identical on rerun")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: first).sorted() == Self.files.sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).filter { $0.contains("partial") }.isEmpty)

        let document = try Self.json("\(first)/gap.json")
        #expect(document["format"] as? String == "auglab-gap/1")
        #expect((document["tool"] as? String)?.hasPrefix("auglab ") == true)
        let model = try #require(document["model"] as? [String: Any])
        #expect(model["sha256"] as? String == (try SHA256.hexOfFile(atPath: Self.fixtures.appendingPathComponent("vit_openclip/model.safetensors").path)))
        #expect(model["kind"] as? String == "clip" && model["embedding_dimension"] as? Int == 32)
        let pairs = try #require(document["pairs"] as? [String: Any])
        #expect(pairs["count"] as? Int == 11 && (pairs["items"] as? [Any])?.count == 11)
        let points = try Self.points(document)
        #expect(points.count == 31)
        #expect(points.map { $0["lambda"] as? Double } == (-10...20).map { Double($0) / 10 })
        let shift = try #require(document["shift"] as? [String: Any])
        #expect(abs((shift["logit_scale"] as? Double ?? 0) - 54.598150) < 1e-4 && shift["logit_scale_source"] as? String == "model")
        let projection = try #require(document["projection"] as? [String: Any])
        #expect((projection["points"] as? [Any])?.count == 22)
        let seriation = try #require(document["seriation"] as? [String: Any])
        #expect((seriation["order"] as? [[String: Any]])?.prefix(11).allSatisfy { $0["modality"] as? String == "image" } == true)
        #expect(!(String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(first)/gap.json")), as: UTF8.self)).contains("NaN"))

        for file in Self.files where file.hasSuffix(".svg") {
            let text = try String(contentsOfFile: "\(first)/\(file)", encoding: .utf8)
            let check = GapSVGCheck.parse(text)
            #expect(check.error == nil, "\(file) parses as XML: \(String(describing: check.error))")
            #expect(check.elements.first == "svg", "\(file)")
        }
        let projectionSVG = GapSVGCheck.parse(try String(contentsOfFile: "\(first)/projection.svg", encoding: .utf8))
        #expect(projectionSVG.elements.filter { $0 == "circle" }.count >= 11 && projectionSVG.elements.filter { $0 == "rect" }.count >= 11)
        #expect(projectionSVG.texts.contains { $0.hasPrefix("PC1: ") && $0.contains("% of the variance") })
        let lossSVG = GapSVGCheck.parse(try String(contentsOfFile: "\(first)/loss-vs-shift.svg", encoding: .utf8))
        #expect(lossSVG.texts.contains("contrastive loss (nats)") && lossSVG.texts.contains { $0.hasPrefix("shift λ") })
        for file in ["heatmap.png", "heatmap-ordered.png"] {
            let image = try ImageDecoder.decodeFile(atPath: "\(first)/\(file)").image
            // 22 × 21 px cells plus the 2-px separator.
            #expect(image.width == 22 * 21 + 2 && image.height == 22 * 21 + 2, "\(file)")
        }
    }

    @Test func numbersMatchTheModelsOwnEmbeddings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 40 pairs (copies of the images under their own names, captions numbered): two chunks of
        // images, so rows must stay in order; distinct names, so the embed output can serve as an index.
        let pairs = try (0..<40).map { k -> (image: String, caption: String) in
            let source = Self.pairs[k % 11].image
            let copy = directory.path("\(k)-" + (source as NSString).lastPathComponent)
            try FileManager.default.copyItem(atPath: source, toPath: copy)
            return (copy, Self.pairs[k % 11].caption + " (\(k))")
        }
        let pairsFile = try Self.writePairsJSON(directory, pairs: pairs)
        let embeddings = directory.path("embeddings.safetensors")
        var embed = ["embed", "--model", Self.model, "--out", embeddings, "--no-cache"]
        for pair in pairs { embed += ["--image", pair.image, "--caption", pair.caption] }
        let embedded = try CommandRunner.run(embed)
        try #require(embedded.status == 0, "\(embedded.standardError)")
        let gapRun = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", pairsFile, "--out", directory.path("out"), "--no-cache"])
        try #require(gapRun.status == 0, "\(gapRun.standardError)")
        let document = try Self.json(directory.path("out/gap.json"))

        // An independent computation from the embed output: centroids, Δ, and the loss at λ = 0.
        let file = try SafeTensorsFile(path: embeddings)
        let images = try file.floats("image_embeds").map(Double.init), texts = try file.floats("text_embeds").map(Double.init)
        let scale = Double(try file.floats("logit_scale_exp")[0])
        let n = pairs.count, d = 32
        func row(_ values: [Double], _ i: Int) -> ArraySlice<Double> { values[(i * d)..<((i + 1) * d)] }
        let gapVector = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + images[$1 * d + j] - texts[$1 * d + j] } / Double(n) }
        let distance = gapVector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs((try Self.gap(document)["distance"] as? Double ?? 0) - distance) < 1e-5)
        var loss = 0.0
        for i in 0..<n {
            let logits = (0..<n).map { j in scale * zip(row(images, i), row(texts, j)).reduce(0) { $0 + $1.0 * $1.1 } }
            let columnLogits = (0..<n).map { j in scale * zip(row(images, j), row(texts, i)).reduce(0) { $0 + $1.0 * $1.1 } }
            for list in [logits, columnLogits] {
                let top = list.max() ?? 0
                loss += (top + log(list.reduce(0) { $0 + exp($1 - top) }) - list[i]) / Double(2 * n)
            }
        }
        #expect(abs(try Self.originalLoss(document) - loss) < 1e-4, "loss at λ = 0")

        // The embed output as precomputed embeddings gives the same gap.
        let precomputed = try CommandRunner.run(["gap", "--model", embeddings, "--pairs", pairsFile, "--out", directory.path("pre"), "--quiet"])
        try #require(precomputed.status == 0, "\(precomputed.standardError)")
        let again = try Self.json(directory.path("pre/gap.json"))
        #expect((again["model"] as? [String: Any])?["kind"] as? String == "precomputed")
        #expect(abs((try Self.gap(again)["distance"] as? Double ?? 0) - distance) < 1e-5)
        #expect(abs(try Self.originalLoss(again) - loss) < 1e-4)
    }

    @Test func pairsFromCSVAndFromTheCommandLineGiveTheSameGap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // CSV in a folder with copies of the first three images, named relative to the CSV; quoted
        // captions with commas and doubled quotes; CRLF line ends; columns in the other order.
        let folder = directory.path("data")
        try FileManager.default.createDirectory(atPath: folder + "/img", withIntermediateDirectories: true)
        var csv = "caption,image\r\n"
        for (index, pair) in Self.pairs.prefix(3).enumerated() {
            let name = "img/\(index)-\((pair.image as NSString).lastPathComponent)"
            try FileManager.default.copyItem(atPath: pair.image, toPath: "\(folder)/\(name)")
            csv += "\"\(pair.caption.replacingOccurrences(of: "\"", with: "\"\""))\",\(name)\r\n"
        }
        try csv.write(toFile: "\(folder)/pairs.csv", atomically: true, encoding: .utf8)
        let fromCSV = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", "\(folder)/pairs.csv", "--out", directory.path("csv"),
                                             "--no-cache", "--quiet"])
        #expect(fromCSV.status == 0, "\(fromCSV.standardError)")
        var arguments = ["gap", "--model", Self.model, "--out", directory.path("args"), "--no-cache", "--quiet"]
        for pair in Self.pairs.prefix(3) { arguments += ["--image", pair.image, "--caption", pair.caption] }
        let fromArguments = try CommandRunner.run(arguments)
        #expect(fromArguments.status == 0, "\(fromArguments.standardError)")
        let a = try Self.json(directory.path("csv/gap.json")), b = try Self.json(directory.path("args/gap.json"))
        #expect(NSDictionary(dictionary: try Self.gap(a)).isEqual(to: try Self.gap(b)))
        let items = try #require((a["pairs"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.first?["image"] as? String == "img/0-png_a_97x61.png", "paths are recorded as written in the pairs file")
        #expect(items[1]["caption"] as? String == Self.pairs[1].caption)
        #expect((b["pairs"] as? [String: Any])?["source"] as? String == "--image/--caption")
    }

    @Test func largeSetsAreDrawnAsBlockMeans() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 241 pairs (one image, distinct captions): more than 240 per modality, so 2 × 2 blocks.
        let image = Self.pairs[0].image
        let list = (0..<241).map { ["image": image, "caption": "caption number \($0)"] }
        let pairsFile = directory.path("many.json")
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: pairsFile))
        let out = directory.path("out")
        let result = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", pairsFile, "--out", out, "--quiet",
                                            "--cache-dir", directory.path("cache"), "--lambda-step", "0.5"])
        try #require(result.status == 0, "\(result.standardError)")
        for file in ["heatmap.png", "heatmap-ordered.png"] {
            let png = try ImageDecoder.decodeFile(atPath: "\(out)/\(file)").image
            #expect(png.width == 2 * 121 + 2 && png.height == 2 * 121 + 2, "\(file): 121 blocks per modality, 1 px each, and the separator")
        }
        let svg = GapSVGCheck.parse(try String(contentsOfFile: "\(out)/heatmap-ordered.svg", encoding: .utf8))
        #expect(svg.error == nil)
        #expect(svg.texts.contains("images | captions (cluster order; mean of 2 × 2 blocks of positions)"))
        #expect(svg.texts.contains("img 0–1") && svg.texts.contains { $0.hasPrefix("txt ") && $0.contains("–") })
        let document = try Self.json("\(out)/gap.json")
        #expect((document["pairs"] as? [String: Any])?["count"] as? Int == 241)
        #expect(try Self.points(document).count == 7)
    }

    @Test func logitScaleAndLambdaGridOptions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pairsFile = try Self.writePairsJSON(directory)
        let result = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", pairsFile, "--out", directory.path("out"), "--no-cache",
                                            "--quiet", "--logit-scale", "100", "--lambda-min", "-0.5", "--lambda-max", "1.5", "--lambda-step", "0.25"])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try Self.json(directory.path("out/gap.json"))
        #expect(try Self.points(document).map { $0["lambda"] as? Double } == [-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5])
        let shift = try #require(document["shift"] as? [String: Any])
        #expect(shift["logit_scale"] as? Double == 100 && shift["logit_scale_source"] as? String == "--logit-scale")
    }

    @Test func badInputIsAOneLineErrorAndLeavesNoFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = try Self.writePairsJSON(directory)
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.path(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let image = Self.pairs[0].image
        let cases: [(String, [String], String)] = [
            ("control encoder", ["--model", "pixels", "--pairs", good], "has no text tower"),
            ("missing pairs file", ["--model", Self.model, "--pairs", directory.path("none.json")], "none.json: cannot open"),
            ("unknown key", ["--model", Self.model, "--pairs", try write("k.json", "[{\"image\": \"a.png\", \"caption\": \"x\", \"label\": 1}]")],
             "entry 0: unknown key \"label\""),
            ("not a list", ["--model", Self.model, "--pairs", try write("o.json", "{\"image\": \"a.png\"}")], "expected a JSON list"),
            ("broken JSON", ["--model", Self.model, "--pairs", try write("b.json", "[{\"image\": ")], "not valid JSON"),
            ("CSV header", ["--model", Self.model, "--pairs", try write("h.csv", "file,text\na.png,x\nb.png,y\n")], "line 1: the header must be image,caption"),
            ("CSV fields", ["--model", Self.model, "--pairs", try write("f.csv", "image,caption\n\(image),x\n\(image),y,z\n")], "line 3: expected 2 fields"),
            ("CSV quote", ["--model", Self.model, "--pairs", try write("q.csv", "image,caption\n\(image),\"open\n")], "quoted field is not closed"),
            ("one pair", ["--model", Self.model, "--pairs", try write("one.json", "[{\"image\": \"\(image)\", \"caption\": \"x\"}]")],
             "at least 2"),
            ("missing image", ["--model", Self.model, "--pairs", try write("m.json", "[{\"image\": \"nope.png\", \"caption\": \"x\"}, {\"image\": \"\(image)\", \"caption\": \"y\"}]")],
             "nope.png: cannot open for reading: No such file or directory (the image of entry 0 of"),
            ("unpaired options", ["--model", Self.model, "--image", image, "--image", image, "--caption", "x"], "2 --image but 1 --caption"),
            ("both inputs", ["--model", Self.model, "--pairs", good, "--image", image, "--caption", "x"], "not both"),
            ("bad logit scale", ["--model", Self.model, "--pairs", good, "--logit-scale", "0"], "--logit-scale"),
            ("bad grid", ["--model", Self.model, "--pairs", good, "--lambda-step", "0"], "--lambda-step"),
            ("wrong extension", ["--model", Self.model, "--pairs", try write("p.txt", "[]")], "must be .json or .csv"),
        ]
        for (name, arguments, message) in cases {
            let out = directory.path("out-\(name.replacingOccurrences(of: " ", with: "-"))")
            let result = try CommandRunner.run(["gap"] + arguments + ["--out", out, "--no-cache", "--quiet"])
            #expect(result.status != 0, "\(name)")
            let errorLines = result.standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errorLines.count == 1 && result.standardError.contains(message), "\(name): \(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(name) leaves no folder")
        }
        // A folder that is not an earlier gap output is not replaced without --force.
        let occupied = directory.path("occupied")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        try "keep".write(toFile: occupied + "/note.txt", atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", good, "--out", occupied, "--no-cache", "--quiet"])
        #expect(refused.status != 0 && FileManager.default.fileExists(atPath: occupied + "/note.txt"))
        let forced = try CommandRunner.run(["gap", "--model", Self.model, "--pairs", good, "--out", occupied, "--no-cache", "--quiet", "--force"])
        #expect(forced.status == 0 && FileManager.default.fileExists(atPath: occupied + "/gap.json"))
    }
}

/// Parses an SVG with Foundation's XMLParser; keeps element names and text contents.
private final class GapSVGCheck: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    var error: Error?
    private var current = ""

    static func parse(_ text: String) -> GapSVGCheck {
        let check = GapSVGCheck()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = check
        if !parser.parse() { check.error = parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }
}
