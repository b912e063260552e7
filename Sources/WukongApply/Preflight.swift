// Preflight: read-only checks against the live cluster before the first write of `apply`.
//
// Checked (each problem names the object and what to change; nothing is written when one fails;
// `ApplyOptions.skipPreflight` / `--skip-preflight` skips them all):
// 1. API: every group version the objects use is served, and serves the kind's resource (a
//    group can be served while one of its CRDs is missing: `GET /apis/<group>/<version>` lists
//    the resources).
// 2. Namespaces: every namespace a namespaced object goes to exists, or is created by this apply
//    (a Namespace object in the set); a namespace being deleted (phase Terminating) fails too.
// 3. macvtap binding: when a VirtualMachine has an interface `binding: {name: macvtap}`, the
//    KubeVirt CR (kubevirt.io/v1 `kubevirts`, listed across namespaces) registers the plugin
//    (`spec.configuration.network.binding.macvtap` with `domainAttachmentType: tap`), and before
//    KubeVirt 1.5 (`status.observedKubeVirtVersion`) enables the `NetworkBindingPlugins` feature
//    gate. When the version is unknown (no status yet), a missing gate is a warning: 1.5 and
//    later do not need it, and guessing an old version would fail every apply on a new cluster.
//    passt: when a VirtualMachine has an interface `passtBinding: {}` (KubeVirt ≥ 1.8 core
//    binding), the KubeVirt CR enables the feature gate `PasstBinding` (else the VM is rejected).
// 4. Device resources: a VM network whose NAD (from the set, else read from the cluster; a NAD
//    that exists nowhere is skipped: KubeVirt reports it at start) carries the annotation
//    `k8s.v1.cni.cncf.io/resourceName` needs a node that advertises the resource
//    (`status.allocatable[resource]` > 0) among the nodes the VM can run on: its
//    `nodeSelector` and required node affinity (`nodeSelectorTerms`: matchExpressions with
//    In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on metadata.name). Taints, cordons and free
//    capacity are not considered (they change by the minute; the scheduler has the last word).
//    Every VM is checked, running or not: a Halted VM fails the same way when it is started.
//
// A read the credentials may not make (403) is a warning, not a failure: the check is skipped.
// Any other failed read (401, connection, 5xx after retries) stops the run as before.
import Foundation
import WukongKubernetes

/// One preflight result. `error`s stop the run before anything is written; `warning`s are
/// reported (event `.preflightWarning`) and the run goes on.
public struct PreflightFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public enum Check: String, Sendable {
        /// The group version, or the kind's resource in it, is not served.
        case api
        case namespace
        /// The KubeVirt CR does not register the macvtap binding plugin (or cannot be read).
        case macvtapBinding
        /// `NetworkBindingPlugins` is missing before KubeVirt 1.5, or `PasstBinding` for passt.
        case featureGate
        /// No node the VM can run on advertises the device-plugin resource its NAD names.
        case deviceResource
    }
    public var severity: Severity
    public var check: Check
    /// The object the problem is about (the first one when it concerns several).
    public var object: ObjectRef?
    /// What is wrong.
    public var message: String
    /// What to change.
    public var fix: String?

    public init(_ severity: Severity, _ check: Check, object: ObjectRef?, message: String, fix: String? = nil) {
        self.severity = severity; self.check = check; self.object = object; self.message = message; self.fix = fix
    }

    /// `ns/kind.group/name: message; fix`
    public var description: String {
        (object.map { "\($0.qualified): " } ?? "") + message + (fix.map { "; \($0)" } ?? "")
    }
}

public let resourceNameAnnotation = "k8s.v1.cni.cncf.io/resourceName"
let macvtapResourcePrefix = "macvtap.network.kubevirt.io/"

/// What the preflight found, or the request failure that stopped it.
struct PreflightResult {
    var findings: [PreflightFinding] = []
    var failure: ApplyFailure?
    var errors: [PreflightFinding] { findings.filter { $0.severity == .error } }
}

/// The outcome of one read during preflight.
enum PreflightRead {
    case found(KubeValue)
    case notFound
    case forbidden(APIError)
}

