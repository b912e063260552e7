// kubeconfig loading with kubectl's rules, and the credentials it describes (token, token
// file, client certificate, exec plugin).
import Foundation
import Yams
import WukongKubernetes
import WukongParallel

public struct KubeconfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An `exec` credential plugin (`users[].user.exec`).
public struct ExecConfig: Sendable, Equatable {
    public var apiVersion: String
    public var command: String
    public var args: [String]
    public var env: [KeyValue]
    public var interactiveMode: String?
    public var provideClusterInfo: Bool
    public struct KeyValue: Sendable, Equatable { public var name: String; public var value: String }
}

/// A parsed kubeconfig (one file, or several merged). Names map to entries; the first file that
/// defines a name wins, as in kubectl.
public struct Kubeconfig: Sendable {
    public struct Cluster: Sendable, Equatable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
        public var proxyURL: String?
    }
    public struct User: Sendable, Equatable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var exec: ExecConfig?
    }
    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?
    /// The files that were read, in precedence order.
    public var files: [String] = []
    /// Where each user was defined: "kubeconfig `<file>`" or "the in-cluster configuration"
    /// (named when the server rejects its credentials).
    public var userOrigins: [String: String] = [:]

    public init() {}

    /// kubectl's precedence: `explicitPath` (must exist), else `$KUBECONFIG` (a `:`-separated
    /// list; missing files skipped; merged, first value wins), else `~/.kube/config`.
    /// With none of them, inside a pod (`KUBERNETES_SERVICE_HOST`/`_PORT` set and a service-account
    /// token mounted), the in-cluster configuration, as client-go does.
    public static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(KubeconfigError) -> Kubeconfig {
        try load(explicitPath: explicitPath, environment: environment,
                 serviceAccountDirectory: "/var/run/secrets/kubernetes.io/serviceaccount")
    }

    /// `load` with the service-account directory made explicit (for tests).
    public static func load(explicitPath: String?, environment: [String: String], serviceAccountDirectory: String)
        throws(KubeconfigError) -> Kubeconfig {
        if let explicitPath, !explicitPath.isEmpty {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeconfigError("kubeconfig `\(explicitPath)` does not exist")
            }
            return try parse(file: explicitPath)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var merged = Kubeconfig()
            var seen: Set<String> = []
            for path in list.split(separator: ":").map(String.init) where !path.isEmpty && !seen.contains(path) {
                seen.insert(path)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                merged.merge(try parse(file: path))
            }
            if merged.files.isEmpty { throw KubeconfigError("none of the files in KUBECONFIG exist") }
            return merged
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = home + "/.kube/config"
        guard FileManager.default.fileExists(atPath: path) else {
            if let inCluster = inCluster(environment: environment, directory: serviceAccountDirectory) { return inCluster }
            throw KubeconfigError("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create `\(path)`")
        }
        return try parse(file: path)
    }

    /// The in-cluster configuration: API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, the
    /// mounted service-account token (re-read on 401: it rotates), CA and namespace.
    static func inCluster(environment: [String: String], directory: String) -> Kubeconfig? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty,
              FileManager.default.fileExists(atPath: directory + "/token") else { return nil }
        var k = Kubeconfig()
        let server = host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
        let ca = directory + "/ca.crt"
        k.clusters["in-cluster"] = Cluster(server: server, certificateAuthority: FileManager.default.fileExists(atPath: ca) ? ca : nil)
        k.users["in-cluster"] = User(tokenFile: directory + "/token")
        k.userOrigins["in-cluster"] = "the in-cluster configuration"
        let ns = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        k.contexts["in-cluster"] = Context(cluster: "in-cluster", user: "in-cluster", namespace: ns?.isEmpty == false ? ns : nil)
        k.currentContext = "in-cluster"
        k.files = []
        return k
    }

    /// Adds `other`'s entries that are not defined yet (first definition wins).
    public mutating func merge(_ other: Kubeconfig) {
        for (k, v) in other.clusters where clusters[k] == nil { clusters[k] = v }
        for (k, v) in other.users where users[k] == nil {
            users[k] = v
            userOrigins[k] = other.userOrigins[k]
        }
        for (k, v) in other.contexts where contexts[k] == nil { contexts[k] = v }
        if currentContext == nil || currentContext == "" { currentContext = other.currentContext }
        files += other.files
    }

    public static func parse(file path: String) throws(KubeconfigError) -> Kubeconfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KubeconfigError("cannot read kubeconfig `\(path)`: \(error.localizedDescription)")
        }
        let dir = (path as NSString).deletingLastPathComponent
        return try parse(yaml: text, path: path, baseDirectory: dir.isEmpty ? "." : dir)
    }

    /// Parses one kubeconfig document. Relative file paths are resolved against `baseDirectory`
    /// (the directory of the file, like kubectl).
    public static func parse(yaml text: String, path: String, baseDirectory: String) throws(KubeconfigError) -> Kubeconfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw KubeconfigError("kubeconfig `\(path)` is not valid YAML: \(error)")
        }
        var config = Kubeconfig()
        config.files = [path]
        guard let root else { return config }
        func resolve(_ p: String?) -> String? {
            guard let p, !p.isEmpty else { return nil }
            return p.hasPrefix("/") ? p : baseDirectory + "/" + p
        }
        func str(_ n: Node?, _ key: String) -> String? {
            guard let v = n?[key], let s = v.scalar?.string, !s.isEmpty else { return nil }
            return s
        }
        for entry in root["clusters"]?.sequence ?? [] {
            guard let name = str(entry, "name"), let c = entry["cluster"] else { continue }
            guard config.clusters[name] == nil else { continue }
            config.clusters[name] = Cluster(
                server: str(c, "server") ?? "",
                certificateAuthority: resolve(str(c, "certificate-authority")),
                certificateAuthorityData: str(c, "certificate-authority-data"),
                insecureSkipTLSVerify: c["insecure-skip-tls-verify"]?.bool ?? false,
                tlsServerName: str(c, "tls-server-name"),
                proxyURL: str(c, "proxy-url"))
        }
        for entry in root["users"]?.sequence ?? [] {
            guard let name = str(entry, "name"), config.users[name] == nil else { continue }
            let u = entry["user"]
            var user = User(
                token: str(u, "token"), tokenFile: resolve(str(u, "tokenFile")),
                clientCertificate: resolve(str(u, "client-certificate")), clientCertificateData: str(u, "client-certificate-data"),
                clientKey: resolve(str(u, "client-key")), clientKeyData: str(u, "client-key-data"))
            if let e = u?["exec"] {
                guard var command = str(e, "command") else {
                    throw KubeconfigError("kubeconfig `\(path)`: user `\(name)`: exec needs a `command`")
                }
                // A relative command with a slash is relative to the kubeconfig's directory (client-go).
                if !command.hasPrefix("/") && command.contains("/") { command = baseDirectory + "/" + command }
                var env: [ExecConfig.KeyValue] = []
                for kv in e["env"]?.sequence ?? [] {
                    if let n = str(kv, "name") { env.append(.init(name: n, value: kv["value"]?.scalar?.string ?? "")) }
                }
                let apiVersion = str(e, "apiVersion") ?? ""
                guard apiVersion == "client.authentication.k8s.io/v1" || apiVersion == "client.authentication.k8s.io/v1beta1" else {
                    throw KubeconfigError("kubeconfig `\(path)`: user `\(name)`: exec apiVersion `\(apiVersion)` is not supported (use client.authentication.k8s.io/v1 or v1beta1)")
                }
                if str(e, "interactiveMode") == "Always" {
                    throw KubeconfigError("kubeconfig `\(path)`: user `\(name)`: exec interactiveMode `Always` needs a terminal; wukongc runs plugins non-interactively (use `IfAvailable` or `Never`)")
                }
                user.exec = ExecConfig(apiVersion: apiVersion, command: command,
                                       args: (e["args"]?.sequence ?? []).compactMap { $0.scalar?.string },
                                       env: env, interactiveMode: str(e, "interactiveMode"),
                                       provideClusterInfo: e["provideClusterInfo"]?.bool ?? false)
            }
            config.users[name] = user
            config.userOrigins[name] = "kubeconfig `\(path)`"
        }
        for entry in root["contexts"]?.sequence ?? [] {
            guard let name = str(entry, "name"), config.contexts[name] == nil, let c = entry["context"] else { continue }
            config.contexts[name] = Context(cluster: str(c, "cluster") ?? "", user: str(c, "user") ?? "", namespace: str(c, "namespace"))
        }
        config.currentContext = str(root, "current-context")
        return config
    }

    /// The connection settings of `context` (or `current-context`).
    public func resolve(context: String? = nil) throws(KubeconfigError) -> ClusterConfig {
        guard let name = context ?? currentContext, !name.isEmpty else {
            throw KubeconfigError("no context: kubeconfig has no `current-context`; pass --context")
        }
        guard let ctx = contexts[name] else {
            let known = contexts.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw KubeconfigError("context `\(name)` not found in kubeconfig" + (known.isEmpty ? "" : " (known: \(known))"))
        }
        guard let cluster = clusters[ctx.cluster] else {
            throw KubeconfigError("context `\(name)`: cluster `\(ctx.cluster)` not found in kubeconfig")
        }
        guard !cluster.server.isEmpty else { throw KubeconfigError("cluster `\(ctx.cluster)` has no `server`") }
        let user = users[ctx.user] ?? User()
        var tls = TLSConfig(insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData {
            tls.caPEM = try Kubeconfig.base64(data, what: "certificate-authority-data of cluster `\(ctx.cluster)`")
        } else if let file = cluster.certificateAuthority {
            tls.caPEM = try Kubeconfig.read(file, what: "certificate-authority")
        }
        if tls.insecureSkipVerify && tls.caPEM != nil {
            throw KubeconfigError("cluster `\(ctx.cluster)`: certificate-authority and insecure-skip-tls-verify cannot both be set")
        }
        if let data = user.clientCertificateData {
            tls.clientCertPEM = try Kubeconfig.base64(data, what: "client-certificate-data of user `\(ctx.user)`")
        } else if let file = user.clientCertificate {
            tls.clientCertPEM = try Kubeconfig.read(file, what: "client-certificate")
        }
        if let data = user.clientKeyData {
            tls.clientKeyPEM = try Kubeconfig.base64(data, what: "client-key-data of user `\(ctx.user)`")
        } else if let file = user.clientKey {
            tls.clientKeyPEM = try Kubeconfig.read(file, what: "client-key")
        }
        if (tls.clientCertPEM == nil) != (tls.clientKeyPEM == nil) {
            throw KubeconfigError("user `\(ctx.user)`: a client certificate needs both a certificate and a key")
        }
        let credentials: ClusterConfig.Credentials
        if let token = user.token {
            credentials = .token(token)
        } else if let file = user.tokenFile {
            credentials = .tokenFile(file)
        } else if let exec = user.exec {
            credentials = .exec(exec)
        } else {
            credentials = .none
        }
        var config = ClusterConfig(contextName: name, server: cluster.server, tls: tls, namespace: ctx.namespace, credentials: credentials)
        config.proxyURL = cluster.proxyURL
        config.userName = ctx.user.isEmpty ? nil : ctx.user
        config.userOrigin = users[ctx.user] == nil ? nil : userOrigins[ctx.user]
        if tls.clientCertPEM != nil {
            config.clientCertificateSource = user.clientCertificateData != nil ? "from client-certificate-data" : user.clientCertificate.map { "`\($0)`" }
        }
        return config
    }

    static func base64(_ s: String, what: String) throws(KubeconfigError) -> [UInt8] {
        let cleaned = s.filter { !$0.isWhitespace }
        guard let d = Data(base64Encoded: cleaned) else { throw KubeconfigError("\(what) is not valid base64") }
        return [UInt8](d)
    }

    static func read(_ file: String, what: String) throws(KubeconfigError) -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: file) else { throw KubeconfigError("cannot read \(what) file `\(file)`") }
        return [UInt8](d)
    }
}

