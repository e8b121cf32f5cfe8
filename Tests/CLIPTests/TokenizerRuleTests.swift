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
