// HTTP over libcurl: one easy handle per concurrent request, kept in a pool so its connection
// (and TLS session) is reused by the next request; TLS verified unless the kubeconfig says
// insecure-skip-tls-verify; client certificate, key and CA handed to curl from memory.
import CCurl
import Foundation

/// A value protected by a lock (NSLock: available on every platform the package builds on).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Where to connect and how to prove who we are: the resolved kubeconfig entry, minus the
/// credentials that are fetched per request (token, exec plugin).
public struct TLSConfig: Sendable, Equatable {
    public var caPEM: [UInt8]?
    public var insecureSkipVerify: Bool
    /// Name checked against the server certificate (and sent as SNI) instead of the URL's host.
    public var serverName: String?
    public var clientCertPEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public init(caPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
                clientCertPEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
        self.caPEM = caPEM; self.insecureSkipVerify = insecureSkipVerify; self.serverName = serverName
        self.clientCertPEM = clientCertPEM; self.clientKeyPEM = clientKeyPEM
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    /// Path and query, e.g. `/api/v1/namespaces/x?fieldManager=wukongc`.
    public var path: String
    public var body: [UInt8]?
    public var contentType: String?
    public init(method: String, path: String, body: [UInt8]? = nil, contentType: String? = nil) {
        self.method = method; self.path = path; self.body = body; self.contentType = contentType
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased, in arrival order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }
    /// `Retry-After` in seconds (the delta-seconds form; an HTTP date is ignored).
    public var retryAfter: Double? {
        guard let v = header("retry-after")?.trimmingCharacters(in: .whitespaces), let s = Double(v), s >= 0 else { return nil }
        return s
    }
}

/// A failure below HTTP: nothing (or nothing complete) came back.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Refused, reset, closed early, DNS: worth retrying.
        case connection
        /// The connect or total timeout ran out: worth retrying (apply is idempotent).
        case timeout
        /// Certificate verification or client-certificate problems: permanent.
        case tls
        /// Anything else curl reports (bad URL, out of memory): permanent.
        case other
    }
    public var kind: Kind
    public var code: Int
    public var message: String
    /// Request bytes had gone out when it failed: a server may have acted on it (its answer was lost).
    public var requestSent = false
    public var description: String { message }
    public var isRetryable: Bool { kind == .connection || kind == .timeout }
}

public struct HTTPClientOptions: Sendable {
    public var connectTimeout: Double = 10
    /// Whole-request timeout in seconds.
    public var requestTimeout: Double = 30
    public init(connectTimeout: Double = 10, requestTimeout: Double = 30) {
        self.connectTimeout = connectTimeout; self.requestTimeout = requestTimeout
    }
}

private let curlGlobalInit: Bool = {
    wk_curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}()

/// Accumulates one response; passed to curl's callbacks as an opaque pointer.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
}

private let writeCallback: wk_curl_data_cb = { ptr, size, nmemb, userdata in
    let n = size &* nmemb
    guard let userdata, let ptr else { return n }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n))
    return n
}

private let headerCallback: wk_curl_data_cb = { ptr, size, nmemb, userdata in
    let n = size &* nmemb
    guard let userdata, let ptr else { return n }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()  // a new response (after 100 Continue or a redirect)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        sink.headers.append((name, value))
    }
    return n
}

/// One curl easy handle. Not shared between threads: the pool hands it to one request at a time.
private final class EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    init?() {
        guard curlGlobalInit, let h = wk_curl_easy_init() else { return nil }
        raw = h
    }
    deinit { wk_curl_easy_cleanup(raw) }
}

/// Thread-safe HTTP client bound to one API server. Requests may be issued from many threads;
/// each borrows an easy handle from the pool (connections stay open between requests).
public final class HTTPClient: Sendable {
    public let baseURL: String
    public let tls: TLSConfig
    public let options: HTTPClientOptions
    private let pool = Locked<[EasyHandle]>([])
    /// `CURLOPT_CONNECT_TO` entry when `tls.serverName` differs from the URL host, and the URL
    /// rewritten to use that name.
    /// curl reads this list during each request; it lives as long as the client.
    nonisolated(unsafe) private let connectToList: UnsafeMutablePointer<curl_slist>?
    private let effectiveBase: String

    public let proxyURL: String?

    public init(baseURL: String, tls: TLSConfig, options: HTTPClientOptions = HTTPClientOptions(), proxyURL: String? = nil) {
        self.proxyURL = proxyURL
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.tls = tls
        self.options = options
        if let name = tls.serverName, !name.isEmpty, let parts = HTTPClient.splitHostPort(base), parts.host != name {
            connectToList = wk_curl_slist_append(nil, "\(name):\(parts.port):\(parts.host):\(parts.port)")
            effectiveBase = "\(parts.scheme)://\(name):\(parts.port)\(parts.rest)"
        } else {
            connectToList = nil
            effectiveBase = base
        }
    }

