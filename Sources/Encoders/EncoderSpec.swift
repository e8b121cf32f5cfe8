import CLIP
import Foundation

/// What the user named with `--model SPEC`: a name and where the encoder comes from.
///
/// Accepted forms, tried in this order:
/// 1. a control encoder's name, `pixels`, `pixels-mirror` or `histogram` (case-insensitive; write
///    `./pixels` for a file or folder of that name);
/// 2. a bare `PATH` that exists: a model folder (Hugging Face, open_clip hub or open_clip config
///    layout), a weight file (`.safetensors`, `.pt`, `.bin`), an embeddings index (`.json`), or a
///    safetensors embeddings file written by `auglab embed`; its name is the folder's name or the
///    file's name without extension;
/// 3. `NAME=PATH` (split at the first `=`), where `PATH` is any of the above or a control's name.
///
/// Anything else is taken as a path, which resolution then reports as missing.
public struct EncoderSpec: Sendable, Equatable, CustomStringConvertible {
    /// Where the encoder comes from.
    public enum Source: Sendable, Equatable {
        /// A control encoder.
        case control(ControlEncoder.Kind)
        /// A model or embeddings file or folder.
        case path(String)
    }

    /// The name results are reported under (for precomputed embeddings without `NAME=`, the
    /// resolved encoder's descriptor may carry the index's name instead).
    public var name: String
    /// The source.
    public var source: Source
    /// Whether the user wrote the name (`NAME=...`); a derived name gives way to the name an
    /// embeddings index records.
    public var isNameExplicit: Bool

    /// A spec with the given parts.
    public init(name: String, source: Source, isNameExplicit: Bool = false) {
        self.name = name
        self.source = source
        self.isNameExplicit = isNameExplicit
    }

    /// Parses `text` (see the type's documentation).
    ///
    /// - Parameter exists: whether a file or folder exists at a path (injectable for tests).
    /// - Throws: `EncoderError` (`invalidArgument`) for an empty spec, an empty name or an empty path.
    public init(parsing text: String, exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws(EncoderError) {
        guard !text.isEmpty else { throw EncoderError(.invalidArgument, "empty model spec: \(Self.accepted)") }
        if let kind = ControlEncoder.kind(named: text) {
            self.init(name: kind.rawValue, source: .control(kind))
            return
        }
        if exists(text) {
            self.init(name: Self.defaultName(for: text), source: .path(text))
            return
        }
        if let equals = text.firstIndex(of: "=") {
            let name = String(text[..<equals]), value = String(text[text.index(after: equals)...])
            guard !name.isEmpty, !value.isEmpty else {
                throw EncoderError(.invalidArgument, "model spec '\(text)' has an empty \(name.isEmpty ? "name" : "path"): \(Self.accepted)")
            }
            if let kind = ControlEncoder.kind(named: value) {
                self.init(name: name, source: .control(kind), isNameExplicit: true)
            } else {
                self.init(name: name, source: .path(value), isNameExplicit: true)
            }
            return
        }
        self.init(name: Self.defaultName(for: text), source: .path(text))
    }

    /// The accepted forms, for error messages.
    public static let accepted = "--model takes NAME=PATH, a PATH (a model folder, a weight file, an embeddings index .json or an auglab embed output), or a control encoder: \(ControlEncoder.Kind.allCases.map(\.rawValue).joined(separator: ", "))"

    /// The name of a path: a folder's name, or a file's name without its extension.
    static func defaultName(for path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url.lastPathComponent
        }
        let stem = url.deletingPathExtension().lastPathComponent
        return stem.isEmpty ? path : stem
    }

    public var description: String {
        switch source {
        case .control(let kind): return name == kind.rawValue ? name : "\(name)=\(kind.rawValue)"
        case .path(let path): return "\(name)=\(path)"
        }
    }
}

/// An encoder made ready from a spec: its image side and, if it has one, its text side.
public struct ResolvedEncoder: Sendable {
    /// The spec it came from.
    public var spec: EncoderSpec
    /// Embeds images (behind the embedding cache when one was given and the encoder is cacheable).
    public var image: any ImageEncoder
    /// Embeds captions; nil for encoders without a text tower.
    public var text: (any TextEncoder)?
    /// The native model, when the spec named one (for `models inspect` and provenance).
    public var clip: CLIPEncoder?

    /// The encoder's descriptor.
    public var descriptor: EncoderDescriptor { image.descriptor }
}

/// Choices for `EncoderSpec.resolve`.
public struct EncoderResolveOptions: Sendable {
    /// How models are loaded (config override, QuickGELU, hashing).
    public var modelLoad: ModelLoadOptions
    /// Threads for the towers.
    public var compute: ComputeOptions
    /// The embedding cache to put in front of cacheable image encoders; nil for none.
    public var cache: EmbeddingCache?

    public init(modelLoad: ModelLoadOptions = ModelLoadOptions(), compute: ComputeOptions = .automatic, cache: EmbeddingCache? = nil) {
        self.modelLoad = modelLoad
        self.compute = compute
        self.cache = cache
    }
}

extension EncoderSpec {
    /// Loads the encoder this spec names.
    ///
    /// A path is read by content: an embeddings index (`.json`) or a safetensors file holding
    /// `image_embeds` gives `PrecomputedEmbeddings`; any other file or folder goes to the model
    /// loader (`CLIPEncoder`).
    /// - Throws: `EncoderError` naming the path: it does not exist (with the accepted forms), or it
    ///   is not a model (with what was looked for), or its contents are malformed.
    public func resolve(_ options: EncoderResolveOptions = EncoderResolveOptions()) throws(EncoderError) -> ResolvedEncoder {
        switch source {
        case .control(let kind):
            return ResolvedEncoder(spec: self, image: ControlEncoder(kind, name: name), text: nil, clip: nil)
        case .path(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw EncoderError(.io, "no such file or folder; \(Self.accepted)", path: path)
            }
            if try Self.holdsPrecomputedEmbeddings(atPath: path) {
                let embeddings = try PrecomputedEmbeddings.load(path, name: isNameExplicit ? name : nil)
                return ResolvedEncoder(spec: self, image: embeddings, text: embeddings.descriptor.hasTextTower ? embeddings : nil, clip: nil)
            }
            let model = try CLIPEncoder.load(path, name: name, options: options.modelLoad, compute: options.compute)
            let image: any ImageEncoder = options.cache.map { CachedImageEncoder(model, cache: $0) } ?? model
            return ResolvedEncoder(spec: self, image: image, text: model, clip: model)
        }
    }

    /// Whether `path` holds precomputed embeddings (an index `.json`, or a safetensors file with
    /// `image_embeds`) rather than a model; false for folders and for paths that do not exist.
    ///
    /// - Throws: `EncoderError` for a lone `.npy` (which needs an index) or an unreadable safetensors file.
    public static func holdsPrecomputedEmbeddings(atPath path: String) throws(EncoderError) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
        if path.lowercased().hasSuffix(".json") { return true }
        if path.lowercased().hasSuffix(".npy") {
            throw EncoderError(.invalidInput, "a .npy file needs a JSON index saying which row is which image: give the index (see EmbeddingIndex)",
                               path: path)
        }
        guard PrecomputedEmbeddings.isSafeTensors(path) else { return false }
        do {
            return try SafeTensorsFile(path: path).info("image_embeds") != nil
        } catch {
            throw EncoderError(error)
        }
    }
}
