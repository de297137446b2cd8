// Parser for `ovn-trace` output: `--detailed` (the default), `--summary` and `--minimal`.
//
// --detailed prints each logical datapath pass as a titled section (`ingress(dp="ovn-default",
// inport="vm1.default")` underlined with dashes), its stages as `25. ls_in_l2_lkup (northd.c:9122):
// MATCH, priority 50, uuid 1dfa3011` followed by the actions, and every ct_* / clone / multicast
// branch as another titled section. ovn-trace prints the last child of a node at its parent's
// indentation, so a section that follows another at the same indentation is its continuation
// (the egress after `output;`, the rest of the pipeline after `ct_dnat;`): we nest it there,
// which turns the printed chain back into the tree of what happened.
// --summary and --minimal are brace-nested; the same node types come out of them, without tables.

export interface OvnTraceBase {
  /** 1-based line number in the trace output */
  line: number;
  children: OvnTraceNode[];
}

/** One logical datapath pass: `ingress(dp="ovn-default", inport="vm1.default")`. */
export interface OvnTracePipeline extends OvnTraceBase {
  kind: 'pipeline';
  direction: 'ingress' | 'egress';
  datapath: string;
  inport?: string;
  outport?: string;
  title: string;
}

/** A ct_next / ct_dnat / ct_snat / ct_lb / clone / multicast … section: what follows happens inside it. */
export interface OvnTraceBranch extends OvnTraceBase {
  kind: 'branch';
  /** the whole title, e.g. `ct_dnatin_czone(ip4.dst=10.16.0.15) /* default (use --ct to customize) *\/` */
  title: string;
  /** the action that opened it: `ct_dnatin_czone`, `ct_next`, `ct_lb_mark`, `clone`, `multicast` … */
  action: string;
  /** the text between the action's parentheses, e.g. `ip4.dst=10.16.0.15` */
  args?: string;
  /** the comments in the title, e.g. `default (use --ct to customize)` */
  notes: string[];
}

/** A logical flow that matched: one stage of a pipeline. */
export interface OvnTraceTable extends OvnTraceBase {
  kind: 'table';
  table: number;
  /** e.g. `ls_in_port_sec_l2` */
  stage: string;
  /** northd source location, e.g. `northd.c:9122` (absent in older OVN) */
  source?: string;
  match: string;
  priority: number;
  /** the first 8 hex digits of the SB Logical_Flow uuid (ovn-trace prints a prefix) */
  uuid: string;
}

export interface OvnTraceAction extends OvnTraceBase {
  kind: 'action';
  /** the action as printed, without the final `;` */
  text: string;
}

export interface OvnTraceComment extends OvnTraceBase {
  kind: 'comment';
  /** the text inside `/* … *\/` */
  text: string;
}

export type OvnTraceNode = OvnTracePipeline | OvnTraceBranch | OvnTraceTable | OvnTraceAction | OvnTraceComment;

export type OvnTraceOutcome =
  | { kind: 'output'; line: number; port: string; type?: string; datapath?: string }
  | { kind: 'drop'; line: number; datapath?: string; stage?: string }
  /** ovn-trace noted it would not output, e.g. `omitting output because inport == outport` */
  | { kind: 'no-output'; line: number; reason: string; datapath?: string };

/** A datapath pass in document order, with the stages it went through (also those inside ct branches). */
export interface OvnTraceHop {
  line: number;
  direction: 'ingress' | 'egress';
  datapath: string;
  inport?: string;
  outport?: string;
  stages: OvnTraceTable[];
  /** titles of the branches taken during this pass (ct_dnat…, clone) */
  branches: string[];
}

export interface OvnTraceParseError {
  line: number;
  text: string;
  reason: string;
}

export interface OvnTrace {
  mode: 'detailed' | 'summary' | 'minimal';
  /** the microflow ovn-trace traced (the `# …` first line) */
  flow?: string;
  root: OvnTraceNode[];
  hops: OvnTraceHop[];
  outcomes: OvnTraceOutcome[];
  errors: OvnTraceParseError[];
}

