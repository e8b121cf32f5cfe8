import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Token ids against open_clip for every caption of the shared fixtures.
@Suite struct TokenizerFixtureTests {
    /// Fixture cases AugLab cannot reproduce, with the reason. Each is checked to give the ids
    /// open_clip gives when ftfy skips its encoding heuristics (tokenizer_extra_cases.json).
    static let documentedExceptions: [String: String] = [
        "cafÃ© (mojibake fixed by ftfy)":
            "mojibake repair (ftfy.fix_encoding re-decodes 'Ã©' as 'é') is a heuristic AugLab does not reproduce",
    ]

    @Test func captionsMatchOpenCLIP() throws {
        let tokenizer = try CLIPTokenizer()
        let captions = try TokenizerReferences.captions()
        #expect(captions.count == 4)
        for caption in captions {
            #expect(CLIPTextCleaner.clean(caption.text).codePoints == caption.cleaned.codePoints, "\(caption.name)")
            #expect([tokenizer.startOfTextID] + tokenizer.encode(caption.text) + [tokenizer.endOfTextID] == caption.ids,
                    "\(caption.name)")
            #expect(tokenizer.tokenize(caption.text) == caption.ids77, "\(caption.name)")
        }
        #expect(captions.contains { $0.ids.count > 77 }, "the fixtures include a truncated caption")
    }

    @Test func captionRowsEqualTheModelInputs() throws {
        let tokenizer = try CLIPTokenizer()
        let captions = try TokenizerReferences.captions()
        let inputs = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/inputs.safetensors").path)
        let tokens = try inputs.integers("text_tokens")
        #expect(tokenizer.tokenize(captions.map(\.text)).flatMap { $0 } == tokens)
    }

    @Test func fixtureCasesMatchOpenCLIP() throws {
        let tokenizer = try CLIPTokenizer()
        let cases = try TokenizerReferences.fixtureCases()
        let withoutEncodingFix = try TokenizerReferences.fixtureCasesNeedingEncodingFix()
        #expect(cases.count == 20)
        #expect(Set(withoutEncodingFix.keys) == Set(Self.documentedExceptions.keys),
                "the exceptions are exactly the cases where ftfy's encoding heuristics change the text")
        for testCase in cases {
            let ids = [tokenizer.startOfTextID] + tokenizer.encode(testCase.text) + [tokenizer.endOfTextID]
            if let reason = Self.documentedExceptions[testCase.text] {
                #expect(ids != testCase.ids, "documented exception now matches: \(reason)")
                #expect(ids == withoutEncodingFix[testCase.text], "\(testCase.name)")
                continue
            }
            #expect(CLIPTextCleaner.clean(testCase.text).codePoints == testCase.cleaned.codePoints, "\(testCase.name)")
            #expect(ids == testCase.ids, "\(testCase.name)")
            #expect(tokenizer.tokenize(testCase.text) == testCase.ids77, "\(testCase.name)")
            #expect(tokenizer.pieces(testCase.text) == testCase.pieces, "\(testCase.name)")
        }
    }
}
