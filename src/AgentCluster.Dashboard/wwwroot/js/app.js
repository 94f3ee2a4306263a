// The network page: one snapshot over HTTP, then events, health samples and alerts over the WebSocket.
import { acc, accNumber, short, time, el, getJson } from './format.js';

const SERIES_LABELS = {
  events_per_minute: 'events / min', transactions_per_minute: 'transactions / min', task_completion_seconds: 'task completion (s)',
  fragmentation: 'fragmentation index', reputation_gini: 'reputation Gini', fees_burned_acc: 'fees burned (ACC)',
  emissions_acc: 'emissions (ACC)', burn_to_emission: 'burn / emission', escrow_acc: 'escrow (ACC)', utilisation: 'agent utilisation',
};

window.__acLastEvent = null; // {block, receivedAt, renderedAt}: what a bench reads for event-to-pixel latency
window.__acAlerts = [];

const cy = cytoscape({
  container: document.getElementById('graph'),
  wheelSensitivity: 0.3,
  style: [
    { selector: 'node.agent', style: { width: 'data(size)', height: 'data(size)', 'background-color': 'data(color)', label: 'data(label)', color: '#ccc', 'font-size': 8 } },
    { selector: 'node.requester', style: { shape: 'diamond', width: 14, height: 14, 'background-color': '#6cb6ff', label: 'data(label)', color: '#8ab', 'font-size': 7 } },
    { selector: 'node.cluster', style: { 'background-opacity': 0.08, 'border-width': 1, 'border-color': '#456', label: 'data(label)', color: '#789', 'font-size': 9, 'text-valign': 'top' } },
    { selector: 'edge', style: { width: 'data(width)', 'line-color': '#556', 'curve-style': 'bezier', opacity: 0.7 } },
    { selector: 'edge.RequesterExecutor', style: { 'line-color': '#4a8ad8', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#4a8ad8' } },
    { selector: 'node.agent.solana', style: { shape: 'round-hexagon', 'border-width': 2, 'border-color': '#b48cf0' } },
    { selector: 'node.cluster.solana', style: { 'border-color': '#b48cf0', 'border-style': 'dashed' } },
    { selector: '.hidden', style: { display: 'none' } },
  ],
});
window.__acCy = cy;
cy.on('tap', 'node.agent.evm', (e) => { location.href = `/agents/${e.target.data('agentId')}`; });

// ---- chains: the EVM index's snapshot and, when the dashboard has a Solana source, the Solana program's agents and tasks; a switch
// shows EVM, Solana or both, every node and task row tagged with its chain (data chain / data-chain).
let solana = null;
let chain = 'both';
window.__acChain = () => chain;
// Which chains this dashboard has (/api/chains): with no EVM index (localnet up --chain solana) the switch starts on Solana and EVM says
// it is not running here, instead of waiting for an index that never comes.
let evm = true;
try {
  const chains = await getJson('/api/chains');
  evm = chains.evm !== false;
} catch { /* an older server: assume EVM */ }
if (!evm) {
  chain = 'solana';
  document.querySelector("#chain-switch input[value='solana']").checked = true;
  const evmInput = document.querySelector("#chain-switch input[value='evm']");
  evmInput.disabled = true;
  evmInput.parentElement.title = 'No EVM chain runs on this localnet (--chain solana).';
  evmInput.parentElement.append(' (not running)');
  document.getElementById('chain-switch').dataset.evm = 'none';
  document.getElementById('head').textContent = 'EVM: not running on this localnet (Solana only)';
}
for (const input of document.querySelectorAll('#chain-switch input')) {
  input.addEventListener('change', () => { if (input.checked) { chain = input.value; applyChain(); } });
}
function shown(c) { return chain === 'both' || chain === c; }
function applyChain() {
  cy.batch(() => cy.elements().forEach((e) => { if (shown(e.data('chain'))) e.removeClass('hidden'); else e.addClass('hidden'); }));
  for (const row of document.querySelectorAll('#tasks tr[data-chain]')) row.classList.toggle('hidden', !shown(row.dataset.chain));
  document.getElementById('chain-switch').dataset.chain = chain;
}
async function pollSolana() {
  try {
    const r = await fetch('/api/solana', { headers: { Accept: 'application/json' } });
    if (r.status === 404) return false; // no Solana source: EVM only, no switch
    if (r.ok) {
      solana = await r.json();
      document.getElementById('chain-switch').hidden = false;
      renderGraph(snapshot);
      renderTasks(snapshot?.tasks ?? []);
    }
  } catch { /* next time */ }
  return true;
}

let snapshot = null;
let refreshing = null;
let refreshAgain = false;
let pendingBlock = null;

async function refresh() {
  if (!evm) return; // no EVM index to read
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      try {
        const data = await getJson('/api/snapshot');
        snapshot = data.snapshot;
        render(snapshot, data.chainHead);
      } catch (e) {
        document.getElementById('status').textContent = `index: ${e.message}`;
      }
    } while (refreshAgain);
  })();
  try { await refreshing; } finally { refreshing = null; }
  if (pendingBlock) {
    const p = pendingBlock;
    pendingBlock = null;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__acLastEvent = { block: p.block, receivedAt: p.receivedAt, renderedAt: performance.timeOrigin + performance.now() };
    }));
  }
}

