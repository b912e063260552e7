import WukongDiagnostics

/// The network, VM and Kubernetes-naming checks of LANGUAGE.md §6 over a checked program
/// (everything except names/types/assert, which evaluation reports, and N-POOL / derived-MAC
/// collisions, which lowering reports while allocating).
///
/// No cascades: whatever depends on a `poisoned` part is skipped. Two conflicting declarations:
/// the error is at the later one, with a note at the earlier. One fault, one diagnostic: the
/// more specific check wins (see docs/decisions.md, "Checks"). Linear in the number of VMs/NICs
/// (dictionaries keyed by (network, address), MAC, name).
public enum TopologyChecks {
    public static func check(_ program: CheckedProgram) -> [Diagnostic] {
        var c = Checker(program)
        c.computeNetworkHosts()
        c.computeNetworkDomains()
        // node side
        c.checkNodeNics()
        c.checkVlanDecls()
        c.checkPorts()
        c.checkNodeInterfaceNames()
        c.checkBridgeHosts()
        c.checkBridgeNodeAddresses()
        // networks
        c.checkNetworkDecls()
        c.registerNodeAddresses()
        // VMs and their NICs
        c.checkMacPrefix()
        c.checkVMs()
        // usage and Kubernetes names
        c.checkUnused()
        c.checkKubernetesNames()
        return c.out
    }
}
