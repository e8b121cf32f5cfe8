import Foundation

/// How a checkpoint names its tensors. `LayoutAdapter` presents every layout in open_clip names.
public enum KeyLayout: String, Sendable, Codable, CaseIterable {
    /// open_clip / OpenAI CLIP names (`visual.*`, `transformer.resblocks.*`, `token_embedding.weight`,
    /// `logit_scale`); also CyCLIP, which trains OpenAI's model code.
    case openCLIP = "open_clip"
    /// open_clip's `CustomTextCLIP`: the text tower under `text.` (`text.token_embedding.weight`, ...).
    case openCLIPCustomText = "open_clip-custom-text"
    /// CLOOB's `CLIPGeneral`: the text tower under `transformer.` (`transformer.transformer.resblocks.*`)
    /// and the temperature as `logit_inv_tau`.
    case cloob
    /// Hugging Face transformers `CLIPModel` (`vision_model.*`, `text_model.*`, separate q/k/v projections).
    case huggingFace = "hf-clip"

    /// A phrase for messages and summaries.
    public var displayName: String {
        switch self {
        case .openCLIP: return "open_clip / OpenAI names"
        case .openCLIPCustomText: return "open_clip CustomTextCLIP names (text tower under 'text.')"
        case .cloob: return "CLOOB CLIPGeneral names (text tower under 'transformer.', logit_inv_tau)"
        case .huggingFace: return "Hugging Face CLIPModel names"
        }
    }
}

/// A `WeightSource` presenting another source's tensors under open_clip names.
///
/// Prefixes added by wrappers (`module.` from DataParallel/DistributedDataParallel, `_orig_mod.` from
/// `torch.compile`) are stripped when every key has them. Then, by layout:
/// - open_clip / OpenAI / CyCLIP: names unchanged.
/// - CLOOB: `transformer.{token_embedding.weight, positional_embedding, transformer.*, ln_final.*,
///   text_projection}` lose the `transformer.` prefix, and `logit_inv_tau` becomes `logit_scale`. Both
///   are log(1/τ) applied as exp(·) × cosine similarity (CLOOB's `forward` returns
///   `logit_inv_tau.exp()` where CLIP returns `logit_scale.exp()`), so the value is used unchanged.
///   `logit_scale_hopfield` (the Hopfield retrieval β of CLOOB's training loss) plays no part in
///   embedding or similarity and is ignored.
/// - open_clip CustomTextCLIP: the `text.` prefix is removed from the text tower.
/// - Hugging Face CLIPModel: renamed as the fixtures' README tables it; `q_proj`, `k_proj`, `v_proj`
///   are concatenated by rows into `in_proj_weight` / `in_proj_bias` ([q; k; v]), and
///   `visual_projection.weight` / `text_projection.weight` ([E, W]) are transposed into `visual.proj`
///   / `text_projection` ([W, E]). Values are copied bit for bit.
///
/// Buffers no model reads are ignored in every layout: `*.position_ids` (Hugging Face),
/// `attn_mask` (TorchScript exports), `input_resolution`, `context_length` and `vocab_size`
/// (OpenAI's TorchScript archives). Keys a layout does not know are passed through unchanged, so
/// validation against the configuration reports them.
public struct LayoutAdapter: WeightSource {
    /// The source read.
    public let base: any WeightSource
    /// The layout detected.
    public let layout: KeyLayout
    /// The wrapper prefix stripped from every key (`module.`, `_orig_mod.`, or several), or "" if none.
    public let strippedPrefix: String
    /// Keys of `base` that are deliberately not presented (unused buffers, CLOOB's Hopfield scale).
    public let ignoredKeys: [String]
    private let recipes: [String: Recipe]

    private enum Recipe: Sendable {
        case copy(String)
        case transpose(String)
        case concatenateRows([String])
    }

    /// Wrapper prefixes that are stripped when every key carries them.
    public static let wrapperPrefixes = ["module.", "_orig_mod."]

