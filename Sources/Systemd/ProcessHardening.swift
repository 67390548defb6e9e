import CSystemd

/// What the daemon does to its own process before it reads a secret.
public enum ProcessHardening {
    /// Makes the process not dumpable (`PR_SET_DUMPABLE` 0): no core dump can hold the client
    /// secret or a token, even where the unit's `LimitCORE=0` is not in force (a `run` started
    /// by hand), and other processes of the service user cannot ptrace it.
    /// - Returns: whether the kernel accepted it.
    @discardableResult
    public static func forbidCoreDumps() -> Bool { zcb_set_not_dumpable() == 0 }

    /// Whether the process is dumpable now.
    public static var isDumpable: Bool { zcb_is_dumpable() == 1 }
}
