/**
 * The style sheet of the HTML report, inlined in the page (no external font or file: the page
 * works offline and its Content-Security-Policy allows nothing else). System fonts only.
 *
 * @packageDocumentation
 */

/** The report's CSS. Its hash goes into the page's Content-Security-Policy. */
export const PAGE_STYLE = `
:root { --red: #c62828; --amber: #b26a00; --ink: #1d2125; --dim: #5f6b76; --line: #d9dee3; --sel: #e3f0ff; --bg: #fbfcfd; }
* { box-sizing: border-box; }
html { color: var(--ink); background: var(--bg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { margin: 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
header { padding: 12px 20px 8px; border-bottom: 1px solid var(--line); background: #fff; }
h1 { font-size: 18px; margin: 0 0 6px; }
h1 small { font-weight: normal; color: var(--dim); }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 0 0 6px; overflow-wrap: anywhere; }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; font-size: 13px; }
dl.facts dt { color: var(--dim); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(320px, 40%); gap: 16px; padding: 16px 20px; align-items: start; }
@media (max-width: 1000px) { .layout { grid-template-columns: minmax(0, 1fr); } }
section, aside { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin-bottom: 16px; min-width: 0; }
aside { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
ul.verdicts { list-style: none; margin: 0; padding: 0; }
ul.verdicts > li { padding: 5px 8px; border-left: 4px solid var(--amber); margin-bottom: 4px; background: #fffaf0; overflow-wrap: anywhere; }
ul.verdicts > li.folded { border-left-color: var(--line); background: none; }
ul.verdicts > li.folded summary { cursor: pointer; color: var(--dim); }
ul.verdicts > li.severe { border-left-color: var(--red); background: #fff4f4; }
.kind { font-weight: 600; margin-right: 6px; }
ul.verdicts > li.severe > .kind { color: var(--red); }
ul.verdicts > li > .kind { color: var(--amber); }
.refs { display: block; margin-top: 2px; }
button.ref { font: inherit; font-size: 12.5px; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: 0 6px; margin: 1px 2px 1px 0; cursor: pointer; color: #0b57d0; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
button.ref:hover { background: var(--sel); }
.more { color: var(--dim); font-size: 12.5px; }
.note { color: var(--dim); margin: 0 0 8px; }
.tools { margin-bottom: 6px; }
.tools button, .controls select, .controls input { font: inherit; }
#svgbox { overflow: auto; max-height: 70vh; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
#svgbox svg { display: block; height: auto; }
#svgbox g.node { cursor: pointer; }
#svgbox g.node.aw-stuck polygon, #svgbox g.node.aw-stuck ellipse, #svgbox g.node.aw-stuck path { stroke: var(--amber); stroke-width: 2; }
#svgbox g.node.aw-cycle polygon, #svgbox g.node.aw-cycle ellipse, #svgbox g.node.aw-cycle path { stroke: var(--red); stroke-width: 2.5; }
#svgbox g.node.aw-chain polygon, #svgbox g.node.aw-chain ellipse, #svgbox g.node.aw-chain path { fill: #e3f0ff; }
#svgbox g.node.aw-sel polygon, #svgbox g.node.aw-sel ellipse, #svgbox g.node.aw-sel path { fill: #b9d7ff; stroke: #0b57d0; stroke-width: 3; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.controls input[type=search] { flex: 1 1 240px; padding: 4px 8px; border: 1px solid #b8c1ca; border-radius: 4px; }
#count { color: var(--dim); }
.list { border: 1px solid var(--line); border-radius: 4px; }
.row { display: grid; grid-template-columns: minmax(0, 2.2fr) minmax(0, 2.4fr) 90px minmax(0, 1.2fr); gap: 8px; align-items: center; height: 26px; padding: 0 8px; white-space: nowrap; }
.list.threads .row { grid-template-columns: minmax(0, 2fr) minmax(0, 2.2fr) 90px minmax(0, 1.1fr) minmax(0, 1.3fr); }
.row > span { overflow: hidden; text-overflow: ellipsis; }
.row.head { background: #f1f4f7; border-bottom: 1px solid var(--line); font-weight: 600; }
.row.head button { font: inherit; border: 0; background: none; padding: 0; cursor: pointer; text-align: left; color: inherit; }
.row.head button[aria-sort=ascending]::after { content: " \\25B2"; font-size: 10px; }
.row.head button[aria-sort=descending]::after { content: " \\25BC"; font-size: 10px; }
#viewport { height: 420px; overflow-y: auto; position: relative; }
#spacer { position: relative; }
#rows { position: absolute; left: 0; right: 0; top: 0; }
.row.item { cursor: pointer; border-bottom: 1px solid #f0f2f4; }
.row.item:hover { background: #f6f9fc; }
.row.item.sel { background: var(--sel); }
.row.item.cycle { box-shadow: inset 4px 0 var(--red); }
.row.item.stuck { box-shadow: inset 4px 0 var(--amber); }
.wait { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: 11.5px; border-radius: 3px; padding: 0 5px; margin-right: 4px; background: #eef1f4; color: var(--dim); }
.badge.red { background: #fde8e8; color: var(--red); }
.badge.amber { background: #fff1d6; color: var(--amber); }
.badge.thread { background: #e6edfb; color: #1d4ed8; }
pre.excerpt { margin: 4px 0; padding: 6px 0; background: #f6f8fa; border-radius: 4px; overflow-x: auto; }
pre.excerpt span { display: block; padding: 0 8px; white-space: pre; }
pre.excerpt span.hit { background: #fff1b8; }
pre.excerpt i { color: #8a96a3; font-style: normal; display: inline-block; min-width: 4ch; text-align: right; margin-right: 10px; user-select: none; }
ol.chain, ul.plain { margin: 0; padding-left: 18px; }
ol.chain li, ul.plain li { overflow-wrap: anywhere; }
ol.chain ol.chain { padding-left: 16px; }
.muted { color: var(--dim); }
footer { padding: 0 20px 20px; }
`;
