import Foundation

/// Hugging Face transformers' `CLIPModel` configuration (`config.json`) and image processor
/// configuration (`preprocessor_config.json`), converted to AugLab's open_clip-style configs.
///
/// Conversion: `projection_dim` → `embed_dim`; vision `hidden_size` → width, `num_hidden_layers` →
/// layers, `hidden_size / num_attention_heads` → `head_width`, `intermediate_size / hidden_size` →
/// `mlp_ratio`, `image_size`, `patch_size`; text `max_position_embeddings` → context length,
/// `vocab_size`, `hidden_size`, `num_attention_heads`, `num_hidden_layers`, `intermediate_size`.
/// `hidden_act` must be the same in both towers: `quick_gelu` (OpenAI weights) or `gelu` (exact,
/// erf-based GELU, which is what open_clip's `nn.GELU` computes). `layer_norm_eps` must be 1e-5, as
/// open_clip's LayerNorm uses. Missing fields take transformers' `CLIPConfig` defaults, and the legacy
/// `text_config_dict` / `vision_config_dict` fields win over `text_config` / `vision_config` as they do
/// in transformers. `logit_scale_init_value` is only an initial value: the checkpoint's
/// `logit_scale` tensor is what counts.
///
/// Pooling: HF pools the text tower at the first `eos_token_id` (or at argmax(ids) when the legacy
/// value 2 is configured); open_clip and AugLab pool at argmax(ids). For the CLIP tokenizer the end
/// token 49407 is the largest id, so both pick the same position.
public enum HuggingFaceConfig {
    private static let textDefaults: [String: JSONValue] = [
        "vocab_size": .int(49408), "hidden_size": .int(512), "intermediate_size": .int(2048), "num_hidden_layers": .int(12),
        "num_attention_heads": .int(8), "max_position_embeddings": .int(77), "hidden_act": .string("quick_gelu"),
        "layer_norm_eps": .double(1e-5),
    ]
    private static let visionDefaults: [String: JSONValue] = [
        "hidden_size": .int(768), "intermediate_size": .int(3072), "num_hidden_layers": .int(12), "num_attention_heads": .int(12),
        "num_channels": .int(3), "image_size": .int(224), "patch_size": .int(32), "hidden_act": .string("quick_gelu"),
        "layer_norm_eps": .double(1e-5),
    ]

    /// Whether a parsed `config.json` is a transformers config (it has `model_type`, `architectures`,
    /// `text_config` or `vision_config`) rather than an open_clip model config.
    public static func looksLikeHuggingFace(_ json: JSONValue) -> Bool {
        guard case .object(let object) = json else { return false }
        return ["model_type", "architectures", "text_config", "vision_config", "text_config_dict", "vision_config_dict"]
            .contains { object[$0] != nil }
    }

