import FoundationEssentials

/// The JSON coding of the control protocol and `--json` output: ISO 8601 dates, sorted keys.
public enum ControlCoding {
    /// An encoder for replies and requests.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return encoder
    }

    /// A decoder for replies and requests.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
