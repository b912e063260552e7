// `wukongc status`: what the cluster made of a topology. Read-only: per policy the nmstate
// enactments (one per node), per VM its VirtualMachineInstance and, for every NIC, the planned
// MAC and static address against what KubeVirt and the guest agent report.
//
//     let plan = StatusPlan(objects: KubernetesBackend.objects(for: topology), topology: topology)
//     let report = StatusReader(client: client).read(plan)      // .failure: the cluster could not be read
//     print(report.humanText); exit(report.exitCode)             // 0 as planned and ready, 1 otherwise
//
// Requests: one GET per policy plus one LIST of its enactments (label `nmstate.io/policy`), and
// per namespace one paged LIST of VirtualMachines (topology label) and one of VMIs.
import Foundation
import WukongIR
import WukongKubernetes
import WukongNet

extension ResourceType {
    /// Read by `status` only. Enactments are served as nmstate.io/v1beta1 (kubernetes-nmstate
    /// api/v1beta1), named `<node>.<policy>`, labelled `nmstate.io/policy=<policy>`.
    public static let nodeNetworkConfigurationEnactment = ResourceType(
        group: "nmstate.io", version: "v1beta1", kind: "NodeNetworkConfigurationEnactment",
        plural: "nodenetworkconfigurationenactments", namespaced: false, phase: 99)
    public static let virtualMachineInstance = ResourceType(
        group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstance",
        plural: "virtualmachineinstances", namespaced: true, phase: 99)
}

// MARK: the plan (what the build says should be there)

public struct PlannedNIC: Sendable, Equatable, Codable {
    /// The KubeVirt interface name (`spec.template.spec.domain.devices.interfaces[].name`).
    public var name: String
    public var mac: String?
    /// A static address (`10.0.0.5/24`); nil for DHCP and the pod network.
    public var address: String?
    public init(name: String, mac: String?, address: String?) { self.name = name; self.mac = mac; self.address = address }
}

public struct PlannedVM: Sendable, Equatable, Codable {
    public var name: String
    public var namespace: String
    public var runStrategy: String
    public var nics: [PlannedNIC]
    public init(name: String, namespace: String, runStrategy: String, nics: [PlannedNIC]) {
        self.name = name; self.namespace = namespace; self.runStrategy = runStrategy; self.nics = nics
    }
}

public struct StatusPlan: Sendable, Equatable {
    public var topology: String?
    public var policies: [String]
    public var vms: [PlannedVM]
    public init(topology: String?, policies: [String], vms: [PlannedVM]) {
        self.topology = topology; self.policies = policies; self.vms = vms
    }

    /// From the built objects (names, namespaces, run strategies, interface names and MACs as
    /// sent, escape hatch included) and the IR (static addresses, which the objects only carry
    /// inside cloud-init). Policies sorted by name, VMs by namespace then name.
    public init(objects: [KubeObject], topology: Topology?) {
        var addresses: [String: [String: String]] = [:]
        for vm in topology?.vms ?? [] {
            var a: [String: String] = [:]
            for nic in vm.nics { if case .static(let ifaddr) = nic.address { a[nic.name] = ifaddr.description } }
            addresses[vm.name] = a
        }
        // The label the VMs carry (what the LIST selects on), else the topology's name.
        self.topology = objects.lazy.compactMap { $0.body.at("metadata", "labels", topologyLabel)?.stringValue }.first
            ?? topology?.name
        policies = objects.filter { $0.kind == ResourceType.nodeNetworkConfigurationPolicy.kind }.map(\.name).sorted()
        vms = objects.filter { $0.kind == ResourceType.virtualMachine.kind }.map { o in
            let spec = o.body["spec"]
            let strategy = spec?["runStrategy"]?.stringValue
                ?? (spec?["running"] == .bool(true) ? "Always" : "Halted")
            let ifaces = spec?.at("template", "spec", "domain", "devices", "interfaces")?.listValue ?? []
            let nics = ifaces.compactMap { i -> PlannedNIC? in
                guard let n = i["name"]?.stringValue else { return nil }
                return PlannedNIC(name: n, mac: i["macAddress"]?.stringValue, address: addresses[o.name]?[n])
            }
            return PlannedVM(name: o.name, namespace: o.namespace ?? topology?.namespace ?? "default",
                             runStrategy: strategy, nics: nics)
        }.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }
}

