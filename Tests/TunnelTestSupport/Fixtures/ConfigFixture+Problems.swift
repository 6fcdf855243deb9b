import TunnelManager

extension ConfigFixture {
    /// The problems loading `text` reports (empty when it loads), for the config suites.
    public static func problems(_ text: String) -> [ConfigProblem] {
        do {
            _ = try ConfigLoader.parse(text: text, path: "/etc/t.toml")
            return []
        } catch {
            if case .invalid(_, let problems) = error { return problems }
            return [ConfigProblem(message: "\(error)")]
        }
    }

    /// One tunnel with only the required keys, lines 1 to 5 (more keys of the tunnel may follow on line 6).
    public static let minimal = """
        [[tunnel]]
        name = "web"
        server = "tunnel@vps.example.com"
        remote = "8080"
        local = "localhost:80"
        """
}
