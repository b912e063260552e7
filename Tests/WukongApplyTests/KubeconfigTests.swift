import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

final class KubeconfigTests: XCTestCase {
    var server: TestAPIServer!

    override func setUpWithError() throws {
        server = try TestAPIServer.shared()
        try server.reset()
    }

    func b64(_ file: String) -> String { Data(server.read(file)).base64EncodedString() }

    func applyNamespace(_ config: ClusterConfig, name: String = "lab") -> ApplyReport {
        Applier(client: KubeClient(config: config, retry: fastRetry(2)), options: ApplyOptions()).apply([namespaceObj(name)])
    }

    func testClientCertificateFilesRelativeToTheKubeconfig() throws {
        let path = try server.writeKubeconfig("cert-files.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: \(server.server)
                certificate-authority: pki/ca.crt
            users:
            - name: cert
              user:
                client-certificate: pki/client.crt
                client-key: pki/client.key
            contexts:
            - name: test
              context: {cluster: test, user: cert, namespace: team-a}
            current-context: test
            """)
        let config = try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()
        XCTAssertEqual(config.namespace, "team-a")
        XCTAssertEqual(config.credentials, .none)
        XCTAssertNotNil(config.tls.clientCertPEM)
        let report = applyNamespace(config)
        XCTAssertNil(report.failure, report.summary)
        XCTAssertEqual(report.actions, ["namespace/lab created"])
    }

    func testClientCertificateDataAndCAData() throws {
        let path = try server.writeKubeconfig("cert-data.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: \(server.server)
                certificate-authority-data: \(b64("ca.crt"))
            users:
            - name: cert
              user:
                client-certificate-data: \(b64("client.crt"))
                client-key-data: \(b64("client.key"))
            contexts:
            - name: test
              context: {cluster: test, user: cert}
            current-context: test
            """)
        let report = applyNamespace(try Kubeconfig.load(explicitPath: path, environment: [:]).resolve())
        XCTAssertNil(report.failure, report.summary)
    }

    func testWithoutCredentialsTheServerAnswers401() throws {
        let config = ClusterConfig(contextName: "x", server: server.server, tls: TLSConfig(caPEM: server.read("ca.crt")))
        let report = applyNamespace(config)
        XCTAssertEqual(report.failure?.error.kind, .unauthorized)
    }

    func testTLSIsVerifiedAgainstTheKubeconfigCA() throws {
        var config = server.certConfig()
        config.tls.caPEM = server.read("other-ca.crt")
        let report = applyNamespace(config)
        XCTAssertEqual(report.failure?.error.attempts, 1, "a certificate problem is not retried")
        XCTAssertTrue(report.failure?.error.message.hasPrefix("TLS:") ?? false, "\(String(describing: report.failure))")
        // the system trust store does not know the test CA either
        config.tls.caPEM = nil
        XCTAssertNotNil(applyNamespace(config).failure)
        // insecure-skip-tls-verify
        config.tls.insecureSkipVerify = true
        XCTAssertNil(applyNamespace(config).failure)
    }

    func testTLSServerNameOverridesTheHostChecked() throws {
        var config = server.certConfig()
        config.server = "https://127.0.0.1:\(server.port)"
        config.tls.serverName = "kubernetes.test"  // in the server certificate's SANs, not resolvable
        XCTAssertNil(applyNamespace(config).failure)
        config.tls.serverName = "wrong.test"
        XCTAssertNotNil(applyNamespace(config, name: "other").failure)
    }

    func testInsecureTogetherWithCAIsRejected() throws {
        let path = try server.writeKubeconfig("bad.yaml", """
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true, certificate-authority-data: \(b64("ca.crt"))}
            users: [{name: u, user: {token: x}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """)
        XCTAssertThrowsError(try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()) { e in
            XCTAssertTrue("\(e)".contains("cannot both be set"), "\(e)")
        }
    }

