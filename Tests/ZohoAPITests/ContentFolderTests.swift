import Foundation
import Glibc
import Testing
import TestSupport
import ZohoSimulator

/// The simulator serves parts from a cache folder: one another local user made (or could
/// write into) is refused, so nobody can plant what the demo archives.
@Suite("The simulator's content folder")
struct ContentFolderTests {
    @Test("a folder of its own (made 0700 if missing) is used; one writable by others, a link or another user's is refused")
    func onlyItsOwn() throws {
        let base = try makeTemporaryFolder("content")
        let fresh = base + "/fresh"
        try BackupContent.ownedFolder(fresh)
        let mode = ((try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions]) as? NSNumber)?.intValue
        #expect(mode == 0o700)
        _ = try BackupContent(folder: fresh).file(job: "1", name: "Data_001.zip", dataParts: 1, seed: 1)

        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        #expect(chmod(open, 0o777) == 0)
        #expect(throws: BackupContent.ForeignFolder.self) { try BackupContent(folder: open).file(job: "1", name: "Data_001.zip", dataParts: 1, seed: 1) }

        let link = base + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fresh)
        #expect(throws: BackupContent.ForeignFolder.self) { try BackupContent.ownedFolder(link) }

        if geteuid() == 0 {
            let theirs = base + "/theirs"
            try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            #expect(chown(theirs, 65534, 65534) == 0)
            #expect(throws: BackupContent.ForeignFolder.self) { try BackupContent.ownedFolder(theirs) }
        }
    }
}
