// The REST layer: resource paths for our kinds, API `Status` errors, and a Kubernetes client
// that retries what is worth retrying (429 with Retry-After, 5xx, connection failures, timeouts,
// 2xx answers cut short) with capped exponential backoff, and stops sending at the first 401 it
// cannot cure (a tokenFile / exec credential is fetched once more; only a changed one is re-sent).
import Foundation
import WukongKubernetes

/// A kind wukongc applies, with its REST coordinates (hard-coded, DOMAIN.md §5: no discovery).
public struct ResourceType: Sendable, Equatable {
    public var group: String
    public var version: String
    public var kind: String
    public var plural: String
    public var namespaced: Bool
    /// Apply phase: objects are applied phase by phase in this order.
    public var phase: Int

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// kubectl's name for the kind in output lines: `virtualmachine.kubevirt.io`, `secret`.
    public var displayKind: String { group.isEmpty ? kind.lowercased() : "\(kind.lowercased()).\(group)" }

    public static let namespace = ResourceType(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, phase: 0)
    public static let secret = ResourceType(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, phase: 1)
    public static let nodeNetworkConfigurationPolicy = ResourceType(
        group: "nmstate.io", version: "v1", kind: "NodeNetworkConfigurationPolicy",
        plural: "nodenetworkconfigurationpolicies", namespaced: false, phase: 2)
    public static let networkAttachmentDefinition = ResourceType(
        group: "k8s.cni.cncf.io", version: "v1", kind: "NetworkAttachmentDefinition",
        plural: "network-attachment-definitions", namespaced: true, phase: 3)
    /// `ovn_networks = "cudn"` (docs/networks-reference.md): before the VMs, like the NADs.
    public static let clusterUserDefinedNetwork = ResourceType(
        group: "k8s.ovn.org", version: "v1", kind: "ClusterUserDefinedNetwork",
        plural: "clusteruserdefinednetworks", namespaced: false, phase: 3)
    public static let virtualMachine = ResourceType(group: "kubevirt.io", version: "v1", kind: "VirtualMachine",
                                                    plural: "virtualmachines", namespaced: true, phase: 4)

    /// Read by the preflight only (never applied).
    public static let kubevirt = ResourceType(group: "kubevirt.io", version: "v1", kind: "KubeVirt", plural: "kubevirts",
                                              namespaced: true, phase: 99)
    public static let node = ResourceType(group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false, phase: 99)

    /// The kinds wukongc applies, in apply order.
    public static let all: [ResourceType] = [.namespace, .secret, .nodeNetworkConfigurationPolicy, .networkAttachmentDefinition,
                                             .clusterUserDefinedNetwork, .virtualMachine]

    public static func lookup(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// `/api/v1` or `/apis/<group>/<version>`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(groupVersionPath)/namespaces/\(percentEncode(namespace))/\(plural)" }
        return "\(groupVersionPath)/\(plural)"
    }

    public func objectPath(namespace: String?, name: String) -> String {
        collectionPath(namespace: namespace) + "/" + percentEncode(name)
    }
}

func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let hex = Array("0123456789ABCDEF")
            out.append("%"); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
        }
    }
    return out
}

/// An object as reported to the user: `virtualmachine.kubevirt.io/web-1` (namespace kept apart).
public struct ObjectRef: Sendable, Hashable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String?
    public init(apiVersion: String, kind: String, name: String, namespace: String?) {
        self.apiVersion = apiVersion; self.kind = kind; self.name = name; self.namespace = namespace
    }
    public init(_ o: KubeObject) { self.init(apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.namespace) }

    /// `virtualmachine.kubevirt.io/web-1`, as kubectl prints it.
    public var description: String {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return (group.isEmpty ? kind.lowercased() : "\(kind.lowercased()).\(group)") + "/" + name
    }
    /// `ns/virtualmachine.kubevirt.io/web-1` style key with the namespace, for unambiguous reports.
    public var qualified: String { namespace.map { "\($0)/\(description)" } ?? description }
}

