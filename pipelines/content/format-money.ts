const formats = new Map<string, Intl.NumberFormat>();

/** "€5.00", "$129.90" — one formatter per currency, reused (Intl construction is slow). */
export function formatMoney(amount: number, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format.format(amount);
}
