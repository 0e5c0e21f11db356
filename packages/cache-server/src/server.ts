/**
 * A small self-hosted remote cache server for Nx (the "build your own caching server" protocol, Nx ≥ 20.8):
 *
 *   PUT /v1/cache/{hash}   body = the task's tar archive (application/octet-stream), Content-Length required
 *       200 stored · 400 bad hash / missing Content-Length / body shorter than announced · 401 no or unknown
 *       token · 403 read-only token · 409 an entry for this hash already exists (never overwritten) · 413 too big
 *   GET /v1/cache/{hash}
 *       200 the archive (application/octet-stream) · 400 bad hash · 401 no or unknown token · 404 not found
 *
 * Authentication is `Authorization: Bearer <token>` (Nx sends NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).
 * Read-write tokens may GET and PUT; read-only tokens may only GET. There is no anonymous access.
 *
 * Storage is one file per hash in `dir`. A PUT streams into a temp file in the same directory, then
 * hard-links it to its final name: link(2) is atomic and fails if the name exists, so a reader never sees
 * a partial entry, and two concurrent writers of one hash cannot overwrite each other (the second gets
 * 409). Several server processes may share one `dir` (e.g. on a shared filesystem) for the same reason.
 *
 * No dependencies beyond node:*. Library use: `startCacheServer({...})`; CLI: see `main()` below or
 * docs/REMOTE_CACHE.md.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface CacheServerOptions {
  /** Directory holding one file per cache entry (created if missing). */
  dir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only); use 0.0.0.0 to serve a team or cluster network. */
  host?: string;
  /** Tokens that may read and write. */
  readWriteTokens?: string[];
  /** Tokens that may only read (pull-request builds, laptops). */
  readOnlyTokens?: string[];
  /** Largest accepted entry in bytes (default 2 GiB). */
  maxEntryBytes?: number;
  /** Called after every request (logging). */
  onRequest?: (e: CacheRequestEvent) => void;
}

export interface CacheRequestEvent {
  method: string;
  hash: string | null;
  status: number;
  access: 'read-write' | 'read-only' | 'none';
  bytes: number;
}

export interface CacheServer {
  /** e.g. http://127.0.0.1:41234 — the value for NX_SELF_HOSTED_REMOTE_CACHE_SERVER. */
  url: string;
  /** Counts of requests by `${METHOD} ${status}`, e.g. { 'PUT 200': 3, 'GET 404': 5 }. */
  stats: Record<string, number>;
  close(): Promise<void>;
}

