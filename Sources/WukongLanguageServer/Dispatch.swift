import Foundation

// The dispatch table: method name → handler. A handler is registered with the Codable type of
// its params and (for requests) of its result; the table decodes the params, calls the
// handler and encodes the response, so features never see JSON. Malformed params fail a
// request with `invalidParams` and are ignored in a notification (nothing to answer);
// an unknown request method is answered `methodNotFound` by the server core.

struct DispatchTable {
    enum Handler {
        /// Returns the encoded response; nil when the request came without an id (nothing to answer).
        case request((LanguageServer, _ body: Data, _ id: JSONValue?) -> Data?)
        case notification((LanguageServer, _ body: Data) -> Void)
    }

    private(set) var handlers: [String: Handler] = [:]

    subscript(method: String) -> Handler? { handlers[method] }

    /// Registers a request: `handle` is an unapplied method (`LanguageServer.hover`) taking the
    /// decoded params and returning the result, or throwing a `ResponseError`.
    mutating func request<P: Decodable, R: Encodable>(_ method: String,
                                                      _ handle: @escaping (LanguageServer) -> (P) throws -> R) {
        handlers[method] = .request { server, body, id in
            let params: P
            do {
                params = try JSONDecoder().decode(ParamsEnvelope<P>.self, from: body).params
            } catch {
                let e = ResponseError.invalidParams("invalid params for \(method): \(DispatchTable.describe(error))")
                return id.map { JSONCoding.encode(ResponseMessage<NullResult>(id: $0, error: e)) }
            }
            let result: R
            do {
                result = try handle(server)(params)
            } catch let e as ResponseError {
                return id.map { JSONCoding.encode(ResponseMessage<NullResult>(id: $0, error: e)) }
            } catch {
                let e = ResponseError(code: .internalError, message: "\(method): \(error)")
                return id.map { JSONCoding.encode(ResponseMessage<NullResult>(id: $0, error: e)) }
            }
            return id.map { JSONCoding.encode(ResponseMessage(id: $0, result: result)) }
        }
    }

    /// Registers a notification; params that do not decode leave it unhandled.
    mutating func notification<P: Decodable>(_ method: String, _ handle: @escaping (LanguageServer) -> (P) -> Void) {
        handlers[method] = .notification { server, body in
            guard let params = try? JSONDecoder().decode(ParamsEnvelope<P>.self, from: body).params else { return }
            handle(server)(params)
        }
    }

    /// A notification that needs no handling (so it is not mistaken for an unknown method).
    mutating func ignore(_ method: String) {
        handlers[method] = .notification { _, _ in }
    }

    /// A short reason for a decoding failure: which member, what was wrong.
    static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let p = keys.filter { $0.stringValue != "params" }.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return p.isEmpty ? "params" : p.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let ctx)?: return "missing `\(path(ctx.codingPath + [key]))`"
        case .typeMismatch(_, let ctx)?, .valueNotFound(_, let ctx)?: return "wrong type of `\(path(ctx.codingPath))`"
        case .dataCorrupted(let ctx)?: return "`\(path(ctx.codingPath))`: \(ctx.debugDescription)"
        default: return "\(error)"
        }
    }
}
