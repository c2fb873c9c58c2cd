/**
 * `npm run bench -- [options]`: profiles and command-line options. Pure, unit-tested in
 * `test/bench/options.test.ts`.
 */

export const PHASES = ['cold-start', 'cost', 'latency', 'throughput'] as const;
export type Phase = (typeof PHASES)[number];

export const PROFILE_NAMES = ['quick', 'default', 'long'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Profile {
  /** Conversation sizes (connected humans) for latency and cost. */
  participants: number[];
  latency: {
    idleSamples: number;
    loadRatePerSecond: number;
    maxLoadFramesPerSecond: number;
    loadConversations: number;
    blocks: number;
    /** See `LatencyOptions.attributedShare`. */
    attributedShare: number;
    loadDurationMs: number;
    warmupMessages: number;
  };
  throughput: {
    participants: number;
    /** Concurrent conversations → messages each keeps in flight. */
    inFlight: Array<{ conversations: number; perConversation: number }>;
    durationMs: number;
    warmupMs: number;
    /** See `ThroughputOptions.attributedMs`. */
    attributedMs: number;
  };
  cost: {
    otherConnections: number[];
    realOtherConnections: number;
    repeats: number;
  };
  coldStart: { runs: number };
}

const BASE: Profile = {
  participants: [2, 10, 50],
  latency: {
    idleSamples: 300,
    loadRatePerSecond: 100,
    maxLoadFramesPerSecond: 1_000,
    loadConversations: 20,
    loadDurationMs: 10_000,
    warmupMessages: 150,
    blocks: 5,
    attributedShare: 0.5,
  },
  throughput: {
    participants: 10,
    inFlight: [
      { conversations: 1, perConversation: 4 },
      { conversations: 10, perConversation: 2 },
      { conversations: 100, perConversation: 1 },
    ],
    durationMs: 6_000,
    warmupMs: 1_500,
    attributedMs: 3_000,
  },
  cost: { otherConnections: [0, 1_000, 10_000], realOtherConnections: 100, repeats: 3 },
  coldStart: { runs: 10 },
};

/** `default` finishes in under 5 minutes on a 2-core machine; `quick` is a smoke run; `long` narrows the percentiles. */
export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    ...BASE,
    latency: { ...BASE.latency, idleSamples: 60, loadDurationMs: 3_000, warmupMessages: 50, blocks: 3 },
    throughput: { ...BASE.throughput, durationMs: 2_000, warmupMs: 500, attributedMs: 1_000 },
    cost: { ...BASE.cost, repeats: 1 },
    coldStart: { runs: 3 },
  },
  default: BASE,
  long: {
    ...BASE,
    latency: { ...BASE.latency, idleSamples: 1_000, loadDurationMs: 30_000, warmupMessages: 300 },
    throughput: { ...BASE.throughput, durationMs: 15_000, warmupMs: 3_000, attributedMs: 5_000 },
    cost: { ...BASE.cost, repeats: 5 },
    coldStart: { runs: 20 },
  },
};

export interface BenchOptions {
  profileName: ProfileName;
  profile: Profile;
  /** Where the JSON report goes. @default reports/bench.json */
  out: string;
  /** Rewrite the results block of docs/benchmarks.md. */
  writeDocs: boolean;
  /** Exit non-zero on any missed target, not only when cost grows with system size. */
  strict: boolean;
  /**
   * Run `$default` in a worker thread in the measured blocks (`bench/handler-thread.ts`), apart
   * from the gateway and the clients as Lambda runs it; `--same-thread` turns it off. @default true
   */
  handlerThread: boolean;
  phases: Set<Phase>;
}

export const DEFAULT_OUT = 'reports/bench.json';

export const USAGE = `Usage: npm run bench -- [options]

  --quick            smoke run (about 2 minutes): fewer samples, shorter loads
  --long             longer run (about 10 minutes): 1000 idle samples, 30 s loads
  --out <file>       JSON report (default ${DEFAULT_OUT})
  --only <phases>    comma-separated subset of ${PHASES.join(', ')}
  --write-docs       rewrite the results block of docs/benchmarks.md with this run
  --strict           exit 1 on any missed target (default: only when cost grows with system size)
  --same-thread      run $default on the benchmark's main thread, beside the gateway and the
                     clients (by default the measured latency and throughput blocks run it in a
                     worker thread of its own, apart from them as Lambda runs it)
  --help             this text

Exit status: 1 when a cost-per-message figure differs between system sizes (or, with --strict,
when any target is missed, or something dropped, duplicated or reordered); 2 on a usage error.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  let profileName: ProfileName = 'default';
  let out = DEFAULT_OUT;
  let writeDocs = false;
  let strict = false;
  let handlerThread = true;
  let phases = new Set<Phase>(PHASES);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--help':
      case '-h':
        return 'help';
      case '--quick':
      case '--long':
        if (profileName !== 'default') throw new UsageError('choose one of --quick and --long');
        profileName = arg === '--quick' ? 'quick' : 'long';
        break;
      case '--out':
        out = value();
        break;
      case '--only': {
        const names = value().split(',').map((name) => name.trim()).filter(Boolean);
        const unknown = names.filter((name) => !(PHASES as readonly string[]).includes(name));
        if (unknown.length > 0 || names.length === 0) {
          throw new UsageError(`unknown phase(s) ${unknown.join(', ') || '(none)'}; phases are ${PHASES.join(', ')}`);
        }
        phases = new Set(names as Phase[]);
        break;
      }
      case '--write-docs':
        writeDocs = true;
        break;
      case '--strict':
        strict = true;
        break;
      case '--same-thread':
        handlerThread = false;
        break;
      // The default since it was an option; still accepted.
      case '--handler-thread':
        handlerThread = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { profileName, profile: PROFILES[profileName], out, writeDocs, strict, handlerThread, phases };
}
