import Foundation
import XCTest
import WukongParallel
import Yams
import WukongIR
import WukongNet
@testable import WukongKubernetes

final class YAMLOutputTests: XCTestCase {
    /// Strings every resolver reads as something else, or addresses: must be quoted.
    static let mustQuote = [
        "", " ", " x", "x ", "yes", "Yes", "YES", "no", "No", "on", "On", "off", "OFF", "y", "Y", "n", "N",
        "true", "True", "FALSE", "null", "Null", "NULL", "~", "=", "<<", "0123", "123", "1e3", "1E+3", "0x1F",
        "0o17", "0b101", "1_000", "+1", "-1", ".5", "+.5", "1.5", ".inf", ".Inf", "-.inf", "+.inf", ".nan", ".NaN",
        "52:54:00:12:34:56", "1:30", "190:20:30", "0e:11:22:33:44:55", "aa:bb:cc:dd:ee:ff", "a:b", "192.168.0.1",
        "10.0.0.0/8", "fd00::10", "fd00::/64", "::1", "::", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "- item", "-", "? x", ":x", "x:", "a: b", "a #b", "#comment", "&anchor",
        "*alias", "!tag", "|", ">", "'q'", "\"q\"", "%x", "@x", "`x", "{a}", "[a]", ",x", "a\nb", "tab\there",
        "a\n", "\n",
    ]
    /// Plain-safe strings that we leave unquoted.
    static let staysPlain = [
        "web", "ubuntu-vm", "4Gi", "512Mi", "quay.io/containerdisks/fedora:40", "ALL=(ALL) NOPASSWD:ALL",
        "/bin/bash", "$6$rounds=4096$saltsalt$hash", "ssh-ed25519 AAAAC3Nza admin@lab", "kubevirt.io/v1",
        "app.kubernetes.io/managed-by", "Opaque", "vms/external", "yesterday", "nothing", "online", "truth",
        "nullable", "x-y", "x:y", "a#b", "1 day", "2x4 lumber", "v1.2.3", "cc81f674-99d8-5989-8a51-2388de4a6f4f",
    ]

    func testNeedsQuotesTable() {
        for s in Self.mustQuote { XCTAssertTrue(YAMLOutput.needsQuotes(s), "should quote \(s.debugDescription)") }
        for s in Self.staysPlain { XCTAssertFalse(YAMLOutput.needsQuotes(s), "should stay plain \(s.debugDescription)") }
    }

    func testMACsAndAddressesAreAlwaysQuotedInOutput() {
        let doc = YAMLOutput.document(.map([
            KubeField("mac", .string("52:54:00:12:34:56")), KubeField("mac2", .string("0e:aa:bb:cc:dd:ee")),
            KubeField("ip", .string("192.168.0.1")), KubeField("ip6", .string("fd00::1")),
            KubeField("cidr", .string("10.0.0.0/24")),
        ]))
        XCTAssertEqual(doc, """
            mac: "52:54:00:12:34:56"
            mac2: "0e:aa:bb:cc:dd:ee"
            ip: "192.168.0.1"
            ip6: "fd00::1"
            cidr: "10.0.0.0/24"

            """)
    }

    /// Every string, quoted or not, reads back as the same string with Yams (libyaml + a YAML
    /// 1.1-style resolver).
    func testStringsRoundTripThroughYams() throws {
        let all = Self.mustQuote + Self.staysPlain + ["line one\nline two\n", "  indented\nblock", "trailing  \nspaces",
                                                      "ends with newlines\n\n\n", "ünïcødé ✓", "emoji 😀", "\u{7}bell"]
        let fields = all.enumerated().map { KubeField("k\($0.offset)", .string($0.element)) }
        let text = YAMLOutput.document(.map(fields))
        let loaded = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        for (i, s) in all.enumerated() {
            XCTAssertEqual(loaded["k\(i)"] as? String, s, "round trip of \(s.debugDescription) in:\n\(text)")
        }
    }

