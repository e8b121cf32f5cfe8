import Foundation

/// Finds presets: by name among the bundled ones, or by path to a user's YAML file.
///
/// The bundled presets are the YAML files of `Presets/` (a symlink to `Sources/Sweeps/Presets`),
/// shipped as a resource of the Sweeps target: SwiftPM copies them into the
/// `AugLab_Sweeps.resources` folder beside the built `auglab` (and the test runner). They are
/// looked for, in order, in `$AUGLAB_PRESETS` (a folder of YAML files), then beside the running
/// executable (symlinks resolved) and beside `Bundle.main`. Copying the `auglab` binary elsewhere
/// means copying that folder with it (or setting `AUGLAB_PRESETS`); otherwise presets by name
/// fail with an error saying where they were looked for, and presets by path still work.
public enum PresetLibrary {
    /// The SwiftPM resource bundle of the Sweeps target (package "AugLab", target "Sweeps").
    static let resourceBundleNames = ["AugLab_Sweeps.resources", "AugLab_Sweeps.bundle/Contents/Resources",
                                      "AugLab_Sweeps.bundle"]

    /// The folder holding the bundled presets' YAML files.
    ///
    /// - Throws: `SweepError.notFound` listing the places searched.
    public static func bundledDirectory() throws(SweepError) -> URL {
        let candidates = searchPaths()
        for candidate in candidates where isDirectory(candidate) { return candidate }
        throw SweepError(.notFound,
                         "the bundled presets were not found (looked in \(candidates.map(\.path).joined(separator: ", "))); "
                         + "set AUGLAB_PRESETS to a folder of preset files or give a preset file's path")
    }

    /// The folders searched for bundled presets, in order.
    static func searchPaths() -> [URL] {
        var paths: [URL] = []
        if let override = ProcessInfo.processInfo.environment["AUGLAB_PRESETS"], !override.isEmpty {
            paths.append(URL(fileURLWithPath: override, isDirectory: true))
        }
        var folders: [URL] = []
        #if os(Linux)
        folders.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        #else
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        #endif
        folders.append(Bundle.main.bundleURL)
        for folder in folders {
            for bundle in resourceBundleNames {
                let url = folder.appendingPathComponent(bundle).appendingPathComponent("Presets", isDirectory: true)
                if !paths.contains(url) { paths.append(url) }
            }
        }
        return paths
    }

    /// The names of the bundled presets, sorted.
    public static func bundledNames() throws(SweepError) -> [String] {
        let directory = try bundledDirectory()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { Preset.name(ofFile: $0) }.sorted()
    }

    /// The bundled preset called `name`.
    ///
    /// - Throws: `SweepError.notFound` naming the bundled presets when there is none of that
    ///   name; `.invalidInput` if the file does not validate.
    public static func bundled(named name: String) throws(SweepError) -> Preset {
        let names = try bundledNames()
        guard names.contains(name) else {
            throw SweepError(.notFound, "unknown preset '\(name)'; bundled presets: \(names.joined(separator: ", ")) "
                             + "(or give the path of a .yaml preset file)")
        }
        let file = try bundledDirectory().appendingPathComponent("\(name).yaml").path
        return try Preset.load(path: file, displayPath: "Presets/\(name).yaml", isBundled: true)
    }

    /// Every bundled preset, sorted by name.
    public static func allBundled() throws(SweepError) -> [Preset] {
        var presets: [Preset] = []
        for name in try bundledNames() { presets.append(try bundled(named: name)) }
        return presets
    }

    /// A preset by name or path: an argument ending in `.yaml` / `.yml` or containing `/` is a
    /// path to a preset file; anything else is the name of a bundled preset.
    public static func resolve(_ nameOrPath: String) throws(SweepError) -> Preset {
        if isPath(nameOrPath) { return try Preset.load(path: nameOrPath) }
        return try bundled(named: nameOrPath)
    }

    /// Whether `resolve` treats the argument as a path.
    public static func isPath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }

    static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
