// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Wukong",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "WukongCompiler", targets: ["WukongCompiler"]),
        .executable(name: "wukongc", targets: ["wukongc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // libcurl's header only: the library is opened on first use (Sources/CCurl/shim.h),
        // so commands that never talk HTTP do not load it. Header: libcurl4-openssl-dev.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(name: "WukongDiagnostics"),
        .target(name: "WukongNet"),
        .target(name: "WukongSyntax", dependencies: ["WukongDiagnostics", "WukongNet"]),
        .target(name: "WukongSema", dependencies: ["WukongSyntax", "WukongDiagnostics", "WukongNet", "Yams"]),
        .target(name: "WukongIR", dependencies: ["WukongSema", "WukongDiagnostics", "WukongNet"]),
        .target(name: "WukongKubernetes", dependencies: ["WukongIR", "WukongNet", "Yams"]),
        .target(name: "WukongApply", dependencies: ["WukongKubernetes", "CCurl", "Yams"]),
        .target(name: "WukongCompiler", dependencies: ["WukongDiagnostics", "WukongSyntax", "WukongSema",
                                                       "WukongIR", "WukongKubernetes", "WukongApply"]),
        .executableTarget(name: "wukongc", dependencies: [
            "WukongCompiler", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "WukongNetTests", dependencies: ["WukongNet"]),
        .testTarget(name: "WukongSyntaxTests", dependencies: ["WukongSyntax", "WukongCompiler"]),
        .testTarget(name: "WukongSemaTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongCompilerTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongIRTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongKubernetesTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongApplyTests", dependencies: ["WukongApply", "WukongCompiler"]),
    ]
)
