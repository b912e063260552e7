import Foundation
import WukongCompiler
import WukongDiagnostics
import WukongSyntax

// The document store: the editor's open buffers by URI (full text and version), file texts
// (the buffer when open, else the disk), and which files form the topology a document belongs
// to — the unit that is checked, searched for declarations and renamed across.

struct DocumentStore {
    struct Document {
        var text: String
        var version: Int
    }

    private(set) var documents: [String: Document] = [:]

    subscript(uri: String) -> Document? {
        get { documents[uri] }
        set { documents[uri] = newValue }
    }

    // MARK: URIs and paths

    /// The file path of a `file://` URI (nil for `untitled:` and other schemes).
    static func path(of uri: String) -> String? {
        guard uri.hasPrefix("file://"), let url = URL(string: uri) else { return nil }
        return url.path
    }

    static func uri(of path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    /// The text of a file: the editor's buffer when open, else the disk.
    func text(path: String) -> [UInt8]? {
        if let d = documents[DocumentStore.uri(of: path)] { return Array(d.text.utf8) }
        for (uri, d) in documents where DocumentStore.path(of: uri) == path { return Array(d.text.utf8) }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    // MARK: Topologies

    /// The files of the topology `uri` belongs to, its root (the directory, or the file) and its
    /// default name.
    ///
    /// A document alone, unless its directory holds several `.wk` files with at most one
    /// `topology` declaration between them — then the directory (walked recursively, as
    /// `wukongc check DIR`) is one topology. (A folder of independent examples, each with its
    /// own `topology`, is checked file by file.)
    func topology(of uri: String) -> (root: String, files: [InputFile], name: String) {
        guard let path = DocumentStore.path(of: uri) else {
            let text = documents[uri]?.text ?? ""
            return (uri, [InputFile(path: uri, text: text)], "untitled")
        }
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let single = (path, [InputFile(path: path, bytes: text(path: path) ?? [])], name)
        let dir = url.deletingLastPathComponent().path
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return single }
        var rels: [String] = []
        var visited = 0
        while let rel = walker.nextObject() as? String {
            // a folder that is not a topology (a home directory, /tmp): give up early
            visited += 1
            if visited > 5000 || rels.count > 2000 { return single }
            if rel.hasSuffix(".wk") { rels.append(rel) }
        }
        guard rels.count > 1 else { return single }
        rels.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var files: [InputFile] = []
        var topologies = 0
        for rel in rels {
            let full = dir + "/" + rel
            guard let bytes = text(path: full) else { continue }
            topologies += DocumentStore.topologyDeclarations(bytes)
            if topologies > 1 { return single }
            files.append(InputFile(path: full, bytes: bytes))
        }
        return (dir, files, url.deletingLastPathComponent().lastPathComponent)
    }

    /// `topology` keywords that start a declaration (tokens, so comments and strings don't count).
    static func topologyDeclarations(_ bytes: [UInt8]) -> Int {
        let lexed = Lexer.lex(SourceFile(id: FileID(0), path: "", bytes: bytes))
        var n = 0
        var previous: TokenKind? = nil
        for t in lexed.tokens {
            if t.kind == .kwTopology && previous != .dot && (t.newlineBefore || previous == nil) { n += 1 }
            previous = t.kind
        }
        return n
    }

    /// The URI diagnostics and locations of a topology file are reported under: the file's own,
    /// or the document's when the document has no path (`untitled:`; its one file is itself).
    static func reportingURI(for path: String, from uri: String) -> String {
        DocumentStore.path(of: uri) == nil ? uri : DocumentStore.uri(of: path)
    }
}
