import { createTimestampRequest } from '@app/ledger/timestamp/timestamp-request';
import { writeFileSync } from 'node:fs';
const r = createTimestampRequest(new Uint8Array(32).fill(0xab), { nonce: 0xff00000000000001n, policy: '1.2.3.4.1' });
writeFileSync('/tmp/tsaproto/mine.tsq', r.der);
test("x",()=>console.log(Buffer.from(r.nonce).toString('hex')));
