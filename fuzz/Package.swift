// swift-tools-version:6.0
// The libFuzzer target over parse + validate + emit-to-memory. Kept out of the main package so
// a normal build never links a fuzzer entry point; scripts/fuzz.sh builds and runs it.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let identity = root.lastPathComponent.lowercased()

let package = Package(
    name: "spark-gen-fuzz",
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "TopologyFuzzer",
            dependencies: [.product(name: "SparkGenKit", package: identity)]),
    ]
)
