/** IAM wildcard matching: `*` any run of characters, `?` one character. */

/** True when `value` matches the IAM pattern; actions compare case-insensitively, ARNs case-sensitively. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const source = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(v);
}

export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

/**
 * True when some string matches both patterns (e.g. `iam:Create*` and `iam:*User`), so that a
 * wildcard in a statement cannot smuggle in an action a literal comparison would miss.
 */
export function patternsOverlap(a: string, b: string, caseInsensitive = true): boolean {
  const x = caseInsensitive ? a.toLowerCase() : a;
  const y = caseInsensitive ? b.toLowerCase() : b;
  const memo = new Map<number, boolean>();
  const step = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === x.length && j === y.length) result = true;
    else if (i < x.length && x[i] === '*') result = step(i + 1, j) || (j < y.length && step(i, j + 1));
    else if (j < y.length && y[j] === '*') result = step(i, j + 1) || (i < x.length && step(i + 1, j));
    else if (i === x.length || j === y.length) result = false;
    else result = (x[i] === y[j] || x[i] === '?' || y[j] === '?') && step(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return step(0, 0);
}
