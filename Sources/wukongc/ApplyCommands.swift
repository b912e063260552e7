import ArgumentParser
import Foundation
import WukongApply
import WukongCompiler
import WukongDiagnostics
import WukongIR
import WukongKubernetes

/// Flags shared by `apply` and `diff`.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path of the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).") var kubeconfig: String?
    @Option(help: "The kubeconfig context to use (default: current-context).") var context: String?
    @Option(help: "Seconds to wait for connecting to the API server.") var connectTimeout: Double = 10
    @Option(help: "Seconds one request may take.") var requestTimeout: Double = 30

    /// Compiles the topology (errors stop here, before anything is sent) and resolves the cluster.
    func prepare(path: String, verb: String) throws -> ([KubeObject], KubeClient, ClusterConfig) {
        let p = try prepareTopology(path: path, verb: verb)
        return (p.objects, p.client, p.cluster)
    }

    /// `prepare` keeping the IR too (`status` compares the cluster with the planned addresses).
    func prepareTopology(path: String, verb: String) throws
        -> (topology: Topology, objects: [KubeObject], client: KubeClient, cluster: ClusterConfig) {
        let c = try Output.compile(path)
        let (errors, warnings) = Output.report(c, format: .human, toStdout: false)
        guard errors == 0, let topology = c.topology else {
            if let s = Output.summary(path: path, errors: errors, warnings: warnings, verb: verb) { Output.err(s) }
            throw ExitCode(1)
        }
        let objects = KubernetesBackend.objects(for: topology)
        let cluster: ClusterConfig
        do {
            cluster = try Kubeconfig.load(explicitPath: kubeconfig).resolve(context: context)
        } catch {
            Output.err("error: kubeconfig: \(error)\n")
            throw ExitCode(2)
        }
        let client = KubeClient(config: cluster,
                                http: HTTPClientOptions(connectTimeout: connectTimeout, requestTimeout: requestTimeout),
                                retry: RetryPolicy())
        return (topology, objects, client, cluster)
    }
}

/// `5m`, `90s`, `1h`, `300` (seconds).
func parseDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (u, f) in units where text.hasSuffix(u) {
        let num = text.dropLast(u.count)
        if let v = Double(num), v >= 0 { return v * f }
    }
    if let v = Double(text), v >= 0 { return v }
    return nil
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a topology and send its objects to the cluster with server-side apply.")

    @Argument(help: "A topology file or directory.") var path: String
    @OptionGroup var cluster: ClusterOptions
    @Option(name: .customLong("dry-run"), help: "`server`: send every request with dryRun=All; nothing changes.") var dryRun: String?
    @Flag(help: "After a successful apply, delete objects of this topology that are no longer generated.") var prune = false
    @Flag(help: "Wait for NodeNetworkConfigurationPolicies to be Available and VirtualMachines to be Ready.") var wait = false
    @Option(help: "Time limit for the whole run including waits (e.g. 5m, 90s).") var timeout: String = "5m"
    @Flag(help: "Take ownership of fields another field manager owns.") var forceConflicts = false
    @Flag(help: "Skip the read-only checks made before the first write (kinds served, namespaces, the KubeVirt macvtap binding, device resources on nodes).")
    var skipPreflight = false

    func validate() throws {
        if let d = dryRun, d != "server" { throw ValidationError("--dry-run takes only `server`") }
        if parseDuration(timeout) == nil { throw ValidationError("--timeout takes a duration such as 5m or 90s") }
    }

    func run() throws {
        let (objects, client, config) = try cluster.prepare(path: path, verb: "apply")
        var options = ApplyOptions()
        options.dryRun = dryRun == "server"
        options.prune = prune
        options.wait = wait
        options.timeout = parseDuration(timeout) ?? 300
        options.forceConflicts = forceConflicts
        options.defaultNamespace = config.namespace
        options.skipPreflight = skipPreflight
        let dry = options.dryRun
        let tty = isatty(1) == 1
        let report = Applier(client: client, options: options).apply(objects) { event in
            if case .progress(let done, let total) = event {
                if tty && total >= 50 {
                    let width = 30, filled = total > 0 ? done * width / total : width
                    Output.out("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
                               + (done == total ? "\r\u{1B}[K" : ""))
                }
                return
            }
            if let line = event.line(dryRun: dry) {
                if tty { Output.out("\r\u{1B}[K") }
                if case .preflightWarning = event { Output.err(line + "\n") } else { Output.out(line + "\n") }
            }
        }
        let summary = report.summary
        if report.exitCode == 0 { Output.out(summary.hasSuffix("\n") ? summary : summary + "\n") }
        else { Output.err(summary.hasSuffix("\n") ? summary : summary + "\n") }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what apply would change: server-side dry run against the live objects. Exit 0 no change, 1 changes, 2 error.")

    @Argument(help: "A topology file or directory.") var path: String
    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        let prepared: ([KubeObject], KubeClient, ClusterConfig)
        do { prepared = try cluster.prepare(path: path, verb: "diff") } catch let e as ExitCode {
            throw e.rawValue == 1 ? ExitCode(2) : e   // compile errors are errors, not "changes"
        }
        var options = ApplyOptions()
        options.defaultNamespace = prepared.2.namespace
        let report = Applier(client: prepared.1, options: options).diff(prepared.0)
        Output.out(report.text)
        for f in report.failures { Output.err("error: \(f)\n") }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
