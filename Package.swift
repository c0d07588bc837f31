// swift-tools-version:6.2
import PackageDescription

/// `ZOTUNE_FUZZ=1` (set by scripts/fuzz, which builds into its own `.build-fuzz`) adds the libFuzzer
/// targets under Fuzz/.
let fuzzing = Context.environment["ZOTUNE_FUZZ"] == "1"

/// No target carries compiler flags: no `-target-cpu` (the binary runs on any x86-64 and builds for
/// arm64) and no `-Ounchecked` (bounds, overflow and exclusivity checks stay on everywhere, parsers of
/// untrusted files included). The SIMD kernels live in the C target CZOKernels, compiled in generic,
/// AVX2 and AVX-512 variants and chosen at run time (Sources/CZOKernels/Dispatch.c).
let package = Package(
    name: "ZOTune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zotune", targets: ["zotune"]),
        .executable(name: "zotune-bench", targets: ["ZOTuneBench"]),
        // The library is the product: each layer can be used on its own (the CLI is one client).
        .library(name: "ZOTraining", targets: ["ZOTraining"]),
        .library(name: "ZOEstimators", targets: ["ZOEstimators"]),
        .library(name: "ZOModels", targets: ["ZOModels"]),
        .library(name: "ZOTokenizers", targets: ["ZOTokenizers"]),
        .library(name: "ZOTasks", targets: ["ZOTasks"]),
        .library(name: "ZOFormats", targets: ["ZOFormats"]),
        .library(name: "ZOTensor", targets: ["ZOTensor"]),
        .library(name: "ZORandom", targets: ["ZORandom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // OpenBLAS (CBLAS + LAPACK) everywhere but Apple platforms, where ZOTensor's BLAS.swift uses
        // Accelerate instead (written to compile, untested).
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .target(name: "CZOKernels", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // Open MPI, loaded at run time (dlopen) so that only `--distributed` needs it installed.
        .target(name: "CZOMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "ZOTensor",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux])), "CZOKernels"]),
        .target(name: "ZORandom", dependencies: ["CZOKernels"]),
        .target(name: "ZOFormats"),
        .target(name: "ZOJSON"),
        .target(name: "ZOTokenizers", dependencies: ["ZOJSON", "ZOFormats"]),
        .target(name: "ZOAssets"),
        .target(name: "ZOEstimators", dependencies: ["ZOTensor", "ZORandom"]),
        .target(name: "ZOTasks", dependencies: ["ZOAssets", "ZORandom", "ZOJSON"]),
        .target(
            name: "ZOModels", dependencies: ["ZOTensor", "ZORandom", "ZOFormats", "ZOTokenizers", "ZOAssets"]),
        .target(
            name: "ZOTraining",
            dependencies: ["ZOModels", "ZOEstimators", "ZOTasks", "ZOTokenizers", "ZOTensor", "ZORandom", "ZOFormats", "ZOAssets"]),
        // Data-parallel runs over MPI ranks (`zotune train --distributed data`).
        .target(name: "ZODistributed", dependencies: ["CZOMPI", "ZOTraining"]),
        // Options and console output shared by the two executables.
        .target(
            name: "ZOCommandLine",
            dependencies: ["ZOModels", "ZOTensor", "ZOTokenizers", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "zotune",
            dependencies: [
                "ZOCommandLine", "ZOModels", "ZOTensor", "ZORandom", "ZOFormats", "ZOTokenizers", "ZOAssets", "ZOTraining",
                "ZOEstimators", "ZOTasks", "ZODistributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Benchmarks against PyTorch (scripts/bench), not part of the shipped CLI.
        .executableTarget(
            name: "ZOTuneBench",
            dependencies: [
                "ZOCommandLine", "ZOModels", "ZOTensor", "ZORandom", "ZOTraining", "ZOEstimators", "ZOTasks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "ZOTensorTests", dependencies: ["ZOTensor", "ZORandom", "ZOFormats", "CZOKernels"]),
        .testTarget(name: "ZORandomTests", dependencies: ["ZORandom"]),
        .testTarget(name: "ZOFormatsTests", dependencies: ["ZOFormats"]),
        .testTarget(name: "ZOJSONTests", dependencies: ["ZOJSON"]),
        .testTarget(name: "ZOTokenizersTests", dependencies: ["ZOTokenizers", "ZOModels", "ZOAssets", "ZOFormats"]),
        .testTarget(name: "ZOModelsTests", dependencies: ["ZOModels", "ZOTokenizers", "ZOFormats", "ZOTensor", "ZOAssets"]),
        .testTarget(name: "ZOAssetsTests", dependencies: ["ZOAssets"]),
        .testTarget(name: "ZOEstimatorsTests", dependencies: ["ZOEstimators", "ZORandom", "ZOTensor"]),
        .testTarget(name: "ZOTasksTests", dependencies: ["ZOTasks"]),
        .testTarget(
            name: "ZOTrainingTests",
            dependencies: ["ZOTraining", "ZOModels", "ZOEstimators", "ZOTasks", "ZOFormats", "ZORandom", "ZOTensor", "ZOTokenizers"]),
        .testTarget(name: "ZOTuneCLITests", dependencies: ["zotune"]),
    ],
    swiftLanguageModes: [.v5]
)

/// One libFuzzer executable per parser of outside input (Fuzz/README.md); built only by scripts/fuzz.
if fuzzing {
    let targets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzGGUF", ["ZOFormats"]),
        ("FuzzGGUFTokenizer", ["ZOFormats", "ZOTokenizers"]),
        ("FuzzSafetensors", ["ZOFormats"]),
        ("FuzzTorchCheckpoint", ["ZOFormats"]),
        ("FuzzJSON", ["ZOJSON"]),
        ("FuzzTokenizerJSON", ["ZOTokenizers"]),
        ("FuzzSlowTokenizer", ["ZOTokenizers"]),
        ("FuzzCustomTask", ["ZOTasks"]),
        ("FuzzAdapter", ["ZOModels"]),
    ]
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/Targets/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", "ZOFormats", "ZOTokenizers"], path: "Fuzz/Targets/FuzzSupport"),
    ]
    for target in targets {
        package.targets.append(.executableTarget(
            name: target.name, dependencies: target.dependencies + ["FuzzSupport"], path: "Fuzz/Targets/\(target.name)"))
        package.products.append(.executable(name: target.name, targets: [target.name]))
    }
}
