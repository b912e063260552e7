// WukongApply: send built objects to a cluster the way `kubectl apply --server-side` does.
//
// Public API (the `wukongc apply` / `wukongc diff` commands are a thin layer over it):
//
//     let kubeconfig = try Kubeconfig.load(explicitPath: flags.kubeconfig)      // --kubeconfig, KUBECONFIG, ~/.kube/config
//     let cluster = try kubeconfig.resolve(context: flags.context)             // --context or current-context
//     let client = KubeClient(config: cluster,
//                             http: HTTPClientOptions(connectTimeout: 10, requestTimeout: 30),
//                             retry: RetryPolicy())                            // 5 tries, 0.5 s doubling, cap 8 s
//     var options = ApplyOptions()
//     options.dryRun = flags.dryRun == "server"; options.prune = flags.prune; options.wait = flags.wait
//     options.timeout = flags.timeoutSeconds; options.forceConflicts = flags.forceConflicts
//     options.defaultNamespace = cluster.namespace                               // objects carry their own namespace
//     options.skipPreflight = flags.skipPreflight                                // --skip-preflight
//     let applier = Applier(client: client, options: options)
//     let report = applier.apply(objects) { event in                           // called serially, objects in apply order
//         if let line = event.line(dryRun: options.dryRun) { print(line) }     // "virtualmachine.kubevirt.io/web-1 created"
//     }
//     print(report.summary); exit(report.exitCode)                             // 0 ok, 1 failure
//
//     let diff = applier.diff(objects)                                         // server-side dry run vs live
//     print(diff.text, terminator: ""); exit(diff.exitCode)                   // 0 no change, 1 changes, 2 error
//
// Nothing here prints, exits or reads global state other than the kubeconfig files and the
// environment passed in. Events never contain Secret data, tokens or keys: errors carry the
// server's Status message (which names fields, not values), diffs mask Secret data.
//
// Semantics:
// - Preflight (Preflight.swift; unless `skipPreflight`): read-only checks before the first write —
//   kinds served, namespaces exist or are created here, the macvtap binding plugin registered in
//   the KubeVirt CR, device-plugin resources advertised by a node each VM can run on. Errors
//   stop the run with nothing written (all of them in `ApplyReport.preflight` and the summary);
//   warnings (e.g. a 403 on a read) are delivered as `.preflightWarning` events and the run goes on.
// - Order: Namespace → Secret → NodeNetworkConfigurationPolicy (with `wait`: until Available=True;
//   Degraded=True fails) → NetworkAttachmentDefinition → VirtualMachine (with `wait`: until Ready=True,
//   only VMs meant to run). Within a kind, up to `concurrency` requests run in parallel; events
//   are still delivered in input order.
// - Each object: GET (404 = new), then PATCH `application/apply-patch+yaml` with
//   `fieldManager`, `fieldValidation=Strict`, `force=true` only with `forceConflicts`,
//   `dryRun=All` with `dryRun`. created = it did not exist; unchanged = the server kept the
//   resourceVersion (a no-op apply is not written); configured = otherwise. In dry-run mode
//   (nothing is written, the resourceVersion never moves) the dry-run result is compared with
//   the live object instead, with server-managed fields removed.
// - Failures: 429 (Retry-After honoured), 5xx, connection failures, timeouts and 2xx answers
//   cut short (not valid JSON) are retried by `KubeClient` with capped exponential backoff; a 500
//   saying "failed to create typed patch object"/"field not declared in schema" is permanent, and
//   so is a 409 conflict (the summary adds a `hint:`). The first non-retryable failure stops the
//   run: requests already in flight finish, nothing new starts; the report lists exactly what
//   the server confirmed, what was not applied, and (`unconfirmed`) failed writes whose answer
//   was lost, which the server may hold. A 401 that a re-read credential does not cure stops the
//   client at once (later requests fail unsent) and names the credentials (`credentialSource`).
//   Re-running converges (apply is idempotent).
// - Prune (after a fully successful apply): list every kind with
//   `labelSelector=wukong.dev/topology=<name>` (namespaced kinds in the objects' namespaces,
//   cluster-scoped kinds cluster-wide), report those not in the new set, then delete them in
//   reverse apply order (VMs first). Honours dry run.
import Foundation
import WukongKubernetes
import WukongParallel