function render(s, chainHead) {
  const lag = chainHead != null && s.head.cursor != null ? ` · lag ${Math.max(0, chainHead - s.head.cursor)} blocks` : '';
  document.getElementById('head').textContent = `indexed to block ${s.head.cursor ?? '–'}${lag} · ${time(s.head.latestEventTime)}`;
  document.getElementById('counts').textContent = `${s.agents.length} agents · ${s.tasks.length} tasks · ${s.head.logs} events`;
  renderGraph(s);
  renderTasks(s.tasks);
  renderProposals(s.proposals);
  const e = s.economy;
  const dl = document.getElementById('economy');
  dl.replaceChildren(...[['fees routed', e.feesRouted], ['fees burned', e.feesBurned], ['slashes burned', e.slashesBurned],
    ['emissions released', e.emissionsReleased], ['escrow', e.escrow]].flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, `${acc(v)} ACC`)]));
}

function renderGraph(snap) {
  const s = snap ?? { agents: [], edges: [] };
  const maxStake = Math.max(1, ...s.agents.map((a) => accNumber(a.stake.active)));
  const totals = s.agents.map((a) => BigInt(a.reputation.task) + BigInt(a.reputation.validator) + BigInt(a.reputation.compute) + BigInt(a.reputation.social));
  const maxRep = totals.reduce((m, v) => (v > m ? v : m), 1n);
  const wanted = new Map();
  s.agents.forEach((a, i) => {
    const caps = BigInt(a.capabilities).toString(2);
    wanted.set(`c:${caps}`, { group: 'nodes', data: { id: `c:${caps}`, label: `capabilities 0b${caps}`, chain: 'evm' }, classes: 'cluster evm' });
    const hue = Number((totals[i] * 120n) / maxRep); // red (none) .. green (highest)
    wanted.set(`a:${a.agentId}`, {
      group: 'nodes', classes: 'agent evm',
      data: { id: `a:${a.agentId}`, parent: `c:${caps}`, agentId: a.agentId, chain: 'evm', label: short(a.agentId), size: 14 + 36 * Math.sqrt(accNumber(a.stake.active) / maxStake), color: `hsl(${hue}, 70%, 50%)` },
    });
  });
  // Solana agents (9-decimal ACC): sized by stake, green when Active, grouped by capabilities in Solana's own clusters.
  const solAgents = solana?.agents ?? [];
  const maxSolStake = Math.max(1, ...solAgents.map((a) => Number(BigInt(a.stake) / 10n ** 6n) / 1e3));
  for (const a of solAgents) {
    const caps = BigInt(a.capabilities).toString(2);
    wanted.set(`sc:${caps}`, { group: 'nodes', data: { id: `sc:${caps}`, label: `solana · capabilities 0b${caps}`, chain: 'solana' }, classes: 'cluster solana' });
    wanted.set(`s:${a.agentKey}`, {
      group: 'nodes', classes: 'agent solana',
      data: { id: `s:${a.agentKey}`, parent: `sc:${caps}`, agentKey: a.agentKey, chain: 'solana', label: short(a.agentKey),
        size: 14 + 36 * Math.sqrt(Number(BigInt(a.stake) / 10n ** 6n) / 1e3 / maxSolStake), color: a.active ? 'hsl(120, 70%, 45%)' : 'hsl(0, 0%, 45%)' },
    });
  }
  for (const edge of s.edges) {
    const from = edge.kind === 'RequesterExecutor' ? `r:${edge.from}` : `a:${edge.from}`;
    if (edge.kind === 'RequesterExecutor') wanted.set(from, { group: 'nodes', classes: 'requester evm', data: { id: from, label: short(edge.from), chain: 'evm' } });
    const id = `e:${edge.kind}:${from}:${edge.to}`;
    const prev = wanted.get(id);
    if (prev) { prev.data.width = Math.min(6, prev.data.width + 0.5); continue; }
    if (!wanted.has(`a:${edge.to}`) || (!wanted.has(from))) continue;
    wanted.set(id, { group: 'edges', classes: edge.kind, data: { id, source: from, target: `a:${edge.to}`, width: 1, chain: 'evm' } });
  }

  let added = 0;
  cy.batch(() => {
    cy.elements().forEach((ele) => { if (!wanted.has(ele.id())) { ele.remove(); } });
    for (const [id, def] of wanted) {
      const ele = cy.getElementById(id);
      if (ele.nonempty()) { ele.data(def.data); } else if (def.group === 'nodes') { cy.add(def); added++; }
    }
    for (const [id, def] of wanted) { if (def.group === 'edges' && cy.getElementById(id).empty()) { cy.add(def); added++; } }
  });
  if (added > 0) layout();
  applyChain();
}

