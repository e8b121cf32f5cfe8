// swift-tools-version:6.1
// AugLab: an augmentation robustness lab for CLIP-like models. See ../shared/DESIGN.md (mirrored in docs/DESIGN.md).
import PackageDescription

/// Numeric targets are built with optimisation even in debug builds: unoptimised Swift is
/// hundreds of times slower on these loops, which would make `swift test` impractically slow.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "AugLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "auglab", targets: ["auglab"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Sweeps", targets: ["Sweeps"]),
        .library(name: "CLIP", targets: ["CLIP"]),
        .library(name: "Encoders", targets: ["Encoders"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Lab", targets: ["Lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: System libraries (Debian packages; see scripts/install-deps.sh)
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: Libraries
        .target(name: "Diagnostics"),
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"]),
        .target(name: "CImageKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "Imaging", dependencies: ["Diagnostics", "CImageCodecs", "CImageKernels", "CCrypto"], swiftSettings: numericSettings),
        .target(name: "Sweeps", dependencies: ["Diagnostics", "Imaging", .product(name: "Yams", package: "Yams")],
                resources: [.copy("Presets")]),  // Presets/ at the root is a symlink to Sources/Sweeps/Presets
        .target(name: "CTensorKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "Tensors", dependencies: ["CBLAS", "CTensorKernels"], swiftSettings: numericSettings),
        .target(name: "CLIP", dependencies: ["Diagnostics", "Tensors", "Imaging", "CZlib"], resources: [.copy("Resources/bpe_simple_vocab_16e6.txt.gz")], swiftSettings: numericSettings),
        .target(name: "Encoders", dependencies: ["Diagnostics", "CLIP", "Imaging", "Tensors"], swiftSettings: numericSettings),
        .target(name: "Analysis", dependencies: ["Diagnostics", "Tensors"], swiftSettings: numericSettings),
        .target(name: "Reports", dependencies: ["Diagnostics", "Imaging", "Analysis"]),
        .target(name: "Lab", dependencies: ["Diagnostics", "Sweeps", "Encoders", "Analysis", "Reports", "CLIP", "Imaging", "Tensors"]),
        .target(name: "AugLabTestSupport", dependencies: ["Imaging", "Tensors"], path: "Sources/AugLabTestSupport"),

        // MARK: Command line
        .executableTarget(
            name: "auglab",
            dependencies: [
                "Imaging", "Sweeps", "Tensors", "CLIP", "Encoders", "Analysis", "Reports", "Lab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Benchmarks (release builds; not part of `swift test`)
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(name: "PreprocessBenchmark", dependencies: ["CLIP", "Imaging", "BenchmarkSupport"],
                          path: "Benchmarks/PreprocessBenchmark"),
        .executableTarget(name: "ImagingBenchmarks", dependencies: ["Imaging", "BenchmarkSupport"],
                          path: "Benchmarks/ImagingBenchmarks"),
        .executableTarget(name: "CodecBenchmarks", dependencies: ["Imaging", "BenchmarkSupport"],
                          path: "Benchmarks/CodecBenchmarks"),
        .executableTarget(name: "EncodersBenchmarks", dependencies: ["Encoders", "CLIP", "Imaging", "Tensors", "BenchmarkSupport"],
                          path: "Benchmarks/EncodersBenchmarks"),
        .executableTarget(name: "AnalysisBenchmarks",
                          dependencies: ["Analysis", "Tensors", "BenchmarkSupport", "AugLabTestSupport"],
                          path: "Benchmarks/AnalysisBenchmarks", exclude: ["numpy_cosine.py"]),

        .executableTarget(name: "RunBenchmarks",
                          dependencies: ["Lab", "Encoders", "CLIP", "Imaging", "Reports", "Sweeps", "Tensors", "BenchmarkSupport",
                                         "AugLabTestSupport"],
                          path: "Benchmarks/RunBenchmarks"),

        // MARK: Fuzzing (libFuzzer harness of the codecs; a plain build replays saved inputs)
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(name: "CodecFuzz", dependencies: ["Imaging", "CLibFuzzer"], path: "Fuzz/CodecFuzz"),
        .executableTarget(name: "EncoderBenchmarks", dependencies: ["CLIP", "Tensors", "BenchmarkSupport"],
                          path: "Benchmarks/EncoderBenchmarks", swiftSettings: numericSettings),

        // MARK: Tests (Swift Testing; mirror the targets)
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "AugLabTestSupport"],
                    exclude: ["References"], resources: [.copy("Resources")]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "AugLabTestSupport"], exclude: ["References"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "AugLabTestSupport"]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "AugLabTestSupport", "Imaging"], exclude: ["References"], resources: [.copy("Resources")]),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "AugLabTestSupport"], exclude: ["References"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "AugLabTestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "AugLabTestSupport"], exclude: ["References"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "AugLabTestSupport"]),
        .testTarget(name: "auglabTests", dependencies: ["auglab", "AugLabTestSupport"]),
    ]
)
