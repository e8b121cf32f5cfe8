import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// The tokenizer's Unicode rules checked over every code point against Python 3.11 and the
/// `regex` module (reference: scripts/reference/tokenizer_unicode.py).
@Suite struct TokenizerUnicodeTests {
    static func reference() throws -> [String: Any] {
        try TokenizerReferences.package("tokenizer_unicode.json")
    }

    /// Every Unicode scalar value (surrogates excluded), built once for all tests.
    static let scalars: [Unicode.Scalar] = (0..<0x11_0000).compactMap { Unicode.Scalar(UInt32($0)) }

    static func allScalars() -> [Unicode.Scalar] { scalars }

    @Test func patternClassesMatchTheRegexModule() throws {
        let runs = try #require(Self.reference()["classes"] as? [[Int]])
        var expected = [UInt8](repeating: 255, count: 0x11_0000)
        for run in runs where run.count == 3 {
            for cp in run[0]...run[1] { expected[cp] = UInt8(run[2]) }
        }
        var mismatches: [String] = []
        for scalar in Self.allScalars() {
            let code: UInt8
            switch PreTokenizer.characterClass(scalar) {
            case .letter: code = 1
            case .number: code = 2
            case .other: code = 4
            case .skipped: code = PythonUnicode.isSpace(scalar) || scalar.properties.isWhitespace ? 8 : 0
            }
            if code != expected[Int(scalar.value)] { mismatches.append(String(scalar.value, radix: 16)) }
        }
        #expect(mismatches.isEmpty, "code points classified differently from regex: \(mismatches.prefix(20))")
    }

    @Test func whitespaceIsPythonsIsspace() throws {
        let spaces = Set(try #require(Self.reference()["isspace"] as? [Int]))
        #expect(spaces.count > 20)
        let mismatches = Self.allScalars().filter { PythonUnicode.isSpace($0) != spaces.contains(Int($0.value)) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map { String($0.value, radix: 16) })")
    }

    @Test func lowerCaseIsPythonsLower() throws {
        let entries = try #require(Self.reference()["lower"] as? [[Any]])
        var expected: [UInt32: [UInt32]] = [:]
        for entry in entries {
            if let cp = entry.first as? Int, let mapped = entry.last as? [Int] { expected[UInt32(cp)] = mapped.map(UInt32.init) }
        }
        #expect(expected.count > 1000)
        var mismatches: [String] = []
        var out: [Unicode.Scalar] = []
        for scalar in Self.allScalars() {
            out.removeAll(keepingCapacity: true)
            PythonUnicode.appendLowercase(of: scalar, to: &out)
            let mapped = out.map(\.value)
            if mapped != (expected[scalar.value] ?? [scalar.value]) { mismatches.append(String(scalar.value, radix: 16)) }
        }
        #expect(mismatches.isEmpty, "code points lowered differently from Python: \(mismatches.prefix(20))")
    }

    @Test func ignoreCaseMatchesOfThePatternLetters() throws {
        let letters = try #require(Self.reference()["ignorecase_letters"] as? [String: [Int]])
        #expect(letters.count >= 13)
        let literals = letters.keys.sorted().compactMap { $0.unicodeScalars.first }
        var matched: [Unicode.Scalar: [Int]] = [:]
        for scalar in Self.allScalars() {
            for literal in literals where PreTokenizer.matchesIgnoringCase(scalar, literal) {
                matched[literal, default: []].append(Int(scalar.value))
            }
        }
        for literal in literals {
            #expect(matched[literal] == letters[String(literal)], "letter \(literal)")
        }
    }
}
