/// The TCP sockets of one network namespace as the kernel lists them in `/proc/PID/net/tcp` and `tcp6`:
/// for each socket inode, its peer's port and whether it is established.
struct TCPSocketTable: Sendable, Equatable {
    /// One socket of the table.
    struct Entry: Sendable, Equatable {
        /// The socket's inode (what `/proc/PID/fd/N` links to as `socket:[INODE]`).
        let inode: UInt64
        /// The peer's TCP port.
        let remotePort: Int
        /// Whether the connection is established (state 01).
        let established: Bool
    }

    /// Every socket listed, by inode.
    let entries: [UInt64: Entry]

    /// Parses the text of `/proc/net/tcp` or `tcp6` (any number of them concatenated). Lines that do not
    /// have the kernel's shape are skipped: the file is read, never trusted to be well formed.
    init(parsing text: String) {
        var entries: [UInt64: Entry] = [:]
        for line in text.split(separator: "\n") {
            // "  0: 0100007F:A3C2 0100007F:0016 01 00000000:00000000 02:00000A3C 00000000     0        0 40423 ..."
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, fields[0].hasSuffix(":"),
                  let colon = fields[2].lastIndex(of: ":"),
                  let port = Int(fields[2][fields[2].index(after: colon)...], radix: 16),
                  let state = Int(fields[3], radix: 16),
                  let inode = UInt64(fields[9])
            else { continue }
            entries[inode] = Entry(inode: inode, remotePort: port, established: state == 1)
        }
        self.entries = entries
    }
}
