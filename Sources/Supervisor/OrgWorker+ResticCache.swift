import Foundation
import Logging
import ZohoModel

/// restic's cache on the state folder's disk, and what happens when that disk is full.
extension OrgWorker {
    /// Below this much free space on the state folder's disk restic runs without its cache.
    static let resticCacheFloor: Int64 = 256 << 20

    /// Reports when restic starts or stops running without its cache (once each way), and
    /// keeps `alarm{kind="offsite_cache"}` raised meanwhile.
    func noteCache(full: Bool, at cache: String, free: Int64?) {
        metrics.setAlarm(kind: .offsiteCache, raised: full)
        guard full != offsiteWithoutCache else { return }
        offsiteWithoutCache = full
        if full {
            logger.warning("restic's cache at \(cache) is on a disk with \(ByteSize(bytes: free ?? 0)) free (less than \(ByteSize(bytes: Self.resticCacheFloor))): restic runs without its cache (--no-cache) until space is freed — copies go on, slower (each run reads the repository's index from the store). Free space on the state folder's disk.",
                           metadata: ["offsite_error": "cacheDiskFull"])
        } else {
            logger.notice("restic's cache at \(cache) is usable again (\(ByteSize(bytes: free ?? 0)) free)")
        }
    }
}
