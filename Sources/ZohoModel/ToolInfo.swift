/// The tool's name and version, as manifests and `--version` show them.
public enum ToolInfo {
    public static let name = "zoho-crm-backup"
    public static let version = "0.1.0"
}
