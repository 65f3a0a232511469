/**
 * "Did you mean ...?" for names a person typed: the closest candidate by edit distance, if it is
 * close enough to be what they meant.
 */

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/**
 * The candidate closest to `typed`, when at most a third of its letters (at least 2) differ; a name
 * that contains the candidate or is contained by it (`ACCOUNT_ID` for `ACCOUNT`) also counts.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (best === undefined || distance < best.distance) {
      best = { candidate, distance };
    }
  }
  if (best === undefined) {
    return undefined;
  }
  const limit = Math.max(2, Math.floor(Math.max(typed.length, best.candidate.length) / 3));
  if (best.distance <= limit) {
    return best.candidate;
  }
  const lower = typed.toLowerCase();
  return candidates.find(
    (candidate) => lower.includes(candidate.toLowerCase()) || candidate.toLowerCase().includes(lower),
  );
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const suggestion = closest(typed, candidates);
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
}
