import { testHttpClient } from '@app/testing/test-http-client';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type DataSource } from 'typeorm';
import { type VerbatimConfig } from '@app/config';
import {
  consistencyProof,
  ed25519NoteSigner,
  formatAddCheckpoint,
  formatCheckpoint,
  leafHash,
  openNote,
  parseVerifierKey,
  signNote,
  utf8,
} from '@app/ledger';
import {
  collectCosignatures,
  integrateLog,
  loadInstanceWitnessKey,
  loadLogKey,
  nodeReader,
  type CheckpointRow,
  type LogKey,
  type WitnessKey,
} from '@app/log';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startTestApp, type TestApp } from './support/app';

interface Instance {
  origin: string;
  env: TestEnvironment;
  dataDir: string;
  server: Server;
  url: string;
  logKey: LogKey;
  witnessKey: WitnessKey;
  config?: VerbatimConfig;
  app?: TestApp;
}

/** Opens the port first, so each instance's configuration can name the other's witness URL. */
async function prepare(origin: string): Promise<Instance> {
  const env = await createTestEnvironment();
  const dataDir = mkdtempSync(join(tmpdir(), 'verbatim-witness-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin,
    env,
    dataDir,
    server,
    url: `http://127.0.0.1:${port}`,
    logKey: loadLogKey({ origin, keyFile: null, dataDir }),
    witnessKey: loadInstanceWitnessKey({ origin, witnessKeyFile: null, dataDir }),
  };
}

/** The API only: checkpoints are signed by calling the sequencer here, so nothing runs behind the test's back. */
async function start(self: Instance, peer: Instance): Promise<TestApp> {
  self.config = self.env.config({
    VERBATIM_DATA_DIR: self.dataDir,
    VERBATIM_LOG_ORIGIN: self.origin,
    VERBATIM_WITNESS_FOR: peer.logKey.verifierKey,
    VERBATIM_WITNESSES: `${peer.url}/witness/add-checkpoint ${peer.witnessKey.verifierKey}`,
  });
  self.app = await startTestApp(self.config, { roles: { api: true, worker: false } });
  self.server.on('request', self.app.app.getHttpAdapter().getInstance());
  return self.app;
}

/** Queues `count` entries and sequences them into a new signed checkpoint. */
async function grow(self: Instance, count: number): Promise<CheckpointRow> {
  const db = self.app!.db;
  for (let i = 0; i < count; i++) {
    await db.query(`INSERT INTO log_pending (entry, statement_id) VALUES ($1, $2)`, [
      Buffer.from(`{"entry":"${randomUUID()}"}`),
      randomUUID(),
    ]);
  }
  const { checkpoint } = await integrateLog(db, self.logKey, 1000);
  if (!checkpoint) throw new Error('the sequencer signed no checkpoint');
  return checkpoint;
}

async function witnessedState(db: DataSource, origin: string) {
  const [row]: { size: string; root: Buffer }[] = await db.query(
    `SELECT size, root FROM witnessed_logs WHERE origin = $1`,
    [origin],
  );
  return row ? { size: Number(row.size), root: row.root.toString('base64') } : null;
}

function addCheckpoint(witness: Instance, body: string) {
  return request(witness.server).post('/witness/add-checkpoint').set('Content-Type', 'text/plain').send(body);
}

describe('two instances witnessing each other (C2SP tlog-witness)', () => {
  const http = testHttpClient();
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    a = await prepare('a.example/verbatim');
    b = await prepare('b.example/verbatim');
    await start(a, b);
    await start(b, a);
  });

  afterAll(async () => {
    for (const instance of [a, b]) {
      if (!instance) continue;
      instance.server.closeAllConnections();
      await new Promise((resolve) => instance.server.close(resolve));
      await instance.app?.close();
      await instance.env.destroy();
      rmSync(instance.dataDir, { recursive: true, force: true });
    }
  });

  const cosignedBy = (witness: Instance) => parseVerifierKey(witness.witnessKey.verifierKey);
  const proof = async (self: Instance, from: number, to: number) =>
    consistencyProof(from, to, nodeReader(self.app!.db.manager));

  it('serves its witness key without a token', async () => {
    const res = await request(b.server).get('/witness/key').expect(200);
    expect(res.text).toBe(`${b.witnessKey.verifierKey}\n`);
    expect(b.witnessKey.name).toBe('b.example/verbatim/witness');
  });

  it('gets its first checkpoint cosigned, stores it, and serves it with the checkpoint', async () => {
    const checkpoint = await grow(a, 3);
    const before = Math.floor(Date.now() / 1000);
    const [outcome] = await collectCosignatures(
      a.app!.db,
      http,
      a.logKey,
      checkpoint,
      a.config!.log.witnesses,
    );
    const after = Math.ceil(Date.now() / 1000);
    expect(outcome).toMatchObject({ status: 'cosigned', oldSize: 0, witness: b.witnessKey.verifierKey });

    const rows: { witness: string; signature_line: string; cosigned_at: Date }[] = await a.app!.db.query(
      `SELECT witness, signature_line, cosigned_at FROM log_cosignatures WHERE checkpoint_size = 3`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].witness).toBe(b.witnessKey.verifierKey);
    expect(rows[0].signature_line).toMatch(/^\u2014 b\.example\/verbatim\/witness \S+\n$/);

    const served = (await a.app!.http().get('/log/checkpoint').expect(200)).text;
    expect(served).toBe(checkpoint.note + rows[0].signature_line);
    const opened = openNote(served, [cosignedBy(b)]);
    expect(opened.verified).toHaveLength(1);
    const time = opened.verified[0].timestamp!;
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
    expect(rows[0].cosigned_at.getTime()).toBe(time * 1000);
    // the log's own signature is still there, next to the cosignature
    expect(openNote(served, [parseVerifierKey(a.logKey.verifierKey)]).verified).toHaveLength(1);

    expect(await witnessedState(b.app!.db, a.origin)).toEqual({
      size: 3,
      root: checkpoint.root.toString('base64'),
    });
  });

  it('cosigns the next checkpoint with a real consistency proof from the first', async () => {
    const checkpoint = await grow(a, 5);
    expect(checkpoint.size).toBe(8);
    const [outcome] = await collectCosignatures(
      a.app!.db,
      http,
      a.logKey,
      checkpoint,
      a.config!.log.witnesses,
    );
    expect(outcome).toMatchObject({ status: 'cosigned', oldSize: 3 });
    expect(await witnessedState(b.app!.db, a.origin)).toEqual({
      size: 8,
      root: checkpoint.root.toString('base64'),
    });
    const served = (await a.app!.http().get('/log/checkpoint').expect(200)).text;
    expect(openNote(served, [cosignedBy(b)]).verified).toHaveLength(1);
    // asking again for the same checkpoint does not call the witness twice
    const [again] = await collectCosignatures(a.app!.db, http, a.logKey, checkpoint, a.config!.log.witnesses);
    expect(again.status).toBe('already-cosigned');
  });

  it('is witnessed the other way round too', async () => {
    const checkpoint = await grow(b, 2);
    const [outcome] = await collectCosignatures(
      b.app!.db,
      http,
      b.logKey,
      checkpoint,
      b.config!.log.witnesses,
    );
    expect(outcome).toMatchObject({ status: 'cosigned', witness: a.witnessKey.verifierKey });
    const served = (await b.app!.http().get('/log/checkpoint').expect(200)).text;
    expect(openNote(served, [cosignedBy(a)]).verified).toHaveLength(1);
    expect(await witnessedState(a.app!.db, b.origin)).toMatchObject({ size: 2 });
  });

  it('answers 409 with the size it holds when old is wrong, and the client follows it', async () => {
    const checkpoint = await grow(a, 4); // size 12
    const wrong = await addCheckpoint(
      b,
      formatAddCheckpoint(3, await proof(a, 3, 12), checkpoint.note),
    ).expect(409);
    expect(wrong.headers['content-type']).toBe('text/x.tlog.size');
    expect(wrong.text).toBe('8\n');

    // someone else submits our checkpoint first: the witness moves to 12, which our table does not know
    await addCheckpoint(b, formatAddCheckpoint(8, await proof(a, 8, 12), checkpoint.note)).expect(200);
    const [outcome] = await collectCosignatures(
      a.app!.db,
      http,
      a.logKey,
      checkpoint,
      a.config!.log.witnesses,
    );
    expect(outcome).toMatchObject({ status: 'cosigned', oldSize: 12 });
    expect(await witnessedState(b.app!.db, a.origin)).toMatchObject({ size: 12 });
  });

  it('answers 422 for a proof that does not verify, and keeps its state', async () => {
    const checkpoint = await grow(a, 3); // size 15
    const good = await proof(a, 12, 15);
    const bad = good.map((hash, i) => (i === good.length - 1 ? leafHash(hash) : hash));
    const res = await addCheckpoint(b, formatAddCheckpoint(12, bad, checkpoint.note)).expect(422);
    expect(res.text).toMatch(/consistency proof from 12 to 15 does not verify/);
    expect(await witnessedState(b.app!.db, a.origin)).toMatchObject({ size: 12 });
  });

  it('lets only one of two concurrent requests from the same old size advance', async () => {
    const first = await grow(a, 1); // 16
    const second = await grow(a, 2); // 18
    const answers = await Promise.all([
      addCheckpoint(b, formatAddCheckpoint(12, await proof(a, 12, 16), first.note)),
      addCheckpoint(b, formatAddCheckpoint(12, await proof(a, 12, 18), second.note)),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = answers[0].status === 200 ? 16 : 18;
    expect(answers.find((r) => r.status === 409)!.text).toBe(`${winner}\n`);
    expect(await witnessedState(b.app!.db, a.origin)).toMatchObject({ size: winner });
    // it never goes back: the smaller checkpoint is now refused
    const stale = await addCheckpoint(b, formatAddCheckpoint(12, await proof(a, 12, 16), first.note));
    expect(stale.status).toBe(409);
  });

  it('answers 403 for a checkpoint of a followed origin signed by another key', async () => {
    const impostor = ed25519NoteSigner(a.origin, generateKeyPairSync('ed25519').privateKey);
    const forged = signNote(
      formatCheckpoint({ origin: a.origin, size: 99, rootHash: leafHash(utf8('forged')) }),
      impostor,
    );
    await addCheckpoint(b, formatAddCheckpoint(0, [], forged)).expect(403);
  });

  it('answers 404 for a log it does not follow', async () => {
    const stranger = ed25519NoteSigner('stranger.example/log', generateKeyPairSync('ed25519').privateKey);
    const note = signNote(
      formatCheckpoint({ origin: stranger.name, size: 1, rootHash: leafHash(utf8('x')) }),
      stranger,
    );
    await addCheckpoint(b, formatAddCheckpoint(0, [], note)).expect(404);
  });

  it('answers 400 for garbage', async () => {
    await addCheckpoint(b, 'hello witness').expect(400);
    await addCheckpoint(b, 'old 1\nnot base64!\n\nx\n').expect(400);
  });

  it('reports a witness that is down without stopping the others', async () => {
    const checkpoint = await grow(a, 1);
    const outcomes = await collectCosignatures(a.app!.db, http, a.logKey, checkpoint, [
      { url: 'http://127.0.0.1:1/witness/add-checkpoint', key: a.witnessKey.verifierKey },
      ...a.config!.log.witnesses,
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'cosigned']);
  });
});