public struct ApplyOptions: Sendable {
    public var fieldManager = "wukongc"
    public var forceConflicts = false
    /// `--dry-run server`: every write is sent with `dryRun=All`.
    ///
    /// A namespace this run creates does not exist during a dry run, so the server rejects every
    /// object going there with `namespaces "x" not found`. Those objects are still sent (with
    /// `dryRun=All`): the API server decodes and checks the object (strict field validation)
    /// before its namespace admission plugin refuses it, so the answer "namespace not found" for a
    /// namespace the run creates means "would be created, as far as the server could check without
    /// the namespace". They are reported `created` and marked `AppliedObject.inNewNamespace`
    /// (admission webhooks did not run for them; the summary says so), rather than reported
    /// created without being sent or failed for a namespace the real apply creates first.
    public var dryRun = false
    /// Skip the preflight checks against the cluster (Preflight.swift; `--skip-preflight`).
    public var skipPreflight = false
    public var wait = false
    /// Seconds for the whole run including waits (`--timeout`).
    public var timeout: Double = 300
    /// Seconds between status polls while waiting.
    public var pollInterval: Double = 2
    /// Requests in flight at once.
    public var concurrency = 8
    public var prune = false
    /// The topology label value used by prune; default: the objects' `wukong.dev/topology` label.
    public var topology: String?
    /// Namespace for namespaced objects that carry none (the kubeconfig context's), else `default`.
    public var defaultNamespace: String?
    /// Page size of the LIST requests prune makes (`limit`, followed by `continue`).
    public var listPageSize = 500
    public init() {}
}

public let topologyLabel = "wukong.dev/topology"

public enum ApplyAction: String, Sendable {
    case created, configured, unchanged
}

/// What happened, delivered to the caller while the run progresses.
public enum ApplyEvent: Sendable {
    case applied(ObjectRef, ApplyAction)
    case failed(ObjectRef, APIError)
    /// A transient failure; the request is retried after `notice.delay` seconds.
    case retrying(ObjectRef, RetryNotice)
    case waiting(ObjectRef, condition: String)
    case ready(ObjectRef, condition: String)
    /// An object that prune will delete (all are listed before the first deletion).
    case pruneCandidate(ObjectRef)
    case pruned(ObjectRef)
    /// Objects finished so far (for a progress bar).
    case progress(done: Int, total: Int)
    /// A preflight check that could not be made or found something doubtful; the run goes on.
    /// (Preflight errors are not events: they end the run and are listed in the report.)
    case preflightWarning(PreflightFinding)

    /// The kubectl-style line for this event, or nil for events that are not printed per line.
    public func line(dryRun: Bool) -> String? {
        let suffix = dryRun ? " (server dry run)" : ""
        switch self {
        case .applied(let r, let a): return "\(r) \(a.rawValue)\(suffix)"
        case .failed(let r, let e): return "\(r) failed: \(e)"
        case .retrying(let r, let n):
            return "\(r): \(n.reason), retrying in \(String(format: "%.1f", n.delay))s (attempt \(n.attempt + 1))"
        case .waiting(let r, let c): return "\(r) waiting for condition \(c)"
        case .ready(let r, let c): return "\(r) condition met (\(c))"
        case .pruneCandidate(let r): return "\(r) will be pruned\(suffix)"
        case .pruned(let r): return "\(r) pruned\(suffix)"
        case .progress: return nil
        case .preflightWarning(let f): return "warning: preflight: \(f)"
        }
    }
}

public struct AppliedObject: Sendable {
    public var object: ObjectRef
    public var action: ApplyAction
    /// Dry run only: the object goes to a namespace this run creates, so the server refused it
    /// for the missing namespace after checking its fields, before admission (see `ApplyOptions.dryRun`).
    public var inNewNamespace = false
}

