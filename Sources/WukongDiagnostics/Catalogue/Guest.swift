// What the guest and KubeVirt do with a VM at run time (WukongSema/Checks/GuestChecks.swift):
// V-IMAGE, V-IMAGE-TAG, N-MIGRATE, and the N-ROUTE warnings about the reply path, metrics and
// nameservers.
// Constructors: one per diagnostic, returning the whole `Diagnostic` (code, message, notes, help).

extension Explanations {
    /// `wukongc explain` entries of this area: (title, paragraph, example).
    static func guestEntry(_ c: DiagnosticCode) -> Entry? {
        switch c {
        case .image:
            return (title: "configuration the image never applies",
                    body: """
                        The VM's image has `network_config = "none"` (CirrOS): it reads no
                        cloud-init network configuration, so a static or `auto` address, an
                        `ifname`, network `routes`, a `user`, `run` or `cloud_config` would silently
                        never take effect. Use an image that applies cloud-init, or drop the
                        setting.
                        """,
                    example: """
                        vm a { …, image = images.cirros
                          nic e on lan { address = 10.0.0.5 }   // never set in the guest
                        }
                        """)
        case .imageTagWarning:
            return (title: "image not pinned",
                    body: """
                        The image reference has the tag `latest`, or neither a tag nor a digest: the
                        VM's disk changes under you at every restart. Pin a version tag or a digest
                        (`@sha256:…`).
                        """,
                    example: """
                        image = "quay.io/containerdisks/fedora:latest"
                        """)
        case .migrateWarning:
            return (title: "VM that cannot live-migrate asks for live migration",
                    body: """
                        `eviction = "live-migrate"` on a VM with a NIC KubeVirt cannot migrate (the
                        macvtap binding of a `macvlan` network): node drains would wait for a
                        migration that never happens. Use `eviction = "shutdown"`, or leave
                        `eviction` out (such a VM gets `evictionStrategy: None`).
                        """,
                    example: """
                        vm a { …, eviction = "live-migrate"
                          nic m on management   // macvlan network
                        }
                        """)
        default:
            return nil
        }
    }
}

/// Why an image reference is not pinned (V-IMAGE-TAG).
public enum ImageTagProblem: Sendable, Equatable {
    case latest
    case untagged
}

/// A setting of a VM that only cloud-init applies (V-IMAGE).
public enum CloudInitSetting: Sendable, Equatable {
    case address(nic: String)
    case ifname(nic: String)
    case routes(network: String, nic: String)
    case user(String)
    case run
    case cloudConfig

    var described: String {
        switch self {
        case .address(let nic): return "the address of NIC `\(nic)`"
        case .ifname(let nic): return "`ifname` of NIC `\(nic)`"
        case .routes(let network, let nic): return "the `routes` of network `\(network)` on NIC `\(nic)`"
        case .user(let name): return "user `\(name)`"
        case .run: return "`run`"
        case .cloudConfig: return "`cloud_config`"
        }
    }
    /// The alternative to another image.
    var drop: String {
        switch self {
        case .address: return ", or let the NIC use DHCP (drop `address`)"
        case .ifname: return ", or drop `ifname`"
        case .routes: return ""
        case .user: return ", or drop the user"
        case .run: return ", or drop `run`"
        case .cloudConfig: return ", or drop `cloud_config`"
        }
    }
}

extension Diagnostic {
    public static func imageNotPinned(_ image: String, vm: String, problem: ImageTagProblem, at span: Span) -> Diagnostic {
        let what = problem == .latest ? "uses the tag `latest`" : "has neither a tag nor a digest"
        return Diagnostic(.imageTagWarning, "image `\(image)` of VM `\(vm)` \(what)", at: span,
                          help: "pin a version tag or a digest (`…@sha256:…`): otherwise the VM changes at every restart")
    }
    /// `image`: the VM's image, which has `network_config = "none"`.
    public static func neverApplied(_ setting: CloudInitSetting, vm: String, at span: Span, image: Span) -> Diagnostic {
        Diagnostic(.image, "\(setting.described) of VM `\(vm)` would never be applied: its image does not run cloud-init",
                   at: span, notes: [DiagnosticNote("this image applies no cloud-init configuration (`network_config = \"none\"`)", at: image)],
                   help: "use an image that applies cloud-init (e.g. `images.fedora`)" + setting.drop)
    }
    /// `eviction = "live-migrate"` (at `span`) on a VM whose NIC `nic` (at `nicAt`) is on the macvlan network `network`.
    public static func cannotLiveMigrate(vm: String, nic: String, network: String, at span: Span, nicAt: Span) -> Diagnostic {
        Diagnostic(.migrateWarning, "VM `\(vm)` cannot live-migrate: NIC `\(nic)` uses the macvtap binding", at: span,
                   notes: [DiagnosticNote("network `\(network)` attaches with `macvlan` (KubeVirt's macvtap binding)", at: nicAt)],
                   help: "node drains would wait for a migration that never happens: set `eviction = \"shutdown\"`, or drop `eviction`")
    }