    func testKubeconfigEnvListMergesFirstValueWins() throws {
        let a = try server.writeKubeconfig("a.yaml", """
            clusters: [{name: shared, cluster: {server: "https://a.example:6443", proxy-url: "socks5://proxy.example:1080"}}]
            users: [{name: u, user: {token: token-from-a}}]
            contexts:
            - {name: ctx-a, context: {cluster: shared, user: u, namespace: from-a}}
            current-context: ctx-a
            """)
        let b = try server.writeKubeconfig("b.yaml", """
            clusters:
            - {name: shared, cluster: {server: "https://b.example:6443"}}
            - {name: only-b, cluster: {server: "https://only-b.example:6443"}}
            users: [{name: u, user: {token: token-from-b}}]
            contexts:
            - {name: ctx-a, context: {cluster: only-b, user: u}}
            - {name: ctx-b, context: {cluster: only-b, user: u, namespace: from-b}}
            current-context: ctx-b
            """)
        let env = ["KUBECONFIG": "\(server.dir)/missing.yaml:\(a)::\(b)", "HOME": "/nonexistent"]
        let k = try Kubeconfig.load(explicitPath: nil, environment: env)
        XCTAssertEqual(k.files, [a, b])
        let current = try k.resolve()
        XCTAssertEqual(current.contextName, "ctx-a", "current-context from the first file that sets it")
        XCTAssertEqual(current.server, "https://a.example:6443")
        XCTAssertEqual(current.credentials, .token("token-from-a"))
        XCTAssertEqual(current.namespace, "from-a")
        XCTAssertEqual(current.proxyURL, "socks5://proxy.example:1080")
        let other = try k.resolve(context: "ctx-b")
        XCTAssertEqual(other.server, "https://only-b.example:6443")
        XCTAssertEqual(other.namespace, "from-b")
        XCTAssertThrowsError(try k.resolve(context: "nope")) { e in
            XCTAssertEqual("\(e)", "context `nope` not found in kubeconfig (known: `ctx-a`, `ctx-b`)")
        }
        // --kubeconfig beats KUBECONFIG; ~/.kube/config is the last resort
        XCTAssertEqual(try Kubeconfig.load(explicitPath: b, environment: env).resolve().contextName, "ctx-b")
        let home = server.dir + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.kube", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: b, toPath: home + "/.kube/config")
        XCTAssertEqual(try Kubeconfig.load(explicitPath: nil, environment: ["HOME": home]).files, [home + "/.kube/config"])
        XCTAssertThrowsError(try Kubeconfig.load(explicitPath: server.dir + "/none.yaml", environment: env))
    }

    func testInClusterConfigurationWhenNoKubeconfigExists() throws {
        let sa = server.dir + "/serviceaccount"
        try FileManager.default.createDirectory(atPath: sa, withIntermediateDirectories: true)
        try TestAPIServer.token.write(toFile: sa + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: server.pki + "/ca.crt", toPath: sa + "/ca.crt")
        try "team-b\n".write(toFile: sa + "/namespace", atomically: true, encoding: .utf8)
        let env = ["HOME": server.dir + "/no-home", "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(server.port)"]
        let config = try Kubeconfig.load(explicitPath: nil, environment: env, serviceAccountDirectory: sa).resolve()
        XCTAssertEqual(config.server, server.server)
        XCTAssertEqual(config.namespace, "team-b")
        XCTAssertEqual(config.credentials, .tokenFile(sa + "/token"))
        XCTAssertNil(applyNamespace(config).failure)
        // outside a pod: the usual error
        XCTAssertThrowsError(try Kubeconfig.load(explicitPath: nil, environment: ["HOME": server.dir + "/no-home"], serviceAccountDirectory: sa))
    }

    /// What a 401 report names: the credential, its user and context, and the file that defined the user.
    func testCredentialSourceNamesWhereTheCredentialsComeFrom() throws {
        let first = try server.writeKubeconfig("origin-a.yaml", """
            clusters: [{name: c, cluster: {server: "\(server.server)", certificate-authority: pki/ca.crt}}]
            contexts:
            - {name: cert, context: {cluster: c, user: cert}}
            - {name: exec, context: {cluster: c, user: plugin}}
            - {name: nobody, context: {cluster: c}}
            - {name: ghost, context: {cluster: c, user: missing}}
            current-context: cert
            """)
        let second = try server.writeKubeconfig("origin-b.yaml", """
            users:
            - {name: cert, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}
            - {name: plugin, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: bin/get-token}}}
            """)
        let k = try Kubeconfig.load(explicitPath: nil, environment: ["KUBECONFIG": "\(first):\(second)"])
        XCTAssertEqual(try k.resolve(context: "cert").credentialSource,
                       "the client certificate `\(server.dir)/pki/client.crt` of user `cert` (context `cert`) in kubeconfig `\(second)`")
        XCTAssertEqual(try k.resolve(context: "exec").credentialSource,
                       "the credential of exec plugin `\(server.dir)/bin/get-token` of user `plugin` (context `exec`) in kubeconfig `\(second)`")
        XCTAssertEqual(try k.resolve(context: "nobody").credentialSource, "a request without credentials: context `nobody` names no user")
        XCTAssertEqual(try k.resolve(context: "ghost").credentialSource, "a request without credentials: user `missing` (context `ghost`) has none")
        let sa = server.dir + "/sa-origin"
        try FileManager.default.createDirectory(atPath: sa, withIntermediateDirectories: true)
        try "t".write(toFile: sa + "/token", atomically: true, encoding: .utf8)
        let inCluster = try Kubeconfig.load(explicitPath: nil, environment: ["HOME": server.dir + "/no-home", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
                                                                             "KUBERNETES_SERVICE_PORT": "443"], serviceAccountDirectory: sa)
        XCTAssertEqual(try inCluster.resolve().credentialSource,
                       "the tokenFile `\(sa)/token` of user `in-cluster` (context `in-cluster`) in the in-cluster configuration")
        // built by hand (no kubeconfig): the context only
        XCTAssertEqual(server.tokenConfig().credentialSource, "the token of context `test`")
    }