/// One context of a kubeconfig, resolved: what `KubeClient` needs to talk to the cluster.
public struct ClusterConfig: Sendable {
    public enum Credentials: Sendable, Equatable {
        case none
        case token(String)
        /// Re-read when the server answers 401 (rotated service-account tokens).
        case tokenFile(String)
        case exec(ExecConfig)
    }
    public var contextName: String
    public var server: String
    public var tls: TLSConfig
    /// The context's namespace; objects that carry their own namespace keep it.
    public var namespace: String?
    public var credentials: Credentials
    /// `proxy-url` of the cluster (http, https or socks5). Without it curl follows the usual
    /// `HTTPS_PROXY`/`NO_PROXY` environment, as kubectl does.
    public var proxyURL: String?
    /// The context's user, where it was defined ("kubeconfig `<file>`"), and where its client
    /// certificate came from (a file, or `client-certificate-data`): named when the server
    /// rejects the credentials.
    public var userName: String?
    public var userOrigin: String?
    public var clientCertificateSource: String?

    /// The credentials requests carry, as the user should look for them: "the tokenFile `/t` of
    /// user `u` (context `c`) in kubeconfig `/k`". Never the secret itself.
    public var credentialSource: String {
        var what: [String] = []
        switch credentials {
        case .none: break
        case .token: what.append("the token")
        case .tokenFile(let f): what.append("the tokenFile `\(f)`")
        case .exec(let e): what.append("the credential of exec plugin `\(e.command)`")
        }
        if let c = clientCertificateSource { what.append("the client certificate " + c) }
        else if tls.clientCertPEM != nil { what.append("the client certificate") }
        let origin = userOrigin.map { " in \($0)" } ?? ""
        guard let userName else {
            return what.isEmpty ? "a request without credentials: context `\(contextName)` names no user"
                                : what.joined(separator: " and ") + " of context `\(contextName)`" + origin
        }
        let whose = "user `\(userName)` (context `\(contextName)`)\(origin)"
        return what.isEmpty ? "a request without credentials: \(whose) has none" : what.joined(separator: " and ") + " of " + whose
    }

