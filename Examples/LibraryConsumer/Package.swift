// swift-tools-version:6.0
import PackageDescription

/// A package that uses ZOTune as a library: trains MeZO on a model and a task through `FineTune`,
/// with no command line in between. `scripts/test` builds it (debug and release) and runs it.
let package = Package(
    name: "LibraryConsumer",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "ZOTune", path: "../..")],
    targets: [
        .executableTarget(
            name: "TuneTinyModel",
            dependencies: [
                .product(name: "ZOTraining", package: "ZOTune"),
                .product(name: "ZOEstimators", package: "ZOTune"),
            ]),
    ]
)
