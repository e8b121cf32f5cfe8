import Foundation
import Imaging

/// CLIP's byte-level BPE vocabulary, read from OpenAI's merges file (`bpe_simple_vocab_16e6.txt.gz`).
///
/// Token ids, as open_clip's `SimpleTokenizer` assigns them: 0–255 the 256 bytes (in GPT-2's
/// `bytes_to_unicode` order: the printable bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ` first, then the rest),
/// 256–511 the same bytes ending a word (`</w>`), then one token per merge (the two parts
/// joined), then `<start_of_text>` and `<end_of_text>` (49406 and 49407 with the standard
/// 48,894 merges).
public struct BPEVocabulary: Sendable {
    /// Merges open_clip reads from the file: `49152 − 256 − 2` (lines 1…48894 after the header).
    public static let standardMergeCount = 49152 - 256 - 2
    /// Largest merges file read (bytes, compressed or not); OpenAI's is 1.3 MB gzipped, 3.2 MB plain.
    public static let maximumFileBytes = 64 << 20

    /// Number of token ids (49408 for the standard vocabulary).
    public var count: Int { tokens.count }
    /// Id of `<start_of_text>`.
    public let startOfTextID: Int
    /// Id of `<end_of_text>`.
    public let endOfTextID: Int

    /// Token strings in GPT-2's byte-to-character encoding (e.g. `cafÃ©</w>`), indexed by id.
    let tokens: [String]
    /// Id of each byte value (0–255) as a word-inner symbol; `+ 256` is the word-final symbol.
    let byteIDs: [Int32]
    /// Byte value of each character of the byte-to-character encoding.
    let byteOfCharacter: [UInt32: UInt8]
    /// `(left id << 32 | right id)` → `(rank << 32 | merged id)`.
    let merges: [UInt64: UInt64]

    /// The vocabulary bundled with AugLab (OpenAI's file, MIT license), read once per process.
    ///
    /// - Throws: `CLIPError` if the bundled resource is missing or unreadable (a broken install).
    public static func bundled() throws(CLIPError) -> BPEVocabulary {
        try bundledResult.get()
    }

    /// Location of the bundled merges file (`bpe_simple_vocab_16e6.txt.gz`), if the resource is installed.
    public static var bundledFileURL: URL? {
        Bundle.module.url(forResource: "bpe_simple_vocab_16e6.txt", withExtension: "gz")
    }

    private static let bundledResult: Result<BPEVocabulary, CLIPError> = {
        guard let url = bundledFileURL else {
            return .failure(CLIPError(.io, "the bundled BPE vocabulary bpe_simple_vocab_16e6.txt.gz is missing from the CLIP resources"))
        }
        return Result { () throws(CLIPError) -> BPEVocabulary in try BPEVocabulary(contentsOf: url.path) }
    }()

