import ipaddr from 'ipaddr.js';

/**
 * Runs of characters an IPv4 or IPv6 address (with brackets or a port) can be written with. Everything after
 * the first class is optional, so a match never backtracks: a long hex run (a host name the source chose) costs
 * its length once, not its length squared.
 */
const ADDRESS_LIKE = /\[?[0-9A-Fa-f:.]+\]?(?::\d+)?/g;

/**
 * The reason a connection failed, as a reader of the account may see it: the error code and Node's text
 * with every IP address (and its port) taken out. Node and undici name the address they connected to
 * ("connect ECONNREFUSED 10.1.2.3:443"), which is what a name resolved to inside our network, not what
 * the user wrote; the message that carries this reason names the host the user gave instead.
 */
export function networkFailureReason(code: string, message: string): string {
  // some wrappers repeat the class name of the error they wrap ("Error: connect ECONNREFUSED …")
  const text = message.replace(/^(\w*Error: )+/, '');
  const withCode = text.includes(code) ? text : `${code} ${text}`;
  return withCode
    .replace(ADDRESS_LIKE, (run) => (isAddress(run) ? '' : run))
    .replace(/\s+/g, ' ')
    .trim();
}

function isAddress(run: string): boolean {
  const trimmed = run.replace(/[.:]+$/, '');
  const bare = trimmed.replace(/^\[/, '').replace(/\](:\d+)?$/, '');
  const withoutPort = bare.replace(/:\d+$/, '');
  return [bare, withoutPort].some(
    (candidate) => ipaddr.IPv4.isValidFourPartDecimal(candidate) || ipaddr.IPv6.isValid(candidate),
  );
}
