import FoundationEssentials
import TOMLKit

/// Turns a parsed TOML table into validated tunnels, recording every problem with its line, tunnel and key.
struct ConfigValidator {
    let root: TOMLTable
    let lines: SourceLines
    private(set) var problems: [ConfigProblem] = []
    private var warnings: [String] = []
    private(set) var metricsTextfileDir: String?
    private(set) var metricsListen: Endpoint?
    private(set) var metricsInterval: Duration = .seconds(15)

    init(root: TOMLTable, lines: SourceLines) {
        self.root = root
        self.lines = lines
    }

    mutating func run() -> (tunnels: [TunnelConfig], warnings: [String]) {
        for key in root.keys where !ConfigKeys.topLevel.contains(key) {
            // Top-level scalars are only the metrics keys; everything else belongs in a table.
            let hint: String
            if ConfigKeys.overridable.contains(key) || ConfigKeys.tunnelOnly.contains(key) {
                hint = "put it under [defaults] or a [[tunnel]]"
            } else {
                hint = suggestion(for: key, among: ConfigKeys.topLevel)
            }
            report(.top, nil, key, "unknown top-level key; \(hint)")
        }
        readMetricsKeys()
        var defaults = TOMLTable()
        if let value = root["defaults"] {
            if let table = value.table {
                defaults = table
                for key in table.keys where !ConfigKeys.overridable.contains(key) {
                    let hint = ConfigKeys.tunnelOnly.contains(key)
                        ? "\"\(key)\" belongs in each [[tunnel]], not in [defaults]"
                        : suggestion(for: key, among: ConfigKeys.overridable)
                    report(.defaults, "[defaults]", key, "unknown key; \(hint)")
                }
            } else {
                report(.top, nil, "defaults", "must be a table ([defaults]), found \(value.type)")
            }
        }
        var tunnelTables: [TOMLTable] = []
        if let value = root["tunnel"] {
            if let array = value.array {
                for (index, element) in array.enumerated() {
                    if let table = element.table {
                        tunnelTables.append(table)
                    } else {
                        report(.tunnel(index: index), "tunnel #\(index + 1)", nil, "each tunnel must be a [[tunnel]] table")
                    }
                }
            } else {
                report(.top, nil, "tunnel", "tunnels are written as [[tunnel]] tables, found \(value.type)")
            }
        }
        if tunnelTables.isEmpty && problems.isEmpty {
            report(.top, nil, nil, "no tunnels configured; add at least one [[tunnel]] table (see config.example.toml)")
        }
        var tunnels: [TunnelConfig] = []
        for (index, table) in tunnelTables.enumerated() {
            var section = TunnelSectionReader(index: index, table: table, defaults: defaults, lines: lines)
            let tunnel = section.read()
            problems += section.problems
            warnings += section.warnings
            if let tunnel { tunnels.append(tunnel) }
        }
        checkUniqueness(tunnels)
        return (tunnels, warnings)
    }

    private mutating func readMetricsKeys() {
        if let value = root["metrics_textfile_dir"] {
            if let directory = value.string, let invisible = InvisibleCharacters.first(in: directory) {
                report(.top, nil, "metrics_textfile_dir", InvisibleCharacters.refusal(invisible))
            } else if let directory = value.string, directory.hasPrefix("/") {
                metricsTextfileDir = directory
            } else {
                report(.top, nil, "metrics_textfile_dir", "must be an absolute directory path, e.g. \"/var/lib/node_exporter/textfile_collector\"")
            }
        }
        if let value = root["metrics_listen"] {
            let loopback = ["127.0.0.1", "::1", "localhost"]
            if let text = value.string, let invisible = InvisibleCharacters.first(in: text) {
                report(.top, nil, "metrics_listen", InvisibleCharacters.refusal(invisible))
            } else if let text = value.string, let (host, portText) = Endpoint.split(text), let port = Int(portText),
               (1...65535).contains(port), loopback.contains(host) {
                metricsListen = Endpoint(host: host, port: port)
            } else {
                report(.top, nil, "metrics_listen", "must be a loopback host:port such as \"127.0.0.1:9877\" (metrics are not for the internet)")
            }
        }
        if let value = root["metrics_interval"] {
            let range = ConfigRanges.metricsInterval
            if let text = value.string, let duration = DurationParser.parse(text), range.contains(duration) {
                metricsInterval = duration
            } else {
                report(.top, nil, "metrics_interval",
                       "must be a duration from \(ConfigRanges.describe(range)), e.g. \"15s\"")
            }
        }
    }

    private mutating func checkUniqueness(_ tunnels: [TunnelConfig]) {
        var seenNames: [String: Int] = [:]
        for (index, tunnel) in tunnels.enumerated() {
            if let first = seenNames[tunnel.name] {
                report(.tunnel(index: index), tunnel.name, "name",
                       "duplicate tunnel name (also tunnel #\(first + 1)); names must be unique")
            } else {
                seenNames[tunnel.name] = index
            }
        }
        // Bindings that can collide share a server and a port; per group, remember the first tunnel of
        // each kind so every tunnel is checked in constant time (a pairwise check was quadratic).
        struct Group {
            var first: Int?
            var firstWildcard: Int?
            var firstLoopback: Int?
            var firstByAddress: [String: Int] = [:]
        }
        struct GroupKey: Hashable {
            let host: String
            let serverPort: Int?
            let port: Int
        }
        var groups: [GroupKey: Group] = [:]
        for (index, tunnel) in tunnels.enumerated() {
            let key = GroupKey(host: tunnel.serverHost, serverPort: tunnel.serverPort, port: tunnel.remote.port)
            var group = groups[key] ?? Group()
            let remote = tunnel.remote
            let address = remote.bindAddress ?? "localhost"
            let isLoopback = !remote.isWildcard && RemoteBinding.loopbackNames.contains(address)
            let candidates: [Int?]
            if remote.isWildcard {
                candidates = [group.first]
            } else if isLoopback {
                candidates = [group.firstWildcard, group.firstLoopback]
            } else {
                candidates = [group.firstWildcard, group.firstByAddress[address]]
            }
            if let earlier = candidates.compactMap({ $0 }).min() {
                report(.tunnel(index: index), tunnel.name, "remote",
                       "\(tunnel.remote) on \(tunnel.serverHost) is already bound by tunnel \"\(tunnels[earlier].name)\"; "
                       + "two tunnels cannot listen on the same server port")
            }
            if group.first == nil { group.first = index }
            if remote.isWildcard, group.firstWildcard == nil { group.firstWildcard = index }
            if isLoopback, group.firstLoopback == nil { group.firstLoopback = index }
            if !remote.isWildcard, group.firstByAddress[address] == nil { group.firstByAddress[address] = index }
            groups[key] = group
        }
    }

    private func suggestion(for key: String, among known: [String]) -> String {
        if key.count <= 64, let close = KeySuggestion.closest(to: key, among: known) { return "did you mean \"\(close)\"?" }
        return "known keys: " + known.joined(separator: ", ")
    }

    private mutating func report(_ section: SourceLines.Section, _ tunnel: String?, _ key: String?, _ message: String) {
        let line = key.flatMap { lines.line(of: $0, in: section) } ?? lines.headerLine(of: section)
        problems.append(ConfigProblem(line: line, tunnel: tunnel, key: key, message: message))
    }
}
