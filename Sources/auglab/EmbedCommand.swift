import ArgumentParser
import CLIP
import Encoders
import Foundation
import Imaging
import Tensors

/// `auglab embed`: embeddings of images and captions with one encoder, to a safetensors file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed images and captions with one model and write the embeddings to a safetensors file.",
        discussion: """
            The output file holds float32 tensors:

              image_embeds     [n, d]  L2-normalised, one row per --image, in order
              text_embeds      [m, d]  L2-normalised, one row per --caption, in order
              logit_scale      []      the model's temperature, log space (as stored)
              logit_scale_exp  []      exp(logit_scale): multiplies cosine similarities

            text_embeds is written whenever the encoder has a text tower (also for m = 0), the logit scales whenever the model has one. The metadata records the model (name, kind, architecture, file, sha256), the preprocessing, the tool's version and an index of the rows (file names, pixel sha256, captions) under "auglab_index", so the file can be given back to --model as precomputed embeddings.
            """)

    @OptionGroup var encoder: EncoderOptions

    @Option(name: .customLong("image"), help: ArgumentHelp("An image to embed (PNG or JPEG); repeat for more.", valueName: "FILE"))
    var images: [String] = []

    @Option(name: .customLong("caption"), help: ArgumentHelp("A caption to embed; repeat for more.", valueName: "TEXT"))
    var captions: [String] = []

    @Option(name: .long, help: ArgumentHelp("The safetensors file to write (replaced atomically).", valueName: "FILE"))
    var out: String

    @Flag(name: .customLong("ignore-exif-orientation"), help: ArgumentHelp(
        "Keep JPEG pixels as stored instead of turning them upright by their EXIF orientation (what PIL's Image.open, and so open_clip, does)."))
    var ignoreEXIFOrientation = false

    @Flag(name: .long, help: "Show no progress on stderr.")
    var quiet = false

    func validate() throws {
        if images.isEmpty && captions.isEmpty { throw ValidationError("nothing to embed: give at least one --image or --caption") }
        if out.isEmpty { throw ValidationError("--out needs a file name") }
    }

    func run() throws {
        let resolved = try encoder.resolve()
        let descriptor = resolved.descriptor
        if !captions.isEmpty && resolved.text == nil {
            throw EncoderError(.invalidArgument,
                               "encoder '\(descriptor.name)' (\(descriptor.kind.rawValue)) has no text tower: --caption cannot be embedded with it")
        }
        let decoding = DecodeOptions(applyEXIFOrientation: !ignoreEXIFOrientation)
        let inputs = try images.map { path throws(ImagingError) in
            ImageInput(try ImageDecoder.decodeFile(atPath: path, options: decoding).image, name: path)
        }
        let imageEmbeddings = try embedImages(inputs, with: resolved.image)
        var textEmbeddings: Matrix?
        if let text = resolved.text {
            let progress = ProgressLine("embedding captions", enabled: !quiet)
            textEmbeddings = try text.encodeCaptions(captions, progress: progress.callback)
            progress.finish()
        }
        let normalizedImages = try Self.normalized(imageEmbeddings, what: { "image '\(images[$0])'" })
        let normalizedTexts = try textEmbeddings.map { matrix throws(EncoderError) in
            try Self.normalized(matrix, what: { "caption \($0)" })
        }
        var writer = SafeTensorsWriter(metadata: metadata(descriptor, inputs: inputs))
        try writer.add("image_embeds", float32: normalizedImages.values, shape: [normalizedImages.rows, descriptor.embeddingDimension])
        if let normalizedTexts {
            try writer.add("text_embeds", float32: normalizedTexts.values, shape: [normalizedTexts.rows, descriptor.embeddingDimension])
        }
        if let scale = descriptor.logitScale {
            try writer.add("logit_scale", float32: [scale.log], shape: [])
            try writer.add("logit_scale_exp", float32: [scale.exp], shape: [])
        }
        try writer.write(toPath: out)
        print("wrote \(out): \(images.count) image\(images.count == 1 ? "" : "s")"
              + (normalizedTexts.map { ", \($0.rows) caption\($0.rows == 1 ? "" : "s")" } ?? "")
              + ", \(descriptor.embeddingDimension)-dimensional, encoder \(descriptor.name) (\(descriptor.kind.rawValue)"
              + (descriptor.sha256.map { ", sha256 \($0.prefix(12))…" } ?? "") + ")")
    }

    /// Image embeddings through the cache when there is one; cache use and failures reported on stderr.
    private func embedImages(_ inputs: [ImageInput], with imageEncoder: any ImageEncoder) throws -> Matrix {
        let progress = ProgressLine("embedding images", enabled: !quiet)
        defer { progress.finish() }
        guard let cached = imageEncoder as? CachedImageEncoder else {
            return try imageEncoder.encodeImages(inputs, progress: progress.callback)
        }
        let (embeddings, statistics) = try cached.encodeImagesCounting(inputs, progress: progress.callback)
        if let failure = statistics.storeFailure {
            ProgressLine.writeError("warning: the embedding cache could not be written: \(failure)\n")
        }
        if !quiet && statistics.hits > 0 {
            ProgressLine.writeError("embedding cache: \(statistics.hits) of \(inputs.count) images found in \(cached.cache.directory)\n")
        }
        return embeddings
    }

    /// L2-normalised rows; a row with a non-finite value is an error naming its input.
    static func normalized(_ matrix: Matrix, what: (Int) -> String) throws(EncoderError) -> Matrix {
        for row in 0..<matrix.rows where matrix.row(row).contains(where: { !$0.isFinite }) {
            throw EncoderError(.invalidInput, "the encoder produced a non-finite value for \(what(row))")
        }
        return Embeddings.l2Normalized(matrix)
    }

    /// The file's metadata: model, preprocessing, tool version, and the row index.
    private func metadata(_ descriptor: EncoderDescriptor, inputs: [ImageInput]) -> [String: String] {
        var metadata: [String: String] = [
            "format": "auglab-embeddings/1",
            "tool": "auglab \(AugLabVersion.string)",
            "model_name": descriptor.name,
            "model_kind": descriptor.kind.rawValue,
            "model_architecture": descriptor.architecture,
            "embedding_dimension": String(descriptor.embeddingDimension),
            "normalization": "L2: each row divided by its Euclidean norm (an all-zero row stays zero)",
            "preprocessing": descriptor.preprocessing,
        ]
        if let file = descriptor.filePath { metadata["model_file"] = file }
        if let sha = descriptor.sha256 { metadata["model_sha256"] = sha }
        if let config = descriptor.preprocessConfig, let json = try? Self.sortedJSON.encode(config) {
            metadata["preprocess_config"] = String(decoding: json, as: UTF8.self)
        }
        if descriptor.logitScale != nil {
            metadata["logit_scale"] = "tensor logit_scale is log space (the checkpoint value); logit_scale_exp = exp(logit_scale) multiplies cosine similarities"
        }
        let index = EmbeddingIndex(
            name: descriptor.name, modelSHA256: descriptor.sha256, logitScale: descriptor.logitScale?.log,
            images: inputs.enumerated().map { row, input in
                EmbeddingIndex.Image(file: input.name, sha256: ContentHash.pixels(input.image), width: input.image.width,
                                     height: input.image.height, row: row)
            },
            captions: captions.enumerated().map { EmbeddingIndex.Caption(text: $1, row: $0) })
        metadata[PrecomputedEmbeddings.metadataKey] = index.json
        return metadata
    }

    private static let sortedJSON: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
