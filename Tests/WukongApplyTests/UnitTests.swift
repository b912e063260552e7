import Foundation
import XCTest
import WukongKubernetes
@testable import WukongApply

final class JSONTests: XCTestCase {
    func testEncodeKeepsOrderAndEscapes() {
        let v = m(("b", s("line\n\"q\"\\\t\u{01}é")), ("a", .list([.int(-3), .bool(true), .null, .map([]), .list([])])))
        XCTAssertEqual(KubeJSON.encodeString(v), #"{"b":"line\n\"q\"\\\t\u0001é","a":[-3,true,null,{},[]]}"#)
    }

    func testDecodeRoundTripsAndKeepsOrder() throws {
        let text = #" { "z" : 1, "a" : [ "x\u00e9\ud83d\ude00", false, null, {"k": -12} ], "f": 1.5, "e": "\/" } "#
        let v = try KubeJSON.decode(Array(text.utf8))
        guard case .map(let f) = v else { return XCTFail() }
        XCTAssertEqual(f.map(\.key), ["z", "a", "f", "e"])
        XCTAssertEqual(v["a"], .list([s("xé😀"), .bool(false), .null, m(("k", .int(-12)))]))
        XCTAssertEqual(v["f"], s("1.5"), "non-integers are kept as text")
        XCTAssertEqual(v["e"], s("/"))
        XCTAssertEqual(try KubeJSON.decode(KubeJSON.encode(v)), v)
    }

    func testDecodeRejectsMalformedInput() {
        for bad in ["{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "{} x", ""] {
            XCTAssertThrowsError(try KubeJSON.decode(Array(bad.utf8)), bad)
        }
        let deep = String(repeating: "[", count: 1000)
        XCTAssertThrowsError(try KubeJSON.decode(Array(deep.utf8)))
    }
}

final class YAMLAndDiffTests: XCTestCase {
    func testYAMLQuotesWhatWouldReadAsAnotherType() {
        let v = m(("mac", s("52:54:00:12:34:56")), ("yes", s("yes")), ("num", s("0123")), ("plain", s("web-1")),
                  ("n", .int(3)), ("empty", s("")), ("list", .list([s("a"), m(("x", s("1")), ("y", .bool(false)))])),
                  ("multi", s("#cloud-config\nusers: []\n")), ("obj", .map([])))
        XCTAssertEqual(YAMLText.render(v), """
            mac: "52:54:00:12:34:56"
            "yes": "yes"
            num: "0123"
            plain: web-1
            "n": 3
            empty: ""
            list:
            - a
            - x: "1"
              "y": false
            multi: |
              #cloud-config
              users: []
            obj: {}

            """)
    }

    func testUnifiedDiffHunks() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var newLines = (1...20).map { "line \($0)" }
        newLines[9] = "line ten"
        newLines.append("line 21")
        let d = UnifiedDiff.diff(old: old, new: newLines.joined(separator: "\n") + "\n", oldName: "a", newName: "b")
        XCTAssertEqual(d, """
            --- a
            +++ b
            @@ -7,7 +7,7 @@
             line 7
             line 8
             line 9
            -line 10
            +line ten
             line 11
             line 12
             line 13
            @@ -18,3 +18,4 @@
             line 18
             line 19
             line 20
            +line 21

            """)
        XCTAssertEqual(UnifiedDiff.diff(old: old, new: old, oldName: "a", newName: "b"), "")
        XCTAssertEqual(UnifiedDiff.diff(old: "", new: "x\n", oldName: "a", newName: "b"), "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n")
    }

    func testStripRemovesServerManagedFields() {
        let live = m(("apiVersion", s("v1")), ("kind", s("Secret")),
                     ("metadata", m(("name", s("x")), ("uid", s("u")), ("resourceVersion", s("9")), ("generation", .int(2)),
                                    ("creationTimestamp", s("t")), ("managedFields", .list([])), ("labels", m(("a", s("b")))))),
                     ("data", m(("k", s("c2VjcmV0")))), ("status", m(("phase", s("x")))))
        XCTAssertEqual(ObjectNormalizer.strip(live), m(("apiVersion", s("v1")), ("kind", s("Secret")),
                                                       ("metadata", m(("name", s("x")), ("labels", m(("a", s("b")))))),
                                                       ("data", m(("k", s("c2VjcmV0"))))))
        let (l, r) = ObjectNormalizer.redactSecrets(live: live, merged: live.setting("data", m(("k", s("b3RoZXI=")), ("j", s("eA==")))))
        XCTAssertEqual(l?["data"], m(("k", s("*** (before)"))))
        XCTAssertEqual(r?["data"], m(("k", s("*** (after)")), ("j", s("*** (after)"))))
        XCTAssertEqual(ObjectNormalizer.redact(live)["data"], m(("k", s("***"))))
    }
}

