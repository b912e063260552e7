import WukongDiagnostics

/// The network, VM and Kubernetes-naming checks of LANGUAGE.md §6 over a checked program
/// (everything except names/types/assert, which evaluation reports).
public enum TopologyChecks {
    public static func check(_ program: CheckedProgram) -> [Diagnostic] {
        // TODO(sema-checks)
        return []
    }
}
