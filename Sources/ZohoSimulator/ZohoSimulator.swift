/// A faithful local Zoho CRM backup service — accounts, API and download host on one
/// loopback port, told apart by path — with fault injection, for tests, benchmarks, `demo`
/// and `simulator`.
///
/// It arrives with the issue "The Zoho client and a faithful local Zoho"; it will use only
/// `ZohoModel` (RRULE occurrences, data centres, links), so that the simulator and the
/// daemon share one reading of Zoho's rules.
public enum ZohoSimulator {
    /// The address the simulator binds to: loopback only, never a routable interface.
    public static let bindHost = "127.0.0.1"
}
