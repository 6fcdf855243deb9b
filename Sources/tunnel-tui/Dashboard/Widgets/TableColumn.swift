import TunnelManager

/// A column of the tunnel table, its width and how important it is when space runs out.
enum TableColumn: CaseIterable, Sendable {
    case state, name, remote, local, connection, latency, trend, uptime, restarts, event

    var title: String {
        switch self {
        case .state: "STATE"
        case .name: "NAME"
        case .remote: "REMOTE"
        case .local: "LOCAL"
        case .connection: "CONN"
        case .latency: "LATENCY"
        case .trend: "TREND"
        case .uptime: "UPTIME"
        case .restarts: "RST"
        case .event: "LAST EVENT"
        }
    }

    /// Width without the one-space gap.
    var width: Int {
        switch self {
        case .state: 13
        case .name: 14
        case .remote: 20
        case .local: 17
        case .connection: 4
        case .latency: 8
        case .trend: 8
        case .uptime: 7
        case .restarts: 3
        case .event: 20  // the minimum; it takes what is left
        }
    }

    /// Lower keeps its place longer on a narrow terminal.
    var priority: Int {
        switch self {
        case .state: 0
        case .name: 1
        case .latency: 2
        case .event: 3
        case .restarts: 4
        case .uptime: 5
        case .remote: 6
        case .trend: 7
        case .local: 8
        // The detail pane names the connection too: on a narrow terminal this column goes first.
        case .connection: 9
        }
    }

    /// The columns that fit `width`, in display order; the event column takes the rest. The connection column
    /// comes only once every other column has its place (a wide terminal), never in a gap a narrower one leaves.
    static func layout(width: Int) -> [(column: TableColumn, width: Int)] {
        var chosen: Set<TableColumn> = []
        var used = 0
        for column in allCases.sorted(by: { $0.priority < $1.priority }) where used + column.width + 1 <= width {
            if column == .connection && chosen.count < allCases.count - 1 { continue }
            chosen.insert(column)
            used += column.width + 1
        }
        return allCases.filter(chosen.contains).map { column in
            (column, column == .event ? column.width + (width - used) : column.width)
        }
    }
}
