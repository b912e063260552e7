// swift-tools-version:6.0
import PackageDescription

// No unsafe flags: a package that has them cannot be depended on at a version. The static,
// position-dependent release `wukongc` is linked by scripts/release (see docs/performance.md).

let package = Package(
    name: "Wukong",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "WukongCompiler", targets: ["WukongCompiler"]),
        // The server behind `wukongc lsp`, for tools that embed it (and the LSP fuzz target).
        .library(name: "WukongLanguageServer", targets: ["WukongLanguageServer"]),
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
        // The one concurrency helper (fork-join on threads, chunked map, ordered pipeline).
        .target(name: "WukongParallel"),
        .target(name: "WukongDiagnostics"),
        .target(name: "WukongNet"),
        .target(name: "WukongSyntax", dependencies: ["WukongDiagnostics", "WukongNet", "WukongParallel"]),
        .target(name: "WukongSema", dependencies: ["WukongSyntax", "WukongDiagnostics", "WukongNet", "WukongParallel", "Yams"]),
        .target(name: "WukongFormat", dependencies: ["WukongSyntax", "WukongDiagnostics"]),
        .target(name: "WukongIR", dependencies: ["WukongSema", "WukongDiagnostics", "WukongNet", "WukongParallel"]),
        .target(name: "WukongKubernetes", dependencies: ["WukongIR", "WukongNet", "WukongParallel", "Yams"]),
        .target(name: "WukongApply", dependencies: ["WukongKubernetes", "WukongIR", "WukongNet", "WukongParallel", "CCurl", "Yams"]),
        // `wukongc graph`: the IR as a DOT/Mermaid picture; `check --graph` pins diagnostics on it
        // by the checked program's declaration spans.
        .target(name: "WukongGraph", dependencies: ["WukongIR", "WukongSema", "WukongDiagnostics", "WukongNet"]),
        // `wukongc import`: Kubernetes YAML to a `.wk` topology (docs/import.md).
        .target(name: "WukongImport", dependencies: ["WukongDiagnostics", "WukongSyntax", "WukongSema", "WukongNet", "WukongFormat", "WukongParallel", "Yams"]),
        .target(name: "WukongCompiler", dependencies: ["WukongDiagnostics", "WukongSyntax", "WukongSema",
                                                       "WukongIR", "WukongKubernetes", "WukongApply", "WukongFormat",
                                                       "WukongParallel", "WukongGraph", "WukongImport"]),
        .target(name: "WukongLanguageServer", dependencies: ["WukongCompiler", "WukongFormat", "WukongSyntax", "WukongDiagnostics",
                                                             "WukongSema", "WukongIR"]),
        .executableTarget(name: "wukongc", dependencies: [
            "WukongCompiler", "WukongLanguageServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "WukongNetTests", dependencies: ["WukongNet"]),
        .testTarget(name: "WukongSyntaxTests", dependencies: ["WukongSyntax", "WukongCompiler", "WukongParallel"]),
        .testTarget(name: "WukongSemaTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongCompilerTests", dependencies: ["WukongCompiler"]),
        .testTarget(name: "WukongLanguageServerTests", dependencies: ["WukongLanguageServer", "WukongCompiler"]),
        .testTarget(name: "WukongFormatTests", dependencies: ["WukongFormat", "WukongCompiler"]),
        .testTarget(name: "WukongIRTests", dependencies: ["WukongCompiler", "WukongParallel"]),
        .testTarget(name: "WukongKubernetesTests", dependencies: ["WukongCompiler", "WukongParallel"]),
        .testTarget(name: "WukongApplyTests", dependencies: ["WukongApply", "WukongCompiler"]),
        .testTarget(name: "WukongGraphTests", dependencies: ["WukongGraph", "WukongCompiler"]),
        .testTarget(name: "WukongImportTests", dependencies: ["WukongImport", "WukongCompiler", "WukongKubernetes"]),
    ]
)
