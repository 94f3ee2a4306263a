// Formatting shared by the pages. uint256 values arrive as decimal strings.
export const WEI = 10n ** 18n;

/** ACC wei (decimal string) as ACC with up to 4 decimals. */
export function acc(wei) {
  const v = BigInt(wei ?? '0');
  const whole = v / WEI;
  const frac = (v % WEI) * 10000n / WEI;
  return frac === 0n ? `${whole}` : `${whole}.${frac.toString().padStart(4, '0').replace(/0+$/, '')}`;
}

/** ACC wei as a JavaScript number of ACC (for sizes and charts only). */
export const accNumber = (wei) => Number(BigInt(wei ?? '0') / 10n ** 9n) / 1e9;

/** A long id shortened for labels. */
export const short = (id) => (id && id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id ?? '');

/** An ISO time as the local time of day. */
export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

export async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) {
    let detail = `${r.status}`;
    try { const p = await r.json(); detail = `${p.title}: ${p.detail}`; } catch { /* not JSON */ }
    throw new Error(detail);
  }
  return r.json();
}
