import Foundation

/// Locates test data: this package's own files and the shared reference material beside it.
public enum Fixtures {
    /// The package root (the folder holding Package.swift), found from this source file's path.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        // Sources/AugLabTestSupport/Fixtures.swift → package root
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The shared reference folder, the first of: `$AUGLAB_SHARED`; a folder named `shared` beside
    /// the package root or beside any folder above it (the layout of a checkout next to the project's
    /// reference material); `/work/shared`.
    ///
    /// It holds the decoder corpora, the CLIP fixtures with their goldens, sample images and the
    /// speed anchors. Tests that need it fail (they do not skip) when it is missing.
    public static let sharedRoot: URL = {
        if let path = ProcessInfo.processInfo.environment["AUGLAB_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let marker = "fixtures/clip/README.md"
        var folder = packageRoot
        while folder.path != "/" {
            let candidate = folder.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: "/work/shared", isDirectory: true)
        if FileManager.default.fileExists(atPath: fallback.appendingPathComponent(marker).path) { return fallback }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }()

    /// A file under the shared folder, e.g. `shared("fixtures/clip/captions.json")`.
    public static func shared(_ relativePath: String) -> URL {
        sharedRoot.appendingPathComponent(relativePath)
    }

    /// A file under the package root, e.g. `package("Images/astronaut.png")`.
    public static func package(_ relativePath: String) -> URL {
        packageRoot.appendingPathComponent(relativePath)
    }

    /// The contents of a shared file, or an error that says where the shared folder was looked for.
    public static func sharedData(_ relativePath: String) throws -> Data {
        let url = shared(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing(url.path)
        }
        return try Data(contentsOf: url)
    }
}

/// A fixture file that the tests need is not where they looked.
public enum FixtureError: Error, CustomStringConvertible {
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "fixture not found: \(path) (set AUGLAB_SHARED to the shared reference folder)"
        }
    }
}

/// A fresh temporary directory, removed when the value is released with `remove()`.
public struct TemporaryDirectory: Sendable {
    /// The directory's URL.
    public let url: URL

    /// Creates a new empty directory under the system temporary folder.
    public init(prefix: String = "auglab-test") throws {
        let name = "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Deletes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
