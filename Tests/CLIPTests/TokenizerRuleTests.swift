import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Token ids against open_clip for captions that exercise each cleaning and splitting rule
/// (references from scripts/reference/tokenizer_cases.py).
@Suite struct TokenizerRuleTests {
    static let cases: [TokenizerReferences.Case] = (try? TokenizerReferences.extraCases()) ?? []

    @Test func referenceFileIsPresent() {
        #expect(Self.cases.count >= 20)
        #expect(Self.cases.contains { $0.ids.count > 77 })
        #expect(Self.cases.contains { $0.idsWithoutEncodingFix != nil })
    }

    @Test(arguments: cases)
    func matchesOpenCLIP(_ testCase: TokenizerReferences.Case) throws {
        let tokenizer = try CLIPTokenizer()
        let ids = [tokenizer.startOfTextID] + tokenizer.encode(testCase.text) + [tokenizer.endOfTextID]
        if let expected = testCase.idsWithoutEncodingFix {
            // Mojibake: open_clip repairs it with ftfy's heuristics, AugLab tokenizes it as written.
            #expect(ids == expected)
            #expect(ids != testCase.ids)
            return
        }
        #expect(CLIPTextCleaner.clean(testCase.text).codePoints == testCase.cleaned.codePoints)
        #expect(ids == testCase.ids)
        #expect(tokenizer.tokenize(testCase.text) == testCase.ids77)
        #expect(tokenizer.pieces(testCase.text) == testCase.pieces)
        #expect(tokenizer.decode(Array(ids.dropFirst().dropLast())).codePoints == testCase.decoded?.codePoints)
    }

    @Test func shorterContextKeepsTheEndToken() throws {
        let long = try #require(Self.cases.first { $0.ids.count > 77 })
        for contextLength in [1, 2, 5, 77, 100] {
            let tokenizer = try CLIPTokenizer(contextLength: contextLength)
            let row = tokenizer.tokenize(long.text)
            let expected = long.ids.count > contextLength
                ? Array(long.ids.prefix(contextLength - 1)) + [tokenizer.endOfTextID]
                : long.ids + Array(repeating: 0, count: contextLength - long.ids.count)
            #expect(row == expected, "context \(contextLength)")
        }
    }

    @Test func rejectsAnEmptyContext() {
        #expect(throws: CLIPError.self) { try CLIPTokenizer(contextLength: 0) }
    }

    @Test func concurrentUseGivesTheSameIds() async throws {
        let tokenizer = try CLIPTokenizer()
        let texts = Self.cases.map(\.text)
        let expected = texts.map { tokenizer.encode($0) }
        let fresh = try CLIPTokenizer()
        let results = await withTaskGroup(of: (Int, [Int]).self) { group in
            for round in 0..<4 {
                for (index, text) in texts.enumerated() {
                    group.addTask { (index, fresh.encode(text)) }
                    _ = round
                }
            }
            var all: [(Int, [Int])] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == texts.count * 4)
        for (index, ids) in results { #expect(ids == expected[index]) }
    }
}

/// Inputs built to be slow: they must finish promptly (open_clip's own BPE is quadratic in a word's length).
@Suite struct TokenizerLongInputTests {
    @Test(.timeLimit(.minutes(1)))
    func aLongUnbrokenWordIsEncodedAndDecodesBack() throws {
        let tokenizer = try CLIPTokenizer()
        var state: UInt64 = 12345
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let word = String((0..<300_000).map { _ -> Character in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return letters[Int((state >> 33) % 26)]
        })
        let ids = tokenizer.encode(word)
        #expect(ids.count > 1000 && ids.count < word.count)
        #expect(tokenizer.decode(ids) == word + " ")
        #expect(tokenizer.tokenize(word).count == CLIPTokenizer.defaultContextLength)
    }

    @Test(.timeLimit(.minutes(1)))
    func deeplyNestedEscapesFinish() throws {
        let tokenizer = try CLIPTokenizer()
        let text = "&" + String(repeating: "amp;", count: 50_000) + "lt;"
        let row = tokenizer.tokenize(text)
        #expect(row.first == tokenizer.startOfTextID && row.last == tokenizer.endOfTextID)
        // ftfy unescapes one level per round; AugLab stops after TextFixer.maximumRounds (then html.unescape twice).
        let cleaned = CLIPTextCleaner.clean(text)
        #expect(cleaned.hasPrefix("&amp;") && cleaned.count < text.count)
    }
}
