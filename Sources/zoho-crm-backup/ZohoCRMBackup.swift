import ArgumentParser
import ZohoModel

/// The one executable: the daemon (`run`) and every command an operator uses.
@main
struct ZohoCRMBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoho-crm-backup",
        abstract: "Keep Zoho CRM's backup schedule equal to a policy and every backup it makes in a verified local archive.",
        discussion: """
            The policy lives in /etc/zoho-crm-backup/policy.yaml (see --policy). Exit codes: \
            0 success; 1 failure (invalid policy, verification mismatch, Zoho error); 64 usage error.
            """,
        version: ToolInfo.version,
        subcommands: [
            Run.self, Check.self, Plan.self, Status.self, List.self, Verify.self, Prune.self,
            Inspect.self, Diff.self, Find.self, RestoreBackup.self, HoldBackup.self, Offsite.self, Notify.self, Reindex.self, Now.self, History.self, Auth.self, Demo.self, Simulator.self,
        ]
    )
}
