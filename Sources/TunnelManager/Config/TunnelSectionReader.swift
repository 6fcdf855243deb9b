// Longer than 250 lines: every per-tunnel key, read and validated in the order the README's reference lists
// them, so a key and its checks are found in one place.
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TOMLKit

/// Reads one `[[tunnel]]` table, falling back to `[defaults]`, and validates every value.
struct TunnelSectionReader {
    let index: Int
    let table: TOMLTable
    let defaults: TOMLTable
    let lines: SourceLines
    private(set) var problems: [ConfigProblem] = []
    private(set) var warnings: [String] = []
    /// How the tunnel is named in messages: its name once known.
    private var label: String

    init(index: Int, table: TOMLTable, defaults: TOMLTable, lines: SourceLines) {
        self.index = index
        self.table = table
        self.defaults = defaults
        self.lines = lines
        self.label = "tunnel #\(index + 1)"
    }

    mutating func read() -> TunnelConfig? {
        let problemCountBefore = problems.count
        let name = requiredString("name")
        if let name {
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
                report("name", "\"\(name)\" may only use letters, digits, '.', '_' and '-'")
            } else if name.hasPrefix("-") {
                report("name", "must not start with '-'")
            } else {
                label = name
            }
        }

        for key in table.keys where !ConfigKeys.overridable.contains(key) && !ConfigKeys.tunnelOnly.contains(key) {
            let known = ConfigKeys.overridable + ConfigKeys.tunnelOnly
            let hint = KeySuggestion.closest(to: key, among: known).map { "did you mean \"\($0)\"?" }
                ?? "see config.example.toml for the keys"
            report(key, "unknown key; \(hint)", inDefaults: false)
        }

        let server = requiredString("server")
        if let server { checkNotOption(server, key: "server", what: "ssh destination") }
        let serverPort: Int? = lookup("server_port") == nil ? nil : integer("server_port", default: 0, range: ConfigRanges.port)
        var identityFile = string("identity_file").map(Self.expandTilde)
        if let file = identityFile {
            checkNotOption(file, key: "identity_file", what: "path")
            var status = stat()
            if stat(file, &status) != 0 {
                report("identity_file", "\(file) does not exist; create the key with ssh-keygen or fix the path",
                       inDefaults: lookup("identity_file")?.inDefaults ?? false)
                identityFile = nil
            } else if status.st_mode & 0o077 != 0 {
                warnings.append("\(label): identity_file \(file) is readable by group or others "
                    + "(mode \(String(status.st_mode & 0o777, radix: 8))); ssh ignores such keys: chmod 600 \(file)")
            }
        }
        let hostKeyPolicy = enumValue("host_key_policy", default: HostKeyPolicy.strict)
        let sshOptions = stringArray("ssh_options") ?? []
        for option in sshOptions {
            checkNotOption(option, key: "ssh_options", what: "ssh option")
            if !option.contains("=") && !option.contains(" ") {
                report("ssh_options", "\"\(option)\" is not an ssh option; write it as \"Key=Value\"")
            }
        }
        let sshProgram = string("ssh") ?? "ssh"
        checkNotOption(sshProgram, key: "ssh", what: "program")

        let keepaliveInterval = duration("keepalive_interval", default: .seconds(15), range: ConfigRanges.keepaliveInterval)
        let keepaliveCount = integer("keepalive_count", default: 3, range: ConfigRanges.keepaliveCount)
        let connectTimeout = duration("connect_timeout", default: .seconds(10), range: ConfigRanges.connectTimeout)
        let tcpTimeout = duration("tcp_timeout", default: .seconds(5), range: ConfigRanges.tcpTimeout)
        if let tcpTimeout, tcpTimeout != .zero, tcpTimeout < .seconds(2) {
            report("tcp_timeout", "must be 0s (off) or at least 2s: shorter ends connections on every hiccup")
        }

        let remote = remoteBinding()
        let local = endpoint("local", required: true)
        var publicEndpoint = endpoint("public", required: false)
        let publicFollowsServer = lookup("public") == nil
        if publicEndpoint == nil, let server, let remote {
            let host = server.lastIndex(of: "@").map { String(server[server.index(after: $0)...]) } ?? server
            publicEndpoint = Endpoint(host: host, port: remote.port)
        }

