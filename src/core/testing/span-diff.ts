// Shared by the tests of storyboard regeneration (CLI and app): how many samples of a regenerated take
// differ from the original inside the regenerated span [s0, s1) and outside it.
export function changedSamples(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s0: number,
  s1: number,
): { inside: number; outside: number } {
  let outside = 0,
    inside = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (i < s0 || i >= s1) outside++;
    else inside++;
  }
  return { inside, outside };
}
