import Foundation
import XCTest
import WukongCompiler
import WukongDiagnostics
import WukongGraph

/// `wukongc check --graph`: diagnostics pinned on the elements whose declarations hold their spans.
final class CheckGraphTests: XCTestCase {
    /// `web`'s NIC has an address outside its subnet (E0402), `spare` and `bond0` are unused
    /// (W0403), and a `let` has a type error (E0301) that lies in no element.
    static let flawed = """
    topology flawed { namespace = "flawed" }

    let unused = 1 + "x"

    host worker-1 { nic ens192 { address = 10.0.0.11/24 } }
    nic ens193
    nic ens194
    bond bond0 { ports = [ens193] }
    bridge br-ext { ports = [ens194] }
    network lan { bridge = br-ext, subnet = 10.1.0.0/24, gateway = 10.1.0.1 }
    network spare { bridge = br-ext, subnet = 10.2.0.0/24 }

    vm web { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/fedora:40"
      nic eth0 on lan { address = 10.9.0.5 }
    }
    vm db { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/fedora:40"
      nic eth0 on lan { address = 10.1.0.6 }
    }
    """

    static func compile(_ source: String) -> Compilation {
        Driver.compile(files: [InputFile(path: "t.wk", text: source)], defaultName: "t")
    }

    /// The line of a DOT node statement (`"id" [...]`).
    static func dotLine(_ dot: String, _ id: String) -> String? {
        dot.split(separator: "\n").map(String.init).first { $0.hasPrefix("  \"\(id)\" [") || $0.hasPrefix("    \"\(id)\" [") }
    }

    func testFindingsComeFromSpans() throws {
        let c = Self.compile(Self.flawed)
        XCTAssertEqual(Set(c.diagnostics.map(\.code.rawValue)), ["E0301", "E0402", "W0403"])
        let f = GraphFindings.locate(c.diagnostics, in: c.program, sources: c.sources)
        XCTAssertEqual(f.marks(.vmNic(vm: "web", nic: "eth0")).map(\.code), ["E0402"])
        XCTAssertTrue(f.marks(.vmNic(vm: "db", nic: "eth0")).isEmpty)
        XCTAssertTrue(f.marks(.vm("db")).isEmpty)
        XCTAssertTrue(f.marks(.vm("web")).isEmpty, "the NIC is the innermost declaration")
        XCTAssertEqual(f.marks(.network("spare")).map(\.severity), [.warning])
        XCTAssertEqual(f.marks(.nodeInterface(key: "bond:bond0", host: nil)).map(\.code), ["W0403"])
        XCTAssertEqual(f.outside.map(\.code), ["E0301"])
        XCTAssertEqual(f.outside.first?.location, "t.wk:3")
        XCTAssertEqual(f.errors, 2)
        XCTAssertEqual(f.warnings, 2)
    }

    func testDOTMarksTheFlaggedElementsOnly() throws {
        let c = Self.compile(Self.flawed)
        XCTAssertNil(c.topology, "a topology with errors has no IR: the picture lowers it itself")
        let dot = Driver.checkGraph(c).dot()
        let web = try XCTUnwrap(Self.dotLine(dot, "vm:web"))
        XCTAssertTrue(web.contains("color=\"#d62728\""), web)
        XCTAssertTrue(web.contains("bgcolor=\"#f9b9b0\">eth0: 10.9.0.5/24  ⚠ error E0402</td>"), web)
        XCTAssertTrue(web.contains("tooltip=\"error[E0402] t.wk:14: address `10.9.0.5` is outside"), web)
        let db = try XCTUnwrap(Self.dotLine(dot, "vm:db"))
        XCTAssertFalse(db.contains("#d62728") || db.contains("E0"), db)
        let spare = try XCTUnwrap(Self.dotLine(dot, "net:spare"))
        XCTAssertTrue(spare.contains("color=\"#e08a00\"") && spare.contains("warning W0403"), spare)
        let lan = try XCTUnwrap(Self.dotLine(dot, "net:lan"))
        XCTAssertFalse(lan.contains("#e08a00") || lan.contains("#d62728"), lan)
        let bond = try XCTUnwrap(Self.dotLine(dot, "host:worker-1/bond:bond0"))
        XCTAssertTrue(bond.contains("warning W0403") && bond.contains("penwidth=2.5"), bond)
        XCTAssertFalse(try XCTUnwrap(Self.dotLine(dot, "host:worker-1/bridge:br-ext")).contains("W0403"))
        let legend = try XCTUnwrap(Self.dotLine(dot, "legend"))
        XCTAssertTrue(legend.contains("check: 2 errors, 2 warnings"), legend)
        XCTAssertTrue(legend.contains("1 diagnostic outside the picture:"), legend)
        XCTAssertTrue(legend.contains("error[E0301] t.wk:3: mismatched types"), legend)
        // `graph` itself is unchanged: no legend, no marks.
        let clean = try GraphRepo.topology(Self.flawed.replacingOccurrences(of: "1 + \"x\"", with: "1")
            .replacingOccurrences(of: "10.9.0.5", with: "10.1.0.5"))
        XCTAssertFalse(TopologyGraph.build(clean).dot().contains("legend"))
    }

