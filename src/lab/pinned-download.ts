// One verified-download implementation for every pinned file ovnlab fetches (the local lab's
// kube-apiserver/etcd archive, the kind lab's kind/kubectl/helm/virtctl, release manifests).
//
// The bytes go to `<dest>.part`, hashed as they arrive. Only a file whose whole digest matches
// the pinned one is renamed to `dest` (and made executable when asked), so nothing unverified is
// ever found under the final name. A digest mismatch deletes the `.part` file; an interrupted
// transfer keeps it when `resume` is on, and the next call continues it with an HTTP Range
// request (hashing the bytes already there first), or starts over if the server ignores Range.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
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

    const res = await fetch(url, { signal: opts.signal, redirect: 'follow', headers: offset > 0 ? { range: `bytes=${offset}-` } : {} });
    let h = hash;
    let append = false;
    if (res.status === 206 && offset > 0) {
      append = true;
    } else if (res.status === 416 && offset > 0) {
      // the .part already holds every byte (a crash after the transfer, before the rename)
      await res.body?.cancel();
    } else if (res.ok && res.body) {
      // a fresh start, or a server that ignores Range: hash from byte 0 again
      h = createHash(file.algorithm);
      offset = 0;
    } else {
      await res.body?.cancel();
      throw new Error(`download of ${file.label} from ${url} failed: HTTP ${res.status} ${res.statusText}`);
    }

    if (res.status !== 416) {
      const length = Number(res.headers.get('content-length')) || undefined;
      const total = length === undefined ? undefined : offset + length;
      let received = offset;
      // each chunk is written (and awaited) as it comes, so whatever arrived before a dropped
      // connection is on disk for the next attempt to resume from
      const out = await open(part, append ? 'a' : 'w');
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          h.update(chunk);
          await out.write(chunk);
          received += chunk.length;
          opts.onProgress?.(received, total);
        }
      } finally {
        await out.close();
      }
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
