// The Trace panel webview: two slots (a, b) side by side, each a query form and the trace the
// host sent: chassis hops, the logical hops (switch → router → switch…) with their stages and the
// OpenFlow steps under each stage, datapath actions, drops explained, and the reply direction.
// The last good trace of a slot stays when a new one fails (the error shows above it).
(function () {
  'use strict';
  const bridge = window.ovnlabPanelBridge();
  const { el, link } = bridge;
  const app = document.getElementById('app');
  let state = bridge.getState() || {};
  const slots = {};

  const ports = el('datalist');
  ports.id = 'ports';
  const columns = el('div', 'trace-columns');
  app.append(ports, columns);

  function makeSlot(name) {
    const box = el('section', 'trace-slot');
    box.setAttribute('aria-label', `Trace ${name.toUpperCase()}`);
    const form = el('form', 'trace-form');
    const from = el('vscode-textfield');
    from.setAttribute('placeholder', 'from port: testvm.default');
    from.setAttribute('aria-label', `Trace ${name}: from port`);
    const dst = el('vscode-textfield');
    dst.setAttribute('placeholder', 'to IP: 192.168.100.101');
    dst.setAttribute('aria-label', `Trace ${name}: destination IP`);
    const proto = el('vscode-single-select');
    proto.setAttribute('aria-label', `Trace ${name}: protocol`);
    for (const p of ['icmp', 'tcp', 'udp']) {
      const o = el('vscode-option', '', p);
      o.setAttribute('value', p);
      proto.appendChild(o);
    }
    const port = el('vscode-textfield');
    port.setAttribute('placeholder', 'port');
    port.setAttribute('aria-label', `Trace ${name}: destination port`);
    port.className = 'port';
    const go = el('vscode-button', '', name === 'a' ? 'Trace' : 'Trace (compare)');
    go.setAttribute('type', 'submit');
    form.append(from, dst, proto, port, go);
    const msg = el('div', 'error-banner');
    msg.setAttribute('role', 'alert');
    msg.hidden = true;
    const busy = el('div', 'status');
    const out = el('div', 'trace-out');
    box.append(el('h2', '', name === 'a' ? 'Trace A' : 'Trace B (compare)'), form, busy, msg, out);
    columns.appendChild(box);
    const submit = (e) => {
      if (e) e.preventDefault();
      const q = { from: from.value.trim(), dst: dst.value.trim(), protocol: proto.value || 'icmp' };
      if (q.protocol !== 'icmp') q.port = Number(port.value);
      state[name] = q;
      bridge.setState(state);
      bridge.post({ type: 'run', slot: name, query: q });
    };
    form.addEventListener('submit', submit);
    go.addEventListener('click', submit);
    for (const f of [from, dst, port]) f.addEventListener('keydown', (e) => { if (e.key === 'Enter') submit(e); });
    slots[name] = { from, dst, proto, port, msg, busy, out, fill(q) {
      from.value = q.from; dst.value = q.dst; proto.value = q.protocol; port.value = q.port ? String(q.port) : '';
    } };
  }
  makeSlot('a');
  makeSlot('b');

  function renderTrace(v, title) {
    const wrap = el('div', 'trace');
    wrap.appendChild(el('h3', '', title || v.title));
    const e = v.endpoints;
    wrap.appendChild(el('div', 'mono', `${e.srcIp} (${e.srcMac}) → ${e.dstIp}, dst MAC ${e.dstMac}: ${e.dstMacFrom}`));
    const ch = el('div', 'chassis');
    ch.appendChild(el('strong', '', 'Chassis: '));
    v.chassisHops.forEach((h, i) => {
      if (i) ch.append(' → ');
      const s = el('span', 'chassis-hop', h.node);
      s.title = h.via;
      ch.appendChild(s);
      ch.appendChild(el('span', 'why', ` (${h.via})`));
    });
    wrap.appendChild(ch);
    const path = el('div', 'path');
    path.textContent = 'Path: ' + v.hops.filter((h) => h.direction === 'ingress').map((h) => `${h.kind} ${h.datapath}`).join(' → ');
    wrap.appendChild(path);
    for (const h of v.hops) {
      const d = el('details', `hop ${h.kind}`);
      d.open = true;
      const s = el('summary', '', `${h.direction} ${h.kind} ${h.datapath}${h.inport ? ` in ${h.inport}` : ''}${h.outport ? ` out ${h.outport}` : ''}`);
      d.appendChild(s);
      if (h.branches.length) d.appendChild(el('div', 'why', h.branches.join('; ')));
      for (const st of h.stages) {
        const sb = el('div', `stage${st.drop ? ' drop' : ''}`);
        sb.appendChild(el('div', 'stage-head', `${st.table}. ${st.stage} priority ${st.priority} (lflow ${st.uuid})`));
        sb.appendChild(el('div', 'mono', `match: ${st.match}`));
        if (st.actions.length) sb.appendChild(el('div', 'mono', st.actions.join(' ')));
        for (const o of st.nbObjects) {
          const nb = el('div', 'nb');
          nb.appendChild(link(o.summary + (o.router ? ` on router ${o.router}` : ''), { kind: 'nb', table: o.table, uuid: o.uuid }));
          if (o.owner) {
            nb.append(' ↳ ');
            nb.appendChild(o.owner.link ? link(o.owner.label, o.owner.link) : el('span', '', o.owner.label));
          }
          sb.appendChild(nb);
        }
        if (st.ofSteps.length) {
          const ul = el('ul', 'of-steps');
          for (const o of st.ofSteps) ul.appendChild(el('li', 'mono', `${'  '.repeat(o.depth)}OpenFlow table=${o.table}${o.priority !== undefined ? ` priority=${o.priority}` : ''} ${o.match} cookie=${o.cookie}`));
          sb.appendChild(ul);
        }
        d.appendChild(sb);
      }
      wrap.appendChild(d);
    }
    wrap.appendChild(el('div', 'outcome', `Outcome: ${v.outcomes.join('; ') || '(none printed)'}`));
    for (const dr of v.drops) wrap.appendChild(el('div', 'drop-why', dr));
    const dpa = el('div', 'mono dp-actions', `Datapath actions on ${v.node}: ${v.datapathActions.join(' | ')}`);
    wrap.appendChild(dpa);
    if (v.unmatchedSteps) wrap.appendChild(el('div', 'why', `${v.unmatchedSteps} OpenFlow steps belong to no logical stage (physical tables, cookie 0 or SB records)`));
    for (const p of v.parseErrors) wrap.appendChild(el('div', 'why', p));
    const raw = el('details', 'raw');
    raw.appendChild(el('summary', '', 'Raw ovn-trace and ofproto/trace output'));
    raw.appendChild(el('pre', '', v.ovnTraceText));
    raw.appendChild(el('pre', '', v.ofprotoText));
    wrap.appendChild(raw);
    return wrap;
  }

  bridge.listen({
    init(m) {
      ports.replaceChildren(...m.ports.map((p) => { const o = el('option'); o.value = p; return o; }));
      state = Object.assign({}, m.state, state);
      for (const s of ['a', 'b']) if (state[s]) slots[s].fill(state[s]);
      bridge.setState(state);
    },
    busy(m) {
      const s = slots[m.slot];
      s.fill(m.query);
      s.busy.textContent = `tracing ${m.query.from} → ${m.query.dst}…`;
      s.msg.hidden = true;
    },
    error(m) {
      const s = slots[m.slot];
      s.busy.textContent = '';
      s.msg.textContent = m.message;
      s.msg.hidden = false;
    },
    trace(m) {
      const s = slots[m.slot];
      s.busy.textContent = '';
      s.msg.hidden = true;
      state[m.slot] = m.view.query;
      bridge.setState(state);
      s.out.replaceChildren(renderTrace(m.view));
      if (m.reply) s.out.appendChild(renderTrace(m.reply, `Reply: ${m.reply.title}`));
      if (m.replyNote) s.out.appendChild(el('div', 'why', m.replyNote));
    },
  });
})();