    /// Detects the layout of `base` and maps it.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file when no known layout matches (listing what
    ///   was looked for) or when a Hugging Face attention block lacks one of q/k/v or has mismatched shapes.
    public init(_ base: any WeightSource) throws(CLIPError) {
        self.base = base
        let path = base.sourcePath
        var names = base.names
        var prefix = ""
        stripping: while !names.isEmpty {
            for candidate in Self.wrapperPrefixes where names.allSatisfy({ $0.hasPrefix(candidate) }) {
                prefix += candidate
                names = names.map { String($0.dropFirst(candidate.count)) }
                continue stripping
            }
            break
        }
        strippedPrefix = prefix
        layout = try Self.detect(Set(names), path: path)
        var recipes: [String: Recipe] = [:]
        var ignored: [String] = []
        var attention: [String: [String: String]] = [:]  // open_clip block prefix → "q.weight" → stored key
        for name in names {
            let stored = prefix + name
            if Self.isIgnored(name) {
                ignored.append(stored)
                continue
            }
            let recipe: Recipe
            let target: String
            switch Self.rename(name, layout: layout) {
            case .ignore:
                ignored.append(stored)
                continue
            case .attention(let block, let part):
                attention[block, default: [:]][part] = stored
                continue
            case .copy(let name): (target, recipe) = (name, .copy(stored))
            case .transpose(let name): (target, recipe) = (name, .transpose(stored))
            }
            if let existing = recipes[target] {
                throw CLIPError(.invalidInput, "both '\(Self.firstKey(existing))' and '\(stored)' would be read as '\(target)'",
                                path: path, location: stored)
            }
            recipes[target] = recipe
        }
        for (block, parts) in attention {
            for kind in ["weight", "bias"] {
                let stored = ["q", "k", "v"].compactMap { parts["\($0).\(kind)"] }
                guard !stored.isEmpty else { continue }
                guard stored.count == 3 else {
                    let missing = ["q", "k", "v"].filter { parts["\($0).\(kind)"] == nil }.map { "\($0)_proj.\(kind)" }
                    throw CLIPError(.invalidInput, "attention block has \(stored.joined(separator: ", ")) but no \(missing.joined(separator: ", "))",
                                    path: path, location: stored[0])
                }
                let shapes = stored.map { base.info($0)?.shape ?? [] }
                guard shapes[0] == shapes[1], shapes[1] == shapes[2], !shapes[0].isEmpty, shapes[0].count <= 2 else {
                    throw CLIPError(.invalidInput, "q/k/v projections have different or invalid shapes \(shapes)",
                                    path: path, location: stored[0])
                }
                let target = "\(block)attn.in_proj_\(kind)"
                if let existing = recipes[target] {
                    throw CLIPError(.invalidInput, "both '\(Self.firstKey(existing))' and '\(stored[0])' would be read as '\(target)'",
                                    path: path, location: stored[0])
                }
                recipes[target] = .concatenateRows(stored)
            }
        }
        for (target, recipe) in recipes {
            if case .transpose(let stored) = recipe, base.info(stored)?.shape.count != 2 {
                throw CLIPError(.invalidInput, "projection '\(stored)' is not a matrix (shape \(base.info(stored)?.shape ?? []))",
                                path: path, location: target)
            }
        }
        self.recipes = recipes
        ignoredKeys = ignored.sorted()
    }

    private static func firstKey(_ recipe: Recipe) -> String {
        switch recipe {
        case .copy(let key), .transpose(let key): return key
        case .concatenateRows(let keys): return keys[0]
        }
    }

    /// Buffers that carry no weights any model here reads.
    static func isIgnored(_ name: String) -> Bool {
        name.hasSuffix("position_ids") || name == "attn_mask" || name.hasSuffix(".attn_mask")
            || ["input_resolution", "context_length", "vocab_size"].contains(name)
    }

