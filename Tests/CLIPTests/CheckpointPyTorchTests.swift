import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// PyTorch checkpoints written by torch.save / torch.jit.save read to the same values as their safetensors twins.
@Suite struct CheckpointPyTorchTests {
    private func expectSameTensors(_ checkpoint: PyTorchCheckpoint, _ twin: SafeTensorsFile, prefix: String = "",
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in twin.names {
            let info = try #require(checkpoint.info(prefix + name), "\(prefix + name) missing", sourceLocation: sourceLocation)
            let expected = try #require(twin.info(name))
            #expect(info.shape == expected.shape && info.dtype == expected.dtype, "\(name)", sourceLocation: sourceLocation)
            if expected.dtype.isFloatingPoint {
                #expect(bitIdentical(try checkpoint.floats(prefix + name), try twin.floats(name)), "\(name)",
                        sourceLocation: sourceLocation)
            } else {
                #expect(try checkpoint.integers(prefix + name) == twin.integers(name), "\(name)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: ["tensors_p2.pt", "tensors_p4.pt", "tensors_p5.pt", "tensors_zip64.pt"])
    func everyTensorFlavourMatchesItsTwin(file: String) throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path(file))
        let twin = try SafeTensorsFile(path: CheckpointFiles.path("tensors.safetensors"))
        #expect(checkpoint.stateDictLocation == "(top level)")
        #expect(!checkpoint.isTorchScript)
        #expect(checkpoint.names == (twin.names + ["expanded"]).sorted())
        try expectSameTensors(checkpoint, twin)
    }

    @Test func anExpandedViewIsRefusedClearly() throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path("tensors_p2.pt"))
        #expect(checkpoint.info("expanded")?.shape == [3, 4])
        #expect(checkpoint.problem("expanded")?.contains("overlapping") == true)
        #expect { try checkpoint.floats("expanded") } throws: { errorMentions($0, "tensors_p2.pt", "expanded", "overlapping") }
    }

    @Test func aPlainStateDictMatchesItsTwin() throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path("tiny_vit_state_dict.pt"))
        #expect(checkpoint.archivePrefix == "tiny_vit_state_dict")
        try expectSameTensors(checkpoint, try SafeTensorsFile(path: CheckpointFiles.path("tiny_vit.safetensors")))
    }

    @Test func aCyCLIPCheckpointKeepsItsStateDictUnderAPrefix() throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path("tiny_vit_cyclip.pt"))
        #expect(checkpoint.stateDictLocation == "state_dict")
        let metadata = try #require(CheckpointFiles.reference().objectValue?["files"]?.objectValue?["tiny_vit_cyclip.pt"]?
            .objectValue?["metadata"]?.objectValue)
        for (key, value) in metadata { #expect(checkpoint.metadata[key] == value.stringValue, "\(key)") }
        #expect(checkpoint.names.allSatisfy { $0.hasPrefix("module.") })
        try expectSameTensors(checkpoint, try SafeTensorsFile(path: CheckpointFiles.path("tiny_vit.safetensors")), prefix: "module.")
    }

    @Test func aTorchScriptArchiveYieldsItsModuleTensors() throws {
        let checkpoint = try PyTorchCheckpoint(path: CheckpointFiles.path("tiny_vit_fp16_torchscript.pt"))
        #expect(checkpoint.isTorchScript)
        #expect(checkpoint.stateDictLocation == "(TorchScript module attributes)")
        let twin = try SafeTensorsFile(path: CheckpointFiles.path("tiny_vit_fp16.safetensors"))
        #expect(Set(twin.names.compactMap { twin.info($0)?.dtype }) == [.float16, .float32])
        try expectSameTensors(checkpoint, twin)
        #expect(checkpoint.inertCallables.isEmpty)
    }

    @Test func theLegacyFormatIsRefusedWithAdvice() throws {
        #expect { try PyTorchCheckpoint(path: CheckpointFiles.path("tensors_legacy.pt")) } throws: {
            errorMentions($0, "tensors_legacy.pt", "legacy", "torch.save")
        }
    }
}