const TABLE_RE = /^(\d+)\. ([A-Za-z0-9_]+)(?: \(([^)]*)\))?: (.*), priority (\d+), uuid ([0-9a-f]+)$/;
const PIPELINE_RE = /^(ingress|egress)\((.*)\)$/;
const KV_RE = /(\w+)="((?:[^"\\]|\\.)*)"/g;
const OUTPUT_RE = /^output to "((?:[^"\\]|\\.)*)"(?:, type "([^"]*)")?$/;

export function parseOvnTrace(text: string): OvnTrace {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const firstReal = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  const braced = firstReal >= 0 && isBracedTrace(lines, firstReal);
  const trace = braced ? parseBraced(lines) : parseDetailed(lines);
  trace.hops = collectHops(trace.root);
  trace.outcomes = collectOutcomes(trace.root);
  return trace;
}

/** --summary / --minimal: brace blocks (`… {` … `};`) or a list of `stmt;` lines. */
function isBracedTrace(lines: string[], first: number): boolean {
  // --detailed always has an underlined title after the flow line
  for (let i = first; i < lines.length - 1; i++) {
    if (isUnderline(lines[i + 1], lines[i])) return false;
  }
  return true;
}

function isUnderline(under: string | undefined, title: string): boolean {
  if (!under) return false;
  const t = under.trim();
  return t.length > 0 && t.length === title.trim().length && /^-+$/.test(t);
}

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

function parseDetailed(lines: string[]): OvnTrace {
  const trace: OvnTrace = { mode: 'detailed', root: [], hops: [], outcomes: [], errors: [] };
  // contentIndent: where the first line under a title went, which tells a flattened (last)
  // child from one printed indented (the passes of a multicast group)
  type Open = { indent: number; node: OvnTraceNode; contentIndent?: number };
  const stack: Open[] = [];
  const attach = (n: OvnTraceNode, indent: number) => {
    const top = stack[stack.length - 1];
    if (top && top.contentIndent === undefined) top.contentIndent = indent;
    (top ? top.node.children : trace.root).push(n);
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (raw.startsWith('#') && trace.flow === undefined && stack.length === 0 && trace.root.length === 0) {
      trace.flow = raw.slice(1).trim();
      continue;
    }
    const indent = indentOf(raw);
    if (isUnderline(lines[i + 1], raw)) {
      const node = titleNode(trimmed, lineNo);
      i++; // the dashes
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const isTitle = top.node.kind === 'pipeline' || top.node.kind === 'branch';
        if (top.indent > indent || (!isTitle && top.indent >= indent)) stack.pop();
        // a pass printed indented under its parent (one port of a multicast group) is followed
        // at its own indentation by its siblings, not by its continuation
        else if (top.indent === indent && top.node.kind === 'pipeline' && (top.contentIndent ?? indent) > indent) stack.pop();
        else break;
      }
      // otherwise a title at the indentation of the open title continues it (tail of its last node)
      attach(node, indent);
      stack.push({ indent, node });
      continue;
    }
    const tm = TABLE_RE.exec(trimmed);
    if (tm) {
      const level = indent - (indent % 4); // "%2d." right-aligns table numbers
      const node: OvnTraceTable = {
        kind: 'table', line: lineNo, children: [],
        table: Number(tm[1]), stage: tm[2], source: tm[3], match: tm[4], priority: Number(tm[5]), uuid: tm[6],
      };
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const isTitle = top.node.kind === 'pipeline' || top.node.kind === 'branch';
        if (top.indent > level || (!isTitle && top.indent >= level)) stack.pop();
        else break;
      }
      attach(node, level);
      stack.push({ indent: level, node });
      continue;
    }
    // an action or a comment under the table, title or action above it
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    if (stack.length === 0) {
      trace.errors.push({ line: lineNo, text: raw, reason: 'text outside any pipeline, stage or branch: not ovn-trace --detailed output?' });
      continue;
    }
    const node = statementNode(trimmed, lineNo);
    attach(node, indent);
    stack.push({ indent, node });
  }
  return trace;
}

function parseBraced(lines: string[]): OvnTrace {
  const trace: OvnTrace = { mode: 'summary', root: [], hops: [], outcomes: [], errors: [] };
  const stack: OvnTraceNode[] = [];
  let sawBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const lineNo = i + 1;
    const t = raw.trim();
    if (t === '') continue;
    if (raw.startsWith('#') && trace.flow === undefined && stack.length === 0 && trace.root.length === 0) {
      trace.flow = raw.slice(1).trim();
      continue;
    }
    const parent = stack.length > 0 ? stack[stack.length - 1].children : trace.root;
    if (t === '};' || t === '}') {
      if (stack.length === 0) trace.errors.push({ line: lineNo, text: raw, reason: 'closing brace without an open block' });
      else stack.pop();
      continue;
    }
    if (t.endsWith('{')) {
      sawBlock = true;
      const node = titleNode(t.slice(0, -1).trim(), lineNo);
      parent.push(node);
      stack.push(node);
      continue;
    }
    if (!t.endsWith(';') && !(t.startsWith('/*') && t.endsWith('*/'))) {
      trace.errors.push({ line: lineNo, text: raw, reason: 'expected a statement ending in ";", a block "… {" or "};"' });
      continue;
    }
    parent.push(statementNode(t, lineNo));
  }
  if (stack.length > 0) {
    trace.errors.push({ line: stack[stack.length - 1].line, text: lines[stack[stack.length - 1].line - 1], reason: 'block never closed: truncated trace?' });
  }
  // --summary always opens with ingress(…) { }; --minimal prints only the actions that change the packet
  trace.mode = sawBlock && trace.root.some((n) => n.kind === 'pipeline') ? 'summary' : 'minimal';
  return trace;
}

