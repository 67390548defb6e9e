import Testing
@testable import RestoreFormats

/// Sheet names within Excel's rules, unique without case; what is cut stays recognisable.
@Suite("Sheet and table names")
struct TableNamesTests {
    @Test("a 40-character module name is cut to 31; two that collide once cut stay apart; forbidden characters and apostrophes go")
    func excel() {
        var names = TableNames.excelSheets()
        let long = "Customer_Onboarding_Checklist_Items_2026"   // 40 characters
        #expect(long.count == 40)
        let first = names.name(for: long)
        #expect(first == "Customer_Onboarding_Checklist_I" && first.utf16.count == 31)
        let second = names.name(for: "Customer_Onboarding_Checklist_Items_2027")
        #expect(second == "Customer_Onboarding_Checklist~2" && second.utf16.count == 31)
        #expect(names.name(for: "customer_onboarding_checklist_items_2028") == "customer_onboarding_checklist~3", "Excel compares sheet names without case")
        #expect(names.name(for: "Q1/Q2: [Leads]?*") == "Q1_Q2_ _Leads___")
        #expect(names.name(for: "'Quoted'") == "Quoted")
        #expect(names.name(for: "About") == "About~2", "the first sheet's name is taken")
        #expect(names.name(for: "History") == "History~2", "Excel keeps History for itself")
        #expect(names.name(for: "Contacts") == "Contacts" && names.name(for: "Contacts", suffix: " (2)") == "Contacts (2)")
        #expect(names.name(for: long, suffix: " (2)") == "Customer_Onboarding_Checkli (2)", "the continuation's number is never cut off")
        #expect(names.name(for: "Ünïcødé_Mødülé_Nämé_With_Ëmoji_🦄🦄") .utf16.count <= 31)
        #expect(names.name(for: "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD'EFG") == "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", "no apostrophe left last by the cut")
    }

    @Test("SQLite: no length limit; names taken without case, and the reserved backup table")
    func sqlite() {
        var names = TableNames(reserved: ["backup"])
        #expect(names.name(for: "Leads") == "Leads" && names.name(for: "leads") == "leads~2" && names.name(for: "Backup") == "Backup~2")
    }
}
