import Testing
@testable import Imaging

/// The eight exact rotations and flips: bit-exact against numpy, and the group laws of D4.
@Suite struct ExactTransformTests {
    let references: CodecReferences

    init() throws { references = try CodecReferences.load() }

    @Test func rgbImagesMatchNumpy() throws {
        let reference = try #require(references.transforms["rgb8"])
        let image = RGBImage(width: reference.width, height: reference.height,
                             pixels: reference.pixels.map { UInt8($0) })
        #expect(reference.results.count == DihedralTransform.allCases.count)
        for transform in DihedralTransform.allCases {
            let expected = try #require(reference.results[transform.rawValue], "\(transform)")
            let result = transform.applied(to: image)
            #expect(result.width == expected.width && result.height == expected.height, "\(transform)")
            #expect(sampleDigest(result) == expected.sha256, "\(transform) differs from numpy")
        }
    }

    @Test func floatImagesMatchNumpy() throws {
        let reference = try #require(references.transforms["float32"])
        let image = FloatImage(width: reference.width, height: reference.height,
                               pixels: reference.pixels.map { Float($0) })
        for transform in DihedralTransform.allCases {
            let expected = try #require(reference.results[transform.rawValue], "\(transform)")
            let result = image.transformed(by: transform)
            #expect(result.width == expected.width && result.height == expected.height, "\(transform)")
            #expect(sampleDigest(result) == expected.sha256, "\(transform) differs from numpy")
        }
    }

    /// The source pixel of output (x, y), written out from numpy's definitions.
    func naive(_ transform: DihedralTransform, _ image: RGBImage) -> RGBImage {
        let w = image.width, h = image.height
        let size = transform.outputSize(width: w, height: h)
        var out = RGBImage(width: size.width, height: size.height, filledWith: (0, 0, 0))
        for y in 0..<size.height {
            for x in 0..<size.width {
                let (sx, sy): (Int, Int)
                switch transform {
                case .identity: (sx, sy) = (x, y)
                case .flipHorizontal: (sx, sy) = (w - 1 - x, y)
                case .flipVertical: (sx, sy) = (x, h - 1 - y)
                case .rotate180: (sx, sy) = (w - 1 - x, h - 1 - y)
                case .transpose: (sx, sy) = (y, x)
                case .rotate90: (sx, sy) = (w - 1 - y, x)
                case .rotate270: (sx, sy) = (y, h - 1 - x)
                case .transverse: (sx, sy) = (w - 1 - y, h - 1 - x)
                }
                for c in 0..<3 { out[x, y, c] = image[sx, sy, c] }
            }
        }
        return out
    }

    @Test func everyWidthTakesTheRightPathThroughTheSIMDKernels() {
        // Widths 1...45 cover the 10- and 5-pixel SIMD steps and every scalar tail; heights
        // past the 32-pixel tile cover partial tiles of the axis-swapping transforms.
        for width in 1...45 {
            let image = TestBytes.randomImage(width: width, height: 3 + width % 4, seed: UInt64(width))
            for transform in DihedralTransform.allCases {
                #expect(transform.applied(to: image) == naive(transform, image), "\(transform) at width \(width)")
            }
        }
        let tall = TestBytes.randomImage(width: 33, height: 70, seed: 99)
        for transform in DihedralTransform.allCases { #expect(transform.applied(to: tall) == naive(transform, tall)) }
    }

    @Test func floatFlipsOfEveryNarrowWidth() {
        for width in 1...9 {
            let bytes = TestBytes.random(count: width * 2 * 3, seed: UInt64(width))
            let image = FloatImage(width: width, height: 2, pixels: bytes.map { Float($0) / 255 })
            let quantized = image.quantized()
            for transform in DihedralTransform.allCases {
                #expect(transform.applied(to: image).quantized() == naive(transform, quantized), "\(transform) at \(width)")
            }
        }
    }

    @Test func compositionTableMatchesApplyingOneAfterTheOther() {
        let image = TestBytes.randomImage(width: 5, height: 3, seed: 11)
        for first in DihedralTransform.allCases {
            for second in DihedralTransform.allCases {
                let sequential = second.applied(to: first.applied(to: image))
                #expect(first.followed(by: second).applied(to: image) == sequential, "\(first) then \(second)")
            }
        }
    }

    @Test func groupLaws() {
        let all = DihedralTransform.allCases
        #expect(Set(all).count == 8)
        for t in all {
            #expect(t.followed(by: t.inverse) == .identity && t.inverse.followed(by: t) == .identity)
            #expect(t.followed(by: .identity) == t && DihedralTransform.identity.followed(by: t) == t)
            // Each row of the Cayley table is a permutation of the group.
            #expect(Set(all.map { t.followed(by: $0) }).count == 8)
            for u in all {
                for v in all {
                    #expect(t.followed(by: u).followed(by: v) == t.followed(by: u.followed(by: v)))
                }
            }
        }
        for flip in [DihedralTransform.flipHorizontal, .flipVertical, .transpose, .transverse] {
            #expect(flip.followed(by: flip) == .identity)
            #expect(flip.isReflection && flip.rotationDegrees == nil)
        }
        var power = DihedralTransform.identity
        for step in 1...4 {
            power = power.followed(by: .rotate90)
            #expect((power == .identity) == (step == 4))
        }
        #expect(DihedralTransform.rotate90.followed(by: .rotate90) == .rotate180)
        #expect(DihedralTransform.flipHorizontal.followed(by: .flipVertical) == .rotate180)
        #expect(DihedralTransform.transpose.followed(by: .rotate180) == .transverse)
    }

    @Test func imageLevelInvolutionsAndRotationPowers() {
        let image = TestBytes.randomImage(width: 7, height: 4, seed: 5)
        for flip in [DihedralTransform.flipHorizontal, .flipVertical, .transpose, .transverse] {
            #expect(image.transformed(by: flip).transformed(by: flip) == image)
        }
        var rotated = image
        for _ in 0..<4 { rotated = rotated.transformed(by: .rotate90) }
        #expect(rotated == image)
        for t in DihedralTransform.allCases { #expect(image.transformed(by: t).transformed(by: t.inverse) == image) }
    }

    @Test func exifOrientationValuesRoundTrip() {
        for value in 1...8 {
            let transform = DihedralTransform(exifOrientation: value)
            #expect(transform?.exifOrientation == value)
        }
        #expect(DihedralTransform(exifOrientation: 0) == nil && DihedralTransform(exifOrientation: 9) == nil)
        #expect(Set((1...8).compactMap(DihedralTransform.init(exifOrientation:))).count == 8)
    }

    @Test func outputSizeSwapsForTheFourAxisSwappingElements() {
        let image = TestBytes.randomImage(width: 6, height: 2, seed: 1)
        for t in DihedralTransform.allCases {
            let out = t.applied(to: image)
            #expect((out.width, out.height) == (t.swapsAxes ? (2, 6) : (6, 2)), "\(t)")
            #expect(t.outputSize(width: 6, height: 2) == (out.width, out.height))
        }
        #expect(DihedralTransform.allCases.filter(\.swapsAxes).count == 4)
        #expect(DihedralTransform.allCases.filter(\.isReflection).count == 4)
    }

    @Test func transformsAreCodableByName() throws {
        for t in DihedralTransform.allCases { #expect(DihedralTransform(rawValue: t.description) == t) }
    }
}