    public init(contextName: String, server: String, tls: TLSConfig, namespace: String? = nil, credentials: Credentials = .none) {
        self.contextName = contextName; self.server = server; self.tls = tls; self.namespace = namespace
        self.credentials = credentials
    }
}

/// What one request presents: a bearer token and/or a client certificate.
struct RequestCredential: Sendable {
    var bearer: String?
    var clientCert: (cert: [UInt8], key: [UInt8])?
    func same(as other: RequestCredential) -> Bool {
        bearer == other.bearer && clientCert?.cert == other.clientCert?.cert && clientCert?.key == other.clientCert?.key
    }
}

/// Produces request credentials from `ClusterConfig.Credentials`, caching exec-plugin output
/// until its `expirationTimestamp`.
final class CredentialSource: Sendable {
    let credentials: ClusterConfig.Credentials
    let server: String
    private struct Cached { var credential: RequestCredential; var expires: Date? }
    private let cache = Locked<Cached?>(nil)

    init(_ credentials: ClusterConfig.Credentials, server: String) {
        self.credentials = credentials; self.server = server
    }

    /// Whether a 401 may be cured by fetching the credential again.
    var canRefresh: Bool {
        switch credentials {
        case .tokenFile, .exec: return true
        case .none, .token: return false
        }
    }

