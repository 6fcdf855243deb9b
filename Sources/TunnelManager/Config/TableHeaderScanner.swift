/// Finds the table headers that toml++ (inside TOMLKit) cannot reject without aborting the process.
///
/// toml++ 3.4 asserts that a header's key starts with a bare-key character or a quote: `[*]`, `[#]`,
/// `[ünicode]`, `[.a]`, `[[[x]]]` or a `[` alone at the end of a line end in `abort()` (its assertions are
/// compiled in), not in a parse error. This scan runs before TOMLKit sees the text and reports such a
/// header as an ordinary problem. It follows strings, comments and brackets so that a `[` inside a
/// value or a multi-line string is not mistaken for a header; on text toml++ would reject earlier anyway
/// it may report this problem instead of the first syntax error, which is harmless.
enum TableHeaderScanner {
    /// The first header toml++ would abort on, as a problem naming its line and column, or nil.
    static func firstHazard(in text: String) -> ConfigProblem? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var lineStart = 0
        var depth = 0
        var atLineStart = true
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\n":
                index += 1
                line += 1
                lineStart = index
                if depth == 0 { atLineStart = true }
            case " ", "\t", "\r":
                index += 1
            case "#":
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                skipString(scalars, &index, &line, &lineStart)
                atLineStart = false
            case "[" where depth == 0 && atLineStart:
                if let hazard = headerHazard(scalars, at: index) {
                    let column = hazard - lineStart + 1
                    let found = hazard < scalars.count ? scalars[hazard] : "\n"
                    return ConfigProblem(
                        line: line,
                        message: "TOML syntax error at column \(column): a table name cannot start with "
                            + "\(describe(found)); quote it (e.g. [\"*\"]) or use letters, digits, '_' and '-'")
                }
                // The rest of the header line: its key may be quoted and hold brackets.
                index += 1
                while index < scalars.count && scalars[index] != "\n" {
                    if scalars[index] == "\"" || scalars[index] == "'" {
                        skipString(scalars, &index, &line, &lineStart)
                    } else if scalars[index] == "#" {
                        break
                    } else {
                        index += 1
                    }
                }
                atLineStart = false
            case "[", "{":
                depth += 1
                index += 1
                atLineStart = false
            case "]", "}":
                depth = max(0, depth - 1)
                index += 1
                atLineStart = false
            default:
                index += 1
                atLineStart = false
            }
        }
        return nil
    }

    /// The index of the character toml++ would abort on in the header opening at `start`, or nil.
    private static func headerHazard(_ scalars: [Unicode.Scalar], at start: Int) -> Int? {
        var index = start + 1
        let skipBlanks = { while index < scalars.count && (scalars[index] == " " || scalars[index] == "\t") { index += 1 } }
        let afterBracket = index
        skipBlanks()
        if index < scalars.count && scalars[index] == "[" {
            // `[ [` is a clean error; `[[` goes on to the key.
            if index != afterBracket { return nil }
            index += 1
            skipBlanks()
        }
        guard index < scalars.count else { return nil }
        let first = scalars[index]
        if isBareKeyCharacter(first) || first == "\"" || first == "'" || first == "]" { return nil }
        return index
    }

    /// What toml++ accepts unquoted in a key: ASCII letters, digits, '_' and '-'.
    private static func isBareKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    /// Moves past the string opening at `index` (basic, literal, or their multi-line forms).
    private static func skipString(_ scalars: [Unicode.Scalar], _ index: inout Int, _ line: inout Int, _ lineStart: inout Int) {
        let quote = scalars[index]
        let multiLine = index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote
        index += multiLine ? 3 : 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                if !multiLine { return }
                line += 1
                lineStart = index + 1
                index += 1
            } else if scalar == "\\" && quote == "\"" {
                // An escape: skip the escaped character, unless it is the line break of a line-ending backslash.
                index += index + 1 < scalars.count && scalars[index + 1] == "\n" ? 1 : 2
            } else if scalar == quote {
                if !multiLine { index += 1; return }
                if index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote {
                    index += 3
                    // A multi-line string may end with up to two extra quotes.
                    while index < scalars.count && scalars[index] == quote { index += 1 }
                    return
                }
                index += 1
            } else {
                index += 1
            }
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar == "\n" || scalar == "\r" { return "a line break" }
        if scalar.isASCII && scalar.value >= 0x21 && scalar.value < 0x7F { return "'\(scalar)'" }
        if InvisibleCharacters.isInvisible(scalar) { return InvisibleCharacters.codePoint(scalar) }
        return "'\(scalar)' (\(InvisibleCharacters.codePoint(scalar)))"
    }
}