// One grid per capability set, side by side (similar agents stay together), requesters in a row below; stable as nodes arrive.
function layout() {
  const cell = 64;
  let x = 0;
  let bottom = 0;
  for (const cluster of cy.nodes('.cluster').sort((a, b) => a.id().localeCompare(b.id()))) {
    const children = cluster.children();
    const cols = Math.max(1, Math.ceil(Math.sqrt(children.length)));
    const rows = Math.max(1, Math.ceil(children.length / cols));
    children.layout({ name: 'grid', cols, animate: false, fit: false, boundingBox: { x1: x, y1: 0, w: cols * cell, h: rows * cell } }).run();
    x += cols * cell + cell;
    bottom = Math.max(bottom, rows * cell);
  }
  const requesters = cy.nodes('.requester');
  if (requesters.nonempty()) {
    requesters.layout({ name: 'grid', rows: 1, animate: false, fit: false, boundingBox: { x1: 0, y1: bottom + cell * 1.5, w: Math.max(x, requesters.length * 40), h: cell } }).run();
  }
  cy.fit(undefined, 30);
}

const STAGES = ['submitted', 'assigned', 'resultPosted', 'committeeSeeded', 'settled'];
const OUTCOMES = { 4: 'accepted', 5: 'rejected', 6: 'refunded', 7: 'inconclusive' };
function renderTasks(tasks) {
  const rows = tasks.slice(-50).reverse().map((t) => {
    const base = t.stages.submitted ? Date.parse(t.stages.submitted) : null;
    const cells = STAGES.map((k, i) => {
      const at = t.stages[k];
      if (!at) return el('td', { class: 'todo' }, '·');
      return el('td', { class: 'done', title: at }, i === 0 ? time(at) : `+${Math.round((Date.parse(at) - base) / 1000)} s`);
    });
    return el('tr', { 'data-task': t.taskId, 'data-chain': 'evm' }, el('td', { class: 'chain evm' }, 'EVM'), el('td', {}, short(t.taskId)), el('td', {}, short(t.requester)),
      el('td', {}, t.executor ? el('a', { href: `/agents/${t.executor}` }, short(t.executor)) : '–'), ...cells,
      el('td', {}, t.outcome == null ? '' : (OUTCOMES[t.outcome] ?? `status ${t.outcome}`)));
  });
  // Solana tasks: the program's status (its stages' times are not in the account: the status says how far it went).
  const SOL_STAGE = { Bidding: 0, Assigned: 1, ResultPosted: 2, Verifying: 3 };
  const solRows = (solana?.tasks ?? []).slice(-50).reverse().map((t) => {
    const reached = SOL_STAGE[t.status] ?? 4;
    const cells = STAGES.map((k, i) => (i <= reached ? el('td', { class: 'done' }, i === 0 ? time(t.submitted) : '✓') : el('td', { class: 'todo' }, '·')));
    return el('tr', { 'data-task': t.task, 'data-chain': 'solana' }, el('td', { class: 'chain solana' }, 'Solana'), el('td', { title: t.task }, short(t.task)),
      el('td', { title: t.requester }, short(t.requester)), el('td', { title: t.executor ?? '' }, t.executor ? short(t.executor) : '–'), ...cells,
      el('td', {}, reached === 4 ? t.status.toLowerCase() : ''));
  });
  document.querySelector('#tasks tbody').replaceChildren(...rows, ...solRows);
  applyChain();
}

