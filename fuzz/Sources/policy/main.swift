import Foundation
import FuzzTargets

/// libFuzzer's entry: one input for FuzzTargets.policy.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzTargets.policy(Data(bytes: start, count: count))
    return 0
}
