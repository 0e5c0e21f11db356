/**
 * The self-hosted Nx remote cache server (server.ts): the HTTP protocol, then real Nx against it on loopback —
 * checkout A writes with a read-write token, checkout B restores A's work with a read-only token, and
 * checkout C (read-only) builds something new without writing and without failing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startCacheServer, type CacheServer } from '@llc/cache-server/server';
import { createTempWorkspace, type TempWorkspace } from './workspace';

const RW = 'rw-token-for-main';
const RO = 'ro-token-for-prs';

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'llc-cache-'));
}

describe('protocol', () => {
  let dir: string;
  let server: CacheServer;
  before(async () => {
    dir = await tmp();
    server = await startCacheServer({ dir, port: 0, host: '127.0.0.1', readWriteTokens: [RW], readOnlyTokens: [RO] });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const req = (method: string, hash: string, token?: string, body?: Buffer) =>
    fetch(`${server.url}/v1/cache/${hash}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
      body,
    });

  test('PUT then GET returns the same bytes as application/octet-stream', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    assert.equal((await req('PUT', '1234567890', RW, body)).status, 200);
    for (const token of [RW, RO]) {
      const r = await req('GET', '1234567890', token);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/octet-stream');
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), body);
    }
  });

  test('GET of an unknown hash is 404', async () => {
    assert.equal((await req('GET', '999', RO)).status, 404);
  });

  test('a second PUT of a hash is 409 and never overwrites', async () => {
    assert.equal((await req('PUT', 'abc', RW, Buffer.from('first'))).status, 200);
    assert.equal((await req('PUT', 'abc', RW, Buffer.from('second'))).status, 409);
    assert.equal(await (await req('GET', 'abc', RO)).text(), 'first');
  });

  test('a missing or unknown token is 401 on GET and PUT', async () => {
    const r = await req('GET', 'abc');
    assert.equal(r.status, 401);
    // Nx shows the body to the user only when the type is exactly text/plain (else: "misconfigured endpoint").
    assert.equal(r.headers.get('content-type'), 'text/plain');
    assert.equal((await req('GET', 'abc', 'nope')).status, 401);
    assert.equal((await req('PUT', 'new1', undefined, Buffer.from('x'))).status, 401);
    assert.equal((await req('PUT', 'new1', 'nope', Buffer.from('x'))).status, 401);
  });

  test('a read-only token cannot write (403) and nothing is stored', async () => {
    const r = await req('PUT', 'new2', RO, Buffer.from('poison'));
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('content-type'), 'text/plain');
    assert.match(await r.text(), /read-only/);
    assert.equal((await req('GET', 'new2', RW)).status, 404);
  });

  test('a malformed hash is 400 and cannot escape the directory', async () => {
    for (const h of ['..%2F..%2Fetc%2Fpasswd', '.tmp', 'a.b', '%00']) {
      assert.equal((await req('GET', h, RW)).status, 400, h);
      assert.equal((await req('PUT', h, RW, Buffer.from('x'))).status, 400, h);
    }
    // Only the entries stored above exist; no temp files are left behind.
    assert.deepEqual((await readdir(dir)).sort(), ['1234567890', 'abc']);
  });

  test('refuses to start without any token', async () => {
    await assert.rejects(startCacheServer({ dir }), /token/);
  });
});

const CONFIG = (extraSampler: string) => `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  seed: 5,
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: {
    sgld: { kind: 'sgld', stepSize: 1e-3, steps: 200, evalEvery: 10, chains: 1 },${extraSampler}
  },
  runs: [{ target: 'q', sampler: 'sgld' }${extraSampler ? ", { target: 'q', sampler: 'sgld2' }" : ''}],
});
`;
const SGLD2 = `\n    sgld2: { kind: 'sgld', stepSize: 2e-3, steps: 200, evalEvery: 10, chains: 1 },`;

async function files(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.set(relative(root, p), await readFile(p));
  }
  return out;
}

describe('real Nx against the server on loopback', () => {
  let dir: string;
  let server: CacheServer;
  const spaces: TempWorkspace[] = [];
  const env = (url: string, token: string) => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token });
  let A: TempWorkspace;
  let B: TempWorkspace;
  let C: TempWorkspace;

  before(async () => {
    dir = await tmp();
    server = await startCacheServer({ dir, port: 0, host: '127.0.0.1', readWriteTokens: [RW], readOnlyTokens: [RO] });
    [A, B, C] = await Promise.all([
      createTempWorkspace(CONFIG(''), {}, env(server.url, RW)),
      createTempWorkspace(CONFIG(''), {}, env(server.url, RO)),
      createTempWorkspace(CONFIG(SGLD2), {}, env(server.url, RO)),
    ]);
    spaces.push(A, B, C);
    const syncs = await Promise.all(spaces.map((ws) => ws.nx(['sync'])));
    for (const s of syncs) assert.equal(s.exitCode, 0, s.output);
  });
  after(async () => {
    await server.close();
    if (!process.env.LLC_KEEP_E2E) await Promise.all([rm(dir, { recursive: true, force: true }), ...spaces.map((ws) => ws.dispose())]);
  });

  test('checkout A (read-write token) executes and uploads its tasks', async () => {
    const r = await A.nx(['run', 'sample-q--sgld:sample']);
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(await A.takeRunLog(), ['sample q--sgld', 'target q']);
    assert.equal(server.stats['PUT 200'], 2, JSON.stringify(server.stats));
    assert.equal((await readdir(dir)).length, 2);
  });

  test('checkout B (read-only token, empty local cache) restores A’s outputs byte for byte without executing', async () => {
    const r = await B.nx(['run', 'sample-q--sgld:sample']);
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(await B.takeRunLog(), [], r.output);
    assert.match(r.output, /remote cache/i);
    const [a, b] = await Promise.all([files(join(A.root, 'artifacts')), files(join(B.root, 'artifacts'))]);
    assert.ok(a.size >= 4, [...a.keys()].join(', '));
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs`);
    assert.equal(server.stats['GET 200'], 2, JSON.stringify(server.stats));
  });

  test('checkout C (read-only token) builds something new: it runs, succeeds and writes nothing', async () => {
    const before = (await readdir(dir)).sort();
    const t0 = performance.now();
    const r = await C.nx(['run', 'sample-q--sgld2:sample']);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.exitCode, 0, r.output);
    // The target comes from the remote cache (same config slice as A); only the new run executes.
    assert.deepEqual(await C.takeRunLog(), ['sample q--sgld2'], r.output);
    assert.deepEqual((await readdir(dir)).sort(), before);
    assert.equal(server.stats['PUT 200'], 2, JSON.stringify(server.stats));
    assert.ok((server.stats['PUT 403'] ?? 0) >= 1, JSON.stringify(server.stats));
    console.log(`C: ${seconds.toFixed(1)}s, server stats ${JSON.stringify(server.stats)}`);
  });
});
