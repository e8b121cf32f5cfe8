import CZlib

/// Decompresses gzip data with zlib (used for the BPE vocabulary, which ships as `.txt.gz`).
enum Gunzip {
    /// Largest decompressed size accepted (bytes). The CLIP vocabulary is 3.2 MB uncompressed.
    static let defaultOutputLimit = 64 << 20

    /// The decompressed bytes of one gzip member (concatenated members are read one after another).
    ///
    /// - Throws: `CLIPError` (`invalidInput`) naming `path` when the data is not gzip, is corrupt or
    ///   truncated, or inflates to more than `outputLimit` bytes.
    static func decompress(_ compressed: [UInt8], path: String, outputLimit: Int = defaultOutputLimit) throws(CLIPError) -> [UInt8] {
        guard compressed.count >= 18, compressed[0] == 0x1F, compressed[1] == 0x8B else {
            throw CLIPError(.invalidInput, "not a gzip file (\(compressed.count) bytes, no gzip signature)", path: path)
        }
        var output: [UInt8] = []
        output.reserveCapacity(min(outputLimit, max(compressed.count * 4, 1 << 16)))
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else {
            throw CLIPError(.invalidInput, "zlib could not start decompressing", path: path)
        }
        defer { inflateEnd(&stream) }
        var failure: CLIPError?
        compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while failure == nil {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                if output.count + produced > outputLimit {
                    failure = CLIPError(.invalidInput, "gzip data inflates to more than \(outputLimit) bytes", path: path)
                    break
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 {
                        failure = CLIPError(.invalidInput, "gzip data is truncated", path: path,
                                            location: "offset \(compressed.count)")
                    }
                case Z_STREAM_END:
                    // Another gzip member may follow (as `gzip.open` reads them all).
                    if stream.avail_in == 0 { return }
                    guard inflateReset(&stream) == Z_OK else {
                        failure = CLIPError(.invalidInput, "zlib could not restart after a gzip member", path: path)
                        return
                    }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    failure = CLIPError(.invalidInput, "gzip data is truncated", path: path,
                                        location: "offset \(compressed.count)")
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    let offset = compressed.count - Int(stream.avail_in)
                    failure = CLIPError(.invalidInput, "gzip data is corrupt: \(detail)", path: path,
                                        location: "offset \(offset)")
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}
