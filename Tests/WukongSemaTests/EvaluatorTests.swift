import XCTest
import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongNet
import WukongSyntax
@testable import WukongSema

/// Evaluation through the public pipeline (parse → evaluate), inspecting values and the checked program.
final class EvaluatorTests: XCTestCase {
    struct Result {
        var program: CheckedProgram
        var diagnostics: [Diagnostic]
        var engine: Engine
        var sources: SourceMap

        /// The value of a top-level `let`.
        func value(_ name: String) -> Value? {
            guard case .letSlot(let s)? = engine.namespace.globals[name]?.entry else { return nil }
            return engine.force(s).value
        }
        var codes: [String] { diagnostics.map(\.code.rawValue) }
        func text(_ span: Span) -> String { sources[span.file]?.text(span) ?? "" }
    }

    func evaluate(_ files: [(String, String)], name: String = "test", stepLimit: Int? = nil) -> Result {
        var sources = SourceMap()
        var trees: [FileSyntax] = []
        var diags: [Diagnostic] = []
        for (path, text) in files {
            let id = sources.add(path: path, bytes: Array(text.utf8))
            let (tree, d) = Parser.parse(sources[id]!)
            trees.append(tree)
            diags += d
        }
        let engine = Engine(files: trees, sources: sources, defaultName: name)
        if let stepLimit { engine.budgets.stepLimit = stepLimit }
        let program = engine.run()
        return Result(program: program, diagnostics: diags + engine.diagnostics, engine: engine, sources: sources)
    }

    func evaluate(_ text: String) -> Result { evaluate([("main.wk", text)]) }

