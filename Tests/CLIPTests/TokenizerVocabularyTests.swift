import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Reading the BPE merges file and the errors a damaged one gives.
@Suite struct TokenizerVocabularyTests {
    @Test func bundledVocabularyHasCLIPsLayout() throws {
        let vocabulary = try BPEVocabulary.bundled()
        #expect(vocabulary.count == 256 * 2 + BPEVocabulary.standardMergeCount + 2)
        #expect(vocabulary.startOfTextID == vocabulary.count - 2)
        #expect(vocabulary.endOfTextID == vocabulary.count - 1)
        // bytes_to_unicode order: '!' is the first symbol; every byte's word-final twin is +256.
        #expect(vocabulary.tokens[0] == "!" && vocabulary.tokens[256] == "!</w>")
        #expect(Set(vocabulary.tokens).count == vocabulary.count, "no two tokens share a string")
        #expect(Set(vocabulary.byteIDs).count == 256)
    }

    @Test func fixtureVocabularyEqualsTheBundledOne() throws {
        let fromFixture = try BPEVocabulary(contentsOf: Fixtures.shared("fixtures/clip/bpe_simple_vocab_16e6.txt.gz").path)
        let bundled = try BPEVocabulary.bundled()
        #expect(fromFixture.tokens == bundled.tokens)
        #expect(fromFixture.merges == bundled.merges)
    }

    @Test func plainTextMergesFileWithFewerMerges() throws {
        let text = "#version: 0.2\nh e\nl l\nhe ll\nhell o</w>\n"
        let vocabulary = try BPEVocabulary(mergesFile: Array(text.utf8), mergeCount: 4)
        #expect(vocabulary.count == 512 + 4 + 2)
        let hello = vocabulary.encodeWord(Array("hello".utf8)).map { vocabulary.tokens[Int($0)] }
        #expect(hello == ["hello</w>"])
        let help = vocabulary.encodeWord(Array("help".utf8)).map { vocabulary.tokens[Int($0)] }
        #expect(help == ["he", "l", "p</w>"])
    }

    @Test func tooFewMergesNamesTheLine() {
        let text = "#version: 0.2\nh e\n"
        #expect {
            _ = try BPEVocabulary(mergesFile: Array(text.utf8), mergeCount: 5, path: "v.txt")
        } throws: { error in
            "\(error)".contains("v.txt") && "\(error)".contains("1 merges, 5 are needed")
        }
    }

    @Test func malformedLineNamesTheLine() {
        let text = "#version: 0.2\nh e\nabc\n"
        #expect {
            _ = try BPEVocabulary(mergesFile: Array(text.utf8), mergeCount: 2, path: "v.txt")
        } throws: { error in
            "\(error)".contains("line 3")
        }
        let invalidUTF8: [UInt8] = Array("#v\nh ".utf8) + [0xFF, 0xFE] + [0x0A]
        #expect(throws: CLIPError.self) { try BPEVocabulary(mergesFile: invalidUTF8, mergeCount: 1) }
    }

    @Test func damagedGzipFilesAreErrors() throws {
        let original = try Data(contentsOf: Fixtures.shared("fixtures/clip/bpe_simple_vocab_16e6.txt.gz"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let truncated = directory.path("truncated.txt.gz")
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect {
            _ = try BPEVocabulary(contentsOf: truncated)
        } throws: { error in
            "\(error)".contains("truncated.txt.gz") && "\(error)".contains("truncated")
        }
        var corruptBytes = [UInt8](original.prefix(4096))
        for i in 100..<400 { corruptBytes[i] ^= 0x5A }
        let corrupt = directory.path("corrupt.txt.gz")
        try Data(corruptBytes).write(to: URL(fileURLWithPath: corrupt))
        #expect(throws: CLIPError.self) { try BPEVocabulary(contentsOf: corrupt) }
        #expect(throws: CLIPError.self) { try BPEVocabulary(contentsOf: directory.path("missing.txt.gz")) }
    }

    @Test func gunzipRefusesOversizedOutput() throws {
        let original = try [UInt8](Data(contentsOf: Fixtures.shared("fixtures/clip/bpe_simple_vocab_16e6.txt.gz")))
        #expect {
            _ = try Gunzip.decompress(original, path: "v.gz", outputLimit: 1 << 20)
        } throws: { error in
            "\(error)".contains("more than 1048576 bytes")
        }
        #expect(throws: CLIPError.self) { try Gunzip.decompress(Array("not gzip at all, just text".utf8), path: "x") }
    }
}
