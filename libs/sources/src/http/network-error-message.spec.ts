import { networkFailureReason } from './network-error-message';

describe('networkFailureReason', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:443', 'connect ECONNREFUSED'],
    ['ECONNREFUSED', 'connect ECONNREFUSED ::1:443', 'connect ECONNREFUSED'],
    ['ECONNREFUSED', 'connect ECONNREFUSED [fd00::8]:8443', 'connect ECONNREFUSED'],
    [
      'EHOSTUNREACH',
      'connect EHOSTUNREACH ::ffff:192.168.1.20:80 - Local (0.0.0.0:0)',
      'connect EHOSTUNREACH - Local ()',
    ],
    ['ETIMEDOUT', 'connect ETIMEDOUT 172.16.0.9:443.', 'connect ETIMEDOUT'],
    ['ECONNREFUSED', 'Error: connect ECONNREFUSED 127.0.0.1:8080', 'connect ECONNREFUSED'],
    ['UND_ERR_SOCKET', 'other side closed', 'UND_ERR_SOCKET other side closed'],
  ])('%s: "%s" becomes "%s"', (code, message, reason) => {
    expect(networkFailureReason(code, message)).toBe(reason);
  });

  it('keeps host names, versions and numbers that are not addresses', () => {
    expect(networkFailureReason('ENOTFOUND', 'getaddrinfo ENOTFOUND cafe.be')).toBe(
      'getaddrinfo ENOTFOUND cafe.be',
    );
    expect(networkFailureReason('EPROTO', 'EPROTO TLSv1.2 alert 40 after 1.5 s')).toBe(
      'EPROTO TLSv1.2 alert 40 after 1.5 s',
    );
  });

  it('keeps a long hex host name a source redirected to, and still drops the address after it', () => {
    const host = 'a'.repeat(14_000);
    expect(networkFailureReason('EAI_FAIL', `getaddrinfo EINVAL ${host} 10.0.0.1:443`)).toBe(
      `EAI_FAIL getaddrinfo EINVAL ${host}`,
    );
  });
});
