/// Reads the EXIF orientation tag (0x0112) of a JPEG, with every offset bounds-checked.
///
/// Like Pillow, only the first APP1 segment that starts with `"Exif\0\0"` counts, and only
/// IFD0 of its TIFF block is searched. Both byte orders ("II" and "MM") are read. Anything
/// malformed (a segment running past the data, an offset outside the TIFF block, a wrong
/// type) means "no orientation"; it never fails the decode.
public enum EXIFOrientation {
    /// The stored orientation value (normally 1...8, returned as stored even if not), or nil.
    public static func read(fromJPEG bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { read(fromJPEG: $0) }
    }

    /// The stored orientation value (normally 1...8, returned as stored even if not), or nil.
    public static func read(fromJPEG bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let segment = firstExifSegment(in: bytes) else { return nil }
        return orientation(inTIFF: UnsafeBufferPointer(rebasing: bytes[segment]))
    }

    static let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]  // "Exif\0\0"

    /// The byte range of the TIFF block inside the first Exif APP1 segment, if any.
    ///
    /// Walks the marker segments from SOI up to the first SOS or EOI.
    static func firstExifSegment(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var position = 2
        while position + 1 < bytes.count {
            guard bytes[position] == 0xFF else { return nil }
            let marker = bytes[position + 1]
            if marker == 0xFF {  // fill byte before a marker
                position += 1
                continue
            }
            // Markers without a length field: TEM, RSTn, SOI.
            if marker == 0x01 || (0xD0...0xD8).contains(marker) {
                position += 2
                continue
            }
            if marker == 0xD9 || marker == 0xDA { return nil }  // EOI, SOS: no more headers
            guard position + 4 <= bytes.count else { return nil }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let payloadStart = position + 4
            let end = position + 2 + length
            guard length >= 2, end <= bytes.count else { return nil }
            if marker == 0xE1, end - payloadStart >= exifHeader.count,
               exifHeader.indices.allSatisfy({ bytes[payloadStart + $0] == exifHeader[$0] }) {
                return (payloadStart + exifHeader.count)..<end
            }
            position = end
        }
        return nil
    }

    /// The orientation entry of IFD0 in a TIFF block (from its "II"/"MM" header on).
    static func orientation(inTIFF tiff: UnsafeBufferPointer<UInt8>) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= tiff.count else { return nil }
            let a = Int(tiff[offset]), b = Int(tiff[offset + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func u32(_ offset: Int) -> Int? {
            guard let low = u16(littleEndian ? offset : offset + 2),
                  let high = u16(littleEndian ? offset + 2 : offset) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
        for index in 0..<entries {
            let entry = ifd + 2 + 12 * index
            guard let tag = u16(entry), let type = u16(entry + 2), let count = u32(entry + 4) else { return nil }
            guard tag == 0x0112 else { continue }
            // One value, stored inline in the entry (Pillow ignores other counts too).
            guard count == 1 else { return nil }
            switch type {
            case 3: return u16(entry + 8)  // SHORT, stored in the value field
            case 4: return u32(entry + 8)  // LONG (non-standard but seen)
            default: return nil
            }
        }
        return nil
    }
}