public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
    public enum Stage: String, Sendable { case preflight, apply, wait, prune }
    /// nil when the failure concerns the whole run (e.g. listing for prune).
    public var object: ObjectRef?
    public var stage: Stage
    public var error: APIError
    public var description: String {
        (object.map { "\($0.qualified): " } ?? "") + "\(stage.rawValue) failed: \(error)"
    }
    /// The failure a report names: the first, unless it is a request refused unsent because a
    /// later one met a 401 (then that one, the cause).
    static func cause(_ first: ApplyFailure?, _ next: ApplyFailure) -> ApplyFailure {
        guard let first else { return next }
        return first.error.notSent && !next.error.notSent ? next : first
    }

    /// What the user can do about it, when the failure says.
    public var hint: String? {
        if error.isFieldManagerConflict {
            let managers = error.conflictingManagers.map { "`\($0)`" }.joined(separator: ", ")
            return "another field manager (\(managers)) owns these fields; re-run with --force-conflicts to take them over, "
                + "or remove them from the topology to leave them to \(error.conflictingManagers.count == 1 ? "it" : "them")"
        }
        if error.kind == .unauthorized && error.rejectedCredentials != nil {
            return "renew those credentials (or pick another context with --context) and re-run; nothing after the 401 was sent"
        }
        return nil
    }
}

public struct ApplyReport: Sendable {
    public var dryRun: Bool
    /// Objects the server accepted, in apply order.
    public var applied: [AppliedObject] = []
    /// Objects never sent (or whose request failed), in apply order; empty on success.
    public var notApplied: [ObjectRef] = []
    /// The objects of `notApplied` whose apply may have reached the server: their request failed
    /// after an answer was lost (connection broken after sending, timeout, body cut short), so the
    /// server may hold them. Re-running converges either way.
    public var unconfirmed: [ObjectRef] = []
    public var pruned: [ObjectRef] = []
    public var failure: ApplyFailure?
    /// Everything the preflight found (errors and warnings), in check order.
    public var preflight: [PreflightFinding] = []

    public var succeeded: Bool { failure == nil }
    public var exitCode: Int32 { failure == nil ? 0 : 1 }

    public func count(_ a: ApplyAction) -> Int { applied.filter { $0.action == a }.count }

    /// One line (two more on failure) for the end of the run.
    public var summary: String {
        var parts = ["\(count(.created)) created", "\(count(.configured)) configured", "\(count(.unchanged)) unchanged"]
        if !pruned.isEmpty { parts.append("\(pruned.count) pruned") }
        var s = parts.joined(separator: ", ") + (dryRun ? " (server dry run)" : "")
        let pending = applied.filter(\.inNewNamespace).count
        if pending > 0 {
            s += "; \(pending) object\(pending == 1 ? "" : "s") in namespaces this apply creates: fields checked by the server, admission not run (no namespace yet)"
        }
        let preflightErrors = preflight.filter { $0.severity == .error }
        if let failure, failure.stage == .preflight, !preflightErrors.isEmpty {
            let n = preflightErrors.count
            return "error: preflight failed (\(n) problem\(n == 1 ? "" : "s")); nothing was applied (--skip-preflight applies anyway):\n"
                + preflightErrors.map { "  - \($0)\n" }.joined() + s
        }
        if let failure {
            s = "error: \(failure)\n" + s
            s += "\napplied \(applied.count) of \(applied.count + notApplied.count) objects"
            if !notApplied.isEmpty {
                let shown = notApplied.prefix(10).map(\.qualified).joined(separator: ", ")
                s += "; not applied: \(shown)" + (notApplied.count > 10 ? " and \(notApplied.count - 10) more" : "")
            }
            if !unconfirmed.isEmpty {
                s += "\nunconfirmed: \(unconfirmed.map(\.qualified).joined(separator: ", ")): the answer was lost, the server may have applied "
                    + (unconfirmed.count == 1 ? "it" : "them") + " (re-run to converge)"
            }
            if let hint = failure.hint { s += "\nhint: \(hint)" }
        }
        return s
    }
}

public struct DiffEntry: Sendable {
    public var object: ObjectRef
    public var isNew: Bool
    /// Unified diff (empty when unchanged).
    public var text: String
}

public struct DiffReport: Sendable {
    public var entries: [DiffEntry] = []
    public var failures: [ApplyFailure] = []
    public var text: String { entries.map(\.text).joined() }
    public var hasChanges: Bool { entries.contains { !$0.text.isEmpty } }
    /// 0 no change, 1 changes, 2 error.
    public var exitCode: Int32 { !failures.isEmpty ? 2 : (hasChanges ? 1 : 0) }
}

