import ArgumentParser
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongIR
import WukongKubernetes

enum BuildFormat: String, ExpressibleByArgument, CaseIterable { case yaml, json }
enum EmitKind: String, ExpressibleByArgument, CaseIterable { case objects, ir }

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a topology and emit its Kubernetes objects (or the resolved IR).")

    @Argument(help: "A topology file or directory.") var path: String
    @Option(name: .shortAndLong, help: "Write one file per object plus kustomization.yaml into DIR (replaced atomically).")
    var output: String?
    @Option(help: "Output format: yaml or json.") var format: BuildFormat = .yaml
    @Option(help: "What to emit: objects or ir (the resolved IR as JSON).") var emit: EmitKind = .objects
    @Option(name: .customLong("diagnostics-format"), help: "Diagnostic format: human, json or gnu.")
    var diagnosticsFormat: DiagnosticFormat = .human
    @Flag(help: "Fail unless the topology declares its name (`topology NAME`) instead of taking its directory's (the Argo CD plugin passes it: it renders in a randomly named directory).")
    var requireTopologyName = false

    func validate() throws {
        if output != nil && format == .json && emit == .objects {
            throw ValidationError("-o writes one YAML file per object for kustomize; --format json applies to standard output only")
        }
    }

    func run() throws {
        let c = try Output.compile(path, requireTopologyName: requireTopologyName)
        let (errors, warnings) = Output.report(c, format: diagnosticsFormat, toStdout: false,
                                                   listAll: "--diagnostics-format json")
        guard errors == 0, let topology = c.topology else {
            if diagnosticsFormat == .human, let s = Output.summary(path: path, errors: errors, warnings: warnings, verb: "build") {
                Output.err(s)
            }
            throw ExitCode(1)
        }
        if emit == .ir {
            let json = IRJSON.encode(topology)
            if let dir = output {
                try Output.write(json, toFile: dir)
            } else { Output.out(json) }
            return
        }
        if output == nil && format == .yaml {
            // Built and streamed a batch of VMs at a time: neither the whole object tree nor the
            // whole text (270 MB at 100 000 VMs) exists at once.
            KubernetesBackend.streamYAML(for: topology) { chunk in
                var rest = chunk
                while let base = rest.baseAddress, !rest.isEmpty {
                    let n = Glibc.write(1, base, rest.count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        Output.err("error: cannot write standard output: \(String(cString: strerror(errno)))\n")
                        Foundation.exit(2)
                    }
                    rest = UnsafeRawBufferPointer(rebasing: rest[n...])
                }
            }
            Foundation.exit(0)
        }
        if let dir = output {
            do {
                let parent = URL(fileURLWithPath: dir).standardizedFileURL.deletingLastPathComponent()
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
                try OutputDirectory.write(topology, to: dir)
            } catch {
                Output.err("error: cannot write \(dir): \(error)\n")
                throw ExitCode(2)
            }
            Foundation.exit(0)
        }
        Output.out(JSONOutput.stream(KubernetesBackend.objects(for: topology)))
        // Done: leave without freeing the object graph piece by piece (output is unbuffered).
        Foundation.exit(0)
    }
}
