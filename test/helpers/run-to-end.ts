// A child process run to its end without blocking the event loop (several at once: two builds on two cores, or
// CLI cases that start no cell), its output collected; with `timeoutMs`, ended by SIGTERM after that long, as spawnSync's
// `timeout` does (status null).
import { spawn } from 'node:child_process';

export function runToEnd(command: string, args: readonly string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(command, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = o.timeoutMs === undefined ? null : setTimeout(() => p.kill('SIGTERM'), o.timeoutMs);
    p.on('close', (status) => {
      if (timer) clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}
