/// A standard field of a simulated module.
enum ColumnKey: String, Sendable, Hashable, CaseIterable {
    case id, name, company, email, phone, description, ownerID, owner, accountID, account, parentID, amount, stage, created, modified
}

/// Which fields each simulated module has, and their headers in the admin's language, as
/// Zoho writes them: the record id first, lookups as a `<Field>.id` column beside a name
/// column, and one header with a double space (seen in real exports).
enum ModuleLayout {
    static let locales = ["en", "it"]

    static func keys(_ module: String) -> [ColumnKey] {
        switch module {
        case "Leads": [.id, .name, .company, .email, .phone, .description, .ownerID, .owner, .created, .modified]
        case "Contacts": [.id, .name, .email, .accountID, .account, .ownerID, .owner, .description, .created, .modified]
        case "Accounts": [.id, .name, .phone, .ownerID, .owner, .description, .created, .modified]
        case "Deals": [.id, .name, .amount, .accountID, .account, .stage, .ownerID, .owner, .created, .modified]
        case "Notes": [.id, .name, .parentID, .description, .ownerID, .owner, .created, .modified]
        case "Products": [.id, .name, .amount, .description, .created, .modified]
        default: [.id, .name, .ownerID, .owner, .created, .modified]
        }
    }

    /// The header of `key` in `module`, in `locale`.
    static func header(_ key: ColumnKey, module: String, locale: String) -> String {
        let italian = locale == "it"
        switch key {
        case .id: return italian ? "ID record" : "Record Id"
        case .name:
            let names: [String: (String, String)] = [
                "Leads": ("Last Name", "Cognome"), "Contacts": ("Last Name", "Cognome"), "Accounts": ("Account Name", "Nome account"),
                "Deals": ("Deal Name", "Nome trattativa"), "Tasks": ("Subject", "Oggetto"), "Notes": ("Note Title", "Titolo nota"),
                "Calls": ("Call  Subject", "Oggetto  chiamata"), "Products": ("Product Name", "Nome prodotto"),
            ]
            let pair = names[module] ?? ("Name", "Nome")
            return italian ? pair.1 : pair.0
        case .company: return italian ? "Azienda" : "Company"
        case .email: return italian ? "E-mail" : "Email"
        case .phone: return italian ? "Telefono" : "Phone"
        case .description: return italian ? "Descrizione" : "Description"
        case .ownerID: return italian ? "Proprietario.id" : "Owner.id"
        case .owner: return italian ? "Proprietario" : "Owner"
        case .accountID: return italian ? "Nome account.id" : "Account Name.id"
        case .account: return italian ? "Nome account" : "Account Name"
        case .parentID: return "Parent.id"
        case .amount: return italian ? "Importo" : "Amount"
        case .stage: return italian ? "Fase" : "Stage"
        case .created: return italian ? "Ora creazione" : "Created Time"
        case .modified: return italian ? "Ora modifica" : "Modified Time"
        }
    }
}