function renderProposals(proposals) {
  document.querySelector('#proposals tbody').replaceChildren(...proposals.map((p) => el('tr', { 'data-proposal': p.proposalId, 'data-for': p.for, 'data-phase': p.phase },
    el('td', {}, short(p.proposalId)), el('td', {}, p.description.slice(0, 80)), el('td', {}, p.phase + (p.critical ? ' (critical)' : '')),
    el('td', {}, acc(p.for)), el('td', {}, acc(p.against)), el('td', {}, acc(p.abstain)), el('td', {}, `${time(p.voteStart)} – ${time(p.voteEnd)}`))));
}

function addEvents(events) {
  const list = document.getElementById('events');
  for (const e of events) {
    list.prepend(el('li', {}, `#${e.position.block} ${e.contract}.${e.name}${e.topic1 ? ` ${short(e.topic1)}` : ''}`));
  }
  while (list.children.length > 100) list.lastChild.remove();
}

// ---- health charts and alerts
const charts = new Map();
function chartFor(series) {
  if (charts.has(series)) return charts.get(series);
  const canvas = el('canvas');
  document.getElementById('charts').append(el('figure', { 'data-series': series }, el('figcaption', {}, SERIES_LABELS[series] ?? series), el('div', { class: 'chart-box' }, canvas)));
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels: [], datasets: [{ data: [], borderColor: '#6cb6ff', pointRadius: 0, borderWidth: 1.5 }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { display: false } } },
  });
  charts.set(series, chart);
  return chart;
}

function addSample(sample) {
  for (const [series, value] of Object.entries(sample.values)) {
    const chart = chartFor(series);
    chart.data.labels.push(time(sample.at));
    chart.data.datasets[0].data.push(value);
    if (chart.data.labels.length > 120) { chart.data.labels.shift(); chart.data.datasets[0].data.shift(); }
    chart.update('none');
  }
}

function addAlerts(alerts) {
  const list = document.getElementById('alerts');
  for (const a of alerts) {
    list.querySelector('.none')?.remove();
    window.__acAlerts.push(a);
    const level = a.level.toLowerCase();
    list.prepend(el('li', { class: `alert ${level}`, 'data-series': a.series },
      `${time(a.at)} ${a.level.toUpperCase()}: ${SERIES_LABELS[a.series] ?? a.series} = ${a.value.toPrecision(4)} (expected about ${a.expected.toPrecision(4)}, z = ${a.z.toFixed(1)})`));
  }
  while (list.children.length > 50) list.lastChild.remove();
}

async function loadHealth() {
  try {
    const h = await getJson('/api/health');
    h.history.forEach(addSample);
    addAlerts(h.alerts);
  } catch { /* shown by the snapshot's status */ }
}

async function pollKeepers() {
  try {
    const keepers = await getJson('/api/keepers');
    const list = document.getElementById('keepers');
    if (keepers.length) {
      list.replaceChildren(...keepers.map((k) => {
        let checks = '';
        try { checks = Object.entries(JSON.parse(k.body).checks ?? {}).map(([n, c]) => `${n}: ${c.status ?? c}`).join(', '); } catch { checks = k.body.slice(0, 120); }
        return el('li', { class: k.state === 'ready' ? 'ready' : 'not-ready' }, `${k.url} — ${k.state}${k.status ? ` (${k.status})` : ''} ${checks}`);
      }));
    }
  } catch { /* next time */ }
}

// ---- the live feed
function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const status = document.getElementById('status');
  ws.onopen = () => { status.textContent = 'live'; status.className = 'pill live'; refresh(); };
  ws.onclose = () => { status.textContent = 'reconnecting…'; status.className = 'pill'; setTimeout(connect, 1000); };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'events') {
      addEvents(msg.events);
      if (msg.events.length) {
        const block = msg.events[msg.events.length - 1].position.block;
        pendingBlock = { block, receivedAt: performance.timeOrigin + performance.now() };
      }
      if (msg.last) refresh();
    } else if (msg.type === 'health') {
      addSample(msg.sample);
      addAlerts(msg.alerts);
    } else if (msg.type === 'alerts') {
      addAlerts(msg.alerts);
    } else if (msg.type === 'hello') {
      document.getElementById('events').replaceChildren();
      addEvents(msg.events ?? []);
    } else if (msg.type === 'reset') {
      refresh();
    }
  };
}

await loadHealth();
connect();
if (await pollSolana()) setInterval(pollSolana, 2000);
pollKeepers();
setInterval(pollKeepers, 5000);