struct PreflightAbort: Error { var failure: ApplyFailure }

extension Applier {
    /// Runs every check (see the top of this file). Warnings are also passed to `warn` as they
    /// are found.
    func preflight(_ items: [Item], warn: (PreflightFinding) -> Void = { _ in }) -> PreflightResult {
        var result = PreflightResult()
        func add(_ f: PreflightFinding) {
            result.findings.append(f)
            if f.severity == .warning { warn(f) }
        }
        do {
            let unserved = try checkAPIs(items, add)
            try checkNamespaces(items, add)
            let vmType = ResourceType.virtualMachine
            if !unserved.contains(vmType.apiVersion + "|" + vmType.plural) {
                try checkMacvtapBinding(items, add)
                try checkPasstBinding(items, add)
            }
            try checkDeviceResources(items, add)
        } catch {
            result.failure = error.failure
        }
        return result
    }

    /// GET `path`: the object, 404, or 403 (every other failure aborts the preflight).
    func preflightRead(_ path: String, about object: ObjectRef?) throws(PreflightAbort) -> PreflightRead {
        switch client.get(path) {
        case .success(let v?): return .found(v)
        case .success(nil): return .notFound
        case .failure(let e) where e.kind == .forbidden: return .forbidden(e)
        case .failure(let e): throw PreflightAbort(failure: ApplyFailure(object: object, stage: .preflight, error: e))
        }
    }

    /// A LIST followed page by page (`limit`/`continue`); nil when the resource is not served.
    func preflightList(_ path: String) throws(PreflightAbort) -> PreflightList {
        switch client.listAll(path, pageSize: options.listPageSize) {
        case .success(let items?): return .items(items)
        case .success(nil): return .notServed
        case .failure(let e) where e.kind == .forbidden: return .forbidden(e)
        case .failure(let e): throw PreflightAbort(failure: ApplyFailure(object: nil, stage: .preflight, error: e))
        }
    }

    enum PreflightList { case items([KubeValue]), notServed, forbidden(APIError) }

    // MARK: 1. API groups and kinds

    /// Returns the `apiVersion|plural` keys found not served.
    func checkAPIs(_ items: [Item], _ add: (PreflightFinding) -> Void) throws(PreflightAbort) -> Set<String> {
        var types: [ResourceType] = []
        for item in items where !item.type.group.isEmpty && !types.contains(item.type) { types.append(item.type) }
        var unserved: Set<String> = []
        var lists: [String: PreflightRead] = [:]
        for type in types {
            let ofType = items.filter { $0.type == type }
            let first = ofType[0].ref
            let read: PreflightRead
            if let r = lists[type.apiVersion] { read = r } else {
                read = try preflightRead(type.groupVersionPath, about: first)
                lists[type.apiVersion] = read
            }
            let owner = ["kubevirt.io": "KubeVirt", "nmstate.io": "kubernetes-nmstate", "k8s.cni.cncf.io": "Multus"][type.group]
            let who = Applier.objectsPhrase(ofType.map(\.ref))
            switch read {
            case .forbidden(let e):
                add(PreflightFinding(.warning, .api, object: first,
                                     message: "cannot read the discovery of `\(type.apiVersion)` (\(e.message)): not checked that the cluster serves \(type.kind)"))
            case .notFound:
                unserved.insert(type.apiVersion + "|" + type.plural)
                add(PreflightFinding(.error, .api, object: first,
                                     message: "the cluster does not serve `\(type.apiVersion)`, needed by \(who)",
                                     fix: "install \(owner ?? "the CRDs of `\(type.group)`") (CRD \(type.plural).\(type.group))"))
            case .found(let list):
                // An APIResourceList: is the kind's resource in it? (Without a list: cannot tell.)
                guard let resources = list["resources"]?.listValue else { continue }
                let served = resources.contains { $0["name"]?.stringValue == type.plural && ($0["kind"]?.stringValue ?? type.kind) == type.kind }
                if !served {
                    unserved.insert(type.apiVersion + "|" + type.plural)
                    add(PreflightFinding(.error, .api, object: first,
                                         message: "the cluster serves `\(type.apiVersion)` but not the kind \(type.kind) (resource `\(type.plural)`), needed by \(who)",
                                         fix: "install or upgrade the CRD \(type.plural).\(type.group)" + (owner.map { " (part of \($0))" } ?? "")))
                }
            }
        }
        return unserved
    }