/** Nx task hashes are decimal or hex digests; anything outside this set never reaches the filesystem. */
const HASH_RE = /^[A-Za-z0-9_-]{1,128}$/;
const ROUTE_RE = /^\/v1\/cache\/([^/?#]*)$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export async function startCacheServer(opts: CacheServerOptions): Promise<CacheServer> {
  const dir = resolve(opts.dir);
  const rw = (opts.readWriteTokens ?? []).filter(Boolean).map(digest);
  const ro = (opts.readOnlyTokens ?? []).filter(Boolean).map(digest);
  if (rw.length + ro.length === 0) throw new Error('startCacheServer: give at least one read-write or read-only token');
  const maxEntryBytes = opts.maxEntryBytes ?? 2 * 1024 ** 3;
  await mkdir(dir, { recursive: true });
  // Temp files of a crashed writer: remove at start (safe: live writers use names with a fresh random part,
  // but a shared dir with other live servers could be writing, so only files older than an hour go).
  for (const name of await readdir(dir)) {
    if (!name.startsWith('.tmp-')) continue;
    const s = await stat(join(dir, name)).catch(() => null);
    if (s && Date.now() - s.mtimeMs > 3600_000) await unlink(join(dir, name)).catch(() => {});
  }
  const stats: Record<string, number> = {};

  const access = (req: IncomingMessage): CacheRequestEvent['access'] => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return 'none';
    const d = digest(m[1]);
    // Compare digests (fixed length) in constant time; check every token so timing does not leak which matched.
    let isRw = false;
    let isRo = false;
    for (const t of rw) isRw = timingSafeEqual(t, d) || isRw;
    for (const t of ro) isRo = timingSafeEqual(t, d) || isRo;
    return isRw ? 'read-write' : isRo ? 'read-only' : 'none';
  };

  async function handle(req: IncomingMessage, res: ServerResponse, ev: CacheRequestEvent): Promise<number> {
    const text = (status: number, msg: string) => {
      // A rejected upload's body is read and discarded, so the client sees the status, not a reset socket.
      if (req.method === 'PUT' && !req.readableEnded) req.resume();
      // Exactly `text/plain`: Nx rejects a 401 with any other content type as a misconfigured endpoint.
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(msg + '\n');
      return status;
    };
    const route = ROUTE_RE.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!route) return text(404, 'not found: the API is GET/PUT /v1/cache/{hash}');
    if (req.method !== 'GET' && req.method !== 'PUT') {
      res.setHeader('allow', 'GET, PUT');
      return text(405, 'method not allowed');
    }
    ev.access = access(req);
    if (ev.access === 'none') return text(401, 'missing or invalid authentication token');
    const hash = decodeURIComponent(route[1]);
    if (!HASH_RE.test(hash)) return text(400, 'invalid hash');
    ev.hash = hash;
    const file = join(dir, hash);

    if (req.method === 'GET') {
      const s = await stat(file).catch(() => null);
      if (!s?.isFile()) return text(404, 'record not found');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(s.size) });
      ev.bytes = s.size;
      // Not stream.pipeline: a client that closes its socket right after the last byte makes it reject with
      // ERR_STREAM_PREMATURE_CLOSE though everything was sent. Count it as served once the whole file was written.
      return new Promise<number>((ok) => {
        const src = createReadStream(file);
        let sent = 0;
        src.on('data', (c) => (sent += c.length));
        src.on('error', () => (res.destroy(), ok(500)));
        res.on('close', () => {
          src.destroy();
          ok(sent === s.size ? 200 : 499); // 499: the client went away early
        });
        src.pipe(res);
      });
    }

    // PUT
    if (ev.access !== 'read-write') return text(403, 'access forbidden: this token is read-only');
    const lenHeader = req.headers['content-length'];
    const len = lenHeader !== undefined && /^\d+$/.test(lenHeader) ? Number(lenHeader) : NaN;
    if (!Number.isSafeInteger(len)) return text(400, 'missing or invalid Content-Length header');
    if (len > maxEntryBytes) return text(413, `entry too large (${len} > ${maxEntryBytes} bytes)`);
    if (await stat(file).then(() => true, () => false)) return text(409, 'cannot override an existing record');
    const tmp = join(dir, `.tmp-${hash}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      let received = 0;
      req.on('data', (c: Buffer) => (received += c.length));
      await pipeline(req, createWriteStream(tmp, { flags: 'wx' }));
      if (received !== len) return text(400, `body has ${received} bytes, Content-Length said ${len}`);
      try {
        await link(tmp, file); // atomic, never overwrites
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return text(409, 'cannot override an existing record');
        throw e;
      }
      ev.bytes = len;
      return text(200, 'stored');
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  const server = createServer((req, res) => {
    const ev: CacheRequestEvent = { method: req.method ?? '?', hash: null, status: 0, access: 'none', bytes: 0 };
    handle(req, res, ev)
      .catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' });
          res.end(`internal error: ${(e as Error).message}\n`);
        } else res.destroy();
        return 500;
      })
      .then((status) => {
        ev.status = status;
        const key = `${ev.method} ${status}`;
        stats[key] = (stats[key] ?? 0) + 1;
        opts.onRequest?.(ev);
      });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    stats,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * CLI: node --import tsx tools/src/cache/server.ts --dir D [--port 8090] [--host 127.0.0.1]
 *        [--rw-token T ...] [--ro-token T ...]
 * Tokens may also come from LLC_CACHE_RW_TOKENS / LLC_CACHE_RO_TOKENS (comma-separated), which keeps them
 * out of `ps` output — prefer that on shared machines.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      'rw-token': { type: 'string', multiple: true, default: [] },
      'ro-token': { type: 'string', multiple: true, default: [] },
      'max-entry-mb': { type: 'string' },
    },
  });
  if (!values.dir) throw new Error('--dir is required');
  const fromEnv = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const server = await startCacheServer({
    dir: values.dir,
    port: Number(values.port),
    host: values.host,
    readWriteTokens: [...values['rw-token'], ...fromEnv(process.env.LLC_CACHE_RW_TOKENS)],
    readOnlyTokens: [...values['ro-token'], ...fromEnv(process.env.LLC_CACHE_RO_TOKENS)],
    maxEntryBytes: values['max-entry-mb'] ? Number(values['max-entry-mb']) * 1024 ** 2 : undefined,
    onRequest: (e) => console.log(`${new Date().toISOString()} ${e.method} ${e.hash ?? '-'} ${e.status} ${e.access} ${e.bytes}`),
  });
  console.log(`Nx remote cache serving ${resolve(values.dir)} at ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
