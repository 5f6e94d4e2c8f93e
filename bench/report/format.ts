/** Number formats shared by the printed and the Markdown tables. */
export const SERVER_LABEL: Record<string, string> = { ours: 'this service', postgraphile: 'PostGraphile', loop: 'no-GraphQL loop', bare: 'bare Apollo' };

export function fixed(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(value: number | undefined): string {
  return value === undefined ? '–' : `${value.toFixed(2)}×`;
}
