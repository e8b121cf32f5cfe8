import Foundation

/// open_clip's configuration files: a model config (`embed_dim`, `quick_gelu`, `vision_cfg`,
/// `text_cfg`; the fixtures' `config.json`) and the hub file `open_clip_config.json`
/// (`{"model_cfg": ..., "preprocess_cfg": ...}`).
///
/// Options that change the architecture away from the CLIP towers AugLab implements (a timm or
/// Hugging Face tower, layer scale, attentional pooling, no `ln_pre`, other pooling, SigLIP's
/// logit bias, CoCa's decoder, ...) are refused by name rather than silently ignored.
public enum OpenCLIPConfigFile {
    /// Reads an open_clip model config (the object open_clip's `model_configs/*.json` hold).
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and the field that is missing, malformed or unsupported.
    public static func modelConfig(_ json: JSONValue, path: String?, field: String = "") throws(CLIPError) -> CLIPConfig {
        guard case .object(let object) = json else {
            throw CLIPError(.invalidInput, "model configuration \(field.isEmpty ? "" : "'\(field)' ")is \(json.brief), not an object",
                            path: path, location: field.isEmpty ? nil : field)
        }
        let prefix = field.isEmpty ? "" : field + "."
        try checkSupported(object, path: path, prefix: prefix)
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: plain(json)) } catch {
            throw CLIPError(.invalidInput, "model configuration cannot be re-encoded", path: path, location: field)
        }
        let config: CLIPConfig
        do { config = try JSONDecoder().decode(CLIPConfig.self, from: data) } catch let error as DecodingError {
            throw CLIPError(.invalidInput, "model configuration: \(describe(error, prefix: prefix))", path: path, location: field)
        } catch {
            throw CLIPError(.invalidInput, "model configuration cannot be decoded", path: path, location: field)
        }
        try config.validate(path: path)
        return config
    }

    /// Reads `open_clip_config.json`: the model config and the preprocessing, resolved as open_clip
    /// does (`preprocess_cfg` over the OpenAI defaults; the input size is always the image tower's).
    ///
    /// - Throws: `CLIPError` naming the file and the field at fault.
    public static func hubConfig(_ json: JSONValue, path: String?) throws(CLIPError) -> (CLIPConfig, PreprocessConfig) {
        guard case .object(let object) = json, let modelJSON = object["model_cfg"] else {
            throw CLIPError(.invalidInput, "open_clip_config.json has no 'model_cfg' object", path: path, location: "model_cfg")
        }
        let config = try modelConfig(modelJSON, path: path, field: "model_cfg")
        let preprocess = try preprocessConfig(object["preprocess_cfg"] ?? .object([:]), imageSize: config.vision.imageSize,
                                              path: path, field: "preprocess_cfg")
        return (config, preprocess)
    }

    /// Reads open_clip's `preprocess_cfg`: `mean`, `std` (3 values, std > 0), `interpolation`
    /// (`bicubic`, `bilinear`, `nearest`), `resize_mode` (`shortest`, `longest`, `squash`) and
    /// `fill_color` (0–255, as open_clip's padding uses it; stored as an intensity in [0, 1]);
    /// `size` is ignored in favour of `imageSize` (open_clip overrides it with the model's size).
    ///
    /// - Throws: `CLIPError.invalidInput` naming the field.
    public static func preprocessConfig(_ json: JSONValue, imageSize: Int, path: String?, field: String) throws(CLIPError) -> PreprocessConfig {
        guard case .object(let object) = json else {
            throw CLIPError(.invalidInput, "\(field) is \(json.brief), not an object", path: path, location: field)
        }
        var config = PreprocessConfig(imageSize: imageSize)
        func triple(_ key: String, positive: Bool) throws(CLIPError) -> [Float]? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let items = value.arrayValue, items.count == 3,
                  case let numbers = items.compactMap(\.doubleValue), numbers.count == 3,
                  numbers.allSatisfy({ $0.isFinite && (!positive || $0 > 0) }) else {
                throw CLIPError(.invalidInput, "\(field).\(key) must be 3 \(positive ? "positive " : "")numbers, not \(value.brief)",
                                path: path, location: "\(field).\(key)")
            }
            return numbers.map { Float($0) }
        }
        /// The named option `key` (absent or null: nil); the message lists every supported name.
        func option<Option: RawRepresentable & CaseIterable>(_ key: String) throws(CLIPError) -> Option?
            where Option.RawValue == String {
            guard let value = object[key], !value.isNull else { return nil }
            guard let name = value.stringValue, let option = Option(rawValue: name) else {
                let supported = Option.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIPError(.invalidInput, "\(field).\(key) \(value.brief) is not supported (\(supported))",
                                path: path, location: "\(field).\(key)")
            }
            return option
        }
        if let mean = try triple("mean", positive: false) { config.mean = mean }
        if let std = try triple("std", positive: true) { config.std = std }
        if let interpolation: PreprocessConfig.Interpolation = try option("interpolation") { config.interpolation = interpolation }
        if let mode: PreprocessConfig.ResizeMode = try option("resize_mode") { config.resizeMode = mode }
        if let value = object["fill_color"], !value.isNull {
            guard let fill = value.doubleValue, (0...255).contains(fill) else {
                throw CLIPError(.invalidInput, "\(field).fill_color \(value.brief) must be a number in 0...255",
                                path: path, location: "\(field).fill_color")
            }
            config.fillColor = Float(fill / 255)
        }
        if let value = object["mode"], !value.isNull, value.stringValue != "RGB" {
            throw CLIPError(.invalidInput, "\(field).mode \(value.brief) is not supported (RGB)", path: path, location: "\(field).mode")
        }
        return config
    }

    // MARK: Unsupported options

    /// An option that must keep one of its `allowed` values (absent and null always pass); any
    /// other value means `feature`, which AugLab's towers do not implement.
    private struct Rule {
        let allowed: [JSONValue]
        let feature: String

        init(_ allowed: [JSONValue], _ feature: String) {
            self.allowed = allowed
            self.feature = feature
        }
    }

    /// Rules of the transformer options open_clip's vision and text towers share.
    private static let towerRules: [String: Rule] = [
        "ls_init_value": Rule([.null], "layer scale"),
        "final_ln_after_pool": Rule([.bool(false)], "LayerNorm after pooling"),
        "act_kwargs": Rule([.null, .object([:])], "custom activation arguments"),
        "norm_kwargs": Rule([.null, .object([:])], "custom normalisation arguments"),
        "block_type": Rule([.null, .string("default")], "a custom attention block"),
        "qk_norm": Rule([.bool(false)], "q/k normalisation"),
        "scaled_cosine_attn": Rule([.bool(false)], "scaled cosine attention"),
        "scale_heads": Rule([.bool(false)], "head scaling"),
        "scale_attn_inner": Rule([.bool(false)], "inner attention scaling"),
        "scale_attn": Rule([.bool(false)], "attention scaling"),
        "scale_fc": Rule([.bool(false)], "MLP scaling"),
    ]

    private static let visionRules = towerRules.merging([
        "timm_model_name": Rule([.null], "a timm image tower"),
        "attentional_pool": Rule([.bool(false)], "an attentional pooler"),
        "no_ln_pre": Rule([.bool(false)], "no ln_pre"),
        "pos_embed_type": Rule([.string("learnable")], "a non-learnable position embedding"),
        "pool_type": Rule([.string("tok")], "a pooling other than the class token"),
        "global_average_pool": Rule([.bool(false)], "global average pooling"),
        "input_patchnorm": Rule([.bool(false)], "patch normalisation"),
    ]) { shared, _ in shared }

    private static let textRules = towerRules.merging([
        "text_arch": Rule([.string("clip")], "a non-CLIP text architecture"),
        "hf_model_name": Rule([.null], "a Hugging Face text tower"),
        "hf_tokenizer_name": Rule([.null], "a tokenizer other than CLIP's BPE"),
        "tokenizer_type": Rule([.null, .string("")], "a tokenizer other than CLIP's BPE"),
        "embed_cls": Rule([.bool(false)], "a class token"),
        "no_causal_mask": Rule([.bool(false)], "no causal mask"),
        "pool_type": Rule([.string("argmax")], "a pooling other than at the end token (argmax)"),
        "proj_bias": Rule([.bool(false)], "a text projection bias"),
        "proj_type": Rule([.string("linear")], "a text projection other than linear"),
    ]) { shared, _ in shared }

    private static let topRules: [String: Rule] = [
        "init_logit_bias": Rule([.null], "a logit bias (SigLIP)"),
        "multimodal_cfg": Rule([.null], "a multimodal decoder (CoCa)"),
    ]

    private static func checkSupported(_ object: [String: JSONValue], path: String?, prefix: String) throws(CLIPError) {
        func apply(_ rules: [String: Rule], to dict: [String: JSONValue], field: String) throws(CLIPError) {
            for key in rules.keys.sorted() {  // sorted: with several unsupported options, the same one is named every run
                guard let rule = rules[key], let value = dict[key], !value.isNull, !rule.allowed.contains(value) else { continue }
                throw CLIPError(.invalidInput,
                                "model configuration uses \(rule.feature) (\(field)\(key) = \(value.brief)), which AugLab's CLIP towers do not implement",
                                path: path, location: field + key)
            }
        }
        try apply(topRules, to: object, field: prefix)
        if case .object(let vision)? = object["vision_cfg"] {
            try apply(visionRules, to: vision, field: prefix + "vision_cfg.")
            if let size = vision["image_size"]?.arrayValue, size.count == 2, size[0] != size[1] {
                throw CLIPError(.invalidInput, "model configuration has a non-square image size \(JSONValue.array(size).brief)",
                                path: path, location: prefix + "vision_cfg.image_size")
            }
        }
        if case .object(let text)? = object["text_cfg"] { try apply(textRules, to: text, field: prefix + "text_cfg.") }
    }

    /// The value as Foundation objects for JSONSerialization; a square `[h, w]` image size becomes one integer.
    private static func plain(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let items): return items.map(plain)
        case .object(let dict):
            var result: [String: Any] = [:]
            for (key, item) in dict {
                if key == "image_size", let pair = item.arrayValue, pair.count == 2, pair[0] == pair[1] {
                    result[key] = plain(pair[0])
                } else {
                    result[key] = plain(item)
                }
            }
            return result
        }
    }

    private static func describe(_ error: DecodingError, prefix: String) -> String {
        func path(_ context: DecodingError.Context) -> String {
            prefix + context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field \(path(context)) has the wrong type"
        @unknown default:
            return "cannot be decoded"
        }
    }
}
