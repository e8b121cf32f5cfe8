import Foundation

/// The directory of a ZIP archive inside a mapped file, as `torch.save` writes it.
///
/// Reads the end-of-central-directory record (and the ZIP64 locator and record when the archive
/// needs them, as files over 4 GB do), then every central-directory entry and its local header.
/// Every count, offset and size is checked against the file before use: entry data must lie
/// between the start of the file and the central directory, names must be unique and match their
/// local headers, and multi-disk or encrypted archives are refused. Entry data is not copied;
/// `withData` hands out the mapped bytes of stored (uncompressed) entries, which is how
/// PyTorch stores everything.
struct ZipArchive: Sendable {
    /// One member of the archive.
    struct Entry: Sendable {
        /// Name as stored (UTF-8 or CP437 bytes decoded as UTF-8).
        var name: String
        /// Compression method: 0 = stored, 8 = deflate, ...
        var method: Int
        /// General-purpose flags (bit 0 = encrypted).
        var flags: Int
        /// CRC-32 of the uncompressed data.
        var crc32: UInt32
        /// Uncompressed size in bytes.
        var size: Int
        /// Byte range of the (possibly compressed) data in the file.
        var dataRange: Range<Int>
    }

    /// Most entries accepted; real PyTorch checkpoints have a few thousand.
    static let maximumEntries = 1 << 20

    let file: MappedFile
    let entries: [Entry]
    private let indexByName: [String: Int]

    /// Reads the archive directory of `file`.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and the record at fault.
    init(file: MappedFile) throws(CLIPError) {
        self.file = file
        let parsed = try file.withBytes(in: 0..<file.count) { raw throws(CLIPError) in
            try ZipParser(raw: raw, path: file.path).parse()
        }
        var index: [String: Int] = [:]
        for (i, entry) in parsed.enumerated() {
            guard index[entry.name] == nil else {
                throw CLIPError(.invalidInput, "ZIP archive has two entries named '\(entry.name)'", path: file.path,
                                location: entry.name)
            }
            index[entry.name] = i
        }
        entries = parsed
        indexByName = index
    }

    /// The entry called `name`, or nil.
    func entry(_ name: String) -> Entry? {
        indexByName[name].map { entries[$0] }
    }

    /// Calls `body` with the stored bytes of `entry`.
    ///
    /// - Throws: `CLIPError.invalidInput` if the entry is compressed or encrypted (PyTorch never does either).
    func withData<R>(of entry: Entry, _ body: (UnsafeRawBufferPointer) throws(CLIPError) -> R) throws(CLIPError) -> R {
        guard entry.flags & 1 == 0 else {
            throw CLIPError(.invalidInput, "ZIP entry '\(entry.name)' is encrypted", path: file.path, location: entry.name)
        }
        guard entry.method == 0 else {
            throw CLIPError(.invalidInput,
                            "ZIP entry '\(entry.name)' is compressed (method \(entry.method)); PyTorch stores entries uncompressed, so the file was probably re-zipped",
                            path: file.path, location: entry.name)
        }
        return try file.withBytes(in: entry.dataRange, body)
    }

    /// The CRC-32 of `entry`'s data compared with the one recorded in the directory.
    func checksumMatches(_ entry: Entry) throws(CLIPError) -> Bool {
        try withData(of: entry) { raw in CRC32.checksum(raw) == entry.crc32 }
    }
}

/// The ZIP directory parser; works on the whole mapped file with explicit bounds checks.
private struct ZipParser {
    let raw: UnsafeRawBufferPointer
    let path: String

    private static let endSignature: UInt32 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let zip64EndSignature: UInt32 = 0x0606_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    private static let localSignature: UInt32 = 0x0403_4b50

    private func fail(_ message: String, at offset: Int) -> CLIPError {
        CLIPError(.invalidInput, message, path: path, location: "ZIP offset \(offset)")
    }

