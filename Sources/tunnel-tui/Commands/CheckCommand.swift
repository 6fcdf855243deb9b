import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif
import TunnelManager

/// `tunnel-tui check`: probes every tunnel's ends once, with no supervisor, and exits like `status`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Probe every tunnel's public end and local target once, concurrently; no supervisor needed.",
        discussion: "Exit codes: 0 every public end answers, 1 some do not, 2 none does. Finishes within the largest probe_timeout plus a little.")

    @Flag(help: "Print JSON for scripts.") var json = false
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let results = await EndpointCheck.run(config)
        let verdict = HealthVerdict.of(results.map(\.state))
        if json {
            struct Output: Encodable {
                let verdict: String
                let tunnels: [EndpointCheck.Result]
            }
            let data = try ControlCoding.encoder(pretty: true).encode(Output(verdict: verdict.label, tunnels: results))
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(verdict.label): \(results.filter { $0.state == .up }.count) of \(results.count) public ends answer")
            print(StatusTable.render(results.map { ($0.name, $0.state, $0.latencyMilliseconds, nil, nil, $0.cause) }))
        }
        if verdict != .ok { throw ExitCode(verdict.rawValue) }
    }
}
