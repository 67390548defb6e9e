import Foundation

/// The CRM data of a simulated org as it evolves from one backup to the next: modules of
/// records (edited, added and deleted at seeded, deterministic rates), attachments on records,
/// and what admins did in between (``AdminAction``). A value: each completed backup keeps a
/// copy (sparse — a record is its ordinal, plus the backup that last edited it), and
/// ``BackupContent`` writes its parts in Zoho's layout from that copy.
public struct SimulatedDataset: Sendable, Hashable {
    /// Shares of records (or attachments) that change between two backups.
    public struct Rates: Sendable, Hashable {
        public var edited = 0.02
        public var added = 0.005
        public var deleted = 0.002
        public var newAttachments = 0.02
        public init() {}
        /// Nothing changes between backups unless an admin acts.
        public static let frozen: Rates = { var r = Rates(); r.edited = 0; r.added = 0; r.deleted = 0; r.newAttachments = 0; return r }()
    }

    struct Column: Sendable, Hashable {
        /// The standard field, or nil for a custom field.
        var key: ColumnKey?
        /// The header as written, when renamed or custom; nil: the locale's.
        var header: String?
        /// The backup the column appeared in (records edited since then have a value).
        var addedAt: Int
    }

    struct Module: Sendable, Hashable {
        var api: String
        /// The name its files carry (the API name until an admin renames the module).
        var label: String
        var firstID: Int64
        var idPrefix: String
        /// Ordinals handed out (records ever created); live ones are those not deleted.
        var allocated: Int
        var deleted: Set<Int> = []
        /// Ordinal → the backup that last edited the record.
        var edited: [Int: Int] = [:]
        /// Ordinal → the backup a record created after the first appeared in.
        var addedAt: [Int: Int] = [:]
        var columns: [Column]
        /// CSV files the module spreads over (`_001`, `_002`), split by ordinal.
        var files: Int = 1
        /// Rows written newest first (Zoho's order is not documented: readers must not rely on it).
        var newestFirst = false

        func isLive(_ ordinal: Int) -> Bool { ordinal < allocated && !deleted.contains(ordinal) }
        var liveCount: Int { allocated - deleted.count }
        func id(_ ordinal: Int) -> String { idPrefix + String(firstID + Int64(ordinal)) }
    }

    struct Attachment: Sendable, Hashable {
        var ordinal: Int
        var module: Int
        var parent: Int
        var name: String
        var size: Int
    }

    /// The number of the backup this copy is (0 before the first).
    public private(set) var backup = 0
    var modules: [Module]
    var attachments: [Attachment] = []
    let seed: UInt64
    let rates: Rates
    let attachmentBytes: Int
    /// The admin's language: `en` or `it` (headers are written in it).
    public let locale: String
    /// Bytes of extra words in every description (0: none): wide rows, as real records with
    /// many fields have, for benchmarks.
    public var extraText = 0
    /// What happened, backup by backup (admin actions), part of ``fingerprint``.
    public private(set) var log: [String] = []
    var pending: [AdminAction] = []

    static let firstAttachmentID: Int64 = 4_876_876_000_090_000_000

    /// A new org: `recordsPerModule` records in each of ``moduleNames`` and `attachments` files
    /// of `attachmentBytes` each on Leads, Contacts and Deals records.
    public init(seed: UInt64, recordsPerModule: Int, attachments: Int, attachmentBytes: Int, locale: String = "en", rates: Rates = Rates()) {
        self.seed = seed
        self.locale = ModuleLayout.locales.contains(locale) ? locale : "en"
        self.rates = rates
        self.attachmentBytes = attachmentBytes
        modules = Self.moduleNames.enumerated().map { index, api in
            Module(api: api, label: api, firstID: 4_876_876_000_002_000_000 + Int64(index) * 10_000_000 + Int64(seed % 1_000) * 10_000_000_000,
                   idPrefix: api == "Tasks" ? "zcrm_" : "", allocated: recordsPerModule,
                   columns: ModuleLayout.keys(api).map { Column(key: $0, addedAt: 0) },
                   files: api == "Leads" ? 2 : 1, newestFirst: api == "Notes")
        }
        var random = SeededGenerator(seed: seed &* 31 &+ 7)
        for _ in 0..<attachments { addAttachment(&random) }
    }

    /// The modules every org holds (API names), in part order.
    public static let moduleNames = ["Leads", "Contacts", "Accounts", "Deals", "Tasks", "Notes", "Calls", "Products"]

    /// Empties every module but those named (API names) and drops the attachments: a
    /// benchmark of one large module. The others keep their files, a header and no record.
    public mutating func keepOnly(_ names: Set<String>) {
        attachments.removeAll()
        for index in modules.indices where !names.contains(modules[index].api) { modules[index].allocated = 0 }
    }

