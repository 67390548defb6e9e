/// Zoho's limit on access tokens: at most 10 per refresh token in any 10 minutes (beyond it,
/// Zoho blocks token creation for the rest of the window). The daemon stays under it by
/// remembering when it asked (kept in the token cache, so `run`, `status` and `plan` share
/// one count) and waiting when the next request would be the 11th.
public struct TokenRequestLimiter: Sendable, Equatable, Codable {
    /// The length of Zoho's window, in seconds (10 minutes).
    public static let window: Double = 600
    /// Token requests Zoho allows per refresh token in one window.
    public static let limit = 10

    /// Unix times of the token requests within the last window.
    public private(set) var recent: [Double]

    /// Makes a limiter that remembers `recent` (Unix times of earlier requests).
    public init(recent: [Double] = []) { self.recent = recent }

    /// When a token may be requested: now, or when the oldest request leaves the window.
    public func earliestRequest(now: Double) -> Double {
        let live = recent.filter { $0 > now - Self.window }.sorted()
        guard live.count >= Self.limit else { return now }
        return live[live.count - Self.limit] + Self.window
    }

    /// Notes a request at `now` and forgets those outside the window.
    public mutating func record(now: Double) {
        recent = recent.filter { $0 > now - Self.window } + [now]
    }
}
