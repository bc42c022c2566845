/**
 * The report's inline style sheet: light and dark themes (the system's by `prefers-color-scheme`,
 * overridden by `data-theme` on <html> from the toggle), a single column on phones, and a print
 * layout without navigation, toggles or dark backgrounds.
 */
export const REPORT_CSS = `
:root{--bg:#ffffff;--fg:#1b1f24;--muted:#5a6370;--card:#f6f8fa;--border:#d7dde3;--accent:#0b63c5;
--good:#1a7f37;--fair:#9a6700;--poor:#c4510b;--critical:#cf222e;--bar:#4f8fdc;--bar2:#9cc2ef;color-scheme:light}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#0f1318;--fg:#e6edf3;--muted:#9aa6b2;
--card:#161b22;--border:#30363d;--accent:#58a6ff;--good:#3fb950;--fair:#d29922;--poor:#f0883e;--critical:#f85149;
--bar:#3b82d6;--bar2:#1f4f86;color-scheme:dark}}
:root[data-theme=dark]{--bg:#0f1318;--fg:#e6edf3;--muted:#9aa6b2;--card:#161b22;--border:#30363d;--accent:#58a6ff;
--good:#3fb950;--fair:#d29922;--poor:#f0883e;--critical:#f85149;--bar:#3b82d6;--bar2:#1f4f86;color-scheme:dark}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header.top{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--border);
display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem}
header.top h1{font-size:1.1rem;margin:0;flex:1 1 auto;overflow-wrap:anywhere}
nav.sections{display:flex;flex-wrap:wrap;gap:.25rem .75rem;font-size:.85rem}
nav.sections a{color:var(--accent);text-decoration:none}
button{font:inherit;font-size:.85rem;color:var(--fg);background:var(--card);border:1px solid var(--border);
border-radius:6px;padding:.2rem .6rem;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:1rem}
section{margin:0 0 1.5rem;padding:1rem;background:var(--card);border:1px solid var(--border);border-radius:10px}
section h2{margin:0 0 .75rem;font-size:1.15rem}
h3{font-size:1rem;margin:1rem 0 .5rem}
.na{color:var(--muted);font-style:italic}
.muted{color:var(--muted)}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.5rem 1rem;margin:0 0 .75rem}
.fact{min-width:0}.fact .k{display:block;color:var(--muted);font-size:.8rem}.fact .v{font-weight:600;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.25rem 0 .75rem}
table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--border);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{overflow-wrap:anywhere;max-width:28rem}
code{font:.82rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.filter{display:flex;gap:.4rem;align-items:flex-start}
.filter code{background:var(--bg);border:1px solid var(--border);border-radius:4px;padding:.1rem .3rem}
.health{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.gauge{width:140px;height:140px;flex:0 0 auto}
.grade-good{color:var(--good)}.grade-fair{color:var(--fair)}.grade-poor{color:var(--poor)}.grade-critical{color:var(--critical)}
.deduct{font-weight:600;white-space:nowrap}
.chart{width:100%;height:auto;display:block}
.chart text{fill:var(--muted);font-size:11px;font-family:inherit}
.chart .axis{stroke:var(--border)}
.chart .area{fill:var(--bar);opacity:.85}
.chart .line{fill:none;stroke:var(--accent);stroke-width:1.5}
.bar{display:inline-block;height:.6rem;background:var(--bar);border-radius:2px;vertical-align:middle}
.indent{display:inline-block}
details>summary{cursor:pointer;color:var(--accent)}
.sev-critical,.sev-high{color:var(--critical);font-weight:600}.sev-medium{color:var(--poor);font-weight:600}
.sev-low{color:var(--fair)}.sev-info{color:var(--muted)}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:1rem}
@media (max-width:600px){body{font-size:14px}main{padding:.5rem}section{padding:.75rem;border-radius:8px}
.facts{grid-template-columns:repeat(2,minmax(0,1fr))}header.top{position:static}th,td{padding:.25rem .35rem}}
@media print{:root,:root[data-theme=dark]{--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--border:#bbb;--accent:#000;
--bar:#777;--bar2:#bbb;color-scheme:light}header.top{position:static}nav.sections,.no-print,button{display:none!important}
body{font-size:11pt}main{max-width:none;padding:0}section{break-inside:avoid-page;border:none;padding:0 0 .5rem;margin:0 0 1rem}
.table-wrap{overflow:visible}table{page-break-inside:auto}tr{break-inside:avoid}thead{display:table-header-group}
a{color:inherit;text-decoration:none}}
`;
