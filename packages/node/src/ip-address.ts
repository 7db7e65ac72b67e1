/**
 * Address spelling shared by the TCP and UDP transports. A dual-stack IPv6 socket sees IPv4 peers as
 * IPv4-mapped addresses (`::ffff:1.2.3.4`); the engine compares and stores peers by address, so they are
 * reported in their plain IPv4 form, and a plain IPv4 destination is mapped back when an IPv6 socket sends.
 */
import { isIPv4 } from 'node:net';

const MAPPED_PREFIX = '::ffff:';

/** `::ffff:1.2.3.4` → `1.2.3.4`; any other address unchanged. */
export function unmapIPv4(address: string): string {
  if (
    address.length > MAPPED_PREFIX.length &&
    address.slice(0, MAPPED_PREFIX.length).toLowerCase() === MAPPED_PREFIX
  ) {
    const tail = address.slice(MAPPED_PREFIX.length);
    if (isIPv4(tail)) return tail;
  }
  return address;
}

/** `1.2.3.4` → `::ffff:1.2.3.4` (for sending from an IPv6 socket); any other host unchanged. */
export function mapIPv4(host: string): string {
  return isIPv4(host) ? `${MAPPED_PREFIX}${host}` : host;
}

/** True for a port a peer can be reached on (1–65535). */
export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65_535;
}
