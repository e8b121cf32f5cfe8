import CCrypto
import Foundation

/// SHA-256 digests through OpenSSL's libcrypto, for provenance (source files, model files, variants).
public enum SHA256 {
    /// The lowercase hexadecimal SHA-256 of `bytes`.
    public static func hex<Bytes: ContiguousBytes>(of bytes: Bytes) -> String {
        let hasher = Hasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }

    /// The lowercase hexadecimal SHA-256 of the file at `path`, read in 4 MiB chunks.
    ///
    /// - Throws: `ImagingError.io` naming the file if it cannot be opened or read.
    public static func hexOfFile(atPath path: String) throws(ImagingError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImagingError(.io, "cannot open file for reading", path: path)
        }
        defer { try? handle.close() }
        let hasher = Hasher()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 4 << 20) ?? Data() } catch {
                throw ImagingError(.io, "read failed: \(error.localizedDescription)", path: path)
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    /// An incremental SHA-256 computation. Not thread-safe; use one per task.
    public final class Hasher {
        private let context: OpaquePointer

        /// A fresh digest (traps only if libcrypto itself cannot set up SHA-256, a broken install).
        public init() {
            guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
                preconditionFailure("libcrypto could not initialise SHA-256")
            }
            context = ctx
        }

        deinit { EVP_MD_CTX_free(context) }

        /// Feeds `buffer` into the digest.
        public func update(_ buffer: UnsafeRawBufferPointer) {
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            EVP_DigestUpdate(context, base, buffer.count)
        }

        /// Finishes the digest and returns it as 64 lowercase hexadecimal characters.
        public func finalizeHex() -> String {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &digest, &length)
            return Hex.string(digest.prefix(Int(length)))
        }
    }
}