function titleNode(title: string, line: number): OvnTracePipeline | OvnTraceBranch {
  const pm = PIPELINE_RE.exec(title);
  if (pm) {
    const kv: Record<string, string> = {};
    for (const m of pm[2].matchAll(KV_RE)) kv[m[1]] = m[2];
    return {
      kind: 'pipeline', line, children: [], title,
      direction: pm[1] as 'ingress' | 'egress', datapath: kv.dp ?? '', inport: kv.inport, outport: kv.outport,
    };
  }
  const notes: string[] = [];
  const bare = title.replace(/\/\*(.*?)\*\//g, (_, c: string) => {
    notes.push(c.trim());
    return '';
  }).trim();
  const paren = bare.indexOf('(');
  const action = paren < 0 ? bare : bare.slice(0, paren);
  const args = paren >= 0 && bare.endsWith(')') ? bare.slice(paren + 1, -1) : undefined;
  return { kind: 'branch', line, children: [], title, action, args, notes };
}

function statementNode(t: string, line: number): OvnTraceAction | OvnTraceComment {
  let s = t.endsWith(';') ? t.slice(0, -1).trimEnd() : t;
  if (s.startsWith('/*') && s.endsWith('*/')) {
    s = s.slice(2, -2).trim();
    return { kind: 'comment', line, children: [], text: s };
  }
  return { kind: 'action', line, children: [], text: s };
}

function collectHops(root: OvnTraceNode[]): OvnTraceHop[] {
  const hops: OvnTraceHop[] = [];
  const walk = (nodes: OvnTraceNode[], hop: OvnTraceHop | undefined) => {
    for (const n of nodes) {
      if (n.kind === 'pipeline') {
        const h: OvnTraceHop = {
          line: n.line, direction: n.direction, datapath: n.datapath, inport: n.inport, outport: n.outport, stages: [], branches: [],
        };
        hops.push(h);
        walk(n.children, h);
        continue;
      }
      if (hop && n.kind === 'table') hop.stages.push(n);
      if (hop && n.kind === 'branch') hop.branches.push(n.title);
      walk(n.children, hop);
    }
  };
  walk(root, undefined);
  hops.sort((a, b) => a.line - b.line);
  return hops;
}

function collectOutcomes(root: OvnTraceNode[]): OvnTraceOutcome[] {
  const out: OvnTraceOutcome[] = [];
  const walk = (nodes: OvnTraceNode[], dp: string | undefined, stage: string | undefined) => {
    for (const n of nodes) {
      if (n.kind === 'pipeline') walk(n.children, n.datapath, undefined);
      else if (n.kind === 'table') walk(n.children, dp, n.stage);
      else if (n.kind === 'comment') {
        const om = OUTPUT_RE.exec(n.text);
        if (om) out.push({ kind: 'output', line: n.line, port: om[1], type: om[2], datapath: dp });
        else if (n.text.startsWith('omitting output')) out.push({ kind: 'no-output', line: n.line, reason: n.text, datapath: dp });
      } else if (n.kind === 'action') {
        if (n.text === 'drop') out.push({ kind: 'drop', line: n.line, datapath: dp, stage });
        else if (n.text.startsWith('output("')) {
          // --minimal: output("vm2.default")
          out.push({ kind: 'output', line: n.line, port: n.text.slice(8, -2), datapath: dp });
        }
        walk(n.children, dp, stage);
      } else walk(n.children, dp, stage);
    }
  };
  walk(root, undefined, undefined);
  out.sort((a, b) => a.line - b.line);
  return out;
}

/** The stages of a trace in the order they ran, flattened (for tables and cookie matching). */
export function traceStages(trace: OvnTrace): OvnTraceTable[] {
  return trace.hops.flatMap((h) => h.stages);
}
