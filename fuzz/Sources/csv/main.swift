import Foundation
import FuzzTargets

/// libFuzzer's entry: one input for FuzzTargets.csv.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzTargets.csv(Data(bytes: start, count: count))
    return 0
}
