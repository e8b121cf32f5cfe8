import Foundation

/// An output folder built under a temporary name beside its destination and renamed into
/// place at the end, so an interrupted or failed run never leaves a half-written folder that
/// looks whole.
///
/// The staging folder is `<parent>/.<name>.partial-<pid>-<random>`. `commit()` renames it to the
/// destination; when replacing an existing folder, the old one is first renamed aside and
/// removed after the new one is in place. `discard()` removes the staging folder and any
/// parent folders this value created. A leftover `.partial-` folder (after a crash or `kill
/// -9`) is safe to delete.
public final class StagedDirectory: Sendable {
    /// The final folder.
    public let destination: String
    /// The temporary folder being filled.
    public let stagingPath: String
    /// Whether an existing destination will be replaced.
    public let replaceExisting: Bool
    /// Parent folders created for the destination (deepest last), removed again by `discard()`.
    let createdParents: [String]

    /// Checks the destination and creates the staging folder (and missing parents).
    ///
    /// - Parameters:
    ///   - destination: the output folder to produce.
    ///   - replaceExisting: allow replacing an existing folder (`--force`); without it an
    ///     existing destination is an error and nothing is created.
    /// - Throws: `SweepError.io` naming the destination when it exists (without
    ///   `replaceExisting`), is a file, or when folders cannot be created.
    public init(destination: String, replaceExisting: Bool) throws(SweepError) {
        let manager = FileManager.default
        let trimmed = destination.count > 1 && destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: trimmed, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SweepError(.io, "exists and is not a folder; choose another output folder", path: trimmed)
            }
            guard replaceExisting else {
                throw SweepError(.io, "output folder already exists; choose another --out or pass --force to replace it",
                                 path: trimmed)
            }
        }
        let url = URL(fileURLWithPath: trimmed)
        let name = url.lastPathComponent
        guard !name.isEmpty, name != ".", name != "..", name != "/" else {
            throw SweepError(.io, "is not a usable output folder name", path: destination)
        }
        // Create missing parents, remembering them so a failed run can remove them again.
        var missing: [String] = []
        var parent = url.deletingLastPathComponent()
        while !manager.fileExists(atPath: parent.path), parent.path != "/" {
            missing.append(parent.path)
            parent = parent.deletingLastPathComponent()
        }
        var created: [String] = []
        for folder in missing.reversed() {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: false)
                created.append(folder)
            } catch {
                Self.remove(parents: created)
                throw SweepError(.io, "cannot create the folder: \(Self.reason(error))", path: folder)
            }
        }
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".\(name).partial-\(ProcessInfo.processInfo.processIdentifier)-\(random)").path
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            Self.remove(parents: created)
            throw SweepError(.io, "cannot create a temporary folder beside the output: \(Self.reason(error))", path: trimmed)
        }
        self.destination = trimmed
        self.stagingPath = staging
        self.replaceExisting = replaceExisting
        self.createdParents = created
    }

    /// A path inside the staging folder.
    public func path(_ relative: String) -> String { stagingPath + "/" + relative }

    /// Creates a folder inside the staging folder.
    public func createFolder(_ relative: String) throws(SweepError) {
        do {
            try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
        } catch {
            throw SweepError(.io, "cannot create the folder: \(Self.reason(error))", path: path(relative))
        }
    }

    /// Moves the finished folder into place.
    ///
    /// - Throws: `SweepError.io` naming the destination when the rename fails (e.g. the
    ///   destination appeared meanwhile); the staging folder is then left for `discard()`.
    public func commit() throws(SweepError) {
        let manager = FileManager.default
        var aside: String?
        if replaceExisting, manager.fileExists(atPath: destination) {
            let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let old = URL(fileURLWithPath: destination).deletingLastPathComponent().appendingPathComponent(
                ".\(URL(fileURLWithPath: destination).lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)-\(random)").path
            guard rename(destination, old) == 0 else {
                throw SweepError(.io, "cannot move the existing folder aside: \(Self.systemReason())", path: destination)
            }
            aside = old
        }
        guard rename(stagingPath, destination) == 0 else {
            let reason = Self.systemReason()
            if let aside { _ = rename(aside, destination) }
            throw SweepError(.io, "cannot move the new folder into place: \(reason)", path: destination)
        }
        if let aside { try? manager.removeItem(atPath: aside) }
    }

    /// Removes the staging folder and the parent folders created for the destination (if
    /// still empty). Safe to call more than once and after `commit()` (it then removes nothing
    /// that was committed).
    public func discard() {
        try? FileManager.default.removeItem(atPath: stagingPath)
        Self.remove(parents: createdParents)
    }

    /// Removes the given folders deepest first, each only if empty.
    static func remove(parents: [String]) {
        for folder in parents.reversed() { _ = rmdir(folder) }
    }

    static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? error.localizedDescription
    }

    static func systemReason() -> String {
        String(cString: strerror(errno))
    }
}
