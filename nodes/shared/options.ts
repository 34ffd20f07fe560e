// Reading a node's form: the one way to turn a saved option into a boolean, a number or one of a
// set of words. The editor saves checkboxes as booleans and numbers as numbers, but flows written
// by hand, by older editors or by other tools hold strings ("true", "5") or nothing at all, so
// every reader accepts both and falls back to the form's default for anything else.

/** A checkbox: true / "true" and false / "false"; absent, blank or anything else: `fallback`. */
export function flag(v: unknown, fallback = false): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return fallback;
}

/**
 * A number field: a finite number (or numeric string) of at least `min`; absent, blank, not a
 * number or below `min`: `fallback`.
 */
export function numberOption(v: unknown, fallback: number, min = 0): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= min ? n : fallback;
}

/**
 * Seconds in a form field as milliseconds: a positive number; 0, blank or invalid: `fallback`
 * (most time limits read "0 or blank: none").
 */
export function secondsAsMs<F extends number | undefined>(v: unknown, fallback: F): number | F {
  const s = numberOption(v, 0);
  return s > 0 ? s * 1000 : fallback;
}

/** One of `allowed`, or undefined (for values that must be reported when wrong). */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | undefined {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** One of `allowed`; absent or anything else: `fallback`. */
export function choice<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
  return oneOf(v, allowed) ?? fallback;
}
