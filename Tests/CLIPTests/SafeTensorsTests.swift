import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

@Suite struct SafeTensorsTests {
    @Test func readsTheFixtureModelAndTokens() throws {
        let model = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/vit_openclip/model.safetensors").path)
        let info = try #require(model.info("visual.conv1.weight"))
        #expect(info.shape == [32, 3, 8, 8] && info.dtype == .float32)
        let weights = try model.floats("visual.conv1.weight")
        #expect(weights.count == 32 * 3 * 8 * 8)
        #expect(weights.contains { $0 != 0 })
        let inputs = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/inputs.safetensors").path)
        let tokens = try inputs.integers("text_tokens")
        #expect(tokens.count == 4 * 77 && tokens[0] == 49406)
    }

    @Test func shapeMismatchNamesFileKeyAndBothShapes() throws {
        let model = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/vit_openclip/model.safetensors").path)
        #expect {
            _ = try model.floats("visual.conv1.weight", shape: [32, 3, 16, 16])
        } throws: { error in
            errorMentions(error, "model.safetensors", "visual.conv1.weight", "[32, 3, 8, 8]", "[32, 3, 16, 16]")
        }
    }

    @Test func missingKeyNamesFileAndKey() throws {
        let model = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/vit_openclip/model.safetensors").path)
        #expect { try model.floats("visual.nothing") } throws: { errorMentions($0, "model.safetensors", "visual.nothing") }
        #expect { try model.floats("visual.nothing", shape: [2]) } throws: { errorMentions($0, "model.safetensors", "visual.nothing", "[2]") }
    }

    @Test func convertsHalfBFloatAndDoubleLikeTorch() throws {
        let file = try SafeTensorsFile(path: CheckpointFiles.path("tensors.safetensors"))
        let reference = try SafeTensorsFile(path: CheckpointFiles.path("tensors_as_f32.safetensors"))
        #expect(reference.names == ["bf16", "f16", "f64"])
        for name in reference.names {
            #expect(file.info(name)?.dtype != .float32)
            #expect(bitIdentical(try file.floats(name), try reference.floats(name)), "\(name) widened as torch's .float()")
        }
        #expect { try file.floats("i64") } throws: { errorMentions($0, "tensors.safetensors", "i64", "not floating point") }
        #expect(try file.integers("bool") == [1, 0, 1])
        #expect(try file.integers("u8") == Array(250...255))
        #expect(try file.integers("i64") == (-3...3).map { $0 * 1_000_000_007 })  // as the reference script makes it
    }

    // MARK: Malformed files, made here

    /// A safetensors file from a header given as text and `dataCount` data bytes.
    private func file(header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        let length = lengthOverride ?? UInt64(json.count)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + json + data
    }

    private func expectError(_ bytes: [UInt8], _ parts: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let directory = try TemporaryDirectory(prefix: "auglab-safetensors")
        defer { directory.remove() }
        let path = try writeFile(bytes, named: "broken.safetensors", in: directory)
        #expect(sourceLocation: sourceLocation) { try SafeTensorsFile(path: path) } throws: { error in
            errorMentions(error, "broken.safetensors") && parts.allSatisfy { "\(error)".contains($0) }
        }
    }

    private let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test func aValidHandMadeFileReads() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-safetensors")
        defer { directory.remove() }
        let path = try writeFile(file(header: good, data: float32Bytes([1.5, -2])), named: "ok.safetensors", in: directory)
        #expect(try SafeTensorsFile(path: path).floats("a") == [1.5, -2])
    }

    @Test func emptyAndTinyFilesAreRefused() throws {
        try expectError([], "shorter than the 8-byte header length")
        try expectError([1, 2, 3], "shorter than the 8-byte header length")
    }

    @Test func headerLengthPastTheEndIsRefused() throws {
        try expectError(file(header: good, data: float32Bytes([1, 2]), lengthOverride: 4000), "runs past the end", "truncated")
    }

    @Test func anAbsurdHeaderLengthIsRefusedBeforeAllocating() throws {
        try expectError(file(header: good, lengthOverride: UInt64.max), "exceeds the", "limit")
        try expectError(file(header: good, lengthOverride: 1 << 40), "exceeds the", "limit")
    }

    @Test func aTruncatedFileIsRefused() throws {
        let whole = file(header: good, data: float32Bytes([1, 2]))
        try expectError(Array(whole.dropLast(3)), "'a'", "outside", "truncated")
    }

    @Test func headerMustBeAJSONObject() throws {
        try expectError(file(header: "[1, 2]"), "not a JSON object")
        try expectError(file(header: "{\"a\": "), "not valid JSON")
        try expectError(file(header: #"{"a": 3}"#), "'a'", "not an object")
    }

    @Test func unknownDTypeIsNamed() throws {
        try expectError(file(header: #"{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, data: [0, 0]),
                        "'a'", "unknown dtype 'F8_E4M3'")
    }

    @Test func badShapesAreRefused() throws {
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: float32Bytes([1, 2])),
                        "'a'", "invalid shape")
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: float32Bytes([1])),
                        "'a'", "invalid shape")
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: float32Bytes([1, 2])),
                        "'a'", "does not match its 8 data bytes")
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#,
                             data: float32Bytes([1, 2])), "'a'", "too large")
    }

    @Test func offsetsOutOfRangeAreRefused() throws {
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, data: float32Bytes([1, 2])),
                        "'a'", "outside the 8 data bytes")
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: float32Bytes([1, 2])),
                        "'a'", "outside")
        try expectError(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, data: float32Bytes([1, 2])),
                        "'a'", "invalid data_offsets")
    }

    @Test func overlappingGappedOrTrailingDataIsRefused() throws {
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try expectError(file(header: overlap, data: float32Bytes([1, 2])), "overlaps")
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        try expectError(file(header: gap, data: float32Bytes([1, 2, 3])), "belong to no tensor", "'b'")
        try expectError(file(header: good, data: float32Bytes([1, 2, 3])), "after the last tensor")
    }

    @Test func metadataMustMapStringsToStrings() throws {
        try expectError(file(header: #"{"__metadata__":{"n":1}}"#), "__metadata__", "not a string")
        try expectError(file(header: #"{"__metadata__":[1]}"#), "__metadata__")
    }
}
