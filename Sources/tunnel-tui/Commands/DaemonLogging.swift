import Logging
import TunnelManager

/// How the daemon logs: one line per event on stderr; under systemd (`$JOURNAL_STREAM` is stderr) with the
/// sd-daemon priority prefix and no timestamp of its own, elsewhere in swift-log's stream format.
enum DaemonLogging {
    static func bootstrap() {
        let format = JournalLogHandler.format()
        LoggingSystem.bootstrap { label in
            switch format {
            case .journal:
                var handler = JournalLogHandler(label: label)
                handler.logLevel = .info
                return handler
            case .stream:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .info
                return handler
            }
        }
    }
}
