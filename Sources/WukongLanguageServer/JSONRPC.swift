import Foundation

// JSON-RPC 2.0 as LSP uses it: the envelopes of requests, responses and notifications, the
// named error codes, and `JSONValue` for the two places where the protocol carries arbitrary
// JSON (a request's `id`, which is a number or a string, and the `data` of an error).

/// Any JSON value (for request ids and free-form `data`).
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// The error codes of JSON-RPC and LSP this server answers with (or may).
enum ErrorCode: Int, Codable, Sendable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case serverNotInitialized = -32002
    case requestCancelled = -32800
    case contentModified = -32801
}

/// The `error` member of a response; thrown by handlers to fail a request.
struct ResponseError: Error, Codable, Equatable, Sendable {
    var code: ErrorCode
    var message: String
    var data: JSONValue? = nil

    static func invalidParams(_ message: String) -> ResponseError { ResponseError(code: .invalidParams, message: message) }
}

/// What is read first of every message: enough to route it. `params` is decoded afterwards,
/// with the type its method's handler wants (`ParamsEnvelope`).
struct MessageHeader: Decodable {
    /// Present (possibly `null`) in requests and responses; absent in notifications.
    var id: JSONValue?
    /// Absent in responses (to requests of ours: this server sends none).
    var method: String?

    enum CodingKeys: String, CodingKey { case id, method }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // `"id": null` is an id (a response must echo it); no `id` key is a notification
        id = c.contains(.id) ? try c.decode(JSONValue.self, forKey: .id) : nil
        // a `method` that is not a string is no method: the message is ignored, as a response would be
        method = try? c.decodeIfPresent(String.self, forKey: .method)
    }
}

/// The `params` of a message, decoded as `P`. Absent or `null` params read as `{}`, so a
/// params type whose members are all optional accepts them.
struct ParamsEnvelope<P: Decodable>: Decodable {
    var params: P

    enum CodingKeys: String, CodingKey { case params }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let p = try c.decodeIfPresent(P.self, forKey: .params) {
            params = p
        } else {
            params = try JSONDecoder().decode(P.self, from: Data("{}".utf8))
        }
    }
}

/// A response: `result` on success, `error` on failure.
struct ResponseMessage<Result: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var id: JSONValue
    var result: Result?
    var error: ResponseError?

    init(id: JSONValue, result: Result) { self.id = id; self.result = result; self.error = nil }
    init(id: JSONValue, error: ResponseError) { self.id = id; self.result = nil; self.error = error }

    enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jsonrpc, forKey: .jsonrpc)
        try c.encode(id, forKey: .id)
        if let error {
            try c.encode(error, forKey: .error)
        } else if let result {
            try c.encode(result, forKey: .result)   // an optional result that is nil encodes `null`
        } else {
            try c.encodeNil(forKey: .result)
        }
    }
}

/// A notification (server → client: `textDocument/publishDiagnostics`).
struct NotificationMessage<Params: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var method: String
    var params: Params
}

/// A request as the client sends it (tests and round-trips; the server decodes `MessageHeader`).
struct RequestMessage<Params: Codable>: Codable {
    var jsonrpc = "2.0"
    var id: JSONValue
    var method: String
    var params: Params?
}

extension RequestMessage: Equatable where Params: Equatable {}

/// The result of a request that answers `null` (`shutdown`).
struct NullResult: Codable, Equatable {
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard c.decodeNil() else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected null") }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encodeNil()
    }
}

/// Params that are not read (`initialize`'s client capabilities, `shutdown`, `exit`).
struct IgnoredParams: Decodable {
    init() {}
    init(from decoder: Decoder) throws {}
}

enum JSONCoding {
    /// Sorted keys and unescaped slashes (URIs), as the server has always written.
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data()
    }
}
