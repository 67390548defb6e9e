import Foundation

extension SimulatedDataset {
    /// A CSV file of a data part, as Zoho names it: `Data/<Module>_NNN.csv`.
    public struct DataFile: Sendable, Hashable {
        /// The zip entry name.
        public var path: String
        var source: Source

        enum Source: Sendable, Hashable {
            case module(index: Int, file: Int)
            case users
            case attachments
            case recordAccess(index: Int)
        }
    }

    /// The users records are owned by and shared with.
    static let users = [("4876876000000327001", "Simulated Admin"), ("4876876000000327002", "Giulia Bianchi"),
                        ("4876876000000327003", "Jean-Luc Picard")]

    /// The CSV files of data part `number` (1-based) of `parts`: each module's files (a module
    /// may spread over two, in two parts), and in the first part `Users_001.csv`,
    /// `Attachments_001.csv` (attachment → parent record) and `Leads_RecordAccess_001.csv`.
    public func dataFiles(part number: Int, of parts: Int) -> [DataFile] {
        let parts = max(parts, 1)
        var files: [DataFile] = []
        for (index, module) in modules.enumerated() {
            for file in 1...module.files where (index + file - 1) % parts == number - 1 {
                files.append(DataFile(path: "Data/\(module.label)_\(Self.three(file)).csv", source: .module(index: index, file: file)))
            }
        }
        if number == 1 {
            files.append(DataFile(path: "Data/Users_001.csv", source: .users))
            files.append(DataFile(path: "Data/Attachments_001.csv", source: .attachments))
            files.append(DataFile(path: "Data/\(modules[0].label)_RecordAccess_001.csv", source: .recordAccess(index: 0)))
        }
        return files
    }

    /// The live attachments in attachment part `number` (1-based) of `parts`, with their entry
    /// names (`Attachments/<id>_<file name>`).
    func attachmentEntries(part number: Int, of parts: Int) -> [(name: String, attachment: Attachment)] {
        liveAttachments.filter { $0.ordinal % max(parts, 1) == number - 1 }.map {
            ("Attachments/\(Self.firstAttachmentID + Int64($0.ordinal))_\($0.name)", $0)
        }
    }

    /// A file's bytes in chunks (a BOM and the header first, then rows a thousand at a time),
    /// for ``ZipWriter/add(name:produce:)``: nil when done.
    func chunks(_ file: DataFile) -> () -> Data? {
        var header: String? = "\u{FEFF}" + headerLine(file)
        let ordinals = rowOrdinals(file)
        var next = 0
        let newline = file.source == .users ? "\r\n" : "\n"
        return {
            if let line = header {
                header = nil
                return Data((line + newline).utf8)
            }
            guard next < ordinals.count else { return nil }
            var text = ""
            for i in next..<min(next + 1_000, ordinals.count) {
                text += line(file, ordinals[i])
                text += newline
            }
            next += 1_000
            return Data(text.utf8)
        }
    }

    func headerLine(_ file: DataFile) -> String {
        let it = locale == "it"
        switch file.source {
        case .module(let index, _): return modules[index].columns.map { Self.field(header($0, in: modules[index])) }.joined(separator: ",")
        case .users: return it ? "ID record,Nome completo,E-mail,Ruolo" : "Record Id,Full Name,Email,Role"
        case .attachments: return "Record Id,Parent.id,File Name,Size"
        case .recordAccess: return it ? "ID record,Utente.id,Tipo di accesso" : "Record Id,User.id,Access Type"
        }
    }

    /// What a file's rows are made from: record ordinals (of the module, the users, or the attachments).
    func rowOrdinals(_ file: DataFile) -> [Int] {
        switch file.source {
        case .module(let index, let number):
            let module = modules[index]
            let share = (module.allocated + module.files - 1) / module.files
            let range = min((number - 1) * share, module.allocated)..<min(number * share, module.allocated)
            let live = range.filter { !module.deleted.contains($0) }
            return module.newestFirst ? live.reversed() : live
        case .users: return Array(Self.users.indices)
        case .attachments: return liveAttachments.map(\.ordinal)
        case .recordAccess(let index): return (0..<modules[index].allocated).filter { modules[index].isLive($0) && $0 % 3 == 0 }
        }
    }

