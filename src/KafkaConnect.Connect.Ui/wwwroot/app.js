// The worker's web UI: plain JavaScript over the worker's own REST API, no build step. Pages are hash routes so the
// worker serves one document.
'use strict';

// The REST API lives beside /ui (a reverse proxy may mount both under a prefix). Absolute, from the origin: fetch
// refuses URLs resolved against a page address that carries credentials (http://user:pass@host/ui/).
const apiBase = location.origin + location.pathname.replace(/\/ui(\/.*)?$/, '');
const view = () => document.getElementById('view');
let refreshTimer = null;
let pageToken = 0;

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function enc(name) { return encodeURIComponent(name); }

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(apiBase + path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.message) || `HTTP ${response.status}`);
  }
  return data;
}

function flash(message, isError) {
  const el = document.getElementById('flash');
  el.textContent = message;
  el.className = isError ? 'error' : '';
  el.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { el.hidden = true; }, isError ? 12000 : 4000);
}

function stateBadge(state) {
  return `<span class="state ${esc(state)}">${esc(state)}</span>`;
}

function shortClass(name) {
  const i = String(name ?? '').lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

// Refreshes the current page every few seconds while it is visible.
function autoRefresh(fn, ms) {
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => { if (!document.hidden) fn(); }, ms);
}

// ---- metrics: records per second per connector, from the worker's record counters (GET /ui/api/throughput) ----

const throughput = { last: null, rates: new Map(), available: true };

async function sampleThroughput() {
  if (!throughput.available) return;
  let counters;
  try {
    const response = await fetch(apiBase + '/ui/api/throughput');
    if (!response.ok) { throughput.available = response.status !== 404; return; }
    counters = await response.json();
  } catch { return; }
  const now = performance.now();
  const totals = new Map(Object.entries(counters));
  if (throughput.last) {
    const seconds = (now - throughput.last.at) / 1000;
    for (const [connector, total] of totals) {
      const before = throughput.last.totals.get(connector);
      if (before !== undefined && seconds > 0) throughput.rates.set(connector, Math.max(0, (total - before) / seconds));
    }
  }
  throughput.last = { at: now, totals };
}

function formatRate(rate) {
  if (rate === undefined) return '';
  return rate >= 100 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1);
}

// ---- overview ----

