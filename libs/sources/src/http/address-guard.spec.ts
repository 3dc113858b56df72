import { type LookupAddress } from 'node:dns';
import { type Resolver, guardedLookup, ipLiteral, isPublicAddress } from './address-guard';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '240.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::7f00:1',
    // IPv4-compatible (deprecated ::/96) as the URL parser spells it, which ipaddr.js calls unicast
    '::127.0.0.1',
    '::10.0.0.1',
    '::808:808',
    '::7f00:1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('ipLiteral', () => {
  it('recognises IPv4 and bracketed IPv6 hostnames, not names', () => {
    expect(ipLiteral('127.0.0.1')).toBe('127.0.0.1');
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral('example.org')).toBeNull();
  });

  it('sees through the other IPv4 spellings, which the URL parser normalises', () => {
    expect(ipLiteral(new URL('http://0x7f.1/').hostname)).toBe('127.0.0.1');
    expect(ipLiteral(new URL('http://2130706433/').hostname)).toBe('127.0.0.1');
  });
});

describe('guardedLookup', () => {
  const resolve: Resolver = async () => [
    { address: '2606:4700::1111', family: 6 },
    { address: '93.184.215.14', family: 4 },
  ];
  const lookupWith = (res: Resolver, all: boolean, family = 0) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>(
      (done) =>
        guardedLookup(res, isPublicAddress)('host.test', { all, family }, (error, address, fam) =>
          done({ error, address, family: fam }),
        ),
    );

  it('answers in the shape net.connect asks for', async () => {
    expect((await lookupWith(resolve, true)).address).toHaveLength(2);
    expect(await lookupWith(resolve, false)).toEqual({ error: null, address: '2606:4700::1111', family: 6 });
    expect(await lookupWith(resolve, false, 4)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
  });

  it('fails with the refusal when any address is private', async () => {
    const rebinding: Resolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];

    const { error } = await lookupWith(rebinding, false, 4);

    expect(error?.message).toBe(
      'host.test resolves to a private or loopback address; refused ' +
        '(set VERBATIM_ALLOW_PRIVATE_NETWORKS=true for intranet sources)',
    );
    // the resolved address would map our network for whoever reads the account's error
    expect(error?.message).not.toContain('127.0.0.1');
  });
});
