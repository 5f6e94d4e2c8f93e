import dns from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';

import ipaddr from 'ipaddr.js';

/**
 * Which addresses partner calls may reach. Public unicast only, by default: loopback, private (RFC 1918),
 * link-local, unique-local, carrier-grade NAT, reserved, 6to4/Teredo/NAT64 (which can embed any IPv4
 * address) and the like are refused. OUTBOUND_ALLOW_PRIVATE_NETWORKS opens everything but the addresses
 * that are never a partner: unspecified, multicast, broadcast and the cloud metadata services.
 */

/** Cloud instance-metadata endpoints (AWS, ECS, AWS IPv6, Alibaba, Oracle): refused even on private networks. */
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192'].map((a) =>
  ipaddr.parse(a).toNormalizedString(),
);

const NEVER_A_PARTNER = new Set(['unspecified', 'multicast', 'broadcast']);

/** IPv6 literals in URLs keep their brackets in `URL.hostname`. */
export function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export function isIpLiteral(hostname: string): boolean {
  return ipaddr.isValid(stripBrackets(hostname));
}

/** Whether a partner call may connect to `address` (an IP address; anything else is refused). */
export function isAddressAllowed(address: string, allowPrivateNetworks: boolean): boolean {
  const literal = stripBrackets(address);
  if (!ipaddr.isValid(literal)) return false;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  const parsed = ipaddr.process(literal);
  if (METADATA_ADDRESSES.includes(parsed.toNormalizedString())) return false;
  const range = parsed.range();
  if (NEVER_A_PARTNER.has(range)) return false;
  return range === 'unicast' || allowPrivateNetworks;
}

/** Raised by the lookup when every address a name resolves to is refused. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';

  constructor(readonly hostname: string) {
    super(`${hostname} resolves only to addresses partner calls may not reach.`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves the name and keeps only the allowed addresses, so the
 * socket connects to an address that was checked (there is no second resolution to rebind). `onBlocked`
 * lets the caller tell a refusal from other connection errors.
 */
export function guardedLookup(allowPrivateNetworks: boolean, onBlocked: () => void) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => isAddressAllowed(entry.address, allowPrivateNetworks));
      if (allowed.length === 0) {
        onBlocked();
        return callback(new BlockedAddressError(hostname), []);
      }
      if (options.all) return callback(null, allowed);
      const first = allowed[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