// MARK: the report

/// An enactment's state, from its conditions (the first that is True, in this order).
public enum EnactmentState: String, Sendable, Codable {
    case available = "Available", failing = "Failing", aborted = "Aborted", progressing = "Progressing",
         pending = "Pending", unknown = "Unknown"
}

public struct EnactmentStatus: Sendable, Equatable, Codable {
    public var node: String
    public var state: EnactmentState
    /// nmstate's message (for Failing: the error of the failed configuration).
    public var message: String?
    /// The enactment reports an older generation of the policy than the live one.
    public var stale: Bool
}

public struct PolicyStatus: Sendable, Equatable, Codable {
    public var name: String
    /// The policy exists on the cluster.
    public var found: Bool
    public var enactments: [EnactmentStatus]
    public var ready: Bool {
        found && !enactments.isEmpty && enactments.allSatisfy { $0.state == .available && !$0.stale }
    }
}

public struct NICStatus: Sendable, Equatable, Codable {
    public var name: String
    public var plannedMAC: String?
    public var plannedAddress: String?
    /// What the VMI reports (nil fields: not reported).
    public var reported: Bool
    public var mac: String?
    public var addresses: [String]
    /// The guest's own name for the NIC (guest agent), e.g. `enp1s0`.
    public var guestInterface: String?
    /// Mismatches against the plan, as sentences ("MAC 0e:…:99, planned 0e:…:02").
    public var problems: [String]
}

public enum VMState: String, Sendable, Codable {
    /// The VirtualMachine does not exist on the cluster.
    case notApplied = "NotApplied"
    /// No VMI and the run strategy keeps it stopped (Halted, Manual).
    case halted = "Halted"
    /// No VMI although the run strategy says it should run.
    case notRunning = "NotRunning"
    /// A VMI exists; see `phase`.
    case instance = "Instance"
}

public struct VMStatus: Sendable, Equatable, Codable {
    public var name: String
    public var namespace: String
    public var state: VMState
    /// The live VM's run strategy (the planned one when the VM is missing).
    public var runStrategy: String
    /// VMI `status.phase` (Pending, Scheduling, Scheduled, Running, Succeeded, Failed, Unknown).
    public var phase: String?
    public var node: String?
    /// The VM's `status.printableStatus` (e.g. ErrorUnschedulable) when it has no VMI.
    public var printableStatus: String?
    public var nics: [NICStatus]
    public var mismatched: Bool { nics.contains { !$0.problems.isEmpty } }
    public var ready: Bool {
        switch state {
        case .notApplied, .notRunning: return false
        case .halted: return !StatusPlan.runs(runStrategy)
        case .instance: return phase == "Running" && !mismatched
        }
    }
    /// One word for the table.
    public var summary: String {
        switch state {
        case .notApplied: return "not applied"
        case .halted: return runStrategy
        case .notRunning: return "not running" + (printableStatus.map { " (\($0))" } ?? "")
        case .instance: return phase ?? "Unknown"
        }
    }
}

public struct ClusterStatus: Sendable, Equatable, Codable {
    public var topology: String?
    public var policies: [PolicyStatus]
    public var vms: [VMStatus]
    public var ready: Bool { policies.allSatisfy(\.ready) && vms.allSatisfy(\.ready) }
    /// For scripts: 0 everything as planned and ready, 1 otherwise.
    public var exitCode: Int32 { ready ? 0 : 1 }
}

extension StatusPlan {
    /// Run strategies under which a VMI is expected.
    static func runs(_ strategy: String) -> Bool { ["Always", "RerunOnFailure", "Once"].contains(strategy) }
}

