// How a retainer path reads (CLI and report): root first, each holder with the edge it holds the next by; long
// paths keep their root and their last steps (the holder nearest the growing objects says most).
import type { RetainerStep } from './schema.js';

export function retainerText(steps: RetainerStep[], keepLast = 6): string {
  const text = (r: RetainerStep) => `${r.holder}.${r.edge}`;
  if (steps.length <= keepLast + 1) return steps.map(text).join(' → ');
  return [text(steps[0]!), '…', ...steps.slice(-keepLast).map(text)].join(' → ');
}
