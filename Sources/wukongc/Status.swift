import ArgumentParser
import Foundation
import WukongApply
import WukongCompiler
import WukongIR
import WukongKubernetes

enum StatusFormat: String, ExpressibleByArgument, CaseIterable { case human, json }

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the cluster made of a topology: nmstate enactments per node, VM phases, and each NIC's MAC and address against what the guest reports.",
        discussion: "Exit status: 0 everything as planned and ready, 1 something failing, mismatched or not ready, 2 usage, compile or cluster-access errors.")

    @Argument(help: "A topology file or directory.") var path: String
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Output format: human (tables) or json (with --watch: one document per line).") var format: StatusFormat = .human
    @Flag(help: "Poll again every --interval, printing the status whenever it changes, until interrupted.") var watch = false
    @Option(help: "Time between polls with --watch (e.g. 5, 2s, 1m).") var interval: String = "5"
    @Flag(help: "Watch until everything is as planned and ready, then exit 0 (implies --watch).") var untilReady = false
    @Option(help: "With --watch: stop after this long (e.g. 10m) with the last status's exit code.") var timeout: String?

    func validate() throws {
        if (parseDuration(interval) ?? 0) <= 0 { throw ValidationError("--interval takes a positive duration such as 5 or 2s") }
        if let t = timeout, parseDuration(t) == nil { throw ValidationError("--timeout takes a duration such as 5m or 90s") }
        if timeout != nil && !watch && !untilReady { throw ValidationError("--timeout bounds a watch: add --watch or --until-ready") }
    }

    func run() throws {
        let prepared: (topology: Topology, objects: [KubeObject], client: KubeClient, cluster: ClusterConfig)
        do { prepared = try cluster.prepareTopology(path: path, verb: "read the status of") } catch let e as ExitCode {
            throw e.rawValue == 1 ? ExitCode(2) : e   // compile errors: no status to give, not "not ready"
        }
        let plan = StatusPlan(objects: prepared.objects, topology: prepared.topology)
        let reader = StatusReader(client: prepared.client)
        let watching = watch || untilReady
        let pause = parseDuration(interval) ?? 5
        let deadline = timeout.flatMap(parseDuration).map { Date().addingTimeInterval($0) }
        var last: String? = nil
        while true {
            prepared.client.resetRejection()   // a credential renewed between polls is tried again
            let result = reader.read(plan)
            let text: String, code: Int32
            switch result {
            case .success(let status):
                text = format == .json ? status.json(pretty: !watching) : status.humanText
                code = status.exitCode
            case .failure(let e):
                text = "error: cannot read the cluster: \(e)\n"
                code = 2
            }
            if text != last {
                let stamp = watching && format == .human ? "# " + ISO8601DateFormatter().string(from: Date()) + "\n" : ""
                if code == 2 { Output.err(stamp.isEmpty ? text : stamp + text) } else { Output.out(stamp + text) }
                last = text
            }
            if !watching || (untilReady && code == 0) { if code != 0 { throw ExitCode(code) }; return }
            if let deadline, Date().addingTimeInterval(pause) > deadline {
                if code != 0 { throw ExitCode(code) }
                return
            }
            Thread.sleep(forTimeInterval: pause)
        }
    }
}
