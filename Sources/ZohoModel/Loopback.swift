import Foundation

/// Loopback hosts: the only ones where plain http is allowed (the simulator, tests).
public enum Loopback {
    /// True for `localhost`, `127.0.0.0/8` and `::1` (with or without brackets).
    public static func contains(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: ["[", "]"]).lowercased()
        if h == "localhost" || h == "::1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
