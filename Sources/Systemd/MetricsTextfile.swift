import Foundation
import ZohoModel

/// Writes the metrics for node_exporter's textfile collector.
public enum MetricsTextfile {
    /// Replaces the file at `path` with the metrics' text, atomically (node_exporter never
    /// reads half a file), mode 0644 so node_exporter's user can read it.
    ///
    /// - Throws: ``FileError`` naming the path; the old file stays as it was.
    public static func write(_ metrics: BackupMetrics, to path: String) throws(FileError) {
        try AtomicFile.write(Data(metrics.render().utf8), to: path, permissions: 0o644)
    }
}