    func invalidate() { cache.withLock { $0 = nil } }

    func current() throws(KubeconfigError) -> RequestCredential {
        switch credentials {
        case .none: return RequestCredential()
        case .token(let t): return RequestCredential(bearer: t)
        case .tokenFile(let file):
            if let c = cache.withLock({ $0 }) { return c.credential }
            guard let d = FileManager.default.contents(atPath: file) else { throw KubeconfigError("cannot read tokenFile `\(file)`") }
            let token = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let c = RequestCredential(bearer: token)
            cache.withLock { $0 = Cached(credential: c, expires: nil) }
            return c
        case .exec(let exec):
            let now = Date()
            if let c = cache.withLock({ $0 }), c.expires.map({ $0 > now }) ?? true { return c.credential }
            // Serialise plugin runs: many workers asking at once run it once.
            execLock.lock()
            defer { execLock.unlock() }
            if let c = cache.withLock({ $0 }), c.expires.map({ $0 > Date() }) ?? true { return c.credential }
            let (c, expires) = try CredentialSource.runExec(exec, server: server)
            cache.withLock { $0 = Cached(credential: c, expires: expires) }
            return c
        }
    }

    private let execLock = NSLock()

    static func runExec(_ exec: ExecConfig, server: String) throws(KubeconfigError) -> (RequestCredential, Date?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exec.command.contains("/") ? exec.command : "/usr/bin/env")
        process.arguments = exec.command.contains("/") ? exec.args : [exec.command] + exec.args
        var env = ProcessInfo.processInfo.environment
        for kv in exec.env { env[kv.name] = kv.value }
        var info = "{\"apiVersion\":\"\(exec.apiVersion)\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false"
        if exec.provideClusterInfo {
            info += ",\"cluster\":{\"server\":" + KubeJSON.encodeString(.string(server)) + "}"
        }
        info += "}}"
        env["KUBERNETES_EXEC_INFO"] = info
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw KubeconfigError("exec credential plugin `\(exec.command)` could not be started: \(error.localizedDescription)")
        }
        // Read both pipes fully before waiting (a chatty plugin would block on a full pipe).
        var data = Data(), errData = Data()
        Parallel.run(2, stackSize: 1 << 20) { i in
            if i == 0 { data = out.fileHandleForReading.readDataToEndOfFile() } else { errData = err.fileHandleForReading.readDataToEndOfFile() }
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            // stderr is the plugin's message for the user; stdout may hold a credential, so it is not shown.
            let msg = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeconfigError("exec credential plugin `\(exec.command)` failed with exit code \(process.terminationStatus)" +
                                  (msg.isEmpty ? "" : ": \(msg.prefix(300))"))
        }
        let value: KubeValue
        do { value = try KubeJSON.decode([UInt8](data)) } catch {
            throw KubeconfigError("exec credential plugin `\(exec.command)` printed no valid ExecCredential JSON")
        }
        guard value["kind"]?.stringValue == "ExecCredential" else {
            throw KubeconfigError("exec credential plugin `\(exec.command)` printed an object that is not an ExecCredential")
        }
        let status = value["status"]
        var credential = RequestCredential()
        credential.bearer = status?["token"]?.stringValue
        if let cert = status?["clientCertificateData"]?.stringValue, let key = status?["clientKeyData"]?.stringValue {
            credential.clientCert = (Array(cert.utf8), Array(key.utf8))
        }
        if credential.bearer == nil && credential.clientCert == nil {
            throw KubeconfigError("exec credential plugin `\(exec.command)` returned neither status.token nor clientCertificateData/clientKeyData")
        }
        var expires: Date? = nil
        if let ts = status?["expirationTimestamp"]?.stringValue {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            expires = f.date(from: ts)
            if expires == nil {
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                expires = f.date(from: ts)
            }
        }
        return (credential, expires)
    }
}
