import ArgumentParser
import CLIP
import Encoders
import Foundation

/// `--model SPEC` and how embeddings are computed and cached: shared by the commands that embed.
struct EncoderOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The encoder: NAME=PATH, a PATH (a model folder in Hugging Face, open_clip hub or open_clip config layout; a weight file; an embeddings index .json; an auglab embed output), or a control encoder: pixels, pixels-mirror, histogram.",
        valueName: "SPEC"))
    var model: String

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp(
        "Embedding cache folder (default: $AUGLAB_CACHE_DIR, else $XDG_CACHE_HOME/auglab, else ~/.cache/auglab).", valueName: "DIR"))
    var cacheDirectory: String?

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the embedding cache.")
    var noCache = false

    @Option(name: .long, help: ArgumentHelp("Threads for the encoders (default: all processors).", valueName: "N"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if noCache, cacheDirectory != nil { throw ValidationError("--no-cache and --cache-dir contradict each other; give one") }
        if let cacheDirectory, cacheDirectory.isEmpty { throw ValidationError("--cache-dir needs a folder") }
    }

    /// The embedding cache to use, or nil with `--no-cache` (or when no folder can be determined).
    var cache: EmbeddingCache? {
        guard !noCache else { return nil }
        return (cacheDirectory ?? EmbeddingCache.defaultDirectory()).map { EmbeddingCache(directory: $0) }
    }

    /// Thread settings for the towers.
    var compute: ComputeOptions {
        threads.map { ComputeOptions(threads: $0) } ?? .automatic
    }

    /// The encoder `--model` names, with the cache in front where it applies.
    func resolve() throws -> ResolvedEncoder {
        try EncoderSpec(parsing: model).resolve(EncoderResolveOptions(compute: compute, cache: cache))
    }
}
