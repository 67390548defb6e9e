import Foundation
import ZohoModel

/// Reads Zoho's answers: the `{"backup": …}`/`{"urls": …}` wrappers, and errors in every
/// shape Zoho uses — nested under `backup`, at the top level, OAuth's `{"error": "…"}`, and
/// the download host's undocumented (maybe non-JSON) bodies.
public enum ZohoEnvelope {
    static let decoder = JSONDecoder()

    /// Decodes a successful body, or throws a ``ZohoError`` of kind `malformedResponse`.
    public static func decode<T: Decodable>(_ type: T.Type, from body: Data, org: String, operation: ZohoOperation) throws(ZohoError) -> T {
        do {
            return try decoder.decode(T.self, from: body)
        } catch {
            throw ZohoError(kind: .malformedResponse, org: org, operation: operation, message: "unreadable answer: \(Self.describe(error))")
        }
    }

    /// The Zoho status object in `body`, nested or top level; nil when there is none.
    public static func actionResponse(in body: Data) -> ActionResponse? {
        if let wrapped = try? decoder.decode(BackupWrapper<ActionResponse>.self, from: body) { return wrapped.backup }
        return try? decoder.decode(ActionResponse.self, from: body)
    }

    /// The error an unsuccessful answer means.
    ///
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - body: the body (JSON or not; never quoted whole in the error).
    ///   - retryAfter: the parsed `Retry-After`, if the answer had one.
    public static func error(status: Int, body: Data, org: String, operation: ZohoOperation,
                             jobID: String? = nil, file: String? = nil, retryAfter: Duration? = nil) -> ZohoError {
        var error = ZohoError(kind: .badRequest, org: org, operation: operation, httpStatus: status, jobID: jobID, file: file, retryAfter: retryAfter)
        if let response = actionResponse(in: body) {
            error.code = response.code
            error.message = response.message
            error.details = response.details
        } else if let oauth = try? decoder.decode(OAuthErrorBody.self, from: body) {
            error.code = oauth.error
        } else if !body.isEmpty {
            error.message = textExcerpt(body)
        }
        error.kind = kind(status: status, code: error.code, operation: operation)
        return error
    }

    /// Classifies by Zoho's `code` first (Zoho's HTTP statuses vary), then by status.
    static func kind(status: Int, code: String?, operation: ZohoOperation) -> ZohoError.Kind {
        switch code?.uppercased() {
        case "INVALID_TOKEN", "AUTHENTICATION_FAILURE", "AUTHENTICATION_FAILED": return .invalidToken
        case "OAUTH_SCOPE_MISMATCH", "INVALID_OAUTHSCOPE": return .scopeMismatch
        case "NO_PERMISSION", "FORBIDDEN": return .noPermission
        case "INVALID_CLIENT": return .invalidClient
        case "INVALID_CODE": return .invalidRefreshToken
        case "ACCESS_DENIED": return .tokenLimit
        case "BACKUP_ALREADY_SCHEDULED": return .alreadyScheduled
        case "ALREADY_CANCELLED", "ALREADY_CANCELED": return .alreadyCancelled
        case "INPROGRESS": return .inProgress
        case "INVALID_DATA", "MANDATORY_NOT_FOUND": return .invalidData
        case "LIMIT_EXCEEDED", "LIMIT_REACHED": return .limitExceeded
        case "RESOURCE_NOT_FOUND": return .notFound
        case "TOO_MANY_REQUESTS": return .rateLimited
        case "INVALID_URL_PATTERN", "URL_RULE_NOT_CONFIGURED", "INVALID_REQUEST_METHOD", "REQUEST_BODY_NOT_READABLE": return .badRequest
        case "INTERNAL_ERROR", "INTERNAL_SERVER_ERROR": return .server
        default: break
        }
        switch status {
        case 429: return .rateLimited
        case 500...599: return .server
        case 401: return .invalidToken
        case 403: return .noPermission
        case 404: return operation == .cancel ? .notFound : .badRequest
        default: return .badRequest
        }
    }

    /// At most 200 characters of a non-JSON body, on one line, secret-shaped text masked
    /// by the log handler later; enough to recognise an HTML error page.
    static func textExcerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return "non-JSON answer: " + text.trimmingCharacters(in: .whitespaces) + (body.count > 200 ? "…" : "")
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription) at \(path(context))"
        case DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "the top" : context.codingPath.map(\.stringValue).joined(separator: ".")
    }
}

/// The accounts server's error body: `{"error": "invalid_code"}` (sometimes with HTTP 200).
struct OAuthErrorBody: Decodable {
    var error: String
}