    func testMermaidClassesAndLabels() throws {
        let mermaid = Driver.checkGraph(Self.compile(Self.flawed)).mermaid()
        let lines = mermaid.split(separator: "\n").map(String.init)
        func id(_ title: String) throws -> String {
            let line = try XCTUnwrap(lines.first { $0.contains("<b>\(title)</b>") }, title)
            return String(line.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber })
        }
        let web = try id("web"), db = try id("db"), spare = try id("spare"), lan = try id("lan"), bond = try id("bond0")
        let errors = try XCTUnwrap(lines.first { $0.hasPrefix("  class ") && $0.hasSuffix(" error") })
        XCTAssertEqual(errors, "  class \(web) error")
        let warnings = try XCTUnwrap(lines.first { $0.hasPrefix("  class ") && $0.hasSuffix(" warning") })
        XCTAssertEqual(Set(warnings.dropFirst(8).dropLast(8).split(separator: ",").map(String.init)), [bond, spare])
        XCTAssertTrue(lines.contains("  classDef error fill:#fde0dc,stroke:#d62728,stroke-width:3px,color:#000"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("  class ") && $0.hasSuffix(" vm") && $0.contains(db) && !$0.contains(web) })
        XCTAssertTrue(lines.contains { $0.hasPrefix("  class ") && $0.hasSuffix(" network") && $0.contains(lan) })
        let webLine = try XCTUnwrap(lines.first { $0.contains("<b>web</b>") })
        XCTAssertTrue(webLine.contains("eth0: 10.9.0.5/24 ⚠ error E0402"), webLine)
        let legend = try XCTUnwrap(lines.first { $0.hasPrefix("  legend[") })
        XCTAssertTrue(legend.contains("1 diagnostic outside the picture:<br/>error[E0301] t.wk:3"), legend)
        XCTAssertTrue(lines.contains("  class legend legend"))
    }

    /// A diagnostic in a host block outside its NICs marks that host's cluster, not the other's.
    func testHostClusterMarks() throws {
        let source = """
        topology h { namespace = "h" }
        host worker-1 { colour = "blue", nic ens192 { address = 10.0.0.11/24 } }
        host worker-2 { nic ens192 { address = 10.0.0.12/24 } }
        """
        let graph = Driver.checkGraph(Self.compile(source))
        XCTAssertEqual(graph.clusters.map { $0.marks.map(\.code) }, [["E0203"], []])
        XCTAssertTrue(graph.allNodes.allSatisfy { $0.marks.isEmpty })
        let dot = graph.dot()
        XCTAssertTrue(dot.contains("label=\"host worker-1 — error E0203\"; style=\"rounded,filled\"; fillcolor=\"#f7f8fa\"; color=\"#d62728\""), dot)
        XCTAssertTrue(dot.contains("label=\"host worker-2\"; style=\"rounded,filled\"; fillcolor=\"#f7f8fa\"; color=\"#9aa7b8\""), dot)
        let mermaid = graph.mermaid()
        XCTAssertTrue(mermaid.contains("  subgraph c0[\"host worker-1 — error E0203\"]\n"), mermaid)
        XCTAssertTrue(mermaid.contains("  style c0 stroke:#d62728,stroke-width:3px\n"), mermaid)
        XCTAssertFalse(mermaid.contains("style c1"), mermaid)
        XCTAssertTrue(mermaid.contains("every diagnostic is on an element"), mermaid)
    }

    /// A topology `name` with one bridged network `lan` (10.1.0.0/24), for VMs appended to it.
    static func lanTopology(_ name: String) -> String {
        """
        topology \(name) { namespace = "\(name)" }
        nic ens192
        bridge br0 { ports = [ens192] }
        network lan { bridge = br0, subnet = 10.1.0.0/24 }

        """
    }

    /// Six VMs collapse into one group; one of them has an error: the group says 1 of 6.
    func testGroupCountsItsFlaggedVMs() throws {
        var source = Self.lanTopology("fleet")
        for i in 1...6 {
            source += "vm app-\(i) { cpu = 1, memory = 1Gi, image = \"quay.io/containerdisks/fedora:40\"\n"
            source += "  nic eth0 on lan { address = \(i == 3 ? "10.7.0.3" : "10.1.0.1\(i)") }\n}\n"
        }
        let graph = Driver.checkGraph(Self.compile(source))
        let group = try XCTUnwrap(graph.nodes.first { $0.kind == .vmGroup })
        XCTAssertEqual(group.memberCount, 6)
        XCTAssertEqual(group.flaggedMembers, 1)
        XCTAssertEqual(group.rows.first?.marks.map(\.code), ["E0402"])
        let dot = graph.dot()
        XCTAssertTrue(try XCTUnwrap(Self.dotLine(dot, group.id)).contains("1 of 6 VMs flagged: error E0402"))
        XCTAssertTrue(graph.mermaid().contains("⚠ 1 of 6 VMs flagged: error E0402"))
    }

    /// Instances of one declaration in a `for` share its spans; a VM check names its instance
    /// (`Diagnostic.instance`), so only that VM is marked.
    func testLoopInstanceNamedByItsDiagnosticIsTheOnlyOneMarked() throws {
        let source = Self.lanTopology("loop") + """
        for i in 1..=3 {
          vm "app-${i}" { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/fedora:40"
            nic eth0 on lan { address = 10.1.0.0 + i * 100 }
          }
        }
        """
        let c = Self.compile(source)
        XCTAssertEqual(c.diagnostics.map(\.instance), ["app-3"])
        let f = GraphFindings.locate(c.diagnostics, in: c.program, sources: c.sources)
        XCTAssertEqual(f.marks(.vmNic(vm: "app-3", nic: "eth0")).map(\.code), ["E0402"])
        XCTAssertEqual(f.marks(.vmNic(vm: "app-3", nic: "eth0")).map(\.shared), [1])
        XCTAssertEqual(f.marks(.vmNic(vm: "app-1", nic: "eth0")), [])
        XCTAssertEqual(f.marks(.vmNic(vm: "app-2", nic: "eth0")), [])
        XCTAssertFalse(Driver.checkGraph(c).dot().contains("declaration shared by"))
    }

    /// A diagnostic of the declaration itself (a type error, reported once) names no instance:
    /// every copy carries it, and says so.
    func testLoopDiagnosticWithoutInstanceMarksEveryCopy() throws {
        let source = Self.lanTopology("loop") + """
        for i in 1..=3 {
          vm "app-${i}" { cpu = 1, memory = 1Gi, image = "quay.io/containerdisks/fedora:40"
            nic eth0 on lan { address = 10.1.0.0 + i, metric = "low" }
          }
        }
        """
        let c = Self.compile(source)
        XCTAssertEqual(c.diagnostics.map(\.code.rawValue), ["E0301"])
        let f = GraphFindings.locate(c.diagnostics, in: c.program, sources: c.sources)
        for i in 1...3 {
            XCTAssertEqual(f.marks(.vmNic(vm: "app-\(i)", nic: "eth0")).map(\.shared), [3])
        }
        XCTAssertTrue(Driver.checkGraph(c).dot().contains("(declaration shared by 3 elements)"))
    }

    /// Every diagnostics test file: the picture is drawn, the legend counts what `check` counts,
    /// and every error and warning is on an element or listed in the legend — none dropped.
    func testEveryDiagnosticsFileLosesNoDiagnostic() throws {
        let root = GraphRepo.root + "/Tests/diagnostics"
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: root))
            .filter { ($0.hasSuffix(".wk") || $0.hasSuffix(".dir")) && !$0.contains(".dir/") }.sorted()
        XCTAssertGreaterThan(files.count, 50)
        for file in files {
            let c = try Driver.compile(path: root + "/" + file)
            let graph = Driver.checkGraph(c)
            let legend = try XCTUnwrap(graph.legend, file)
            XCTAssertEqual(legend.errors, c.errorCount, file)
            XCTAssertEqual(legend.warnings, c.warningCount, file)
            func key(_ m: GraphMark) -> String { "\(m.code) \(m.location) \(m.message)" }
            var shown = Set(legend.outside.map(key))
            for n in graph.allNodes {
                shown.formUnion(n.marks.map(key))
                for r in n.rows { shown.formUnion(r.marks.map(key)) }
            }
            for cl in graph.clusters { shown.formUnion(cl.marks.map(key)) }
            for d in c.diagnostics where d.severity != .note {
                let m = GraphMark(severity: d.severity, code: d.code.rawValue, message: d.message,
                                  location: (c.sources[d.span.file].map { "\($0.path):\($0.location(of: d.span.startOffset).line)" }) ?? "")
                XCTAssertTrue(shown.contains(key(m)), "\(file): \(key(m)) is nowhere in the picture")
            }
            XCTAssertFalse(graph.dot().isEmpty)
            XCTAssertFalse(graph.mermaid().isEmpty)
        }
    }
}
