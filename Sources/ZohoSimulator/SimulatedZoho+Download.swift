import Foundation

extension SimulatedZoho {
    /// `GET /v2/crm/{zgid}/backup/{job}/{file}`: a part of a completed backup, with `Range`
    /// (206 and `Content-Range`), `Accept-Ranges`, and the `Content-Disposition` Zoho's SDK
    /// needs to name the file.
    func download(zgid: String, job: String, file: String, range: String?) -> SimulatedResponse {
        guard zgid == config.zgid,
              let run = completedRuns.first(where: { $0.jobID == job && $0.status == .completed }),
              run.parts.contains(file), let expiry = run.expiresAt, expiry > clock.now else {
            return .error(404, code: "INVALID_URL_PATTERN", message: "Please check if the URL trying to access is a correct one", nested: false)
        }
        let path: String
        do {
            path = try config.partFiles[file] ?? config.content.file(job: job, name: file, dataParts: config.dataParts,
                                                                       attachmentParts: config.attachmentParts, dataset: run.dataset ?? dataset)
        } catch {
            return .error(500, code: "INTERNAL_ERROR", message: "Internal Server Error", nested: false)
        }
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0)
        var headers = [("Content-Type", "application/zip"), ("Accept-Ranges", "bytes"),
                       ("Content-Disposition", "attachment; filename=\"\(file)\"")]
        guard let range else {
            return SimulatedResponse(status: 200, headers: headers, body: .file(path: path, offset: 0, length: size))
        }
        guard let (start, end) = Self.parseRange(range, size: size) else {
            headers.append(("Content-Range", "bytes */\(size)"))
            return SimulatedResponse(status: 416, headers: headers)
        }
        headers.append(("Content-Range", "bytes \(start)-\(end)/\(size)"))
        return SimulatedResponse(status: 206, headers: headers, body: .file(path: path, offset: start, length: end - start + 1))
    }

    /// `bytes=N-`, `bytes=N-M` or `bytes=-K` within `size`; nil when unsatisfiable.
    static func parseRange(_ header: String, size: Int64) -> (Int64, Int64)? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty, let suffix = Int64(spec[1]), suffix > 0 {
            return (max(0, size - suffix), size - 1)
        }
        guard let start = Int64(spec[0]), start < size else { return nil }
        let end = spec[1].isEmpty ? size - 1 : min(Int64(spec[1]) ?? -1, size - 1)
        return end >= start ? (start, end) : nil
    }
}
