import Foundation

/// The first pass over a zip's directory, before anything is inflated: every entry must lie
/// inside the file, before the directory, and no two may overlap (the "overlapping
/// components" of a zip bomb, which `unzip -t` refuses too); the compressed sizes cannot add
/// up to more than the file. Entries stored in another order than the directory's are legal.
///
/// With overlaps refused, inflation is bounded by deflate's ≈ 1032:1 and slow rather than
/// dangerous; a declared total above ``warningRatio`` × the file is still worth a warning.
struct ZipLayout {
    /// A declared uncompressed total above this many times the file's size is logged.
    static let warningRatio: Int64 = 250

    var entries = 0
    var compressedTotal: Int64 = 0
    var declaredTotal: Int64 = 0
    /// The entry that declares the most bytes: named in the ratio warning.
    var largest: (name: String, size: Int64)?
    var warnings: [String] = []

    /// Reads the whole directory once. Memory is flat when the entries are in file order (as
    /// every zip writer stores them); another order costs 16 bytes per entry for the check.
    static func scan(fd: Int32, fileSize: Int64, directory: ZipDirectory) throws(ZipVerifier.Failure) -> ZipLayout {
        var layout = ZipLayout()
        var reader = directory.entries(fd: fd)
        var previous: Int64?               // the end of the spans so far
        var inOrder = true
        do {
            while let entry = try reader.next() {
                func fail(_ problem: String) -> ZipVerifier.Failure { ZipVerifier.Failure(entry: entry.name, problem: problem) }
                // The smallest span the entry can have: its 30-byte local header and its data
                // (the real one is longer by the local name and extra field).
                let (withHeader, o1) = entry.compressedSize.addingReportingOverflow(30)
                let (end, o2) = entry.localHeaderOffset.addingReportingOverflow(withHeader)
                guard entry.compressedSize >= 0, entry.uncompressedSize >= 0, entry.localHeaderOffset >= 0,
                      !o1, !o2, end <= directory.offset else {
                    throw fail("its data runs past the end of the file (or into the central directory)")
                }
                let (compressed, o3) = layout.compressedTotal.addingReportingOverflow(entry.compressedSize)
                guard !o3, compressed <= fileSize else {
                    throw fail("the entries' compressed sizes add up to more than the file's \(fileSize) bytes, so some overlap (a zip bomb: one stretch of data counted twice)")
                }
                layout.compressedTotal = compressed
                let (declared, o4) = layout.declaredTotal.addingReportingOverflow(entry.uncompressedSize)
                layout.declaredTotal = o4 ? Int64.max : declared
                if entry.uncompressedSize > layout.largest?.size ?? -1 { layout.largest = (entry.name, entry.uncompressedSize) }
                // In file order (as zip writers store them) only the previous entry can overlap
                // this one; any other order is checked over every span after this pass.
                if let p = previous, entry.localHeaderOffset < p { inOrder = false }
                previous = max(previous ?? 0, end)
                layout.entries += 1
            }
        } catch let failure as ZipVerifier.Failure {
            throw failure
        } catch let failure as ZipDirectory.Failure {
            throw ZipVerifier.Failure(problem: failure.description)
        } catch {
            throw ZipVerifier.Failure(problem: "\(error)")
        }
        if !inOrder {
            // Not in file order, or overlapping: sort every span.
            try checkOverlaps(fd: fd, directory: directory)
        }
        if layout.declaredTotal / max(fileSize, 1) > warningRatio, let largest = layout.largest {
            layout.warnings.append("the entries declare \(layout.declaredTotal) bytes uncompressed, more than \(warningRatio)× the part's \(fileSize) bytes; the largest is \(largest.name) (\(largest.size) bytes)")
        }
        return layout
    }

    /// Sorts every entry's span and refuses any two that overlap (a second pass over the
    /// directory; only for zips whose entries are not in file order).
    static func checkOverlaps(fd: Int32, directory: ZipDirectory) throws(ZipVerifier.Failure) {
        var spans: [(start: Int64, end: Int64)] = []
        spans.reserveCapacity(directory.count)
        var reader = directory.entries(fd: fd)
        do {
            while let entry = try reader.next() {
                let (end, overflowed) = entry.localHeaderOffset.addingReportingOverflow(30 &+ max(0, min(entry.compressedSize, Int64.max - 30)))
                spans.append((entry.localHeaderOffset, overflowed ? Int64.max : end))
            }
        } catch {
            throw ZipVerifier.Failure(problem: error.description)
        }
        spans.sort { $0.start < $1.start }
        for i in spans.indices.dropFirst() where spans[i].start < spans[i - 1].end {
            throw ZipVerifier.Failure(problem: "two entries overlap at offset \(spans[i].start) (a zip bomb: one stretch of data counted twice)")
        }
    }
}
