import { promises as dns } from 'node:dns';
import { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ErrorCode, SourceError } from '@app/core';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Turns a hostname into every address it has. Injectable so tests can map names without a real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Decides whether the client may connect to an address (an IP literal). */
export type AddressPolicy = (address: string) => boolean;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Only globally routable unicast addresses pass. ipaddr.js names every special-purpose block (loopback,
 * private, linkLocal, uniqueLocal, carrierGradeNat, multicast, broadcast, reserved, 6to4, rfc6052...), so
 * anything other than 'unicast' is refused. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 inside.
 */
export const isPublicAddress: AddressPolicy = (address) => {
  if (!ipaddr.isValid(address) || isIpv4Compatible(ipaddr.parse(address))) return false;
  return ipaddr.process(address).range() === 'unicast';
};

/**
 * ::/96, the IPv4-compatible form RFC 4291 deprecated: ipaddr.js names no range for it, so ::7f00:1 (the URL
 * parser's spelling of [::127.0.0.1]) would pass as unicast. Nothing public is addressed this way.
 */
function isIpv4Compatible(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0);
}

/** The URL's hostname as an IP literal (brackets of IPv6 removed), or null when it is a name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}

/**
 * The refusal a reader may see (it is stored on the account): it names the host the user gave, never the
 * address it resolved to, which would map our internal network for anyone who tracks a crafted name.
 */
export function privateAddressRefusal(host: string): SourceError {
  const what = ipLiteral(host) ? `${host} is` : `${host} resolves to`;
  return new SourceError(
    ErrorCode.SourceRefused,
    `${what} a private or loopback address; refused ` +
      '(set VERBATIM_ALLOW_PRIVATE_NETWORKS=true for intranet sources)',
  );
}

/**
 * A `lookup` for net/tls.connect. It runs when the socket connects, so the addresses checked are the ones
 * connected to: a name that resolves to a public address when first checked and to 127.0.0.1 later (DNS
 * rebinding) is still refused. Every address is checked, not only the one that would be used.
 */
export function guardedLookup(resolve: Resolver, isAllowed: AddressPolicy | null): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const refused = isAllowed ? all.find((a) => !isAllowed(a.address)) : undefined;
        if (refused) return callback(privateAddressRefusal(hostname), '', 0);
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = all.filter((a) => wanted === 0 || a.family === wanted);
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, '', 0);
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
