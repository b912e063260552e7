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
    /// The client's URI of each open file, by path: what its diagnostics, fixes and locations
    /// are reported under. A URI rebuilt from the path may percent-encode differently (`%C3%A9`
    /// vs `%c3%a9`, a space) and the client would not match it to its buffer.
    private(set) var clientURIs: [String: String] = [:]
    /// The `.wk` files under a folder (relative paths, sorted), or nil when the folder is not
    /// a topology (too many entries); cached until a file event in it (`invalidateListings`).
    private(set) var listings: [String: [String]?] = [:]
    /// How many times a folder was walked (tests check the cache is used).
    private(set) var walks = 0

    subscript(uri: String) -> Document? {
        get { documents[uri] }
        set {
            documents[uri] = newValue
            if let path = DocumentStore.path(of: uri) {
                if newValue != nil { clientURIs[path] = uri } else if clientURIs[path] == uri { clientURIs[path] = nil }
            }
        }
    }

    /// Applies `didChange` events in order: a ranged event replaces its range (UTF-16
    /// positions, in the text as the previous events left it), an unranged one the whole text.
    static func apply(_ changes: [LSP.TextDocumentContentChangeEvent], to text: String) -> String {
        var bytes = Array(text.utf8)
        for change in changes {
            guard let range = change.range else {
                bytes = Array(change.text.utf8)
                continue
            }
            let start = Positions.offset(range.start, in: bytes)
            let end = max(start, Positions.offset(range.end, in: bytes))
            bytes.replaceSubrange(start..<end, with: Array(change.text.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Forgets the listings of the folders that hold `uri` (at any depth: a walk is recursive).
    mutating func invalidateListings(for uri: String) {
        guard let path = DocumentStore.path(of: uri) else { return }
        for dir in listings.keys where path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/") || path == dir { listings[dir] = nil }
    }

    /// The `.wk` files under `dir`, from the cache or one walk.
    private mutating func listing(_ dir: String) -> [String]? {
        if let cached = listings[dir] { return cached }
        walks += 1
        var rels: [String]? = []
        if let walker = FileManager.default.enumerator(atPath: dir) {
            var visited = 0
            while let rel = walker.nextObject() as? String {
                // a folder that is not a topology (a home directory, /tmp): give up early
                visited += 1
                if visited > 5000 || rels!.count > 2000 { rels = nil; break }
                if rel.hasSuffix(".wk") { rels!.append(rel) }
            }
        }
        rels?.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        listings[dir] = .some(rels)
        return rels
    }

    // MARK: URIs and paths

    /// The file path of a `file://` URI (nil for `untitled:` and other schemes).
    static func path(of uri: String) -> String? {
        guard uri.hasPrefix("file://"), let url = URL(string: uri) else { return nil }
        return url.path
    }

    static func uri(of path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    /// The URI to report `path` under: the client's when the file is open, else one built from the path.
    func clientURI(of path: String) -> String { clientURIs[path] ?? DocumentStore.uri(of: path) }

    /// The key fixes and other per-file state are kept under: the path for a `file://` URI
    /// (so two spellings of one URI meet), else the URI.
    static func key(_ uri: String) -> String { path(of: uri) ?? uri }

    /// The text of a file: the editor's buffer when open, else the disk.
    func text(path: String) -> [UInt8]? {
        if let uri = clientURIs[path], let d = documents[uri] { return Array(d.text.utf8) }
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
    mutating func topology(of uri: String) -> (root: String, files: [InputFile], name: String) {
        guard let path = DocumentStore.path(of: uri) else {
            let text = documents[uri]?.text ?? ""
            return (uri, [InputFile(path: uri, text: text)], "untitled")
        }
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let single = (path, [InputFile(path: path, bytes: text(path: path) ?? [])], name)
        let dir = url.deletingLastPathComponent().path
        guard let rels = listing(dir), rels.count > 1 else { return single }
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
    func reportingURI(for path: String, from uri: String) -> String {
        DocumentStore.path(of: uri) == nil ? uri : path == DocumentStore.path(of: uri) ? uri : clientURI(of: path)
    }
}
