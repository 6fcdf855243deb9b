/// One thing wrong with a config file, located as precisely as the parser knows.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line in the file, when known.
    public var line: Int?
    /// The tunnel concerned (its name, or `tunnel #N` before the name is known).
    public var tunnel: String?
    /// The key concerned.
    public var key: String?
    /// What is wrong and what to do.
    public var message: String

    /// Creates a problem.
    public init(line: Int? = nil, tunnel: String? = nil, key: String? = nil, message: String) {
        self.line = line
        self.tunnel = tunnel
        self.key = key
        self.message = message
    }

    /// `line 12: tunnel "web": key "remote": ...`.
    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let tunnel { parts.append(tunnel.hasPrefix("tunnel #") || tunnel == "[defaults]" || tunnel == "[alerts]" ? tunnel : "tunnel \"\(tunnel)\"") }
        if let key { parts.append("key \"\(key)\"") }
        parts.append(message)
        return Self.showingInvisibles(parts.joined(separator: ": "))
    }

    /// The text with every control, bidi or other invisible character written as `<U+XXXX>`, so that a
    /// message quoting a bad value shows what is in it and cannot disturb the terminal.
    static func showingInvisibles(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: InvisibleCharacters.isInvisible) else { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            if InvisibleCharacters.isInvisible(scalar) {
                shown += "<\(InvisibleCharacters.codePoint(scalar))>"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }
}
