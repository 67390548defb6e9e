@testable import Policy
import Testing

@Suite("Did you mean")
struct KeySuggestionTests {
    @Test(arguments: [
        ("data_centre", "data_center"), ("shedule", "schedule"), ("polling", "poll_interval"),
        ("Timezone", "timezone"), ("credential", "credentials"), ("atachments", "attachments"),
    ])
    func suggests(_ typo: String, _ expected: String) {
        #expect(KeySuggestion.closest(to: typo, in: PolicyReader.orgKeys) == expected)
    }

    @Test(arguments: ["color", "x", "retention"])
    func staysQuietWhenNothingIsClose(_ word: String) {
        #expect(KeySuggestion.closest(to: word, in: PolicyReader.orgKeys) == nil)
    }
}
