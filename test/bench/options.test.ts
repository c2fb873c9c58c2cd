import { DEFAULT_OUT, parseArgs, PHASES, PROFILES, UsageError } from '../../bench/options';

describe('parseArgs', () => {
  it('runs every phase of the default profile into reports/bench.json by default', () => {
    const options = parseArgs([]);
    expect(options).toMatchObject({ profileName: 'default', out: DEFAULT_OUT, writeDocs: false, strict: false, handlerThread: true });
    expect(options !== 'help' && [...options.phases]).toEqual([...PHASES]);
  });

  it('takes a profile, an output file, a subset of phases and the flags', () => {
    const options = parseArgs(['--quick', '--out', 'x.json', '--only', 'cost,cold-start', '--write-docs', '--strict', '--same-thread']);
    expect(options).toMatchObject({ profileName: 'quick', out: 'x.json', writeDocs: true, strict: true, handlerThread: false });
    expect(options !== 'help' && [...options.phases]).toEqual(['cost', 'cold-start']);
    expect(options !== 'help' && options.profile).toBe(PROFILES.quick);
  });

  it('still accepts --handler-thread, the default since it was an option', () => {
    expect(parseArgs(['--same-thread', '--handler-thread'])).toMatchObject({ handlerThread: true });
  });

  it('answers --help', () => {
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('refuses unknown options, unknown phases, a missing value and two profiles', () => {
    expect(() => parseArgs(['--fast'])).toThrow(UsageError);
    expect(() => parseArgs(['--only', 'speed'])).toThrow(/unknown phase/);
    expect(() => parseArgs(['--out'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--quick', '--long'])).toThrow(/one of/);
  });
});

describe('PROFILES', () => {
  it('measure conversations of 2, 10 and 50 at 0, 1,000 and 10,000 other connections in every profile', () => {
    for (const profile of Object.values(PROFILES)) {
      expect(profile.participants).toEqual([2, 10, 50]);
      expect(profile.cost.otherConnections).toEqual([0, 1_000, 10_000]);
      expect(profile.latency.loadRatePerSecond).toBe(100);
      expect(profile.latency.loadConversations).toBe(20);
    }
  });

  it('grow from quick to long', () => {
    expect(PROFILES.quick.latency.idleSamples).toBeLessThan(PROFILES.default.latency.idleSamples);
    expect(PROFILES.long.latency.idleSamples).toBeGreaterThan(PROFILES.default.latency.idleSamples);
    expect(PROFILES.long.coldStart.runs).toBeGreaterThanOrEqual(10);
    expect(PROFILES.default.coldStart.runs).toBe(10);
  });
});
