import WukongDiagnostics
import WukongParallel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry point of the syntax stage: source → tokens → tree, with diagnostics as values.
public enum Parser {
    /// How deeply brackets, blocks, strings and operator chains may nest before E0112. Real
    /// topologies nest a dozen levels; 128 keeps the parser (and the tree walks of later stages)
    /// within a few MiB of stack even in debug builds, whose frames are 10–20 KiB per level.
    public static let maxNesting = 128

    /// Files of at least this many bytes are lexed and parsed in two halves on two threads.
    static let parallelBytes = 512 * 1024

    /// Parses one file. Never traps; unparsable pieces become `.error` nodes.
    public static func parse(_ file: SourceFile) -> (syntax: FileSyntax, diagnostics: [Diagnostic]) {
        if file.bytes.count >= parallelBytes, let split = splitPoint(file.bytes), let result = parseInHalves(file, at: split) {
            return result
        }
        return parseWhole(file)
    }

    static func parseWhole(_ file: SourceFile) -> (syntax: FileSyntax, diagnostics: [Diagnostic]) {
        let lexed = Lexer.lex(file)
        var p = ParserImpl(source: file, lexed: lexed)
        let items = p.parseFile()
        var diags = lexed.diagnostics + p.diags
        diags = diags.enumerated().sorted { a, b in
            a.element.span.start != b.element.span.start ? a.element.span.start < b.element.span.start : a.offset < b.offset
        }.map(\.element)
        return (FileSyntax(file: file.id, items: items, comments: lexed.comments), diags)
    }

    // MARK: Two halves

    /// Where a large file may be cut in two: the start of a line that begins a top-level
    /// declaration (`vm `, `network `, `let `, …) right after a line that is just `}`, at or after
    /// the middle. Nil when there is none in the second half.
    static func splitPoint(_ bytes: [UInt8]) -> Int? {
        let starts: [[UInt8]] = ["vm ", "nic ", "host ", "vlan ", "bond ", "bridge ", "ovs-bridge ", "network ",
                                 "let ", "fn ", "for ", "assert "].map { Array($0.utf8) }
        return bytes.withUnsafeBufferPointer { b -> Int? in
            var k = b.count / 2
            while k + 3 < b.count {
                // "\n}\n" (or "\n}\r\n") followed by a declaration keyword at column 0
                if b[k] == 0x0A && b[k + 1] == 0x7D {
                    var line = k + 2
                    if line < b.count && b[line] == 0x0D { line += 1 }
                    if line < b.count && b[line] == 0x0A {
                        let start = line + 1
                        for w in starts where start + w.count <= b.count {
                            var same = true
                            for (j, c) in w.enumerated() where b[start + j] != c { same = false; break }
                            if same { return start }
                        }
                    }
                }
                k += 1
            }
            return nil
        }
    }

    /// Lexes and parses `file[..<split]` and `file[split...]` at the same time. The halves are
    /// used only when neither has a diagnostic: then the cut was between two top-level
    /// declarations (a string, comment, block or expression running across it leaves the first
    /// half unfinished, which is an error) and the result is the one of the whole file. Nil
    /// otherwise: the caller parses the whole file.
    static func parseInHalves(_ file: SourceFile, at split: Int) -> (syntax: FileSyntax, diagnostics: [Diagnostic])? {
        final class Half: @unchecked Sendable {
            var items: [Item] = []
            var comments: [Span] = []
            var clean = false
        }
        func parse(_ range: Range<Int>, into half: Half) {
            let lexed = Lexer.lex(file, range: range)
            if !lexed.diagnostics.isEmpty { return }
            var p = ParserImpl(source: file, lexed: lexed)
            half.items = p.parseFile()
            half.comments = lexed.comments
            half.clean = p.diags.isEmpty
        }
        let first = Half(), second = Half()
        // Large stacks: the parser recurses up to `Parser.maxNesting` levels, and debug frames are big.
        Parallel.run(2, stackSize: 64 << 20) { half in
            if half == 0 { parse(0..<split, into: first) } else { parse(split..<file.bytes.count, into: second) }
        }
        guard first.clean && second.clean else { return nil }
        return (FileSyntax(file: file.id, items: first.items + second.items, comments: first.comments + second.comments), [])
    }
}

