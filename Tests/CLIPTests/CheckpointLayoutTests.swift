import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Key layouts: every layout presents the same tensors, bit for bit, under open_clip names.
@Suite struct CheckpointLayoutTests {
    private func expectBitIdentical(_ adapted: LayoutAdapter, _ reference: some WeightSource,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(adapted.names == reference.names, sourceLocation: sourceLocation)
        for name in reference.names {
            let info = try #require(adapted.info(name), "\(name)", sourceLocation: sourceLocation)
            #expect(info.shape == reference.info(name)?.shape, "\(name)", sourceLocation: sourceLocation)
            guard info.dtype.isFloatingPoint else { continue }
            #expect(bitIdentical(try adapted.floats(name), try reference.floats(name)), "\(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func huggingFaceFixtureEqualsTheOpenCLIPFixtureForEveryKey() throws {
        let hf = try LayoutAdapter(SafeTensorsFile(path: CheckpointFiles.shared("vit_hf/model.safetensors")))
        #expect(hf.layout == .huggingFace)
        #expect(hf.strippedPrefix.isEmpty && hf.ignoredKeys.isEmpty)
        try expectBitIdentical(hf, SafeTensorsFile(path: CheckpointFiles.shared("vit_openclip/model.safetensors")))
        #expect(hf.storedKeys(for: "visual.transformer.resblocks.1.attn.in_proj_weight") == [
            "vision_model.encoder.layers.1.self_attn.q_proj.weight",
            "vision_model.encoder.layers.1.self_attn.k_proj.weight",
            "vision_model.encoder.layers.1.self_attn.v_proj.weight",
        ])
    }

    @Test func openCLIPNamesAreKeptAsTheyAre() throws {
        let source = try SafeTensorsFile(path: CheckpointFiles.shared("rn_openclip/model.safetensors"))
        let adapted = try LayoutAdapter(source)
        #expect(adapted.layout == .openCLIP)
        try expectBitIdentical(adapted, source)
    }

    @Test func aCyCLIPCheckpointLosesItsModulePrefix() throws {
        let adapted = try LayoutAdapter(PyTorchCheckpoint(path: CheckpointFiles.path("tiny_vit_cyclip.pt")))
        #expect(adapted.layout == .openCLIP && adapted.strippedPrefix == "module.")
        try expectBitIdentical(adapted, SafeTensorsFile(path: CheckpointFiles.path("tiny_vit.safetensors")))
    }

    @Test func aCLOOBCheckpointMapsItsTextTowerAndTemperature() throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path("tiny_rn_cloob.pt"))
        #expect(checkpoint.contains("module.logit_inv_tau") && checkpoint.contains("module.transformer.transformer.resblocks.0.ln_1.weight"))
        let adapted = try LayoutAdapter(checkpoint)
        #expect(adapted.layout == .cloob && adapted.strippedPrefix == "module.")
        #expect(adapted.ignoredKeys == ["module.logit_scale_hopfield"])
        #expect(adapted.storedKeys(for: "logit_scale") == ["module.logit_inv_tau"])
        try expectBitIdentical(adapted, SafeTensorsFile(path: CheckpointFiles.path("tiny_rn.safetensors")))
    }

    @Test func aHuggingFaceTorchFileMatchesItsSafetensorsAndDropsPositionIds() throws {
        let bin = try LayoutAdapter(PyTorchCheckpoint(path: CheckpointFiles.path("tiny_hf/pytorch_model.bin")))
        #expect(bin.layout == .huggingFace)
        #expect(bin.ignoredKeys == ["text_model.embeddings.position_ids", "vision_model.embeddings.position_ids"])
        let safetensors = try LayoutAdapter(SafeTensorsFile(path: CheckpointFiles.path("tiny_hf_model.safetensors")))
        try expectBitIdentical(bin, safetensors)
        // The projection is transposed: open_clip's text_projection[w][e] is HF's text_projection.weight[e][w].
        let hf = try SafeTensorsFile(path: CheckpointFiles.path("tiny_hf_model.safetensors"))
        let stored = try #require(hf.info("text_projection.weight")).shape
        let (e, w) = (stored[0], stored[1])
        let original = try hf.floats("text_projection.weight")
        let transposed = try safetensors.floats("text_projection")
        #expect(safetensors.info("text_projection")?.shape == [w, e])
        #expect((0..<w).allSatisfy { r in (0..<e).allSatisfy { c in transposed[r * e + c] == original[c * w + r] } })
    }

    @Test func aTorchScriptArchiveDropsItsAttentionMask() throws {
        let adapted = try LayoutAdapter(PyTorchCheckpoint(path: CheckpointFiles.path("tiny_vit_fp16_torchscript.pt")))
        #expect(adapted.layout == .openCLIP && adapted.ignoredKeys == ["attn_mask"])
        #expect(adapted.info("visual.conv1.weight")?.dtype == .float16 && adapted.info("visual.ln_pre.weight")?.dtype == .float32)
    }

    // MARK: Made-up sources

    /// An in-memory source with the given shapes; values are the element index.
    private struct Fake: WeightSource {
        var shapes: [String: [Int]]
        var names: [String] { shapes.keys.sorted() }
        func info(_ name: String) -> TensorInfo? { shapes[name].map { TensorInfo(name: name, dtype: .float32, shape: $0) } }
        func floats(_ name: String) throws(CLIPError) -> [Float] {
            guard let shape = shapes[name] else { throw CLIPError(.invalidInput, "no \(name)") }
            return (0..<shape.reduce(1, *)).map(Float.init)
        }
        var sourcePath: String? { "fake.safetensors" }
    }

    @Test func customTextAndCompiledPrefixesAreHandled() throws {
        let adapted = try LayoutAdapter(Fake(shapes: [
            "_orig_mod.text.token_embedding.weight": [4, 2], "_orig_mod.text.transformer.resblocks.0.ln_1.weight": [2],
            "_orig_mod.visual.proj": [2, 2], "_orig_mod.logit_scale": [], "_orig_mod.text.attn_mask": [3, 3],
        ]))
        #expect(adapted.layout == .openCLIPCustomText && adapted.strippedPrefix == "_orig_mod.")
        #expect(adapted.names == ["logit_scale", "token_embedding.weight", "transformer.resblocks.0.ln_1.weight", "visual.proj"])
        #expect(adapted.ignoredKeys == ["_orig_mod.text.attn_mask"])
    }

    @Test func anUnknownLayoutSaysWhatWasLookedFor() {
        #expect { try LayoutAdapter(Fake(shapes: ["encoder.weight": [2], "visual.trunk.stem.weight": [2]])) } throws: {
            errorMentions($0, "fake.safetensors", "no known CLIP key layout", "token_embedding.weight", "CLOOB", "Hugging Face",
                          "encoder.weight", "timm")
        }
    }

    @Test func aSingleHuggingFaceTowerIsRefused() {
        #expect { try LayoutAdapter(Fake(shapes: ["vision_model.embeddings.class_embedding": [2]])) } throws: {
            errorMentions($0, "only the vision tower", "CLIPModel")
        }
    }

    @Test func anIncompleteOrMisshapenAttentionBlockIsRefused() {
        let base = ["text_model.embeddings.token_embedding.weight": [4, 2], "vision_model.embeddings.class_embedding": [2]]
        #expect {
            try LayoutAdapter(Fake(shapes: base.merging([
                "vision_model.encoder.layers.0.self_attn.q_proj.weight": [2, 2],
                "vision_model.encoder.layers.0.self_attn.v_proj.weight": [2, 2],
            ]) { a, _ in a }))
        } throws: { errorMentions($0, "no k_proj.weight", "vision_model.encoder.layers.0.self_attn.q_proj.weight") }
        #expect {
            try LayoutAdapter(Fake(shapes: base.merging([
                "text_model.encoder.layers.0.self_attn.q_proj.bias": [2], "text_model.encoder.layers.0.self_attn.k_proj.bias": [3],
                "text_model.encoder.layers.0.self_attn.v_proj.bias": [2],
            ]) { a, _ in a }))
        } throws: { errorMentions($0, "different or invalid shapes") }
    }

    @Test func twoKeysForOneNameAreRefused() {
        #expect {
            try LayoutAdapter(Fake(shapes: ["transformer.token_embedding.weight": [4, 2], "logit_inv_tau": [],
                                            "transformer.logit_scale": []]))
        } throws: { errorMentions($0, "would be read as 'logit_scale'") }
    }

    @Test func concatenationAndTranspositionFollowTheREADMETable() throws {
        let adapted = try LayoutAdapter(Fake(shapes: [
            "text_model.embeddings.token_embedding.weight": [4, 2], "vision_model.embeddings.class_embedding": [2],
            "text_model.encoder.layers.3.self_attn.q_proj.weight": [2, 2],
            "text_model.encoder.layers.3.self_attn.k_proj.weight": [2, 2],
            "text_model.encoder.layers.3.self_attn.v_proj.weight": [2, 2],
            "visual_projection.weight": [3, 2],
        ]))
        #expect(adapted.info("transformer.resblocks.3.attn.in_proj_weight")?.shape == [6, 2])
        #expect(try adapted.floats("transformer.resblocks.3.attn.in_proj_weight") == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
        #expect(adapted.info("visual.proj")?.shape == [2, 3])
        #expect(try adapted.floats("visual.proj") == [0, 2, 4, 1, 3, 5])
    }
}
