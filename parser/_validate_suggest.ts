/**
 * Near-miss suggestions for undefined names ("did you mean 'User'?").
 *
 * @module
 */

/** The closest candidate to a misspelt name, or null when none is close enough.
 *
 * A candidate is close when it differs only in case, or is within an edit distance of a third of
 * the name's length (at least 1), where swapping two neighbouring letters is one edit. Ties go to the alphabetically first candidate, for determinism.
 *
 * @param name the undefined name
 * @param candidates the names that exist
 * @returns the suggestion or null
 */
export function suggestName(name: string, candidates: Iterable<string>): string | null {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of [...candidates].sort()) {
    const distance = candidate.toLowerCase() === name.toLowerCase()
      ? 0
      : editDistance(name, candidate);
    if (distance <= limit && (best === null || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate ?? null;
}

/** Formats a suggestion as a message suffix: `: did you mean 'User'?` or nothing. */
export function suggestionSuffix(name: string, candidates: Iterable<string>): string {
  const suggestion = suggestName(name, candidates);
  return suggestion === null ? "" : `: did you mean '${suggestion}'?`;
}

/**
 * The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions of
 * two neighbours each cost 1, so the commonest typo, two letters swapped (`Taks`), is one edit away.
 */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, before[j - 2]! + 1);
      }
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
