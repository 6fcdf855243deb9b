/// Finds the line of a key in the TOML text, since TOMLKit gives positions only for syntax errors.
///
/// Good enough for the files people write: `[defaults]`, `[[tunnel]]` headers and `key = value` lines.
/// The file is indexed once, so each lookup costs a dictionary access (a config with 10,000 tunnels, each
/// with a problem, used to rescan the whole file per problem).
struct SourceLines {
    /// The section a key belongs to.
    enum Section: Hashable {
        case top
        case defaults
        case tunnel(index: Int)
        case alerts
    }

    /// Where a section starts and the first line of each key assigned in it.
    private struct SectionIndex {
        var header: Int
        var keys: [Substring: Int] = [:]
    }

    private var sections: [Section: SectionIndex] = [:]

    init(text: String) {
        sections[.top] = SectionIndex(header: 0)
        // nil once the lines belong to a section seen before or a table this index does not track.
        var current: Section? = .top
        var tunnelCount = -1
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let text = raw.drop(while: { $0 == " " || $0 == "\t" })
            if text.hasPrefix("[") {
                let next: Section?
                if text.hasPrefix("[[") && text.contains("tunnel") {
                    tunnelCount += 1
                    next = .tunnel(index: tunnelCount)
                } else if text.hasPrefix("[defaults]") {
                    next = .defaults
                } else if text.hasPrefix("[alerts]") {
                    next = .alerts
                } else {
                    next = nil
                }
                if let next, sections[next] == nil {
                    sections[next] = SectionIndex(header: number)
                    current = next
                } else {
                    current = nil
                }
                continue
            }
            guard let section = current, let equals = text.firstIndex(of: "=") else { continue }
            var key = text[..<equals]
            while let last = key.last, last == " " || last == "\t" { key = key.dropLast() }
            if !key.isEmpty && sections[section]?.keys[key] == nil {
                sections[section]?.keys[key] = number
            }
        }
    }

    /// 1-based line of the section header (nil for the top level).
    func headerLine(of section: Section) -> Int? {
        sections[section].flatMap { $0.header > 0 ? $0.header : nil }
    }

    /// 1-based line where `key` is assigned inside `section`, when found; else the section's header.
    func line(of key: String, in section: Section) -> Int? {
        guard let index = sections[section] else { return nil }
        return index.keys[Substring(key)] ?? headerLine(of: section)
    }
}
