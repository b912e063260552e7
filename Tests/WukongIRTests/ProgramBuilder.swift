import WukongDiagnostics
import WukongNet
import WukongSema
@testable import WukongIR

/// Builds `CheckedProgram` values by hand, with distinct increasing spans (file 0), so that
/// lowering can be tested independently of the parser and evaluator.
final class ProgramBuilder {
    private var offset = 0
    var program: CheckedProgram

    init(_ name: String = "lab", namespace: String? = nil) {
        program = CheckedProgram(topologyName: Located(name, Span(file: FileID(0), start: 0, end: 0)))
        if let namespace { program.namespace = loc(namespace) }
    }

    func span() -> Span {
        offset += 10
        return Span(file: FileID(0), start: offset, end: offset + 5)
    }
    func loc<T>(_ v: T) -> Located<T> { Located(v, span()) }
    func decl(_ name: String) -> DeclInfo { let s = span(); return DeclInfo(name: name, nameSpan: s, span: s) }

    func ip(_ s: String) -> IPAddress { IPAddress(s)! }
    func cidr(_ s: String) -> CIDR { CIDR.parse(s).cidr! }

    func host(_ name: String, hostname: String? = nil) {
        program.hosts.append(HostDecl(decl: decl(name), hostname: hostname.map { loc($0) }))
    }

    func nic(_ name: String, host: String? = nil, address: String? = nil, dhcp: Bool? = nil,
             gateway: String? = nil, dns: [String] = []) {
        program.nics.append(NodeNicDecl(
            decl: decl(name), host: host, address: address.map { loc(IfAddr($0)!) }, dhcp: dhcp.map { loc($0) },
            gateway: gateway.map { loc(ip($0)) }, dns: dns.map { loc(ip($0)) }))
    }

    func link(_ kind: LinkDeclKind, _ name: String) -> LinkUse { LinkUse(kind: kind, name: name, span: span()) }

    func vlan(_ name: String, on base: LinkUse, id: Int, ifname: String? = nil) {
        program.vlans.append(VlanDecl(decl: decl(name), base: base, id: loc(id), ifname: ifname.map { loc($0) }))
    }

    func bond(_ name: String, ports: [LinkUse], mode: String? = nil) {
        program.bonds.append(BondDecl(decl: decl(name), ports: ports, mode: mode.map { loc($0) }))
    }

    func bridge(_ name: String, ports: [LinkUse] = [], kind: BridgeDeclKind = .linux, hosts: [String]? = nil,
                managed: Bool? = nil, ifname: String? = nil, stp: Bool? = nil) {
        program.bridges.append(BridgeDecl(
            decl: decl(name), kind: kind, ports: ports, stp: stp.map { loc($0) }, hosts: hosts.map { $0.map { loc($0) } },
            managed: managed.map { loc($0) }, ifname: ifname.map { loc($0) }))
    }

    @discardableResult
    func network(_ name: String, _ attachment: AttachmentUse, subnet: String? = nil, gateway: String? = nil,
                 dns: [String] = [], pool: (String, String)? = nil, routes: [(String, String)] = [],
                 ipam: String? = nil, nad: String? = nil) -> Int {
        program.networks.append(NetworkDecl(
            decl: decl(name), attachments: [loc(attachment)], subnet: subnet.map { loc(cidr($0)) },
            gateway: gateway.map { loc(ip($0)) }, dns: dns.map { loc(ip($0)) },
            pool: pool.map { loc(ClosedInterval(first: ip($0.0), last: ip($0.1))) },
            routes: routes.map { RouteDecl(to: loc(cidr($0.0)), via: loc(ip($0.1)), span: span()) },
            ipam: ipam.map { loc($0) }, nad: nad.map { loc($0) }))
        return program.networks.count - 1
    }

    /// A VM NIC; `on` nil = the pod network.
    func vmNic(_ name: String, on network: String?, address: AddressSpec? = nil, mac: String? = nil,
               defaultRoute: Bool? = nil, metric: Int? = nil, ifname: String? = nil) -> VMNicDecl {
        VMNicDecl(decl: decl(name), network: loc(network.map { NicNetworkUse.network($0) } ?? .pod),
                  address: address.map { loc($0) }, mac: mac.map { loc(MACAddress($0)!) }, ifname: ifname.map { loc($0) },
                  metric: metric.map { loc($0) }, defaultRoute: defaultRoute.map { loc($0) })
    }

    func vm(_ name: String, host: String? = nil, _ nics: [VMNicDecl] = []) {
        program.vms.append(VMDecl(decl: decl(name), cpu: loc(2), memory: loc(Quantity(bytes: 4 << 30)),
                                  image: loc("quay.io/containerdisks/fedora:40"), host: host.map { loc($0) }, nics: nics))
    }

    /// Declares `vm` with its NICs built by `nics` (so their spans follow the VM's).
    func vm(_ name: String, host: String? = nil, nics: () -> [VMNicDecl]) {
        let d = decl(name)
        let built = nics()
        program.vms.append(VMDecl(decl: d, cpu: loc(2), memory: loc(Quantity(bytes: 4 << 30)),
                                  image: loc("quay.io/containerdisks/fedora:40"), host: host.map { loc($0) }, nics: built))
    }

    func lower() -> (topology: Topology, diagnostics: [Diagnostic]) { Lowering.lower(program) }
}
