import Foundation
import Synchronization

/// CLIP's text tokenizer, identical to open_clip's `SimpleTokenizer` (`get_tokenizer('ViT-B-32')`).
///
/// A caption is cleaned (`CLIPTextCleaner`: ftfy's deterministic fixes, `html.unescape` twice,
/// whitespace collapsed, Python lower case), split into words by CLIP's pattern, and each word
/// is encoded with byte-level BPE (`BPEVocabulary`). A row for the text tower is
/// `[<start_of_text>] + ids + [<end_of_text>]`, zero-padded to `contextLength`; a longer row is
/// cut to `contextLength` with its last id replaced by `<end_of_text>`.
///
/// The one known difference from open_clip: captions with mojibake that ftfy would repair
/// (`cafÃ©`) are tokenized as written. Thread-safe; BPE results are cached per word.
public struct CLIPTokenizer: Sendable {
    /// open_clip's context length for every CLIP model.
    public static let defaultContextLength = 77

    /// The BPE vocabulary.
    public let vocabulary: BPEVocabulary
    /// Length of every row `tokenize` returns (77 for CLIP).
    public let contextLength: Int
    private let cache: WordCache

    /// A tokenizer with the bundled CLIP vocabulary.
    ///
    /// - Throws: `CLIPError` if `contextLength < 1` or the bundled vocabulary cannot be read.
    public init(contextLength: Int = CLIPTokenizer.defaultContextLength) throws(CLIPError) {
        try self.init(vocabulary: BPEVocabulary.bundled(), contextLength: contextLength)
    }

    /// A tokenizer with `vocabulary`.
    ///
    /// - Throws: `CLIPError` (`invalidArgument`) if `contextLength < 1`.
    public init(vocabulary: BPEVocabulary, contextLength: Int = CLIPTokenizer.defaultContextLength) throws(CLIPError) {
        guard contextLength >= 1 else {
            throw CLIPError(.invalidArgument, "context length must be at least 1 (got \(contextLength))")
        }
        self.vocabulary = vocabulary
        self.contextLength = contextLength
        self.cache = WordCache()
    }

    /// Id of `<start_of_text>` (49406).
    public var startOfTextID: Int { vocabulary.startOfTextID }
    /// Id of `<end_of_text>` (49407); the text tower pools at its position.
    public var endOfTextID: Int { vocabulary.endOfTextID }

    /// The BPE ids of `text`, without start and end tokens and without truncation (open_clip's `encode`).
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        forEachWord(of: text) { word in ids.append(contentsOf: encodeWord(word).lazy.map(Int.init)) }
        return ids
    }

    /// One row for the text tower: `contextLength` ids, start and end tokens included, zero-padded;
    /// a longer caption is cut and its last id set to `<end_of_text>`.
    public func tokenize(_ text: String) -> [Int] {
        var row = [startOfTextID] + encode(text) + [endOfTextID]
        if row.count > contextLength {
            row.removeLast(row.count - contextLength)
            row[contextLength - 1] = endOfTextID
        } else {
            row += repeatElement(0, count: contextLength - row.count)
        }
        return row
    }

    /// `tokenize` for each caption, in order.
    public func tokenize(_ texts: [String]) -> [[Int]] {
        texts.map { tokenize($0) }
    }

    /// The BPE pieces of `text` as vocabulary strings (GPT-2's byte-to-character encoding,
    /// word ends marked `</w>`), e.g. `["a</w>", "photo</w>"]`. For inspection and tests.
    public func pieces(_ text: String) -> [String] {
        encode(text).map { vocabulary.tokens[$0] }
    }

    /// The text of `ids` (open_clip's `decode`): word ends become spaces, invalid UTF-8 becomes U+FFFD.
    /// Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes += vocabulary.bytes(ofToken: id) }
        // Replacing the bytes of "</w>" before decoding equals Python's replace after decoding
        // (ASCII bytes always decode as themselves) and, unlike a String replace, is not
        // fooled by a combining mark that follows the '>'.
        let marker = Array("</w>".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == marker[0] && bytes[i...].starts(with: marker) {
                text.append(0x20)
                i += marker.count
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Calls `body` with the UTF-8 bytes of each word of the cleaned caption.
    private func forEachWord(of text: String, _ body: ([UInt8]) -> Void) {
        let cleaned = CLIPTextCleaner.clean(Array(text.unicodeScalars))
        for range in PreTokenizer.split(cleaned) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.count)
            for scalar in cleaned[range] { appendUTF8(scalar, to: &bytes) }
            body(bytes)
        }
    }

    /// The ids of one word: a special token's id, or its BPE pieces (cached).
    private func encodeWord(_ bytes: [UInt8]) -> [Int32] {
        if bytes == WordCache.startOfText { return [Int32(startOfTextID)] }
        if bytes == WordCache.endOfText { return [Int32(endOfTextID)] }
        let cacheable = bytes.count <= WordCache.maximumWordBytes
        if cacheable, let cached = cache.lookup(bytes) { return cached }
        let ids = vocabulary.encodeWord(bytes)
        if cacheable { cache.store(bytes, ids) }
        return ids
    }
}

/// Appends the UTF-8 encoding of `scalar`.
@inline(__always)
func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    let v = scalar.value
    switch v {
    case 0..<0x80:
        bytes.append(UInt8(v))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | (v >> 6)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | (v >> 12)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (v >> 18)))
        bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    }
}

/// Words already encoded, shared by copies of a tokenizer; cleared when it reaches `capacity`.
private final class WordCache: Sendable {
    static let startOfText = Array("<start_of_text>".utf8)
    static let endOfText = Array("<end_of_text>".utf8)
    /// Most words kept (a CLIP caption has ~10–70 words; a sweep's captions repeat).
    static let capacity = 100_000
    /// Longest word cached (bytes), so the cache stays small whatever the captions hold.
    static let maximumWordBytes = 64

    private let words = Mutex<[[UInt8]: [Int32]]>([:])

    func lookup(_ word: [UInt8]) -> [Int32]? {
        words.withLock { $0[word] }
    }

    func store(_ word: [UInt8], _ ids: [Int32]) {
        words.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[word] = ids
        }
    }
}
