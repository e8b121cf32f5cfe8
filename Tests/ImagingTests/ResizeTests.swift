import Foundation
import Testing
import AugLabTestSupport
@testable import Imaging

/// The resampler against Pillow 13 (references: scripts/reference/preprocess_resize_cases.py).
@Suite struct ResizeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var filter: ResampleFilter
        var width: Int
        var height: Int
        var box: ResizeBox?
        var verticalFirst: Bool
        var pixels: [UInt8]
        var testDescription: String {
            "\(source) → \(width)×\(height) \(filter.rawValue)" + (box.map { " box \($0)" } ?? "")
        }
    }

    struct References: Sendable {
        var sources: [String: RGBImage]
        var cases: [Case]
    }

    static let references: References = (try? load()) ?? References(sources: [:], cases: [])

    static func load() throws -> References {
        let url = Fixtures.package("Tests/ImagingTests/References/resize_cases.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        var sources: [String: RGBImage] = [:]
        for (name, value) in json["sources"] as? [String: [String: Any]] ?? [:] {
            guard let width = value["width"] as? Int, let height = value["height"] as? Int,
                  let text = value["pixels"] as? String, let data = Data(base64Encoded: text) else { continue }
            sources[name] = RGBImage(width: width, height: height, pixels: [UInt8](data))
        }
        var cases: [Case] = []
        for entry in json["cases"] as? [[String: Any]] ?? [] {
            guard let source = entry["source"] as? String, let filterName = entry["filter"] as? String,
                  let filter = ResampleFilter(rawValue: filterName), let width = entry["width"] as? Int,
                  let height = entry["height"] as? Int, let text = entry["pixels"] as? String,
                  let data = Data(base64Encoded: text) else { continue }
            var box: ResizeBox?
            if let edges = entry["box"] as? [Double], edges.count == 4 {
                box = ResizeBox(left: Float(edges[0]), top: Float(edges[1]), right: Float(edges[2]), bottom: Float(edges[3]))
            }
            cases.append(Case(source: source, filter: filter, width: width, height: height, box: box,
                              verticalFirst: entry["vertical_first"] as? Bool ?? false, pixels: [UInt8](data)))
        }
        return References(sources: sources, cases: cases)
    }

    @Test func referencesCoverEveryFilterAndBothPassOrders() {
        let cases = Self.references.cases
        #expect(cases.count > 150)
        #expect(Set(cases.map(\.filter)) == Set(ResampleFilter.allCases))
        #expect(cases.contains { $0.verticalFirst } && cases.contains { !$0.verticalFirst })
        #expect(cases.contains { $0.box != nil })
    }

    @Test(arguments: references.cases)
    func matchesPillow(_ testCase: Case) throws {
        let source = try #require(Self.references.sources[testCase.source])
        let out = try source.resized(width: testCase.width, height: testCase.height, filter: testCase.filter, box: testCase.box)
        #expect(out.width == testCase.width && out.height == testCase.height)
        let differing = zip(out.pixels, testCase.pixels).filter { $0 != $1 }.count
        #expect(out.pixels == testCase.pixels, "\(differing) of \(testCase.pixels.count) samples differ")
    }

    @Test func sameSizeReturnsTheImage() throws {
        let image = try #require(Self.references.sources["s27x19"])
        for filter in ResampleFilter.allCases {
            #expect(try image.resized(width: image.width, height: image.height, filter: filter) == image)
        }
    }

    @Test func rejectsBadSizesAndBoxes() throws {
        let image = RGBImage(width: 4, height: 3, filledWith: (1, 2, 3))
        #expect(throws: ImagingError.self) { try image.resized(width: 0, height: 3) }
        #expect(throws: ImagingError.self) { try image.resized(width: 3, height: -1) }
        #expect(throws: ImagingError.self) { try image.resized(width: 1 << 14, height: 1 << 13) }
        #expect(throws: ImagingError.self) {
            try image.resized(width: 2, height: 2, box: ResizeBox(left: -1, top: 0, right: 2, bottom: 2))
        }
        #expect(throws: ImagingError.self) {
            try image.resized(width: 2, height: 2, box: ResizeBox(left: 0, top: 0, right: 5, bottom: 2))
        }
        #expect(throws: ImagingError.self) {
            try image.resized(width: 2, height: 2, box: ResizeBox(left: 3, top: 0, right: 2, bottom: 2))
        }
    }

    @Test func flatImagesStayFlat() throws {
        let image = RGBImage(width: 13, height: 7, filledWith: (200, 17, 90))
        for filter in ResampleFilter.allCases {
            for (w, h) in [(1, 1), (5, 3), (29, 40), (13, 2)] {
                let out = try image.resized(width: w, height: h, filter: filter)
                #expect(out == RGBImage(width: w, height: h, filledWith: (200, 17, 90)), "\(filter) \(w)×\(h)")
            }
        }
    }
}

/// `resized(..., croppedTo:)` against cropping the full resize (itself checked against Pillow).
@Suite struct ResizeWindowTests {
    @Test(arguments: ResampleFilter.allCases)
    func windowEqualsCropOfTheFullResize(_ filter: ResampleFilter) throws {
        let sources = ResizeTests.references.sources.values.sorted { $0.pixels.count > $1.pixels.count }
        let source = try #require(sources.first)
        // Fixed pseudo-random sizes and windows (a small LCG keeps the test deterministic).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(ResampleFilter.allCases.firstIndex(of: filter) ?? 0)
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for round in 0..<12 {
            let width = 1 + next(source.width * 2), height = 1 + next(source.height * 2)
            let box: ResizeBox? = round % 3 == 2
                ? ResizeBox(left: 0.5, top: 1.25, right: Float(source.width) - 0.75, bottom: Float(source.height) - 2)
                : nil
            let full = try source.resized(width: width, height: height, filter: filter, box: box)
            let crop = PixelRect(x: next(width), y: next(height), width: 1, height: 1)
            let window = PixelRect(x: crop.x, y: crop.y, width: 1 + next(width - crop.x), height: 1 + next(height - crop.y))
            let part = try source.resized(width: width, height: height, filter: filter, box: box, croppedTo: window)
            #expect(part == full.cropped(window), "\(width)×\(height) window \(window) box \(String(describing: box))")
        }
    }

    @Test func rejectsWindowsOutsideTheOutput() {
        let image = RGBImage(width: 4, height: 3, filledWith: (1, 2, 3))
        #expect(throws: ImagingError.self) { try image.resized(width: 5, height: 5, croppedTo: PixelRect(x: 1, y: 0, width: 5, height: 5)) }
        #expect(throws: ImagingError.self) { try image.resized(width: 5, height: 5, croppedTo: PixelRect(x: 0, y: 0, width: 0, height: 5)) }
        #expect(throws: ImagingError.self) { try image.resized(width: 5, height: 5, croppedTo: PixelRect(x: -1, y: 0, width: 2, height: 2)) }
    }
}
