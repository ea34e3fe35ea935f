/**
 * A campaign definition or template error. It stops start-up, so the message must lead a marketer
 * straight to the spot: `templates/cart-abandonment/campaign.yaml:7 wait: expected a duration like "30m"`.
 */
export class CampaignError extends Error {
  override readonly name = 'CampaignError';
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly detail: string;

  constructor(where: { file: string; line?: number | undefined; field?: string | undefined }, detail: string, options?: { cause?: unknown }) {
    const location = where.line === undefined ? where.file : `${where.file}:${where.line}`;
    super(`${location} ${where.field ? `${where.field}: ` : ''}${detail}`, options);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.detail = detail;
  }
}