final class ClientUnitTests: XCTestCase {
    func testPathsForOurKinds() {
        XCTAssertEqual(ResourceType.namespace.objectPath(namespace: nil, name: "lab"), "/api/v1/namespaces/lab")
        XCTAssertEqual(ResourceType.secret.objectPath(namespace: "lab", name: "s"), "/api/v1/namespaces/lab/secrets/s")
        XCTAssertEqual(ResourceType.nodeNetworkConfigurationPolicy.objectPath(namespace: "ignored", name: "p"),
                       "/apis/nmstate.io/v1/nodenetworkconfigurationpolicies/p")
        XCTAssertEqual(ResourceType.networkAttachmentDefinition.collectionPath(namespace: "lab"),
                       "/apis/k8s.cni.cncf.io/v1/namespaces/lab/network-attachment-definitions")
        XCTAssertEqual(ResourceType.virtualMachine.objectPath(namespace: "lab", name: "web-1"),
                       "/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/web-1")
        XCTAssertEqual(percentEncode("wukong.dev/topology=lab a"), "wukong.dev%2Ftopology%3Dlab%20a")
        XCTAssertEqual(ObjectRef(apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "w", namespace: "n").description,
                       "virtualmachine.kubevirt.io/w")
    }

    func testStatusErrorParsing() {
        let body = #"{"kind":"Status","status":"Failure","message":"Apply failed with 1 conflict: conflict with \"helm\" using kubevirt.io/v1: .spec.runStrategy","reason":"Conflict","details":{"causes":[{"type":"FieldManagerConflict","message":"conflict with \"helm\" using kubevirt.io/v1","field":".spec.runStrategy"}]},"code":409}"#
        let e = APIError.from(response: HTTPResponse(status: 409, headers: [], body: Array(body.utf8)))
        XCTAssertEqual(e.kind, .conflict)
        XCTAssertEqual(e.conflictingManagers, ["helm"])
        XCTAssertEqual(e.fields, [".spec.runStrategy"])
        XCTAssertEqual(e.description, "conflict: .spec.runStrategy is owned by `helm` (HTTP 409 Conflict)")
        XCTAssertFalse(e.isRetryable)
        let perm = APIError.from(response: HTTPResponse(status: 500, headers: [], body: Array(#"{"kind":"Status","message":"failed to create typed patch object (default/vm1; kubevirt.io/v1, Kind=VirtualMachine): .spec.template.spec.domain.devices.interfaces[0].masquarade: field not declared in schema","code":500}"#.utf8)))
        XCTAssertTrue(perm.isPermanent)
        XCTAssertFalse(perm.isRetryable)
        XCTAssertEqual(perm.fields, [".spec.template.spec.domain.devices.interfaces[0].masquarade"])
        let transient = APIError.from(response: HTTPResponse(status: 503, headers: [("retry-after", "2")], body: Array("oops".utf8)))
        XCTAssertTrue(transient.isRetryable)
        XCTAssertEqual(transient.message, "oops")
        XCTAssertEqual(HTTPResponse(status: 429, headers: [("retry-after", " 3 ")], body: []).retryAfter, 3)
    }

    func testTimeoutsNeverTrap() {
        XCTAssertEqual(HTTPClient.milliseconds(1.5), 1500)
        XCTAssertEqual(HTTPClient.milliseconds(1e300), 2_000_000_000)
        XCTAssertEqual(HTTPClient.milliseconds(.nan), 0)
        XCTAssertEqual(HTTPClient.milliseconds(-1), 0)
        XCTAssertEqual(RetryPolicy(maxAttempts: 100, initialDelay: 1, maxDelay: 8).delay(afterAttempt: 99), 8)
    }

    func testHostPortSplitting() {
        XCTAssertEqual(HTTPClient.splitHostPort("https://10.0.0.1:6443/base")?.host, "10.0.0.1")
        XCTAssertEqual(HTTPClient.splitHostPort("https://[::1]:6443")?.port, "6443")
        XCTAssertEqual(HTTPClient.splitHostPort("https://example.com")?.port, "443")
    }

    func testWaitConditions() {
        let items: [(KubeObject, String?)] = [(nncpObj("p"), "Available"), (vmObj("a", ns: "n"), "Ready"),
                                              (vmObj("b", ns: "n", runStrategy: "Halted"), nil), (nadObj("x", ns: "n"), nil)]
        for (o, want) in items {
            let t = ResourceType.lookup(apiVersion: o.apiVersion, kind: o.kind)!
            let item = Applier.Item(object: o, type: t, namespace: o.namespace, ref: ObjectRef(o), path: "")
            XCTAssertEqual(Applier.waitCondition(item), want, o.name)
        }
    }
}
