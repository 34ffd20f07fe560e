// PLACEHOLDER (lead's prototype; the scan13 branch brings the real one).
let depthSeen = 0;
export function lastDepth(): number {
  return depthSeen;
}
function ws(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}
export function jsonValueEnd(t: string, start: number): number {
  const stack: number[] = [];
  let max = 0;
  let i = ws(t, start);
  for (;;) {
    let c = t.charCodeAt(i);
    if (c === 0x22) {
      i = strEnd(t, i);
      if (i < 0) return -1;
    } else if (c === 0x5b || c === 0x7b) {
      stack.push(c);
      if (stack.length > max) max = stack.length;
      i = ws(t, i + 1);
      const d = t.charCodeAt(i);
      if ((c === 0x5b && d === 0x5d) || (c === 0x7b && d === 0x7d)) {
        stack.pop();
        i++;
      } else if (c === 0x7b) {
        if (d !== 0x22) return -1;
        i = strEnd(t, i);
        if (i < 0) return -1;
        i = ws(t, i);
        if (t.charCodeAt(i) !== 0x3a) return -1;
        i = ws(t, i + 1);
        continue;
      } else continue;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      i = numEnd(t, i);
      if (i < 0) return -1;
    } else if (c === 0x74 && t.startsWith('true', i)) i += 4;
    else if (c === 0x66 && t.startsWith('false', i)) i += 5;
    else if (c === 0x6e && t.startsWith('null', i)) i += 4;
    else return -1;
    for (;;) {
      if (stack.length === 0) {
        depthSeen = max;
        return i;
      }
      i = ws(t, i);
      c = t.charCodeAt(i);
      const top = stack[stack.length - 1];
      if (c === 0x2c) {
        i = ws(t, i + 1);
        if (top === 0x7b) {
          if (t.charCodeAt(i) !== 0x22) return -1;
          i = strEnd(t, i);
          if (i < 0) return -1;
          i = ws(t, i);
          if (t.charCodeAt(i) !== 0x3a) return -1;
          i = ws(t, i + 1);
        }
        break;
      }
      if ((top === 0x5b && c === 0x5d) || (top === 0x7b && c === 0x7d)) {
        stack.pop();
        i++;
        continue;
      }
      return -1;
    }
  }
}
function strEnd(t: string, i: number): number {
  for (i++; ; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20 || Number.isNaN(c)) return -1;
    if (c === 0x5c) {
      const e = t.charCodeAt(++i);
      if (e === 0x75) {
        for (let k = 1; k <= 4; k++) {
          const h = t.charCodeAt(i + k);
          if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
        }
        i += 4;
      } else if (
        !(
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        )
      )
        return -1;
    }
  }
}
function numEnd(t: string, i: number): number {
  let c = t.charCodeAt(i);
  if (c === 0x2d) c = t.charCodeAt(++i);
  if (c === 0x30) c = t.charCodeAt(++i);
  else if (c >= 0x31 && c <= 0x39) {
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  } else return -1;
  if (c === 0x2e) {
    c = t.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    c = t.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = t.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39);
  }
  return i;
}