    /// Converts a transformers `CLIPConfig` (`model_type` "clip").
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and field: another model type (SigLIP,
    ///   Chinese-CLIP, ...), an activation other than quick_gelu/gelu, another LayerNorm epsilon,
    ///   non-square images or patches, more than 3 channels, malformed numbers.
    public static func modelConfig(_ json: JSONValue, path: String?) throws(CLIPError) -> CLIPConfig {
        guard case .object(let object) = json else {
            throw CLIPError(.invalidInput, "config.json is \(json.brief), not an object", path: path)
        }
        if let type = object["model_type"], type != .string("clip") {
            throw CLIPError(.invalidInput,
                            "config.json describes a '\(type.stringValue ?? type.brief)' model; AugLab reads Hugging Face CLIPModel ('clip') checkpoints",
                            path: path, location: "model_type")
        }
        let text = try section(object, "text_config", defaults: textDefaults, path: path)
        let vision = try section(object, "vision_config", defaults: visionDefaults, path: path)

        func int(_ dict: [String: JSONValue], _ section: String, _ key: String) throws(CLIPError) -> Int {
            var value = dict[key]
            if let pair = value?.arrayValue, pair.count == 2 {
                guard pair[0] == pair[1] else {
                    throw CLIPError(.invalidInput, "config.json \(section).\(key) \(JSONValue.array(pair).brief) is not square",
                                    path: path, location: "\(section).\(key)")
                }
                value = pair[0]
            }
            guard let number = value?.intValue, number > 0 else {
                throw CLIPError(.invalidInput, "config.json \(section).\(key) must be a positive integer, not \(value?.brief ?? "missing")",
                                path: path, location: "\(section).\(key)")
            }
            return number
        }
        func activation(_ dict: [String: JSONValue], _ section: String) throws(CLIPError) -> Bool {
            let name = dict["hidden_act"]?.stringValue ?? ""
            switch name {
            case "quick_gelu": return true
            case "gelu": return false
            default:
                throw CLIPError(.invalidInput,
                                "config.json \(section).hidden_act '\(name)' is not supported (quick_gelu, or gelu = exact GELU)",
                                path: path, location: "\(section).hidden_act")
            }
        }
        for (dict, name) in [(text, "text_config"), (vision, "vision_config")] {
            guard let eps = dict["layer_norm_eps"]?.doubleValue, abs(eps - 1e-5) <= 1e-12 else {
                throw CLIPError(.invalidInput,
                                "config.json \(name).layer_norm_eps \(dict["layer_norm_eps"]?.brief ?? "missing") is not supported (1e-05, as open_clip's LayerNorm)",
                                path: path, location: "\(name).layer_norm_eps")
            }
        }
        let quickText = try activation(text, "text_config")
        let quickVision = try activation(vision, "vision_config")
        guard quickText == quickVision else {
            throw CLIPError(.invalidInput, "config.json uses different activations in the text and vision towers; AugLab needs one",
                            path: path, location: "hidden_act")
        }
        guard try int(vision, "vision_config", "num_channels") == 3 else {
            throw CLIPError(.invalidInput, "config.json vision_config.num_channels must be 3 (RGB)", path: path,
                            location: "vision_config.num_channels")
        }
        let visionWidth = try int(vision, "vision_config", "hidden_size")
        let visionHeads = try int(vision, "vision_config", "num_attention_heads")
        let textWidth = try int(text, "text_config", "hidden_size")
        guard visionWidth % visionHeads == 0 else {
            throw CLIPError(.invalidInput, "config.json vision_config.num_attention_heads \(visionHeads) does not divide hidden_size \(visionWidth)",
                            path: path, location: "vision_config.num_attention_heads")
        }
        let projection: Int
        if object["projection_dim"] == nil {
            projection = 512
        } else {
            projection = try int(object, "config", "projection_dim")
        }
        let config = CLIPConfig(
            embedDim: projection,
            quickGELU: quickText,
            vision: VisionConfig(imageSize: try int(vision, "vision_config", "image_size"),
                                 layers: .transformer(try int(vision, "vision_config", "num_hidden_layers")),
                                 width: visionWidth, headWidth: visionWidth / visionHeads,
                                 patchSize: try int(vision, "vision_config", "patch_size"),
                                 mlpRatio: Double(try int(vision, "vision_config", "intermediate_size")) / Double(visionWidth)),
            text: TextConfig(contextLength: try int(text, "text_config", "max_position_embeddings"),
                             vocabSize: try int(text, "text_config", "vocab_size"),
                             width: textWidth, heads: try int(text, "text_config", "num_attention_heads"),
                             layers: try int(text, "text_config", "num_hidden_layers"),
                             mlpRatio: Double(try int(text, "text_config", "intermediate_size")) / Double(textWidth)))
        try config.validate(path: path)
        return config
    }

    /// The effective sub-config: transformers' defaults, overlaid by `<name>`, or by `<name>_dict` when present.
    private static func section(_ object: [String: JSONValue], _ name: String, defaults: [String: JSONValue],
                                path: String?) throws(CLIPError) -> [String: JSONValue] {
        var result = defaults
        let chosen = object[name + "_dict"].flatMap { $0.isNull ? nil : $0 } ?? object[name]
        guard let chosen, !chosen.isNull else { return result }
        guard case .object(let dict) = chosen else {
            throw CLIPError(.invalidInput, "config.json \(name) is \(chosen.brief), not an object", path: path, location: name)
        }
        for (key, value) in dict where !value.isNull { result[key] = value }
        return result
    }

    /// Converts `preprocessor_config.json` (a `CLIPImageProcessor`): `image_mean`, `image_std`,
    /// `size.shortest_edge` (or an integer size), `crop_size`, `resample` (PIL codes 3 = bicubic,
    /// 2 = bilinear, 0 = nearest).
    ///
    /// AugLab resizes the shorter side to the crop size and centre-crops, so the resize must equal
    /// the crop (it does in every CLIP repository); HF's centre crop rounds the offset down where
    /// torchvision rounds it to nearest, which can shift the crop by one pixel for odd margins.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and field.
    public static func preprocessConfig(_ json: JSONValue, imageSize: Int, path: String?) throws(CLIPError) -> PreprocessConfig {
        guard case .object(let object) = json else {
            throw CLIPError(.invalidInput, "preprocessor_config.json is \(json.brief), not an object", path: path)
        }
        var openCLIPStyle: [String: JSONValue] = [:]
        if let mean = object["image_mean"] { openCLIPStyle["mean"] = mean }
        if let std = object["image_std"] { openCLIPStyle["std"] = std }
        if let resample = object["resample"], !resample.isNull {
            let names = [0: "nearest", 2: "bilinear", 3: "bicubic"]
            guard let code = resample.intValue, let name = names[code] else {
                throw CLIPError(.invalidInput, "preprocessor_config.json resample \(resample.brief) is not supported (0, 2, 3 = nearest, bilinear, bicubic)",
                                path: path, location: "resample")
            }
            openCLIPStyle["interpolation"] = .string(name)
        }
        if object["do_normalize"] == .bool(false) {
            openCLIPStyle["mean"] = .array([.int(0), .int(0), .int(0)])
            openCLIPStyle["std"] = .array([.int(1), .int(1), .int(1)])
        }
        if object["do_rescale"] == .bool(false)
            || object["rescale_factor"].map({ abs(($0.doubleValue ?? 0) - 1.0 / 255) > 1e-9 }) == true {
            throw CLIPError(.invalidInput, "preprocessor_config.json rescales pixels other than by 1/255, which AugLab does not support",
                            path: path, location: "rescale_factor")
        }
        var config = try OpenCLIPConfigFile.preprocessConfig(.object(openCLIPStyle), imageSize: imageSize, path: path,
                                                             field: "preprocessor_config")
        func edge(_ key: String) -> Int? {
            guard let value = object[key], !value.isNull else { return nil }
            if let size = value.intValue { return size }
            guard case .object(let dict) = value else { return -1 }
            if let shortest = dict["shortest_edge"]?.intValue { return shortest }
            if let height = dict["height"]?.intValue, let width = dict["width"]?.intValue, height == width { return height }
            return -1
        }
        let crop = object["do_center_crop"] == .bool(false) ? nil : edge("crop_size")
        let resize = object["do_resize"] == .bool(false) ? nil : edge("size")
        for (key, value) in [("crop_size", crop), ("size", resize)] where value != nil && value != imageSize {
            throw CLIPError(.invalidInput,
                            "preprocessor_config.json \(key) \(object[key]?.brief ?? "") differs from the model's \(imageSize)-pixel input; AugLab resizes the shorter side to the input size and centre-crops",
                            path: path, location: key)
        }
        config.imageSize = imageSize
        return config
    }
}
