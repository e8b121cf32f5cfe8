/// The report page's stylesheet (inline; no external font or file).
enum HTMLReportStyle {
    static let source = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #2a5db0; --ok: #1e7b34; --no: #8a8f99; --warn: #b35c00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
header, main > section { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
section { background: #ffffff; border-top: 1px solid var(--line); }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.notes li { color: var(--warn); }
.controls { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: end; margin-bottom: 10px; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.controls select { font: inherit; padding: 3px 4px; min-width: 140px; max-width: 320px; }
.controls .check { flex-direction: row; align-items: center; gap: 6px; }
#heatmap { display: block; cursor: crosshair; }
#heatmap-message { padding: 24px; color: var(--muted); }
.figure-notes { color: var(--muted); font-size: 12px; margin: 4px 0; }
#image-caption { font-style: italic; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; background: #ffffff; border: 1px solid #9aa3b2; border-radius: 6px;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.18); padding: 8px; font-size: 12px; max-width: 420px; }
#tooltip .tip-pair { display: flex; gap: 10px; }
#tooltip .tip-item { width: 190px; overflow-wrap: anywhere; }
#tooltip img { width: 96px; height: auto; display: block; border: 1px solid var(--line); image-rendering: auto; }
#tooltip .tip-head { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; margin-bottom: 2px; }
#tooltip .tip-label { font-weight: 600; margin-top: 2px; }
#tooltip .tip-params { color: var(--muted); }
#tooltip .tip-text { font-style: italic; }
#tip-value { font-size: 16px; font-weight: 700; margin-top: 6px; }
#tip-detail, #tip-cell { color: var(--muted); }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
.plot { margin: 0; }
.plot svg { max-width: 100%; height: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict-yes { color: var(--ok); font-weight: 600; }
.verdict-no { color: var(--no); }
.verdict-artefact { color: var(--warn); font-weight: 600; }
.hash { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; overflow-wrap: anywhere; }
pre { background: #f3f4f7; padding: 8px; overflow: auto; max-height: 300px; font-size: 12px; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
dl.provenance dt { color: var(--muted); }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
img.source { width: 64px; height: auto; }
details summary { cursor: pointer; color: var(--accent); margin: 8px 0; }
[hidden] { display: none !important; }
"""
}
