// One verified-download implementation for every pinned file ovnlab fetches (the local lab's
// kube-apiserver/etcd archive, the kind lab's kind/kubectl/helm/virtctl, release manifests).
//
// The bytes go to `<dest>.part`, hashed as they arrive. Only a file whose whole digest matches
// the pinned one is renamed to `dest` (and made executable when asked), so nothing unverified is
// ever found under the final name. A digest mismatch deletes the `.part` file; an interrupted
// transfer keeps it when `resume` is on, and the next call continues it with an HTTP Range
// request (hashing the bytes already there first), or starts over if the server ignores Range.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { get as httpGetPlain, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** A file published by a project's release process, pinned by its digest. */
export interface PinnedFile {
  /** What it is, for messages: "kind v0.33.0 linux/amd64". */
  label: string;
  url: string;
  algorithm: DigestAlgorithm;
  /**
   * Lower-case hex digest of the whole file, or undefined when no published digest could be
   * found when the pin was chosen: such a file is never downloaded.
   */
  digest: string | undefined;
}

export interface VerifiedDownloadOptions {
  /** Replaces the pinned URL (tests serve the file from 127.0.0.1). */
  url?: string;
  signal?: AbortSignal;
  /** Bytes on disk so far (including resumed ones) and the total when known. */
  onProgress?: (received: number, total?: number) => void;
  /** Keep `<dest>.part` after an interrupted transfer and continue it next time (default true). */
  resume?: boolean;
  /** File mode given to the verified file before it is renamed into place (e.g. 0o755). */
  mode?: number;
}

/** Thrown before any network access when a file has no pinned digest. */
export class UnpinnedDownloadError extends Error {
  constructor(readonly file: PinnedFile) {
    super(
      `no published checksum is pinned for ${file.label}, so ovnlab will not download it unverified. ` +
        'Install it yourself (on PATH, or set its path in the ovnlab.tools.* settings), or pin its sha256 in src/lab/kind/versions.ts.',
    );
    this.name = 'UnpinnedDownloadError';
  }
}

/** Thrown when the downloaded bytes do not match the pin; the download was discarded. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly file: PinnedFile,
    readonly url: string,
    readonly got: string,
  ) {
    super(
      `checksum mismatch for ${file.label} from ${url}: expected ${file.algorithm} ${file.digest ?? '(none)'}, got ${got}. ` +
        'The download was discarded and nothing was installed; retry later, or install the tool yourself.',
    );
    this.name = 'ChecksumMismatchError';
  }
}

function isHex(s: string, algorithm: DigestAlgorithm): boolean {
  return new RegExp(`^[0-9a-f]{${algorithm === 'sha256' ? 64 : 128}}$`).test(s);
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

async function hashExisting(hash: Hash, p: string, signal?: AbortSignal): Promise<void> {
  await pipeline(
    createReadStream(p),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
    { signal },
  );
}

/**
 * GET with redirects followed (GitHub release assets redirect to their storage host), on
 * node:http(s) rather than fetch: a WHATWG body stream drops the chunks it had queued when the
 * connection breaks, and those bytes are exactly what a resumable download must keep.
 */
function httpGet(url: string, headers: Record<string, string>, signal?: AbortSignal, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const get = u.protocol === 'https:' ? httpsGet : u.protocol === 'http:' ? httpGetPlain : undefined;
    if (!get) {
      reject(new Error(`cannot download ${url}: only http and https URLs`));
      return;
    }
    const req = get(u, { headers, signal }, (res) => {
      const location = res.headers.location;
      if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects === 0) reject(new Error(`too many redirects downloading ${url}`));
        else httpGet(new URL(location, u).toString(), headers, signal, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.on('error', reject);
  });
}

/**
 * Writes the body to `part` (appending when resuming) while hashing it; resolves to the byte
 * count on disk, rejects when the transfer breaks or is aborted, after flushing every byte that
 * arrived. The response flows (never paused), so nothing sits unread in a buffer a broken
 * connection would discard.
 */
function receive(res: IncomingMessage, part: string, append: boolean, hash: Hash, offset: number, progress: (received: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    let received = offset;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      out.end(() => (err ? reject(err) : resolve(received)));
    };
    out.on('error', (e) => {
      settled = true;
      res.destroy();
      reject(e);
    });
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      out.write(chunk);
      received += chunk.length;
      progress(received);
    });
    res.on('end', () => finish());
    res.on('error', (e) => finish(e));
    res.on('close', () => {
      if (!res.complete) finish(new Error(`the connection closed after ${received} bytes`));
    });
  });
}

/** The `.part` file a download of `dest` writes to. */
export function partialPath(dest: string): string {
  return `${dest}.part`;
}

/**
 * Downloads `file` to `dest`, verifying its digest; resolves to `dest`. Rejects with
 * UnpinnedDownloadError (no request made), ChecksumMismatchError (nothing left behind) or the
 * transfer's error (the `.part` file is kept for a later resume unless `resume` is false).
 */
export async function downloadVerified(file: PinnedFile, dest: string, opts: VerifiedDownloadOptions = {}): Promise<string> {
  if (file.digest === undefined) throw new UnpinnedDownloadError(file);
  if (!isHex(file.digest, file.algorithm)) throw new Error(`pinned ${file.label}: digest must be ${file.algorithm} in lower-case hex, got "${file.digest}"`);
  const url = opts.url ?? file.url;
  const resume = opts.resume ?? true;
  const part = partialPath(dest);
  await mkdir(dirname(dest), { recursive: true });
  if (!resume) await rm(part, { force: true });

  let keepPart = resume;
  try {
    const hash = createHash(file.algorithm);
    let offset = await sizeOf(part);
    if (offset > 0) await hashExisting(hash, part, opts.signal);

    const res = await httpGet(url, offset > 0 ? { range: `bytes=${offset}-` } : {}, opts.signal);
    const status = res.statusCode ?? 0;
    let h = hash;
    let append = false;
    if (status === 206 && offset > 0) {
      append = true;
    } else if (status === 416 && offset > 0) {
      // the .part already holds every byte (a crash after the transfer, before the rename)
      res.resume();
    } else if (status >= 200 && status < 300) {
      // a fresh start, or a server that ignores Range: hash from byte 0 again
      h = createHash(file.algorithm);
      offset = 0;
    } else {
      res.resume();
      throw new Error(`download of ${file.label} from ${url} failed: HTTP ${status} ${res.statusMessage ?? ''}`.trim());
    }

    if (status !== 416) {
      const length = Number(res.headers['content-length']) || undefined;
      const total = length === undefined ? undefined : offset + length;
      const received = await receive(res, part, append, h, offset, (got) => opts.onProgress?.(got, total));
      if (total !== undefined && received !== total) throw new Error(`download of ${file.label} from ${url} ended early: ${received} of ${total} bytes`);
    }

    const got = h.digest('hex');
    if (got !== file.digest) {
      keepPart = false;
      throw new ChecksumMismatchError(file, url, got);
    }
    if (opts.mode !== undefined) await chmod(part, opts.mode);
    await rename(part, dest);
    return dest;
  } catch (e) {
    if (!keepPart) await rm(part, { force: true });
    throw e;
  }
}
