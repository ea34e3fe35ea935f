import type { OutgoingEmail } from '../../pipelines/delivery/mailer.ts';

/** A plain cart email to one recipient, as the journey step hands it to a mailer. */
export const outgoingEmail = (send_id: string): OutgoingEmail => ({
  send_id,
  to: { email: 'zoe@example.com' },
  from: { email: 'hello@shop.example', name: 'Shop' },
  subject: 'Your cart',
  html: '<p>Your cart</p>',
  text: 'Your cart',
  headers: {},
  categories: [],
  custom_args: { send_id, campaign_id: 'cart', variant_id: 'a' },
});