    static func clusterTrafficArrives(on podNic: String, at span: Span) -> DiagnosticNote {
        DiagnosticNote("cluster traffic arrives on the pod NIC `\(podNic)`", at: span)
    }
    /// The default route leaves by `nic` instead of the pod NIC `podNic` (at `podAt`), and the
    /// topology declares no `cluster_cidrs`.
    public static func defaultRouteWithoutClusterCIDRs(vm: String, nic: String, at span: Span, podNic: String, podAt: Span) -> Diagnostic {
        Diagnostic(.routeWarning,
                   "the default route of VM `\(vm)` leaves by NIC `\(nic)`, and the topology has no `cluster_cidrs`: cluster Services and DNS become unreachable",
                   at: span, notes: [clusterTrafficArrives(on: podNic, at: podAt)],
                   help: "add `cluster_cidrs = [<service CIDR>, <pod CIDR>]` to the topology (e.g. `[10.96.0.0/12, 10.244.0.0/16]`), or keep the default route on the pod NIC")
    }
    /// The default route leaves by `nic` instead of the pod NIC, and the image (at `image`) renders
    /// networkData with `networkConfig`, which has no routing policy.
    public static func replyPathWithoutPolicy(vm: String, nic: String, at span: Span, podNic: String, podAt: Span,
                                              networkConfig: String, image: Span) -> Diagnostic {
        Diagnostic(.routeWarning,
                   "the default route of VM `\(vm)` leaves by NIC `\(nic)`: replies to clients outside `cluster_cidrs` (e.g. through a NodePort) leave by it too",
                   at: span, notes: [clusterTrafficArrives(on: podNic, at: podAt),
                                     DiagnosticNote("this image renders networkData without routing policy (`network_config = \"\(networkConfig)\"`)", at: image)],
                   help: "use a netplan image (e.g. `images.ubuntu_2404`), which gets source-policy routing for the pod NIC, or keep the default route on the pod NIC")
    }
    /// The default route leaves by `nic` instead of the pod NIC, whose binding is passt (at
    /// `bindingAt`): the guest has the pod's own address, so no policy by the masquerade address applies.
    public static func replyPathWithPasst(vm: String, nic: String, at span: Span, podNic: String, podAt: Span,
                                          bindingAt: Span) -> Diagnostic {
        Diagnostic(.routeWarning,
                   "the default route of VM `\(vm)` leaves by NIC `\(nic)`, and its pod NIC `\(podNic)` uses passt: replies to Services, pods and NodePorts leave by `\(nic)` too",
                   at: span, notes: [clusterTrafficArrives(on: podNic, at: podAt),
                                     DiagnosticNote("with passt the guest has the pod's own address and gateway, unknown at compile time: no source-policy routing or `cluster_cidrs` routes can be written", at: bindingAt)],
                   help: "keep the default route on the pod NIC, or use the masquerade binding (drop `binding = \"passt\"`) with a netplan image")
    }
    /// `metric` outside what netplan accepts (an unsigned 32-bit number).
    public static func metricOutOfRange(_ metric: Int, nic: String, at span: Span) -> Diagnostic {
        Diagnostic(.route, "`metric` \(metric) of NIC `\(nic)` is outside 0–4294967295", at: span,
                   help: "route metrics are unsigned 32-bit numbers; lower metrics win")
    }
    /// The worst declared default route's `metric` leaves no room for the demoted default route
    /// that NIC `demoted` (DHCP, no `metric`) learns `demotion` below it.
    public static func metricLeavesNoRoomForDemotion(_ metric: Int, nic: String, at span: Span,
                                                     demoted: String, demotedAt: Span) -> Diagnostic {
        Diagnostic(.route, "`metric` \(metric) of NIC `\(nic)` leaves no room below it for the default route NIC `\(demoted)` learns by DHCP",
                   at: span, notes: [DiagnosticNote("its learned default route gets the metric of the declared one + 100", at: demotedAt)],
                   help: "use a metric of at most 4294967195, or set `metric` on NIC `\(demoted)`")
    }
    public static func metricWithoutRoute(nic: String, at span: Span) -> Diagnostic {
        Diagnostic(.routeWarning, "`metric` of NIC `\(nic)` has no effect: the NIC carries no route", at: span,
                   help: "drop `metric`, or give the NIC a route (`default_route = true`, or `routes` on its network)")
    }
    /// NIC `nic` gets `count` (> 3) nameservers of its family from `network`; `fourth`: the fourth of them.
    public static func tooManyNameservers(nic: String, count: Int, network: String, at span: Span, fourth: Span) -> Diagnostic {
        Diagnostic(.routeWarning, "NIC `\(nic)` gets \(count) nameservers; the guest's resolver uses the first three",
                   at: span, notes: [DiagnosticNote("the fourth nameserver of network `\(network)`", at: fourth)],
                   help: "keep at most three servers in the `dns` of network `\(network)`")
    }
}
