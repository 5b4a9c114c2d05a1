// swift-tools-version:6.0
import PackageDescription

// Start-up (docs/performance.md): by default the compiler makes the metadata of a generic type
// (a Set of an enum, a Dictionary of a struct) by its mangled name, and the runtime checks each
// Hashable or Equatable requirement by scanning every protocol conformance of the static binary,
// once per type: a fifth of linting a small topology. This flag calls the metadata accessors
// instead, which take the conformances the compiler already knows. Release builds only: it
// changes no behaviour, and debug builds keep their compile time.
let startUp: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release))
]

// Start-up (docs/performance.md): a release spark-gen is one static executable, so no dynamic
// loader runs before main, about a third of linting a small topology (8.7 M instructions
// became 5.8 M; 4.1-4.6 ms of CPU, 1.9-2.2 ms). Its DWARF is left out (--strip-debug), the
// symbols stay for perf: the 40 MB file cost 0.4-0.7 ms more a start. spark-gen looks up no
// user, group or host name, the glibc calls a static executable could not serve without the
// build machine's shared libraries; it spawns only git (posix_spawnp).
let staticExecutable: [LinkerSetting] = [
    .unsafeFlags(["-static-executable", "-Xlinker", "--strip-debug"], .when(configuration: .release))
]

let package = Package(
    name: "spark-gen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spark-gen", targets: ["spark-gen"]),
        .library(name: "SparkGenKit", targets: ["SparkGenKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CJansson", pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]),
        // The one system call Glibc's Swift module does not expose (renameat2).
        .target(name: "CSystem"),
        .target(name: "SparkDiagnostics", swiftSettings: startUp),
        .target(name: "SparkYAML", dependencies: ["CYAML", "SparkDiagnostics"], swiftSettings: startUp),
        .target(name: "SparkJSON", dependencies: ["CJansson"], swiftSettings: startUp),
        .target(name: "SparkSpec", dependencies: ["SparkYAML", "SparkDiagnostics"], swiftSettings: startUp),
        .target(name: "SparkPlan", dependencies: ["SparkSpec", "SparkYAML", "SparkJSON"], swiftSettings: startUp),
        .target(name: "SparkRules", dependencies: ["SparkPlan", "SparkSpec", "SparkDiagnostics"], swiftSettings: startUp),
        .target(name: "SparkEmit", dependencies: ["SparkPlan", "SparkYAML", "SparkJSON"], swiftSettings: startUp),
        .target(
            name: "SparkGenKit",
            dependencies: ["CSystem", "SparkEmit", "SparkRules", "SparkPlan", "SparkSpec", "SparkYAML", "SparkJSON", "SparkDiagnostics"],
            swiftSettings: startUp),
        .executableTarget(
            name: "spark-gen",
            dependencies: [
                "SparkGenKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: startUp,
            linkerSettings: staticExecutable),
        // Fixtures shared by the test suites; not part of any product.
        .target(name: "SparkTestSupport", dependencies: ["SparkRules", "SparkDiagnostics"], path: "Tests/SparkTestSupport"),
        .testTarget(name: "SparkYAMLTests", dependencies: ["SparkYAML"]),
        .testTarget(name: "SparkSpecTests", dependencies: ["SparkSpec", "SparkGenKit", "SparkTestSupport"]),
        .testTarget(name: "SparkEmitTests", dependencies: ["SparkEmit", "SparkPlan", "SparkGenKit", "SparkTestSupport"]),
        .testTarget(name: "SparkPlanTests", dependencies: ["SparkPlan", "SparkSpec", "SparkRules", "SparkGenKit", "SparkTestSupport"]),
        .testTarget(name: "SparkRulesTests", dependencies: ["SparkRules", "SparkGenKit", "SparkTestSupport"]),
        .testTarget(name: "SparkGenKitTests", dependencies: ["SparkGenKit", "SparkEmit", "SparkTestSupport", "CSystem"]),
    ]
)