/// A failed request, as the user should see it. Never contains request bodies or credentials.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case conflict, invalid, notFound, unauthorized, forbidden, tooManyRequests, server, transport, timeout
        /// A 2xx whose body is not the JSON the API promises (cut short on the way): retried.
        case badResponse
        case config, other
    }
    public struct Cause: Sendable, Equatable {
        public var type: String
        public var field: String
        public var message: String
        /// For a field-manager conflict: the manager that owns `field`.
        public var manager: String?
    }
    public var kind: Kind
    public var httpStatus: Int?
    /// The Status `reason` (Conflict, Invalid, NotFound, ...).
    public var reason: String?
    public var message: String
    public var causes: [Cause] = []
    public var attempts: Int = 1
    /// A write whose answer was lost at least once (the connection broke after the request went
    /// out, a timeout, a 2xx body cut short): the server may have applied it although it failed.
    public var answerLost = false
    /// 401 only: the credentials the server rejected (kubeconfig, context, user, and the token,
    /// token file, exec plugin or client certificate), so the user knows what to renew.
    public var rejectedCredentials: String?
    /// Never sent: an earlier request of this client had its credentials rejected (HTTP 401).
    public var notSent = false

    public init(kind: Kind, httpStatus: Int? = nil, reason: String? = nil, message: String, causes: [Cause] = []) {
        self.kind = kind; self.httpStatus = httpStatus; self.reason = reason; self.message = message; self.causes = causes
    }

    /// The fields named by the error (from `details.causes`, or the schema error's path).
    public var fields: [String] {
        var out = causes.map(\.field).filter { !$0.isEmpty }
        if out.isEmpty, let r = message.range(of: ": .", options: .backwards) {
            let tail = message[message.index(after: r.lowerBound)...].trimmingCharacters(in: .whitespaces)
            if let path = tail.split(separator: ":").first { out.append(String(path)) }
        }
        return out
    }

    /// The managers owning conflicting fields.
    public var conflictingManagers: [String] {
        var seen: [String] = []
        for c in causes { if let m = c.manager, !seen.contains(m) { seen.append(m) } }
        return seen
    }

    public var description: String {
        if notSent { return "not sent: the credentials were rejected (HTTP 401) on an earlier request" }
        var s = message
        if kind == .conflict && !causes.isEmpty {
            let parts = causes.map { c in c.manager.map { "\(c.field) is owned by `\($0)`" } ?? c.field }
            s = "conflict: " + parts.joined(separator: ", ")
        }
        if let httpStatus { s += " (HTTP \(httpStatus)\(reason.map { " \($0)" } ?? ""))" }
        if attempts > 1 { s += " after \(attempts) attempts" }
        if let rejectedCredentials { s += "; the server rejected \(rejectedCredentials)" }
        return s
    }

    /// A field-manager conflict of server-side apply (409 with `FieldManagerConflict` causes).
    public var isFieldManagerConflict: Bool {
        kind == .conflict && causes.contains { $0.type == "FieldManagerConflict" }
    }

    /// Builds the error from a non-2xx response (a `Status` body when the server sent one).
    static func from(response: HTTPResponse) -> APIError {
        let status = try? KubeJSON.decode(response.body)
        var message = status?["message"]?.stringValue ?? ""
        if message.isEmpty {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty || status != nil ? "the server answered HTTP \(response.status)" : text
        }
        let reason = status?["reason"]?.stringValue
        var causes: [Cause] = []
        for c in status?.at("details", "causes")?.listValue ?? [] {
            let type = c["type"]?.stringValue ?? c["reason"]?.stringValue ?? ""
            let msg = c["message"]?.stringValue ?? ""
            var manager: String? = nil
            if type == "FieldManagerConflict", let r = msg.range(of: "conflict with \"") {
                let rest = msg[r.upperBound...]
                if let end = rest.firstIndex(of: "\"") { manager = String(rest[..<end]) }
            }
            causes.append(Cause(type: type, field: c["field"]?.stringValue ?? "", message: msg, manager: manager))
        }
        let kind: Kind
        switch response.status {
        case 400, 422: kind = .invalid
        case 401: kind = .unauthorized
        case 403: kind = .forbidden
        case 404: kind = .notFound
        case 409: kind = .conflict
        case 429: kind = .tooManyRequests
        case 500...599: kind = .server
        default: kind = .other
        }
        return APIError(kind: kind, httpStatus: response.status, reason: reason, message: message, causes: causes)
    }

    /// A 5xx that will fail the same way every time: the server could not even build the typed
    /// object (kube-apiserver answers SSA of an unknown CR field this way, with HTTP 500).
    public var isPermanent: Bool {
        message.contains("failed to create typed patch object") || message.contains("field not declared in schema")
    }

    public var isRetryable: Bool {
        switch kind {
        case .tooManyRequests, .transport, .timeout, .badResponse: return true
        case .server: return !isPermanent && httpStatus != 501
        default: return false
        }
    }
}

