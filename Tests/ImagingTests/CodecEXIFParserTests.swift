import Testing
@testable import Imaging

/// The EXIF orientation reader on hand-built and damaged APP1 segments.
@Suite struct CodecEXIFParserTests {
    /// A TIFF block with one IFD0 entry (tag, type, count, 4-byte value field).
    func tiff(littleEndian: Bool, tag: UInt16 = 0x0112, type: UInt16 = 3, count: UInt32 = 1, value: UInt32,
              ifdOffset: UInt32 = 8, entries: UInt16 = 1) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] {
            let bytes = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return littleEndian ? bytes.reversed() : bytes
        }
        // A SHORT value sits in the first two bytes of the value field.
        let field = type == 3 ? u16(UInt16(truncatingIfNeeded: value)) + [0, 0] : u32(value)
        return (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(ifdOffset) + u16(entries)
            + u16(tag) + u16(type) + u32(count) + field + u32(0)
    }

    /// A marker segment with its length field.
    func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    func jpeg(_ segments: [UInt8]...) -> [UInt8] { [0xFF, 0xD8] + segments.flatMap { $0 } + [0xFF, 0xD9] }

    let exif = EXIFOrientation.exifHeader

    @Test(arguments: [true, false])
    func readsBothByteOrders(littleEndian: Bool) {
        for value in 1...8 {
            let bytes = jpeg(segment(0xE1, exif + tiff(littleEndian: littleEndian, value: UInt32(value))))
            #expect(EXIFOrientation.read(fromJPEG: bytes) == value)
        }
    }

    @Test func findsExifAfterOtherSegmentsAndFillBytes() {
        let jfif = segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        let xmp = segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\u{0}<x/>".utf8))
        let app1 = segment(0xE1, exif + tiff(littleEndian: true, value: 6))
        #expect(EXIFOrientation.read(fromJPEG: jpeg(jfif, xmp, [0xFF, 0xFF], app1)) == 6)
    }

    @Test func onlyTheFirstExifSegmentCounts() {
        let withoutOrientation = segment(0xE1, exif + tiff(littleEndian: true, tag: 0x010F, value: 0))
        let withOrientation = segment(0xE1, exif + tiff(littleEndian: true, value: 3))
        #expect(EXIFOrientation.read(fromJPEG: jpeg(withoutOrientation, withOrientation)) == nil)
    }

    @Test func stopsAtStartOfScan() {
        let sos = segment(0xDA, [1, 1, 0, 0, 63, 0])
        let app1 = segment(0xE1, exif + tiff(littleEndian: true, value: 6))
        #expect(EXIFOrientation.read(fromJPEG: jpeg(sos, app1)) == nil)
    }

    @Test func longValuesAreReadAndOtherTypesOrCountsAreNot() {
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + tiff(littleEndian: false, type: 4, value: 8)))) == 8)
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + tiff(littleEndian: true, type: 2, value: 6)))) == nil)
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + tiff(littleEndian: true, count: 2, value: 6)))) == nil)
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + tiff(littleEndian: true, count: 0, value: 6)))) == nil)
    }

    @Test func outOfRangeOffsetsAndCountsAreIgnored() {
        let cases: [[UInt8]] = [
            tiff(littleEndian: true, value: 6, ifdOffset: 4000),           // IFD beyond the block
            tiff(littleEndian: false, value: 6, ifdOffset: 0xFFFF_FFFF),  // offset overflow
            Array(tiff(littleEndian: true, value: 6).prefix(12)),          // cut inside the entry
            [0x49, 0x49, 0x2B, 0x00, 8, 0, 0, 0],                          // BigTIFF magic
            [0x4D, 0x49, 0x00, 0x2A, 0, 0, 0, 8],                          // mixed byte order mark
        ]
        for tiffBlock in cases { #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + tiffBlock))) == nil) }
        // An entry count larger than the block: entries read before the end still count (as in
        // Pillow, which keeps what it read before the truncation); later ones are not read.
        let overlong = tiff(littleEndian: true, value: 6, entries: 0xFFFF)
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + overlong))) == 6)
        let overlongOther = tiff(littleEndian: true, tag: 0x010F, value: 6, entries: 0xFFFF)
        #expect(EXIFOrientation.read(fromJPEG: jpeg(segment(0xE1, exif + overlongOther))) == nil)
    }

    @Test func segmentsRunningPastTheDataAreIgnored() {
        var bytes = jpeg(segment(0xE1, exif + tiff(littleEndian: true, value: 6)))
        bytes[5] = 0xFF  // length low byte: now past the end
        #expect(EXIFOrientation.read(fromJPEG: bytes) == nil)
        #expect(EXIFOrientation.read(fromJPEG: Array(bytes.prefix(3))) == nil)
        #expect(EXIFOrientation.read(fromJPEG: [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]) == nil)  // length < 2
        #expect(EXIFOrientation.read(fromJPEG: []) == nil)
    }

    @Test func randomDamageNeverCrashes() {
        let valid = jpeg(segment(0xE1, exif + tiff(littleEndian: false, value: 5)))
        var found = 0
        for seed in 0..<2000 {
            var bytes = valid
            let noise = TestBytes.random(count: 6, seed: UInt64(seed))
            for k in 0..<3 { bytes[Int(noise[2 * k]) % bytes.count] = noise[2 * k + 1] }
            if EXIFOrientation.read(fromJPEG: bytes) != nil { found += 1 }
            _ = EXIFOrientation.read(fromJPEG: Array(bytes.prefix(Int(noise[0]) % bytes.count)))
        }
        #expect(found > 0)
    }
}
