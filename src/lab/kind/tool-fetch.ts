// Finds kind, kubectl, helm and virtctl for the kind lab, in this order: a configured path
// (the ovnlab.tools.* settings / CLI flags), PATH, ovnlab's cache (`<cache>/<tool>-<version>`);
// and fetches a missing one into the cache from its official release URL, verified against
// the sha256 pinned in versions.ts (through the shared downloader, which resumes an interrupted
// transfer and leaves nothing under the final name unless the digest matched).
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { downloadVerified, type PinnedFile } from '../pinned-download';
import { defaultBinCache } from '../local/pinned-binaries';
import { TOOL_PINS, toolPlatform, type KindTool, type ToolPin, type ToolPlatform } from './versions';

export type ToolSource = 'configured' | 'path' | 'cache' | 'download';

export interface ToolLocation {
  tool: KindTool;
  path: string;
  source: ToolSource;
}

export interface FindToolOptions {
  configured?: string;
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  /** Replaces the pins (tests pin a file served from 127.0.0.1). */
  pins?: Record<KindTool, ToolPin>;
}

export interface FetchToolOptions extends FindToolOptions {
  platform?: ToolPlatform;
  /** Replaces the pinned URL (tests). */
  url?: string;
  signal?: AbortSignal;
  onProgress?: (received: number, total?: number) => void;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The cache path of a pinned tool: `<cache>/<tool>-<version>`. */
export function cachedToolPath(tool: KindTool, cacheDir: string, pins: Record<KindTool, ToolPin> = TOOL_PINS): string {
  return join(cacheDir, `${tool}-${pins[tool].version}`);
}

async function onPath(tool: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    if (await isExecutableFile(p)) return p;
  }
  return undefined;
}

/** Where the tool is already, or undefined (then fetchTool can get it). */
export async function findTool(tool: KindTool, opts: FindToolOptions = {}): Promise<ToolLocation | undefined> {
  const env = opts.env ?? process.env;
  if (opts.configured) {
    if (await isExecutableFile(opts.configured)) return { tool, path: opts.configured, source: 'configured' };
    throw new Error(`the configured ${tool} "${opts.configured}" is not an executable file: fix the ovnlab.tools.${tool} setting, or clear it to use PATH or a download`);
  }
  const fromPath = await onPath(tool, env);
  if (fromPath) return { tool, path: fromPath, source: 'path' };
  const cached = cachedToolPath(tool, opts.cacheDir ?? defaultBinCache(env), opts.pins);
  if (await isExecutableFile(cached)) return { tool, path: cached, source: 'cache' };
  return undefined;
}

/** The pinned download for this tool and platform (digest undefined: not pinned, not fetched). */
export function pinnedToolFile(tool: KindTool, platform: ToolPlatform, pins: Record<KindTool, ToolPin> = TOOL_PINS): PinnedFile {
  const pin = pins[tool];
  const a = pin.assets[platform];
  return { label: `${tool} ${pin.version} ${platform}`, url: a.url, algorithm: 'sha256', digest: a.sha256 };
}

/**
 * Downloads the pinned tool into the cache and returns it. A raw binary is verified and made
 * executable in one rename; an archive (helm) is verified first, then only its one member is
 * extracted, in a temporary directory that is always removed.
 */
export async function fetchTool(tool: KindTool, opts: FetchToolOptions = {}): Promise<ToolLocation> {
  const env = opts.env ?? process.env;
  const pins = opts.pins ?? TOOL_PINS;
  const platform = opts.platform ?? toolPlatform();
  if (!platform) throw new Error(`ovnlab pins no ${tool} download for ${process.platform}/${process.arch}: install ${tool} yourself and put it on PATH`);
  const cacheDir = opts.cacheDir ?? defaultBinCache(env);
  const dest = cachedToolPath(tool, cacheDir, pins);
  const file = pinnedToolFile(tool, platform, pins);
  const member = pins[tool].assets[platform].member;
  await mkdir(cacheDir, { recursive: true });
  if (!member) {
    await downloadVerified(file, dest, { url: opts.url, signal: opts.signal, onProgress: opts.onProgress, mode: 0o755 });
    return { tool, path: dest, source: 'download' };
  }
  if (member.startsWith('/') || member.split('/').includes('..')) throw new Error(`pinned ${file.label}: unsafe archive member ${member}`);
  // the archive is kept (with its .part) beside the cache entry until it is unpacked, so an
  // interrupted download resumes; it is removed once the binary is in place
  const archive = `${dest}.tar.gz`;
  await downloadVerified(file, archive, { url: opts.url, signal: opts.signal, onProgress: opts.onProgress });
  const work = await mkdtemp(join(cacheDir, `.unpack-${tool}-`));
  try {
    const r = await execa('tar', ['-xzf', archive, '-C', work, '--', member], { reject: false });
    if (r.exitCode !== 0) throw new Error(`could not unpack ${file.label}: ${r.stderr.trim() || r.message}`);
    const from = join(work, member);
    if (!(await stat(from)).isFile()) throw new Error(`pinned ${file.label}: ${member} is not a file`);
    await chmod(from, 0o755);
    await rename(from, dest);
    return { tool, path: dest, source: 'download' };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(archive, { force: true });
  }
}

/** findTool, then fetchTool when the tool is nowhere. */
export async function ensureTool(tool: KindTool, opts: FetchToolOptions = {}): Promise<ToolLocation> {
  return (await findTool(tool, opts)) ?? fetchTool(tool, opts);
}
