/** CloudTrail eventTime as ISO-8601; third-party exports write it in other forms. */

const ISO_SECONDS_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** "2024-06-02 20:16:32.000000000", "2022-10-13 16:34:53", "2024-06-02T20:16:32.123456+00:00". */
const DATE_TIME = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d|UTC)?$/i;

const EPOCH = /^\d{10,13}$/;

function iso(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  // CloudTrail writes whole seconds without a fraction; keep that form when nothing is lost.
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** ISO-8601 UTC ("2024-06-02T20:16:32Z") when `value` is a time we can read, the original text otherwise. */
export function normalizeEventTime(value: unknown): string | null {
  if (typeof value === 'number') return value > 1e11 ? iso(value) : iso(value * 1000);
  if (typeof value !== 'string' || value === '') return null;
  if (ISO_SECONDS_Z.test(value)) return value;
  const m = DATE_TIME.exec(value.trim());
  if (m) {
    const fraction = m[3] ? `.${m[3].slice(0, 3).padEnd(3, '0')}` : '';
    const given = m[4]?.toUpperCase();
    const zone = !given || given === 'UTC' ? 'Z' : given.length === 5 ? `${given.slice(0, 3)}:${given.slice(3)}` : given;
    const parsed = iso(Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`));
    if (parsed) return parsed;
  }
  if (EPOCH.test(value)) return normalizeEventTime(Number(value));
  return iso(Date.parse(value)) ?? value;
}
