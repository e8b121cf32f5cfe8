import AugLabTestSupport
import Foundation
import Testing
@testable import Imaging

/// Atomic writes: the complete file or nothing, and never a stray temporary file.
@Suite struct AtomicFileTests {
    func listing(_ folder: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
    }

    @Test func writesBytesAndData() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let bytes = TestBytes.random(count: 100_000, seed: 1)
        try AtomicFile.write(bytes, toPath: folder.path("a.bin"))
        try AtomicFile.write(Data(bytes.prefix(10)), toPath: folder.path("b.bin"), synchronize: true)
        try AtomicFile.write([UInt8](), toPath: folder.path("empty.bin"))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("a.bin")) == Data(bytes))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("b.bin")) == Data(bytes.prefix(10)))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("empty.bin")).isEmpty)
        #expect(try listing(folder) == ["a.bin", "b.bin", "empty.bin"])
    }

    @Test func replacesAnExistingFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("x.txt")
        try AtomicFile.write(Array("first version, longer".utf8), toPath: path)
        try AtomicFile.write(Array("second".utf8), toPath: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try listing(folder) == ["x.txt"])
    }

    @Test func writesNonContiguousData() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // DispatchData with two regions exercises the per-region loop.
        let first = Array("hello ".utf8), second = Array("world".utf8)
        var data = DispatchData.empty
        first.withUnsafeBytes { data.append($0) }
        second.withUnsafeBytes { data.append($0) }
        #expect(data.regions.count == 2)
        try AtomicFile.write(data, toPath: folder.path("r.txt"))
        #expect(try String(contentsOfFile: folder.path("r.txt"), encoding: .utf8) == "hello world")
    }

    @Test func relativePathsWriteIntoTheWorkingFolder() throws {
        #expect(AtomicFile.folderOf("name.png") == ".")
        #expect(AtomicFile.folderOf("/name.png") == "/")
        #expect(AtomicFile.folderOf("runs/demo/name.png") == "runs/demo")
        let temporary = AtomicFile.temporaryPath(for: "runs/demo/name.png", in: "runs/demo")
        #expect(temporary.hasPrefix("runs/demo/.name.png.") && temporary.hasSuffix(".tmp"))
    }

    @Test func missingFolderFailsWithTheReason() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("no/such/dir/out.png")
        let error = #expect(throws: ImagingError.self) { try AtomicFile.write([1, 2, 3], toPath: path) }
        #expect(error?.code == .io)
        #expect(error?.path == path)
        #expect(error?.description.contains("No such file or directory") == true, "\(String(describing: error))")
        #expect(try listing(folder).isEmpty)
    }

    @Test func failedRenameLeavesNothingBehindAndKeepsTheOldEntry() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // The destination is a non-empty folder: rename(2) fails after the temporary file is written.
        let path = folder.path("taken")
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        let error = #expect(throws: ImagingError.self) { try AtomicFile.write([UInt8](repeating: 7, count: 4096), toPath: path) }
        #expect(error?.code == .io)
        #expect(error?.description.contains("cannot move the new file into place") == true, "\(String(describing: error))")
        #expect(try listing(folder) == ["taken"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["inside"])
    }
}
