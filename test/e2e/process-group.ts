// Stopping a process group for good: code-server forks its extension host, file watcher and pty
// host into its own group (we start it as a session leader), so killing the group by id and then
// checking /proc that no member is left is how a test proves it cleaned up.
import { readdirSync, readFileSync } from 'node:fs';

/** Process ids whose process group id is `pgid` (Linux /proc). */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z') out.push(Number(name));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitEmpty(pgid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (processGroupMembers(pgid).length === 0) return true;
    await sleep(50);
  }
  return processGroupMembers(pgid).length === 0;
}

/** SIGTERM the group, then SIGKILL what is left after `graceMs`; throws if anything survives. */
export async function killProcessGroup(pgid: number, graceMs = 5000): Promise<void> {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to kill process group ${pgid}`);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  };
  signal('SIGTERM');
  if (await waitEmpty(pgid, graceMs)) return;
  signal('SIGKILL');
  if (await waitEmpty(pgid, 3000)) return;
  throw new Error(`process group ${pgid} still has members after SIGKILL: ${processGroupMembers(pgid).join(', ')}`);
}