// MARK: reading the cluster

public struct StatusReader: Sendable {
    public let client: KubeClient
    /// Page size of the LIST requests.
    public var pageSize = 500
    public init(client: KubeClient) { self.client = client }

    /// Reads the cluster. A failed request (unreachable, 401, 403…) fails the whole read: a
    /// partial status would look like "not running" where it is "not known".
    public func read(_ plan: StatusPlan) -> Result<ClusterStatus, APIError> {
        do throws(APIError) {
            var policies: [PolicyStatus] = []
            for name in plan.policies { policies.append(try policy(name)) }
            var namespaces: [String] = []
            for vm in plan.vms where !namespaces.contains(vm.namespace) { namespaces.append(vm.namespace) }
            var vmObjects: [String: KubeValue] = [:], vmis: [String: KubeValue] = [:]
            let selector = plan.topology.map { "labelSelector=" + percentEncode("\(topologyLabel)=\($0)") }
            for ns in namespaces {
                for o in try list(ResourceType.virtualMachine.collectionPath(namespace: ns), query: selector) {
                    if let n = o.at("metadata", "name")?.stringValue { vmObjects[ns + "/" + n] = o }
                }
                for o in try list(ResourceType.virtualMachineInstance.collectionPath(namespace: ns), query: nil) {
                    if let n = o.at("metadata", "name")?.stringValue { vmis[ns + "/" + n] = o }
                }
            }
            let vms = plan.vms.map { StatusReader.vmStatus($0, vm: vmObjects[$0.namespace + "/" + $0.name],
                                                            vmi: vmis[$0.namespace + "/" + $0.name]) }
            return .success(ClusterStatus(topology: plan.topology, policies: policies, vms: vms))
        } catch {
            return .failure(error)
        }
    }

    func policy(_ name: String) throws(APIError) -> PolicyStatus {
        let type = ResourceType.nodeNetworkConfigurationPolicy
        guard let live = try client.get(type.objectPath(namespace: nil, name: name)).get() else {
            return PolicyStatus(name: name, found: false, enactments: [])
        }
        let generation = live.at("metadata", "generation")?.intValue
        let items = try list(ResourceType.nodeNetworkConfigurationEnactment.collectionPath(namespace: nil),
                             query: "labelSelector=" + percentEncode("nmstate.io/policy=\(name)"))
        let enactments = items.map { StatusReader.enactment($0, policy: name, generation: generation) }
            .sorted { $0.node < $1.node }
        return PolicyStatus(name: name, found: true, enactments: enactments)
    }

    /// Every item of a paged LIST; a kind the server does not serve (404) lists nothing.
    func list(_ collection: String, query: String?) throws(APIError) -> [KubeValue] {
        try client.listAll(collection, query: query, pageSize: pageSize).get() ?? []
    }

    static func enactment(_ o: KubeValue, policy: String, generation: Int?) -> EnactmentStatus {
        let name = o.at("metadata", "name")?.stringValue ?? ""
        let node = o.at("metadata", "labels", "nmstate.io/node")?.stringValue
            ?? (name.hasSuffix("." + policy) ? String(name.dropLast(policy.count + 1)) : name)
        var state = EnactmentState.unknown
        var message: String? = nil
        for s in [EnactmentState.failing, .aborted, .available, .progressing, .pending] where o.condition(s.rawValue) == "True" {
            state = s
            message = o.conditionMessage(s.rawValue)
            break
        }
        if message?.isEmpty == true { message = nil }
        let observed = o.at("status", "policyGeneration")?.intValue
        let stale = generation != nil && observed != nil && observed! < generation!
        return EnactmentStatus(node: node, state: state, message: message, stale: stale)
    }

