import Foundation
import Policy
import Testing
import ZohoModel

/// `defaults:`: per-org keys every org inherits and may override; mappings merge key by key,
/// lists and scalars are replaced whole, `{org}` is the org's name.
@Suite("Policy defaults")
struct PolicyDefaultsTests {
    let loader = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)

    static let shared = """
        version: 1
        defaults:
          data_center: eu
          credentials: "{org}"
          schedule: none
          poll_interval: 10m
          archive:
            path: /srv/zoho/{org}
            keep: { last: 3, weekly: 2, monthly: 1, yearly: 0 }
          endpoints:
            download_hosts: [files.example.com]
        orgs:
          acme:
            archive:
              min_free: 2GiB
          beta:
            schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
            credentials: beta-creds
            archive:
              path: /srv/other/beta
            endpoints:
              download_hosts: [other.example.com]
          gamma:

        """

    @Test("every org inherits; mappings merge at every depth; lists and scalars are replaced; {org} is the org's name")
    func inheritance() throws {
        let policy = try loader.parse(Self.shared, file: "policy.yaml")
        let acme = try #require(policy.org("acme")), beta = try #require(policy.org("beta")), gamma = try #require(policy.org("gamma"))
        #expect(acme.dataCenter == .eu && acme.credentials == "acme" && acme.pollInterval == .seconds(600))
        #expect(acme.archive.path == "/srv/zoho/acme", "{org} in an inherited string")
        #expect(acme.archive.keep == RetentionCounts(last: 3, weekly: 2, monthly: 1, yearly: 0), "archive merged: keep from defaults…")
        #expect(acme.archive.minFree == ByteSize(bytes: 2 << 30), "…min_free from the org")
        #expect(beta.schedule.description == "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO" && beta.credentials == "beta-creds", "scalars overridden")
        #expect(beta.archive.path == "/srv/other/beta" && beta.archive.keep.last == 3)
        #expect(beta.endpoints.downloadHosts.contains("other.example.com") && !beta.endpoints.downloadHosts.contains("files.example.com"),
                "a list is replaced whole: \(beta.endpoints.downloadHosts)")
        #expect(acme.endpoints.downloadHosts.contains("files.example.com"))
        #expect(gamma.archive.path == "/srv/zoho/gamma" && gamma.credentials == "gamma", "an org with no keys takes every default")
    }

    @Test("a bad inherited value is reported where defaults: sets it, naming each org that inherits it")
    func inheritedProblemSaysSo() {
        let yaml = """
            version: 1
            defaults:
              data_center: us
              schedule: none
              poll_interval: 0s
            orgs:
              acme: { credentials: acme }
              beta: { credentials: beta, poll_interval: 5m }

            """
        do {
            _ = try loader.parse(yaml, file: "policy.yaml")
            Issue.record("poll_interval 0s must be refused")
        } catch {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.count == 1, "beta overrides it: only acme inherits the bad value: \(lines)")
            #expect(lines.first?.hasPrefix("policy.yaml:5:18: poll_interval") == true, "\(lines)")
            #expect(lines.first?.hasSuffix("(set in defaults:, inherited by org acme)") == true, "\(lines)")
        }
    }

    @Test("paths that end up equal for two orgs are the overlap error; an unknown key in defaults: is reported there")
    func equalPathsAndUnknownKeys() {
        let yaml = """
            version: 1
            defaults:
              data_center: us
              schedule: none
              archive: { path: /srv/zoho/shared }
              sheduled: x
            orgs:
              acme: { credentials: acme }
              beta: { credentials: beta }

            """
        do {
            _ = try loader.parse(yaml, file: "policy.yaml")
            Issue.record("two orgs sharing an archive must be refused")
        } catch {
            let text = error.description
            #expect(text.contains("policy.yaml:6:3: defaults: unknown key 'sheduled' (did you mean 'schedule'?)"), "\(text)")
            #expect(text.contains("archive.path: '/srv/zoho/shared' overlaps org acme's archive '/srv/zoho/shared'"), "\(text)")
        }
    }
}
