/// The architectures of OpenAI's released CLIP models, exactly as open_clip's `model_configs/*.json`
/// define them (open_clip 3.3.0).
///
/// A note on QuickGELU: OpenAI trained every one of these with QuickGELU (`x·σ(1.702x)`) in the
/// transformer MLPs, and so did CyCLIP and CLOOB (both reuse OpenAI's model code). open_clip's
/// plain names (`RN50`, `ViT-B-32`, ...) use exact GELU, because open_clip's own LAION trainings
/// do; its `-quickgelu` variants are the ones that match OpenAI's weights (open_clip switches to
/// QuickGELU by itself when it loads `pretrained='openai'`). Both spellings are accepted here:
/// `named("ViT-B-32")` has `quickGELU == false`, `named("ViT-B-32-quickgelu")` has it true.
extension CLIPConfig {
    /// The base names, in open_clip's spelling.
    public static let namedConfigNames = ["RN50", "RN101", "RN50x4", "RN50x16", "RN50x64",
                                          "ViT-B-32", "ViT-B-16", "ViT-L-14", "ViT-L-14-336"]

    /// The configuration called `name`: open_clip's spelling (`ViT-B-32`) or OpenAI's (`ViT-B/32`),
    /// optionally with open_clip's `-quickgelu` suffix; case-insensitive. Nil for unknown names.
    public static func named(_ name: String) -> CLIPConfig? {
        var key = name.replacingOccurrences(of: "/", with: "-").lowercased()
        var quick = false
        if key.hasSuffix("-quickgelu") {
            quick = true
            key.removeLast("-quickgelu".count)
        }
        guard let base = namedConfigNames.first(where: { $0.lowercased() == key }), var config = namedTable[base] else { return nil }
        config.quickGELU = quick
        return config
    }

    /// The open_clip name of the named configuration equal to this one (`-quickgelu` appended when
    /// `quickGELU` is set), or nil if none is.
    public var matchingNamedConfig: String? {
        for name in Self.namedConfigNames {
            guard var candidate = Self.namedTable[name] else { continue }
            candidate.quickGELU = quickGELU
            if candidate == self { return quickGELU ? name + "-quickgelu" : name }
        }
        return nil
    }

    private static func resNet(embed: Int, image: Int, layers: [Int], width: Int, textWidth: Int, textHeads: Int) -> CLIPConfig {
        CLIPConfig(embedDim: embed, quickGELU: false,
                   vision: VisionConfig(imageSize: image, layers: .resNet(layers), width: width),
                   text: TextConfig(width: textWidth, heads: textHeads, layers: 12))
    }

    private static func vit(embed: Int, image: Int, layers: Int, width: Int, patch: Int, textWidth: Int, textHeads: Int) -> CLIPConfig {
        CLIPConfig(embedDim: embed, quickGELU: false,
                   vision: VisionConfig(imageSize: image, layers: .transformer(layers), width: width, patchSize: patch),
                   text: TextConfig(width: textWidth, heads: textHeads, layers: 12))
    }

    // Transcribed from open_clip/model_configs/<name>.json; head_width 64, mlp_ratio 4, context 77 and
    // vocabulary 49408 are open_clip's defaults. Tests compare these with open_clip's own JSON.
    private static let namedTable: [String: CLIPConfig] = [
        "RN50": resNet(embed: 1024, image: 224, layers: [3, 4, 6, 3], width: 64, textWidth: 512, textHeads: 8),
        "RN101": resNet(embed: 512, image: 224, layers: [3, 4, 23, 3], width: 64, textWidth: 512, textHeads: 8),
        "RN50x4": resNet(embed: 640, image: 288, layers: [4, 6, 10, 6], width: 80, textWidth: 640, textHeads: 10),
        "RN50x16": resNet(embed: 768, image: 384, layers: [6, 8, 18, 8], width: 96, textWidth: 768, textHeads: 12),
        "RN50x64": resNet(embed: 1024, image: 448, layers: [3, 15, 36, 10], width: 128, textWidth: 1024, textHeads: 16),
        "ViT-B-32": vit(embed: 512, image: 224, layers: 12, width: 768, patch: 32, textWidth: 512, textHeads: 8),
        "ViT-B-16": vit(embed: 512, image: 224, layers: 12, width: 768, patch: 16, textWidth: 512, textHeads: 8),
        "ViT-L-14": vit(embed: 768, image: 224, layers: 24, width: 1024, patch: 14, textWidth: 768, textHeads: 12),
        "ViT-L-14-336": vit(embed: 768, image: 336, layers: 24, width: 1024, patch: 14, textWidth: 768, textHeads: 12),
    ]
}
