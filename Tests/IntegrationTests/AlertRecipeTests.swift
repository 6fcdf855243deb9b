import Foundation
import Testing
import TunnelManager
import TunnelTestSupport

/// The README's hook recipes (contrib/alerts): valid shell, and they deliver an event to a local stand-in
/// for each service with plain curl and mail.
@Suite("alerts: recipes in contrib/alerts", .serialized)
struct AlertRecipeTests {
    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/alerts").path
    private static let recipes = ["ntfy", "telegram", "webhook", "email"]

    /// Answers every HTTP request with 200 and keeps what it received (head and body).
    final class CapturingHTTPServer: Sendable {
        let port: Int
        let requests = SharedValue<[String]>([])
        private let descriptor: Int32

        init() throws {
            let listener = try TCPListener(host: "127.0.0.1", port: 0, backlog: 8)
            let server = listener.descriptor
            descriptor = server
            port = listener.port
            let requests = self.requests
            Thread.detachNewThread {
                while true {
                    let client = accept(server, nil, nil)
                    if client < 0 { return }
                    var received: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let text = String(decoding: received, as: UTF8.self)
                        if let end = text.range(of: "\r\n\r\n") {
                            let length = text[..<end.lowerBound].split(separator: "\r\n")
                                .first { $0.lowercased().hasPrefix("content-length:") }
                                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                            if text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound.samePosition(in: text.utf8) ?? text.utf8.endIndex) + length <= received.count { break }
                        }
                        let count = recv(client, &buffer, buffer.count, 0)
                        if count <= 0 { break }
                        received += buffer[0..<count]
                    }
                    requests.update { $0.append(String(decoding: received, as: UTF8.self)) }
                    let reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    close(client)
                }
            }
        }

        deinit {
            shutdown(descriptor, Int32(SHUT_RDWR))
            close(descriptor)
        }

        /// The body of a request (after the blank line).
        static func body(_ request: String) -> String {
            request.range(of: "\r\n\r\n").map { String(request[$0.upperBound...]) } ?? ""
        }
    }

    private static let event = AlertEvent(kind: .down, tunnels: [
        AlertEvent.Tunnel(
            name: "web", state: .backoff, previousState: .up, cause: "server unreachable (vps:22: connection refused)",
            hint: "is the server up?", downSeconds: 42, server: "tunnel@vps", remote: "vps:8080", publicEndpoint: "vps:8080"),
    ], command: [])

    private static func run(_ recipe: String, _ arguments: [String], environment: [String: String] = [:]) async -> (HookProcess.Outcome, AlertMessage) {
        let message = AlertMessage(event: event, host: "pi", time: 1_790_000_000)
        let outcome = await HookProcess.run(
            command: ["\(directory)/\(recipe)"] + arguments, environment: message.environment.merging(environment) { $1 },
            input: message.json, timeout: .seconds(20))
        return (outcome, message)
    }

    @Test("every recipe is valid sh, executable, and passes shellcheck")
    func validShell() throws {
        let shellcheck = try #require(SpawnLauncher.resolve(program: "shellcheck"), "shellcheck not found: run scripts/install-deps")
        for recipe in Self.recipes {
            let path = "\(Self.directory)/\(recipe)"
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(path)")
            let syntax = try runProgram("/bin/sh", ["-n", path])
            #expect(syntax.status == 0, "\(recipe): \(syntax.output)")
            let lint = try runProgram(shellcheck, ["-s", "sh", path])
            #expect(lint.status == 0, "\(recipe): \(lint.output)")
        }
    }

    @Test("the webhook recipe POSTs the event's JSON as it came on stdin")
    func webhook() async throws {
        let server = try CapturingHTTPServer()
        let (outcome, message) = await Self.run("webhook", ["http://127.0.0.1:\(server.port)/tunnel-tui"])
        #expect(outcome.succeeded, "\(outcome.description) \(outcome.lines)")
        let request = try #require(server.requests.value.first)
        #expect(request.hasPrefix("POST /tunnel-tui HTTP/1.1"), "\(request)")
        #expect(request.contains("Content-Type: application/json"))
        #expect(CapturingHTTPServer.body(request) == String(decoding: message.json, as: UTF8.self))
    }

    @Test("the ntfy recipe posts the message with a title and a priority")
    func ntfy() async throws {
        let server = try CapturingHTTPServer()
        let (outcome, message) = await Self.run("ntfy", ["http://127.0.0.1:\(server.port)/my-topic"])
        #expect(outcome.succeeded, "\(outcome.description) \(outcome.lines)")
        let request = try #require(server.requests.value.first)
        #expect(request.hasPrefix("POST /my-topic HTTP/1.1"), "\(request)")
        #expect(request.contains("Title: tunnel-tui: down web\r\n"))
        #expect(request.contains("Priority: high\r\n"))
        #expect(CapturingHTTPServer.body(request) == message.environment["TUNNEL_MESSAGE"])
    }

    @Test("the Telegram recipe sends the chat and the text to the bot API, with the token off the command line")
    func telegram() async throws {
        let server = try CapturingHTTPServer()
        let temporary = try TemporaryDirectory()
        let conf = "\(temporary.path)/telegram.conf"
        try "TELEGRAM_TOKEN=123456:ABC-def\nTELEGRAM_CHAT_ID=42\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let (outcome, _) = await Self.run("telegram", [conf], environment: ["TELEGRAM_API": "http://127.0.0.1:\(server.port)"])
        #expect(outcome.succeeded, "\(outcome.description) \(outcome.lines)")
        let request = try #require(server.requests.value.first)
        #expect(request.hasPrefix("POST /bot123456:ABC-def/sendMessage HTTP/1.1"), "\(request)")
        let body = CapturingHTTPServer.body(request)
        #expect(body.contains("chat_id=42"))
        #expect(body.contains("text=web+on+pi+is+down+for+42+s%3A+server+unreachable"), "\(body)")
        let missing = await Self.run("telegram", ["\(temporary.path)/none.conf"])
        #expect(!missing.0.succeeded)
    }

    @Test("the email recipe hands mail a subject, the address and the event")
    func email() async throws {
        let temporary = try TemporaryDirectory()
        let captured = "\(temporary.path)/mail.txt"
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"\(captured)\"\ncat >> \"\(captured)\"\n"
            .write(toFile: "\(temporary.path)/mail", atomically: true, encoding: .utf8)
        chmod("\(temporary.path)/mail", 0o755)
        let path = "\(temporary.path):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let (outcome, _) = await Self.run("email", ["me@example.com"], environment: ["PATH": path])
        #expect(outcome.succeeded, "\(outcome.description) \(outcome.lines)")
        let mail = try String(contentsOfFile: captured, encoding: .utf8)
        #expect(mail.hasPrefix("-s\ntunnel-tui: down web on pi\n--\nme@example.com\n"), "\(mail)")
        #expect(mail.contains("web on pi is down for 42 s: server unreachable"))
        #expect(mail.contains("\"event\":\"down\""))
    }
}
