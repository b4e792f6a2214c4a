// Messages a cell process sends its parent over IPC.
import type { BuildInfo } from '@leakbench/core';

export type CellMessage =
  | { type: 'start'; build: BuildInfo; pid: number }
  | { type: 'done'; samples: number }
  | { type: 'error'; message: string };