    private func u16(_ offset: Int) -> Int { Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian) }
    private func u32(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
    private func u64(_ offset: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian }

    /// Whether `count` bytes starting at `offset` lie inside the file.
    private func fits(_ offset: Int, _ count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= raw.count && count <= raw.count - offset
    }

    private func int(_ value: UInt64, _ what: String, at offset: Int) throws(CLIPError) -> Int {
        guard value <= UInt64(raw.count) else {
            throw fail("\(what) \(value) is larger than the file (\(raw.count) bytes); the file may be truncated", at: offset)
        }
        return Int(value)
    }

    func parse() throws(CLIPError) -> [ZipArchive.Entry] {
        guard raw.count >= 22 else {
            throw CLIPError(.invalidInput, "not a ZIP archive: \(raw.count) bytes, shorter than an end-of-directory record", path: path)
        }
        let endOffset = try findEndRecord()
        guard u16(endOffset + 4) == 0, u16(endOffset + 6) == 0 else {
            throw fail("multi-disk ZIP archives are not supported", at: endOffset)
        }
        var entryCount = UInt64(u16(endOffset + 10))
        var directorySize = UInt64(u32(endOffset + 12))
        var directoryOffset = UInt64(u32(endOffset + 16))
        var directoryLimit = endOffset
        let locatorOffset = endOffset - 20
        if locatorOffset >= 0, u32(locatorOffset) == Self.zip64LocatorSignature {
            let recordOffset = try int(u64(locatorOffset + 8), "ZIP64 end record offset", at: locatorOffset)
            guard fits(recordOffset, 56), recordOffset + 56 <= locatorOffset, u32(recordOffset) == Self.zip64EndSignature else {
                throw fail("ZIP64 end-of-directory record missing or out of place", at: locatorOffset)
            }
            entryCount = u64(recordOffset + 32)
            directorySize = u64(recordOffset + 40)
            directoryOffset = u64(recordOffset + 48)
            directoryLimit = recordOffset
        } else if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw fail("ZIP end record points to a ZIP64 record that is missing; the file may be truncated", at: endOffset)
        }
        let start = try int(directoryOffset, "central directory offset", at: endOffset)
        let size = try int(directorySize, "central directory size", at: endOffset)
        guard fits(start, size), start + size <= directoryLimit else {
            throw fail("central directory [\(directoryOffset), +\(directorySize)) lies outside the file; the file may be truncated",
                       at: endOffset)
        }
        guard entryCount <= UInt64(size / 46), entryCount <= UInt64(ZipArchive.maximumEntries) else {
            throw fail("ZIP end record claims \(entryCount) entries, more than its \(size)-byte directory can hold (or than \(ZipArchive.maximumEntries))",
                       at: endOffset)
        }
        var entries: [ZipArchive.Entry] = []
        entries.reserveCapacity(Int(entryCount))
        var offset = start
        for _ in 0..<Int(entryCount) {
            let (entry, next) = try centralEntry(at: offset, directoryEnd: start + size, dataLimit: start)
            entries.append(entry)
            offset = next
        }
        return entries
    }

    /// Finds the end-of-central-directory record, scanning back over at most a 64 KB comment.
    private func findEndRecord() throws(CLIPError) -> Int {
        let last = raw.count - 22
        let first = max(0, last - 0xFFFF)
        var offset = last
        while offset >= first {
            if u32(offset) == Self.endSignature, offset + 22 + u16(offset + 20) == raw.count {
                return offset
            }
            offset -= 1
        }
        throw CLIPError(.invalidInput, "not a ZIP archive, or truncated: no end-of-central-directory record", path: path)
    }

    private func centralEntry(at offset: Int, directoryEnd: Int, dataLimit: Int) throws(CLIPError) -> (ZipArchive.Entry, Int) {
        guard fits(offset, 46), offset + 46 <= directoryEnd, u32(offset) == Self.centralSignature else {
            throw fail("central directory entry expected", at: offset)
        }
        let flags = u16(offset + 8)
        let method = u16(offset + 10)
        let crc = u32(offset + 16)
        var compressedSize = UInt64(u32(offset + 20))
        var size = UInt64(u32(offset + 24))
        let nameLength = u16(offset + 28)
        let extraLength = u16(offset + 30)
        let commentLength = u16(offset + 32)
        let diskStart = u16(offset + 34)
        var localOffset = UInt64(u32(offset + 42))
        let end = offset + 46 + nameLength + extraLength + commentLength
        guard end <= directoryEnd else {
            throw fail("central directory entry runs past the end of the directory", at: offset)
        }
        let nameBytes = UnsafeRawBufferPointer(rebasing: raw[(offset + 46)..<(offset + 46 + nameLength)])
        let name = String(decoding: nameBytes, as: UTF8.self)
        // ZIP64 extended information: 64-bit values for the fields stored as all-ones, in this order.
        var missing: [String] = []
        if size == 0xFFFF_FFFF { missing.append("size") }
        if compressedSize == 0xFFFF_FFFF { missing.append("compressed size") }
        if localOffset == 0xFFFF_FFFF { missing.append("offset") }
        if !missing.isEmpty {
            var values = try zip64Values(extraStart: offset + 46 + nameLength, extraLength: extraLength,
                                         count: missing.count, entry: name, at: offset)
            if size == 0xFFFF_FFFF { size = values.removeFirst() }
            if compressedSize == 0xFFFF_FFFF { compressedSize = values.removeFirst() }
            if localOffset == 0xFFFF_FFFF { localOffset = values.removeFirst() }
        }
        guard diskStart == 0 || diskStart == 0xFFFF else {
            throw fail("ZIP entry '\(name)' starts on disk \(diskStart); multi-disk archives are not supported", at: offset)
        }
        let local = try int(localOffset, "local header offset of '\(name)'", at: offset)
        let compressed = try int(compressedSize, "compressed size of '\(name)'", at: offset)
        let uncompressed = try int(size, "size of '\(name)'", at: offset)
        guard fits(local, 30), local + 30 <= dataLimit, u32(local) == Self.localSignature else {
            throw fail("local header of ZIP entry '\(name)' is missing or out of place", at: local)
        }
        let localNameLength = u16(local + 26)
        let localExtraLength = u16(local + 28)
        let dataStart = local + 30 + localNameLength + localExtraLength
        guard localNameLength == nameLength, fits(local + 30, nameLength),
              raw[(local + 30)..<(local + 30 + nameLength)].elementsEqual(nameBytes) else {
            throw fail("local header of ZIP entry '\(name)' names a different file", at: local)
        }
        guard dataStart <= dataLimit, compressed <= dataLimit - dataStart else {
            throw fail("data of ZIP entry '\(name)' (\(compressed) bytes at offset \(dataStart)) runs into the central directory; the file may be truncated",
                       at: local)
        }
        if method == 0 && compressed != uncompressed {
            throw fail("stored ZIP entry '\(name)' has size \(uncompressed) but \(compressed) stored bytes", at: offset)
        }
        let entry = ZipArchive.Entry(name: name, method: method, flags: flags, crc32: crc, size: uncompressed,
                                     dataRange: dataStart..<(dataStart + compressed))
        return (entry, end)
    }

    /// The first `count` 64-bit values of the ZIP64 extra field (id 0x0001) in an entry's extra data.
    private func zip64Values(extraStart: Int, extraLength: Int, count: Int, entry: String, at offset: Int) throws(CLIPError) -> [UInt64] {
        var position = extraStart
        let end = extraStart + extraLength
        while position + 4 <= end {
            let id = u16(position)
            let length = u16(position + 2)
            guard position + 4 + length <= end else { break }
            if id == 1 {
                guard length >= 8 * count else {
                    throw fail("ZIP64 field of entry '\(entry)' holds \(length / 8) values, \(count) needed", at: offset)
                }
                return (0..<count).map { u64(position + 4 + 8 * $0) }
            }
            position += 4 + length
        }
        throw fail("ZIP entry '\(entry)' needs a ZIP64 extra field and has none", at: offset)
    }
}

/// CRC-32 (IEEE 802.3, as ZIP uses it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