    static func vmStatus(_ plan: PlannedVM, vm: KubeValue?, vmi: KubeValue?) -> VMStatus {
        var status = VMStatus(name: plan.name, namespace: plan.namespace, state: .notApplied, runStrategy: plan.runStrategy,
                              phase: nil, node: nil, printableStatus: nil, nics: [])
        let noReport = plan.nics.map {
            NICStatus(name: $0.name, plannedMAC: $0.mac, plannedAddress: $0.address, reported: false, mac: nil,
                      addresses: [], guestInterface: nil, problems: [])
        }
        status.nics = noReport
        guard let vm else { return status }
        status.runStrategy = vm.at("spec", "runStrategy")?.stringValue
            ?? (vm.at("spec", "running") == .bool(true) ? "Always" : vm.at("spec", "running") == .bool(false) ? "Halted" : plan.runStrategy)
        status.printableStatus = vm.at("status", "printableStatus")?.stringValue
        guard let vmi else {
            status.state = StatusPlan.runs(status.runStrategy) ? .notRunning : .halted
            return status
        }
        status.state = .instance
        status.phase = vmi.at("status", "phase")?.stringValue
        status.node = vmi.at("status", "nodeName")?.stringValue
        let reported = vmi.at("status", "interfaces")?.listValue ?? []
        let running = status.phase == "Running"
        status.nics = plan.nics.map { p in
            var n = NICStatus(name: p.name, plannedMAC: p.mac, plannedAddress: p.address, reported: false, mac: nil,
                              addresses: [], guestInterface: nil, problems: [])
            guard let r = reported.first(where: { $0["name"]?.stringValue == p.name }) else {
                if running { n.problems.append("not reported by the VMI") }
                return n
            }
            n.reported = true
            n.mac = r["mac"]?.stringValue
            n.guestInterface = r["interfaceName"]?.stringValue
            var addrs = (r["ipAddresses"]?.listValue ?? []).compactMap(\.stringValue)
            if let a = r["ipAddress"]?.stringValue, !a.isEmpty, !addrs.contains(a) { addrs.insert(a, at: 0) }
            n.addresses = addrs
            if let want = p.mac, let got = n.mac, MACAddress(want) != MACAddress(got) {
                n.problems.append("MAC \(got), planned \(want)")
            }
            if let want = p.address, !addrs.contains(where: { sameIP($0, want) }) {
                n.problems.append("address \(want) not reported by the guest")
            }
            return n
        }
        return status
    }

    /// Same IP, prefix lengths ignored (the guest agent reports bare addresses), IPv6 in any notation.
    static func sameIP(_ a: String, _ b: String) -> Bool {
        func ip(_ s: String) -> IPAddress? { IPAddress(String(s.split(separator: "/").first ?? "")) }
        guard let x = ip(a), let y = ip(b) else { return a == b }
        return x == y
    }
}

// MARK: rendering

extension ClusterStatus {
    /// Two tables (policies per node, VMs per NIC) and a summary line; deterministic.
    public var humanText: String {
        var out = ""
        if !policies.isEmpty {
            var rows = [["POLICY", "NODE", "STATE", "MESSAGE"]]
            for p in policies {
                if !p.found { rows.append([p.name, "-", "NotApplied", "the policy does not exist on the cluster"]); continue }
                if p.enactments.isEmpty { rows.append([p.name, "-", "Pending", "no enactment yet"]); continue }
                for e in p.enactments {
                    let msg = (e.stale ? "enactment of an older policy generation" + (e.message.map { "; " + $0 } ?? "") : e.message) ?? ""
                    rows.append([p.name, e.node, e.state.rawValue, oneLine(msg)])
                }
            }
            out += table(rows)
        }
        if !vms.isEmpty {
            if !out.isEmpty { out += "\n" }
            var rows = [["VM", "STATE", "NODE", "NIC", "MAC", "ADDRESS", "GUEST", "CHECK"]]
            for v in vms {
                let name = v.namespace + "/" + v.name
                if v.nics.isEmpty { rows.append([name, v.summary, v.node ?? "-", "-", "-", "-", "-", v.ready ? "ok" : "not ready"]) }
                for n in v.nics {
                    let guest = n.reported ? ([n.guestInterface].compactMap { $0 } + n.addresses).joined(separator: " ") : "-"
                    let check: String
                    if !n.problems.isEmpty { check = "MISMATCH: " + n.problems.joined(separator: "; ") }
                    else if v.ready || (v.state == .instance && v.phase == "Running") { check = "ok" }
                    else { check = "not ready" }
                    rows.append([name, v.summary, v.node ?? "-", n.name, n.plannedMAC ?? "-",
                                 n.plannedAddress ?? "dhcp", guest.isEmpty ? "-" : guest, check])
                }
            }
            out += table(rows)
        }
        return out + "\n" + summaryLine + "\n"
    }

