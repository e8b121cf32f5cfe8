import CLIP
import Foundation

/// Which row of a precomputed embeddings file belongs to which image or caption.
///
/// A JSON object (format `auglab-embeddings-index/1`); every key but `images` is optional:
///
/// ```json
/// {
///   "format": "auglab-embeddings-index/1",
///   "name": "ViT-B-32 openai",
///   "image_embeddings": "images.npy",
///   "text_embeddings": "captions.npy",
///   "model_sha256": "<64 hex digits>",
///   "logit_scale": 4.6052,
///   "images": [
///     {"file": "rotation/rot_000.png", "sha256": "<64 hex digits>", "width": 224, "height": 224, "row": 0},
///     {"sha256": "<64 hex digits>"}
///   ],
///   "captions": ["a photo of a cat", {"text": "a photo of a dog", "row": 5}]
/// }
/// ```
///
/// - `image_embeddings`: the `[n, d]` file, relative to the index's folder: a `.npy` (`<f4`/`<f8`,
///   C order) or a `.safetensors` with `image_embeds` (and optionally `text_embeds`). Required in a
///   standalone index; absent in the index `auglab embed` stores inside its output's metadata.
/// - `text_embeddings`: a `[m, d]` `.npy` for the captions (a safetensors file brings `text_embeds`).
/// - `images`: one entry per row used. An image is found **by file name** — the last path
///   component of `file` equals that of the image's name (so each last component may appear once)
///   — or else **by content**: `sha256` is `ContentHash.pixels` of the RGB bytes
///   (`hashlib.sha256(np.asarray(img.convert("RGB")).tobytes())`), and `width`/`height`, if given,
///   must match too. Each entry needs `file` or `sha256`; `row` defaults to the entry's position.
/// - `captions`: a caption's row is found by its exact text; a plain string's row is its position.
/// - `logit_scale` is in log space (the checkpoint value); `model_sha256` is provenance only.
///
/// Unknown keys are errors (a misspelt key must not silently change which rows are used).
public struct EmbeddingIndex: Sendable, Equatable {
    /// The format name written and accepted.
    public static let format = "auglab-embeddings-index/1"
    /// Largest index file read (bytes).
    public static let maximumBytes = 64 << 20

    /// One image's row.
    public struct Image: Sendable, Equatable {
        /// The image's file name or path (matched by its last component).
        public var file: String?
        /// `ContentHash.pixels` of the image (lowercase hex).
        public var sha256: String?
        /// Width in pixels, if recorded.
        public var width: Int?
        /// Height in pixels, if recorded.
        public var height: Int?
        /// Row in the image embeddings.
        public var row: Int

        /// An entry; needs `file` or `sha256`.
        public init(file: String? = nil, sha256: String? = nil, width: Int? = nil, height: Int? = nil, row: Int) {
            self.file = file
            self.sha256 = sha256
            self.width = width
            self.height = height
            self.row = row
        }
    }

    /// One caption's row.
    public struct Caption: Sendable, Equatable {
        /// The exact caption text.
        public var text: String
        /// Row in the text embeddings.
        public var row: Int

        public init(text: String, row: Int) {
            self.text = text
            self.row = row
        }
    }

    /// A display name for the embeddings' model.
    public var name: String?
    /// The image embeddings file, relative to the index's folder.
    public var imageEmbeddings: String?
    /// The caption embeddings `.npy`, relative to the index's folder.
    public var textEmbeddings: String?
    /// SHA-256 of the model that computed the embeddings (provenance).
    public var modelSHA256: String?
    /// The model's logit scale, log space.
    public var logitScale: Float?
    /// The image rows.
    public var images: [Image]
    /// The caption rows.
    public var captions: [Caption]

    /// An index with the given entries.
    public init(name: String? = nil, imageEmbeddings: String? = nil, textEmbeddings: String? = nil, modelSHA256: String? = nil,
                logitScale: Float? = nil, images: [Image], captions: [Caption] = []) {
        self.name = name
        self.imageEmbeddings = imageEmbeddings
        self.textEmbeddings = textEmbeddings
        self.modelSHA256 = modelSHA256
        self.logitScale = logitScale
        self.images = images
        self.captions = captions
    }

    static let knownKeys = ["format", "name", "image_embeddings", "text_embeddings", "model_sha256", "logit_scale", "images", "captions"]

