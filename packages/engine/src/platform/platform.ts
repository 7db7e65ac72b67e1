import type { Clock } from './clock.js';
import type { Hasher } from './hasher.js';
import type { HttpClient } from './http.js';
import type { TcpTransport, UdpTransport } from './network.js';
import type { Random } from './random.js';
import type { Storage } from './storage.js';

/**
 * Everything the engine needs from the outside world. The core never imports `node:*` or touches ambient time
 * or randomness; `@bitloom/node` implements this for Node.js, `@bitloom/testkit` virtually for tests.
 */
export interface Platform {
  readonly clock: Clock;
  readonly random: Random;
  readonly hasher: Hasher;
  readonly tcp: TcpTransport;
  readonly udp: UdpTransport;
  readonly storage: Storage;
  readonly http: HttpClient;
}