/// Applies, diffs and prunes objects through one `KubeClient`.
public final class Applier: Sendable {
    public let client: KubeClient
    public let options: ApplyOptions

    public init(client: KubeClient, options: ApplyOptions) {
        self.client = client; self.options = options
    }

    struct Item: Sendable {
        var object: KubeObject
        var type: ResourceType
        var namespace: String?
        var ref: ObjectRef
        var path: String
    }

    /// Checks kinds and names and sorts into apply order (stable within a kind).
    func plan(_ objects: [KubeObject]) -> Result<[Item], ApplyFailure> {
        var items: [Item] = []
        var seen: Set<String> = []
        for o in objects {
            let ref = ObjectRef(o)
            guard let type = ResourceType.lookup(apiVersion: o.apiVersion, kind: o.kind) else {
                return .failure(ApplyFailure(object: ref, stage: .preflight, error: APIError(
                    kind: .config, message: "kind `\(o.kind)` of `\(o.apiVersion)` is not one wukongc applies")))
            }
            guard !o.name.isEmpty else {
                return .failure(ApplyFailure(object: ref, stage: .preflight, error: APIError(kind: .config, message: "object has no name")))
            }
            let ns = type.namespaced ? (o.namespace ?? options.defaultNamespace ?? "default") : nil
            guard seen.insert("\(type.kind)|\(ns ?? "")|\(o.name)").inserted else {
                return .failure(ApplyFailure(object: ref, stage: .preflight, error: APIError(
                    kind: .config, message: "the object appears twice in the set to apply")))
            }
            var r = ref
            r.namespace = ns
            items.append(Item(object: o, type: type, namespace: ns, ref: r, path: type.objectPath(namespace: ns, name: o.name)))
        }
        let sorted = items.enumerated().sorted { ($0.element.type.phase, $0.offset) < ($1.element.type.phase, $1.offset) }.map(\.element)
        return .success(sorted)
    }

    func applyQuery(dryRun: Bool) -> String {
        var q = "?fieldManager=\(percentEncode(options.fieldManager))&fieldValidation=Strict"
        if options.forceConflicts { q += "&force=true" }
        if dryRun { q += "&dryRun=All" }
        return q
    }

    struct Outcome: Sendable {
        var action: ApplyAction
        var inNewNamespace = false
    }

    /// GET then apply-PATCH of one object. `newNamespaces`: the Namespace objects of this run
    /// found absent (recorded here; a dry run consults it, see `ApplyOptions.dryRun`).
    func applyOne(_ item: Item, newNamespaces: Locked<Set<String>>, emit: @Sendable (ApplyEvent) -> Void) -> Result<Outcome, APIError> {
        let onRetry: (RetryNotice) -> Void = { emit(.retrying(item.ref, $0)) }
        let live: KubeValue?
        switch client.get(item.path, onRetry: onRetry) {
        case .failure(let e): return .failure(e)
        case .success(let v): live = v
        }
        if item.type.kind == "Namespace" && live == nil { newNamespaces.withLock { _ = $0.insert(item.object.name) } }
        let request = HTTPRequest(method: "PATCH", path: item.path + applyQuery(dryRun: options.dryRun),
                                  body: KubeJSON.encode(item.object.body), contentType: "application/apply-patch+yaml")
        let result: KubeValue
        switch client.sendJSON(request, onRetry: onRetry) {
        case .failure(let e): return .failure(e)
        case .success((let response, nil)):  // 404
            let error = APIError.from(response: response)
            if options.dryRun, live == nil, let ns = item.namespace, Applier.isNamespaceNotFound(error, ns),
               newNamespaces.withLock({ $0.contains(ns) }) {
                return .success(Outcome(action: .created, inNewNamespace: true))
            }
            return .failure(error)
        case .success((_, let v?)): result = v
        }
        guard let live else { return .success(Outcome(action: .created)) }
        if options.dryRun {
            return .success(Outcome(action: ObjectNormalizer.strip(live) == ObjectNormalizer.strip(result) ? .unchanged : .configured))
        }
        let before = live.at("metadata", "resourceVersion")?.stringValue
        let after = result.at("metadata", "resourceVersion")?.stringValue
        return .success(Outcome(action: before != nil && before == after ? .unchanged : .configured))
    }

