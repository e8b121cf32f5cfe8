import Foundation
import Imaging

/// The container format of a weight file, told apart by its first bytes (never by its name).
public enum CheckpointFormat: String, Sendable, Codable, CaseIterable {
    /// safetensors: 8-byte header length, then a JSON header starting with `{`.
    case safetensors
    /// `torch.save` ZIP archive (PyTorch ≥ 1.6): `.pt`, `.pth`, `.bin`, `.ckpt`.
    case pytorch
    /// `torch.jit.save` ZIP archive (e.g. OpenAI's `RN50.pt`); read like `pytorch`.
    case torchScript = "torchscript"

    /// Detects the format of `file`.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and what it looks like instead (legacy
    ///   PyTorch pickle, an unknown format), so the user learns what to convert.
    public static func detect(_ file: MappedFile) throws(CLIPError) -> CheckpointFormat {
        if let legacy = legacyTorchDescription(file) {
            throw CLIPError(.invalidInput, legacy, path: file.path)
        }
        let head = file.withBytes(in: 0..<min(file.count, 16)) { Array($0) }
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B, head[2] == 0x03, head[3] == 0x04 {
            // TorchScript archives are told apart after reading the directory (PyTorchCheckpoint.isTorchScript).
            return .pytorch
        }
        if head.count >= 9, head[8] == UInt8(ascii: "{") {
            return .safetensors
        }
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B {
            return .pytorch  // other ZIP record first (e.g. an empty archive): let the ZIP reader explain
        }
        throw CLIPError(.invalidInput,
                        "not a checkpoint AugLab can read (first bytes \(Hex.string(head.prefix(8), separator: " "))): expected safetensors or a PyTorch ZIP archive (torch.save, PyTorch ≥ 1.6)",
                        path: file.path)
    }

    /// A message when `file` is in PyTorch's legacy (pre-1.6, non-ZIP) or tar format, else nil.
    static func legacyTorchDescription(_ file: MappedFile) -> String? {
        // Legacy format: a pickle of the magic number 0x1950a86a20f9469cfc6c (LONG1, 10 bytes) first.
        let magic: [UInt8] = [0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
        let head = file.withBytes(in: 0..<min(file.count, 16)) { Array($0) }
        if head.count >= 14, head[0] == 0x80, Array(head[2..<14]) == magic {
            return "this is PyTorch's legacy serialization format (torch < 1.6, or _use_new_zipfile_serialization=False), which AugLab does not read; re-save it with torch.save(torch.load(path), path) in a current PyTorch, or convert it to safetensors"
        }
        if file.count > 262 {
            let ustar = file.withBytes(in: 257..<262) { Array($0) }
            if ustar == Array("ustar".utf8) {
                return "this is PyTorch's oldest (tar) serialization format, which AugLab does not read; re-save it with a current PyTorch"
            }
        }
        return nil
    }
}
