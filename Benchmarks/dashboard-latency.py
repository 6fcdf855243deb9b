#!/usr/bin/env python3
"""Dashboard under load: key-to-screen latency and CPU with 200 tunnels while 20 of them flood their logs.

Runs the real binary in tmux (120x40). ssh is replaced by two scripts in this folder (per-tunnel `ssh` key):
180 tunnels report their forward and idle, 20 print ~500 lines/s each (~10,000 lines/s in all). The figure is
the time from `tmux send-keys j` to the selection marker moving in `tmux capture-pane`; the cost of one
capture-pane with no change is printed alongside, since it is included in every sample.

Usage: Benchmarks/dashboard-latency.py [path/to/tunnel-tui]   (default .build/release/tunnel-tui)
"""
import os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", ".build/release/tunnel-tui"))
socket = f"tunnel-tui-bench-{os.getpid()}"
tunnels, flooders = 200, 20


def tmux(*args, capture=False):
    result = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    return result.stdout if capture else None


def screen():
    return tmux("capture-pane", "-p", "-t", "bench", capture=True)


def selected_row(text):
    for index, line in enumerate(text.splitlines()):
        if line.startswith("▶"):
            return index, line
    return None, None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


with tempfile.TemporaryDirectory() as directory:
    config = os.path.join(directory, "bench.toml")
    with open(config, "w") as file:
        # The fake ssh programs stand for one ssh per tunnel: they do not speak the shared connection's mux protocol.
        file.write('[defaults]\nserver = "bench@vps.invalid"\nprobe = "none"\nshare_connection = false\n')
        for index in range(tunnels):
            program = "fake-ssh-flood" if index < flooders else "fake-ssh-quiet"
            file.write(f'\n[[tunnel]]\nname = "t{index:03d}"\nremote = {20000 + index}\nlocal = "localhost:{30000 + index}"\n'
                       f'ssh = "{os.path.join(here, program)}"\n')
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench", "-x", "120", "-y", "40",
                    f"LANG=C.UTF-8 {binary} --config {config}"], check=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and f"{tunnels} up" not in screen():
            time.sleep(0.2)
        if f"{tunnels} up" not in screen():
            sys.exit("tunnels did not come up:\n" + screen())
        pid = int(subprocess.run(["pgrep", "-f", f"^{binary} --config {config}"], capture_output=True, text=True).stdout.split()[0])
        time.sleep(2)
        cpu_start, wall_start = cpu_seconds(pid), time.time()
        time.sleep(10)
        flood_cpu = (cpu_seconds(pid) - cpu_start) / (time.time() - wall_start) * 100

        overhead = []
        for _ in range(20):
            start = time.perf_counter()
            screen()
            overhead.append((time.perf_counter() - start) * 1000)

        samples = []
        for press in range(40):
            before, _ = selected_row(screen())
            key = "j" if press % 10 < 5 else "k"
            start = time.perf_counter()
            tmux("send-keys", "-t", "bench", key)
            while True:
                row, _ = selected_row(screen())
                if row is not None and row != before:
                    samples.append((time.perf_counter() - start) * 1000)
                    break
                if time.perf_counter() - start > 2:
                    samples.append(2000.0)
                    break
            time.sleep(0.05)
        samples.sort()
        print(f"dashboard, {tunnels} tunnels, {flooders} flooding (~{flooders * 500} log lines/s), 120x40:")
        print(f"  key to screen: p50 {statistics.median(samples):.1f} ms, p95 {samples[int(len(samples) * 0.95) - 1]:.1f} ms, "
              f"max {samples[-1]:.1f} ms over {len(samples)} presses (target ~50 ms)")
        print(f"  of which one tmux capture-pane costs: median {statistics.median(overhead):.1f} ms")
        print(f"  dashboard CPU during the flood: {flood_cpu:.1f}% of one core")
        tmux("send-keys", "-t", "bench", "q")
        time.sleep(0.5)
        tmux("send-keys", "-t", "bench", "y")
        deadline = time.time() + 20
        while time.time() < deadline and subprocess.run(["pgrep", "-f", f"^{binary} --config {config}"], capture_output=True).returncode == 0:
            time.sleep(0.2)
    finally:
        tmux("kill-server")
    left = subprocess.run(["pgrep", "-f", os.path.join(here, "fake-ssh-")], capture_output=True, text=True).stdout.split()
    print(f"  fake ssh children left after quit: {len(left)}")
