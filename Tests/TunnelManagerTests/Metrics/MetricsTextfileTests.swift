import Foundation
import Testing
@testable import TunnelManager

#if canImport(Glibc)
import Glibc
#endif

@Suite("metrics textfile")
struct MetricsTextfileTests {
    @Test("symlinks planted at the old temporary name and at the file's name are not followed: the victim keeps its content")
    func plantedSymlinks() throws {
        let directory = NSTemporaryDirectory() + "tt-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let victim = "\(directory)/victim_file", other = "\(directory)/other_victim"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try "also precious\n".write(toFile: other, atomically: false, encoding: .utf8)
        let path = "\(directory)/tunnel-tui.prom"
        symlink(victim, "\(path).\(getpid()).tmp")  // the name the exporter used to write through
        symlink(other, path)
        try MetricsExporter.writeAtomically("tunnel_up 1\n", to: path)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "also precious\n")
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG, "the link itself was replaced by a regular file")
        #expect(info.st_mode & 0o777 == 0o644)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "tunnel_up 1\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") && $0 != "tunnel-tui.prom.\(getpid()).tmp" }
        #expect(left.isEmpty, "no temporary file left: \(left)")
    }

    @Test("a directory that cannot be written says which file and what to do")
    func unwritableDirectory() {
        #expect {
            try MetricsExporter.writeAtomically("x\n", to: "/nonexistent-tt/tunnel-tui.prom")
        } throws: { error in
            "\(error)".contains("/nonexistent-tt/tunnel-tui.prom") && "\(error)".contains("metrics_textfile_dir")
        }
    }
}