    /// Reads a merges file, gzip-compressed (`.gz`, as shipped by OpenAI and open_clip) or plain text.
    ///
    /// - Parameter mergeCount: merges to use from the top of the file (open_clip's default 48,894).
    /// - Throws: `CLIPError` naming `path` if it cannot be read, is corrupt, has fewer merges than
    ///   asked for, or has a line that is not two symbols.
    public init(contentsOf path: String, mergeCount: Int = standardMergeCount) throws(CLIPError) {
        var bytes: [UInt8]
        do { bytes = try FileBytes.contents(atPath: path, maxBytes: Self.maximumFileBytes) } catch {
            throw CLIPError(error, context: "cannot read the BPE vocabulary")
        }
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
            bytes = try Gunzip.decompress(bytes, path: path)
        }
        try self.init(mergesFile: bytes, mergeCount: mergeCount, path: path)
    }

    /// Builds the vocabulary from the uncompressed text of a merges file (a header line, then
    /// one merge per line: two symbols separated by a space).
    ///
    /// - Throws: `CLIPError` (`invalidInput`) for invalid UTF-8, a malformed line or too few lines;
    ///   `path` only labels the error.
    public init(mergesFile bytes: [UInt8], mergeCount: Int = standardMergeCount, path: String? = nil) throws(CLIPError) {
        guard mergeCount >= 0 else {
            throw CLIPError(.invalidArgument, "merge count must not be negative (got \(mergeCount))", path: path)
        }
        let pairs = try Self.parseMerges(bytes, count: mergeCount, path: path)

        // bytes_to_unicode: printable Latin-1 bytes map to themselves, the others to U+0100 + n.
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var order = printable
        var characters = printable.map { UInt32($0) }
        var extra: UInt32 = 0
        for byte in 0..<256 where !printable.contains(byte) {
            order.append(byte)
            characters.append(256 + extra)
            extra += 1
        }
        var byteIDs = [Int32](repeating: 0, count: 256)
        var byteOfCharacter: [UInt32: UInt8] = [:]
        var tokens: [String] = []
        tokens.reserveCapacity(512 + pairs.count + 2)
        for (index, byte) in order.enumerated() {
            byteIDs[byte] = Int32(index)
            byteOfCharacter[characters[index]] = UInt8(byte)
            tokens.append(String(String.UnicodeScalarView([Unicode.Scalar(characters[index]) ?? "?"])))
        }
        tokens += tokens.map { $0 + "</w>" }
        for (left, right) in pairs { tokens.append(left + right) }
        tokens += ["<start_of_text>", "<end_of_text>"]

        // Python's dict(zip(vocab, range(...))): a repeated string keeps its last id.
        var encoder: [String: Int32] = [:]
        encoder.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { encoder[token] = Int32(id) }

        var merges: [UInt64: UInt64] = [:]
        merges.reserveCapacity(pairs.count)
        for (rank, (left, right)) in pairs.enumerated() {
            // A part that is no token can never occur in a word, so its merge never applies
            // (open_clip keeps such a rank without effect).
            guard let leftID = encoder[left], let rightID = encoder[right], let mergedID = encoder[left + right] else {
                continue
            }
            merges[UInt64(UInt32(leftID)) << 32 | UInt64(UInt32(rightID))] = UInt64(rank) << 32 | UInt64(UInt32(mergedID))
        }
        guard let start = encoder["<start_of_text>"], let end = encoder["<end_of_text>"] else {
            throw CLIPError(.invalidInput, "vocabulary has no special tokens", path: path)
        }
        self.tokens = tokens
        self.byteIDs = byteIDs
        self.byteOfCharacter = byteOfCharacter
        self.merges = merges
        self.startOfTextID = Int(start)
        self.endOfTextID = Int(end)
    }

    /// Lines 1…count of the file as symbol pairs.
    private static func parseMerges(_ bytes: [UInt8], count: Int, path: String?) throws(CLIPError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(count)
        var lineNumber = 0
        var lineStart = 0
        var index = 0
        while pairs.count < count {
            guard lineStart < bytes.count else {
                throw CLIPError(.invalidInput, "BPE vocabulary has \(pairs.count) merges, \(count) are needed",
                                path: path, location: "line \(lineNumber + 1)")
            }
            index = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            defer { lineStart = index + 1; lineNumber += 1 }
            if lineNumber == 0 { continue }  // "#version: 0.2"
            let fields = bytes[lineStart..<index].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            guard fields.count == 2,
                  let left = String(validating: fields[0], as: UTF8.self),
                  let right = String(validating: fields[1], as: UTF8.self) else {
                throw CLIPError(.invalidInput, "BPE vocabulary line is not two UTF-8 symbols separated by a space",
                                path: path, location: "line \(lineNumber + 1)")
            }
            pairs.append((left, right))
        }
        return pairs
    }

    /// Byte-level BPE of one word (its UTF-8 bytes): the ids of its pieces, the last ending the word.
    ///
    /// open_clip's loop: while some adjacent pair is a merge, take the lowest-ranked one and merge
    /// all its occurrences left to right (non-overlapping), then look again. Done here with a
    /// linked list and a heap of (rank, position) so a word of n bytes costs O(n log n), not
    /// O(n²): a long unbroken string cannot stall the tokenizer. The occurrences of one rank are
    /// taken from the heap together and merged in position order before any pair they create is
    /// considered, which is exactly open_clip's order.
    func encodeWord(_ bytes: [UInt8]) -> [Int32] {
        let n = bytes.count
        guard n > 0 else { return [] }
        var ids = bytes.map { byteIDs[Int($0)] }
        ids[n - 1] += 256
        guard n > 1 else { return ids }
        // Linked list over positions; `next == n` ends it. A merge keeps the left position.
        var next = Array(1...n)
        var previous = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = PairHeap()
        for i in 0..<(n - 1) {
            if let entry = merge(ids[i], ids[i + 1]) { heap.push(rank: entry.rank, position: i) }
        }
        var batch: [Int] = []
        var merged: [Int] = []
        while let top = heap.pop() {
            let rank = top.rank
            batch.removeAll(keepingCapacity: true)
            batch.append(top.position)
            while let peek = heap.peekRank(), peek == rank, let entry = heap.pop() { batch.append(entry.position) }
            merged.removeAll(keepingCapacity: true)
            for position in batch {
                guard alive[position], next[position] < n,
                      let entry = merge(ids[position], ids[next[position]]), entry.rank == rank else { continue }
                let right = next[position]
                ids[position] = entry.id
                alive[right] = false
                next[position] = next[right]
                if next[right] < n { previous[next[right]] = position }
                merged.append(position)
            }
            for position in merged where alive[position] {
                if previous[position] >= 0, let entry = merge(ids[previous[position]], ids[position]) {
                    heap.push(rank: entry.rank, position: previous[position])
                }
                if next[position] < n, let entry = merge(ids[position], ids[next[position]]) {
                    heap.push(rank: entry.rank, position: position)
                }
            }
        }
        var pieces: [Int32] = []
        var position = 0
        while position < n {
            pieces.append(ids[position])
            position = next[position]
        }
        return pieces
    }

    /// The merge of an adjacent pair of ids, if the vocabulary has one: its rank and the merged id.
    @inline(__always)
    private func merge(_ left: Int32, _ right: Int32) -> (rank: UInt32, id: Int32)? {
        guard let entry = merges[UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))] else { return nil }
        return (UInt32(truncatingIfNeeded: entry >> 32), Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF))
    }

    /// The UTF-8 bytes a token stands for (`</w>` included as the four characters it is).
    func bytes(ofToken id: Int) -> [UInt8] {
        guard tokens.indices.contains(id) else { return [] }
        return tokens[id].unicodeScalars.map { byteOfCharacter[$0.value] ?? 0x3F }
    }
}

/// A binary min-heap of (merge rank, word position), ordered by rank, then position.
private struct PairHeap {
    private var keys: [UInt64] = []

    mutating func push(rank: UInt32, position: Int) {
        keys.append(UInt64(rank) << 32 | UInt64(UInt32(truncatingIfNeeded: position)))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child] < keys[parent] else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    func peekRank() -> UInt32? {
        keys.first.map { UInt32(truncatingIfNeeded: $0 >> 32) }
    }

    mutating func pop() -> (rank: UInt32, position: Int)? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < keys.count && keys[left] < keys[smallest] { smallest = left }
                if right < keys.count && keys[right] < keys[smallest] { smallest = right }
                guard smallest != parent else { break }
                keys.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (UInt32(truncatingIfNeeded: top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
