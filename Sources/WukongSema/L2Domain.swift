/// Layer-2 domains (LANGUAGE.md §5.6, N-DUP-IP): networks on one bridge with one VLAN tag (or
/// none), or macvlan networks on one link, share one address space. The key is the same for the
/// topology checks, the evaluator's `auto` allocation and lowering's, so all three agree.
public enum L2Domain {
    /// A Linux or OVS bridge with a VLAN tag (nil = untagged).
    public static func bridge(_ name: String, vlan: Int?) -> String { "bridge:\(name)#\(vlan ?? 0)" }
    /// A macvlan network's node link (`kind` is the link's kind: nic, vlan, bond).
    public static func link(kind: String, name: String) -> String { "link:\(kind):\(name)" }
    /// A network that shares its address space with no other (SR-IOV, or no usable attachment).
    public static func own(network: String) -> String { "network:\(network)" }

    /// The domain of a network with this attachment (nil: none or several) and VLAN tag.
    public static func key(_ attachment: AttachmentUse?, vlan: Int?, network: String) -> String {
        switch attachment {
        // a localnet network shares the wire of its OVS bridge (same VLAN = same domain)
        case .bridge(let b)?, .ovs(let b)?, .localnet(let b)?: return bridge(b, vlan: vlan)
        case .macvlan(let l)?: return link(kind: l.kind.rawValue, name: l.name)
        default: return own(network: network)
        }
    }
}