    /// Queues an admin action: the next backup shows it.
    public mutating func admin(_ action: AdminAction) { pending.append(action) }

    /// The names of the modules as the next backup's files carry them.
    public var moduleLabels: [String] { modules.map(\.label) }

    /// Live records per module label.
    public var recordCounts: [String: Int] { Dictionary(uniqueKeysWithValues: modules.map { ($0.label, $0.liveCount) }) }

    /// Moves to the next backup: the rates' changes (from the second backup on), then the
    /// queued admin actions.
    public mutating func takeBackup() {
        backup += 1
        if backup > 1 {
            for index in modules.indices { evolve(index) }
            var random = generator(salt: 0xA77)
            let live = liveAttachments.count
            for _ in 0..<Self.round(Double(live) * rates.newAttachments, &random) { addAttachment(&random) }
        }
        for action in pending {
            apply(action)
            log.append("backup \(backup): \(action)")
        }
        pending = []
    }

    /// A stable hash of everything that decides the bytes of this copy's parts.
    public var fingerprint: String {
        let text = "\(seed)|\(locale)|\(extraText)|\(modules.map { "\($0.api):\($0.allocated)" })|\(attachments.count)|\(attachmentBytes)|\(rates)|\(backup)|\(log)"
        let hash = text.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return String(hash, radix: 16)
    }

    var liveAttachments: [Attachment] { attachments.filter { modules[$0.module].isLive($0.parent) } }

    func generator(salt: UInt64) -> SeededGenerator {
        SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(backup) &* 1_000_003 &+ salt)
    }

    /// `x` rounded up or down at random by its fraction, so small modules still change sometimes.
    static func round(_ x: Double, _ random: inout SeededGenerator) -> Int {
        let whole = Int(x)
        return whole + (Double(random.next() % 1_000_000) / 1_000_000 < x - Double(whole) ? 1 : 0)
    }

    /// The live ordinals of module `index`, shuffled by `random`.
    func shuffledLive(_ index: Int, _ random: inout SeededGenerator) -> [Int] {
        let module = modules[index]
        return (0..<module.allocated).filter { !module.deleted.contains($0) }.shuffled(using: &random)
    }

    mutating func evolve(_ index: Int) {
        var random = generator(salt: UInt64(index + 1))
        let live = shuffledLive(index, &random)
        let deletes = Self.round(Double(live.count) * rates.deleted, &random)
        let edits = Self.round(Double(live.count) * rates.edited, &random)
        let adds = Self.round(Double(live.count) * rates.added, &random)
        modules[index].deleted.formUnion(live.prefix(deletes))
        for ordinal in live.dropFirst(deletes).prefix(edits) { modules[index].edited[ordinal] = backup }
        for _ in 0..<adds {
            modules[index].addedAt[modules[index].allocated] = backup
            modules[index].allocated += 1
        }
    }

    mutating func addAttachment(_ random: inout SeededGenerator) {
        let parents = modules.indices.filter { ["Leads", "Contacts", "Deals"].contains(modules[$0].api) && modules[$0].liveCount > 0 }
        guard let module = parents.randomElement(using: &random) else { return }
        var parent = Int(random.next() % UInt64(modules[module].allocated))
        while !modules[module].isLive(parent) { parent = (parent + 1) % modules[module].allocated }
        let ordinal = attachments.count
        let names = ["Preventivo \(ordinal).pdf", "contract-\(ordinal).docx", "photo \(ordinal).jpg", "Größe, \"final\" \(ordinal).xlsx"]
        attachments.append(Attachment(ordinal: ordinal, module: module, parent: parent, name: names[ordinal % names.count], size: attachmentBytes))
    }

    mutating func apply(_ action: AdminAction) {
        guard let index = modules.firstIndex(where: { $0.api == action.module || $0.label == action.module }) else { return }
        var random = generator(salt: 0xAD + UInt64(log.count))
        switch action {
        case .massDelete(_, let percent):
            let live = shuffledLive(index, &random)
            modules[index].deleted.formUnion(live.prefix(Int((Double(live.count) * percent / 100).rounded())))
        case .massEdit(_, let percent):
            let live = shuffledLive(index, &random)
            for ordinal in live.prefix(Int((Double(live.count) * percent / 100).rounded())) { modules[index].edited[ordinal] = backup }
        case .addField(_, let header):
            modules[index].columns.append(Column(key: nil, header: header, addedAt: backup))
        case .renameColumn(_, let from, let to):
            if let column = modules[index].columns.firstIndex(where: { header($0, in: modules[index]) == from || $0.header == from }) {
                modules[index].columns[column].header = to
            }
        case .renameModule(_, let label):
            modules[index].label = label
        }
    }
}
