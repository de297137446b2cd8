// The Flows panel webview: a virtualized table over the host's display list. The host keeps the
// snapshot; this script asks for the window of rows it can see (`window`), draws only those into
// a fixed pool of row elements, and keeps the panel state (setState) so a reload restores it.
// No inline handlers or styles: everything is wired here (CSP: this script runs by nonce).
(function () {
  'use strict';
  const bridge = window.ovnlabPanelBridge();
  const { el, link } = bridge;
  const ROW_H = 22;
  const OVERSCAN = 40;
  const WINDOW = 160;
  const app = document.getElementById('app');

  let state = bridge.getState() || null;
  let total = 0;
  let version = 0;
  let cache = { start: 0, rows: [] };
  let selected = -1; // display row index
  let selectedId = -1; // flow id
  let pendingStart = -1;
  let heat = [];

  // --- layout
  const toolbar = el('div', 'toolbar');
  const filter = el('vscode-textfield', 'filter');
  filter.setAttribute('placeholder', 'filter: n_packets>0 && nw_dst=192.168.100.101 && table=12   actions~=ct(   delta>0   stage=lr_in_dnat');
  filter.setAttribute('aria-label', 'Flow filter');
  const group = el('vscode-single-select', 'group');
  group.setAttribute('aria-label', 'Group by');
  for (const [v, label] of [['none', 'No grouping'], ['table', 'Group by table'], ['stage', 'Group by OVN stage'], ['block', 'Group by logical block']]) {
    const o = el('vscode-option', '', label);
    o.setAttribute('value', v);
    group.appendChild(o);
  }
  const pause = el('vscode-button', 'pause', 'Pause');
  pause.setAttribute('secondary', '');
  const interval = el('vscode-single-select', 'interval');
  interval.setAttribute('aria-label', 'Refresh interval');
  for (const ms of [500, 1000, 2000, 5000]) {
    const o = el('vscode-option', '', `every ${ms / 1000} s`);
    o.setAttribute('value', String(ms));
    interval.appendChild(o);
  }
  const mark = el('vscode-button', 'mark', 'Mark');
  mark.setAttribute('title', 'Remember the counters now; then ping and choose "Δ since mark" to see what it hit');
  const deltaMode = el('vscode-single-select', 'delta-mode');
  deltaMode.setAttribute('aria-label', 'Delta');
  for (const [v, label] of [['refresh', 'Δ since last refresh'], ['mark', 'Δ since mark']]) {
    const o = el('vscode-option', '', label);
    o.setAttribute('value', v);
    deltaMode.appendChild(o);
  }
  toolbar.append(filter, group, interval, pause, mark, deltaMode);
  const filterError = el('div', 'filter-error');
  filterError.setAttribute('role', 'alert');
  const status = el('div', 'status');
  status.setAttribute('aria-live', 'polite');
  const errorBanner = el('div', 'error-banner');
  errorBanner.setAttribute('role', 'alert');

  const head = el('div', 'row head');
  for (const [c, t] of [['c-table', 'table'], ['c-prio', 'priority'], ['c-cookie', 'cookie'], ['c-match', 'match'], ['c-actions', 'actions'], ['c-pkts', 'n_packets'], ['c-delta', 'Δ']]) head.appendChild(el('span', c, t));
  const body = el('div', 'table-body');
  const viewport = el('div', 'viewport');
  viewport.tabIndex = 0;
  viewport.setAttribute('role', 'grid');
  viewport.setAttribute('aria-label', 'OpenFlow flows');
  const spacer = el('div', 'spacer');
  const rowsBox = el('div', 'rows');
  viewport.append(spacer, rowsBox);
  const strip = el('canvas', 'heat-strip');
  strip.setAttribute('aria-hidden', 'true');
  body.append(viewport, strip);
  const detail = el('div', 'detail');
  detail.setAttribute('aria-live', 'polite');
  app.append(toolbar, filterError, status, errorBanner, head, body, detail);

  // --- row pool
  const pool = [];
  function rowEl() {
    const r = el('div', 'row');
    r.setAttribute('role', 'row');
    for (const c of ['c-table', 'c-prio', 'c-cookie', 'c-match', 'c-actions', 'c-pkts', 'c-delta']) r.appendChild(el('span', c));
    r.addEventListener('click', () => select(Number(r.dataset.index), true));
    rowsBox.appendChild(r);
    return r;
  }

  function visibleRange() {
    const first = Math.floor(viewport.scrollTop / ROW_H);
    const n = Math.ceil(viewport.clientHeight / ROW_H) + 1;
    return { first, n };
  }

  function render() {
    spacer.style.height = `${total * ROW_H}px`;
    const { first, n } = visibleRange();
    const last = Math.min(total, first + n);
    if (total > 0 && (first < cache.start || last > cache.start + cache.rows.length)) requestWindow(first);
    while (pool.length < n) pool.push(rowEl());
    for (let k = 0; k < pool.length; k++) {
      const r = pool[k];
      const idx = first + k;
      if (k >= n || idx >= total) {
        r.hidden = true;
        continue;
      }
      r.hidden = false;
      r.dataset.index = String(idx);
      r.style.transform = `translateY(${idx * ROW_H}px)`;
      const data = cache.rows[idx - cache.start];
      const cells = r.children;
      r.classList.toggle('selected', idx === selected);
      if (!data) {
        r.className = idx === selected ? 'row selected' : 'row';
        for (let c = 0; c < cells.length; c++) cells[c].textContent = c === 3 ? '…' : '';
        r.style.setProperty('--heat', '0');
        continue;
      }
      if (data.kind === 'group') {
        r.className = `row group${idx === selected ? ' selected' : ''}`;
        r.setAttribute('aria-expanded', String(!data.collapsed));
        cells[0].textContent = data.collapsed ? '▸' : '▾';
        cells[1].textContent = '';
        cells[2].textContent = '';
        cells[3].textContent = `${data.label}  (${data.count} flows)`;
        cells[4].textContent = '';
        cells[5].textContent = String(data.packets);
        cells[6].textContent = data.delta > 0 ? `+${data.delta}` : '';
        r.style.setProperty('--heat', data.delta > 0 ? '0.5' : '0');
        continue;
      }
      r.removeAttribute('aria-expanded');
      r.className = `row${data.delta > 0 ? ' hit' : ''}${idx === selected ? ' selected' : ''}`;
      cells[0].textContent = String(data.table);
      cells[1].textContent = String(data.priority);
      cells[2].textContent = data.cookie;
      cells[3].textContent = data.match;
      cells[3].title = data.match;
      cells[4].textContent = data.actions;
      cells[4].title = data.actions;
      cells[5].textContent = String(data.packets);
      cells[6].textContent = data.delta > 0 ? `+${data.delta}` : '';
      r.style.setProperty('--heat', String(data.heat));
    }
  }

  function requestWindow(first) {
    const start = Math.max(0, first - OVERSCAN);
    if (start === pendingStart) return;
    pendingStart = start;
    bridge.post({ type: 'window', start, count: WINDOW });
  }

  function drawStrip() {
    const h = body.clientHeight;
    strip.width = 10;
    strip.height = Math.max(1, h);
    const g = strip.getContext('2d');
    g.clearRect(0, 0, strip.width, strip.height);
    if (!heat.length) return;
    const color = getComputedStyle(document.body).getPropertyValue('--vscode-charts-orange').trim() || '#d18616';
    g.fillStyle = color;
    const bh = strip.height / heat.length;
    for (let i = 0; i < heat.length; i++) {
      if (heat[i] <= 0) continue;
      g.globalAlpha = 0.25 + 0.75 * heat[i];
      g.fillRect(0, i * bh, 10, Math.max(2, bh));
    }
    g.globalAlpha = 1;
  }
  strip.addEventListener('click', (e) => {
    const frac = e.offsetY / strip.clientHeight;
    viewport.scrollTop = frac * total * ROW_H - viewport.clientHeight / 2;
  });

  function select(idx, open) {
    if (idx < 0 || idx >= total) return;
    selected = idx;
    const top = idx * ROW_H;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_H > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_H - viewport.clientHeight;
    render();
    const data = cache.rows[idx - cache.start];
    if (!data || !open) return;
    if (data.kind === 'group') bridge.post({ type: 'toggleGroup', key: data.key });
    else {
      selectedId = data.id;
      bridge.post({ type: 'select', id: data.id });
    }
  }

  viewport.addEventListener('scroll', () => requestAnimationFrame(render));
  window.addEventListener('resize', () => {
    render();
    drawStrip();
  });
  viewport.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_H) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) {
      e.preventDefault();
      select(Math.min(total - 1, Math.max(0, (selected < 0 ? 0 : selected) + moves[e.key])), false);
    } else if (e.key === 'Home') {
      e.preventDefault();
      select(0, false);
    } else if (e.key === 'End') {
      e.preventDefault();
      select(total - 1, false);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select(selected < 0 ? 0 : selected, true);
    }
  });

  // --- controls
  let filterTimer;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      bridge.post({ type: 'filter', text: filter.value });
      save({ filter: filter.value });
    }, 200);
  });
  group.addEventListener('change', () => {
    bridge.post({ type: 'group', by: group.value });
    save({ group: group.value });
  });
  interval.addEventListener('change', () => {
    const ms = Number(interval.value);
    bridge.post({ type: 'interval', ms });
    save({ intervalMs: ms });
  });
  pause.addEventListener('click', () => {
    const paused = !(state && state.paused);
    bridge.post({ type: 'pause', paused });
    save({ paused });
  });
  mark.addEventListener('click', () => {
    bridge.post({ type: 'mark' });
    deltaMode.value = 'mark';
    save({ deltaMode: 'mark' });
  });
  deltaMode.addEventListener('change', () => {
    bridge.post({ type: 'deltaMode', mode: deltaMode.value });
    save({ deltaMode: deltaMode.value });
  });

  function save(part) {
    state = Object.assign({}, state || {}, part);
    bridge.setState(state);
    pause.textContent = state.paused ? 'Resume' : 'Pause';
  }

  // --- detail (link comes from the bridge)
  function showDetail(d) {
    detail.replaceChildren();
    const f = d.flow;
    detail.appendChild(el('h3', '', `table=${f.table} priority=${f.priority} cookie=${f.cookie}  n_packets=${f.packets}${f.delta > 0 ? ` (+${f.delta})` : ''}`));
    detail.appendChild(el('div', 'mono', `match: ${f.match || '(any)'}`));
    detail.appendChild(el('div', 'mono', `actions: ${f.actions}`));
    if (d.note) detail.appendChild(el('div', 'note', d.note));
    for (const lf of d.logicalFlows) {
      const box = el('div', 'lflow');
      box.appendChild(el('div', 'lflow-head', `Logical flow ${lf.uuid.slice(0, 8)}: ${lf.pipeline} table=${lf.table} (${lf.stage}) priority=${lf.priority} on ${lf.datapaths.join(', ')}`));
      box.appendChild(el('div', 'mono', `match: ${lf.match}`));
      box.appendChild(el('div', 'mono', `actions: ${lf.actions}`));
      for (const o of lf.nbObjects) {
        const nb = el('div', 'nb');
        nb.appendChild(link(o.summary + (o.router ? ` on router ${o.router}` : ''), { kind: 'nb', table: o.table, uuid: o.uuid }));
        if (o.owner) {
          const k = el('div', 'owner');
          k.append('↳ Kubernetes: ');
          k.appendChild(o.owner.link ? link(o.owner.label, o.owner.link) : el('span', '', o.owner.label));
          k.appendChild(el('span', 'why', ` (${o.owner.why})`));
          nb.appendChild(k);
        }
        box.appendChild(nb);
      }
      detail.appendChild(box);
    }
    for (const r of d.records) detail.appendChild(el('div', 'record', r));
  }

  // --- messages from the host
  errorBanner.hidden = true;
  bridge.listen({
    init(m) {
      const s = Object.assign({}, m.state, state || {});
      s.node = m.state.node;
      s.bridge = m.state.bridge;
      save(s);
      filter.value = s.filter || '';
      group.value = s.group;
      interval.value = String(s.intervalMs);
      deltaMode.value = s.deltaMode;
      if (s.filter !== m.state.filter) bridge.post({ type: 'filter', text: s.filter });
      if (s.group !== m.state.group) bridge.post({ type: 'group', by: s.group });
      if (s.paused !== m.state.paused) bridge.post({ type: 'pause', paused: s.paused });
    },
    rows(m) {
      if (m.version !== version) pendingStart = -1;
      version = m.version;
      total = m.total;
      cache = { start: m.start, rows: m.rows };
      if (pendingStart === m.start) pendingStart = -1;
      if (selected >= total) selected = total - 1;
      heat = m.heat;
      render();
      drawStrip();
    },
    status(m) {
      status.textContent = `${m.text}${m.hitCount ? ` — ${m.hitCount} flows hit` : ''}${m.paused ? ' — paused' : ''}`;
      errorBanner.textContent = m.error || '';
      errorBanner.hidden = !m.error;
    },
    filterError(m) {
      filterError.textContent = m.message ? `filter: ${m.message}` : '';
      filter.toggleAttribute('invalid', !!m.message);
    },
    detail(m) {
      if (m.detail.id === selectedId) showDetail(m.detail);
    },
  });
})();
