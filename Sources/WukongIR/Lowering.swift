import WukongDiagnostics
import WukongSema

/// Lowering: checked program → IR. Allocates `auto` addresses, derives MACs, default routes,
/// Kubernetes names, placement and the NodeNetworkConfigurationPolicy grouping. Reports what
/// only shows up here (N-POOL, collisions of derived names, K-NAME on derived names).
public enum Lowering {
    public static func lower(_ program: CheckedProgram) -> (topology: Topology, diagnostics: [Diagnostic]) {
        // TODO(lowering)
        return (Topology(name: program.topologyName.value, namespace: program.namespace?.value ?? "default"), [])
    }
}
