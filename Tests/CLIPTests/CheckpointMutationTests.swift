import Foundation
import Testing
import AugLabTestSupport
import Imaging
@testable import CLIP

/// Seeded random damage to real checkpoint files: readers must answer with a `CLIPError` naming
/// the file, or read values, and never crash, hang or allocate without bound.
///
/// 100 rounds per file by default; set `AUGLAB_MUTATION_ROUNDS` for a longer campaign (the same
/// seeds, so the first rounds are always the same).
@Suite struct CheckpointMutationTests {
    /// Damages `bytes` in 1 to 6 places, mostly where headers live (the first and last 4 KB).
    private func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            guard !out.isEmpty else { break }
            let hot = Bool.random(using: &random)
            let position: Int
            if hot {
                let nearEnd = Bool.random(using: &random)
                let span = min(out.count, 4096)
                position = nearEnd ? out.count - 1 - Int.random(in: 0..<span, using: &random) : Int.random(in: 0..<span, using: &random)
            } else {
                position = Int.random(in: 0..<out.count, using: &random)
            }
            switch Int.random(in: 0..<6, using: &random) {
            case 0: out[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: out[position] = UInt8.random(in: 0...255, using: &random)
            case 2: out[position] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &random)]
            case 3: out.removeSubrange(position..<min(out.count, position + Int.random(in: 1...64, using: &random)))
            case 4: out.insert(contentsOf: (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) },
                               at: position)
            default: out = Array(out.prefix(position))
            }
        }
        return out
    }

    /// Opens `path` as a checkpoint and reads every tensor; returns how far it got.
    private func exercise(_ path: String) -> (opened: Bool, error: CLIPError?) {
        do {
            let (source, _) = try ModelLoader.openWeights(path)
            for name in source.names {
                if let info = source.info(name), info.dtype.isFloatingPoint {
                    _ = try source.floats(name)
                } else if let checkpoint = source as? PyTorchCheckpoint {
                    _ = try checkpoint.integers(name)
                } else if let file = source as? SafeTensorsFile {
                    _ = try file.integers(name)
                }
            }
            if let adapted = try? LayoutAdapter(source) {
                _ = try? CLIPConfig.inferred(from: adapted, quickGELU: true)
            }
            return (true, nil)
        } catch {
            return (false, error)
        }
    }

    @Test(arguments: ["tensors_p2.pt", "tensors_p4.pt", "tensors_zip64.pt", "tiny_vit_fp16_torchscript.pt", "tiny_rn_cloob.pt",
                      "tensors.safetensors", "tiny_hf_model.safetensors", "tiny_hf/pytorch_model.bin"])
    func damagedFilesGiveErrorsNotCrashes(file: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: CheckpointFiles.path(file))))
        let directory = try TemporaryDirectory(prefix: "auglab-mutation")
        defer { directory.remove() }
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: file.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        var refused = 0
        let rounds = Int(ProcessInfo.processInfo.environment["AUGLAB_MUTATION_ROUNDS"] ?? "") ?? 100
        for round in 0..<rounds {
            let path = try writeFile(mutate(original, &random), named: "m\(round).bin", in: directory)
            let (_, error) = exercise(path)
            if let error {
                refused += 1
                #expect(error.path == path, "round \(round): \(error)")
            }
            try FileManager.default.removeItem(atPath: path)
        }
        #expect(refused > 0)  // the damage is real: some rounds must be refused
    }
}
