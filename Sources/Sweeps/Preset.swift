import Foundation
import Imaging

/// A named, validated sweep definition read from a YAML file (see `PresetParser` for the schema).
public struct Preset: Sendable, Hashable {
    /// The preset's name: the file name without `.yaml` / `.yml`.
    public var name: String
    /// One line saying what the sweep is.
    public var description: String
    /// The validated sweep.
    public var definition: SweepDefinition
    /// The YAML text as read.
    public var yaml: String
    /// The file as errors and provenance name it: `Presets/<name>.yaml` for bundled presets,
    /// the path as given otherwise.
    public var path: String
    /// SHA-256 of the YAML file's bytes (lowercase hex), recorded in provenance so an edited
    /// preset of the same name can be told apart.
    public var sha256: String
    /// True for the presets shipped with AugLab.
    public var isBundled: Bool

    /// Largest preset file read, in bytes (presets are a few hundred bytes).
    public static let maximumFileBytes = 64 * 1024

    /// Parses and validates a preset from its YAML text.
    ///
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - name: the preset's name.
    ///   - path: the file's name for errors and provenance.
    ///   - isBundled: whether it ships with AugLab.
    /// - Throws: `SweepError.invalidInput` naming `path`, the field and what is allowed.
    public init(yaml: String, name: String, path: String, isBundled: Bool = false) throws(SweepError) {
        let parsed = try PresetParser.definition(yaml: yaml, path: path)
        self.name = name
        self.description = parsed.description
        self.definition = parsed.definition
        self.yaml = yaml
        self.path = path
        self.sha256 = SHA256.hex(of: Array(yaml.utf8))
        self.isBundled = isBundled
    }

    /// Reads a preset file; its name is the file name without the `.yaml` / `.yml` extension.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - displayPath: how errors and provenance name it (default `path`).
    /// - Throws: `SweepError.io` when the file cannot be read or is over `maximumFileBytes`,
    ///   `.invalidInput` when it is not valid UTF-8 or not a valid preset.
    public static func load(path: String, displayPath: String? = nil, isBundled: Bool = false) throws(SweepError) -> Preset {
        let shown = displayPath ?? path
        let bytes = try SmallFile.read(path: path, shownAs: shown, limit: maximumFileBytes, what: "preset")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SweepError(.invalidInput, "not a text file (invalid UTF-8)", path: shown)
        }
        return try Preset(yaml: text, name: Self.name(ofFile: path), path: shown, isBundled: isBundled)
    }

    /// The file name without its directory and its `.yaml` / `.yml` extension.
    static func name(ofFile path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) && file.count > suffix.count {
            return String(file.dropLast(suffix.count))
        }
        return file
    }
}

/// Reading a file whole, refusing a missing file, a folder, or more than `limit` bytes (the
/// cap is enforced by the read itself, so a file growing meanwhile cannot exceed it).
enum SmallFile {
    /// The bytes of the file at `path` (named `shown` in messages), at most `limit` bytes, read
    /// through `Imaging.FileBytes` (size checked on the open file before anything is allocated).
    static func read(path: String, shownAs shown: String, limit: Int, what: String,
                     code: SweepError.Code = .io) throws(SweepError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SweepError(code, "\(what) file not found", path: shown)
        }
        do {
            return try FileBytes.contents(atPath: path, maxBytes: limit, expected: "a \(what) file")
        } catch where error.code == .tooLarge {
            throw SweepError(code, "\(what) file is larger than \(limit) bytes", path: shown)
        } catch {
            throw SweepError(code, error.message, path: shown)
        }
    }
}
