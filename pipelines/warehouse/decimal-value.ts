/**
 * NUMERIC / BIGNUMERIC as the Warehouse port returns them, the same on both adapters: a JS number
 * while it is the decimal exactly (its shortest form reads back as the same digits: `1.5`, `0.1`),
 * else the exact decimal text (`12345678901234567890.123456789`), as INT64 beyond 2^53 is text.
 * Trailing fraction zeros are dropped first (`1.500000000` → 1.5), as BigQuery prints NUMERIC.
 */
export function decimalValue(text: string): number | string {
  const match = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return Number(text);
  const whole = match[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const negative = match[1] === '-' && (/[1-9]/.test(whole) || fraction !== '');
  const canonical = `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  const number = Number(canonical);
  return sameDecimal(number, canonical) ? number : canonical;
}

/** Whether `number` is exactly the decimal `canonical` (no exponent, no trailing zeros) as JS prints it. */
function sameDecimal(number: number, canonical: string): boolean {
  if (!Number.isFinite(number)) return false;
  // Beyond 2^53 an integer's shortest form (12345678901234567000) may read back as other digits.
  if (Math.abs(number) > Number.MAX_SAFE_INTEGER) return false;
  const printed = number.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  return printed === canonical || String(number) === canonical;
}
