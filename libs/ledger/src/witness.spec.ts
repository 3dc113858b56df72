import { fromBase64 } from './bytes';
import { LedgerFormatError } from './errors';
import { formatAddCheckpoint, parseAddCheckpoint } from './witness';

const PROOF_B64 = [
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
  'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
  '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
];
const NOTE =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
const SPEC_BODY = `old 20852014\n${PROOF_B64.map((l) => `${l}\n`).join('')}\n${NOTE}`;

describe('tlog-witness add-checkpoint body', () => {
  it('parses and re-formats the spec example', () => {
    const request = parseAddCheckpoint(SPEC_BODY);
    expect(request.oldSize).toBe(20852014);
    expect(request.consistencyProof).toEqual(PROOF_B64.map(fromBase64));
    expect(request.signedNote).toBe(NOTE);
    expect(formatAddCheckpoint(request.oldSize, request.consistencyProof, request.signedNote)).toBe(
      SPEC_BODY,
    );
  });

  it('handles old 0 with an empty proof', () => {
    const body = formatAddCheckpoint(0, [], NOTE);
    expect(body).toBe(`old 0\n\n${NOTE}`);
    expect(parseAddCheckpoint(body)).toEqual({ oldSize: 0, consistencyProof: [], signedNote: NOTE });
  });

  it('accepts 63 proof lines and refuses 64', () => {
    const hash = new Uint8Array(32).fill(7);
    const body63 = formatAddCheckpoint(5, Array(63).fill(hash), NOTE);
    expect(parseAddCheckpoint(body63).consistencyProof).toHaveLength(63);
    expect(() => formatAddCheckpoint(5, Array(64).fill(hash), NOTE)).toThrow(LedgerFormatError);
    const body64 = body63.replace('old 5\n', `old 5\n${PROOF_B64[0]}\n`);
    expect(() => parseAddCheckpoint(body64)).toThrow(/more than 63/);
  });

  it.each([
    ['no old line', `${PROOF_B64[0]}\n\n${NOTE}`],
    ['a leading zero', `old 020852014\n\n${NOTE}`],
    ['two spaces', `old  1\n\n${NOTE}`],
    ['no blank line', `old 1\n${PROOF_B64[0]}\n`],
    ['no checkpoint', `old 1\n${PROOF_B64[0]}\n\n`],
    ['a proof line that is not base64', `old 1\nnot base64!\n\n${NOTE}`],
    ['a proof hash of the wrong size', `old 1\nAAAA\n\n${NOTE}`],
    ['a proof from size 0', `old 0\n${PROOF_B64[0]}\n\n${NOTE}`],
  ])('rejects a body with %s', (_what, body) => {
    expect(() => parseAddCheckpoint(body)).toThrow(LedgerFormatError);
  });
});