        let defaultProbe: ProbeKind = local?.port == 22 ? .banner : .tcp
        let probe = enumValue("probe", default: defaultProbe)
        let expect = string("expect") ?? (probe == .banner ? "SSH-" : "")
        if probe == .banner && expect.isEmpty {
            report("expect", "the banner probe needs a non-empty prefix to expect (e.g. \"SSH-\")")
        }
        let httpPath = string("http_path") ?? "/"
        if !httpPath.hasPrefix("/") || httpPath.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 32 } == true }) {
            report("http_path", "must start with '/' and contain no spaces or control characters")
        }
        let probeInterval = duration("probe_interval", default: .seconds(5), range: ConfigRanges.probeInterval)
        let probeTimeout = duration("probe_timeout", default: .seconds(3), range: ConfigRanges.probeTimeout)
        let probeFailures = integer("probe_failures", default: 2, range: ConfigRanges.probeFailures)
        let backoffInitial = duration("backoff_initial", default: .seconds(1), range: ConfigRanges.backoffInitial)
        let backoffMax = duration("backoff_max", default: .seconds(60), range: ConfigRanges.backoffMax)
        if let initial = backoffInitial, let maximum = backoffMax, maximum < initial {
            report("backoff_max", "must not be smaller than backoff_initial (\(DurationParser.format(initial)))")
        }
        let stableAfter = duration("stable_after", default: .seconds(30), range: ConfigRanges.stableAfter)
        let serverCheckInterval = duration("server_check_interval", default: .seconds(2), range: ConfigRanges.serverCheckInterval)
        let logLines = integer("log_lines", default: 500, range: ConfigRanges.logLines)
        let autostart = boolean("autostart", default: true)
        let reclaimScript = boolean("reclaim_script", default: false)
        let shareConnection = boolean("share_connection", default: true)

        guard problems.count == problemCountBefore,
              let name, let server, let remote, let local, let publicEndpoint,
              let hostKeyPolicy, let keepaliveInterval, let keepaliveCount, let connectTimeout, let tcpTimeout,
              let probe, let probeInterval, let probeTimeout, let probeFailures,
              let backoffInitial, let backoffMax, let stableAfter, let serverCheckInterval, let logLines, let autostart,
              let reclaimScript, let shareConnection
        else { return nil }
        var tunnel = TunnelConfig(
            name: name, server: server, serverPort: serverPort, identityFile: identityFile,
            hostKeyPolicy: hostKeyPolicy, sshOptions: sshOptions, sshProgram: sshProgram,
            keepaliveInterval: keepaliveInterval, keepaliveCount: keepaliveCount, connectTimeout: connectTimeout,
            probe: probe, expect: expect, httpPath: httpPath, probeInterval: probeInterval,
            probeTimeout: probeTimeout, probeFailures: probeFailures, backoffInitial: backoffInitial,
            backoffMax: backoffMax, stableAfter: stableAfter, logLines: logLines, remote: remote, local: local,
            publicEndpoint: publicEndpoint, autostart: autostart)
        tunnel.serverCheckInterval = serverCheckInterval
        tunnel.publicFollowsServer = publicFollowsServer
        tunnel.reclaimScript = reclaimScript
        tunnel.shareConnection = shareConnection
        tunnel.tcpTimeout = tcpTimeout
        return tunnel
    }

    // MARK: - Typed lookups (tunnel table first, then [defaults])

    /// The value of `key` and whether it came from `[defaults]`.
    private func lookup(_ key: String) -> (value: TOMLValueConvertible, inDefaults: Bool)? {
        if let value = table[key] { return (value, false) }
        if ConfigKeys.overridable.contains(key), let value = defaults[key] { return (value, true) }
        return nil
    }

    private mutating func string(_ key: String) -> String? {
        guard let (value, inDefaults) = lookup(key) else { return nil }
        guard let text = value.string else {
            report(key, "must be a string, found \(value.type)", inDefaults: inDefaults)
            return nil
        }
        if let invisible = InvisibleCharacters.first(in: text) {
            report(key, InvisibleCharacters.refusal(invisible), inDefaults: inDefaults)
            return nil
        }
        if text.isEmpty && Self.nonEmptyKeys.contains(key) {
            report(key, "must not be empty; " + (Self.nonEmptyHints[key] ?? "remove the line to use the default"),
                   inDefaults: inDefaults)
            return nil
        }
        return text
    }

    private mutating func requiredString(_ key: String) -> String? {
        if lookup(key) == nil {
            report(key, "is required" + (ConfigKeys.overridable.contains(key) ? " (here or in [defaults])" : ""))
            return nil
        }
        return string(key)
    }

    /// An integer, range-checked as `Int` (TOMLKit would trap on a narrower type).
    private mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int? {
        guard let (value, inDefaults) = lookup(key) else { return fallback }
        guard let number = value.int else {
            report(key, "must be an integer, found \(value.type)", inDefaults: inDefaults)
            return nil
        }
        guard range.contains(number) else {
            report(key, "\(number) is out of range \(range.lowerBound)-\(range.upperBound)", inDefaults: inDefaults)
            return nil
        }
        return number
    }

    private mutating func boolean(_ key: String, default fallback: Bool) -> Bool? {
        guard let (value, inDefaults) = lookup(key) else { return fallback }
        guard let flag = value.bool else {
            report(key, "must be true or false, found \(value.type)", inDefaults: inDefaults)
            return nil
        }
        return flag
    }

    private mutating func stringArray(_ key: String) -> [String]? {
        guard let (value, inDefaults) = lookup(key) else { return nil }
        guard let array = value.array else {
            report(key, "must be a list of strings, found \(value.type)", inDefaults: inDefaults)
            return nil
        }
        var strings: [String] = []
        for element in array {
            guard let text = element.string else {
                report(key, "must be a list of strings, found an element of type \(element.type)", inDefaults: inDefaults)
                return nil
            }
            if let invisible = InvisibleCharacters.first(in: text) {
                report(key, InvisibleCharacters.refusal(invisible), inDefaults: inDefaults)
                return nil
            }
            if text.isEmpty {
                report(key, "must not hold an empty string; write each option as \"Key=Value\"", inDefaults: inDefaults)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    private mutating func duration(_ key: String, default fallback: Duration, range: ClosedRange<Duration>) -> Duration? {
        guard let (value, inDefaults) = lookup(key) else { return fallback }
        guard let text = value.string else {
            report(key, "must be a duration string such as \"10s\", \"500ms\" or \"2m\", found \(value.type)",
                   inDefaults: inDefaults)
            return nil
        }
        guard let parsed = DurationParser.parse(text) else {
            report(key, "\"\(text)\" is not a duration; write e.g. \"10s\", \"500ms\" or \"2m\"", inDefaults: inDefaults)
            return nil
        }
        guard range.contains(parsed) else {
            let side = parsed < range.lowerBound ? "too short" : "too long"
            report(key, "\"\(text)\" is \(side); the range is \(ConfigRanges.describe(range))", inDefaults: inDefaults)
            return nil
        }
        return parsed
    }

    private mutating func enumValue<Value: RawRepresentable & CaseIterable>(_ key: String, default fallback: Value) -> Value?
    where Value.RawValue == String {
        guard let text = string(key) else { return lookup(key) == nil ? fallback : nil }
        guard let parsed = Value(rawValue: text) else {
            let allowed = Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            report(key, "\"\(text)\" is not one of \(allowed)")
            return nil
        }
        return parsed
    }

    private mutating func remoteBinding() -> RemoteBinding? {
        guard lookup("remote") != nil else {
            report("remote", "is required: the port the server listens on, e.g. \"2222\" or \"0.0.0.0:8080\"")
            return nil
        }
        let text: String
        if let number = table["remote"]?.int {
            text = String(number)
        } else if let value = string("remote") {
            text = value
        } else {
            return nil
        }
        checkNotOption(text, key: "remote", what: "binding")
        let bind: String?
        let portText: String
        if let (host, port) = Endpoint.split(text) {
            bind = host
            portText = port
        } else {
            bind = nil
            portText = text
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            report("remote", "\"\(text)\": the port must be 1-65535 (dynamic allocation with 0 is not supported)")
            return nil
        }
        if let bind, bind.contains(where: { $0.isWhitespace }) {
            report("remote", "\"\(text)\": the bind address must not contain spaces")
            return nil
        }
        return RemoteBinding(bindAddress: bind, port: port)
    }

    private mutating func endpoint(_ key: String, required: Bool) -> Endpoint? {
        guard lookup(key) != nil else {
            if required { report(key, "is required: host:port, e.g. \"localhost:22\"") }
            return nil
        }
        guard let text = string(key) else { return nil }
        checkNotOption(text, key: key, what: "address")
        guard let (host, portText) = Endpoint.split(text), !host.isEmpty else {
            report(key, "\"\(text)\" must be host:port, e.g. \"localhost:22\"")
            return nil
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            report(key, "\"\(text)\": the port must be 1-65535")
            return nil
        }
        return Endpoint(host: host, port: port)
    }

    private mutating func checkNotOption(_ value: String, key: String, what: String) {
        if value.hasPrefix("-") {
            report(key, "\"\(value)\" starts with '-' and would be read by ssh as an option; a \(what) cannot start with '-'")
        } else if value.contains(where: { $0.isWhitespace }) && key != "ssh_options" {
            report(key, "\"\(value)\" must not contain spaces")
        }
    }

    private mutating func report(_ key: String, _ message: String, inDefaults: Bool = false) {
        let section: SourceLines.Section = inDefaults ? .defaults : .tunnel(index: index)
        let where_ = inDefaults ? "\(message) (set in [defaults])" : message
        problems.append(ConfigProblem(line: lines.line(of: key, in: section), tunnel: label, key: key, message: where_))
    }

    /// String keys that cannot be empty, and what to write instead.
    static let nonEmptyKeys: Set<String> = ["name", "server", "ssh", "identity_file", "remote", "local", "public", "http_path", "host_key_policy", "probe"]
    static let nonEmptyHints: [String: String] = [
        "server": "write the ssh destination, e.g. \"tunnel@vps.example.com\"",
        "ssh": "write the ssh program, e.g. \"ssh\" or \"/usr/bin/ssh\", or remove the line",
        "identity_file": "write the key's path, e.g. \"~/.ssh/id_ed25519_tunnel\", or remove the line",
    ]

    static func expandTilde(_ path: String) -> String {
        if path == "~" { return URL.homeDirectory.path }
        if path.hasPrefix("~/") {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? URL.homeDirectory.path
            return home + path.dropFirst(1)
        }
        return path
    }
}
