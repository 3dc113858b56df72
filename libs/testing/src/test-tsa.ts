import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const run = promisify(execFile);

/**
 * How the test TSA answers (every answer is a real `openssl` product):
 * - `ok`: `openssl ts -reply` with the TSA certificate (critical EKU timeStamping)
 * - `wrong-digest`: answers a copy of the request whose messageImprint hash is altered (same nonce)
 * - `no-eku`: the TSTInfo re-signed (`openssl cms -sign -cades`) by a CA-issued certificate without any EKU
 * - `eku-not-critical`: the same, by a certificate whose timeStamping EKU is not marked critical
 * - `reject`: asks for a policy the TSA does not serve, so openssl answers status "rejection" (unacceptedPolicy)
 */
export type TestTsaMode = 'ok' | 'wrong-digest' | 'no-eku' | 'eku-not-critical' | 'reject';

export interface TestTsa {
  /** POST application/timestamp-query here */
  url: string;
  caCertPem: string;
  tsaCertPem: string;
  setMode(mode: TestTsaMode): void;
  /** how many timestamp queries it answered */
  requestCount(): number;
  close(): Promise<void>;
}

/** The policy OID the test TSA stamps with (its `default_policy`). */
export const TEST_TSA_POLICY = '1.2.3.4.1';

const CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = Test TSA
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ no_eku_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ eku_not_critical_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./tsa.crt
certs = ./ca.crt
signer_key = ./tsa.key
signer_digest = sha256
default_policy = ${TEST_TSA_POLICY}
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

const UNSERVED_POLICY = '1.2.3.4.99';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';

/** A throwaway RFC 3161 TSA on 127.0.0.1 (random port), backed by the `openssl` command in a temp directory. */
export async function startTestTsa(options: { mode?: TestTsaMode } = {}): Promise<TestTsa> {
  let mode: TestTsaMode = options.mode ?? 'ok';
  let count = 0;
  const dir = await mkdtemp(join(tmpdir(), 'verbatim-tsa-'));
  const openssl = async (...args: string[]): Promise<void> => {
    await run('openssl', args, { cwd: dir });
  };
  await makeCertificates(openssl, dir);

  // openssl bumps ./tsaserial on each reply: answer one request at a time
  let queue: Promise<unknown> = Promise.resolve();
  const answer = (query: Buffer): Promise<Buffer> => {
    const result = queue.then(() => reply(openssl, dir, rewriteQuery(query, mode), mode));
    queue = result.catch(() => undefined);
    return result;
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      if (req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(415).end();
        return;
      }
      try {
        const body = await answer(await readBody(req));
        count++;
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/tsa`,
    caCertPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    tsaCertPem: await readFile(join(dir, 'tsa.crt'), 'utf8'),
    setMode: (next) => {
      mode = next;
    },
    requestCount: () => count,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type OpenSsl = (...args: string[]) => Promise<void>;

async function makeCertificates(openssl: OpenSsl, dir: string): Promise<void> {
  await writeFile(join(dir, 'tsa.cnf'), CONFIG);
  await writeFile(join(dir, 'tsaserial'), '01\n');
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    'req',
    '-x509',
    '-new',
    ...newKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=Test Root',
    '-extensions',
    'ca_ext',
    '-config',
    'tsa.cnf',
  );
  const issue = async (name: string, subject: string, extensions: string): Promise<void> => {
    await openssl(
      'req',
      '-new',
      ...newKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
      '-config',
      'tsa.cnf',
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-extfile',
      'tsa.cnf',
      '-extensions',
      extensions,
    );
  };
  await issue('tsa', '/CN=Test TSA', 'tsa_ext');
  await issue('no-eku', '/CN=Test TSA without EKU', 'no_eku_ext');
  await issue('eku-not-critical', '/CN=Test TSA with non-critical EKU', 'eku_not_critical_ext');
}

/** Alters the query for the modes that answer something other than what was asked. */
function rewriteQuery(query: Buffer, mode: TestTsaMode): Buffer {
  if (mode !== 'wrong-digest' && mode !== 'reject') return query;
  const request = pkijs.TimeStampReq.fromBER(new Uint8Array(query));
  if (mode === 'reject') {
    request.reqPolicy = UNSERVED_POLICY;
  } else {
    const hash = request.messageImprint.hashedMessage.valueBlock.valueHexView.slice();
    hash[0] ^= 0xff;
    request.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: hash });
  }
  return Buffer.from(request.toSchema().toBER());
}

async function reply(openssl: OpenSsl, dir: string, query: Buffer, mode: TestTsaMode): Promise<Buffer> {
  const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const [queryFile, responseFile] = [`${id}.tsq`, `${id}.tsr`];
  await writeFile(join(dir, queryFile), query);
  await openssl('ts', '-reply', '-config', 'tsa.cnf', '-queryfile', queryFile, '-out', responseFile);
  if (mode === 'no-eku' || mode === 'eku-not-critical') await resign(openssl, id, responseFile, mode);
  return readFile(join(dir, responseFile));
}

/** Re-signs the TSTInfo of a reply with another certificate of the same CA, and wraps it as a reply again. */
async function resign(openssl: OpenSsl, id: string, responseFile: string, signer: string): Promise<void> {
  await openssl('ts', '-reply', '-in', responseFile, '-token_out', '-out', `${id}.token`);
  await openssl(
    'cms',
    '-verify',
    '-noverify',
    '-inform',
    'DER',
    '-in',
    `${id}.token`,
    '-out',
    `${id}.tstinfo`,
  );
  await openssl(
    'cms',
    '-sign',
    '-binary',
    '-nodetach',
    '-cades',
    '-nosmimecap',
    '-econtent_type',
    TST_INFO_OID,
    '-md',
    'sha256',
    '-signer',
    `${signer}.crt`,
    '-inkey',
    `${signer}.key`,
    '-certfile',
    'ca.crt',
    '-in',
    `${id}.tstinfo`,
    '-outform',
    'DER',
    '-out',
    `${id}.token`,
  );
  await openssl('ts', '-reply', '-token_in', '-in', `${id}.token`, '-out', responseFile);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('timestamp query too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
