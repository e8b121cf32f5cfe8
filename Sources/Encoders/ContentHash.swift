import Imaging

/// Content hashes of images, for the embedding cache and for looking up precomputed embeddings.
public enum ContentHash {
    /// Lowercase hex SHA-256 of the interleaved RGB bytes, row-major, nothing else.
    ///
    /// This is what an index of precomputed embeddings lists, and what Python computes as
    /// `hashlib.sha256(np.asarray(Image.open(f).convert("RGB")).tobytes()).hexdigest()`.
    /// Two images with the same bytes but other sizes (a flat 10×20 and 20×10) share it; an
    /// index can add `width` and `height` to tell them apart.
    public static func pixels(_ image: RGBImage) -> String {
        SHA256.hex(of: image.pixels)
    }

    /// Lowercase hex SHA-256 identifying one model input: the size, the encoder's preprocessing
    /// (any text that changes when it does) and the pixels.
    ///
    /// Hashes `"auglab-image/1\n<width>x<height>\n<preprocessing>\n"` followed by the RGB bytes.
    public static func variant(_ image: RGBImage, preprocessing: String) -> String {
        let hasher = SHA256.Hasher()
        Array("auglab-image/1\n\(image.width)x\(image.height)\n\(preprocessing)\n".utf8).withUnsafeBytes { hasher.update($0) }
        image.pixels.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }
}