    /// Same with PyYAML (YAML 1.1, what cloud-init and the referee tools use), when present.
    func testStringsRoundTripThroughPyYAML() throws {
        let all = Self.mustQuote + Self.staysPlain + ["line one\nline two\n", "a\n  b\n"]
        let fields = all.enumerated().map { KubeField("k\($0.offset)", .string($0.element)) }
        let text = YAMLOutput.document(.map(fields))
        let json = try python("import sys, yaml, json; print(json.dumps(yaml.safe_load(sys.stdin.read())))", input: text)
        let loaded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for (i, s) in all.enumerated() {
            XCTAssertEqual(loaded["k\(i)"] as? String, s, "PyYAML reads \(s.debugDescription) differently")
        }
    }

    func testMultiLineStringsUseLiteralBlocks() {
        let doc = YAMLOutput.document(.map([KubeField("script", .string("echo one\necho two\n"))]))
        XCTAssertEqual(doc, "script: |\n  echo one\n  echo two\n")
    }

    func testJSONTextIsSingleQuoted() {
        let doc = YAMLOutput.document(.map([KubeField("config", .string(#"{"a":"b"}"#))]))
        XCTAssertEqual(doc, "config: '{\"a\":\"b\"}'\n")
    }

    func testBlockStyleIndentAndNoWrapping() {
        let long = String(repeating: "abcdefghij", count: 30)
        let doc = YAMLOutput.document(.map([
            KubeField("a", .map([KubeField("b", .list([.string("x"), .map([KubeField("c", .int(1)), KubeField("d", .bool(true))])]))])),
            KubeField("empty", .map([])), KubeField("none", .list([])), KubeField("long", .string(long)),
            KubeField("nothing", .null),
        ]))
        XCTAssertEqual(doc, """
            a:
              b:
              - x
              - c: 1
                d: true
            empty: {}
            none: []
            long: \(long)
            nothing: null

            """)
    }

    func testStreamSeparatesDocuments() {
        let objs = (0..<3).map { i in
            KubeObject(apiVersion: "v1", kind: "Namespace", name: "n\(i)", namespace: nil,
                       body: .map([KubeField("apiVersion", .string("v1")), KubeField("kind", .string("Namespace")),
                                   KubeField("metadata", .map([KubeField("name", .string("n\(i)"))]))]))
        }
        XCTAssertEqual(YAMLOutput.stream(objs), """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: n0
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: n1
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: n2

            """)
        XCTAssertEqual(YAMLOutput.stream([]), "")
    }

    /// The chunked, multi-threaded stream is byte-identical to one emitter's output.
    func testChunkedStreamEqualsSequential() {
        let objs = KubernetesBackend.objects(for: Fixtures.many(300))
        let saved = Parallel.threshold
        Parallel.threshold = Int.max
        let sequential = YAMLOutput.stream(objs)
        Parallel.threshold = 1
        defer { Parallel.threshold = saved }
        XCTAssertGreaterThan(Parallel.chunks(objs.count, minimum: 1).count, 0)
        let chunked = YAMLOutput.stream(objs)
        XCTAssertEqual(chunked, sequential)
        // Also when a chunk ends in an open-ended (`|+`) document.
        let open = (0..<40).map { i in
            KubeObject(apiVersion: "v1", kind: "ConfigMap", name: "c\(i)", namespace: nil,
                       body: .map([KubeField("data", .string("line\n\n"))]))
        }
        Parallel.threshold = Int.max
        let openSequential = YAMLOutput.stream(open)
        Parallel.threshold = 1
        XCTAssertEqual(YAMLOutput.stream(open), openSequential)
        // The sink form hands over the same bytes.
        for input in [objs, open] {
            var collected: [UInt8] = []
            YAMLOutput.stream(input) { collected.append(contentsOf: $0) }
            Parallel.threshold = Int.max
            XCTAssertEqual(String(decoding: collected, as: UTF8.self), YAMLOutput.stream(input))
            Parallel.threshold = 1
        }
        XCTAssertEqual(KubernetesBackend.objects(for: Fixtures.many(300)), objs)
    }

    /// Building and emitting a batch of VMs at a time gives the bytes of emitting the whole
    /// object list, on one thread or in several batches and waves.
    func testStreamedBuildEqualsObjectStream() {
        for (name, t) in [("many", Fixtures.many(300)), ("datacenter", Fixtures.datacenter()), ("lab", Fixtures.lab())] {
            assertStreamedYAMLEqualsObjectTree(t, name)
        }
    }

    /// Neighbouring VMs share one rendering of equal userData; a VM whose users, `run` or
    /// `cloud_config` differ from its neighbour's gets its own.
    func testSharedUserDataMatchesPerVMRendering() {
        var t = Fixtures.many(12)
        for i in t.vms.indices {
            switch i % 4 {
            case 1: t.vms[i].users.append(User(name: "ops", sudo: "ALL=(ALL) NOPASSWD:ALL"))
            case 2: t.vms[i].run = ["echo \(i)"]
            case 3 where i > 4: t.vms[i].cloudConfig = "timezone: UTC\n"
            default: break
            }
        }
        let secrets = KubernetesBackend.objects(for: t).filter { $0.kind == "Secret" }
        XCTAssertEqual(secrets.count, t.vms.count)
        for (vm, s) in zip(t.vms, secrets) {
            XCTAssertEqual(s.body["data"]?["userdata"], .string(Base64.encode(CloudInit.userData(vm))), vm.name)
        }
    }

    /// The shortcut style of base64 text is the style of the general rules, for every length
    /// and every first character.
    func testBase64StyleMatchesGeneralStyle() {
        var rng = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = (0..<3000).map { i in (0..<(i % 40)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        for bytes in inputs {
            let text = Array(Base64.encode(bytes).utf8)
            text.withUnsafeBufferPointer {
                XCTAssertEqual(YAMLWriter.base64Style($0), YAMLWriter.style($0), String(decoding: text, as: UTF8.self))
            }
        }
        for text in ["true", "null", "1234", "+123", "12e3", "0x1f", "123456789012", "+1234567", "/abc", "+abc", "+a1b2c3d4"] {
            let u = Array(text.utf8)
            u.withUnsafeBufferPointer { XCTAssertEqual(YAMLWriter.base64Style($0), YAMLWriter.style($0), text) }
        }
    }

    func testBase64MatchesRFC4648() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                                 ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            XCTAssertEqual(Base64.encode(plain), encoded)
        }
        XCTAssertEqual(Base64.encode([0xFF, 0xFE, 0x00]), "//4A")
    }

    /// The pipeline hands every job's result over once, in job order, whatever the number of
    /// jobs, workers and window, and however long each job takes.
    func testPipelineHandsResultsOverInOrder() {
        let saved = Parallel.threshold
        defer { Parallel.threshold = saved }
        for threshold in [Int.max, 1] {
            Parallel.threshold = threshold
            for (count, window) in [(0, 4), (1, 4), (2, 1), (37, 4), (300, 7), (300, 64)] {
                for parallel in [false, true] {
                    var seen: [Int] = []
                    Parallel.pipeline(count, parallel: parallel, window: window, { i -> Int in
                        if i % 5 == 0 { usleep(UInt32(100 * (i % 3))) }
                        return i
                    }, { seen.append($0) })
                    XCTAssertEqual(seen, Array(0..<count), "\(count)/\(window)/\(parallel)")
                }
            }
        }
    }

    /// One emitter rendering many documents gives each the bytes a fresh emitter gives it.
    func testReusedEmitterRendersDocumentsLikeFreshOnes() {
        let values: [KubeValue] = [
            .map([KubeField("a", .int(1))]), .map([]), .string("scalar root"), .list([]),
            .map([KubeField("text", .string("x\ny\n\n"))]), .map([KubeField("b", .list([.string("yes"), .null]))]),
            .list([.map([])]), .map([KubeField("after", .string("keep"))]),
        ]
        let docs = YAMLDocuments()
        for v in values {
            XCTAssertEqual(String(decoding: docs.render { $0.value(v) }, as: UTF8.self), YAMLOutput.document(v), "\(v)")
        }
        for vm in Fixtures.datacenter().vms {
            XCTAssertEqual(String(decoding: CloudInit.userData(vm, with: docs), as: UTF8.self), CloudInit.userData(vm))
        }
    }

    func testMACText() {
        for m in ["0e:00:00:00:00:00", "ff:ee:dd:cc:bb:aa", "02:5a:0f:10:01:9c"] {
            XCTAssertEqual(MACAddress(m)!.text, m)
            XCTAssertEqual(MACAddress(m)!.text, MACAddress(m)!.description)
        }
    }

    func testChunksCoverTheRangeInOrder() {
        for n in [0, 1, 5, 511, 4096, 10_001] {
            let c = Parallel.chunks(n, minimum: 1)
            XCTAssertEqual(c.first?.lowerBound ?? 0, 0)
            XCTAssertEqual(c.last?.upperBound ?? 0, n)
            for (a, b) in zip(c, c.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        }
    }

    func testJSONStreamIsAV1List() throws {
        let objs = KubernetesBackend.objects(for: Fixtures.lab())
        let json = JSONOutput.stream(objs)
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(list["apiVersion"] as? String, "v1")
        XCTAssertEqual(list["kind"] as? String, "List")
        let items = try XCTUnwrap(list["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["kind"] as? String }, objs.map(\.kind))
        // Same content as the YAML.
        let fromYAML = try Yams.load_all(yaml: YAMLOutput.stream(objs)).map { $0 as? [String: Any] }
        XCTAssertEqual(items.count, fromYAML.count)
        for (a, b) in zip(items, fromYAML) {
            XCTAssertEqual(NSDictionary(dictionary: a), NSDictionary(dictionary: b ?? [:]))
        }
        XCTAssertTrue(json.hasPrefix("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n"))
    }

    func testJSONStringEscapes() {
        XCTAssertEqual(JSONOutput.compact(.string("a\"b\\c\n\t\u{1}é")), #""a\"b\\c\n\t\u0001é""#)
        XCTAssertEqual(JSONOutput.compact(.map([KubeField("z", .int(-3)), KubeField("a", .list([.bool(false), .null]))])),
                       #"{"z":-3,"a":[false,null]}"#)
    }

    func testBase64() {
        XCTAssertEqual(Base64.encode(""), "")
        XCTAssertEqual(Base64.encode("f"), "Zg==")
        XCTAssertEqual(Base64.encode("fo"), "Zm8=")
        XCTAssertEqual(Base64.encode("foo"), "Zm9v")
        XCTAssertEqual(Base64.encode("foobar"), "Zm9vYmFy")
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        XCTAssertEqual(Base64.encode(bytes), Data(bytes).base64EncodedString())
    }
}

/// Runs python3 with `code`, feeding `input`; skips when python3 or PyYAML is missing.
func python(_ code: String, input: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", code]
    let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    p.standardError = errPipe
    do { try p.run() } catch { throw XCTSkip("python3 not available: \(error)") }
    inPipe.fileHandleForWriting.write(Data(input.utf8))
    try inPipe.fileHandleForWriting.close()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    let err = errPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let errText = String(decoding: err, as: UTF8.self)
    if p.terminationStatus != 0 && errText.contains("No module named 'yaml'") { throw XCTSkip("PyYAML not installed") }
    if p.terminationStatus != 0 { XCTFail("python3 failed: \(errText)") }
    return String(decoding: out, as: UTF8.self)
}

extension XCTestCase {
    /// The streamed build (`streamYAML`, one thread and batches on several) gives the bytes of
    /// emitting the whole object list built as trees.
    func assertStreamedYAMLEqualsObjectTree(_ t: Topology, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let saved = Parallel.threshold
        defer { Parallel.threshold = saved }
        Parallel.threshold = Int.max
        let expected = YAMLOutput.stream(KubernetesBackend.objects(for: t))
        for threshold in [Int.max, 1] {
            Parallel.threshold = threshold
            var collected: [UInt8] = []
            KubernetesBackend.streamYAML(for: t) { collected.append(contentsOf: $0) }
            XCTAssertEqual(String(decoding: collected, as: UTF8.self), expected, "\(name), threshold \(threshold)",
                           file: file, line: line)
        }
    }
}