    /// Reads and validates the index file at `path`.
    ///
    /// - Throws: `EncoderError` naming the file and the field at fault.
    public static func read(path: String) throws(EncoderError) -> EmbeddingIndex {
        let json: JSONValue
        do { json = try JSONValue.read(path: path, what: "embeddings index", maximumBytes: maximumBytes) } catch { throw EncoderError(error) }
        return try parse(json, path: path)
    }

    /// Validates a parsed index (`path` names the file in errors).
    ///
    /// - Throws: `EncoderError` (`invalidInput`) naming the field at fault.
    public static func parse(_ json: JSONValue, path: String?) throws(EncoderError) -> EmbeddingIndex {
        func fail(_ message: String, _ location: String) -> EncoderError {
            EncoderError(.invalidInput, "embeddings index: " + message, path: path, location: location)
        }
        guard case .object(let object) = json else { throw fail("must be a JSON object, not \(json.brief)", "top level") }
        if object["images"] == nil, ["embed_dim", "vision_cfg", "model_cfg", "model_type", "vision_config"].contains(where: { object[$0] != nil }) {
            throw fail("this looks like a model configuration, not an embeddings index: give the model's folder instead", "top level")
        }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw fail("unknown key '\(unknown)' (known: \(knownKeys.joined(separator: ", ")))", unknown)
        }
        if let format = object["format"], format.stringValue != Self.format {
            throw fail("format is \(format.brief), this version reads \"\(Self.format)\"", "format")
        }
        func optionalString(_ key: String) throws(EncoderError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail("\(key) must be a non-empty string, not \(value.brief)", key) }
            return text
        }
        var index = EmbeddingIndex(images: [])
        index.name = try optionalString("name")
        index.imageEmbeddings = try optionalString("image_embeddings")
        index.textEmbeddings = try optionalString("text_embeddings")
        index.modelSHA256 = try optionalString("model_sha256").map { $0.lowercased() }
        if let hash = index.modelSHA256, !EmbeddingCache.isHexDigest(hash) {
            throw fail("model_sha256 must be 64 hex digits", "model_sha256")
        }
        if let scale = object["logit_scale"], !scale.isNull {
            guard let value = scale.doubleValue, value.isFinite, abs(value) < 100 else {
                throw fail("logit_scale must be a finite number in log space, not \(scale.brief)", "logit_scale")
            }
            index.logitScale = Float(value)
        }
        guard let images = object["images"]?.arrayValue else { throw fail("needs an \"images\" list", "images") }
        for (position, entry) in images.enumerated() {
            index.images.append(try parseImage(entry, position: position, path: path))
        }
        if let captions = object["captions"], !captions.isNull {
            guard let list = captions.arrayValue else { throw fail("captions must be a list, not \(captions.brief)", "captions") }
            for (position, entry) in list.enumerated() {
                let location = "captions[\(position)]"
                if let text = entry.stringValue {
                    index.captions.append(Caption(text: text, row: position))
                } else if case .object(let fields) = entry, let text = fields["text"]?.stringValue {
                    if let extra = fields.keys.sorted().first(where: { $0 != "text" && $0 != "row" }) {
                        throw fail("unknown key '\(extra)' in a caption entry", location)
                    }
                    index.captions.append(Caption(text: text, row: try parseRow(fields["row"], default: position, location, path: path)))
                } else {
                    throw fail("a caption entry must be a string or {\"text\", \"row\"}, not \(entry.brief)", location)
                }
            }
        }
        try index.checkUnique(path: path)
        return index
    }

    private static func parseImage(_ entry: JSONValue, position: Int, path: String?) throws(EncoderError) -> Image {
        let location = "images[\(position)]"
        func fail(_ message: String) -> EncoderError {
            EncoderError(.invalidInput, "embeddings index: " + message, path: path, location: location)
        }
        guard case .object(let fields) = entry else { throw fail("an image entry must be an object, not \(entry.brief)") }
        if let extra = fields.keys.sorted().first(where: { !["file", "sha256", "width", "height", "row"].contains($0) }) {
            throw fail("unknown key '\(extra)' in an image entry (known: file, sha256, width, height, row)")
        }
        var image = Image(row: try parseRow(fields["row"], default: position, location, path: path))
        if let file = fields["file"] {
            guard let text = file.stringValue, !lastComponent(text).isEmpty else { throw fail("file must be a file name, not \(file.brief)") }
            image.file = text
        }
        if let hash = fields["sha256"] {
            guard let text = hash.stringValue?.lowercased(), EmbeddingCache.isHexDigest(text) else {
                throw fail("sha256 must be 64 hex digits, not \(hash.brief)")
            }
            image.sha256 = text
        }
        guard image.file != nil || image.sha256 != nil else { throw fail("an image entry needs \"file\" or \"sha256\"") }
        for (key, value) in [("width", fields["width"]), ("height", fields["height"])] {
            guard let value else { continue }
            guard let size = value.intValue, size >= 1 else { throw fail("\(key) must be a positive integer, not \(value.brief)") }
            if key == "width" { image.width = size } else { image.height = size }
        }
        guard (image.width == nil) == (image.height == nil) else { throw fail("give both width and height, or neither") }
        return image
    }

    private static func parseRow(_ value: JSONValue?, default position: Int, _ location: String, path: String?) throws(EncoderError) -> Int {
        guard let value else { return position }
        guard let row = value.intValue, row >= 0 else {
            throw EncoderError(.invalidInput, "embeddings index: row must be a non-negative integer, not \(value.brief)", path: path,
                               location: location)
        }
        return row
    }

    /// The last path component of a file entry or image name (`/` and `\` both separate).
    static func lastComponent(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
    }

    private func checkUnique(path: String?) throws(EncoderError) {
        var files: [String: Int] = [:]
        for (position, image) in images.enumerated() {
            guard let file = image.file else { continue }
            let name = Self.lastComponent(file)
            if let first = files[name] {
                throw EncoderError(.invalidInput, "embeddings index: file name '\(name)' is listed twice (images[\(first)] and images[\(position)]); names are matched by their last component",
                                   path: path, location: "images[\(position)]")
            }
            files[name] = position
        }
        var texts: [String: Int] = [:]
        for (position, caption) in captions.enumerated() {
            if let first = texts[caption.text], captions[first].row != caption.row {
                throw EncoderError(.invalidInput, "embeddings index: caption \"\(caption.text.prefix(60))\" is listed twice with different rows",
                                   path: path, location: "captions[\(position)]")
            }
            texts[caption.text] = texts[caption.text] ?? position
        }
    }

    /// Checks every row against the embeddings' row counts.
    func checkRows(imageRows: Int, textRows: Int?, path: String?) throws(EncoderError) {
        for (position, image) in images.enumerated() where image.row >= imageRows {
            throw EncoderError(.invalidInput, "embeddings index: images[\(position)] names row \(image.row), the image embeddings have \(imageRows) rows",
                               path: path, location: "images[\(position)].row")
        }
        guard !captions.isEmpty else { return }
        guard let textRows else {
            throw EncoderError(.invalidInput, "embeddings index lists captions but there are no text embeddings", path: path, location: "captions")
        }
        for (position, caption) in captions.enumerated() where caption.row >= textRows {
            throw EncoderError(.invalidInput, "embeddings index: captions[\(position)] names row \(caption.row), the text embeddings have \(textRows) rows",
                               path: path, location: "captions[\(position)].row")
        }
    }

    /// The index as compact JSON with sorted keys (rows written only where they differ from the position).
    public var json: String {
        var object: [String: Any] = ["format": Self.format]
        if let name { object["name"] = name }
        if let imageEmbeddings { object["image_embeddings"] = imageEmbeddings }
        if let textEmbeddings { object["text_embeddings"] = textEmbeddings }
        if let modelSHA256 { object["model_sha256"] = modelSHA256 }
        if let logitScale { object["logit_scale"] = Double(logitScale) }
        object["images"] = images.enumerated().map { position, image -> [String: Any] in
            var entry: [String: Any] = [:]
            if let file = image.file { entry["file"] = file }
            if let sha = image.sha256 { entry["sha256"] = sha }
            if let width = image.width { entry["width"] = width }
            if let height = image.height { entry["height"] = height }
            if image.row != position { entry["row"] = image.row }
            return entry
        }
        object["captions"] = captions.enumerated().map { position, caption -> Any in
            caption.row == position ? caption.text : ["text": caption.text, "row": caption.row] as [String: Any]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
