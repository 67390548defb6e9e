import Foundation
import Supervisor
import Testing

@Suite("Run lock")
struct RunLockTests {
    @Test func secondDaemonOnTheSameStateIsRefused() throws {
        let state = NSTemporaryDirectory() + "zcb-runlock-\(UUID().uuidString)/state"
        let first = try RunLock.acquire(stateDir: state)
        let attributes = try FileManager.default.attributesOfItem(atPath: state)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        do {
            _ = try RunLock.acquire(stateDir: state)
            Issue.record("a second daemon must be refused")
        } catch {
            #expect(error.description.contains("another zoho-crm-backup daemon is running on \(state)"))
            #expect(error.description.contains("systemctl stop zoho-crm-backup"))
        }
        first.unlock()
        #expect(throws: Never.self) { _ = try RunLock.acquire(stateDir: state) }
    }

    @Test func unusableStateFolderSaysWhy() {
        #expect(throws: RunLock.Failure.self) { _ = try RunLock.acquire(stateDir: "/proc/zcb-cannot-exist/state") }
    }
}