/// Capped exponential backoff. Defaults: 5 attempts, 0.5 s doubling, at most 8 s between tries.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var initialDelay: Double
    public var maxDelay: Double
    /// A server's Retry-After above this is clamped (the server asked, but we stay bounded).
    public var maxRetryAfter: Double
    public init(maxAttempts: Int = 5, initialDelay: Double = 0.5, maxDelay: Double = 8, maxRetryAfter: Double = 30) {
        self.maxAttempts = maxAttempts; self.initialDelay = initialDelay; self.maxDelay = maxDelay; self.maxRetryAfter = maxRetryAfter
    }
    func delay(afterAttempt attempt: Int) -> Double {
        var d = initialDelay
        for _ in 1..<max(attempt, 1) { d *= 2; if d >= maxDelay { return maxDelay } }
        return min(d, maxDelay)
    }
}

extension APIError {
    /// Why a retry happens, for `RetryNotice.reason`: `HTTP 503`, `HTTP 200 with a body that is not
    /// valid JSON`, or the transport error.
    var retryReason: String {
        if kind == .badResponse { return "HTTP \(httpStatus ?? 0) with a body that is not valid JSON" }
        return httpStatus.map { "HTTP \($0)" } ?? message
    }
}

/// A retry the client is about to make (reported so the CLI can show it; no secrets inside).
public struct RetryNotice: Sendable {
    public var attempt: Int
    public var delay: Double
    public var reason: String
}

/// Kubernetes REST client for one cluster: credentials, retries, JSON.
public final class KubeClient: Sendable {
    public let config: ClusterConfig
    public let retry: RetryPolicy
    let http: HTTPClient
    let credentials: CredentialSource

    public init(config: ClusterConfig, http options: HTTPClientOptions = HTTPClientOptions(), retry: RetryPolicy = RetryPolicy()) {
        self.config = config
        self.retry = retry
        self.http = HTTPClient(baseURL: config.server, tls: config.tls, options: options, proxyURL: config.proxyURL)
        self.credentials = CredentialSource(config.credentials, server: config.server)
    }

    /// Sends `request`, retrying transient failures. 2xx and 404 come back as responses
    /// (callers decide what a 404 means); every other failure as an `APIError`.
    public func send(_ request: HTTPRequest, onRetry: (RetryNotice) -> Void = { _ in }) -> Result<HTTPResponse, APIError> {
        perform(request, onRetry: onRetry) { .success($0) }
    }

    /// `send` with the 2xx body decoded (nil for a 404). A 2xx whose body is not valid JSON was
    /// cut short on the way (the JSON the API server sends is always complete): it is retried like
    /// a lost answer, since the request may have been applied and re-sending an apply is idempotent.
    public func sendJSON(_ request: HTTPRequest, onRetry: (RetryNotice) -> Void = { _ in })
        -> Result<(response: HTTPResponse, value: KubeValue?), APIError> {
        perform(request, onRetry: onRetry) { r in
            if r.status == 404 { return .success((r, nil)) }
            return KubeClient.decode(r).map { (r, $0) }
        }
    }

    /// Lets the client send again after a 401 stopped it (`Applier` calls it when a run starts,
    /// so a credential renewed meanwhile is tried).
    public func resetRejection() { rejection.withLock { $0 = nil } }

    /// The first 401 that no credential refresh cured: every later request fails with it, unsent.
    private let rejection = Locked<APIError?>(nil)

