/**
 * Length as SPEC's limits count it: characters (code points), not UTF-16 units, so an emoji is one
 * character wherever a limit applies (text, `local_id`, names).
 *
 * @example characterCount('😀a') // 2 (while '😀a'.length is 3)
 */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
