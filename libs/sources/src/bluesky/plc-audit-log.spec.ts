import { Secp256k1Keypair } from '@atproto/crypto';
import { createRepoAccount, plcAuditEntries, plcKeyChange } from '@app/testing/fake-bluesky/bluesky-repos';
import {
  PLC_AUDIT_LOG_MAX_OPERATIONS,
  PlcLogTooLong,
  assertLogConfirmsDocument,
  readPlcAuditLog,
} from './plc-audit-log';

const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('readPlcAuditLog (a did:plc checked from its genesis operation)', () => {
  it('follows a signed key change to the key the account signs with now', async () => {
    const account = await createRepoAccount('mfa.example', 'MFA', { pdsUrl: 'https://pds.example' });
    const next = await Secp256k1Keypair.create();
    const operations = [...account.plcOperations, await plcKeyChange(account, next.did())];
    const log = await readPlcAuditLog(bytesOf(await plcAuditEntries(account.did, operations)), account.did);
    expect(log).toEqual({
      did: account.did,
      signingKey: next.did(),
      pds: 'https://pds.example',
      handles: ['mfa.example'],
      operations: 2,
    });
  });

  it('leaves nullified operations out, as the directory does', async () => {
    const account = await createRepoAccount('mfa.example', 'MFA');
    const entries = (await plcAuditEntries(account.did, [
      ...account.plcOperations,
      await plcKeyChange(account, (await Secp256k1Keypair.create()).did()),
    ])) as { nullified: boolean }[];
    entries[1].nullified = true;
    const log = await readPlcAuditLog(bytesOf(entries), account.did);
    expect(log.signingKey).toBe(account.keypair.did());
    expect(log.operations).toBe(1);
  });

  it('refuses a log of another DID, a forged signature, a genesis that does not hash to the DID', async () => {
    const account = await createRepoAccount('mfa.example', 'MFA');
    const other = await createRepoAccount('other.example', 'Other');
    const entries = await plcAuditEntries(account.did, account.plcOperations);
    await expect(readPlcAuditLog(bytesOf(entries), other.did)).rejects.toThrow(/entry 0 belongs to did:plc:/);

    const forged = await plcKeyChange(account, (await Secp256k1Keypair.create()).did());
    const stranger = await Secp256k1Keypair.create();
    const resigned = {
      ...forged,
      sig: (await plcKeyChange({ ...account, rotationKey: stranger }, 'did:key:x')).sig,
    };
    await expect(
      readPlcAuditLog(
        bytesOf(await plcAuditEntries(account.did, [...account.plcOperations, resigned])),
        account.did,
      ),
    ).rejects.toThrow(/does not verify: InvalidSignatureError/);

    const swapped = await plcAuditEntries(account.did, other.plcOperations);
    const relabelled = (swapped as { did: string }[]).map((e) => ({ ...e, did: account.did }));
    await expect(readPlcAuditLog(bytesOf(relabelled), account.did)).rejects.toThrow(
      /does not verify: GenesisHashError/,
    );
  });

  it('refuses what is not a log, and a log longer than it checks', async () => {
    const account = await createRepoAccount('mfa.example', 'MFA');
    await expect(readPlcAuditLog(Buffer.from('{"oops'), account.did)).rejects.toThrow(/is not JSON/);
    const deep = Buffer.from(`[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]`);
    await expect(readPlcAuditLog(deep, account.did)).rejects.toThrow(/is nested too deeply/);
    await expect(readPlcAuditLog(bytesOf({}), account.did)).rejects.toThrow(/not a list of operations/);
    await expect(readPlcAuditLog(bytesOf([{ did: account.did }]), account.did)).rejects.toThrow(
      /entry 0 has no operation/,
    );
    const long = Array.from({ length: PLC_AUDIT_LOG_MAX_OPERATIONS + 1 }, () => ({
      did: account.did,
      operation: {},
    }));
    // too long to check is not evidence against the document: a class of its own, which resolveDid leaves unchecked
    await expect(readPlcAuditLog(bytesOf(long), account.did)).rejects.toBeInstanceOf(PlcLogTooLong);
    await expect(readPlcAuditLog(bytesOf(long), account.did)).rejects.toThrow(/more than we check/);
  });

  it('says when the DID document and the log disagree on the key or the PDS', async () => {
    const account = await createRepoAccount('mfa.example', 'MFA', { pdsUrl: 'https://pds.example/' });
    const log = await readPlcAuditLog(
      bytesOf(await plcAuditEntries(account.did, account.plcOperations)),
      account.did,
    );
    const identity = { did: account.did, pds: 'https://pds.example', signingKey: account.keypair.did() };
    expect(() => assertLogConfirmsDocument(log, identity)).not.toThrow();
    expect(() => assertLogConfirmsDocument(log, { ...identity, signingKey: 'did:key:zOther' })).toThrow(
      /names signing key did:key:zOther, its PLC operation log ends at/,
    );
    expect(() => assertLogConfirmsDocument(log, { ...identity, pds: 'https://elsewhere.example' })).toThrow(
      /names PDS https:\/\/elsewhere.example, its PLC operation log https:\/\/pds.example/,
    );
  });
});
