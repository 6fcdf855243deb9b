import Logging

/// The tunnels' effects carried out: their own ssh children, retry timers, probe loops and reclaim requests;
/// a tunnel on a shared connection has its spawn and terminate turned into requests to that connection.
extension TunnelManager {
    /// `onTimer`: the effects answer the tunnel's retry timer (a shared connection then keeps its gap).
    func apply(_ effects: [SupervisorEffect], to name: String, onTimer: Bool) {
        for effect in effects {
            switch effect {
            case .spawn(let generation):
                if let label = runtimes[name]?.connection {
                    deliver(.forwardWanted(tunnel: name, generation: generation, onTimer: onTimer), toConnection: label)
                } else {
                    launchChild(of: name, generation: generation)
                }
            case .terminate(let generation):
                if let label = runtimes[name]?.connection {
                    let supervisor = runtimes[name]?.supervisor
                    if case .publicProbeFailed? = supervisor?.cause, supervisor?.state == .unreachable {
                        deliver(.forwardProbeFailed(tunnel: name, generation: generation), toConnection: label)
                    } else {
                        deliver(.forwardReleased(tunnel: name, generation: generation), toConnection: label)
                    }
                } else if let child = runtimes[name]?.child, child.generation == generation {
                    child.task.cancel()
                }
            case .scheduleRetry(let token, let deadline):
                runtimes[name]?.retryTask?.cancel()
                runtimes[name]?.retryTask = Task { [clock] in
                    do {
                        try await clock.sleep(until: deadline)
                    } catch {
                        return
                    }
                    self.deliver(.retryDue(token: token), to: name)
                }
            case .startProbing(let generation):
                guard let tunnel = runtimes[name]?.supervisor.config else { continue }
                let group = order.firstIndex(of: name) ?? 0
                runtimes[name]?.probeTask?.cancel()
                runtimes[name]?.probeTask = Task { [prober, clock] in
                    let serverHost = tunnel.publicFollowsServer ? await self.serverHost(of: tunnel) : nil
                    await ProbeLoop.run(tunnel: tunnel, group: group, prober: prober, clock: clock, serverHost: serverHost) { outcome in
                        await self.deliver(.probeCompleted(generation: generation, outcome: outcome), to: name)
                    }
                }
            case .stopProbing:
                runtimes[name]?.probeTask?.cancel()
                runtimes[name]?.probeTask = nil
            case .armKeepalive(let generation):
                // On a shared connection the pid is the master's: arming it again for each forward is harmless.
                guard let tunnel = runtimes[name]?.supervisor.config, let pid = runtimes[name]?.supervisor.pid else { continue }
                // Off the actor: it reads the process's descriptors and the kernel's TCP table.
                Task.detached {
                    let port = await self.serverEndpoint(of: tunnel).port
                    do throws(KernelKeepaliveError) {
                        _ = try KernelKeepalive(timeout: tunnel.tcpTimeout).arm(pid: pid, serverPort: port)
                    } catch {
                        await self.keepaliveFailed(error, name: name, generation: generation)
                    }
                }
            case .log(let text):
                appendLog(text, origin: .supervisor, to: name)
            case .reclaim(let port, let token):
                guard let tunnel = runtimes[name]?.supervisor.config else { continue }
                let shared = runtimes[name]?.connection.flatMap { connectionTable.runtimes[$0] }
                let controlPath = shared?.supervisor.state == .up ? shared?.controlPath : nil
                Task { [launcher, clock] in
                    let (reclaimed, detail) = await PortReclaimer.reclaim(tunnel, port: port, through: controlPath, launcher: launcher, clock: clock)
                    self.deliver(.reclaimFinished(token: token, reclaimed: reclaimed, detail: detail), to: name)
                }
            }
        }
    }

    /// Runs `body` as a tracked child task: shutdown cancels it and waits for it (and so for its process).
    func track(_ body: @escaping @Sendable (_ id: Int) async -> Void) -> Task<Void, Never> {
        let id = nextChildID
        nextChildID += 1
        let task = Task { await body(id) }
        runningChildren[id] = task
        return task
    }

    func untrack(_ id: Int) {
        runningChildren[id] = nil
    }

    private func launchChild(of name: String, generation: Int) {
        guard !shuttingDown, let tunnel = runtimes[name]?.supervisor.config else { return }
        let arguments = SSHCommand.arguments(for: tunnel)
        let task = track { [launcher] id in
            // ssh -v prints eight debug lines per forwarded connection (every probe); the launcher drops the
            // ones that neither tell the story nor reveal a cause, before they cost a hop into the actor.
            let exit = await launcher.run(program: tunnel.sshProgram, arguments: arguments, skipping: SSHOutputFilter.isNoise) { output in
                await self.childReported(output, name: name, generation: generation)
            }
            await self.childEnded(name: name, generation: generation, exit: exit, id: id)
        }
        runtimes[name]?.child = (generation, task)
    }

    private func childReported(_ output: ChildOutput, name: String, generation: Int) {
        switch output {
        case .started(let pid):
            deliver(.childStarted(generation: generation, pid: pid), to: name)
        case .line(let raw):
            let line = TerminalText.sanitize(raw)
            if SSHOutputFilter.isWorthLogging(line) {
                appendLog(line, origin: .ssh, to: name)
            }
            deliver(.childOutput(generation: generation, line: line), to: name)
        }
    }

    private func childEnded(name: String, generation: Int, exit: ChildExit, id: Int) {
        untrack(id)
        if runtimes[name]?.child?.generation == generation {
            runtimes[name]?.child = nil
        }
        deliver(.childExited(generation: generation, exit: exit), to: name)
    }

    /// Arming failed: said once in the tunnel's log (the tunnel runs on, watched by ssh and the probes).
    private func keepaliveFailed(_ error: KernelKeepaliveError, name: String, generation: Int) {
        guard runtimes[name]?.supervisor.generation == generation, runtimes[name]?.supervisor.childAlive == true else { return }
        appendLog("\(error)", origin: .supervisor, to: name)
    }
}
