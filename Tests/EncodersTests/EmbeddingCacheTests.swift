import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging
import Tensors
@testable import Encoders

/// The on-disk embedding cache: hits give back the stored bytes, damaged entries are never trusted.
@Suite struct EmbeddingCacheTests {
    static let model = String(repeating: "1f", count: 32)
    static let content = String(repeating: "a0", count: 32)

    static func encoder() throws -> CLIPEncoder {
        try CLIPEncoder.load(EncoderFixtures.clip("vit_openclip"))
    }

    static func images() throws -> [ImageInput] {
        let a = try EncoderFixtures.png("png_a_97x61.png"), b = try EncoderFixtures.png("png_b_200x300.png")
        return [ImageInput(a), ImageInput(b), ImageInput(a.transformed(by: .rotate90))]
    }

    @Test func storedValuesComeBackBitForBit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cache = EmbeddingCache(directory: directory.url.path)
        let values: [Float] = [1.5, -0.0, .pi, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan]
        try cache.store(values, model: Self.model, content: Self.content)
        let loaded = try #require(cache.load(model: Self.model, content: Self.content, dimension: values.count))
        #expect(loaded.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(cache.load(model: Self.model, content: Self.content, dimension: values.count + 1) == nil, "another dimension is a miss")
        #expect(cache.load(model: Self.content, content: Self.content, dimension: values.count) == nil, "another model is a miss")
        let path = try #require(cache.entryPath(model: Self.model, content: Self.content))
        #expect(path == "\(directory.url.path)/embeddings-v1/\(Self.model)/\(Self.content).emb")
        #expect(cache.entryPath(model: "../../etc", content: Self.content) == nil, "keys must be hex digests")
    }

    @Test func damagedEntriesAreIgnored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cache = EmbeddingCache(directory: directory.url.path)
        let values = (0..<16).map { Float($0) / 3 }
        try cache.store(values, model: Self.model, content: Self.content)
        let path = try #require(cache.entryPath(model: Self.model, content: Self.content))
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var flippedValue = good
        flippedValue[80] ^= 0x01
        var flippedChecksum = good
        flippedChecksum[good.count - 1] ^= 0x80
        var wrongMagic = good
        wrongMagic[0] = UInt8(ascii: "X")
        var wrongKey = good
        wrongKey[20] ^= 0xFF
        let damaged: [(String, [UInt8])] = [
            ("empty", []), ("truncated", Array(good.dropLast(7))), ("one byte longer", good + [0]), ("a value bit", flippedValue),
            ("the checksum", flippedChecksum), ("the magic", wrongMagic), ("a key byte", wrongKey),
            ("text", Array(String(repeating: "not an embedding ", count: 10).utf8)),
        ]
        for (what, bytes) in damaged {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(cache.load(model: Self.model, content: Self.content, dimension: 16) == nil, "\(what)")
        }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(cache.load(model: Self.model, content: Self.content, dimension: 16) == nil, "a folder in its place")
    }

    @Test func secondRunHitsAndReturnsIdenticalBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let encoder = try Self.encoder()
        let cached = CachedImageEncoder(encoder, cache: EmbeddingCache(directory: directory.url.path))
        let images = try Self.images()
        let (first, firstStats) = try cached.encodeImagesCounting(images, progress: nil)
        #expect(firstStats.hits == 0 && firstStats.misses == 3 && firstStats.storeFailure == nil)
        #expect(bitIdentical(first, try encoder.encodeImages(images, progress: nil)), "a miss is the encoder's own output")
        let log = ProgressLog()
        let (second, secondStats) = try cached.encodeImagesCounting(images, progress: log.record)
        #expect(secondStats.hits == 3 && secondStats.misses == 0)
        #expect(bitIdentical(second, first))
        #expect(log.events == [ProgressLog.Event(completed: 3, total: 3)])
        let model = try #require(encoder.descriptor.cacheIdentity)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory.url.path)/embeddings-v1/\(model)").count == 3)
    }

    @Test func corruptEntryIsRecomputedAndReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let encoder = try Self.encoder()
        let cache = EmbeddingCache(directory: directory.url.path)
        let cached = CachedImageEncoder(encoder, cache: cache)
        let images = try Self.images()
        let first = try cached.encodeImages(images, progress: nil)
        let model = try #require(encoder.descriptor.cacheIdentity)
        let key = cached.contentKey(images[1].image)
        let path = try #require(cache.entryPath(model: model, content: key))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[90] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (again, stats) = try cached.encodeImagesCounting(images, progress: nil)
        #expect(stats.hits == 2 && stats.misses == 1)
        #expect(CLIPEncoderTests.sameUpToRounding(again.values, first.values))
        #expect(again.row(1).map(\.bitPattern) == (try encoder.encodeImages([images[1]], progress: nil)).values.map(\.bitPattern))
        #expect(cache.load(model: model, content: key, dimension: 32) != nil, "the entry was rewritten")
    }

    @Test func duplicatesAreEmbeddedOnceAndFailuresToStoreDoNotFail() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let blocker = directory.path("cache-is-a-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let encoder = try Self.encoder()
        let cached = CachedImageEncoder(encoder, cache: EmbeddingCache(directory: blocker))
        let images = try Self.images()
        let (result, stats) = try cached.encodeImagesCounting(images + [images[0]], progress: nil)
        #expect(stats.misses == 3 && stats.hits == 0)
        #expect(result.rows == 4 && result.row(0) == result.row(3))
        let failure = try #require(stats.storeFailure)
        #expect(failure.code == .io && failure.description.contains(blocker))
    }

    @Test func contentKeysFollowPixelsSizeAndPreprocessing() throws {
        let image = try EncoderFixtures.png("png_a_97x61.png")
        let key = ContentHash.variant(image, preprocessing: "p")
        #expect(EmbeddingCache.isHexDigest(key))
        #expect(ContentHash.variant(image, preprocessing: "q") != key)
        var changed = image
        changed.pixels[0] ^= 1
        #expect(ContentHash.variant(changed, preprocessing: "p") != key)
        let reshaped = RGBImage(width: 61, height: 97, pixels: image.pixels)
        #expect(ContentHash.variant(reshaped, preprocessing: "p") != key)
        #expect(ContentHash.pixels(reshaped) == ContentHash.pixels(image), "the plain pixel hash ignores the shape")
        #expect(ContentHash.pixels(image) == SHA256.hex(of: image.pixels))
    }

    @Test func cacheIdentityDependsOnWeightsConfigAndPreprocessing() throws {
        let loaded = try ModelLoader.load(EncoderFixtures.clip("vit_openclip"))
        let sha = try #require(loaded.sha256)
        let base = CLIPEncoder.cacheIdentity(weightsSHA256: sha, config: loaded.config, preprocess: loaded.preprocess)
        #expect(try Self.encoder().descriptor.cacheIdentity == base)
        var gelu = loaded.config
        gelu.quickGELU.toggle()
        #expect(CLIPEncoder.cacheIdentity(weightsSHA256: sha, config: gelu, preprocess: loaded.preprocess) != base)
        var squash = loaded.preprocess
        squash.resizeMode = .squash
        #expect(CLIPEncoder.cacheIdentity(weightsSHA256: sha, config: loaded.config, preprocess: squash) != base)
        #expect(CLIPEncoder.cacheIdentity(weightsSHA256: String(repeating: "0", count: 64), config: loaded.config,
                                          preprocess: loaded.preprocess) != base)
        let unhashed = try CLIPEncoder.load(EncoderFixtures.clip("vit_openclip"), options: ModelLoadOptions(computeSHA256: false))
        #expect(unhashed.descriptor.cacheIdentity == nil, "a model without a file hash is not cached")
    }

    @Test func defaultDirectoryFollowsTheEnvironment() {
        #expect(EmbeddingCache.defaultDirectory(environment: ["AUGLAB_CACHE_DIR": "/a", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/a")
        #expect(EmbeddingCache.defaultDirectory(environment: ["AUGLAB_CACHE_DIR": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/auglab")
        #expect(EmbeddingCache.defaultDirectory(environment: ["HOME": "/h"]) == "/h/.cache/auglab")
        #expect(EmbeddingCache.defaultDirectory(environment: [:]) == nil)
    }
}
