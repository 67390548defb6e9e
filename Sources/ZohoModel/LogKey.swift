/// The structured logging keys every target uses (the journal handler maps them to `ZOHO_ORG`,
/// `ZOHO_JOB_ID`, `ZOHO_FILE` and `MESSAGE_ID`): one spelling, whatever the layer.
public enum LogKey {
    public static let org = "org"
    public static let jobID = "job_id"
    public static let file = "file"
    public static let messageID = "message_id"
}