    private static func detect(_ names: Set<String>, path: String?) throws(CLIPError) -> KeyLayout {
        let hasHFVision = names.contains { $0.hasPrefix("vision_model.") }
        let hasHFText = names.contains { $0.hasPrefix("text_model.") }
        if hasHFVision || hasHFText {
            guard hasHFVision && hasHFText else {
                throw CLIPError(.invalidInput,
                                "a Hugging Face checkpoint with only the \(hasHFVision ? "vision" : "text") tower (CLIP\(hasHFVision ? "Vision" : "Text")Model); AugLab needs a CLIPModel with both towers",
                                path: path)
            }
            return .huggingFace
        }
        if names.contains("transformer.token_embedding.weight") { return .cloob }
        if names.contains("text.token_embedding.weight") { return .openCLIPCustomText }
        if names.contains("token_embedding.weight") { return .openCLIP }
        let sample = names.sorted().prefix(6).joined(separator: ", ")
        var hint = ""
        if names.contains(where: { $0.hasPrefix("visual.trunk.") }) { hint = " The image tower is a timm model, which AugLab does not implement." }
        if names.contains(where: { $0.hasPrefix("text.transformer.") && $0.contains("embeddings.") }) {
            hint += " The text tower is a Hugging Face transformer, which AugLab does not implement."
        }
        throw CLIPError(.invalidInput,
                        "no known CLIP key layout: looked for 'token_embedding.weight' (open_clip, OpenAI, CyCLIP), 'transformer.token_embedding.weight' (CLOOB), 'text.token_embedding.weight' (open_clip CustomTextCLIP) and 'vision_model.*' + 'text_model.*' (Hugging Face CLIPModel); the file has \(names.count) tensors such as \(sample.isEmpty ? "none" : sample).\(hint)",
                        path: path)
    }

    private enum Rename {
        case ignore
        case copy(String)
        case transpose(String)
        /// One of q/k/v of an attention block: the open_clip block prefix and e.g. "q.weight".
        case attention(block: String, part: String)
    }

    private static func rename(_ name: String, layout: KeyLayout) -> Rename {
        switch layout {
        case .openCLIP:
            return .copy(name)
        case .openCLIPCustomText:
            return .copy(name.hasPrefix("text.") ? String(name.dropFirst(5)) : name)
        case .cloob:
            if name == "logit_inv_tau" { return .copy("logit_scale") }
            if name == "logit_scale_hopfield" { return .ignore }
            if name.hasPrefix("transformer.") { return .copy(String(name.dropFirst("transformer.".count))) }
            return .copy(name)
        case .huggingFace:
            return huggingFaceRename(name)
        }
    }

    private static let huggingFaceFixed: [String: String] = [
        "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
        "text_model.embeddings.position_embedding.weight": "positional_embedding",
        "text_model.final_layer_norm.weight": "ln_final.weight",
        "text_model.final_layer_norm.bias": "ln_final.bias",
        "vision_model.embeddings.class_embedding": "visual.class_embedding",
        "vision_model.embeddings.patch_embedding.weight": "visual.conv1.weight",
        "vision_model.embeddings.position_embedding.weight": "visual.positional_embedding",
        "vision_model.pre_layrnorm.weight": "visual.ln_pre.weight",
        "vision_model.pre_layrnorm.bias": "visual.ln_pre.bias",
        "vision_model.post_layernorm.weight": "visual.ln_post.weight",
        "vision_model.post_layernorm.bias": "visual.ln_post.bias",
        "logit_scale": "logit_scale",
    ]

    private static let huggingFaceBlockParts: [String: String] = [
        "layer_norm1.weight": "ln_1.weight", "layer_norm1.bias": "ln_1.bias",
        "layer_norm2.weight": "ln_2.weight", "layer_norm2.bias": "ln_2.bias",
        "mlp.fc1.weight": "mlp.c_fc.weight", "mlp.fc1.bias": "mlp.c_fc.bias",
        "mlp.fc2.weight": "mlp.c_proj.weight", "mlp.fc2.bias": "mlp.c_proj.bias",
        "self_attn.out_proj.weight": "attn.out_proj.weight", "self_attn.out_proj.bias": "attn.out_proj.bias",
    ]

