// HTML building blocks: escaping (every label that comes from data goes through esc) and the page shell.
export { formatBytes } from '@leakbench/core';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{padding:12px 24px;background:#14213d;color:#fff}header a{color:#fca311}
main{padding:16px 24px;max-width:1280px}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:24px 0 8px}h3{font-size:15px;margin:16px 0 4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600}
.leak{background:#ffd8d8;color:#8a1111}.no-leak{background:#d8f5dc;color:#0f5b1d}.inconclusive{background:#fff3c4;color:#6b5200}
.status-bad{background:#8a1111;color:#fff}.status-ok{background:#d8f5dc;color:#0f5b1d}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;align-items:start}
.row-title{grid-column:1/3;margin-top:10px;font-weight:600}.caption{font-weight:400;color:#57606a;margin-left:8px}
figure{margin:0}svg{max-width:100%;height:auto}.note{color:#57606a}
code{background:#f6f8fa;padding:0 3px}
`;

export function page(title: string, body: string, root: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} — leakbench</title><style>${CSS}</style></head>
<body><header><h1><a href="${esc(root)}index.html">leakbench</a> · ${esc(title)}</h1></header>
<main>
${body}
</main></body></html>
`;
}

export function badge(decision: string | null | undefined): string {
  if (!decision) return '<span class="badge inconclusive">no verdict</span>';
  return `<span class="badge ${esc(decision)}">${esc(decision)}</span>`;
}

export function statusBadge(status: string): string {
  return `<span class="badge ${status === 'ok' ? 'status-ok' : 'status-bad'}">${esc(status)}</span>`;
}

export function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A time ratio as "1.53 [1.50–1.56]" (its interval), or a dash. */
export function ratioText(r: { ratio: number; ciLow: number; ciHigh: number } | null | undefined): string {
  return r ? `${r.ratio.toFixed(2)} [${r.ciLow.toFixed(2)}–${r.ciHigh.toFixed(2)}]` : '—';
}
