import Foundation

// The transport: LSP's base protocol frames each JSON-RPC message as
// `Content-Length: N\r\n\r\n` followed by N bytes. `wukongc lsp` reads and writes frames on
// stdio with these; the server itself (`LanguageServer.handle`) sees message bodies only.

/// Reads and writes LSP's framing (`Content-Length: N\r\n\r\n` + N bytes).
public enum LSPFraming {
    /// One message body from `read` (which returns up to n bytes, empty at end of input); nil at end.
    public static func readMessage(_ read: (Int) -> Data) -> Data? {
        var header = Data()
        while !(header.count >= 4 && header.suffix(4) == Data("\r\n\r\n".utf8)) {
            let b = read(1)
            if b.isEmpty { return nil }
            header.append(b)
            if header.count > 8192 { return nil }
        }
        var length = 0
        for line in String(decoding: header, as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        var body = Data()
        while body.count < length {
            let chunk = read(length - body.count)
            if chunk.isEmpty { return nil }
            body.append(chunk)
        }
        return body
    }

    public static func frame(_ body: Data) -> Data {
        Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}