    func testTokenFileIsReadAndRereadAfter401() throws {
        let tokenFile = server.dir + "/token"
        try "stale-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let path = try server.writeKubeconfig("tokenfile.yaml", """
            clusters: [{name: c, cluster: {server: "\(server.server)", certificate-authority: pki/ca.crt}}]
            users: [{name: u, user: {tokenFile: token}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """)
        let config = try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()
        XCTAssertEqual(config.credentials, .tokenFile(tokenFile))
        let client = KubeClient(config: config, retry: fastRetry(2))
        let applier = Applier(client: client, options: ApplyOptions())
        XCTAssertEqual(applier.apply([namespaceObj("lab")]).failure?.error.kind, .unauthorized)
        // the token rotates: the next 401 makes the client read the file again
        try "\(TestAPIServer.token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertNil(applier.apply([namespaceObj("lab")]).failure)
    }

    func writePlugin(_ body: String) throws -> String {
        let path = server.dir + "/plugin-\(UInt32.random(in: 0...UInt32.max)).sh"
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func testExecPluginTokenIsCachedUntilExpiry() throws {
        let counter = server.dir + "/exec-count"
        try? FileManager.default.removeItem(atPath: counter)
        let plugin = try writePlugin("""
            echo x >> "\(counter)"
            # the plugin sees its arguments, its env and KUBERNETES_EXEC_INFO
            [ "$1" = "get-token" ] && [ "$PLUGIN_MODE" = "test" ] || { echo "bad invocation" >&2; exit 3; }
            case "$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) echo "no exec info" >&2; exit 4 ;; esac
            cat <<EOF
            {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
             "status": {"token": "\(TestAPIServer.token)", "expirationTimestamp": "2999-01-01T00:00:00Z"}}
            EOF
            """)
        let path = try server.writeKubeconfig("exec.yaml", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "\(server.server)", certificate-authority: pki/ca.crt}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(plugin)
                  args: [get-token]
                  env: [{name: PLUGIN_MODE, value: test}]
                  interactiveMode: Never
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """)
        let config = try Kubeconfig.load(explicitPath: path, environment: [:]).resolve()
        let applier = Applier(client: KubeClient(config: config, retry: fastRetry(2)), options: ApplyOptions())
        let first = applier.apply(smallTopology(vms: 3))
        XCTAssertNil(first.failure, first.summary)
        XCTAssertNil(applier.apply(smallTopology(vms: 3)).failure)
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(runs, 1, "the credential is cached until it expires")
    }

    func testExecPluginClientCertificateAndExpiry() throws {
        let counter = server.dir + "/exec-count-cert"
        try? FileManager.default.removeItem(atPath: counter)
        let cert = String(decoding: server.read("client.crt"), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
        let key = String(decoding: server.read("client.key"), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
        let plugin = try writePlugin("""
            echo x >> "\(counter)"
            cat <<'EOF'
            {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
             "status": {"clientCertificateData": "\(cert)", "clientKeyData": "\(key)", "expirationTimestamp": "2000-01-01T00:00:00Z"}}
            EOF
            """)
        let config = ClusterConfig(contextName: "c", server: server.server, tls: TLSConfig(caPEM: server.read("ca.crt")),
                                   credentials: .exec(ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1", command: plugin,
                                                                 args: [], env: [], interactiveMode: nil, provideClusterInfo: true)))
        let applier = Applier(client: KubeClient(config: config, retry: fastRetry(2)), options: ApplyOptions())
        let report = applier.apply([namespaceObj("lab")])
        XCTAssertNil(report.failure, report.summary)
        XCTAssertNil(applier.apply([namespaceObj("lab")]).failure)
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(runs, 4, "an expired credential is fetched again for each request (GET + PATCH, twice)")
    }

    func testExecPluginFailureIsReportedWithItsMessage() throws {
        let plugin = try writePlugin("echo 'please run login first' >&2\necho '{\"status\":{\"token\":\"leaky\"}}'\nexit 1\n")
        let config = ClusterConfig(contextName: "c", server: server.server, tls: TLSConfig(caPEM: server.read("ca.crt")),
                                   credentials: .exec(ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: plugin,
                                                                 args: [], env: [], interactiveMode: "Never", provideClusterInfo: false)))
        let report = applyNamespace(config)
        let f = try XCTUnwrap(report.failure)
        XCTAssertEqual(f.error.kind, .config)
        XCTAssertTrue(f.error.message.contains("please run login first"), f.error.message)
        XCTAssertFalse(f.error.message.contains("leaky"))
        XCTAssertTrue(try server.log().isEmpty, "nothing is sent without a credential")
    }
}
