import { isIPv6 } from 'node:net';

/**
 * The key a client address is limited by. One IPv6 host usually holds a whole
 * /64, so its addresses share one key; an IPv4-mapped IPv6 address is its IPv4.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.replace(/%.*$/, '').toLowerCase().split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':').flatMap(expandDottedQuad));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  const zeros = Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16));
}

/** An embedded IPv4 tail (`::1.2.3.4`) is two groups. */
function expandDottedQuad(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
