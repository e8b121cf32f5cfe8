import ArgumentParser
import CLIP
import Encoders
import Foundation

/// `auglab models`: information about models.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Information about models.",
        subcommands: [ModelsInspectCommand.self])
}

/// `auglab models inspect PATH`: what a model is, without running it.
struct ModelsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's architecture, parameter count, dtypes, embedding size, logit scale and input size.",
        discussion: """
            PATH is a model folder (Hugging Face, open_clip hub or open_clip config layout) or a single weight file (.safetensors, .pt, .bin, TorchScript). Any other --model SPEC (a control encoder, precomputed embeddings) shows its encoder description instead.
            """)

    @Argument(help: ArgumentHelp("The model folder or weight file.", valueName: "PATH"))
    var path: String

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false

    func run() throws {
        let spec = try EncoderSpec(parsing: path)
        if case .path(let file) = spec.source, try !EncoderSpec.holdsPrecomputedEmbeddings(atPath: file) {
            let summary = try ModelSummary(ModelLoader.load(file))
            print(json ? try Self.jsonText(summary) : summary.text)
            return
        }
        let descriptor = try spec.resolve().descriptor
        print(json ? try Self.jsonText(descriptor) : descriptor.text)
    }

    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
