/**
 * A local evaluator of EventBridge event patterns, so that the rules' patterns can be tested
 * against real CloudTrail records without an AWS account.
 *
 * Semantics follow the EventBridge user guide ("Content filtering in event patterns"):
 * - every field named by the pattern must match (AND); each leaf is a list of matchers (OR);
 * - an event array matches when any of its elements matches ("arrays match any");
 * - exact strings, numbers, booleans and null; `prefix`, `suffix` (also with `equals-ignore-case`),
 *   `equals-ignore-case`, `wildcard`, `anything-but` (values, list, prefix, suffix, wildcard,
 *   equals-ignore-case), `numeric`, `exists`, and `$or` at any level;
 * - only `exists: false` matches a field that is absent; `exists` looks at leaf values only;
 * - null and the empty string are different values; matching is case-sensitive unless asked.
 * An invalid pattern throws EventPatternError instead of silently not matching.
 */

export type EventPattern = { [field: string]: unknown };

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError' as const;
}

type Leaf = string | number | boolean | null;

/** True when `event` matches `pattern` as EventBridge would decide it. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isPlainObject(pattern)) throw new EventPatternError('an event pattern is a JSON object');
  return matchObject(pattern, event, '');
}

function matchObject(pattern: EventPattern, value: unknown, path: string): boolean {
  // An array of objects matches when one of its elements matches the whole sub-pattern.
  if (Array.isArray(value)) return value.some((element) => matchObject(pattern, element, path));
  const fields = isPlainObject(value) ? value : {};
  return Object.entries(pattern).every(([key, sub]) => {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') return matchOr(sub, value, here);
    if (Array.isArray(sub)) return matchLeaf(sub, fields[key], here);
    if (isPlainObject(sub)) return matchObject(sub, fields[key], here);
    throw new EventPatternError(`${here}: a pattern value must be an array of matchers or an object`);
  });
}

function matchOr(alternatives: unknown, value: unknown, path: string): boolean {
  if (!Array.isArray(alternatives) || alternatives.length < 2 || !alternatives.every(isPlainObject)) {
    throw new EventPatternError(`${path}: $or takes an array of at least two patterns`);
  }
  return alternatives.some((alternative) => matchObject(alternative as EventPattern, value, path));
}

function matchLeaf(matchers: unknown[], value: unknown, path: string): boolean {
  if (matchers.length === 0) throw new EventPatternError(`${path}: empty array of matchers`);
  const leaves = leafValues(value);
  return matchers.some((matcher) => {
    if (isPlainObject(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean' || Object.keys(matcher).length !== 1) {
        throw new EventPatternError(`${path}: exists takes true or false`);
      }
      return matcher.exists ? leaves.length > 0 : leaves.length === 0;
    }
    return leaves.some((leaf) => matchValue(matcher, leaf, path));
  });
}

/** The leaf values at a field: none when absent, each scalar element of an array. */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value.flat(Infinity) : [value];
  return items.filter((item): item is Leaf => item === null || ['string', 'number', 'boolean'].includes(typeof item));
}

function matchValue(matcher: unknown, leaf: Leaf, path: string): boolean {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return matcher === leaf;
  if (!isPlainObject(matcher)) throw new EventPatternError(`${path}: a matcher is a value or an object, not ${JSON.stringify(matcher)}`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new EventPatternError(`${path}: a matcher object has exactly one operator`);
  const operator = keys[0]!;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return matchAffix(operand, leaf, path, 'prefix', (text, affix) => text.startsWith(affix));
    case 'suffix':
      return matchAffix(operand, leaf, path, 'suffix', (text, affix) => text.endsWith(affix));
    case 'equals-ignore-case':
      return typeof leaf === 'string' && leaf.toLowerCase() === requireString(operand, path, operator).toLowerCase();
    case 'wildcard':
      return typeof leaf === 'string' && wildcardRegExp(requireString(operand, path, operator), path).test(leaf);
    case 'anything-but':
      return !matchesExcluded(operand, leaf, path);
    case 'numeric':
      return typeof leaf === 'number' && matchNumeric(operand, leaf, path);
    default:
      throw new EventPatternError(`${path}: unsupported operator "${operator}"`);
  }
}

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }`. */
function matchAffix(operand: unknown, leaf: Leaf, path: string, operator: string, test: (text: string, affix: string) => boolean): boolean {
  if (typeof leaf !== 'string') return false;
  if (isPlainObject(operand) && Object.keys(operand).length === 1 && 'equals-ignore-case' in operand) {
    const affix = requireString(operand['equals-ignore-case'], path, `${operator}.equals-ignore-case`);
    return test(leaf.toLowerCase(), affix.toLowerCase());
  }
  return test(leaf, requireString(operand, path, operator));
}

/** What `anything-but` excludes: a value, a list of values, or one prefix/suffix/wildcard/ignore-case form. */
function matchesExcluded(operand: unknown, leaf: Leaf, path: string): boolean {
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new EventPatternError(`${path}: anything-but list is empty`);
    return operand.some((excluded) => matchesExcludedValue(excluded, leaf, path));
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const operator = keys[0];
    if (keys.length !== 1 || !operator || !['prefix', 'suffix', 'wildcard', 'equals-ignore-case'].includes(operator)) {
      throw new EventPatternError(`${path}: anything-but takes a value, a list, or prefix/suffix/wildcard/equals-ignore-case`);
    }
    const values = Array.isArray(operand[operator]) ? (operand[operator] as unknown[]) : [operand[operator]];
    return values.some((value) => matchValue({ [operator]: requireString(value, path, `anything-but.${operator}`) }, leaf, path));
  }
  return matchesExcludedValue(operand, leaf, path);
}

function matchesExcludedValue(excluded: unknown, leaf: Leaf, path: string): boolean {
  if (typeof excluded !== 'string' && typeof excluded !== 'number') {
    throw new EventPatternError(`${path}: anything-but values are strings or numbers`);
  }
  return excluded === leaf;
}

const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

/** `numeric: [op, n]` or a range `[">"|">=", low, "<"|"<=", high]`. */
function matchNumeric(operand: unknown, leaf: number, path: string): boolean {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new EventPatternError(`${path}: numeric takes [operator, number] or a range of two comparisons`);
  }
  const comparisons: Array<[NumericOperator, number]> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const [operator, bound] = [operand[i], operand[i + 1]];
    if (!NUMERIC_OPERATORS.includes(operator) || typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new EventPatternError(`${path}: numeric comparison ${JSON.stringify([operator, bound])} is invalid`);
    }
    comparisons.push([operator as NumericOperator, bound]);
  }
  if (comparisons.length === 2) {
    const [[low], [high]] = comparisons as [[NumericOperator, number], [NumericOperator, number]];
    if (!['>', '>='].includes(low) || !['<', '<='].includes(high)) {
      throw new EventPatternError(`${path}: a numeric range is a lower bound (> or >=) then an upper bound (< or <=)`);
    }
  }
  return comparisons.every(([operator, bound]) => compare(leaf, operator, bound));
}

function compare(value: number, operator: NumericOperator, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
function wildcardRegExp(pattern: string, path: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new EventPatternError(`${path}: wildcard "${pattern}" has an invalid escape`);
      source += escapeRegExp(next);
      i++;
    } else if (char === '*') {
      if (pattern[i + 1] === '*') throw new EventPatternError(`${path}: wildcard "${pattern}" has consecutive wildcards`);
      source += '.*';
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function requireString(value: unknown, path: string, operator: string): string {
  if (typeof value !== 'string') throw new EventPatternError(`${path}: ${operator} takes a string`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