    // MARK: 2. Namespaces

    func checkNamespaces(_ items: [Item], _ add: (PreflightFinding) -> Void) throws(PreflightAbort) {
        let created = Set(items.filter { $0.type.kind == "Namespace" }.map(\.object.name))
        var order: [String] = []
        var users: [String: [ObjectRef]] = [:]
        for item in items {
            guard let ns = item.namespace else { continue }
            if users[ns] == nil { order.append(ns) }
            users[ns, default: []].append(item.ref)
        }
        for ns in order {
            let refs = users[ns] ?? []
            switch try preflightRead(ResourceType.namespace.objectPath(namespace: nil, name: ns), about: refs.first) {
            case .forbidden(let e):
                if !created.contains(ns) {
                    add(PreflightFinding(.warning, .namespace, object: refs.first,
                                         message: "cannot read namespace `\(ns)` (\(e.message)): not checked that it exists"))
                }
            case .notFound:
                if !created.contains(ns) {
                    add(PreflightFinding(.error, .namespace, object: refs.first,
                                         message: "namespace `\(ns)` does not exist and this apply does not create it (\(Applier.objectsPhrase(refs)) go there)",
                                         fix: "create it first (`kubectl create namespace \(ns)`) or set `create_namespace = true` in the topology"))
                }
            case .found(let live):
                if live.at("status", "phase")?.stringValue == "Terminating" {
                    add(PreflightFinding(.error, .namespace, object: refs.first,
                                         message: "namespace `\(ns)` is being deleted (phase Terminating): \(Applier.objectsPhrase(refs)) cannot be created there",
                                         fix: "wait until it is gone, then apply again (it will be created anew)"
                                            + (created.contains(ns) ? "" : " with `create_namespace = true`")))
                }
            }
        }
    }

    // MARK: 3. The macvtap binding plugin in the KubeVirt CR

    static func usesMacvtap(_ vm: KubeValue) -> Bool {
        let interfaces = vm.at("spec", "template", "spec", "domain", "devices", "interfaces")?.listValue ?? []
        return interfaces.contains { $0.at("binding", "name")?.stringValue == "macvtap" }
    }