    /// `ready: 2 policies (3 enactments Available), 3 VMs as planned` or what is not.
    public var summaryLine: String {
        func n(_ k: Int, _ w: String) -> String { "\(k) " + (k == 1 ? w : w == "policy" ? "policies" : w + "s") }
        let enactments = policies.flatMap(\.enactments)
        if ready {
            return "ready: \(n(policies.count, "policy")) "
                + "(\(n(enactments.count, "enactment")) Available), \(n(vms.count, "VM")) as planned"
        }
        var parts: [String] = []
        let missingPolicies = policies.filter { !$0.found }.count
        if missingPolicies > 0 { parts.append("\(n(missingPolicies, "policy")) not applied") }
        for s in [EnactmentState.failing, .aborted, .progressing, .pending, .unknown] {
            let k = enactments.filter { $0.state == s }.count
            if k > 0 { parts.append("\(n(k, "enactment")) \(s.rawValue)") }
        }
        let stale = enactments.filter { $0.stale && $0.state == .available }.count
        if stale > 0 { parts.append("\(n(stale, "enactment")) of an older policy generation") }
        let waiting = policies.filter { $0.found && $0.enactments.isEmpty }.count
        if waiting > 0 { parts.append("\(n(waiting, "policy")) without enactments") }
        let notApplied = vms.filter { $0.state == .notApplied }.count
        if notApplied > 0 { parts.append("\(n(notApplied, "VM")) not applied") }
        let notRunning = vms.filter { !$0.ready && ($0.state == .notRunning || $0.state == .halted) }.count
        if notRunning > 0 { parts.append("\(n(notRunning, "VM")) not running") }
        let mismatched = vms.filter { $0.state == .instance && $0.mismatched }.count
        if mismatched > 0 { parts.append("\(n(mismatched, "VM")) with mismatched NICs") }
        let starting = vms.filter { $0.state == .instance && !$0.mismatched && $0.phase != "Running" }.count
        if starting > 0 { parts.append("\(n(starting, "VM")) not Running yet") }
        return "not ready: " + parts.joined(separator: ", ")
    }

    /// Pretty-printed JSON with sorted keys (`ready` included), for `--format json`.
    public func json(pretty: Bool = true) -> String {
        struct Wire: Encodable {
            var topology: String?
            var ready: Bool
            var policies: [PolicyStatus]
            var vms: [VMStatus]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Wire(topology: topology, ready: ready, policies: policies, vms: vms))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A message on one line for the table, cut at `limit` characters: nmstate's Failing messages
/// carry the whole nmstatectl log (kilobytes); `--format json` keeps them whole.
func oneLine(_ s: String, limit: Int = 400) -> String {
    let line = s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    guard line.count > limit else { return line }
    return String(line.prefix(limit)) + " … (\(line.count - limit) more characters; --format json has all)"
}

/// Left-aligned columns, two spaces apart, no trailing blanks.
private func table(_ rows: [[String]]) -> String {
    guard let cols = rows.first?.count else { return "" }
    var widths = [Int](repeating: 0, count: cols)
    for r in rows { for (i, c) in r.enumerated() where i < cols { widths[i] = max(widths[i], c.count) } }
    var out = ""
    for r in rows {
        var line = ""
        for (i, c) in r.enumerated() {
            line += i == r.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        out += line + "\n"
    }
    return out
}