    /// The retry loop. `accept` turns a 2xx/404 response into the result; its failures are
    /// `.badResponse` (retried).
    func perform<T>(_ request: HTTPRequest, onRetry: (RetryNotice) -> Void,
                    accept: (HTTPResponse) -> Result<T, APIError>) -> Result<T, APIError> {
        var attempt = 0
        var refreshNote: String? = nil
        var answerLost = false
        let writes = request.method != "GET"
        while true {
            attempt += 1
            if var stopped = rejection.withLock({ $0 }) {
                stopped.notSent = true
                stopped.answerLost = answerLost
                return .failure(stopped)
            }
            let credential: RequestCredential
            do { credential = try credentials.current() } catch {
                return .failure(APIError(kind: .config, message: error.message))
            }
            let result = http.perform(request, bearer: credential.bearer, clientCert: credential.clientCert)
            var failure: APIError
            var retryAfter: Double? = nil
            switch result {
            case .success(let response) where (200..<300).contains(response.status) || response.status == 404:
                switch accept(response) {
                case .success(let v): return .success(v)
                case .failure(let e):
                    failure = e
                    if writes && (200..<300).contains(response.status) { answerLost = true }
                }
            case .success(let response):
                failure = APIError.from(response: response)
                if response.status == 401 {
                    // A rotated tokenFile or a renewed exec credential may cure it: fetch once more,
                    // and re-send only when the credential changed. Otherwise stop the client.
                    if credentials.canRefresh && refreshNote == nil {
                        credentials.invalidate()
                        do {
                            let fresh = try credentials.current()
                            if !fresh.same(as: credential) {
                                refreshNote = "; fetched again after the first 401, the new one was rejected too"
                                attempt -= 1
                                continue
                            }
                            refreshNote = "; fetched again after the 401: unchanged"
                        } catch {
                            refreshNote = "; fetching it again failed: \(error.message)"
                        }
                    }
                    failure.rejectedCredentials = config.credentialSource + (refreshNote ?? "") + "; not retried"
                    failure.attempts = attempt
                    failure.answerLost = answerLost
                    let stop = failure
                    rejection.withLock { if $0 == nil { $0 = stop } }
                    return .failure(failure)
                }
                if response.status == 429 { retryAfter = response.retryAfter }
            case .failure(let t):
                failure = APIError(kind: t.kind == .timeout ? .timeout : (t.isRetryable ? .transport : .other),
                                   message: t.kind == .tls ? "TLS: \(t.message)" : t.message)
                if writes && t.isRetryable && t.requestSent { answerLost = true }
            }
            failure.attempts = attempt
            failure.answerLost = answerLost
            guard failure.isRetryable, attempt < retry.maxAttempts else { return .failure(failure) }
            let delay = retryAfter.map { min($0, retry.maxRetryAfter) } ?? retry.delay(afterAttempt: attempt)
            onRetry(RetryNotice(attempt: attempt, delay: delay, reason: failure.retryReason))
            // Sleep in slices: a 401 elsewhere stops this request too, without waiting out the backoff.
            let wake = Date().addingTimeInterval(delay)
            while rejection.withLock({ $0 }) == nil {
                let left = wake.timeIntervalSinceNow
                if left <= 0 { break }
                Thread.sleep(forTimeInterval: min(left, 0.05))
            }
        }
    }

    /// GET returning the decoded object, or nil on 404.
    public func get(_ path: String, onRetry: (RetryNotice) -> Void = { _ in }) -> Result<KubeValue?, APIError> {
        sendJSON(HTTPRequest(method: "GET", path: path), onRetry: onRetry).map(\.value)
    }

    /// Every item of a LIST followed page by page (`limit`/`continue`); nil when the first page
    /// is 404 (the kind is not served). `query`: more parameters (`labelSelector=…`), encoded.
    public func listAll(_ collection: String, query: String? = nil, pageSize: Int) -> Result<[KubeValue]?, APIError> {
        var items: [KubeValue] = []
        var cont: String? = nil
        var first = true
        repeat {
            var q = ["limit=\(max(1, pageSize))"]
            if let query { q.append(query) }
            if let cont { q.append("continue=" + percentEncode(cont)) }
            switch get(collection + "?" + q.joined(separator: "&")) {
            case .failure(let e): return .failure(e)
            case .success(nil): return first ? .success(nil) : .success(items)
            case .success(let page?):
                items += page["items"]?.listValue ?? []
                cont = page.at("metadata", "continue")?.stringValue
                if cont == "" { cont = nil }
            }
            first = false
        } while cont != nil
        return .success(items)
    }

    static func decode(_ r: HTTPResponse) -> Result<KubeValue, APIError> {
        do { return .success(try KubeJSON.decode(r.body)) } catch {
            return .failure(APIError(kind: .badResponse, httpStatus: r.status,
                                     message: "the server's answer (\(r.body.count) bytes) is not valid JSON, cut short on the way? \(error)"))
        }
    }
}

extension KubeValue {
    /// The `status.conditions[type=<type>].status` string.
    func condition(_ type: String) -> String? {
        for c in at("status", "conditions")?.listValue ?? [] where c["type"]?.stringValue == type {
            return c["status"]?.stringValue
        }
        return nil
    }
    func conditionMessage(_ type: String) -> String? {
        for c in at("status", "conditions")?.listValue ?? [] where c["type"]?.stringValue == type {
            return c["message"]?.stringValue ?? c["reason"]?.stringValue
        }
        return nil
    }
}
