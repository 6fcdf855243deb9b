import FoundationEssentials
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Log lines for journald: `<PRIORITY>message` on stderr, with no timestamp of its own (journald adds one),
/// the priority prefix of sd-daemon(3) so `journalctl -p warning` filters them.
public struct JournalLogHandler: LogHandler {
    /// The line format, chosen once at start-up.
    public enum Format: Sendable, Equatable {
        /// `<5>text` for journald.
        case journal
        /// swift-log's usual stream format with timestamps, for a terminal or a file.
        case stream
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing lines through `write` (stderr by default).
    public init(label: String, write: @escaping @Sendable (String) -> Void = JournalLogHandler.writeToStandardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(Self.line(level: event.level, message: "\(event.message)"))
    }

    /// One journal line: `<N>message\n`, the message on one line.
    public static func line(level: Logger.Level, message: String) -> String {
        "<\(priority(of: level))>" + message.replacing("\n", with: " ") + "\n"
    }

    /// syslog priorities: debug 7, info 6, notice 5, warning 4, error 3, critical 2.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Whether stderr is the journal: `$JOURNAL_STREAM` names its device and inode (systemd.exec(5)).
    public static func format(environment: [String: String] = ProcessInfo.processInfo.environment, descriptor: Int32 = 2) -> Format {
        guard let stream = environment["JOURNAL_STREAM"] else { return .stream }
        let parts = stream.split(separator: ":")
        var status = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(descriptor, &status) == 0 else {
            return .stream
        }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .stream
    }

    /// Writes one line to stderr in a single call.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
