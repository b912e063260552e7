// swift-tools-version:5.4
import PackageDescription
import Foundation

// libFuzzer targets for wukongc (issue #13). A package of its own: `-sanitize=fuzzer` brings
// libFuzzer's `main`, which clashes with the compiler's executable target, so these are built one
// `--product` at a time by scripts/fuzz:
//   swift build -c release --product fuzz-check -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// The project is a dependency by path; its identity is the name of its directory. Tools version
// 5.4: from 5.5 on, SwiftPM renames an executable's `main` (to test it) and links `main` to
// the renamed symbol, which libFuzzer's `main` cannot satisfy.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let project = root.lastPathComponent.lowercased()

let fuzzTargets: [(product: String, target: String, uses: [String])] = [
    ("fuzz-parse", "FuzzParse", ["WukongCompiler"]),
    ("fuzz-check", "FuzzCheck", ["WukongCompiler"]),
    ("fuzz-build", "FuzzBuild", ["WukongCompiler"]),
    ("fuzz-fmt", "FuzzFormat", ["WukongCompiler"]),
    ("fuzz-lsp", "FuzzLSP", ["WukongCompiler", "WukongLanguageServer"]),
]

let package = Package(
    name: "WukongFuzz",
    products: fuzzTargets.map { .executable(name: $0.product, targets: [$0.target]) },
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "WukongCompiler", package: project)]),
    ] + fuzzTargets.map { t in
        .executableTarget(name: t.target, dependencies: ["FuzzSupport"] + t.uses.map { .product(name: $0, package: project) })
    }
)
