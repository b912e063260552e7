#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A source file: its path as shown to the user, its bytes, and the offsets where lines start.
/// Positions everywhere else are byte offsets; line/column are computed here, at the edge.
public struct SourceFile: Sendable {
    public let id: FileID
    public let path: String
    public let bytes: [UInt8]
    public let lineStarts: [Int]

    public init(id: FileID, path: String, bytes: [UInt8]) {
        self.id = id
        self.path = path
        self.bytes = bytes
        // memchr finds the newlines (vectorised), rather than a byte-by-byte loop
        self.lineStarts = bytes.withUnsafeBufferPointer { buf in
            var starts: [Int] = [0]
            guard let base = buf.baseAddress else { return starts }
            starts.reserveCapacity(buf.count / 32 + 1)
            var p = UnsafeRawPointer(base)
            let end = UnsafeRawPointer(base + buf.count)
            while p < end, let nl = memchr(p, 0x0A, end - p) {
                p = UnsafeRawPointer(nl) + 1
                starts.append(p - UnsafeRawPointer(base))
            }
            return starts
        }
    }

    public init(id: FileID, path: String, text: String) {
        self.init(id: id, path: path, bytes: Array(text.utf8))
    }

    /// 1-based line and column; columns count Unicode scalars (invalid bytes count one each).
    public func location(of offset: Int) -> SourceLocation {
        let off = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= off { lo = mid } else { hi = mid - 1 }
        }
        var start = lineStarts[lo]
        // A byte-order mark is not a column.
        if lo == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = min(3, off) }
        var col = 1
        var i = start
        while i < off {
            let b = bytes[i]
            // count only bytes that start a scalar (not UTF-8 continuation bytes)
            if b & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        return SourceLocation(line: lo + 1, column: col, offset: off)
    }

    /// The text of 1-based line `line`, without its line terminator.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        var start = lineStarts[line - 1]
        if line == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public func text(_ span: Span) -> String {
        let s = max(0, min(span.startOffset, bytes.count)), e = max(s, min(span.endOffset, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

public struct FileID: Hashable, Comparable, Sendable {
    public let raw: Int32
    public init(_ raw: Int) { self.raw = Int32(raw) }
    public static func < (a: FileID, b: FileID) -> Bool { a.raw < b.raw }
}

public struct SourceLocation: Equatable, Sendable {
    public let line: Int
    public let column: Int
    public let offset: Int
}

/// A byte range in one file.
public struct Span: Hashable, Sendable, CustomStringConvertible {
    public let file: FileID
    public let start: Int32
    public let end: Int32

    public init(file: FileID, start: Int, end: Int) {
        self.file = file
        self.start = Int32(start)
        self.end = Int32(max(start, end))
    }

    public var startOffset: Int { Int(start) }
    public var endOffset: Int { Int(end) }
    public var length: Int { Int(end - start) }

    /// The smallest span covering both (same file assumed; otherwise `self`).
    public func to(_ other: Span) -> Span {
        guard other.file == file else { return self }
        return Span(file: file, start: Int(min(start, other.start)), end: Int(max(end, other.end)))
    }

    public var description: String { "\(file.raw):\(start)..<\(end)" }
    public static let none = Span(file: FileID(-1), start: 0, end: 0)
    public var isNone: Bool { file.raw < 0 }
    /// Whether `inner` lies within this span (same file; syntax spans are nested or disjoint).
    public func contains(_ inner: Span) -> Bool {
        file == inner.file && start <= inner.start && inner.end <= end
    }
}

/// All files of one compilation, indexed by `FileID`.
public struct SourceMap: Sendable {
    public private(set) var files: [SourceFile] = []
    public init() {}

    @discardableResult
    public mutating func add(path: String, bytes: [UInt8]) -> FileID {
        let id = FileID(files.count)
        files.append(SourceFile(id: id, path: path, bytes: bytes))
        return id
    }

    public subscript(id: FileID) -> SourceFile? {
        let i = Int(id.raw)
        return i >= 0 && i < files.count ? files[i] : nil
    }
}
