import Foundation
import Testing
import AugLabTestSupport

/// Loads the tokenizer reference files: the shared fixtures and this package's generated references.
enum TokenizerReferences {
    /// One caption with open_clip's outputs, from captions.json, tokenizer_cases.json or tokenizer_extra_cases.json.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var cleaned: String
        /// `[SOT] + ids + [EOT]`, untruncated.
        var ids: [Int]
        /// The 77-wide row.
        var ids77: [Int]
        var pieces: [String]?
        var decoded: String?
        /// For cases open_clip fixes with ftfy's encoding heuristics: the ids without them.
        var idsWithoutEncodingFix: [Int]?

        var testDescription: String { name }
    }

    static func json(_ url: URL) throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(url.path) }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let dictionary = object as? [String: Any] else { throw FixtureError.missing("\(url.path) (not a JSON object)") }
        return dictionary
    }

    static func package(_ name: String) throws -> [String: Any] {
        try json(Fixtures.package("Tests/CLIPTests/References/\(name)"))
    }

    static func shared(_ name: String) throws -> [String: Any] {
        try json(Fixtures.shared("fixtures/clip/\(name)"))
    }

    /// captions.json: the four captions of the model fixtures.
    static func captions() throws -> [Case] {
        let entries = try shared("captions.json")["captions"] as? [[String: Any]] ?? []
        return entries.enumerated().map { index, entry in
            Case(name: "caption \(index)", text: entry["text"] as? String ?? "", cleaned: entry["cleaned"] as? String ?? "",
                 ids: entry["ids_untruncated"] as? [Int] ?? [], ids77: entry["ids77"] as? [Int] ?? [])
        }
    }

    /// tokenizer_cases.json: the fixture's 20 extra strings.
    static func fixtureCases() throws -> [Case] {
        let entries = try shared("tokenizer_cases.json")["cases"] as? [[String: Any]] ?? []
        return entries.map(parseCase)
    }

    /// tokenizer_extra_cases.json (scripts/reference/tokenizer_cases.py).
    static func extraCases() throws -> [Case] {
        let entries = try package("tokenizer_extra_cases.json")["cases"] as? [[String: Any]] ?? []
        return entries.map(parseCase)
    }

    /// The fixture cases that need ftfy's encoding heuristics, with their ids without them.
    static func fixtureCasesNeedingEncodingFix() throws -> [String: [Int]] {
        let entries = try package("tokenizer_extra_cases.json")["fixture_cases_needing_ftfy_fix_encoding"] as? [[String: Any]] ?? []
        var result: [String: [Int]] = [:]
        for entry in entries {
            if let text = entry["text"] as? String, let ids = entry["ids_without_encoding_fix"] as? [Int] { result[text] = ids }
        }
        return result
    }

    private static func parseCase(_ entry: [String: Any]) -> Case {
        let text = entry["text"] as? String ?? ""
        return Case(name: entry["name"] as? String ?? String(text.prefix(40)), text: text,
                    cleaned: entry["cleaned"] as? String ?? "", ids: entry["ids"] as? [Int] ?? [],
                    ids77: entry["ids77"] as? [Int] ?? [], pieces: entry["bpe_pieces"] as? [String],
                    decoded: entry["decoded"] as? String, idsWithoutEncodingFix: entry["ids_without_encoding_fix"] as? [Int])
    }
}

extension String {
    /// The code points, for comparisons that must not use Swift's canonical equivalence.
    var codePoints: [UInt32] { unicodeScalars.map(\.value) }
}
