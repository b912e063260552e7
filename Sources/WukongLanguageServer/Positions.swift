import WukongDiagnostics

// Position conversion between the compiler's byte offsets and spans and LSP's positions:
// 0-based lines and UTF-16 code units (so "é" counts 1 and "😀" counts 2).

enum Positions {
    /// A span as an LSP range.
    static func range(_ span: Span, in file: SourceFile) -> LSP.Range {
        LSP.Range(start: position(span.startOffset, in: file), end: position(max(span.startOffset, span.endOffset), in: file))
    }

    static func position(_ offset: Int, in file: SourceFile) -> LSP.Position {
        let loc = file.location(of: offset)
        let lineStart = file.lineStarts[loc.line - 1]
        let end = max(lineStart, min(loc.offset, file.bytes.count))
        let units = String(decoding: file.bytes[lineStart..<end], as: UTF8.self).utf16.count
        return LSP.Position(line: loc.line - 1, character: units)
    }

    /// The byte offset of an LSP position in `bytes` (clamped to its line and to the text).
    static func offset(_ position: LSP.Position, in bytes: [UInt8]) -> Int {
        var l = 0, i = 0
        while l < position.line, i < bytes.count { if bytes[i] == 0x0A { l += 1 }; i += 1 }
        var units = 0
        while i < bytes.count, bytes[i] != 0x0A, units < position.character {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            units += len == 4 ? 2 : 1
            i += len
        }
        return min(i, bytes.count)
    }

    /// The position just past the last character of `bytes`.
    static func end(of bytes: [UInt8]) -> LSP.Position {
        position(bytes.count, in: SourceFile(id: FileID(0), path: "", bytes: bytes))
    }
}
