import ArgumentParser

/// The `auglab` command: augmentation robustness lab for CLIP-like models.
@main
struct AugLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auglab",
        abstract: "Measure how CLIP-like image-text models react to augmentations.",
        version: AugLabVersion.string,
        subcommands: [RunCommand.self, AnalyzeCommand.self, ReportCommand.self, AugmentCommand.self, PresetsCommand.self, ModelsCommand.self, EmbedCommand.self, GapCommand.self]
    )
}

/// The tool's version, recorded in every result written to disk.
enum AugLabVersion {
    static let string = "0.1.0"
}