    func clean(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Result {
        let r = evaluate(text)
        XCTAssertEqual(r.diagnostics.map { "\($0.code.rawValue) \($0.message)" }, [], file: file, line: line)
        return r
    }

    // MARK: - Arithmetic

    func testIntArithmetic() {
        let r = clean("""
            let a = 7 / 2
            let b = -7 % 3
            let c = 2 * (3 + 4) - 1
            let d = 0x10 + 1_000
            """)
        XCTAssertEqual(r.value("a"), .int(3))
        XCTAssertEqual(r.value("b"), .int(-1))
        XCTAssertEqual(r.value("c"), .int(13))
        XCTAssertEqual(r.value("d"), .int(1016))
    }

    func testOverflowAndDivisionByZeroAreDiagnostics() {
        let r = evaluate("""
            let m = 9223372036854775807
            let a = m + 1
            let b = 1 / 0
            let c = 1 % 0
            let d = (0 - m - 1) / -1
            """)
        XCTAssertEqual(r.codes, ["E0303", "E0304", "E0304", "E0303"])
        XCTAssertEqual(r.value("a")?.isError, true)
    }

    func testQuantityArithmetic() {
        let r = clean("""
            let a = 1Gi + 512Mi
            let b = 3 * 1Gi
            let c = 4Gi / 4
            let d = 2G - 1G
            let e = 1Gi == 1024Mi
            """)
        XCTAssertEqual(r.value("a"), .quantity(Quantity(bytes: 1536 << 20)))
        XCTAssertEqual(r.value("b"), .quantity(Quantity(bytes: 3 << 30)))
        XCTAssertEqual(r.value("c"), .quantity(Quantity(bytes: 1 << 30)))
        XCTAssertEqual(r.value("d"), .quantity(Quantity(bytes: 1_000_000_000)))
        XCTAssertEqual(r.value("e"), .bool(true))
        XCTAssertEqual(evaluate("let x = 1Gi / 3").codes, ["E0310"])
    }

    func testAddressArithmetic() {
        let r = clean("""
            let a = 10.0.0.250 + 10
            let b = 10.0.1.4 - 10.0.0.250
            let c = ip("fd00::ffff") + 1
            """)
        XCTAssertEqual(r.value("a"), .ip(IPAddress("10.0.1.4")!))
        XCTAssertEqual(r.value("b"), .int(10))
        XCTAssertEqual(r.value("c"), .ip(IPAddress("fd00::1:0")!))
        XCTAssertEqual(evaluate("let x = 255.255.255.255 + 1").codes, ["E0310"])
        XCTAssertEqual(evaluate("let x = 10.0.0.1 - ip(\"fd00::1\")").codes, ["E0301"])
    }

    func testLazyBooleansAndConditional() {
        let r = clean("""
            let z = 0
            let a = z != 0 && 10 / z > 1
            let b = z == 0 || 10 / z > 1
            let c = if z == 0 { "zero" } else { str(10 / z) }
            """)
        XCTAssertEqual(r.value("a"), .bool(false))
        XCTAssertEqual(r.value("b"), .bool(true))
        XCTAssertEqual(r.value("c"), .string("zero"))
    }

    // MARK: - Members and built-ins

    func testCIDRMembers() {
        let r = clean("""
            let n = 192.168.0.0/24
            let netaddr = n.network
            let broadcast = n.broadcast
            let prefix = n.prefix
            let size = n.size
            let first = n.host(1)
            let inside = n.contains(192.168.0.77)
            let isIn = 192.168.1.1 in n
            let v6 = ip("fd00::1").is_v6
            """)
        XCTAssertEqual(r.value("netaddr"), .ip(IPAddress("192.168.0.0")!))
        XCTAssertEqual(r.value("broadcast"), .ip(IPAddress("192.168.0.255")!))
        XCTAssertEqual(r.value("prefix"), .int(24))
        XCTAssertEqual(r.value("size"), .int(256))
        XCTAssertEqual(r.value("first"), .ip(IPAddress("192.168.0.1")!))
        XCTAssertEqual(r.value("inside"), .bool(true))
        XCTAssertEqual(r.value("isIn"), .bool(false))
        XCTAssertEqual(r.value("v6"), .bool(true))
        XCTAssertEqual(evaluate("let x = (10.0.0.0/30).host(4)").codes, ["E0310"])
    }

    func testBuiltins() {
        let r = clean("""
            let a = len([1, 2, 3]) + len("abc")
            let b = str(4Gi) + "/" + str(10.0.0.1)
            let c = cidr("fd00::/64").prefix
            let d = mac("0E:00:00:00:00:01")
            let e = max(2Gi, 1G)
            let f = min(10.0.0.5, 10.0.0.3)
            """)
        XCTAssertEqual(r.value("a"), .int(6))
        XCTAssertEqual(r.value("b"), .string("4Gi/10.0.0.1"))
        XCTAssertEqual(r.value("c"), .int(64))
        XCTAssertEqual(r.value("d"), .mac(MACAddress(0x0e00_0000_0001)))
        XCTAssertEqual(r.value("e"), .quantity(Quantity(bytes: 2 << 30)))
        XCTAssertEqual(r.value("f"), .ip(IPAddress("10.0.0.3")!))
        XCTAssertEqual(evaluate("let x = len(1, 2)").codes, ["E0309"])
    }

    func testNetworkAndVMMembers() {
        let r = clean("""
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/24, gateway = 10.0.0.1, pool = 10.0.0.50 ..= 10.0.0.60 }
            vm a { cpu = 1, memory = 1Gi, image = "x"
              nic n on lan { address = auto }
            }
            vm b { cpu = 2, memory = 1Gi, image = "x"
              nic n on lan { address = auto }
              nic s on lan { address = 10.0.0.51/24 }
            }
            let gw = lan.gateway
            let sub = lan.subnet
            let an = a.n.address
            let bn = b.n.address
            let bs = b.s.address
            let net = b.n.network.name
            let cpus = a.cpu + b.cpu
            """)
        XCTAssertEqual(r.value("gw"), .ip(IPAddress("10.0.0.1")!))
        XCTAssertEqual(r.value("sub"), .cidr(CIDR.parse("10.0.0.0/24").cidr!))
        XCTAssertEqual(r.value("an"), .ip(IPAddress("10.0.0.50")!))
        XCTAssertEqual(r.value("bn"), .ip(IPAddress("10.0.0.52")!))
        XCTAssertEqual(r.value("bs"), .ip(IPAddress("10.0.0.51")!))
        XCTAssertEqual(r.value("net"), .string("lan"))
        XCTAssertEqual(r.value("cpus"), .int(3))
        XCTAssertEqual(evaluate("network n { sriov = \"x\" }\nlet g = n.gateway").codes, ["E0308"])
    }

    // MARK: - Ranges

    func testRanges() {
        let r = clean("""
            let a = len(1..10)
            let b = len(1..=10)
            let c = len(10.0.0.0 .. 10.0.1.0)
            let d = ip("fd00::5") in ip("fd00::") ..= ip("fd00::ffff:ffff:ffff:ffff")
            let e = len(5..1)
            """)
        XCTAssertEqual(r.value("a"), .int(9))
        XCTAssertEqual(r.value("b"), .int(10))
        XCTAssertEqual(r.value("c"), .int(256))
        XCTAssertEqual(r.value("d"), .bool(true))
        XCTAssertEqual(r.value("e"), .int(0))
    }

    func testHugeIPv6RangeIsNotMaterialised() {
        let r = clean("""
            nic ens160
            network n { macvlan = ens160, subnet = "fd00::/64", pool = ip("fd00::1") ..= ip("fd00::ffff:ffff:ffff:ffff") }
            """)
        XCTAssertEqual(r.program.networks.first?.pool?.value.last, IPAddress("fd00::ffff:ffff:ffff:ffff"))
        XCTAssertEqual(evaluate("for i in 0..=2000000 { assert i >= 0, \"x\" }").codes, ["E0310"])
    }

    // MARK: - Spreads

    func testSpreadPrecedence() {
        let r = clean("""
            let base = { cpu = 1, memory = 1Gi, image = "a" }
            let more = { cpu = 2, image = "b" }
            vm v {
              cpu = 8
              ...base
              ...more
              nic default on pod
            }
            let rec = { ...base, memory = 2Gi, ...more }
            """)
        let vm = r.program.vms[0]
        XCTAssertEqual(vm.cpu?.value, 8)
        XCTAssertEqual(vm.image?.value, "b")
        XCTAssertEqual(vm.memory?.value, Quantity(bytes: 1 << 30))
        guard case .record(let rec)? = r.value("rec") else { return XCTFail("record expected") }
        XCTAssertEqual(rec["memory"]?.value, .quantity(Quantity(bytes: 2 << 30)))
        XCTAssertEqual(rec["cpu"]?.value, .int(2))
        XCTAssertEqual(rec.keys, ["cpu", "memory", "image"])
    }

    func testSpreadFieldSpanIsTheSpread() {
        let r = clean("""
            import std.sizes
            vm v {
              ...sizes.medium
              image = "x"
            }
            """)
        let vm = r.program.vms[0]
        XCTAssertEqual(vm.cpu?.value, 2)
        XCTAssertEqual(r.text(vm.cpu!.span), "sizes.medium")
        XCTAssertEqual(r.text(vm.image!.span), "\"x\"")
    }

    // MARK: - Expansion

    func testForIfExpansionOrderAndInterpolatedNames() {
        let r = clean("""
            nic ens160
            vm first { cpu = 1, memory = 1Gi, image = "x" }
            for i in 1..=3 {
              if i != 2 {
                vm "web-${i}" { cpu = i, memory = 1Gi * i, image = "x"
                  for j in 0..i { nic "n${j}" on pod }
                }
              }
            }
            vm last { cpu = 1, memory = 1Gi, image = "x" }
            """)
        XCTAssertEqual(r.program.vms.map(\.decl.name), ["first", "web-1", "web-3", "last"])
        XCTAssertEqual(r.program.vms[2].nics.map(\.decl.name), ["n0", "n1", "n2"])
        XCTAssertEqual(r.program.vms[2].cpu?.value, 3)
        XCTAssertEqual(r.text(r.program.vms[1].decl.nameSpan), "\"web-${i}\"")
    }

    func testInvalidInterpolatedName() {
        XCTAssertEqual(evaluate("vm \"9-${1}\" { cpu = 1, memory = 1Gi, image = \"x\" }").codes, ["E0210"])
    }

    func testLocalLetsAndUseBeforeDeclaration() {
        let r = clean("""
            let total = a + b
            let a = 1
            for i in [1] {
              let y = x * 2
              let x = i + 10
              assert y == 22, "local use before declaration"
            }
            let b = 2
            """)
        XCTAssertEqual(r.value("total"), .int(3))
    }

    // MARK: - Program

    func testProgramShape() {
        let r = clean("""
            topology lab { namespace = "vms", labels = { "app.kubernetes.io/part-of" = "lab" }, mac_prefix = "0e:01" }
            host worker-1 { nic ens192 { address = 192.168.0.121/24, gateway = 192.168.0.1 } }
            host worker-2 { nic ens192 }
            vlan v100 on ens192 { id = 100 }
            bond bond0 { ports = [v100], mode = "active-backup" }
            bridge br { ports = [bond0], hosts = [worker-1] }
            network lan { bridge = br, subnet = 10.0.0.0/24, routes = [{ to = 10.1.0.0/16, via = 10.0.0.254 }], ipam = "whereabouts" }
            vm v { cpu = 1, memory = 1Gi, image = "x", host = worker-1
              user admin { password = "x", groups = ["wheel"] }
              nic a on lan { address = dhcp }
              nic p on pod
            }
            """)
        let p = r.program
        XCTAssertEqual(p.topologyName.value, "lab")
        XCTAssertEqual(p.namespace?.value, "vms")
        XCTAssertEqual(p.labels.map(\.key.value), ["app.kubernetes.io/part-of"])
        XCTAssertEqual(p.nics.map { "\($0.host ?? "*")/\($0.decl.name)" }, ["worker-1/ens192", "worker-2/ens192"])
        XCTAssertEqual(p.nics[0].address?.value.description, "192.168.0.121/24")
        XCTAssertEqual(p.vlans[0].base, LinkUse(kind: .nic, name: "ens192", span: p.vlans[0].base!.span))
        XCTAssertEqual(p.bonds[0].ports.map(\.name), ["v100"])
        XCTAssertEqual(p.bridges[0].hosts?.map(\.value), ["worker-1"])
        XCTAssertEqual(p.networks[0].attachments.map(\.value), [.bridge(name: "br")])
        XCTAssertEqual(p.networks[0].routes.first?.to.value.description, "10.1.0.0/16")
        XCTAssertEqual(p.vms[0].host?.value, "worker-1")
        XCTAssertNotNil(p.vms[0].users[0].plainPassword)
        XCTAssertEqual(p.vms[0].nics.map { $0.network?.value }, [.network("lan"), .pod])
        XCTAssertEqual(p.vms[0].nics[0].address?.value, .dhcp)
    }

    func testCloudConfigLineSpans() {
        let r = clean("""
            vm v { cpu = 1, memory = 1Gi, image = "x"
              cloud_config = \"\"\"
                packages: [nginx]
                package_update: true
                \"\"\"
            }
            vm w { cpu = 1, memory = 1Gi, image = "x", cloud_config = "a: ${1 + 1}" }
            """)
        let cc = r.program.vms[0].cloudConfig
        XCTAssertEqual(cc?.text, "packages: [nginx]\npackage_update: true")
        XCTAssertEqual(cc?.lineSpans?.count, 2)
        XCTAssertEqual(cc?.lineSpans.map { $0.map { r.text($0).trimmingCharacters(in: .whitespacesAndNewlines) } },
                       ["packages: [nginx]", "package_update: true"])
        XCTAssertEqual(r.program.vms[1].cloudConfig?.text, "a: 2")
        XCTAssertNil(r.program.vms[1].cloudConfig?.lineSpans)
    }

    func testDefaultTopologyNameSpansFirstLine() {
        let r = clean("nic ens160\nnic ens161\n")
        XCTAssertEqual(r.program.topologyName.value, "test")
        XCTAssertEqual(r.text(r.program.topologyName.span), "nic ens160")
    }

    func testPoisonedReferenceIsNilAndSilent() {
        let r = evaluate("""
            network lan { bridge = nope, subnet = 10.0.0.0/24 }
            vm v { cpu = 1, memory = 1Gi, image = "x"
              nic n on lan { address = 10.0.0.5 }
            }
            """)
        XCTAssertEqual(r.codes, ["E0201"])
        XCTAssertTrue(r.program.networks[0].poisoned)
        XCTAssertEqual(r.program.networks[0].attachments.count, 0)
        XCTAssertEqual(r.program.networks[0].subnet?.value.description, "10.0.0.0/24")
        XCTAssertFalse(r.program.vms[0].nics[0].poisoned)
    }

    func testCIDRHostBitsFixIt() {
        let r = evaluate("nic e\nnetwork n { macvlan = e, subnet = 192.168.0.7/24 }")
        XCTAssertEqual(r.codes, ["E0306"])
        XCTAssertEqual(r.diagnostics[0].fixIts.first?.replacement, "192.168.0.0/24")
        XCTAssertEqual(r.diagnostics[0].help, "did you mean 192.168.0.0/24?")
    }

    func testWrongKindHelp() {
        let r = evaluate("nic ens192\nnetwork n { bridge = ens192 }")
        XCTAssertEqual(r.codes, ["E0302"])
        XCTAssertTrue(r.diagnostics[0].help?.contains("macvlan = ens192") ?? false)
    }

    func testMultiFileImportsAndDuplicates() {
        let r = evaluate([("a.wk", "import std.sizes\nlet x = sizes.small.cpu + y"),
                          ("b.wk", "import std.sizes\nlet y = 1\nlet x = 2")])
        XCTAssertEqual(r.codes, ["E0202"])
        XCTAssertEqual(r.diagnostics[0].span.file, FileID(1))
        XCTAssertEqual(r.value("x"), .int(2))
    }

    func testCycleListsTheCycle() {
        let r = evaluate("let a = b\nlet b = c\nlet c = a")
        XCTAssertEqual(r.codes, ["E0207"])
        XCTAssertTrue(r.diagnostics[0].message.contains("`a` → `b` → `c` → `a`"), r.diagnostics[0].message)
    }

    // MARK: - Termination

    func testStepBudgetStopsExponentialEvaluation() {
        var src = "fn f0(v: Int) -> Int = v\n"
        for i in 1...40 { src += "fn f\(i)(v: Int) -> Int = f\(i - 1)(v) + f\(i - 1)(v)\n" }
        src += "let r = f40(1)\n"
        let r = evaluate([("main.wk", src)], stepLimit: 10_000)
        XCTAssertEqual(r.codes, ["E0310"])
        XCTAssertLessThan(r.engine.budgets.steps, 100_000)
        let loops = evaluate([("main.wk", "for i in 1..=1000 { for j in 1..=1000 { assert i > 0, \"x\" } }")], stepLimit: 5_000)
        XCTAssertEqual(loops.codes, ["E0310"], "steps \(loops.engine.budgets.steps) limit \(loops.engine.budgets.stepLimit) asserts \(loops.engine.asserts.count) vms \(loops.diagnostics.map(\.message))")
    }

    /// Issue #13: 5 000 000 iterations of `let z = i` kept every iteration's scope until the end
    /// (2.6 GiB); a `let` or `assert` that reads only local values is evaluated as its
    /// iteration ends, so nothing accumulates.
    func testLoopBodiesDoNotAccumulateScopes() {
        let r = evaluate([("main.wk", """
            for i in 1..=100 { for j in 1..=100 { for k in 1..=100 {
              let z = i
              let w = "${z}-${j}"
              assert k > 0, w
            } } }
            """)], stepLimit: 50_000)
        XCTAssertEqual(r.codes, ["E0310"])
        XCTAssertEqual(r.engine.namespace.localLets.count, 0)
        XCTAssertEqual(r.engine.asserts.count, 0)
        // still evaluated when unused, with their diagnostics
        let unused = evaluate("for i in 0..=2 {\n  let z = 10 / (i - 1)\n  assert i != 2, \"i is ${i}\"\n}")
        XCTAssertEqual(unused.codes, ["E0304", "E0320"])
        // a `let` reading a resource waits for the end (an `auto` address is known only then)
        let late = evaluate("""
            network n { subnet = 10.0.0.0/24 }
            vm v {
              cpu = 1
              memory = 1Gi
              image = "quay.io/containerdisks/fedora:40"
              nic e on n { address = auto }
            }
            for i in 0..=1 {
              let a = v.e.address
              assert a in 10.0.0.0/24
            }
            """)
        XCTAssertEqual(late.codes, [])
        XCTAssertEqual(late.engine.namespace.localLets.count, 2)
    }

    /// Issue #13: `[l, l]` nested forty times stands for 2^40 leaves; `==` and `in` count the
    /// elements they compare against the step budget, also for two separately built lists.
    func testEqualityOfSharedListsStopsAtTheStepBudget() {
        var src = "let l0 = [1]\nlet m0 = [1]\n"
        for i in 1...40 { src += "let l\(i) = [l\(i - 1), l\(i - 1)]\nlet m\(i) = [m\(i - 1), m\(i - 1)]\n" }
        let r = evaluate([("main.wk", src + "let e = l40 == m40\n")], stepLimit: 10_000)
        XCTAssertEqual(r.codes, ["E0310"])
        XCTAssertLessThanOrEqual(r.engine.budgets.steps, 10_001)
        let contains = evaluate([("main.wk", src + "let e = [m40].contains(l40)\n")], stepLimit: 10_000)
        XCTAssertEqual(contains.codes, ["E0310"])
        let small = evaluate([("main.wk", src + "let e = l4 == m4\nlet f = l3 in [m2, m3]\nlet g = l3 != m3\n")], stepLimit: 10_000)
        XCTAssertEqual(small.codes, [])
        XCTAssertEqual(small.value("e"), .bool(true))
        XCTAssertEqual(small.value("f"), .bool(true))
        XCTAssertEqual(small.value("g"), .bool(false))
    }

    func testValuesCannotGrowWithoutBound() {
        var src = "let l0 = [1, 2, 3, 4, 5, 6, 7, 8]\nlet s0 = \"0123456789abcdef\"\n"
        for i in 1...30 { src += "let l\(i) = l\(i - 1) + l\(i - 1)\nlet s\(i) = s\(i - 1) + s\(i - 1)\n" }
        let r = evaluate(src)
        XCTAssertEqual(r.codes, ["E0310", "E0310"])
    }

    func testForOverIPRangeIsLazy() {
        let r = clean("""
            nic ens160
            network n { macvlan = ens160, subnet = 10.0.0.0/24 }
            for a in 10.0.0.10 ..= 10.0.0.12 {
              vm "vm-${a - 10.0.0.0}" { cpu = 1, memory = 1Gi, image = "x"
                nic e on n { address = a }
              }
            }
            """)
        XCTAssertEqual(r.program.vms.map(\.decl.name), ["vm-10", "vm-11", "vm-12"])
        XCTAssertEqual(r.program.vms[2].nics[0].address?.value, .ip(IPAddress("10.0.0.12")!))
    }

    // MARK: - Performance

    func testManyVMsEvaluateLinearly() {
        func source(_ n: Int) -> String {
            """
            nic ens192
            bridge br { ports = [ens192] }
            network lan { bridge = br, subnet = 10.0.0.0/8 }
            for i in 1..=\(n) {
              vm "vm-${i}" { cpu = 1, memory = 1Gi, image = "x"
                nic n on lan { address = 10.0.0.0 + i }
              }
            }
            """
        }
        let t0 = Date()
        let small = evaluate(source(2_000))
        let t1 = Date()
        let big = evaluate(source(20_000))
        let t2 = Date()
        XCTAssertEqual(small.program.vms.count, 2_000)
        XCTAssertEqual(big.program.vms.count, 20_000)
        XCTAssertEqual(big.codes, [])
        // ten times the VMs may not cost much more than ten times the time (no quadratic step)
        let ratio = t2.timeIntervalSince(t1) / max(t1.timeIntervalSince(t0), 0.001)
        XCTAssertLessThan(ratio, 25, "evaluation does not scale linearly")
    }
}
