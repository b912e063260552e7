import WukongGraph
import WukongIR

extension Driver {
    /// `wukongc check --graph`: the topology picture of `wukongc graph` with each diagnostic
    /// pinned on the element whose declaration holds its span (`GraphFindings`). A topology with
    /// errors has no IR, so it is lowered here for the picture only (lowering skips what does not
    /// resolve and never traps; identities are not derived: the picture shows no MACs).
    public static func checkGraph(_ c: Compilation, options: GraphOptions = GraphOptions()) -> TopologyGraph {
        let findings = GraphFindings.locate(c.diagnostics, in: c.program, sources: c.sources)
        let topology = c.topology
            ?? c.program.map { Lowering.lower($0, deriveIdentities: false).topology }
            ?? Topology(name: "", namespace: "")
        return TopologyGraph.build(topology, findings: findings, options: options)
    }
}
