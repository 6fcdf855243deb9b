extension StringProtocol {
    /// Whether `needle` occurs in the text, compared byte for byte in UTF-8 (no locale, no normalisation).
    ///
    /// ssh's output is ASCII, and this runs on every line it prints (`-v` prints several per forwarded
    /// connection, so per probe). Foundation's `contains(_:)` bridges each call through `NSString`; in a
    /// profile of the idle daemon it was a fifth of all CPU time. This is a plain scan of the bytes.
    func includes(_ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { pattern in
            if let found = utf8.withContiguousStorageIfAvailable({ Self.find(pattern, in: $0) }) {
                return found
            }
            return Array(utf8).withUnsafeBufferPointer { Self.find(pattern, in: $0) }
        }
    }

    private static func find(_ pattern: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = pattern.first else { return true }
        guard text.count >= pattern.count else { return false }
        var start = 0
        let lastStart = text.count - pattern.count
        while start <= lastStart {
            if text[start] == first {
                var matched = 1
                while matched < pattern.count && text[start + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return true }
            }
            start += 1
        }
        return false
    }
}
