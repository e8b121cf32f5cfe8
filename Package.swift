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

        // MARK: Libraries
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"]),
        .target(name: "Imaging", dependencies: ["CImageCodecs", "CCrypto"], swiftSettings: numericSettings),
        .target(name: "Sweeps", dependencies: ["Imaging", .product(name: "Yams", package: "Yams")]),
        .target(name: "CTensorKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "Tensors", dependencies: ["CBLAS", "CTensorKernels"], swiftSettings: numericSettings),
        .target(name: "CLIP", dependencies: ["Tensors", "Imaging"], resources: [.copy("Resources/bpe_simple_vocab_16e6.txt.gz")], swiftSettings: numericSettings),
        .target(name: "Encoders", dependencies: ["CLIP", "Imaging", "Tensors"], swiftSettings: numericSettings),
        .target(name: "Analysis", dependencies: ["Tensors"], swiftSettings: numericSettings),
        .target(name: "Reports", dependencies: ["Imaging", "Analysis"]),
        .target(name: "AugLabTestSupport", dependencies: ["Imaging", "Tensors"], path: "Sources/AugLabTestSupport"),

        // MARK: Command line
        .executableTarget(
            name: "auglab",
            dependencies: [
                "Imaging", "Sweeps", "Tensors", "CLIP", "Encoders", "Analysis", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Benchmarks (release builds; not part of `swift test`)
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(name: "EncoderBenchmarks", dependencies: ["CLIP", "Tensors", "BenchmarkSupport"],
                          path: "Benchmarks/EncoderBenchmarks", swiftSettings: numericSettings),

        // MARK: Tests (Swift Testing; mirror the targets)
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "AugLabTestSupport"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "AugLabTestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "AugLabTestSupport"]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "AugLabTestSupport"]),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "AugLabTestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "AugLabTestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "AugLabTestSupport"]),
        .testTarget(name: "auglabTests", dependencies: ["auglab", "AugLabTestSupport"]),
    ]
)
