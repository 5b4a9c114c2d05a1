// swift-tools-version:6.0
import PackageDescription

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
        .target(name: "SparkDiagnostics"),
        .target(name: "SparkYAML", dependencies: ["CYAML", "SparkDiagnostics"]),
        .target(name: "SparkJSON", dependencies: ["CJansson"]),
        .target(name: "SparkSpec", dependencies: ["SparkYAML", "SparkDiagnostics"]),
        .target(name: "SparkPlan", dependencies: ["SparkSpec", "SparkYAML", "SparkJSON"]),
        .target(name: "SparkRules", dependencies: ["SparkPlan", "SparkSpec", "SparkDiagnostics"]),
        .target(name: "SparkEmit", dependencies: ["SparkPlan", "SparkYAML", "SparkJSON"]),
        .target(
            name: "SparkGenKit",
            dependencies: ["CSystem", "SparkEmit", "SparkRules", "SparkPlan", "SparkSpec", "SparkYAML", "SparkJSON", "SparkDiagnostics"]),
        .executableTarget(
            name: "spark-gen",
            dependencies: [
                "SparkGenKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
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
