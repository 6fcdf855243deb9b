import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The shared connections: which tunnels ride on which, and the master and mux-client processes.
extension TunnelManager {
    /// Tunnels riding on connection `label`, in config order.
    func members(of label: String) -> [String] {
        order.filter { runtimes[$0]?.connection == label }
    }

    /// The tunnels a line of the master's output concerns: a forwarded connection that could not reach its
    /// local side ("connect_to HOST port P: failed") belongs to the tunnels whose `local` is HOST:P, not to
    /// every tunnel of the connection; anything else (the connection's own story) goes to all of them.
    func recipients(of line: String, onConnection label: String) -> [String] {
        let everyone = members(of: label)
        guard case .localServiceDown(let target)? = CauseClassifier.classify(line: line) else { return everyone }
        let owners = everyone.filter { runtimes[$0]?.supervisor.config.local.description.lowercased() == target }
        return owners.isEmpty ? everyone : owners
    }

    func deliver(_ event: ConnectionEvent, toConnection label: String) {
        guard !shuttingDown, var connection = connectionTable.runtimes[label] else { return }
        let before = (connection.supervisor.state, connection.supervisor.pid, connection.supervisor.forwardCount)
        let effects = connection.supervisor.handle(event, now: clock.now())
        connectionTable.runtimes[label] = connection
        for effect in effects {
            switch effect {
            case .spawnMaster(let generation):
                launchMaster(of: label, generation: generation)
            case .terminateMaster(let generation):
                if let master = connectionTable.runtimes[label]?.master, master.generation == generation { master.task.cancel() }
            case .requestForward(let tunnel, let generation):
                runForwardClient(label, tunnel: tunnel, generation: generation, cancel: false)
            case .cancelForward(let tunnel, let generation):
                runForwardClient(label, tunnel: tunnel, generation: generation, cancel: true)
            case .scheduleRetry(let token, let deadline):
                connectionTable.runtimes[label]?.retryTask?.cancel()
                connectionTable.runtimes[label]?.retryTask = Task { [clock] in
                    do {
                        try await clock.sleep(until: deadline)
                    } catch {
                        return
                    }
                    self.deliver(.retryDue(token: token), toConnection: label)
                }
            case .tunnel(let name, let tunnelEvent):
                if runtimes[name]?.connection == label { deliver(tunnelEvent, to: name) }
            case .wakeWaitingTunnels:
                let wanting = connectionTable.runtimes[label]?.supervisor.wanted ?? [:]
                for name in members(of: label) where wanting[name] == nil { deliver(.connectionReady, to: name) }
            case .log(let text):
                logger.notice("\(text)")
                for name in members(of: label) { appendLog(text, origin: .supervisor, to: name) }
            }
        }
        // Every tunnel shows its connection's state, pid and forwards: tell them when those change.
        if let after = connectionTable.runtimes[label]?.supervisor, (after.state, after.pid, after.forwardCount) != before {
            for name in members(of: label) { notify(name, .status) }
        }
    }

    /// Ends the master of `label` when every tunnel of it is stopped.
    func stopConnectionIfUnused(_ label: String) {
        guard members(of: label).allSatisfy({ runtimes[$0]?.supervisor.state == .stopped }) else { return }
        deliver(.membersStopped, toConnection: label)
    }

    /// After a reload: connections no tunnel rides on any more are closed and forgotten once idle.
    func closeUnusedConnections() {
        for (label, connection) in connectionTable.runtimes where members(of: label).isEmpty {
            if connection.supervisor.state == .idle {
                connection.retryTask?.cancel()
                connectionTable.remove(label)
            } else {
                deliver(.membersStopped, toConnection: label)
            }
        }
    }

    private func launchMaster(of label: String, generation: Int) {
        guard !stopping, let connection = connectionTable.runtimes[label] else { return }
        let key = connection.supervisor.key
        let ports = members(of: label).compactMap { runtimes[$0]?.supervisor.config.remote.port }
        let arguments = MultiplexCommand.masterArguments(for: key, controlPath: connection.controlPath, holdPorts: ports)
        // A master killed hard leaves its socket behind, and ssh would then run without one ("already
        // exists, disabling multiplexing"): the directory is ours alone, so clear the path first.
        unlink(connection.controlPath)
        let task = track { [launcher] id in
            // The master's readiness ("Entering interactive session") is a debug line like the noise.
            let skipping: @Sendable (String) -> Bool = { SSHOutputFilter.isNoise($0) && !$0.hasPrefix("debug1: Entering interactive session") }
            let exit = await launcher.run(program: key.sshProgram, arguments: arguments, skipping: skipping) { output in
                await self.masterReported(output, label: label, generation: generation)
            }
            await self.masterEnded(label: label, generation: generation, exit: exit, id: id)
        }
        connectionTable.runtimes[label]?.master = (generation, task)
    }

    private func masterReported(_ output: ChildOutput, label: String, generation: Int) {
        switch output {
        case .started(let pid):
            deliver(.masterStarted(generation: generation, pid: pid), toConnection: label)
        case .line(let raw):
            let line = TerminalText.sanitize(raw)
            if SSHOutputFilter.isWorthLogging(line), !line.hasPrefix("mux_") {
                for name in recipients(of: line, onConnection: label) { appendLog(line, origin: .ssh, to: name) }
            }
            deliver(.masterOutput(generation: generation, line: line), toConnection: label)
        }
    }

    private func masterEnded(label: String, generation: Int, exit: ChildExit, id: Int) {
        untrack(id)
        if connectionTable.runtimes[label]?.master?.generation == generation { connectionTable.runtimes[label]?.master = nil }
        deliver(.masterExited(generation: generation, exit: exit), toConnection: label)
    }

    /// A short-lived mux client (`ssh -O forward|cancel -R ...`), reaped by the launcher like any child.
    private func runForwardClient(_ label: String, tunnel name: String, generation: Int, cancel: Bool) {
        guard !stopping, let connection = connectionTable.runtimes[label], let tunnel = runtimes[name]?.supervisor.config else { return }
        let arguments = MultiplexCommand.forwardArguments(for: tunnel, controlPath: connection.controlPath, cancel: cancel)
        _ = track { [launcher] id in
            let lines = SharedValue<[String]>([])
            let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments) { output in
                if case .line(let line) = output { lines.update { $0.append(TerminalText.sanitize(line)) } }
            }
            await self.forwardClientEnded(label, tunnel: name, generation: generation, cancel: cancel, exit: exit, lines: lines.value, id: id)
        }
    }

    private func forwardClientEnded(_ label: String, tunnel name: String, generation: Int, cancel: Bool, exit: ChildExit, lines: [String], id: Int) {
        untrack(id)
        if cancel {
            deliver(.cancelFinished(tunnel: name, generation: generation), toConnection: label)
            return
        }
        if exit != .exited(0) {
            for line in lines where !line.isEmpty { appendLog(line, origin: .ssh, to: name) }
        }
        deliver(.forwardRequestFinished(tunnel: name, generation: generation, exit: exit, lines: lines), toConnection: label)
    }
}