    private static func huggingFaceRename(_ name: String) -> Rename {
        if let fixed = huggingFaceFixed[name] { return .copy(fixed) }
        if name == "text_projection.weight" { return .transpose("text_projection") }
        if name == "visual_projection.weight" { return .transpose("visual.proj") }
        for (hf, openCLIP) in [("text_model.encoder.layers.", "transformer.resblocks."),
                               ("vision_model.encoder.layers.", "visual.transformer.resblocks.")] where name.hasPrefix(hf) {
            let rest = name.dropFirst(hf.count)
            guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]), layer >= 0 else { break }
            let part = String(rest[rest.index(after: dot)...])
            let block = "\(openCLIP)\(layer)."
            if let mapped = huggingFaceBlockParts[part] { return .copy(block + mapped) }
            for letter in ["q", "k", "v"] {
                for kind in ["weight", "bias"] where part == "self_attn.\(letter)_proj.\(kind)" {
                    return .attention(block: block, part: "\(letter).\(kind)")
                }
            }
        }
        return .copy(name)  // unknown: passed through so validation reports it
    }

    /// Every tensor under its open_clip name, sorted.
    public var names: [String] { recipes.keys.sorted() }

    /// The file of the adapted source.
    public var sourcePath: String? { base.sourcePath }

    /// The key(s) in `base` that `name` is read from, or nil if absent.
    public func storedKeys(for name: String) -> [String]? {
        switch recipes[name] {
        case .copy(let key)?, .transpose(let key)?: return [key]
        case .concatenateRows(let keys)?: return keys
        case nil: return nil
        }
    }

    /// Shape and type of the open_clip tensor `name` as the adapter builds it, or nil.
    public func info(_ name: String) -> TensorInfo? {
        switch recipes[name] {
        case .copy(let key)?:
            return base.info(key).map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape) }
        case .transpose(let key)?:
            guard let info = base.info(key), info.shape.count == 2 else { return nil }
            return TensorInfo(name: name, dtype: info.dtype, shape: [info.shape[1], info.shape[0]])
        case .concatenateRows(let keys)?:
            guard let first = base.info(keys[0]), !first.shape.isEmpty else { return nil }
            var shape = first.shape
            let (rows, overflow) = shape[0].multipliedReportingOverflow(by: keys.count)
            guard !overflow else { return nil }
            shape[0] = rows
            return TensorInfo(name: name, dtype: first.dtype, shape: shape)
        case nil:
            return nil
        }
    }

    /// The values of the open_clip tensor `name`: copied, transposed or concatenated from the stored ones.
    public func floats(_ name: String) throws(CLIPError) -> [Float] {
        switch recipes[name] {
        case .copy(let key)?:
            return try base.floats(key)
        case .transpose(let key)?:
            guard let info = base.info(key), info.shape.count == 2 else {
                throw CLIPError(.invalidInput, "tensor '\(key)' is not a matrix", path: sourcePath, location: key)
            }
            let values = try base.floats(key)
            let (rows, columns) = (info.shape[0], info.shape[1])
            guard values.count == rows * columns else {
                throw CLIPError(.invalidInput, "tensor '\(key)' has \(values.count) values for shape \(info.shape)", path: sourcePath, location: key)
            }
            var transposed = [Float](repeating: 0, count: values.count)
            for r in 0..<rows {
                for c in 0..<columns { transposed[c * rows + r] = values[r * columns + c] }
            }
            return transposed
        case .concatenateRows(let keys)?:
            var values: [Float] = []
            for key in keys { values += try base.floats(key) }
            return values
        case nil:
            throw CLIPError(.invalidInput, "checkpoint has no tensor '\(name)' (\(layout.displayName))", path: sourcePath, location: name)
        }
    }
}