    /// `(major, minor)` of "v1.4.0", "1.5.2-rc.1"; nil when unparsable.
    static func kubevirtVersion(_ text: String?) -> (Int, Int)? {
        guard var t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        if t.hasPrefix("v") { t.removeFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let major = Int(parts[0]) else { return nil }
        let minorDigits = parts[1].prefix { $0.isNumber }
        guard let minor = Int(minorDigits) else { return nil }
        return (major, minor)
    }

    func checkMacvtapBinding(_ items: [Item], _ add: (PreflightFinding) -> Void) throws(PreflightAbort) {
        let vms = items.filter { $0.type.kind == "VirtualMachine" && Applier.usesMacvtap($0.object.body) }.map(\.ref)
        guard let first = vms.first else { return }
        let who = Applier.objectsPhrase(vms)
        let binding = #"{"spec":{"configuration":{"network":{"binding":{"macvtap":{"domainAttachmentType":"tap"}}}}}}"#
        let crs: [KubeValue]
        switch try preflightList(ResourceType.kubevirt.collectionPath(namespace: nil)) {
        case .forbidden(let e):
            add(PreflightFinding(.warning, .macvtapBinding, object: first,
                                 message: "cannot list KubeVirt CRs (\(e.message)): not checked that KubeVirt registers the macvtap binding plugin \(who) use\(vms.count == 1 ? "s" : "")"))
            return
        case .notServed: crs = []
        case .items(let i): crs = i
        }
        guard let cr = crs.first else {
            add(PreflightFinding(.error, .macvtapBinding, object: first,
                                 message: "\(who) use\(vms.count == 1 ? "s" : "") the macvtap binding, but the cluster has no KubeVirt CR (kubevirt.io/v1 KubeVirt)",
                                 fix: "install KubeVirt and register the plugin in its KubeVirt CR: `spec.configuration.network.binding.macvtap: {domainAttachmentType: tap}`"))
            return
        }
        let crNS = cr.at("metadata", "namespace")?.stringValue ?? "kubevirt"
        let crName = cr.at("metadata", "name")?.stringValue ?? "kubevirt"
        let crID = "KubeVirt \(crNS)/\(crName)"
        let patch = "kubectl -n \(crNS) patch kubevirt \(crName) --type merge -p '\(binding)'"
        if let plugin = cr.at("spec", "configuration", "network", "binding", "macvtap") {
            let attach = plugin["domainAttachmentType"]?.stringValue
            if attach != "tap" {
                add(PreflightFinding(.error, .macvtapBinding, object: first,
                                     message: "\(crID) registers the macvtap binding plugin with " + (attach.map { "domainAttachmentType `\($0)`" } ?? "no domainAttachmentType")
                                        + ", but \(who) need\(vms.count == 1 ? "s" : "") `tap`",
                                     fix: "set `spec.configuration.network.binding.macvtap.domainAttachmentType: tap` in \(crID) (\(patch))"))
            }
        } else {
            add(PreflightFinding(.error, .macvtapBinding, object: first,
                                 message: "\(crID) does not register the macvtap network binding plugin that \(who) use\(vms.count == 1 ? "s" : ""): KubeVirt admits the VM and then fails to start it (\"unable to find the network binding plugin\")",
                                 fix: "add `spec.configuration.network.binding.macvtap: {domainAttachmentType: tap}` to \(crID) (\(patch))"))
        }
        let gates = (cr.at("spec", "configuration", "developerConfiguration", "featureGates")?.listValue ?? []).compactMap(\.stringValue)
        if !gates.contains("NetworkBindingPlugins") {
            let versionText = cr.at("status", "observedKubeVirtVersion")?.stringValue
            let gateFix = "add `NetworkBindingPlugins` to `spec.configuration.developerConfiguration.featureGates` in \(crID)"
            if let (major, minor) = Applier.kubevirtVersion(versionText) {
                if (major, minor) < (1, 5) {
                    add(PreflightFinding(.error, .featureGate, object: first,
                                         message: "\(crID) runs KubeVirt \(versionText ?? ""), which needs the feature gate NetworkBindingPlugins for the macvtap binding that \(who) use\(vms.count == 1 ? "s" : "")",
                                         fix: gateFix + " (or upgrade KubeVirt to v1.5 or later)"))
                }
            } else {
                add(PreflightFinding(.warning, .featureGate, object: first,
                                     message: "the KubeVirt version of \(crID) is unknown (no `status.observedKubeVirtVersion`) and the feature gate NetworkBindingPlugins is not enabled: KubeVirt before v1.5 needs it for the macvtap binding"
                                        + " (if it is older: \(gateFix))"))
            }
        }
    }

    // MARK: 3b. The passt core binding's feature gate

    static func usesPasst(_ vm: KubeValue) -> Bool {
        let interfaces = vm.at("spec", "template", "spec", "domain", "devices", "interfaces")?.listValue ?? []
        return interfaces.contains { $0["passtBinding"] != nil }
    }

    func checkPasstBinding(_ items: [Item], _ add: (PreflightFinding) -> Void) throws(PreflightAbort) {
        let vms = items.filter { $0.type.kind == "VirtualMachine" && Applier.usesPasst($0.object.body) }.map(\.ref)
        guard let first = vms.first else { return }
        let who = Applier.objectsPhrase(vms), verb = vms.count == 1 ? "uses" : "use"
        let crs: [KubeValue]
        switch try preflightList(ResourceType.kubevirt.collectionPath(namespace: nil)) {
        case .forbidden(let e):
            add(PreflightFinding(.warning, .featureGate, object: first,
                                 message: "cannot list KubeVirt CRs (\(e.message)): not checked that KubeVirt enables the feature gate PasstBinding \(who) \(verb == "uses" ? "needs" : "need")"))
            return
        case .notServed: crs = []
        case .items(let i): crs = i
        }
        guard let cr = crs.first else {
            add(PreflightFinding(.error, .featureGate, object: first,
                                 message: "\(who) \(verb) the passt binding, but the cluster has no KubeVirt CR (kubevirt.io/v1 KubeVirt)",
                                 fix: "install KubeVirt v1.8 or later with the feature gate `PasstBinding` in its KubeVirt CR"))
            return
        }
        let gates = (cr.at("spec", "configuration", "developerConfiguration", "featureGates")?.listValue ?? []).compactMap(\.stringValue)
        guard !gates.contains("PasstBinding") else { return }
        let crNS = cr.at("metadata", "namespace")?.stringValue ?? "kubevirt"
        let crName = cr.at("metadata", "name")?.stringValue ?? "kubevirt"
        add(PreflightFinding(.error, .featureGate, object: first,
                             message: "KubeVirt \(crNS)/\(crName) does not enable the feature gate PasstBinding that the passt binding of \(who) needs: KubeVirt rejects the VM",
                             fix: "add `PasstBinding` to `spec.configuration.developerConfiguration.featureGates` in KubeVirt \(crNS)/\(crName) (KubeVirt v1.8 or later)"))
    }

    // MARK: 4. Device-plugin resources on the nodes a VM can run on

    struct NodeInfo {
        var name: String
        var labels: [String: String]
        var allocatable: [String: KubeValue]
    }

    struct ResourceNeed {
        var vm: Item
        var network: String
        var nad: String
        var resource: String
    }

    func checkDeviceResources(_ items: [Item], _ add: (PreflightFinding) -> Void) throws(PreflightAbort) {
        var nadsInSet: [String: KubeValue] = [:]
        for item in items where item.type.kind == "NetworkAttachmentDefinition" {
            nadsInSet["\(item.namespace ?? "")/\(item.object.name)"] = item.object.body
        }
        var fetched: [String: KubeValue?] = [:]
        var needs: [ResourceNeed] = []
        for vm in items where vm.type.kind == "VirtualMachine" {
            let vmNS = vm.namespace ?? "default"
            var seen: Set<String> = []
            for net in vm.object.body.at("spec", "template", "spec", "networks")?.listValue ?? [] {
                guard let ref = net.at("multus", "networkName")?.stringValue, !ref.isEmpty else { continue }
                // `name` (the VM's namespace) or `ns/name`
                let parts = ref.split(separator: "/", maxSplits: 1).map(String.init)
                let (ns, name) = parts.count == 2 ? (parts[0], parts[1]) : (vmNS, ref)
                let key = "\(ns)/\(name)"
                let nad: KubeValue?
                if let n = nadsInSet[key] { nad = n } else if let n = fetched[key] { nad = n } else {
                    switch try preflightRead(ResourceType.networkAttachmentDefinition.objectPath(namespace: ns, name: name), about: vm.ref) {
                    case .found(let v): nad = v
                    case .notFound: nad = nil  // KubeVirt reports a missing NAD when the VM starts
                    case .forbidden(let e):
                        nad = nil
                        add(PreflightFinding(.warning, .deviceResource, object: vm.ref,
                                             message: "cannot read NetworkAttachmentDefinition \(key) (\(e.message)): not checked that a node advertises the device resource it may name"))
                    }
                    fetched[key] = nad
                }
                guard let resource = nad?.at("metadata", "annotations", resourceNameAnnotation)?.stringValue,
                      !resource.isEmpty, seen.insert(resource).inserted else { continue }
                needs.append(ResourceNeed(vm: vm, network: net["name"]?.stringValue ?? "?", nad: key, resource: resource))
            }
        }
        guard !needs.isEmpty else { return }

        let nodes: [NodeInfo]
        switch try preflightList(ResourceType.node.collectionPath(namespace: nil)) {
        case .forbidden(let e):
            let resources = Applier.unique(needs.map(\.resource))
            add(PreflightFinding(.warning, .deviceResource, object: needs[0].vm.ref,
                                 message: "cannot list nodes (\(e.message)): not checked that a node advertises "
                                    + resources.map { "`\($0)`" }.joined(separator: ", ")))
            return
        case .notServed: nodes = []
        case .items(let list):
            nodes = list.map { n in
                var labels: [String: String] = [:]
                if case .map(let fs)? = n.at("metadata", "labels") { for f in fs { labels[f.key] = f.value.stringValue ?? "" } }
                var alloc: [String: KubeValue] = [:]
                if case .map(let fs)? = n.at("status", "allocatable") { for f in fs { alloc[f.key] = f.value } }
                return NodeInfo(name: n.at("metadata", "name")?.stringValue ?? "", labels: labels, allocatable: alloc)
            }
        }

        // Grouped by resource, in first-need order.
        for resource in Applier.unique(needs.map(\.resource)) {
            let forIt = needs.filter { $0.resource == resource }
            let advertising = nodes.filter { Applier.isPositiveQuantity($0.allocatable[resource]) }.map(\.name)
            if advertising.isEmpty {
                let who = forIt.map { "\($0.vm.ref.namespace.map { "\($0)/" } ?? "")\($0.vm.object.name) (network `\($0.network)`, NAD \($0.nad))" }
                add(PreflightFinding(.error, .deviceResource, object: forIt[0].vm.ref,
                                     message: "no node advertises `\(resource)` (status.allocatable), which "
                                        + Applier.listPhrase(who, noun: ("VirtualMachine", "VirtualMachines"))
                                        + " need\(forIt.count == 1 ? "s" : ""): the VM would stay Pending (Insufficient \(resource))",
                                     fix: Applier.advertiseFix(resource, nodes: nil)))
                continue
            }
            for need in forIt {
                let spec = need.vm.object.body.at("spec", "template", "spec") ?? .map([])
                let eligible = nodes.filter { Applier.nodeMatches($0, podSpec: spec) }
                if eligible.contains(where: { advertising.contains($0.name) }) { continue }
                let placement = Applier.placementText(spec)
                let message: String
                if eligible.isEmpty {
                    message = "no node matches the placement of VirtualMachine \(need.vm.object.name) (\(placement)), so none can give it `\(resource)` (network `\(need.network)`, NAD \(need.nad)); nodes advertising it: \(Applier.names(advertising))"
                } else {
                    message = "no node that VirtualMachine \(need.vm.object.name) can run on advertises `\(resource)` (network `\(need.network)`, NAD \(need.nad)): its placement (\(placement)) allows \(Applier.names(eligible.map(\.name))); nodes advertising it: \(Applier.names(advertising))"
                }
                add(PreflightFinding(.error, .deviceResource, object: need.vm.ref, message: message,
                                     fix: "change the VM's placement to include a node advertising it, or "
                                        + Applier.advertiseFix(resource, nodes: eligible.map(\.name))))
            }
        }
    }

    /// What to change so that `resource` is advertised (on `nodes`, when given).
    static func advertiseFix(_ resource: String, nodes: [String]?) -> String {
        let on = nodes.map { $0.isEmpty ? "" : " on \(names($0))" } ?? " on the nodes the VMs run on"
        if resource.hasPrefix(macvtapResourcePrefix) {
            let dev = String(resource.dropFirst(macvtapResourcePrefix.count))
            return "deploy macvtap-cni\(on); its device plugin exposes only physical NICs and bonds by itself, so for a virtual or VLAN device "
                + #"configure macvtap-cni's DP_MACVTAP_CONF with {"name":"\#(dev)","lowerDevice":"\#(dev)","mode":"bridge","capacity":50}"#
        }
        if resource.hasPrefix("bridge.network.kubevirt.io/") { return "run bridge-marker\(on) (and create the bridge there)" }
        if resource.hasPrefix("ovs-cni.network.kubevirt.io/") { return "run the ovs-cni marker\(on) (and create the OVS bridge there)" }
        return "configure the device plugin that provides `\(resource)`\(on) (for SR-IOV: a resource of that name in the SR-IOV network device plugin's config, or a SriovNetworkNodePolicy with that resourceName)"
    }

    /// A resource quantity as the API gives it ("50", 50, "1k", "0"): greater than zero?
    static func isPositiveQuantity(_ v: KubeValue?) -> Bool {
        switch v {
        case .int(let i)?: return i > 0
        case .string(let s)?:
            let number = s.prefix { $0.isNumber || $0 == "." || $0 == "+" }
            return (Double(number) ?? 0) > 0
        default: return false
        }
    }

    /// Does the node satisfy the pod spec's `nodeSelector` and required node affinity?
    static func nodeMatches(_ node: NodeInfo, podSpec: KubeValue) -> Bool {
        if case .map(let fs)? = podSpec["nodeSelector"] {
            for f in fs where node.labels[f.key] != (f.value.stringValue ?? "") { return false }
        }
        guard let required = podSpec.at("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution") else { return true }
        // The terms are ORed; a term's requirements ANDed; an empty term (or no term) matches nothing.
        let terms = required["nodeSelectorTerms"]?.listValue ?? []
        return terms.contains { term in
            let exprs = term["matchExpressions"]?.listValue ?? []
            let fields = term["matchFields"]?.listValue ?? []
            if exprs.isEmpty && fields.isEmpty { return false }
            return exprs.allSatisfy { requirement($0, node.labels) }
                && fields.allSatisfy { f in f["key"]?.stringValue == "metadata.name" && requirement(f, ["metadata.name": node.name]) }
        }
    }

    static func requirement(_ expr: KubeValue, _ labels: [String: String]) -> Bool {
        guard let key = expr["key"]?.stringValue else { return false }
        let values = (expr["values"]?.listValue ?? []).compactMap(\.stringValue)
        let value = labels[key]
        switch expr["operator"]?.stringValue {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let v = value.flatMap({ Int($0) }), values.count == 1, let bound = Int(values[0]) else { return false }
            return expr["operator"]?.stringValue == "Gt" ? v > bound : v < bound
        default: return false
        }
    }

    /// `nodeSelector a=b; hostname In [n1, n2]` for messages.
    static func placementText(_ podSpec: KubeValue) -> String {
        var parts: [String] = []
        if case .map(let fs)? = podSpec["nodeSelector"], !fs.isEmpty {
            parts.append("nodeSelector " + fs.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ","))
        }
        let terms = podSpec.at("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")?.listValue ?? []
        let texts = terms.map { term -> String in
            let exprs = (term["matchExpressions"]?.listValue ?? []) + (term["matchFields"]?.listValue ?? [])
            return exprs.map { e in
                let vals = (e["values"]?.listValue ?? []).compactMap(\.stringValue)
                return "\(e["key"]?.stringValue ?? "?") \(e["operator"]?.stringValue ?? "?")" + (vals.isEmpty ? "" : " [\(vals.joined(separator: ", "))]")
            }.joined(separator: " and ")
        }
        if !texts.isEmpty { parts.append("required node affinity " + texts.joined(separator: " or ")) }
        return parts.isEmpty ? "no nodeSelector or node affinity: any node" : parts.joined(separator: "; ")
    }

    // MARK: message helpers

    static func unique(_ xs: [String]) -> [String] {
        var seen: Set<String> = []
        return xs.filter { seen.insert($0).inserted }
    }

    /// "n1, n2, n3 and 4 more"
    static func names(_ xs: [String], limit: Int = 5) -> String {
        if xs.isEmpty { return "none" }
        let shown = xs.prefix(limit).joined(separator: ", ")
        return xs.count > limit ? "\(shown) and \(xs.count - limit) more" : shown
    }

    static func listPhrase(_ xs: [String], noun: (String, String), limit: Int = 5) -> String {
        (xs.count == 1 ? noun.0 : noun.1) + " " + names(xs, limit: limit)
    }

    /// "VirtualMachine lab/web-1" / "VirtualMachines lab/web-1, lab/web-2"
    static func objectsPhrase(_ refs: [ObjectRef]) -> String {
        let kinds = unique(refs.map(\.kind))
        let noun = kinds.count == 1 ? kinds[0] : "object"
        let names = refs.map { r in (r.namespace.map { "\($0)/" } ?? "") + (kinds.count == 1 ? r.name : r.description) }
        return listPhrase(names, noun: (noun, noun + "s"))
    }
}
