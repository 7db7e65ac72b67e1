/** Types of load.mjs, for the interop test that runs the scenarios at CI size. */

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface SeederConnections {
  now: number;
  torrentNow: number;
  maxSession: number;
  maxTorrent: number;
  samples: number;
  limits: { session: number; torrent: number };
}

export interface SwarmLoadReport {
  scenario: 'swarm';
  ok: boolean;
  failure?: string;
  peers: number;
  sizeMiB: number;
  seconds: number;
  seeder: {
    peakRssMiB: number;
    eventLoopDelayMs: LoopDelay;
    idleProcessLoopDelayMs: LoopDelay;
    connections: SeederConnections;
    events: {
      refusedAtAccept: number;
      overTorrentLimit: number;
      refused: Record<string, number>;
      closed: Record<string, number>;
      connected: number;
    };
    uploadedMiB: number;
  };
  leechers: { complete: number; mismatches: number; hashFailures: number };
}

export interface FloodCounts {
  accepted: number;
  refused: number;
  timedOut: number;
  connectFailed: number;
  open: number;
  longestLifeMs: number;
}

export interface FloodLoadReport {
  scenario: 'flood';
  ok: boolean;
  failure?: string;
  limitsHeld: boolean;
  flood: { attempts: number; trickle: FloodCounts; complete: FloodCounts };
  seeder: {
    peakRssMiB: number;
    eventLoopDelayMs: LoopDelay;
    connections: SeederConnections;
    refusedAtAccept: number;
    overTorrentLimit: number;
  };
  leechers: { count: number; complete: number; mismatches: number; downloadedDuringFloodMiB: number[] };
}

type Settings = Record<string, number>;

export function runSwarmLoad(options: {
  peers?: number;
  sizeMiB?: number;
  pieceKiB?: number;
  processes?: number;
  neighbours?: number;
  timeoutSeconds?: number;
  workDir?: string;
  seederSettings?: Settings;
  log?: (message: string) => void;
}): Promise<SwarmLoadReport>;

export function runFloodLoad(options: {
  sizeMiB?: number;
  pieceKiB?: number;
  leechers?: number;
  leecherRate?: number;
  ratePerSecond?: number;
  seconds?: number;
  trickleIntervalMs?: number;
  workDir?: string;
  seederSettings?: Settings;
  log?: (message: string) => void;
}): Promise<FloodLoadReport>;

export function killAllChildren(): void;
export function memoryOf(pid: number): Promise<{ peakRssMiB: number; rssMiB: number }>;
