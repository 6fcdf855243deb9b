/// The keys a config file may hold, by table.
enum ConfigKeys {
    /// Keys allowed in `[defaults]` and overridable in each `[[tunnel]]`.
    static let overridable = [
        "server", "server_port", "identity_file", "host_key_policy", "ssh_options", "ssh",
        "keepalive_interval", "keepalive_count", "connect_timeout", "tcp_timeout",
        "probe", "expect", "http_path", "probe_interval", "probe_timeout", "probe_failures",
        "backoff_initial", "backoff_max", "stable_after", "server_check_interval", "log_lines", "autostart",
        "reclaim_script", "share_connection",
    ]
    /// Keys allowed only in a `[[tunnel]]`.
    static let tunnelOnly = ["name", "remote", "local", "public", "alerts", "alert_after", "alert_command"]
    /// Keys allowed in `[alerts]`.
    static let alertsTable = ["command", "alert_after", "timeout", "flapping_count", "flapping_window"]
    /// Tables and keys allowed at the top level.
    static let topLevel = ["defaults", "tunnel", "metrics_textfile_dir", "metrics_listen", "metrics_interval", "alerts"]
}
