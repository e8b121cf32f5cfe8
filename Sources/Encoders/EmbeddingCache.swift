import CLIP
import Foundation
import Imaging
import Tensors

/// Embeddings on disk, one small file per (model, image), so an image is embedded once per model.
///
/// **Location.** `--cache-dir DIR` if given; else `$AUGLAB_CACHE_DIR`; else
/// `$XDG_CACHE_HOME/auglab`; else `~/.cache/auglab` (`defaultDirectory`).
///
/// **Keys.** The model key is the encoder's `cacheIdentity` (a SHA-256 over the weight file's
/// SHA-256, its architecture and its preprocessing); the content key is
/// `ContentHash.variant` (a SHA-256 over the image size, the preprocessing and the RGB pixels).
/// Entry path: `<dir>/embeddings-v1/<model key>/<content key>.emb`.
///
/// **Entry format** (little-endian): the 8 bytes `AUGLEMB1`, the dimension `d` as UInt32, the two
/// keys as 32 raw bytes each, `d` float32 values, then the SHA-256 of all bytes before it. An entry is
/// used only when its size, magic, dimension, both keys and checksum are all right; anything else
/// (truncated, corrupt, another version) is a miss, and storing the fresh embedding replaces it.
/// Entries are written atomically, so concurrent runs can share a cache.
public struct EmbeddingCache: Sendable {
    /// The environment variable naming the cache folder.
    public static let environmentVariable = "AUGLAB_CACHE_DIR"
    /// Largest embedding width stored (far above any CLIP model's).
    public static let maximumDimension = 1 << 16
    static let magic = Array("AUGLEMB1".utf8)

    /// The cache's root folder (created on the first store).
    public let directory: String

    /// A cache rooted at `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The default cache folder for `environment`: `AUGLAB_CACHE_DIR`, else `XDG_CACHE_HOME/auglab`,
    /// else `HOME/.cache/auglab`; nil when none of them is set (empty values count as unset).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let explicit = value(environmentVariable) { return explicit }
        if let xdg = value("XDG_CACHE_HOME") { return xdg + "/auglab" }
        if let home = value("HOME") { return home + "/.cache/auglab" }
        return nil
    }

    /// Where the entry for (`model`, `content`) lives, or nil unless both are 64 lowercase hex digits.
    public func entryPath(model: String, content: String) -> String? {
        guard Self.isHexDigest(model), Self.isHexDigest(content) else { return nil }
        return "\(directory)/embeddings-v1/\(model)/\(content).emb"
    }

    /// The stored embedding of `content` under `model`, if a valid entry of `dimension` values exists.
    ///
    /// Never throws and never trusts the file: a missing, short, long, corrupt or mismatched entry is nil.
    public func load(model: String, content: String, dimension: Int) -> [Float]? {
        guard (1...Self.maximumDimension).contains(dimension), let path = entryPath(model: model, content: content),
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let expected = Self.entrySize(dimension: dimension)
        guard let size = try? handle.seekToEnd(), size == UInt64(expected), (try? handle.seek(toOffset: 0)) != nil,
              let data = try? handle.read(upToCount: expected), data.count == expected else { return nil }
        let bytes = [UInt8](data)
        guard Array(bytes[0..<8]) == Self.magic, Self.readUInt32(bytes, at: 8) == UInt32(dimension),
              Array(bytes[12..<44]) == Self.rawDigest(model), Array(bytes[44..<76]) == Self.rawDigest(content) else { return nil }
        let body = expected - 32
        guard Self.rawDigest(SHA256.hex(of: Array(bytes[0..<body]))) == Array(bytes[body...]) else { return nil }
        return (0..<dimension).map { Float(bitPattern: Self.readUInt32(bytes, at: 76 + 4 * $0)) }
    }

    /// Stores `values` as the embedding of `content` under `model`, replacing any entry there.
    ///
    /// - Throws: `EncoderError` (`io`) naming the entry when the folder or file cannot be written;
    ///   (`invalidArgument`) for a key that is not a hex SHA-256 or an empty or oversized embedding.
    public func store(_ values: [Float], model: String, content: String) throws(EncoderError) {
        guard let path = entryPath(model: model, content: content) else {
            throw EncoderError(.invalidArgument, "cache keys must be 64 lowercase hex digits")
        }
        guard (1...Self.maximumDimension).contains(values.count) else {
            throw EncoderError(.invalidArgument, "cannot cache an embedding of \(values.count) values", path: path)
        }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EncoderError(.io, "cannot create the cache folder: \(error.localizedDescription)", path: folder)
        }
        var bytes = Self.magic
        bytes.reserveCapacity(Self.entrySize(dimension: values.count))
        Self.appendUInt32(UInt32(values.count), to: &bytes)
        bytes += Self.rawDigest(model) + Self.rawDigest(content)
        for value in values { Self.appendUInt32(value.bitPattern, to: &bytes) }
        bytes += Self.rawDigest(SHA256.hex(of: bytes))
        do { try AtomicFile.write(bytes, toPath: path) } catch { throw EncoderError(error) }
    }

    // MARK: Format helpers

    static func entrySize(dimension: Int) -> Int { 8 + 4 + 32 + 32 + 4 * dimension + 32 }

    static func isHexDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The 32 bytes of a 64-digit hex digest (zeros for anything else; callers validate first).
    static func rawDigest(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return [UInt8](repeating: 0, count: 32) }
        func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : (c >= 65 ? c - 55 : c - 48) }
        return (0..<32).map { nibble(digits[2 * $0]) << 4 | nibble(digits[2 * $0 + 1]) }
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
    }
}

