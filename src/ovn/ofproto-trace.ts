// Parser for `ovs-appctl ofproto/trace BRIDGE FLOW` output.
//
// The output is one pass per datapath traversal: the first pass, then one per recirculation
// (conntrack, after a `==== recirc(0x7) - resume conntrack … ====` banner). Each pass has the
// flow, one or more `bridge("br-int")` blocks (a patch port opens the next bridge's block), the
// numbered table steps ` 0. in_port=2, priority 100, cookie 0xea6edc2b` with their actions
// below them, and ends with `Final flow:`, `Megaflow:` and `Datapath actions:`.
// ofproto/trace prints a resubmit that is the last action at its caller's indentation (a tail
// call) and indents the others; we keep that shape: tail steps are siblings, indented steps hang
// under the action that resubmitted to them.

export interface OfprotoTraceAction {
  line: number;
  text: string;
  /** the ` -> …` explanations printed under it */
  notes: string[];
  /** table steps this action ran before the next action (a non-tail resubmit, a clone) */
  steps: OfprotoTraceStep[];
}

export interface OfprotoTraceStep {
  line: number;
  table: number;
  /** the matched flow's match as printed ("" for a table-miss or catch-all flow) */
  match: string;
  priority?: number;
  /** "0x…" as printed; absent when the flow's cookie is 0 */
  cookie?: string;
  /** `No match.`: the packet missed the table */
  noMatch: boolean;
  actions: OfprotoTraceAction[];
}

export interface OfprotoTraceBridge {
  line: number;
  bridge: string;
  steps: OfprotoTraceStep[];
  /** lines before the first step, e.g. `thaw`, `Resuming from table 44` */
  notes: string[];
}

export interface OfprotoTraceRecirc {
  line: number;
  /** e.g. "0x7" */
  id: string;
  /** the banner line, e.g. `recirc(0x7) - resume conntrack with default ct_state=trk|new …` */
  text: string;
  /** the banner's other lines (NAT simulation) */
  details: string[];
}

export interface OfprotoTracePass {
  line: number;
  /** absent for the first pass */
  recirc?: OfprotoTraceRecirc;
  flow?: string;
  bridges: OfprotoTraceBridge[];
  /** the table a thawed (recirculated) pass resumed from */
  resumeTable?: number;
  finalFlow?: string;
  megaflow?: string;
  datapathActions?: string;
}

export interface OfprotoTraceParseError {
  line: number;
  text: string;
  reason: string;
}

export interface OfprotoTrace {
  passes: OfprotoTracePass[];
  errors: OfprotoTraceParseError[];
}

const RECIRC_RE = /^recirc\((0x[0-9a-fA-F]+)\)/;
const BRIDGE_RE = /^bridge\("((?:[^"\\]|\\.)*)"\)$/;
const STEP_RE = /^(\d+)\. (.*)$/;

