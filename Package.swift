// swift-tools-version:6.0
import PackageDescription

// Release builds on Linux link the Swift runtime and Foundation statically into a
// position-dependent `wukongc`: `check` of a keystroke-sized file is mostly process start-up,
// and loading a dozen shared libraries and relocating a PIE cost most of it. Every module is
// compiled with `-static-stdlib` too, so it asks the linker for the static libraries' own
// dependencies (what `swift build --static-swift-stdlib` does, without having to say so).
let staticRelease: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]

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
        .target(name: "WukongDiagnostics", swiftSettings: staticRelease),
        .target(name: "WukongNet", swiftSettings: staticRelease),
        .target(name: "WukongSyntax", dependencies: ["WukongDiagnostics", "WukongNet"], swiftSettings: staticRelease),
        .target(name: "WukongSema", dependencies: ["WukongSyntax", "WukongDiagnostics", "WukongNet", "Yams"], swiftSettings: staticRelease),
        .target(name: "WukongFormat", dependencies: ["WukongSyntax", "WukongDiagnostics"], swiftSettings: staticRelease),
        .target(name: "WukongIR", dependencies: ["WukongSema", "WukongDiagnostics", "WukongNet"], swiftSettings: staticRelease),
        .target(name: "WukongKubernetes", dependencies: ["WukongIR", "WukongNet", "Yams"], swiftSettings: staticRelease),
        .target(name: "WukongApply", dependencies: ["WukongKubernetes", "CCurl", "Yams"], swiftSettings: staticRelease),
        .target(name: "WukongCompiler", dependencies: ["WukongDiagnostics", "WukongSyntax", "WukongSema",
                                                       "WukongIR", "WukongKubernetes", "WukongApply", "WukongFormat"],
                swiftSettings: staticRelease),
        .target(name: "WukongLanguageServer", dependencies: ["WukongCompiler", "WukongFormat", "WukongSyntax", "WukongDiagnostics",
                                                             "WukongSema", "WukongIR"],
                swiftSettings: staticRelease),
        .executableTarget(name: "wukongc", dependencies: [
            "WukongCompiler", "WukongLanguageServer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: staticRelease,
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"],
                                          .when(platforms: [.linux], configuration: .release))]),
        .testTarget(name: "WukongNetTests", dependencies: ["WukongNet"]),
        .testTarget(name: "WukongSyntaxTests", dependencies: ["WukongSyntax", "WukongCompiler"]),
        .testTarget(name: "WukongSemaTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongCompilerTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongLanguageServerTests", dependencies: ["WukongLanguageServer", "WukongCompiler"]),
        .testTarget(name: "WukongFormatTests", dependencies: ["WukongFormat", "WukongCompiler"]),
        .testTarget(name: "WukongIRTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongKubernetesTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongApplyTests", dependencies: ["WukongApply", "WukongCompiler"]),
    ]
)
