/// Finds the line of a key in the TOML text, since TOMLKit gives positions only for syntax errors.
///
/// Good enough for the files people write: `[defaults]`, `[[tunnel]]` headers and `key = value` lines.
struct SourceLines {
    private let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The section a key belongs to.
    enum Section: Equatable {
        case top
        case defaults
        case tunnel(index: Int)
    }

    /// 1-based line of the section header (nil for the top level).
    func headerLine(of section: Section) -> Int? {
        range(of: section).map { $0.lowerBound }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// 1-based line where `key` is assigned inside `section`, when found.
    func line(of key: String, in section: Section) -> Int? {
        guard let range = range(of: section) else { return nil }
        for number in range where number >= 1 && number <= lines.count {
            let text = lines[number - 1].drop(while: { $0 == " " || $0 == "\t" })
            guard text.hasPrefix(key) else { continue }
            let rest = text.dropFirst(key.count).drop(while: { $0 == " " || $0 == "\t" })
            if rest.hasPrefix("=") { return number }
        }
        return headerLine(of: section)
    }

    /// The 1-based line numbers a section spans: its header and the lines up to the next header.
    private func range(of section: Section) -> ClosedRange<Int>? {
        var tunnelCount = -1
        var start: Int?
        var current: Section = .top
        if section == .top { start = 0 }
        for (offset, raw) in lines.enumerated() {
            let number = offset + 1
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("[") else { continue }
            let next: Section
            if text.hasPrefix("[[") && text.contains("tunnel") {
                tunnelCount += 1
                next = .tunnel(index: tunnelCount)
            } else if text.hasPrefix("[defaults]") {
                next = .defaults
            } else {
                next = .top
            }
            if let begin = start, current == section { return begin...(number - 1) }
            current = next
            if next == section { start = number }
        }
        if let begin = start, current == section { return begin...max(begin, lines.count) }
        return nil
    }
}

import Foundation
