/**
 * Is an address (or a host name) one a creditor's webhook may point at? Notifications must not reach into the
 * agency's own network, the cloud's metadata service or the Lambda runtime's loopback (server-side request forgery),
 * so every address of a special-purpose range (RFC 6890 and its IPv6 counterparts, NAT64 forms of IPv4 included) is
 * refused: at registration for an address in the URL, and at each delivery for the address the connection goes to.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** The local runtime only: its fake receiver listens on loopback over http. */
export const allowLoopbackWebhooks = (): boolean => process.env.MAATWERK_ALLOW_LOOPBACK_WEBHOOKS === 'true';

// Two lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules (::ffff:0:0/96 would block all).
const special4 = new BlockList();
const special6 = new BlockList();
const IPV4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const IPV6: Array<[string, number]> = [
  ['::', 127], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
for (const [net, prefix] of IPV4) special4.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of IPV6) special6.addSubnet(net, prefix, 'ipv6');

/** true for a public unicast IPv4 or IPv6 address; false for anything special-purpose or not an address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return family === 4 ? !special4.check(address, 'ipv4') : !special6.check(address, 'ipv6');
}

/** Names that never leave the machine or the private network, whatever a resolver says. */
const LOCAL_NAME = /(?:^|\.)(?:localhost|local|internal|localdomain|home\.arpa|intranet|lan)$/i;

/** Why a URL's host may not be a webhook's (undefined: it may, subject to what it resolves to at delivery). */
export function hostProblem(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host)) return isPublicAddress(host) ? undefined : 'must name a public host, not a private, loopback, link-local or other special-purpose address';
  if (!host.includes('.') || LOCAL_NAME.test(host)) return 'must name a public host (a fully qualified name), not a local or internal one';
  return undefined;
}

/** The error a connection gets when its host resolves to an address it may not reach. */
export const NOT_PUBLIC = 'ENOTPUBLIC';

type Resolver = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * The DNS look-up of the delivery's own connection (node:http's `lookup` option): the connection goes to an address
 * this check passed, so a name that resolves to a public address for a check and to a private one for the connection
 * (DNS rebinding) cannot reach the private one. Any special-purpose address among the answers refuses them all, as at
 * registration. (An IP literal is never looked up: registration refused every non-public one.)
 */
export function publicOnlyLookup(resolve: Resolver = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (!addresses.length || !addresses.every((a) => isPublicAddress(a.address))) {
        return callback(Object.assign(new Error(`${hostname} does not resolve to public addresses only`), { code: NOT_PUBLIC }), '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
