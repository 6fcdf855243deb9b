extension TunnelManager {
    /// Appends a line about an alert (a hook's result or its sanitised output) to a tunnel's log, which also
    /// goes to the daemon's log; unknown names are ignored.
    public func appendAlertLog(_ text: String, to name: String) {
        guard names.contains(name) else { return }
        appendLog("alert: " + TerminalText.sanitize(text), origin: .supervisor, to: name)
    }
}
