// A fixed number of workers draining a queue, stopped by SIGINT/SIGTERM: the signal is forwarded to whatever is
// running (so cells end as `interrupted` and keep their samples) and no new item starts.
export interface Interruptible {
  /** Stops the things running now (e.g. kills child processes). */
  onInterrupt: (signal: NodeJS.Signals) => void;
}

export async function runPool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>, stop: Interruptible): Promise<{ interrupted: boolean }> {
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = true;
    stop.onInterrupt(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const queue = [...items];
    const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined && !interrupted; item = queue.shift()) await work(item);
    });
    await Promise.all(workers);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { interrupted };
}