    /// The API server's answer for an object whose namespace does not exist (NamespaceLifecycle).
    static func isNamespaceNotFound(_ error: APIError, _ namespace: String) -> Bool {
        error.kind == .notFound && error.message == "namespaces \"\(namespace)\" not found"
    }

    /// Runs `work` over `count` items on up to `concurrency` threads. Stops handing out new items
    /// after the first failure. Returns the results of the items that ran (a prefix, by index).
    func runParallel<T: Sendable>(count: Int, work: @escaping @Sendable (Int) -> Result<T, APIError>,
                                  completed: @escaping @Sendable (Int, Result<T, APIError>) -> Void)
        -> [Result<T, APIError>] {
        let state = Locked(RunState<T>(results: Array(repeating: nil, count: count)))
        let workers = max(1, min(options.concurrency, count))
        Parallel.run(workers, stackSize: 1 << 20) { _ in
            while true {
                let index: Int? = state.withLock { s in
                    guard !s.stop, s.next < count else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let index else { break }
                let r = work(index)
                state.withLock { s in
                    s.results[index] = r
                    if case .failure = r { s.stop = true }
                }
                completed(index, r)
            }
        }
        return state.withLock { s in
            var out: [Result<T, APIError>] = []
            for r in s.results { guard let r else { break }; out.append(r) }
            return out
        }
    }

    struct RunState<T> { var next = 0; var stop = false; var results: [Result<T, APIError>?] }

    /// Serialises event delivery and releases per-object events in input order.
    final class Emitter: Sendable {
        let sink: @Sendable (ApplyEvent) -> Void
        private let lock = NSLock()
        init(_ sink: @escaping @Sendable (ApplyEvent) -> Void) { self.sink = sink }
        func emit(_ e: ApplyEvent) { lock.lock(); sink(e); lock.unlock() }
        /// Runs `body` while holding the delivery lock (events stay serialised and ordered).
        func withLock(_ body: () -> Void) { lock.lock(); body(); lock.unlock() }
        /// Ordered release: events for index i wait until all lower indices have been released.
        private let pending = Locked<(next: Int, events: [Int: [ApplyEvent]])>((0, [:]))
        func reset() { pending.withLock { $0 = (0, [:]) } }
        func release(_ index: Int, _ events: [ApplyEvent]) {
            lock.lock()
            defer { lock.unlock() }
            let ready: [ApplyEvent] = pending.withLock { p in
                p.events[index] = events
                var out: [ApplyEvent] = []
                while let e = p.events.removeValue(forKey: p.next) { out += e; p.next += 1 }
                return out
            }
            for e in ready { sink(e) }
        }
        /// Releases whatever is buffered (after a stop left gaps), in index order.
        func flush() {
            lock.lock()
            defer { lock.unlock() }
            let rest: [ApplyEvent] = pending.withLock { p in
                let keys = p.events.keys.sorted()
                let out = keys.flatMap { p.events[$0] ?? [] }
                p.events = [:]
                return out
            }
            for e in rest { sink(e) }
        }
    }

    /// Applies `objects` (in the documented order), then waits and prunes as the options say.
    public func apply(_ objects: [KubeObject], events: @escaping @Sendable (ApplyEvent) -> Void = { _ in }) -> ApplyReport {
        var report = ApplyReport(dryRun: options.dryRun)
        client.resetRejection()
        let items: [Item]
        switch plan(objects) {
        case .failure(let f):
            report.failure = f
            report.notApplied = objects.map(ObjectRef.init)
            return report
        case .success(let i): items = i
        }
        let deadline = Date().addingTimeInterval(options.timeout)
        let emitter = Emitter(events)
        if !options.skipPreflight {
            let result = preflight(items) { emitter.emit(.preflightWarning($0)) }
            report.preflight = result.findings
            if let f = result.failure ?? result.errors.first.map({ first in
                ApplyFailure(object: first.object, stage: .preflight, error: APIError(kind: first.check == .api ? .notFound : .config,
                                                                                        message: first.message + (first.fix.map { "; \($0)" } ?? "")))
            }) {
                report.failure = f
                report.notApplied = items.map(\.ref)
                return report
            }
        }
        let newNamespaces = Locked<Set<String>>([])
        let total = items.count
        let done = Locked(0)
        var start = 0
        while start < items.count {
            let phase = items[start].type.phase
            var end = start
            while end < items.count && items[end].type.phase == phase { end += 1 }
            let batch = Array(items[start..<end])
            emitter.reset()
            let results = runParallel(count: batch.count, work: { [self] i in
                applyOne(batch[i], newNamespaces: newNamespaces, emit: emitter.emit)
            }, completed: { i, r in
                switch r {
                case .success(let o): emitter.release(i, [.applied(batch[i].ref, o.action)])
                case .failure(let e): emitter.release(i, [.failed(batch[i].ref, e)])
                }
                emitter.withLock {
                    let n = done.withLock { $0 += 1; return $0 }
                    emitter.sink(.progress(done: n, total: total))
                }
            })
            emitter.flush()
            for (i, r) in results.enumerated() {
                switch r {
                case .success(let o):
                    report.applied.append(AppliedObject(object: batch[i].ref, action: o.action, inNewNamespace: o.inNewNamespace))
                case .failure(let e):
                    report.failure = ApplyFailure.cause(report.failure, ApplyFailure(object: batch[i].ref, stage: .apply, error: e))
                    report.notApplied.append(batch[i].ref)
                    if e.answerLost { report.unconfirmed.append(batch[i].ref) }
                }
            }
            if report.failure != nil {
                report.notApplied += items[(start + results.count)...].map(\.ref)
                return report
            }
            if options.wait && !options.dryRun {
                if let f = waitFor(batch, deadline: deadline, emitter: emitter) {
                    report.failure = f
                    report.notApplied = items[end...].map(\.ref)
                    return report
                }
            }
            start = end
        }
        if options.prune {
            prune(items, report: &report, emitter: emitter)
        }
        return report
    }

    /// The condition to wait for, or nil when the object is not waited on.
    static func waitCondition(_ item: Item) -> String? {
        switch item.type.kind {
        case "NodeNetworkConfigurationPolicy": return "Available"
        case "VirtualMachine":
            let spec = item.object.body["spec"]
            if let rs = spec?["runStrategy"]?.stringValue { return rs == "Halted" || rs == "Manual" ? nil : "Ready" }
            if case .bool(false)? = spec?["running"] { return nil }
            return "Ready"
        default: return nil
        }
    }

    enum WaitState: Sendable { case ready, pending, degraded(String) }

    func waitFor(_ batch: [Item], deadline: Date, emitter: Emitter) -> ApplyFailure? {
        var pending = batch.compactMap { item in Applier.waitCondition(item).map { (item, $0) } }
        for (item, c) in pending { emitter.emit(.waiting(item.ref, condition: c)) }
        while !pending.isEmpty {
            // One poll round: every pending object, concurrently (large fleets wait in parallel).
            let round = pending
            let results = runParallel(count: round.count, work: { [self] i -> Result<WaitState, APIError> in
                let (item, condition) = round[i]
                switch client.get(item.path, onRetry: { emitter.emit(.retrying(item.ref, $0)) }) {
                case .failure(let e): return .failure(e)
                case .success(nil):
                    return .failure(APIError(kind: .notFound, httpStatus: 404, message: "object disappeared while waiting"))
                case .success(let v?):
                    if v.condition(condition) == "True" { return .success(.ready) }
                    if condition == "Available", v.condition("Degraded") == "True" {
                        return .success(.degraded(v.conditionMessage("Degraded") ?? ""))
                    }
                    return .success(.pending)
                }
            }, completed: { _, _ in })
            var still: [(Item, String)] = []
            var failure: ApplyFailure? = nil
            for (i, r) in results.enumerated() {
                if case .failure(let e) = r { failure = ApplyFailure.cause(failure, ApplyFailure(object: round[i].0.ref, stage: .wait, error: e)) }
            }
            if let failure { return failure }
            for (i, r) in results.enumerated() {
                let (item, condition) = round[i]
                switch r {
                case .failure: break
                case .success(.ready): emitter.emit(.ready(item.ref, condition: condition))
                case .success(.degraded(let why)):
                    return ApplyFailure(object: item.ref, stage: .wait, error: APIError(
                        kind: .other, reason: "Degraded", message: "policy is Degraded" + (why.isEmpty ? "" : ": \(why)")))
                case .success(.pending): still.append((item, condition))
                }
            }
            pending = still
            if pending.isEmpty { break }
            if Date() >= deadline {
                let (item, c) = pending[0]
                return ApplyFailure(object: item.ref, stage: .wait, error: APIError(
                    kind: .timeout, message: "timed out waiting for condition \(c) (\(pending.count) object(s) not ready)"))
            }
            Thread.sleep(forTimeInterval: max(0, min(options.pollInterval, deadline.timeIntervalSinceNow)))
        }
        return nil
    }

    func topologyName(_ items: [Item]) -> String? {
        if let t = options.topology { return t }
        for item in items {
            if let v = item.object.body.at("metadata", "labels", topologyLabel)?.stringValue { return v }
        }
        return nil
    }

    /// Lists the labelled objects of our kinds that `items` no longer contains.
    func pruneCandidates(_ items: [Item]) -> Result<[(ObjectRef, String)], ApplyFailure> {
        guard let topo = topologyName(items) else {
            return .failure(ApplyFailure(object: nil, stage: .prune, error: APIError(
                kind: .config, message: "prune needs the topology name: no object carries the `\(topologyLabel)` label")))
        }
        var keep: Set<String> = []
        var namespaces: [String] = []
        for item in items {
            keep.insert("\(item.type.kind)|\(item.namespace ?? "")|\(item.object.name)")
            if let ns = item.namespace, !namespaces.contains(ns) { namespaces.append(ns) }
        }
        if namespaces.isEmpty { namespaces = [options.defaultNamespace ?? "default"] }
        let selector = "labelSelector=" + percentEncode("\(topologyLabel)=\(topo)")
        var out: [(ObjectRef, String)] = []
        for type in ResourceType.all.reversed() {
            for ns in type.namespaced ? namespaces.map(Optional.some) : [nil] {
                switch client.listAll(type.collectionPath(namespace: ns), query: selector, pageSize: options.listPageSize) {
                case .failure(let e): return .failure(ApplyFailure(object: nil, stage: .prune, error: e))
                case .success(nil): continue  // kind not served (CRD absent): nothing to prune
                case .success(let items?):
                    for obj in items {
                        guard let name = obj.at("metadata", "name")?.stringValue else { continue }
                        let objNS = obj.at("metadata", "namespace")?.stringValue ?? ns
                        if keep.contains("\(type.kind)|\(type.namespaced ? objNS ?? "" : "")|\(name)") { continue }
                        let ref = ObjectRef(apiVersion: type.apiVersion, kind: type.kind, name: name, namespace: type.namespaced ? objNS : nil)
                        out.append((ref, type.objectPath(namespace: type.namespaced ? objNS : nil, name: name)))
                    }
                }
            }
        }
        return .success(out)
    }

    func prune(_ items: [Item], report: inout ApplyReport, emitter: Emitter) {
        let candidates: [(ObjectRef, String)]
        switch pruneCandidates(items) {
        case .failure(let f): report.failure = f; return
        case .success(let c): candidates = c
        }
        for (ref, _) in candidates { emitter.emit(.pruneCandidate(ref)) }
        // Delete kind by kind in reverse apply order (the candidates are grouped that way).
        var start = 0
        while start < candidates.count {
            var end = start
            while end < candidates.count && candidates[end].0.kind == candidates[start].0.kind { end += 1 }
            let batch = Array(candidates[start..<end])
            emitter.reset()
            let q = "?propagationPolicy=Background" + (options.dryRun ? "&dryRun=All" : "")
            let results = runParallel(count: batch.count, work: { [self] i -> Result<Void, APIError> in
                let (ref, path) = batch[i]
                switch client.send(HTTPRequest(method: "DELETE", path: path + q), onRetry: { emitter.emit(.retrying(ref, $0)) }) {
                case .failure(let e): return .failure(e)
                case .success: return .success(())  // 404: already gone
                }
            }, completed: { i, r in
                switch r {
                case .success: emitter.release(i, [.pruned(batch[i].0)])
                case .failure(let e): emitter.release(i, [.failed(batch[i].0, e)])
                }
            })
            emitter.flush()
            for (i, r) in results.enumerated() {
                switch r {
                case .success: report.pruned.append(batch[i].0)
                case .failure(let e):
                    report.failure = ApplyFailure.cause(report.failure, ApplyFailure(object: batch[i].0, stage: .prune, error: e))
                }
            }
            if report.failure != nil { return }
            start = end
        }
    }

    /// Server-side dry run of every object compared with the live object.
    public func diff(_ objects: [KubeObject]) -> DiffReport {
        var report = DiffReport()
        client.resetRejection()
        let items: [Item]
        switch plan(objects) {
        case .failure(let f): report.failures = [f]; return report
        case .success(let i): items = i
        }
        let newNamespaces = Locked<Set<String>>([])
        let results = Locked<[Result<DiffEntry, APIError>?]>(Array(repeating: nil, count: items.count))
        // Namespaces first (others may live in a namespace that does not exist yet).
        let nsCount = items.prefix { $0.type.kind == "Namespace" }.count
        for range in [0..<nsCount, nsCount..<items.count] where !range.isEmpty {
            let slice = Array(items[range])
            let next = Locked(0)
            Parallel.run(max(1, min(options.concurrency, slice.count)), stackSize: 1 << 20) { _ in
                while let i = next.withLock({ n -> Int? in n < slice.count ? { n += 1; return n - 1 }() : nil }) {
                    let r = self.diffOne(slice[i], newNamespaces: newNamespaces)
                    results.withLock { $0[range.lowerBound + i] = r }
                }
            }
        }
        var unsent = 0
        for (i, r) in results.withLock({ $0 }).enumerated() {
            switch r {
            case .success(let e)?: report.entries.append(e)
            case .failure(let e)? where e.notSent: unsent += 1
            case .failure(let e)?: report.failures.append(ApplyFailure(object: items[i].ref, stage: .apply, error: e))
            case nil: break
            }
        }
        if unsent > 0 {  // one line for them, not one per object
            report.failures.append(ApplyFailure(object: nil, stage: .apply, error: APIError(
                kind: .unauthorized, message: "\(unsent) more object\(unsent == 1 ? "" : "s") not diffed: the credentials were rejected (HTTP 401)")))
        }
        return report
    }

    func diffOne(_ item: Item, newNamespaces: Locked<Set<String>>) -> Result<DiffEntry, APIError> {
        let live: KubeValue?
        switch client.get(item.path) {
        case .failure(let e): return .failure(e)
        case .success(let v): live = v
        }
        if item.type.kind == "Namespace" && live == nil { newNamespaces.withLock { _ = $0.insert(item.object.name) } }
        let request = HTTPRequest(method: "PATCH", path: item.path + applyQuery(dryRun: true),
                                  body: KubeJSON.encode(item.object.body), contentType: "application/apply-patch+yaml")
        var merged: KubeValue
        switch client.sendJSON(request) {
        case .failure(let e): return .failure(e)
        case .success((let r, nil)):
            // The namespace is created by this same apply: the dry run cannot see it yet
            // (any other 404, e.g. a kind not served, is an error).
            let error = APIError.from(response: r)
            guard let ns = item.namespace, Applier.isNamespaceNotFound(error, ns), newNamespaces.withLock({ $0.contains(ns) }) else {
                return .failure(error)
            }
            merged = item.object.body
        case .success((_, let v?)): merged = v
        }
        merged = ObjectNormalizer.strip(merged)
        let liveStripped = live.map(ObjectNormalizer.strip)
        let (l, m) = ObjectNormalizer.redactSecrets(live: liveStripped, merged: merged)
        let name = item.ref.qualified
        let text = UnifiedDiff.diff(old: l.map(YAMLText.render) ?? "", new: m.map(YAMLText.render) ?? "",
                                    oldName: "live/\(name)", newName: "merged/\(name)")
        return .success(DiffEntry(object: item.ref, isNew: live == nil, text: text))
    }
}
