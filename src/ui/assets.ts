/** The viewer's stylesheet and script, served from the Worker itself: no CDN, no fonts, no inline code (CSP). */

export const STYLES = `
:root { color-scheme: light dark; --bg: #fbfbfa; --fg: #1d1d1f; --muted: #6b6b70; --line: #e2e2e0; --card: #fff; --accent: #b4541f; --bad: #c0302b; --ok: #2f7d46; --code: #f3f3f1; }
@media (prefers-color-scheme: dark) { :root { --bg: #17171a; --fg: #e8e8ea; --muted: #9a9aa2; --line: #2e2e34; --card: #1f1f24; --accent: #e58a53; --bad: #ff6b63; --ok: #5cc47c; --code: #26262c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
header.top { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--card); }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top nav a[aria-current="page"] { font-weight: 600; text-decoration: none; color: var(--fg); }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.35rem; margin: .25rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
.bad { color: var(--bad); }
.ok { color: var(--ok); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.card .value { font-size: 1.4rem; font-weight: 600; }
.card .label { color: var(--muted); font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.subagent { background: var(--card); }
td.depth-1 { padding-left: 1.5rem; } td.depth-2 { padding-left: 2.5rem; } td.depth-3 { padding-left: 3.5rem; } td.depth-4 { padding-left: 4.5rem; }
.agent { color: var(--muted); font-size: .8rem; display: block; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0 1rem; }
.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
button { cursor: pointer; }
.ranges a { margin-right: .5rem; }
.ranges a[aria-current="true"] { font-weight: 700; color: var(--fg); text-decoration: none; }
.chart { width: 100%; height: auto; max-width: 100%; }
.chart text { font-size: 11px; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; }
.legend svg { vertical-align: middle; }
.pager { margin: 1rem 0; display: flex; gap: 1rem; }
.message { border: 1px solid var(--line); border-radius: 8px; background: var(--card); margin: .6rem 0; padding: .5rem .75rem; }
.message > .role { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin-bottom: .25rem; }
.message.user { border-left: 3px solid #4a7fd1; }
.message.assistant { border-left: 3px solid var(--accent); }
.message.system { border-left: 3px solid var(--muted); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: var(--code); padding: .5rem; border-radius: 6px; overflow: auto; max-height: 28rem; font-size: .8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.tool { border: 1px dashed var(--line); border-radius: 6px; padding: .4rem .6rem; margin: .4rem 0; }
.tool .name { font-family: ui-monospace, monospace; font-weight: 600; }
.tool .result { margin-top: .3rem; }
.tool .result.error { border-left: 3px solid var(--bad); padding-left: .4rem; }
details > summary { cursor: pointer; color: var(--muted); }
.thinking { font-style: italic; }
img.thumb { max-width: 240px; max-height: 180px; border: 1px solid var(--line); border-radius: 4px; display: block; margin: .3rem 0; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .9rem; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; overflow-wrap: anywhere; }
.bar { display: block; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 999px; border: 1px solid var(--line); }
.login { max-width: 22rem; margin: 4rem auto; }
.login input { width: 100%; margin: .5rem 0; }
.notice { padding: .5rem .75rem; border-radius: 6px; background: var(--code); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: var(--card); padding: .25rem .5rem; }
@media (max-width: 640px) { main { padding: .5rem; } .hide-narrow { display: none; } h1 { font-size: 1.15rem; } }
`;

/** Shows every <time datetime> in the viewer's own time zone. */
export const SCRIPT = `
(() => {
  const pad = (n) => String(n).padStart(2, '0');
  for (const el of document.querySelectorAll('time[datetime]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const text = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + (el.dataset.seconds ? ':' + pad(d.getSeconds()) : '');
    el.textContent = text;
    el.title = d.toString();
  }
})();
`;
