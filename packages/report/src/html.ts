/**
 * The self-contained report page: plots inlined as SVG, a sortable table with a
 * few lines of inline script, no network access needed to view it.
 */
import { COLUMNS, formatCell, type ReportRow } from './table';
import type { TargetVerdict } from './verdict';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface ReportSection {
  title: string;
  /** Inline SVG figures with captions. */
  figures: Array<{ caption: string; svg: string }>;
}

const STYLE = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; cursor: pointer; user-select: none; }
td.text { text-align: left; }
td.text:last-child { white-space: normal; min-width: 24em; font-size: 11px; color: #444; }
tr.flagged td { background: #fff4e5; }
tr.reference td:first-child { font-weight: bold; }
.verdict ul { margin: 4px 0 12px; font-size: 14px; }
.flag { color: #a34a00; }
figure { display: inline-block; margin: 8px; vertical-align: top; }
figcaption { font-size: 12px; color: #555; }
.note { color: #555; font-size: 13px; max-width: 60em; }
`;

// Sorts by the cell's data-v attribute (numbers numerically, NA last).
const SORT_SCRIPT = `
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'); var body = table.tBodies[0];
    var asc = th.getAttribute('data-dir') !== 'asc';
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('data-dir'); });
    th.setAttribute('data-dir', asc ? 'asc' : 'desc');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (x === 'NA') - (y === 'NA');
      if (r) return r;
      if (!isNaN(nx) && !isNaN(ny)) return asc ? nx - ny : ny - nx;
      return asc ? String(x).localeCompare(y) : String(y).localeCompare(x);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
`;

export function renderTable(rows: ReportRow[]): string {
  const head = COLUMNS.map((c) => `<th title="click to sort">${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = COLUMNS.map((c) => {
        const raw = row[c.key];
        const v = raw === null ? 'NA' : Array.isArray(raw) ? raw.join('; ') : String(raw);
        const text = formatCell(row, c);
        const cls = typeof raw === 'number' || raw === null ? '' : ' class="text"';
        const inner = c.key === 'flags' && row.flags.length > 0 ? `<span class="flag">${escapeHtml(text)}</span>` : escapeHtml(text);
        return `<td${cls} data-v="${escapeHtml(v)}">${inner}</td>`;
      }).join('');
      const classes = [row.flags.length > 0 ? 'flagged' : '', row.isReference ? 'reference' : ''].filter(Boolean).join(' ');
      return `<tr id="run-${escapeHtml(row.id)}"${classes ? ` class="${classes}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function renderVerdicts(verdicts: TargetVerdict[]): string {
  if (verdicts.length === 0) return '';
  const one = (v: TargetVerdict) =>
    `<div class="verdict" id="verdict-${escapeHtml(v.target)}"><h3>Target '${escapeHtml(v.target)}'</h3>\n<ul>` +
    v.lines.map((l) => `<li${/^(Disagrees|Reference unusable|No reference)/.test(l) ? ' class="flag"' : ''}>${escapeHtml(l)}</li>`).join('') +
    '</ul></div>';
  return `<h2>Verdict</h2>\n${verdicts.map(one).join('\n')}`;
}

export function renderReport(opts: {
  title: string;
  rows: ReportRow[];
  verdicts: TargetVerdict[];
  overview: ReportSection[];
  sections: ReportSection[];
  notes: string[];
}): string {
  const section = (s: ReportSection, level: 'h2' | 'h3') =>
    `<${level}>${escapeHtml(s.title)}</${level}>\n` +
    s.figures.map((f) => `<figure>${f.svg}<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title>
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(opts.title)}</h1>
${renderVerdicts(opts.verdicts)}
${opts.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
<h2>All runs</h2>
${renderTable(opts.rows)}
${opts.overview.map((s) => section(s, 'h2')).join('\n')}
${opts.sections.map((s) => section(s, 'h2')).join('\n')}
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
