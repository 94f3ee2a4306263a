// An agent's page: stake, attestation, the four reputation dimensions with their decay, history and tasks.
import { acc, short, time, el, getJson } from './format.js';

const DIMS = ['task', 'validator', 'compute', 'social'];
const COLOURS = ['#6cb6ff', '#e0a030', '#3cb371', '#c678dd'];
const id = decodeURIComponent(location.pathname.split('/').pop());

try {
  const page = await getJson(`/api/agents/${encodeURIComponent(id)}`);
  const a = page.agent;
  document.title = `AgentCluster · agent ${short(a.agentId)}`;
  document.getElementById('title').textContent = `agent ${a.agentId}`;
  const facts = [
    ['id', a.agentId], ['owner', a.owner], ['URI', a.agentUri], ['registered', `block ${a.registeredBlock} · ${time(a.registeredAt)}`],
    ['capabilities', `0b${BigInt(a.capabilities).toString(2)}`], ['active stake', `${acc(a.stake.active)} ACC`],
    ['staked / unstaking / withdrawn', `${acc(a.stake.staked)} / ${acc(a.stake.unstakeRequested)} / ${acc(a.stake.withdrawn)} ACC`],
    ['slashed (burned)', `${acc(a.stake.slashBurned)} ACC`],
    ['attestation', a.attestationExpiresAt ? `${a.attested ? 'valid' : 'expired'} until ${new Date(a.attestationExpiresAt).toLocaleString()}` : 'never attested'],
  ];
  document.getElementById('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)]));
  document.getElementById('rep-at').textContent = `at ${new Date(page.at).toLocaleString()}`;
  document.querySelector('#reputation tbody').replaceChildren(...DIMS.map((d) =>
    el('tr', {}, el('td', {}, d), el('td', { 'data-dim': d, 'data-raw': a.reputation[d], 'data-at': page.at, 'data-block': page.block }, acc(a.reputation[d])))));
  document.querySelector('#history tbody').replaceChildren(...page.history.map((h) => el('tr', {},
    el('td', {}, h.block), el('td', {}, time(h.at)), el('td', {}, h.dimension), el('td', {}, acc(h.delta)), el('td', {}, acc(h.newValue)))));
  document.querySelector('#agent-tasks tbody').replaceChildren(...page.tasks.map(({ task, role }) => el('tr', {},
    el('td', {}, short(task.taskId)), el('td', {}, role), el('td', {}, time(task.stages.submitted)), el('td', {}, time(task.stages.settled)),
    el('td', {}, task.outcome ?? ''))));
  new Chart(document.getElementById('decay'), {
    type: 'line',
    data: {
      labels: page.curve.map((r) => new Date(r.at).toLocaleDateString()),
      datasets: DIMS.map((d, i) => ({ label: d, data: page.curve.map((r) => Number(BigInt(r[d]) / 10n ** 12n) / 1e6), borderColor: COLOURS[i], pointRadius: 0 })),
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });
  document.body.dataset.loaded = 'true';
} catch (e) {
  document.querySelector('main').replaceChildren(el('section', { class: 'wide error' }, el('h2', {}, 'Cannot show this agent'), el('p', { id: 'detail' }, e.message)));
  document.body.dataset.loaded = 'error';
}
