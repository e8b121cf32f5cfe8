#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `write(2)`, under a name that the `AtomicFile.write` method does not shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Writes files atomically: a temporary file in the same folder, then `rename(2)`.
///
/// Readers see either the old file or the complete new one, never a half-written file, and an
/// interrupted or failed write leaves nothing behind. Everything in AugLab that writes a file
/// goes through here.
public enum AtomicFile {
    /// Writes `data` to `path`, replacing any file there.
    ///
    /// - Parameters:
    ///   - data: the complete contents (`[UInt8]`, `Data`, or any `DataProtocol`).
    ///   - path: the destination; its folder must exist and be writable.
    ///   - synchronize: also `fsync` the file before the rename and the folder after it, so the
    ///     new contents survive a power cut (slower; off by default).
    /// - Throws: `.io` naming `path` and the system's reason. On failure the temporary file is
    ///   removed and any previous file at `path` is unchanged. The new file gets the default
    ///   permissions (0666 minus the umask); those of a replaced file are not kept.
    public static func write<Bytes: DataProtocol>(_ data: Bytes, toPath path: String,
                                                  synchronize: Bool = false) throws(ImagingError) {
        let folder = folderOf(path)
        let temporary = temporaryPath(for: path, in: folder)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ImagingError(.io, "cannot create a temporary file in \(folder): \(systemMessage(errno))", path: path)
        }
        var failure: String?
        for region in data.regions where failure == nil {
            failure = region.withUnsafeBytes { writeAll($0, to: descriptor) }
        }
        if failure == nil, synchronize, fsync(descriptor) != 0 {
            failure = "fsync failed: \(systemMessage(errno))"
        }
        if close(descriptor) != 0, failure == nil {
            failure = "close failed: \(systemMessage(errno))"
        }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot move the new file into place: \(systemMessage(errno))"
        }
        if let failure {
            unlink(temporary)
            throw ImagingError(.io, "write failed: \(failure)", path: path)
        }
        if synchronize { synchronizeFolder(folder) }
    }

    /// Writes the whole buffer, retrying short writes and EINTR; returns the failure, if any.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
        guard var next = bytes.baseAddress else { return nil }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return systemMessage(errno)
            }
            if written == 0 { return "the system wrote nothing" }
            next += written
            remaining -= written
        }
        return nil
    }

    /// The folder part of `path` ("." for a bare file name).
    static func folderOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// A fresh hidden name beside the destination: ".<name>.<pid>-<random>.tmp".
    static func temporaryPath(for path: String, in folder: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let prefix = folder == "/" ? "/" : folder + "/"
        return "\(prefix).\(name).\(getpid())-\(random).tmp"
    }

    /// Flushes the folder entry of a rename to disk (best effort).
    static func synchronizeFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