    func line(_ file: DataFile, _ ordinal: Int) -> String {
        switch file.source {
        case .module(let index, _):
            let module = modules[index]
            return module.columns.map { Self.field(value($0, module, ordinal)) }.joined(separator: ",")
        case .users:
            let (id, name) = Self.users[ordinal]
            return [id, name, "user\(ordinal)@example.com", Self.field(ordinal == 0 ? "CEO" : "Sales, \"EMEA\"")].joined(separator: ",")
        case .attachments:
            let a = attachments[ordinal]
            return [String(Self.firstAttachmentID + Int64(a.ordinal)), modules[a.module].id(a.parent), Self.field(a.name), String(a.size)]
                .joined(separator: ",")
        case .recordAccess(let index):
            return "\(modules[index].id(ordinal)),\(Self.users[1].0),Read Only"
        }
    }

    /// The header of `column` in `module`, in the dataset's language.
    func header(_ column: Column, in module: Module) -> String {
        column.header ?? column.key.map { ModuleLayout.header($0, module: module.api, locale: locale) } ?? ""
    }

    /// Pseudo-words for the description's extra text (``extraText``), from a fixed seed.
    static let vocabulary: [String] = {
        var random = SeededGenerator(seed: 2026)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return (0..<4_096).map { _ in String((0..<(3 + Int(random.next() % 8))).map { _ in letters[Int(random.next() % 26)] }) }
    }()

    /// About `bytes` bytes of words picked by `seed`: text that deflates about as real notes do.
    static func words(bytes: Int, seed: UInt64) -> String {
        var random = SeededGenerator(seed: seed)
        var text = ""
        text.reserveCapacity(bytes + 12)
        while text.utf8.count < bytes {
            text += " "
            text += vocabulary[Int(random.next() % UInt64(vocabulary.count))]
        }
        return text
    }

    static let surnames = ["Rossi", "Müller", "O'Brien", "García", "Nguyễn", "Smith", "van der Berg"]

    /// The value of `column` for record `ordinal`: a function of the record and the backup
    /// that last edited it, so an unedited record is the same in every backup.
    func value(_ column: Column, _ module: Module, _ ordinal: Int) -> String {
        let edit = module.edited[ordinal] ?? 0
        guard let key = column.key else {
            return edit >= column.addedAt && ordinal % 2 == 0 ? "\(header(column, in: module)) \(ordinal)" : ""
        }
        let o = ordinal
        switch key {
        case .id: return module.id(o)
        case .name: return "\(Self.surnames[o % Self.surnames.count]) \(o)"
        case .company: return o % 5 == 0 ? "ACME, Inc." : "Company \(o % 97)"
        case .email: return o % 6 == 5 ? "" : "user\(o)@example.com"
        case .phone: return "+39 02 \(5_550_000 + o)" + (edit > 0 ? " ext \(edit)" : "")
        case .description:
            var text: String
            if edit > 0 { text = "Updated in backup \(edit), see \"notes\"" } else {
                switch o % 4 {
                case 0: text = ""
                case 1: text = "Called, left \"voicemail\"\nwill call back"
                case 2: text = "Plain note \(o)"
                default: text = "Met at the fair; budget €\(o * 10), \"hot\" lead\r\nsecond line"
                }
            }
            if extraText > 0 { text += Self.words(bytes: extraText, seed: UInt64(module.firstID) &+ UInt64(o) &* 31 &+ UInt64(edit)) }
            return text
        case .ownerID: return Self.users[o % Self.users.count].0
        case .owner: return Self.users[o % Self.users.count].1
        case .accountID: return modules[2].id(o % max(modules[2].allocated, 1))
        case .account: return "\(Self.surnames[(o % max(modules[2].allocated, 1)) % Self.surnames.count]) \(o % max(modules[2].allocated, 1))"
        case .parentID: return modules[1].id(o % max(modules[1].allocated, 1))
        case .amount: return "\(o * 137 % 100_000).\(o % 100 < 10 ? "0" : "")\(o % 100)"
        case .stage: return ["Qualification", "Negotiation", "Closed Won"][o % 3]
        case .created: return module.addedAt[o].map { Self.date(backup: $0) } ?? "2026-01-\(Self.two(1 + o % 28)) 09:\(Self.two(o % 60)):00"
        case .modified: return edit > 0 ? Self.date(backup: edit) : value(Column(key: .created, addedAt: 0), module, o)
        }
    }

    /// A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The time backup `number` was taken (weekly from 2026-02-01), as Zoho writes times: the
    /// org's zone, no offset.
    static func date(backup number: Int) -> String {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var day = 31 + 7 * number
        var month = 0
        var year = 2026
        while day >= lengths[month] {
            day -= lengths[month]
            month += 1
            if month == 12 { month = 0; year += 1 }
        }
        return "\(year)-\(two(month + 1))-\(two(day + 1)) 10:00:00"
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func three(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
}