    static func splitHostPort(_ url: String) -> (scheme: String, host: String, port: String, rest: String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.lowerBound])
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let rest = String(afterScheme[authorityEnd...])
        var host = String(authority)
        var port = scheme == "http" ? "80" : "443"
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        }
        return (scheme, host, port, rest)
    }

    private func borrow() -> EasyHandle? {
        if let h = pool.withLock({ $0.popLast() }) { return h }
        return EasyHandle()
    }

    private func giveBack(_ h: EasyHandle) { pool.withLock { $0.append(h) } }

    /// Sends one request. `bearer` goes into `Authorization`; it is never logged or echoed.
    public func perform(_ request: HTTPRequest, bearer: String? = nil, clientCert: (cert: [UInt8], key: [UInt8])? = nil,
                        timeout: Double? = nil) -> Result<HTTPResponse, TransportError> {
        guard let handle = borrow() else {
            return .failure(TransportError(kind: .other, code: -1, message: "cannot initialise libcurl"))
        }
        let h = handle.raw
        wk_curl_easy_reset(h)
        let sink = ResponseSink()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { wk_curl_slist_free_all(headerList) }

        let url = effectiveBase + request.path
        _ = wk_curl_setopt_str(h, CURLOPT_URL, url)
        _ = wk_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = wk_curl_setopt_long(h, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTPS | CURLPROTO_HTTP))
        _ = wk_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, HTTPClient.milliseconds(options.connectTimeout))
        _ = wk_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, HTTPClient.milliseconds(timeout ?? options.requestTimeout))
        _ = wk_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        if let proxyURL { _ = wk_curl_setopt_str(h, CURLOPT_PROXY, proxyURL) }
        if let connectToList {
            _ = wk_curl_setopt_slist(h, CURLOPT_CONNECT_TO, connectToList)
        }
        // TLS
        if tls.insecureSkipVerify {
            _ = wk_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 0)
            _ = wk_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            _ = wk_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
            _ = wk_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
            if let ca = tls.caPEM {
                // Trust exactly the kubeconfig's CA, like kubectl (not the system bundle as well).
                _ = wk_curl_setopt_str(h, CURLOPT_CAINFO, nil)
                _ = wk_curl_setopt_str(h, CURLOPT_CAPATH, nil)
                _ = ca.withUnsafeBytes { wk_curl_setopt_blob(h, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
            }
        }
        let cert = clientCert ?? tls.clientCertPEM.flatMap { c in tls.clientKeyPEM.map { (c, $0) } }
        if let cert {
            _ = cert.0.withUnsafeBytes { wk_curl_setopt_blob(h, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
            _ = wk_curl_setopt_str(h, CURLOPT_SSLCERTTYPE, "PEM")
            _ = cert.1.withUnsafeBytes { wk_curl_setopt_blob(h, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
            _ = wk_curl_setopt_str(h, CURLOPT_SSLKEYTYPE, "PEM")
        }
        // Method and body
        switch request.method {
        case "GET":
            _ = wk_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        default:
            _ = wk_curl_setopt_str(h, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            _ = wk_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            if body.isEmpty {
                _ = wk_curl_setopt_str(h, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                _ = body.withUnsafeBytes { buf in
                    wk_curl_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buf.baseAddress!))
                }
            }
        }
        headerList = wk_curl_slist_append(headerList, "Accept: application/json")
        headerList = wk_curl_slist_append(headerList, "Expect:")
        headerList = wk_curl_slist_append(headerList, "User-Agent: wukongc")
        if let ct = request.contentType { headerList = wk_curl_slist_append(headerList, "Content-Type: \(ct)") }
        if let bearer, !bearer.isEmpty { headerList = wk_curl_slist_append(headerList, "Authorization: Bearer \(bearer)") }
        _ = wk_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)

        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        _ = wk_curl_setopt_callback(h, CURLOPT_WRITEFUNCTION, writeCallback)
        _ = wk_curl_setopt_ptr(h, CURLOPT_WRITEDATA, opaque)
        _ = wk_curl_setopt_callback(h, CURLOPT_HEADERFUNCTION, headerCallback)
        _ = wk_curl_setopt_ptr(h, CURLOPT_HEADERDATA, opaque)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { eb in
            _ = wk_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(eb.baseAddress!))
            let c = withExtendedLifetime(sink) { wk_curl_easy_perform(h) }
            _ = wk_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, nil)
            return c
        }
        // Detach our callbacks' data before the handle goes back to the pool.
        _ = wk_curl_setopt_ptr(h, CURLOPT_WRITEDATA, nil)
        _ = wk_curl_setopt_ptr(h, CURLOPT_HEADERDATA, nil)
        _ = wk_curl_setopt_slist(h, CURLOPT_HTTPHEADER, nil)
        if code != CURLE_OK {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let text = detail.isEmpty ? String(cString: wk_curl_easy_strerror(code)) : detail
            var sent = 0
            _ = wk_curl_getinfo_long(h, CURLINFO_REQUEST_SIZE, &sent)
            // A failed handle may hold a broken connection; drop it instead of pooling it.
            return .failure(TransportError(kind: HTTPClient.classify(code), code: Int(code.rawValue), message: text,
                                           requestSent: sent > 0))
        }
        var status = 0
        _ = wk_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        giveBack(handle)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    deinit {
        pool.withLock { $0.removeAll() }
        wk_curl_slist_free_all(connectToList)
    }

    /// Seconds → curl milliseconds, clamped (a user-given timeout must never trap). 0 means none.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int(min(seconds * 1000, 2_000_000_000).rounded(.up))
    }

    static func classify(_ code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_RECV_ERROR,
             CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connection
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            return .tls
        default:
            return .other
        }
    }
}
