import CLIP
import Imaging
import Tensors

/// Called after each batch an encoder finishes: items done so far and the total, both counts of
/// images or captions. Called on the encoding thread; keep it short.
public typealias EncodingProgress = @Sendable (_ completed: Int, _ total: Int) -> Void

/// One image to embed: its pixels, and the name it is known by.
///
/// The name (a file name or path, or a variant's id) is what back-ends that look embeddings up
/// instead of computing them match on (`PrecomputedEmbeddings`); encoders that compute ignore it.
public struct ImageInput: Sendable, Equatable {
    /// The 8-bit RGB pixels.
    public var image: RGBImage
    /// A file name or path, or nil when the image has none.
    public var name: String?

    /// An input with `image` and an optional `name`.
    public init(_ image: RGBImage, name: String? = nil) {
        self.image = image
        self.name = name
    }
}

/// Turns a batch of images into embeddings: one row per image, in input order.
///
/// Rows are the encoder's raw output, **not L2-normalised** (for CLIP the image features before
/// `F.normalize`; for the control encoders their vector as documented; precomputed rows as
/// stored). Normalise with `Embeddings.l2Normalized` before taking cosines. The result does not
/// depend on how the batch is cut: an encoder processes `batchSize` images at a time (its own
/// choice, for memory and threads) and reports progress after each such batch.
public protocol ImageEncoder: Sendable {
    /// What this encoder is: name, kind, architecture, dimension, file and hash, preprocessing.
    var descriptor: EncoderDescriptor { get }
    /// Images per internal batch (≥ 1); progress is reported after each.
    var batchSize: Int { get }
    /// Embeds `images` into a `[images.count, descriptor.embeddingDimension]` matrix.
    ///
    /// An empty batch gives a 0-row matrix.
    /// - Throws: `EncoderError` naming the image (its `name`, else its index) that could not be encoded.
    func encodeImages(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError) -> Matrix
    /// What the encoder's own preprocessing does to a `width × height` image, for provenance;
    /// nil for encoders without CLIP preprocessing (their `descriptor.preprocessing` says what they do).
    func preprocessRecord(width: Int, height: Int) throws(EncoderError) -> PreprocessRecord?
}

/// Turns captions into embeddings in the same space as an image encoder's: one row per caption.
///
/// Rows are unnormalised (for CLIP the text features before `F.normalize`).
public protocol TextEncoder: Sendable {
    /// What this encoder is (the same descriptor as its image side).
    var descriptor: EncoderDescriptor { get }
    /// Embeds `captions` into a `[captions.count, descriptor.embeddingDimension]` matrix.
    ///
    /// - Throws: `EncoderError` naming the caption that could not be encoded.
    func encodeCaptions(_ captions: [String], progress: EncodingProgress?) throws(EncoderError) -> Matrix
}

extension ImageEncoder {
    /// Embeds unnamed images (see `encodeImages(_:progress:)`).
    public func encodeImages(_ images: [RGBImage], progress: EncodingProgress? = nil) throws(EncoderError) -> Matrix {
        try encodeImages(images.map { ImageInput($0) }, progress: progress)
    }

    /// No CLIP preprocessing record unless the encoder has one.
    public func preprocessRecord(width: Int, height: Int) throws(EncoderError) -> PreprocessRecord? { nil }

    /// How an input is named in error messages: its name, else its position.
    static func label(_ input: ImageInput, index: Int) -> String {
        input.name.map { "image '\($0)'" } ?? "image \(index)"
    }
}

extension TextEncoder {
    /// Embeds captions without a progress callback.
    public func encodeCaptions(_ captions: [String]) throws(EncoderError) -> Matrix {
        try encodeCaptions(captions, progress: nil)
    }
}

/// Row operations on embedding matrices.
public enum Embeddings {
    /// `matrix` with every row divided by its Euclidean norm (computed in double precision).
    ///
    /// A row of zeros stays zero (it has no direction); a non-finite value makes the row NaN.
    public static func l2Normalized(_ matrix: Matrix) -> Matrix {
        var values = matrix.values
        let width = matrix.columns
        for row in 0..<matrix.rows {
            let range = (row * width)..<((row + 1) * width)
            var sum = 0.0
            for i in range { sum += Double(values[i]) * Double(values[i]) }
            guard sum > 0 else { continue }
            let norm = sum.squareRoot()
            for i in range { values[i] = Float(Double(values[i]) / norm) }
        }
        return Matrix(rows: matrix.rows, columns: width, values: values)
    }
}

extension EncoderError {
    /// The same failure from the CLIP layer, with its path and location kept.
    init(_ error: CLIPError, context: String? = nil) {
        let code: Code
        switch error.code {
        case .io: code = .io
        case .invalidArgument: code = .invalidArgument
        default: code = .invalidInput
        }
        self.init(code, context.map { "\($0): \(error.message)" } ?? error.message, path: error.path, location: error.location)
    }

    /// The same failure from the Imaging layer, with its path and location kept.
    init(_ error: ImagingError, context: String? = nil) {
        let code: Code
        switch error.code {
        case .io: code = .io
        case .invalidArgument: code = .invalidArgument
        default: code = .invalidInput
        }
        self.init(code, context.map { "\($0): \(error.message)" } ?? error.message, path: error.path, location: error.location)
    }
}
