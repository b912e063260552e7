import ArgumentParser
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongImport

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn Kubernetes YAML (NNCPs, NADs, VirtualMachines with cloud-init, Namespaces) into a .wk topology and check it.",
        discussion: "Writes the topology to -o FILE (or standard output), lists what could not be carried over, then reports the diagnostics of the generated file. Exit 1 when it has errors. See docs/import.md.")

    @Argument(help: "YAML files, directories of .yaml/.yml files (recursively), or `-` for standard input (e.g. `kubectl get -o yaml …`).") var paths: [String]
    @Option(name: .shortAndLong, help: "Write the topology to FILE instead of standard output.") var output: String?
    @Option(help: "Diagnostic format: human, json or gnu.") var format: DiagnosticFormat = .human

    func run() throws {
        var inputs: [ImportInput] = []
        for p in paths {
            do { inputs += try Self.load(p) } catch {
                Output.err("error: \(error)\n")
                throw ExitCode(2)
            }
        }
        let target = output ?? "<stdout>.wk"
        let name = output.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "imported"
        let outcome = Driver.importYAML(inputs, defaultName: name, path: output ?? "<import>")
        if let output {
            try Output.write(outcome.text, toFile: output)
        } else {
            Output.out(outcome.text)
        }
        for n in outcome.notes where n.isFault { Output.err("warning: imported configuration: \(n)\n") }
        for n in outcome.notes where !n.isFault { Output.err("note: not imported: \(n)\n") }
        let (errors, warnings) = Output.report(outcome.compilation, format: format, toStdout: false)
        if format == .human, let s = Output.summary(path: target, errors: errors, warnings: warnings, verb: "check") { Output.err(s) }
        if errors > 0 { throw ExitCode(1) }
    }

    /// A file, or every .yaml/.yml file under a directory, sorted by path; `-` is standard input.
    static func load(_ path: String) throws -> [ImportInput] {
        if path == "-" {
            return [ImportInput(path: "<stdin>", text: String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))]
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DriverError.io("\(path): no such file or directory")
        }
        var files = [path]
        if isDir.boolValue {
            let rels = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            files = rels.map { (path.hasSuffix("/") ? path : path + "/") + $0 }
        }
        return try files.map { f in
            guard let d = FileManager.default.contents(atPath: f) else { throw DriverError.io("\(f): cannot read file") }
            return ImportInput(path: f, text: String(decoding: d, as: UTF8.self))
        }
    }
}
