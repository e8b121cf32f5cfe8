import CLIP
import Foundation
import Imaging
import Tensors

/// Embeddings computed elsewhere (another tool, a GPU, a model AugLab cannot run), looked up per
/// image and caption through an `EmbeddingIndex`.
///
/// Two ways in: a JSON index whose `image_embeddings` names a `.npy` or `.safetensors` file, or a
/// `.safetensors` file written by `auglab embed` (its metadata carries the index under
/// `auglab_index`). Rows are returned as stored (normalised or not, as they were written).
/// An image or caption the index does not list is an error naming it.
public struct PrecomputedEmbeddings: ImageEncoder, TextEncoder {
    /// The metadata key of an index stored inside a safetensors embeddings file.
    public static let metadataKey = "auglab_index"

    public let descriptor: EncoderDescriptor
    /// Every stored image row.
    public let imageEmbeddings: Matrix
    /// Every stored caption row, if any.
    public let textEmbeddings: Matrix?
    /// Which row is which.
    public let index: EmbeddingIndex
    /// Rows per progress report (lookups are cheap).
    public let batchSize = 1024
    private let rowsByFile: [String: Int]
    private let rowsByHash: [String: [EmbeddingIndex.Image]]
    private let rowsByCaption: [String: Int]

    /// Loads precomputed embeddings from a JSON index or a self-indexed safetensors file.
    ///
    /// - Parameters:
    ///   - path: the index (`.json`) or the safetensors file.
    ///   - name: the encoder's name (default: the index's `name`, else the file name).
    /// - Throws: `EncoderError` naming the file and the problem: malformed index or embeddings,
    ///   rows out of range, image and text widths that differ.
    public static func load(_ path: String, name: String? = nil) throws(EncoderError) -> PrecomputedEmbeddings {
        if isSafeTensors(path) {
            let (images, texts, metadata) = try readSafeTensors(path)
            guard let text = metadata[metadataKey] else {
                throw EncoderError(.invalidInput,
                                   "safetensors embeddings without an index: write a JSON index whose image_embeddings names this file (see EmbeddingIndex), or use a file written by auglab embed",
                                   path: path)
            }
            let json: JSONValue
            do { json = try JSONValue.parse(Data(text.utf8), path: path, what: "\(metadataKey) metadata") } catch { throw EncoderError(error) }
            let index = try EmbeddingIndex.parse(json, path: path)
            return try PrecomputedEmbeddings(index: index, images: images, texts: texts, file: path, name: name, indexPath: path)
        }
        let index = try EmbeddingIndex.read(path: path)
        guard let relative = index.imageEmbeddings else {
            throw EncoderError(.invalidInput, "embeddings index: needs \"image_embeddings\", the file holding the rows", path: path,
                               location: "image_embeddings")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let resolve = { (file: String) in file.hasPrefix("/") ? file : folder.appendingPathComponent(file).path }
        let embeddingsPath = resolve(relative)
        var images: Matrix
        var texts: Matrix?
        if isSafeTensors(embeddingsPath) {
            (images, texts, _) = try readSafeTensors(embeddingsPath)
            if index.textEmbeddings != nil {
                throw EncoderError(.invalidInput, "embeddings index: text_embeddings is for .npy files; a safetensors file brings its own text_embeds",
                                   path: path, location: "text_embeddings")
            }
        } else {
            images = try NPYFile.readMatrix(atPath: embeddingsPath)
            texts = try index.textEmbeddings.map { (file: String) throws(EncoderError) in try NPYFile.readMatrix(atPath: resolve(file)) }
        }
        return try PrecomputedEmbeddings(index: index, images: images, texts: texts, file: embeddingsPath, name: name, indexPath: path)
    }

    /// Embeddings from matrices already in memory, with `index` saying which row is which.
    ///
    /// - Throws: `EncoderError` when rows fall outside the matrices or the widths differ.
    public init(index: EmbeddingIndex, images: Matrix, texts: Matrix?, file: String?, name: String? = nil,
                indexPath: String? = nil) throws(EncoderError) {
        guard images.columns >= 1 else {
            throw EncoderError(.invalidInput, "image embeddings have no columns", path: file)
        }
        if let texts, texts.columns != images.columns {
            throw EncoderError(.invalidInput,
                               "text embeddings have \(texts.columns) columns, image embeddings \(images.columns): they must share one space",
                               path: file)
        }
        try index.checkRows(imageRows: images.rows, textRows: texts?.rows, path: indexPath ?? file)
        self.index = index
        imageEmbeddings = images
        textEmbeddings = texts
        var byFile: [String: Int] = [:]
        var byHash: [String: [EmbeddingIndex.Image]] = [:]
        for image in index.images {
            if let file = image.file { byFile[EmbeddingIndex.lastComponent(file)] = image.row }
            if let hash = image.sha256 { byHash[hash, default: []].append(image) }
        }
        var byCaption: [String: Int] = [:]
        for caption in index.captions where byCaption[caption.text] == nil { byCaption[caption.text] = caption.row }
        rowsByFile = byFile
        rowsByHash = byHash
        rowsByCaption = byCaption
        let sha = file.flatMap { try? SHA256.hexOfFile(atPath: $0) }
        let defaultName = index.name ?? file.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "precomputed"
        descriptor = EncoderDescriptor(
            name: name ?? defaultName, kind: .precomputed,
            architecture: "precomputed embeddings" + (index.modelSHA256.map { " (model sha256 \($0))" } ?? ""),
            embeddingDimension: images.columns, inputSize: nil, filePath: file, sha256: sha,
            preprocessing: "none here: the rows were computed elsewhere",
            preprocessConfig: nil, logitScale: index.logitScale.map { EncoderDescriptor.LogitScale(log: $0) },
            hasTextTower: texts != nil, cacheIdentity: nil)
    }

    /// The row of `input`: by its name's last path component, else by its pixels' SHA-256 (and size,
    /// where the index records one); nil if the index does not list it.
    public func row(for input: ImageInput) -> Int? {
        if let name = input.name, let row = rowsByFile[EmbeddingIndex.lastComponent(name)] { return row }
        guard !rowsByHash.isEmpty else { return nil }
        let candidates = rowsByHash[ContentHash.pixels(input.image)] ?? []
        return candidates.first { entry in
            entry.width == nil || (entry.width == input.image.width && entry.height == input.image.height)
        }?.row
    }

    public func encodeImages(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        var values: [Float] = []
        values.reserveCapacity(images.count * imageEmbeddings.columns)
        for (position, input) in images.enumerated() {
            guard let row = row(for: input) else {
                throw EncoderError(.invalidInput,
                                   "no precomputed embedding for \(Self.label(input, index: position)) (\(input.image.width)×\(input.image.height), sha256 \(ContentHash.pixels(input.image))): the index lists \(rowsByFile.count) file names and \(rowsByHash.count) content hashes",
                                   path: descriptor.filePath)
            }
            values += imageEmbeddings.row(row)
            if let progress, (position + 1) % batchSize == 0 || position + 1 == images.count { progress(position + 1, images.count) }
        }
        return Matrix(rows: images.count, columns: imageEmbeddings.columns, values: values)
    }

    public func encodeCaptions(_ captions: [String], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        guard let textEmbeddings else {
            throw EncoderError(.invalidArgument, "these precomputed embeddings have no text embeddings", path: descriptor.filePath)
        }
        var values: [Float] = []
        values.reserveCapacity(captions.count * textEmbeddings.columns)
        for (position, caption) in captions.enumerated() {
            guard let row = rowsByCaption[caption] else {
                throw EncoderError(.invalidInput, "no precomputed embedding for caption \(position) \"\(caption.prefix(60))\"",
                                   path: descriptor.filePath)
            }
            values += textEmbeddings.row(row)
        }
        progress?(captions.count, captions.count)
        return Matrix(rows: captions.count, columns: textEmbeddings.columns, values: values)
    }

    // MARK: Files

    /// Whether `path` starts like a safetensors file (8-byte length, then `{`); false for anything unreadable.
    static func isSafeTensors(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 9), head.count == 9 else { return false }
        return head[head.startIndex + 8] == UInt8(ascii: "{")
    }

    /// `image_embeds` `[n, d]`, optional `text_embeds` `[m, d]`, and the metadata of a safetensors file.
    static func readSafeTensors(_ path: String) throws(EncoderError) -> (Matrix, Matrix?, [String: String]) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch { throw EncoderError(error) }
        func matrix(_ name: String) throws(EncoderError) -> Matrix? {
            guard let info = file.info(name) else { return nil }
            guard info.shape.count == 2, info.shape[1] >= 1, info.dtype.isFloatingPoint else {
                throw EncoderError(.invalidInput, "tensor '\(name)' is \(info.dtype.rawValue) \(info.shape); need floating point [n, d] with d ≥ 1",
                                   path: path, location: name)
            }
            do { return Matrix(rows: info.shape[0], columns: info.shape[1], values: try file.floats(name)) } catch { throw EncoderError(error) }
        }
        guard let images = try matrix("image_embeds") else {
            throw EncoderError(.invalidInput, "safetensors embeddings need an 'image_embeds' tensor [n, d] (found: \(file.names.prefix(6).joined(separator: ", ")))",
                               path: path, location: "image_embeds")
        }
        return (images, try matrix("text_embeds"), file.metadata)
    }
}
