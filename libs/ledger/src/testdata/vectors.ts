/** Test-only access to the shared known-answer vectors (../shared/vectors beside the repository). */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fromBase64, fromHex } from '../bytes';

const REPO_ROOT = resolve(__dirname, '../../../..');
// In CI shared/ is a sibling of the clone; LEDGER_VECTORS_DIR overrides it (e.g. to check the skip path).
export const VECTORS_DIR = resolve(process.env.LEDGER_VECTORS_DIR ?? resolve(REPO_ROOT, '../shared/vectors'));
export const HAVE_VECTORS = existsSync(join(VECTORS_DIR, 'merkle'));

if (!HAVE_VECTORS) {
  console.warn(
    `shared vectors not found at ${VECTORS_DIR}: vector-file tests are skipped, embedded constants still run`,
  );
}

/** The 8 RFC 6962 test leaves (entries, not hashes). */
export const RFC6962_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(fromHex);
export const RFC6962_ROOT_8 = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';

/** From the C2SP signed-note spec (also vectors/signed-note/example.{note,vkey}). */
export const EXAMPLE_NOTE =
  'This is an example message.\n\n\u2014 example.com/foo ' +
  'Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
export const EXAMPLE_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';

export interface InclusionVector {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

export interface ConsistencyVector {
  file: string;
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
    });
}

const b64 = (value: unknown): Uint8Array => fromBase64(typeof value === 'string' ? value : '');
const b64List = (value: unknown): Uint8Array[] => (Array.isArray(value) ? value.map(b64) : []);

function load(kind: string): { file: string; data: Record<string, unknown> }[] {
  return jsonFiles(join(VECTORS_DIR, 'merkle', kind)).map((path) => ({
    file: relative(VECTORS_DIR, path),
    data: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>,
  }));
}

export function inclusionVectors(): InclusionVector[] {
  return load('inclusion').map(({ file, data }) => ({
    file,
    leafIdx: Number(data.leafIdx),
    treeSize: Number(data.treeSize),
    root: b64(data.root),
    leafHash: b64(data.leafHash),
    proof: b64List(data.proof),
    wantErr: data.wantErr === true,
  }));
}

export function consistencyVectors(): ConsistencyVector[] {
  return load('consistency').map(({ file, data }) => ({
    file,
    size1: Number(data.size1),
    size2: Number(data.size2),
    root1: b64(data.root1),
    root2: b64(data.root2),
    proof: b64List(data.proof),
    wantErr: data.wantErr === true,
  }));
}

export function readVectorText(path: string): string {
  return readFileSync(join(VECTORS_DIR, path), 'utf8');
}
