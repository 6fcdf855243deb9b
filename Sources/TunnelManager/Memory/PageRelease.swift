/// What one ``ResidentPages/release()`` did: resident memory before and after, and how many mappings it
/// unmapped or the kernel refused (a locked mapping, say).
public struct PageRelease: Equatable, Sendable, CustomStringConvertible {
    /// `VmRSS` before, in bytes; nil where /proc cannot tell.
    public let residentBefore: Int?
    /// `VmRSS` just after, in bytes.
    public let residentAfter: Int?
    /// Mappings whose pages were unmapped.
    public let mappings: Int
    /// Mappings the kernel refused to unmap.
    public let refused: Int

    /// Creates the record.
    public init(residentBefore: Int?, residentAfter: Int?, mappings: Int, refused: Int) {
        self.residentBefore = residentBefore
        self.residentAfter = residentAfter
        self.mappings = mappings
        self.refused = refused
    }

    /// "resident memory from 15.6 MB to 3.9 MB (41 read-only mappings)", for the log.
    public var description: String {
        func megabytes(_ bytes: Int?) -> String {
            guard let bytes else { return "?" }
            let tenths = (bytes * 10 + 524_288) / 1_048_576
            return "\(tenths / 10).\(tenths % 10) MB"
        }
        let refusals = refused > 0 ? ", \(refused) refused" : ""
        return "resident memory from \(megabytes(residentBefore)) to \(megabytes(residentAfter)) (\(mappings) read-only mappings\(refusals))"
    }
}
