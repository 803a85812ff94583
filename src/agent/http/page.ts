/**
 * The status page: one self-contained HTML document (no framework, no external request) that
 * reads `/api/status` every few seconds and draws connectors and tasks, rebalances with their
 * proposal and progress, group lag with a small SVG chart of total lag over time, the loops,
 * the clients' recent retries and recent events. Actions (approve/refresh/stop, restart) post to the API with the bearer token
 * typed into the page, kept in sessionStorage only.
 */
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>steadfast agent</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
  body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
  .sub { color: #5b6475; font-size: .85rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: .88rem; }
  th, td { text-align: left; padding: .35rem .55rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  th { background: #eef0f3; font-weight: 600; }
  .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .78rem; font-weight: 600; }
  .ok { background: #d9f2e1; color: #17663a; } .warn { background: #fff0c2; color: #7a5a00; }
  .err { background: #fbd9d9; color: #8c1d1d; } .info { background: #e1e9f7; color: #2a4a82; }
  .bar { background: #e3e6eb; border-radius: 3px; height: .5rem; width: 8rem; display: inline-block; vertical-align: middle; }
  .bar > span { display: block; height: 100%; background: #3d7be0; border-radius: 3px; }
  button { font-size: .78rem; margin-right: .25rem; cursor: pointer; }
  .note { color: #7a5a00; font-size: .8rem; }
  .muted { color: #8a91a0; }
  svg { background: #fff; border: 1px solid #e3e6eb; }
  #token { width: 12rem; }
</style>
</head>
<body>
<h1>steadfast agent</h1>
<div class="sub"><span id="updated">loading…</span> · token for actions <input id="token" type="password" placeholder="(if configured)"> · <a href="metrics">metrics</a> · <a href="api/status">JSON</a></div>
<div id="error" class="err" style="display:none"></div>
<h2>Loops</h2><table id="loops"></table>
<h2>Connectors</h2><table id="connectors"></table>
<h2>Rebalances</h2><table id="rebalances"></table>
<h2>Consumer groups</h2><table id="groups"></table>
<h2>Recent retries</h2><table id="retries"></table>
<h2>Recent events</h2><table id="events"></table>
<script>
'use strict'
const $ = (id) => document.getElementById(id)
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const badge = (text, kind) => '<span class="badge ' + kind + '">' + esc(text) + '</span>'
const stateKind = (s) => ({ RUNNING: 'ok', Ready: 'ok', OK: 'ok', PAUSED: 'info', STOPPED: 'info', ProposalReady: 'info', PendingProposal: 'info', Rebalancing: 'info', New: 'info', Stopped: 'info', WARN: 'warn', UNASSIGNED: 'warn', RESTARTING: 'warn', UNKNOWN: 'warn' })[s] ?? 'err'
const row = (cells, tag = 'td') => '<tr>' + cells.map((c) => '<' + tag + '>' + c + '</' + tag + '>').join('') + '</tr>'
const table = (id, head, rows, empty) => { $(id).innerHTML = row(head, 'th') + (rows.length ? rows.join('') : row(['<span class="muted">' + esc(empty) + '</span>'])) }
$('token').value = sessionStorage.getItem('steadfast-token') ?? ''
$('token').addEventListener('change', () => sessionStorage.setItem('steadfast-token', $('token').value))

async function act (path) {
  const headers = $('token').value ? { authorization: 'Bearer ' + $('token').value } : {}
  const res = await fetch('api/' + path, { method: 'POST', headers })
  const body = await res.json().catch(() => ({}))
  if (!res.ok) alert(body.error ?? res.statusText)
  refresh()
}
document.addEventListener('click', (e) => { const path = e.target.dataset?.act; if (path) act(path) })

function chart (history) {
  if (!history || history.length < 2) return '<span class="muted">collecting…</span>'
  const w = 220, h = 48, max = Math.max(1, ...history.map((p) => p[1]))
  const t0 = history[0][0], span = Math.max(1, history[history.length - 1][0] - t0)
  const pts = history.map((p) => ((p[0] - t0) / span * (w - 4) + 2).toFixed(1) + ',' + (h - 2 - p[1] / max * (h - 4)).toFixed(1)).join(' ')
  return '<svg width="' + w + '" height="' + h + '" role="img" aria-label="total lag over time"><polyline fill="none" stroke="#3d7be0" stroke-width="1.5" points="' + pts + '"/></svg> <span class="muted">max ' + max + '</span>'
}

function render (s) {
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · running since ' + new Date(s.startedAt).toLocaleString() + (s.role === 'single' ? '' : ' · HA ' + s.role + ' in group ' + s.ha.group)
  table('loops', ['loop', 'interval', 'runs', 'failures', 'last success', 'last error'], s.loops.map((l) => row([
    esc(l.name) + (l.running ? ' <span class="muted">(running)</span>' : ''), (l.intervalMs / 1000) + ' s', l.runs, l.failures ? badge(l.failures, 'warn') : 0,
    esc(l.lastSuccessAt ? new Date(l.lastSuccessAt).toLocaleTimeString() : '—'), '<span class="note">' + esc(l.lastError ?? '') + '</span>'])), 'no loop configured')
  const connectors = s.connectors?.connectors ?? []
  table('connectors', ['connector', 'condition', 'state', 'tasks', 'actions'], connectors.map((c) => row([
    '<b>' + esc(c.name) + '</b>' + (c.managed ? '' : ' <span class="muted">(not created by the agent)</span>'),
    (c.condition.type === 'Ready' && c.condition.reason
      ? badge('Ready, ' + c.condition.reason.toLowerCase(), 'warn') + ' <span class="note">' + esc(c.condition.message) + '</span>'
      : badge(c.condition.type, c.condition.type === 'Ready' ? 'ok' : 'err') + (c.condition.reason ? ' ' + esc(c.condition.reason) + ': <span class="note">' + esc(c.condition.message) + '</span>' : '')) + c.notes.map((n) => '<div class="note">' + esc(n) + '</div>').join(''),
    c.state ? badge(c.state, stateKind(c.state)) : '—',
    c.tasks.map((t) => esc(t.id) + ' ' + badge(t.state, stateKind(t.state)) + (t.state === 'FAILED' ? ' <button data-act="connectors/' + encodeURIComponent(c.name) + '/tasks/' + t.id + '/restart">restart</button>' : '')).join('<br>') || '—',
    '<button data-act="connectors/' + encodeURIComponent(c.name) + '/restart?includeTasks=true&onlyFailed=true">restart failed</button>'])),
  s.configured.connect ? 'no connector declared yet' : 'Connect is not configured')
  const rebalances = s.rebalances?.rebalances ?? []
  table('rebalances', ['rebalance', 'state', 'proposal', 'progress', 'actions'], rebalances.map(({ record: r, notes }) => {
    const sum = r.proposal?.summary
    const p = r.progress
    const pct = p && p.partitionsTotal ? Math.round(p.partitionsMoved / p.partitionsTotal * 100) : undefined
    const actions = { New: [], PendingProposal: ['stop', 'refresh'], ProposalReady: ['approve', 'refresh'], Rebalancing: ['stop', 'refresh'], Stopped: ['refresh'], NotReady: ['refresh'], Ready: ['refresh'] }[r.state] ?? []
    return row([
      '<b>' + esc(r.name) + '</b> <span class="muted">' + esc(r.manifest.spec.mode) + '</span>',
      badge(r.state, stateKind(r.state)) + (r.userTaskId ? '<div class="muted">task ' + esc(r.userTaskId) + '</div>' : '') + (r.reason ? '<div class="note">' + esc(r.reason) + '</div>' : '') +
        (r.lastTransientError ? '<div class="muted">last transient: ' + esc(r.lastTransientError.reason) + ' (' + r.transientErrors + ', state kept)</div>' : '') + notes.map((n) => '<div class="note">' + esc(n) + '</div>').join(''),
      sum ? esc(sum.numReplicaMovements) + ' replica moves, ' + esc(sum.numLeaderMovements) + ' leader moves, ' + esc(sum.dataToMoveMB) + ' MB' : '—',
      pct === undefined ? '—' : '<span class="bar"><span style="width:' + pct + '%"></span></span> ' + p.partitionsMoved + '/' + p.partitionsTotal + ' partitions',
      actions.map((a) => '<button data-act="rebalances/' + encodeURIComponent(r.name) + '/' + a + '">' + a + '</button>').join('')])
  }), s.configured.cruiseControl ? 'no rebalance declared' : 'Cruise Control is not configured')
  if (s.rebalances?.userTasks) $('rebalances').insertAdjacentHTML('beforeend', row(['<span class="muted">Cruise Control user tasks: ' + (Object.entries(s.rebalances.userTasks).map(([k, v]) => esc(k) + ' ' + v).join(', ') || 'none') + '</span>', '', '', '', '']))
  const groups = s.groups?.groups ?? []
  table('groups', ['group', 'status', 'total lag', 'partitions', 'lag over time'], groups.map((g) => row([
    '<b>' + esc(g.group) + '</b>', badge(g.status, stateKind(g.status)) + (g.error ? '<div class="note">' + esc(g.error) + '</div>' : ''), esc(g.totalLag ?? '—'),
    (g.partitions ?? []).map((p) => esc(p.topic) + '-' + p.partition + ': ' + esc(p.lag) + (p.status !== 'OK' ? ' ' + badge(p.status, stateKind(p.status)) : '')).join('<br>'),
    chart(g.history)])), s.configured.kafka ? 'no watched group found' : 'Kafka is not configured')
  table('retries', ['time', 'client', 'operation', 'attempt', 'next try in', 'reason', 'failure'], (s.retries ?? []).map((r) => row([
    esc(new Date(r.at).toLocaleTimeString()), esc(r.component), esc(r.operation), esc(r.attempt), esc(r.delayMs) + ' ms', badge(r.reason, 'warn'), '<span class="note">' + esc(r.message) + '</span>'])), 'no retries yet')
  table('events', ['time', 'level', 'about', 'event'], s.events.map((e) => row([
    esc(new Date(e.at).toLocaleTimeString()), badge(e.level, e.level === 'info' ? 'info' : e.level === 'warn' ? 'warn' : 'err'), esc(e.kind) + ' ' + esc(e.subject), '<span style="white-space:pre-wrap">' + esc(e.message) + '</span>'])), 'no events yet')
}

async function refresh () {
  try {
    const res = await fetch('api/status', { cache: 'no-store' })
    render(await res.json())
    $('error').style.display = 'none'
  } catch (error) {
    $('error').style.display = 'block'
    $('error').textContent = 'the agent does not answer: ' + error.message
  }
}
refresh()
setInterval(refresh, 3000)
</script>
</body>
</html>
`
