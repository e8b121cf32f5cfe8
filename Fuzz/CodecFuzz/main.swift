// Fuzz harness of AugLab's PNG/JPEG decoders (libFuzzer), and a replayer of saved inputs.
//
// Fuzzing build (instruments the Swift code and the C shim; libpng/libjpeg are system libraries):
//   swift build -c debug --scratch-path .build-fuzz --product CodecFuzz -Xswiftc -DFUZZING \
//     -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
//   .build-fuzz/debug/CodecFuzz -max_total_time=60 -max_len=65536 -rss_limit_mb=2048 CORPUS_DIR...
// Plain build (`swift build`): `CodecFuzz FILE_OR_FOLDER...` replays the inputs through the same
// checks, e.g. the shared decoder corpora or a crash file libFuzzer saved.
//
// Each input is decoded strictly and leniently (4-megapixel cap). A decoded image must survive
// a PNG round trip unchanged, a JPEG round trip at its size, and all eight exact transforms
// with their inverses; a broken invariant aborts, which is how a fuzzer reports a finding.
import Foundation
import Imaging
#if FUZZING
import CLibFuzzer
#endif

/// Stops the process with a message: a fuzzing finding (never reached on a correct decoder).
func finding(_ message: String) -> Never {
    FileHandle.standardError.write(Data("CodecFuzz finding: \(message)\n".utf8))
    abort()
}

/// Runs every check on one input; returns whether any decode succeeded.
@discardableResult
func exercise(_ bytes: [UInt8]) -> Bool {
    _ = EXIFOrientation.read(fromJPEG: bytes)
    var decodedAny = false
    for strict in [true, false] {
        let options = DecodeOptions(maxPixels: 4_000_000, strict: strict)
        guard let decoded = try? ImageDecoder.decode(data: bytes, options: options) else { continue }
        decodedAny = true
        let image = decoded.image
        guard image.pixels.count == image.width * image.height * 3 else { finding("pixel count does not match the size") }
        do {
            let png = try PNGCodec.encode(image, compressionLevel: 1)
            guard try PNGCodec.decode(png).image == image else { finding("PNG round trip changed the pixels") }
            if image.width <= 65500, image.height <= 65500 {
                let jpeg = try JPEGCodec.reencode(image, quality: 75)
                guard jpeg.width == image.width, jpeg.height == image.height else { finding("JPEG round trip changed the size") }
            }
        } catch {
            finding("re-encoding a decoded image failed: \(error)")
        }
        if image.pixels.count <= 1 << 20 {
            for transform in DihedralTransform.allCases
            where image.transformed(by: transform).transformed(by: transform.inverse) != image {
                finding("\(transform) followed by its inverse is not the identity")
            }
        }
    }
    return decodedAny
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    exercise(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
var arguments = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argumentValues) { data, size in fuzzOneInput(data, size) })
#else
/// Every regular file named, or inside a named folder (recursively), sorted.
func inputFiles(_ paths: [String]) -> [String] {
    var files: [String] = []
    for path in paths {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            FileHandle.standardError.write(Data("CodecFuzz: no such file or folder: \(path)\n".utf8))
            exit(2)
        }
        if !isFolder.boolValue {
            files.append(path)
            continue
        }
        let walker = FileManager.default.enumerator(atPath: path)
        while let relative = walker?.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(relative)
            var inner: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &inner), !inner.boolValue { files.append(full) }
        }
    }
    return files.sorted()
}

let paths = Array(CommandLine.arguments.dropFirst())
guard !paths.isEmpty else {
    print("usage: CodecFuzz FILE_OR_FOLDER...  (replays inputs; build with -DFUZZING to fuzz)")
    exit(2)
}
var decodedCount = 0
let files = inputFiles(paths)
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else { continue }
    if exercise([UInt8](data)) { decodedCount += 1 }
}
print("CodecFuzz: replayed \(files.count) inputs, \(decodedCount) decoded, \(files.count - decodedCount) refused, no findings")
#endif