async function overview(token) {
  const [expanded] = await Promise.all([api('GET', '/connectors?expand=status&expand=info'), sampleThroughput()]);
  if (token !== pageToken) return;
  const rows = Object.entries(expanded).map(([name, e]) => ({ name, status: e.status, info: e.info }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const workers = new Set();
  const taskStates = {};
  let taskCount = 0;
  for (const r of rows) {
    if (r.status?.connector?.worker_id) workers.add(r.status.connector.worker_id);
    for (const t of r.status?.tasks || []) {
      taskCount++;
      taskStates[t.state] = (taskStates[t.state] || 0) + 1;
      if (t.worker_id) workers.add(t.worker_id);
    }
  }
  const running = rows.filter(r => r.status?.connector?.state === 'RUNNING').length;
  const failed = rows.filter(r => r.status?.connector?.state === 'FAILED' || (r.status?.tasks || []).some(t => t.state === 'FAILED')).length;
  const filter = document.getElementById('filter')?.value ?? '';
  const html = `
    <h1>Overview</h1>
    <div class="cards">
      <div class="card" id="card-workers"><b>${workers.size}</b>workers</div>
      <div class="card" id="card-connectors"><b>${rows.length}</b>connectors</div>
      <div class="card" id="card-running"><b>${running}</b>running</div>
      <div class="card" id="card-failed"><b>${failed}</b>with failures</div>
      <div class="card" id="card-tasks"><b>${taskCount}</b>tasks ${Object.entries(taskStates).map(([s, n]) => `<span class="muted">${n} ${esc(s.toLowerCase())}</span>`).join(' ')}</div>
    </div>
    <input id="filter" class="filter" type="text" placeholder="Filter connectors" value="${esc(filter)}">
    <table id="connectors">
      <thead><tr><th>Connector</th><th>Type</th><th>Class</th><th>State</th><th>Tasks</th><th>Workers</th>${throughput.available ? '<th>Records/s</th>' : ''}</tr></thead>
      <tbody>${rows.map(r => overviewRow(r)).join('') || `<tr><td colspan="7" class="muted">No connectors yet. <a href="#/new">Create one</a>.</td></tr>`}</tbody>
    </table>`;
  view().innerHTML = html;
  const input = document.getElementById('filter');
  input.addEventListener('input', () => applyFilter(input.value));
  if (filter) { applyFilter(filter); input.focus(); input.setSelectionRange(filter.length, filter.length); }
}

function overviewRow(r) {
  const tasks = r.status?.tasks || [];
  const byState = {};
  for (const t of tasks) byState[t.state] = (byState[t.state] || 0) + 1;
  const workerIds = new Set([r.status?.connector?.worker_id, ...tasks.map(t => t.worker_id)].filter(Boolean));
  return `<tr data-name="${esc(r.name)}">
    <td><a href="#/connectors/${enc(r.name)}">${esc(r.name)}</a></td>
    <td>${esc(r.info?.type ?? r.status?.type ?? '')}</td>
    <td title="${esc(r.info?.config?.['connector.class'])}">${esc(shortClass(r.info?.config?.['connector.class']))}</td>
    <td>${stateBadge(r.status?.connector?.state ?? 'UNKNOWN')}</td>
    <td>${Object.entries(byState).map(([s, n]) => `${n} ${stateBadge(s)}`).join(' ') || '<span class="muted">none</span>'}</td>
    <td>${[...workerIds].map(esc).join('<br>')}</td>
    ${throughput.available ? `<td class="num">${formatRate(throughput.rates.get(r.name))}</td>` : ''}
  </tr>`;
}

function applyFilter(text) {
  const needle = text.toLowerCase();
  for (const row of document.querySelectorAll('#connectors tbody tr[data-name]')) {
    row.hidden = needle !== '' && !row.textContent.toLowerCase().includes(needle);
  }
}

// ---- connector detail ----

async function connectorPage(token, name) {
  const [info, status, offsets, topics] = await Promise.all([
    api('GET', `/connectors/${enc(name)}`),
    api('GET', `/connectors/${enc(name)}/status`),
    api('GET', `/connectors/${enc(name)}/offsets`).catch(e => ({ error: e.message })),
    api('GET', `/connectors/${enc(name)}/topics`).catch(() => null),
  ]);
  if (token !== pageToken) return;
  const state = status.connector.state;
  const openTraces = new Set([...document.querySelectorAll('details.trace[open]')].map(d => d.dataset.id));
  const topicList = topics?.[name]?.topics || [];
  view().innerHTML = `
    <h1>${esc(name)} ${stateBadge(state)} <span class="muted">${esc(info.type)} · ${esc(info.config['connector.class'])}</span></h1>
    <div class="actions">
      <button data-action="pause" ${state === 'PAUSED' ? 'disabled' : ''}>Pause</button>
      <button data-action="resume" ${state === 'RUNNING' ? 'disabled' : ''}>Resume</button>
      <button data-action="stop" ${state === 'STOPPED' ? 'disabled' : ''}>Stop</button>
      <button data-action="restart">Restart</button>
      <a class="button" href="#/connectors/${enc(name)}/edit">Edit</a>
      <button data-action="reset-offsets" ${state === 'STOPPED' ? '' : 'disabled title="Stop the connector first"'}>Reset offsets</button>
      <button data-action="delete" class="danger">Delete</button>
    </div>
    <p class="muted">Connector on worker ${esc(status.connector.worker_id)}</p>
    ${status.connector.trace ? `<details class="trace" data-id="connector" open><summary>Connector trace</summary><pre>${esc(status.connector.trace)}</pre></details>` : ''}
    <h2>Tasks</h2>
    <table id="tasks"><thead><tr><th>Task</th><th>State</th><th>Worker</th><th>Trace</th><th></th></tr></thead><tbody>
      ${status.tasks.map(t => `<tr data-task="${t.id}">
        <td>${t.id}</td><td>${stateBadge(t.state)}</td><td>${esc(t.worker_id)}</td>
        <td>${t.trace ? `<details class="trace" data-id="task-${t.id}" ${openTraces.has('task-' + t.id) || state === 'FAILED' || t.state === 'FAILED' ? 'open' : ''}><summary>${esc(t.trace.split('\n')[0])}</summary><pre>${esc(t.trace)}</pre></details>` : ''}</td>
        <td><button data-action="restart-task" data-task="${t.id}">Restart task</button></td></tr>`).join('') || '<tr><td colspan="5" class="muted">No tasks</td></tr>'}
    </tbody></table>
    <h2>Configuration</h2>
    <table id="config"><tbody>${Object.keys(info.config).sort().map(k => `<tr><th>${esc(k)}</th><td><code>${esc(info.config[k])}</code></td></tr>`).join('')}</tbody></table>
    <h2>Topics</h2>
    <p id="topics">${topicList.length ? topicList.map(t => `<a href="#/topics/${enc(t)}">${esc(t)}</a>`).join(', ') : '<span class="muted">none recorded yet</span>'}</p>
    <h2>Offsets</h2>
    ${offsets.error ? `<p class="muted">${esc(offsets.error)}</p>` : `<pre id="offsets">${esc(JSON.stringify(offsets.offsets, null, 2))}</pre>`}`;
  for (const button of view().querySelectorAll('button[data-action]')) {
    button.addEventListener('click', () => connectorAction(name, button.dataset.action, button.dataset.task));
  }
}

async function connectorAction(name, action, task) {
  const path = `/connectors/${enc(name)}`;
  try {
    switch (action) {
      case 'pause': await api('PUT', `${path}/pause`); break;
      case 'resume': await api('PUT', `${path}/resume`); break;
      case 'stop': await api('PUT', `${path}/stop`); break;
      case 'restart': await api('POST', `${path}/restart?includeTasks=true&onlyFailed=false`); break;
      case 'restart-task': await api('POST', `${path}/tasks/${task}/restart`); break;
      case 'reset-offsets': {
        if (!confirm(`Reset all offsets of ${name}? It will start over when resumed.`)) return;
        const result = await api('DELETE', `${path}/offsets`);
        flash(result?.message || 'Offsets reset');
        break;
      }
      case 'delete':
        if (!confirm(`Delete connector ${name}?`)) return;
        await api('DELETE', path);
        flash(`Deleted ${name}`);
        location.hash = '#/';
        return;
    }
    if (action !== 'reset-offsets') flash(`${action.replace('-', ' ')}: requested for ${name}`);
  } catch (e) {
    flash(e.message, true);
  }
  route();
}

// ---- create and edit: a form generated from the plugin's config definition, validated live ----

async function newConnectorPage(token) {
  const plugins = (await api('GET', '/connector-plugins')).filter(p => p.type === 'source' || p.type === 'sink');
  if (token !== pageToken) return;
  view().innerHTML = `
    <h1>New connector</h1>
    <div class="field"><label for="plugin">Connector class</label>
      <select id="plugin"><option value="">Choose a plugin…</option>
        ${plugins.map(p => `<option value="${esc(p.class)}">${esc(shortClass(p.class))} (${esc(p.type)}) — ${esc(p.class)}</option>`).join('')}
      </select></div>
    <div id="form"></div>`;
  const select = document.getElementById('plugin');
  select.addEventListener('change', () => {
    if (select.value) connectorForm(select.value, { 'connector.class': select.value }, null);
    else document.getElementById('form').innerHTML = '';
  });
}

async function editConnectorPage(token, name) {
  const config = await api('GET', `/connectors/${enc(name)}/config`);
  if (token !== pageToken) return;
  view().innerHTML = `<h1>Edit ${esc(name)}</h1><div id="form"></div>`;
  connectorForm(config['connector.class'], config, name);
}

// The form for plugin `pluginClass`; `existing` is null for a new connector, else its name (then only changed keys
// are sent, as a PATCH, so secrets shown masked are never overwritten with the mask).
async function connectorForm(pluginClass, initial, existing) {
  const form = document.getElementById('form');
  const values = { ...initial };
  const original = { ...initial };
  let validation = await validate(pluginClass, values);
  let keys = '';
  let timer = null;
  let runs = 0;

  const render = () => {
    const focused = document.activeElement?.id;
    const groups = new Map();
    for (const c of validation.configs) {
      if (c.value.visible === false && !(c.definition.name in values)) continue;
      const group = c.definition.group || 'Other';
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group).push(c);
    }
    keys = validation.configs.map(c => c.definition.name).join('\n');
    // Common first, then the plugin's own settings, then the runtime's standard groups (collapsed unless in error).
    const rank = g => g === 'Common' ? 0 : runtimeGroups.has(g) ? 2 : 1;
    const groupNames = [...groups.keys()].sort((a, b) => rank(a) - rank(b));
    form.innerHTML = `
      <p id="error-count" class="muted"></p>
      ${groupNames.map(g => `<details class="group" ${!runtimeGroups.has(g) || groups.get(g).some(c => c.value.errors.length) ? 'open' : ''}>
        <summary>${esc(g)}</summary>${groups.get(g).sort((a, b) => (a.definition.order ?? 0) - (b.definition.order ?? 0)).map(fieldHtml).join('')}</details>`).join('')}
      <div class="actions"><button id="submit" class="primary">${existing ? 'Save changes' : 'Create connector'}</button>
        ${existing ? `<a class="button" href="#/connectors/${enc(existing)}">Cancel</a>` : ''}</div>`;
    for (const input of form.querySelectorAll('[data-key]')) {
      input.addEventListener('input', () => onInput(input));
      input.addEventListener('change', () => onInput(input));
    }
    document.getElementById('submit').addEventListener('click', submit);
    if (existing) { const nameInput = document.getElementById('cfg-name'); if (nameInput) nameInput.readOnly = true; }
    const again = focused && document.getElementById(focused);
    if (again) { again.focus(); if (again.setSelectionRange && again.type === 'text') again.setSelectionRange(again.value.length, again.value.length); }
    showErrors();
  };

  const fieldHtml = c => {
    const d = c.definition;
    const id = 'cfg-' + d.name.replace(/[^\w-]/g, '_');
    const value = values[d.name] ?? '';
    const placeholder = d.default_value != null && d.default_value !== '' ? `default: ${d.default_value}` : '';
    let input;
    if (d.type === 'BOOLEAN') {
      input = `<select id="${id}" data-key="${esc(d.name)}"><option value="">${esc(placeholder || '(unset)')}</option>
        ${['true', 'false'].map(v => `<option ${value === v ? 'selected' : ''}>${v}</option>`).join('')}</select>`;
    } else if ((c.value.recommended_values || []).length && d.type !== 'LIST') {
      input = `<select id="${id}" data-key="${esc(d.name)}"><option value="">${esc(placeholder || '(unset)')}</option>
        ${[...new Set([...c.value.recommended_values, ...(value ? [value] : [])])].map(v => `<option ${value === v ? 'selected' : ''}>${esc(v)}</option>`).join('')}</select>`;
    } else {
      const type = d.type === 'PASSWORD' ? 'password' : 'text';
      input = `<input id="${id}" type="${type}" data-key="${esc(d.name)}" value="${esc(value)}" placeholder="${esc(placeholder)}" autocomplete="off">`;
    }
    return `<div class="field" data-field="${esc(d.name)}">
      <label for="${id}" title="${esc(d.name)}">${esc(d.display_name || d.name)}${d.required ? ' <span class="req">*</span>' : ''}<br><code class="muted">${esc(d.name)}</code></label>
      ${input}
      <div class="doc">${esc(d.documentation)}</div>
      <div class="err" data-err="${esc(d.name)}"></div></div>`;
  };

  const showErrors = () => {
    let count = 0;
    for (const c of validation.configs) {
      const errors = c.value.errors || [];
      count += errors.length;
      const box = form.querySelector(`[data-err="${CSS.escape(c.definition.name)}"]`);
      if (box) box.textContent = errors.join(' ');
      const input = form.querySelector(`[data-key="${CSS.escape(c.definition.name)}"]`);
      if (input) input.classList.toggle('invalid', errors.length > 0);
    }
    document.getElementById('error-count').textContent = count ? `${count} error${count === 1 ? '' : 's'}` : 'No errors';
  };

  const onInput = input => {
    const key = input.dataset.key;
    if (input.value === '') delete values[key]; else values[key] = input.value;
    clearTimeout(timer);
    timer = setTimeout(revalidate, 300);
  };

  const revalidate = async () => {
    const run = ++runs;
    try {
      const result = await validate(pluginClass, values);
      if (run !== runs) return;
      validation = result;
      // New keys (a transform's own settings once its type is set) need new inputs; otherwise only errors change.
      if (validation.configs.map(c => c.definition.name).join('\n') !== keys) render(); else showErrors();
    } catch (e) {
      flash(e.message, true);
    }
  };

  const submit = async () => {
    clearTimeout(timer);
    const name = existing || values.name;
    if (!name) { flash('A connector needs a name.', true); return; }
    try {
      if (existing) {
        const patch = {};
        for (const k of new Set([...Object.keys(values), ...Object.keys(original)])) {
          if (values[k] !== original[k]) patch[k] = values[k] ?? null;
        }
        await api('PATCH', `/connectors/${enc(name)}/config`, patch);
        flash(`Saved ${name}`);
      } else {
        const config = { ...values };
        delete config.name;
        await api('POST', '/connectors', { name, config });
        flash(`Created ${name}`);
      }
      location.hash = `#/connectors/${enc(name)}`;
    } catch (e) {
      flash(e.message, true);
      await revalidate();
    }
  };

  render();
}

// The groups every connector's definition has; a plugin's own settings come in other groups (or none).
const runtimeGroups = new Set(['Transforms', 'Predicates', 'Error Handling', 'Topic Creation', 'Exactly Once Support', 'offsets.topic']);

function validate(pluginClass, values) {
  return api('PUT', `/connector-plugins/${enc(pluginClass)}/config/validate`,
    { ...values, 'connector.class': pluginClass });
}

// ---- live view of the records in a topic ----

async function topicPage(token, topic) {
  view().innerHTML = `
    <h1>Topic ${esc(topic)}</h1>
    <div class="actions"><button id="live-toggle">Pause</button><span id="live-state" class="muted"></span></div>
    <table class="records" id="records"><thead><tr><th>Partition</th><th>Offset</th><th>Time</th><th>Key</th><th>Value</th><th>Headers</th></tr></thead><tbody></tbody></table>`;
  const positions = {};
  let paused = false;
  const toggle = document.getElementById('live-toggle');
  toggle.addEventListener('click', () => { paused = !paused; toggle.textContent = paused ? 'Resume' : 'Pause'; });
  const body = document.querySelector('#records tbody');
  const show = v => v === null ? '<span class="muted">null</span>'
    : typeof v === 'object' ? `<code class="muted">base64</code> <code>${esc(v.data)}</code>` : `<code>${esc(v)}</code>`;
  const poll = async () => {
    if (paused || token !== pageToken) return;
    const after = Object.entries(positions).map(([p, o]) => `${p}:${o}`).join(',');
    try {
      const sample = await api('GET', `/ui/api/topics/${enc(topic)}/records?max=50${after ? '&after=' + after : ''}`);
      if (token !== pageToken) return;
      Object.assign(positions, sample.positions);
      const rows = sample.records.map(r => `<tr><td>${r.partition}</td><td>${r.offset}</td><td>${esc(new Date(r.timestamp).toISOString())}</td>
        <td>${show(r.key)}</td><td>${show(r.value)}</td><td>${r.headers.map(h => `${esc(h.name)}=${show(h.value)}`).join('<br>')}</td></tr>`);
      body.insertAdjacentHTML('afterbegin', rows.reverse().join(''));
      while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
      document.getElementById('live-state').textContent = `${body.rows.length} records shown, live`;
    } catch (e) {
      document.getElementById('live-state').textContent = e.message;
    }
  };
  await poll();
  autoRefresh(poll, 1000);
}

// ---- routing ----

async function route() {
  const token = ++pageToken;
  clearInterval(refreshTimer);
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts.length === 0) {
      await overview(token);
      autoRefresh(() => overview(token), 5000);
    } else if (parts[0] === 'new') {
      await newConnectorPage(token);
    } else if (parts[0] === 'connectors' && parts.length === 2) {
      await connectorPage(token, parts[1]);
      autoRefresh(() => connectorPage(token, parts[1]), 3000);
    } else if (parts[0] === 'connectors' && parts[2] === 'edit') {
      await editConnectorPage(token, parts[1]);
    } else if (parts[0] === 'topics' && parts.length === 2) {
      await topicPage(token, parts[1]);
    } else {
      view().innerHTML = '<p>Page not found. <a href="#/">Overview</a></p>';
    }
  } catch (e) {
    if (token === pageToken) view().innerHTML = `<p class="error">${esc(e.message)}</p><p><a href="#/">Overview</a></p>`;
  }
}

async function serverInfo() {
  try {
    const info = await api('GET', '/');
    document.getElementById('server-info').textContent = `version ${info.version} · cluster ${info.kafka_cluster_id}`;
  } catch { /* the header stays empty */ }
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => { serverInfo(); route(); });