export function parseOfprotoTrace(text: string): OfprotoTrace {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const trace: OfprotoTrace = { passes: [], errors: [] };
  let pass: OfprotoTracePass | undefined;
  let bridge: OfprotoTraceBridge | undefined;
  let stack: { indent: number; step: OfprotoTraceStep }[] = [];
  let banner: OfprotoTraceRecirc | undefined | null = null; // null: not inside a ==== banner
  const newPass = (line: number): OfprotoTracePass => {
    const p: OfprotoTracePass = { line, bridges: [] };
    trace.passes.push(p);
    bridge = undefined;
    stack = [];
    return p;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const lineNo = i + 1;
    const t = raw.trim();
    if (t === '') continue;
    if (/^=+$/.test(t)) {
      if (banner === null) banner = undefined; // opening: the next line names the recirculation
      else {
        if (banner === undefined) trace.errors.push({ line: lineNo, text: raw, reason: 'empty recirculation banner' });
        banner = null;
      }
      continue;
    }
    if (banner !== null) {
      if (banner === undefined) {
        const m = RECIRC_RE.exec(t);
        banner = { line: lineNo, id: m ? m[1] : '', text: t, details: [] };
        if (!m) trace.errors.push({ line: lineNo, text: raw, reason: 'banner without recirc(ID): unknown ofproto/trace section' });
        pass = newPass(lineNo);
        pass.recirc = banner;
      } else banner.details.push(t);
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0 && t.startsWith('Flow: ')) {
      if (!pass || pass.flow !== undefined || pass.bridges.length > 0) pass = newPass(lineNo);
      pass.flow = t.slice(6);
      continue;
    }
    if (indent === 0 && t.startsWith('Final flow: ')) {
      (pass ??= newPass(lineNo)).finalFlow = t.slice(12);
      bridge = undefined;
      continue;
    }
    if (indent === 0 && t.startsWith('Megaflow: ')) {
      (pass ??= newPass(lineNo)).megaflow = t.slice(10);
      continue;
    }
    if (indent === 0 && t.startsWith('Datapath actions: ')) {
      (pass ??= newPass(lineNo)).datapathActions = t.slice(18);
      continue;
    }
    const bm = BRIDGE_RE.exec(t);
    if (bm && isUnderline(lines[i + 1], t)) {
      i++;
      pass ??= newPass(lineNo);
      bridge = { line: lineNo, bridge: bm[1], steps: [], notes: [] };
      pass.bridges.push(bridge);
      stack = [];
      continue;
    }
    if (!bridge) {
      trace.errors.push({ line: lineNo, text: raw, reason: 'unrecognised line outside a bridge("…") block: not ofproto/trace output?' });
      continue;
    }
    const sm = STEP_RE.exec(t);
    if (sm) {
      const level = indent - (indent % 4); // "%2d." right-aligns table numbers
      const step = parseStep(Number(sm[1]), sm[2], lineNo);
      while (stack.length > 0 && stack[stack.length - 1].indent >= level) stack.pop();
      const parent = stack[stack.length - 1]?.step;
      const via = parent?.actions[parent.actions.length - 1];
      if (via) via.steps.push(step);
      else if (parent) parent.actions.push({ line: lineNo, text: '', notes: [], steps: [step] });
      else bridge.steps.push(step);
      stack.push({ indent: level, step });
      continue;
    }
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    const owner = stack[stack.length - 1]?.step;
    if (t.startsWith('-> ') || t === '->') {
      const last = owner?.actions[owner.actions.length - 1];
      if (last) last.notes.push(t.slice(3));
      else bridge.notes.push(t);
      continue;
    }
    if (!owner) {
      bridge.notes.push(t);
      const rm = /^Resuming from table (\d+)/.exec(t);
      if (rm && pass) pass.resumeTable = Number(rm[1]);
      continue;
    }
    owner.actions.push({ line: lineNo, text: t, notes: [], steps: [] });
  }
  if (banner !== null) trace.errors.push({ line: lines.length, text: '', reason: 'recirculation banner never closed: truncated output?' });
  return trace;
}

function isUnderline(under: string | undefined, title: string): boolean {
  if (!under) return false;
  const t = under.trim();
  return t.length === title.length && /^-+$/.test(t);
}

/** `in_port=2, priority 100, cookie 0xea6edc2b` | `priority 0` | `No match.` */
function parseStep(table: number, rest: string, line: number): OfprotoTraceStep {
  const step: OfprotoTraceStep = { line, table, match: '', noMatch: false, actions: [] };
  if (rest.startsWith('No match')) {
    step.noMatch = true;
    return step;
  }
  let s = rest;
  const ci = s.lastIndexOf(', cookie ');
  if (ci >= 0) {
    step.cookie = s.slice(ci + 9).trim();
    s = s.slice(0, ci);
  }
  const pi = s.lastIndexOf('priority ');
  if (pi >= 0 && (pi === 0 || s.startsWith(', ', pi - 2))) {
    const n = Number(s.slice(pi + 9));
    if (Number.isInteger(n)) step.priority = n;
    s = pi === 0 ? '' : s.slice(0, pi - 2);
  }
  step.match = s;
  return step;
}

/** Every step of every pass in the order ofproto/trace printed them (depth first). */
export function ofprotoSteps(trace: OfprotoTrace): OfprotoTraceStep[] {
  const out: OfprotoTraceStep[] = [];
  const walk = (steps: OfprotoTraceStep[]) => {
    for (const s of steps) {
      out.push(s);
      for (const a of s.actions) walk(a.steps);
    }
  };
  for (const p of trace.passes) for (const b of p.bridges) walk(b.steps);
  return out;
}
