import ArgumentParser
import Sweeps

/// `auglab presets list|show`: the bundled sweep presets.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the bundled sweep presets or show one.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    /// `auglab presets list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bundled presets: name and description.")

        func run() throws {
            let presets: [Preset]
            do throws(SweepError) {
                presets = try PresetLibrary.allBundled()
            } catch {
                throw CLIError(error)
            }
            let width = presets.map(\.name.count).max() ?? 0
            for preset in presets {
                let padding = String(repeating: " ", count: width - preset.name.count)
                print("\(preset.name)\(padding)  \(preset.description)")
            }
        }
    }

    /// `auglab presets show NAME|PATH`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a preset: its YAML and the expanded parameter values with their units.")

        @Argument(help: ArgumentHelp("A bundled preset's name or a preset YAML file's path.", valueName: "name|path"))
        var preset: String

        func run() throws {
            let preset: Preset
            do throws(SweepError) {
                preset = try PresetLibrary.resolve(self.preset)
            } catch {
                throw CLIError(error)
            }
            print(PresetDescription.text(of: preset), terminator: "")
        }
    }
}

/// The text `presets show` prints.
enum PresetDescription {
    /// The file, the YAML, then per axis the operation, count, unit and every value.
    static func text(of preset: Preset) -> String {
        var text = "# \(preset.name) (\(preset.path))\n"
        text += preset.yaml.hasSuffix("\n") ? preset.yaml : preset.yaml + "\n"
        let definition = preset.definition
        text += "\n# expanded: \(definition.count) variants"
        if definition.axes.count == 2 {
            text += " (\(definition.axes[0].count) × \(definition.axes[1].count), row-major: the second axis varies fastest)"
        }
        text += "\n"
        for (number, sweep) in definition.axes.enumerated() {
            let axis = sweep.axis
            let label = definition.axes.count == 2 ? "axis \(number + 1): " : ""
            text += "# \(label)\(axis.operation), \(axis.values.count) values in \(axis.unit) (\(axis.kind.rawValue))\n"
            text += axis.values.map(\.description).joined(separator: ", ") + "\n"
        }
        return text
    }
}
