import FoundationEssentials
import TOMLKit

/// Reads the `[alerts]` table and the alert keys of each `[[tunnel]]` (`alerts`, `alert_after`,
/// `alert_command`), recording every problem with its line, tunnel and key.
struct AlertSectionReader {
    let root: TOMLTable
    let tunnelTables: [TOMLTable]
    let lines: SourceLines
    /// Where programs named without a slash are looked up (the PATH of the checking process).
    var searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
    private(set) var problems: [ConfigProblem] = []

    init(root: TOMLTable, tunnelTables: [TOMLTable], lines: SourceLines) {
        self.root = root
        self.tunnelTables = tunnelTables
        self.lines = lines
    }

    /// The settings; meaningful only when ``problems`` is empty.
    mutating func read() -> AlertSettings {
        var settings = AlertSettings()
        if let value = root["alerts"] {
            if let table = value.table {
                readTable(table, into: &settings)
            } else {
                problems.append(ConfigProblem(
                    line: lines.line(of: "alerts", in: .top), key: "alerts",
                    message: "must be a table ([alerts] with command = [\"/path/to/hook\"]), found \(value.type)"))
            }
        }
        for (index, table) in tunnelTables.enumerated() {
            let label = table["name"]?.string ?? "tunnel #\(index + 1)"
            if let own = readTunnel(table, index: index, label: label) {
                settings.tunnels[label] = own
            }
        }
        return settings
    }

    private mutating func readTable(_ table: TOMLTable, into settings: inout AlertSettings) {
        func report(_ key: String?, _ message: String) {
            let line = key.flatMap { lines.line(of: $0, in: .alerts) } ?? lines.headerLine(of: .alerts)
            problems.append(ConfigProblem(line: line, tunnel: "[alerts]", key: key, message: message))
        }
        for key in table.keys where !ConfigKeys.alertsTable.contains(key) {
            let hint = KeySuggestion.closest(to: key, among: ConfigKeys.alertsTable).map { "did you mean \"\($0)\"?" }
                ?? "known keys: " + ConfigKeys.alertsTable.joined(separator: ", ")
            report(key, "unknown key; \(hint)")
        }
        if let value = table["command"] {
            let (command, problem) = Self.command(value, searchPath: searchPath)
            settings.command = command
            if let problem { report("command", problem) }
        } else {
            report(nil, "needs a command, e.g. command = [\"/usr/local/bin/notify-me\"] (or remove the table to turn alerts off)")
        }
        let durations: [(String, ClosedRange<Duration>, WritableKeyPath<AlertSettings, Duration>)] = [
            ("alert_after", ConfigRanges.alertAfter, \.alertAfter),
            ("timeout", ConfigRanges.alertTimeout, \.timeout),
            ("flapping_window", ConfigRanges.flappingWindow, \.flappingWindow),
        ]
        for (key, range, path) in durations {
            guard let value = table[key] else { continue }
            let (duration, problem) = Self.duration(value, range: range)
            if let duration { settings[keyPath: path] = duration }
            if let problem { report(key, problem) }
        }
        if let value = table["flapping_count"] {
            let range = ConfigRanges.flappingCount
            if let count = value.int, range.contains(count) {
                settings.flappingCount = count
            } else {
                report("flapping_count", "must be an integer from \(range.lowerBound) to \(range.upperBound), e.g. 5")
            }
        }
    }

    private mutating func readTunnel(_ table: TOMLTable, index: Int, label: String) -> AlertTunnelSettings? {
        func report(_ key: String, _ message: String) {
            problems.append(ConfigProblem(line: lines.line(of: key, in: .tunnel(index: index)), tunnel: label, key: key, message: message))
        }
        guard table["alerts"] != nil || table["alert_after"] != nil || table["alert_command"] != nil else { return nil }
        var own = AlertTunnelSettings()
        if let value = table["alerts"] {
            if let flag = value.bool {
                own.enabled = flag
            } else {
                report("alerts", "must be true or false, found \(value.type)")
            }
        }
        if let value = table["alert_after"] {
            let (duration, problem) = Self.duration(value, range: ConfigRanges.alertAfter)
            own.alertAfter = duration
            if let problem { report("alert_after", problem) }
        }
        if let value = table["alert_command"] {
            let (command, problem) = Self.command(value, searchPath: searchPath)
            own.command = command
            if let problem { report("alert_command", problem) }
        }
        return own
    }

    /// A hook command: a non-empty list of plain strings whose program exists and can be run; or what is wrong.
    static func command(_ value: TOMLValueConvertible, searchPath: String?) -> (command: [String]?, problem: String?) {
        let example = "write it as a list, e.g. [\"/usr/local/bin/notify-me\", \"--flag\"] (it runs without a shell)"
        guard let array = value.array else {
            return (nil, "must be a list of strings, found \(value.type); \(example)")
        }
        var command: [String] = []
        for element in array {
            guard let text = element.string else {
                return (nil, "must be a list of strings, found an element of type \(element.type)")
            }
            if let invisible = InvisibleCharacters.first(in: text) {
                return (nil, InvisibleCharacters.refusal(invisible))
            }
            command.append(text)
        }
        guard let program = command.first, !program.isEmpty else {
            return (nil, "must name a program; \(example)")
        }
        if program.hasPrefix("-") {
            return (nil, "\"\(program)\" starts with '-': the first element is the program to run, not an option")
        }
        if program.contains(where: { $0.isWhitespace }) && !program.contains("/") {
            return (nil, "\"\(program)\" contains a space: give the program and each argument as separate strings; \(example)")
        }
        if SpawnLauncher.resolve(program: program, path: searchPath) == nil {
            let reason = program.contains("/")
                ? "\(program) does not exist or is not executable; fix the path or chmod +x it"
                : "\(program) is not found on PATH (\(searchPath ?? "unset")); give its absolute path"
            return (nil, reason)
        }
        return (command, nil)
    }

    /// A duration string within `range`; or what is wrong.
    static func duration(_ value: TOMLValueConvertible, range: ClosedRange<Duration>) -> (duration: Duration?, problem: String?) {
        guard let text = value.string else {
            return (nil, "must be a duration string such as \"30s\" or \"2m\", found \(value.type)")
        }
        guard let parsed = DurationParser.parse(text) else {
            return (nil, "\"\(text)\" is not a duration; write e.g. \"30s\", \"500ms\" or \"2m\"")
        }
        guard range.contains(parsed) else {
            let side = parsed < range.lowerBound ? "too short" : "too long"
            return (nil, "\"\(text)\" is \(side); the range is \(ConfigRanges.describe(range))")
        }
        return (parsed, nil)
    }
}