/// An image encoder with an embedding cache in front: cached images are read back, the others
/// are embedded by `base` (each distinct image once) and stored.
///
/// Encoders without a `cacheIdentity` (controls, precomputed embeddings, models whose file was not
/// hashed) pass straight through. A failure to write the cache does not fail the encoding: it is
/// reported in `Statistics.storeFailure`.
public struct CachedImageEncoder: ImageEncoder {
    /// What one call did.
    public struct Statistics: Sendable, Equatable {
        /// Images read from the cache.
        public var hits = 0
        /// Images the base encoder embedded (duplicates within the batch count once).
        public var misses = 0
        /// The first error writing an entry, if any.
        public var storeFailure: EncoderError?
    }

    /// The encoder that computes embeddings on a miss.
    public let base: any ImageEncoder
    /// Where embeddings are kept.
    public let cache: EmbeddingCache

    /// `base` behind `cache`.
    public init(_ base: any ImageEncoder, cache: EmbeddingCache) {
        self.base = base
        self.cache = cache
    }

    public var descriptor: EncoderDescriptor { base.descriptor }
    public var batchSize: Int { base.batchSize }

    public func preprocessRecord(width: Int, height: Int) throws(EncoderError) -> PreprocessRecord? {
        try base.preprocessRecord(width: width, height: height)
    }

    public func encodeImages(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        try encodeImagesCounting(images, progress: progress).embeddings
    }

    /// The content key of an image for this encoder (see `ContentHash.variant`).
    public func contentKey(_ image: RGBImage) -> String {
        ContentHash.variant(image, preprocessing: Self.preprocessingIdentity(descriptor))
    }

    /// Embeds `images` as `encodeImages` does and says how many came from the cache.
    ///
    /// Progress counts cached images first, then the base encoder's progress on the rest.
    public func encodeImagesCounting(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError)
        -> (embeddings: Matrix, statistics: Statistics) {
        let descriptor = self.descriptor
        guard let model = descriptor.cacheIdentity else {
            let embeddings = try base.encodeImages(images, progress: progress)
            return (embeddings, Statistics(hits: 0, misses: images.count, storeFailure: nil))
        }
        let dimension = descriptor.embeddingDimension
        let (keys, cached) = lookUp(images, model: model, dimension: dimension)
        var statistics = Statistics()
        // Distinct missing images, in first-seen order.
        var missingIndex: [String: Int] = [:]
        var missing: [ImageInput] = []
        for (index, rows) in cached.enumerated() where rows == nil && missingIndex[keys[index]] == nil {
            missingIndex[keys[index]] = missing.count
            missing.append(images[index])
        }
        statistics.hits = cached.count { $0 != nil }
        statistics.misses = missing.count
        let hits = statistics.hits
        if hits > 0 { progress?(hits, images.count) }
        let total = images.count
        var shifted: EncodingProgress?
        if let progress {
            shifted = { @Sendable done, _ in progress(hits + done, total) }
        }
        let computed = try base.encodeImages(missing, progress: shifted)
        guard computed.columns == dimension || missing.isEmpty else {
            throw EncoderError(.invalidInput, "the encoder returned \(computed.columns) values per image, its descriptor says \(dimension)")
        }
        for (key, row) in missingIndex {
            do throws(EncoderError) { try cache.store(computed.row(row), model: model, content: key) } catch {
                if statistics.storeFailure == nil { statistics.storeFailure = error }
            }
        }
        var values: [Float] = []
        values.reserveCapacity(images.count * dimension)
        for (index, rows) in cached.enumerated() {
            if let rows { values += rows } else if let row = missingIndex[keys[index]] { values += computed.row(row) }
        }
        return (Matrix(rows: images.count, columns: dimension, values: values), statistics)
    }

    /// Content keys and cached rows of `images`, hashed and read on all threads.
    private func lookUp(_ images: [ImageInput], model: String, dimension: Int) -> (keys: [String], cached: [[Float]?]) {
        var keys = [String](repeating: "", count: images.count)
        var cached = [[Float]?](repeating: nil, count: images.count)
        let preprocessing = Self.preprocessingIdentity(descriptor)
        let cache = self.cache
        keys.withUnsafeMutableBufferPointer { keyBuffer in
            cached.withUnsafeMutableBufferPointer { rowBuffer in
                guard let keyBase = keyBuffer.baseAddress, let rowBase = rowBuffer.baseAddress else { return }
                let keyOut = SendablePointer(keyBase), rowOut = SendablePointer(rowBase)
                Parallel.forEach(items: images.count, workers: Parallel.processorCount, setUp: { _ in () }) { _, item in
                    let key = ContentHash.variant(images[item].image, preprocessing: preprocessing)
                    keyOut.pointer[item] = key
                    rowOut.pointer[item] = cache.load(model: model, content: key, dimension: dimension)
                }
            }
        }
        return (keys, cached)
    }

    /// The text that stands for an encoder's preprocessing in content keys: its CLIP preprocessing
    /// configuration as sorted JSON, else its description.
    static func preprocessingIdentity(_ descriptor: EncoderDescriptor) -> String {
        if let config = descriptor.preprocessConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let data = try? encoder.encode(config) { return String(decoding: data, as: UTF8.self) }
        }
        return descriptor.preprocessing
    }
}
