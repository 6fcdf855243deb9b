import Testing
@testable import TunnelManager

@Suite("line splitter")
struct LineSplitterTests {
    private func split(_ splitter: inout LineSplitter, _ text: String) -> [String] {
        Array(text.utf8).withUnsafeBytes { splitter.split($0) }
    }

    @Test("a line split across reads comes out whole, CR LF and LF both end lines")
    func acrossReads() {
        var splitter = LineSplitter()
        #expect(split(&splitter, "debug1: conn") == [])
        #expect(split(&splitter, "ecting to vps\r\nsecond\nthi") == ["debug1: connecting to vps", "second"])
        #expect(split(&splitter, "rd") == [])
        #expect(splitter.finish() == "third")
        #expect(splitter.finish() == nil)
    }

    @Test("empty lines are kept as empty strings")
    func emptyLines() {
        var splitter = LineSplitter()
        #expect(split(&splitter, "a\n\nb\n") == ["a", "", "b"])
    }

    @Test("a line without end is cut at the maximum length, so a child cannot grow the supervisor's memory")
    func longLine() {
        var splitter = LineSplitter(maximumLength: 8)
        #expect(split(&splitter, "0123456789abcdefXY") == ["01234567", "89abcdef"])
        #expect(splitter.finish() == "XY")
    }
}
