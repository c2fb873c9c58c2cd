/** Progress lines on stderr, with the time since the run started: `[bench +12.3 s] …`. */
export type Progress = (line: string) => void;

export function stderrProgress(startedAt = performance.now()): Progress {
  return (line) => process.stderr.write(`[bench +${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${line}\n`);
}
