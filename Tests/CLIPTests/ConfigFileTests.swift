import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// open_clip and Hugging Face configuration files: conversion, defaults and refusals.
@Suite struct ConfigFileTests {
    private func json(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Data(text.utf8), path: "test.json", what: "test JSON")
    }

    private func fixtureConfig(_ name: String) throws -> CLIPConfig {
        try OpenCLIPConfigFile.modelConfig(JSONValue.read(path: CheckpointFiles.shared("\(name)/config.json"), what: "config.json"),
                                           path: name)
    }

    @Test func theHuggingFaceFixtureConvertsToTheOpenCLIPFixturesConfig() throws {
        let hfJSON = try JSONValue.read(path: CheckpointFiles.shared("vit_hf/config.json"), what: "config.json")
        #expect(HuggingFaceConfig.looksLikeHuggingFace(hfJSON))
        #expect(try !HuggingFaceConfig.looksLikeHuggingFace(JSONValue.read(path: CheckpointFiles.shared("vit_openclip/config.json"),
                                                                             what: "config.json")))
        #expect(try HuggingFaceConfig.modelConfig(hfJSON, path: "vit_hf") == fixtureConfig("vit_openclip"))
    }

    @Test func transformersDefaultsAreViTB32WithQuickGELU() throws {
        let full = try #require(CheckpointFiles.reference().objectValue?["huggingface_default_config"])
        let expected = try #require(CLIPConfig.named("ViT-B-32-quickgelu"))
        #expect(try HuggingFaceConfig.modelConfig(full, path: "defaults") == expected)
        #expect(try HuggingFaceConfig.modelConfig(json(#"{"model_type": "clip"}"#), path: "empty") == expected)
    }

    @Test func legacyConfigDictsWinOverConfigs() throws {
        let config = try HuggingFaceConfig.modelConfig(json("""
            {"model_type": "clip", "projection_dim": 8,
             "text_config": {"hidden_size": 999, "num_attention_heads": 3},
             "text_config_dict": {"hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "hidden_act": "gelu"},
             "vision_config": {"hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 96, "image_size": [32, 32],
                               "patch_size": 8, "num_hidden_layers": 3, "hidden_act": "gelu"}}
            """), path: "legacy")
        #expect(config.text.width == 64 && config.text.heads == 4 && config.text.mlpRatio == 2)
        #expect(config.quickGELU == false)
        #expect(config.vision.headWidth == 32 && config.vision.mlpRatio == 1.5 && config.vision.imageSize == 32 && config.embedDim == 8)
    }

    @Test func huggingFaceConfigsOutsideCLIPAreRefusedByField() throws {
        let cases: [(String, [String])] = [
            (#"{"model_type": "siglip"}"#, ["'siglip'", "CLIPModel"]),
            (#"{"text_config": {"hidden_act": "gelu_new"}}"#, ["text_config.hidden_act", "gelu_new"]),
            (#"{"text_config": {"hidden_act": "gelu"}}"#, ["different activations"]),
            (#"{"vision_config": {"layer_norm_eps": 1e-6}}"#, ["vision_config.layer_norm_eps"]),
            (#"{"vision_config": {"num_channels": 1}}"#, ["num_channels"]),
            (#"{"vision_config": {"patch_size": [16, 14]}}"#, ["vision_config.patch_size", "not square"]),
            (#"{"vision_config": {"hidden_size": 100}}"#, ["num_attention_heads 12 does not divide hidden_size 100"]),
            (#"{"text_config": {"vocab_size": -5}}"#, ["text_config.vocab_size", "positive integer"]),
            (#"{"projection_dim": "big"}"#, ["projection_dim"]),
            (#"{"vision_config": 3}"#, ["vision_config", "not an object"]),
            (#"[1]"#, ["not an object"]),
        ]
        for (text, parts) in cases {
            #expect { try HuggingFaceConfig.modelConfig(json(text), path: "hf/config.json") } throws: { error in
                errorMentions(error, "hf/config.json") && parts.allSatisfy { "\(error)".contains($0) }
            }
        }
    }

    @Test func openCLIPOptionsOutsideTheCLIPTowersAreRefusedByName() throws {
        let base = #""embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 8"#
        let cases: [(String, String)] = [
            ("{\(base), \"ls_init_value\": 0.1}, \"text_cfg\": {}}", "vision_cfg.ls_init_value"),
            ("{\(base), \"timm_model_name\": \"vit_base\"}, \"text_cfg\": {}}", "timm"),
            ("{\(base), \"pool_type\": \"avg\"}, \"text_cfg\": {}}", "vision_cfg.pool_type"),
            ("{\(base)}, \"text_cfg\": {\"hf_model_name\": \"xlm-roberta\"}}", "text_cfg.hf_model_name"),
            ("{\(base)}, \"text_cfg\": {\"pool_type\": \"last\"}}", "text_cfg.pool_type"),
            ("{\(base)}, \"text_cfg\": {\"proj_bias\": true}}", "text_cfg.proj_bias"),
            ("{\(base)}, \"text_cfg\": {}, \"init_logit_bias\": -10}", "SigLIP"),
            ("{\(base)}, \"text_cfg\": {}, \"multimodal_cfg\": {\"width\": 8}}", "CoCa"),
        ]
        for (text, part) in cases {
            #expect { try OpenCLIPConfigFile.modelConfig(json(text), path: "oc/config.json") } throws: { error in
                errorMentions(error, "oc/config.json", part, "do not implement")
            }
        }
        // Harmless options pass: custom_text, patch dropout, output tokens, explicit defaults.
        let fine = try OpenCLIPConfigFile.modelConfig(json("""
            {\(base), "patch_dropout": 0.5, "pool_type": "tok", "ls_init_value": null}, "custom_text": true,
             "text_cfg": {"pad_id": 0, "proj_type": "linear", "heads": 1, "width": 64}}
            """), path: "oc")
        #expect(fine.vision.patchSize == 8)
    }

    @Test func malformedOpenCLIPConfigsNameTheField() throws {
        #expect { try OpenCLIPConfigFile.modelConfig(json(#"{"vision_cfg": {"layers": 1}}"#), path: "c.json") } throws: {
            errorMentions($0, "c.json", "missing field embed_dim")
        }
        #expect { try OpenCLIPConfigFile.modelConfig(json(#"{"embed_dim": 8, "vision_cfg": {"layers": "x"}}"#), path: "c.json") } throws: {
            errorMentions($0, "c.json", "vision_cfg.layers", "wrong type")
        }
        #expect { try OpenCLIPConfigFile.modelConfig(json(#"{"embed_dim": 8, "vision_cfg": {"layers": 2, "width": 64}}"#), path: "c.json") } throws: {
            errorMentions($0, "c.json", "patch_size is missing")
        }
    }

    @Test func validationCatchesImpossibleSizes() throws {
        let vit = try #require(CLIPConfig.named("ViT-B-32"))
        let rn = try #require(CLIPConfig.named("RN50"))
        var cases: [(CLIPConfig, String)] = []
        var c = vit; c.vision.headWidth = 100; cases.append((c, "vision_cfg.head_width"))
        c = vit; c.vision.patchSize = 300; cases.append((c, "vision_cfg.patch_size"))
        c = vit; c.embedDim = 0; cases.append((c, "embed_dim"))
        c = vit; c.vision.width = Int.max; cases.append((c, "vision_cfg.width"))
        c = vit; c.text.heads = 7; cases.append((c, "text_cfg.heads"))
        c = vit; c.text.mlpRatio = .nan; cases.append((c, "text_cfg.mlp_ratio"))
        c = vit; c.vision.layers = .transformer(-1); cases.append((c, "vision_cfg.layers"))
        c = rn; c.vision.layers = .resNet([3, 4, 6]); cases.append((c, "has 3 stages"))
        c = rn; c.vision.layers = .resNet([3, 0, 6, 3]); cases.append((c, "vision_cfg.layers[1]"))
        c = rn; c.vision.imageSize = 16; cases.append((c, "vision_cfg.image_size"))
        c = rn; c.text.vocabSize = 1 << 40; cases.append((c, "text_cfg.vocab_size"))
        for (config, field) in cases {
            #expect { try config.validate(path: "m.json") } throws: { errorMentions($0, "m.json", field) }
        }
    }

    // MARK: Preprocessing

    @Test func openCLIPPreprocessingIsHonoured() throws {
        let config = try OpenCLIPConfigFile.preprocessConfig(json("""
            {"size": 999, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.5, 1], "interpolation": "bilinear",
             "resize_mode": "squash", "fill_color": 51, "mode": "RGB"}
            """), imageSize: 224, path: "p.json", field: "preprocess_cfg")
        #expect(config == PreprocessConfig(imageSize: 224, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1], interpolation: .bilinear,
                                           resizeMode: .squash, fillColor: Float(51.0 / 255)))
        #expect(try OpenCLIPConfigFile.preprocessConfig(json("{}"), imageSize: 64, path: nil, field: "p") == PreprocessConfig(imageSize: 64))
        let bad: [(String, String)] = [
            (#"{"std": [1, 0, 1]}"#, "preprocess_cfg.std"), (#"{"mean": [1, 2]}"#, "preprocess_cfg.mean"),
            (#"{"interpolation": "lanczos"}"#, "preprocess_cfg.interpolation"), (#"{"resize_mode": "crop"}"#, "preprocess_cfg.resize_mode"),
            (#"{"fill_color": 300}"#, "preprocess_cfg.fill_color"), (#"{"mode": "L"}"#, "preprocess_cfg.mode"),
        ]
        for (text, field) in bad {
            #expect { try OpenCLIPConfigFile.preprocessConfig(json(text), imageSize: 224, path: "p.json", field: "preprocess_cfg") } throws: {
                errorMentions($0, "p.json", field)
            }
        }
    }

    @Test func transformerOptionsAreRefusedInBothTowers() throws {
        let base = #""embed_dim": 8, "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 8"#
        for (option, value) in [("qk_norm", "true"), ("scale_fc", "true"), ("act_kwargs", #"{"a": 1}"#), ("final_ln_after_pool", "true")] {
            let cases = [("{\(base), \"\(option)\": \(value)}, \"text_cfg\": {}}", "vision_cfg.\(option)"),
                         ("{\(base)}, \"text_cfg\": {\"\(option)\": \(value)}}", "text_cfg.\(option)")]
            for (text, field) in cases {
                #expect { try OpenCLIPConfigFile.modelConfig(json(text), path: "oc/config.json") } throws: { error in
                    errorMentions(error, "oc/config.json", field, "do not implement")
                }
            }
        }
        // Two unsupported options: the first in key order is named, every time.
        let two = "{\(base), \"scale_fc\": true, \"qk_norm\": true}, \"text_cfg\": {}}"
        #expect { try OpenCLIPConfigFile.modelConfig(json(two), path: "oc/config.json") } throws: { error in
            errorMentions(error, "vision_cfg.qk_norm")
        }
        #expect { try OpenCLIPConfigFile.preprocessConfig(json(#"{"interpolation": "lanczos"}"#), imageSize: 224, path: "p.json",
                                                          field: "p") } throws: { error in
            errorMentions(error, "p.interpolation \"lanczos\" is not supported (bicubic, bilinear, nearest)")
        }
    }

    @Test func huggingFacePreprocessingIsHonoured() throws {
        let config = try HuggingFaceConfig.preprocessConfig(json("""
            {"crop_size": {"height": 224, "width": 224}, "do_center_crop": true, "do_normalize": true, "do_resize": true,
             "image_mean": [0.1, 0.2, 0.3], "image_std": [0.4, 0.5, 0.6], "resample": 2, "rescale_factor": 0.00392156862745098,
             "size": {"shortest_edge": 224}}
            """), imageSize: 224, path: "pp.json")
        #expect(config == PreprocessConfig(imageSize: 224, mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6], interpolation: .bilinear))
        #expect { try HuggingFaceConfig.preprocessConfig(json(#"{"size": {"shortest_edge": 256}, "crop_size": 224}"#), imageSize: 224, path: "pp.json") } throws: {
            errorMentions($0, "pp.json", "size", "differs")
        }
        #expect { try HuggingFaceConfig.preprocessConfig(json(#"{"resample": 1}"#), imageSize: 224, path: "pp.json") } throws: {
            errorMentions($0, "pp.json", "resample")
        }
        let raw = try HuggingFaceConfig.preprocessConfig(json(#"{"do_normalize": false}"#), imageSize: 64, path: nil)
        #expect(raw.mean == [0, 0, 0] && raw.std == [1, 1, 1])
    }

    @Test func jsonNumbersKeepIntegersApart() throws {
        let value = try json(#"{"i": 3, "d": 3.5, "b": true, "n": null, "s": "x", "a": [1, 2.0]}"#)
        let object = try #require(value.objectValue)
        #expect(object["i"] == .int(3) && object["d"] == .double(3.5) && object["b"] == .bool(true) && object["n"] == .null)
        #expect(object["a"]?.arrayValue?.compactMap(\.intValue) == [1, 2])
        #expect(object["b"]?.intValue == nil)
        #expect { try json("{") } throws: { errorMentions($0, "test.json", "not valid JSON") }
    }

    @Test func jsonStringsAndNumbersFollowTheRFC() throws {
        #expect(try json(#""a\"b\\c\/d\n\t\u00e9\ud83e\udd50""#) == .string("a\"b\\c/d\n\té🥐"))
        #expect(try json(" [ -0, 1e3, 2.5E-1, 9223372036854775807, 9223372036854775808 ] ") ==
                .array([.int(0), .double(1000), .double(0.25), .int(Int.max), .double(9223372036854775808)]))
        #expect(try json(#""\ud800x""#) == .string("\u{FFFD}x"))  // a lone surrogate becomes U+FFFD
        let broken: [(String, String)] = [
            ("", "unexpected end"), ("01", "leading zero"), ("1.", "digit expected after '.'"), ("-", "digit expected"),
            ("[1,]", "unexpected character"), ("{\"a\" 1}", "':' expected"), ("{1: 2}", "object key expected"),
            ("\"a\u{01}b\"", "control character"), ("\"\\x\"", "bad escape"), ("\"\\u12G4\"", "bad \\u escape"),
            ("tru", "unexpected end"), ("nul!", "unexpected character"), ("{} {}", "after the value"), ("\"abc", "unterminated"),
            (String(repeating: "[", count: 200) + String(repeating: "]", count: 200), "nested more than 128 deep"),
        ]
        for (text, reason) in broken {
            #expect { try json(text) } throws: { errorMentions($0, "test.json", reason, "at byte") }
        }
    }

    @Test func jsonFilesAreReadWithASizeCap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writeFile(Array(#"{"embed_dim": 512}"#.utf8), named: "config.json", in: directory)
        #expect(try JSONValue.read(path: path, what: "config.json", maximumBytes: 18) == .object(["embed_dim": .int(512)]))
        let tooLarge = #expect(throws: CLIPError.self) { try JSONValue.read(path: path, what: "config.json", maximumBytes: 17) }
        #expect(tooLarge?.code == .invalidInput)
        #expect(tooLarge?.description == "\(path): cannot read config.json: file is 18 bytes, over the limit of 17 bytes")
        let missing = #expect(throws: CLIPError.self) { try JSONValue.read(path: directory.path("none.json"), what: "config.json") }
        #expect(missing?.code == .io)
        let folder = #expect(throws: CLIPError.self) { try JSONValue.read(path: directory.url.path, what: "config.json") }
        #expect(folder?.code == .io)
        #expect(folder.map { errorMentions($0, directory.url.path, "cannot read config.json", "is a directory") } == true)
    }
}
