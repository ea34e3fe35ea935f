import { CampaignDefinition } from '../campaigns/campaign-definition.ts';

/**
 * Campaign definitions for journey tests beyond the cart (the cart's is in
 * test/support/journey-harness.ts): the browse follow-up, back in stock and price drop with the
 * shipped templates' settings, except that no resend_after is set unless a test adds one.
 */
const common = { subjects: [{ id: 'a', subject: 'x' }], sender: { name: 'Shop', email: 'shop@example.com' }, postal_address: '1 Main St' };

export const browseCampaign = CampaignDefinition.parse({
  ...common,
  id: 'browse-abandonment',
  name: 'Browse follow-up',
  trigger: { kind: 'browse_abandoned' },
  wait: '10m',
  exit_events: ['product_added', 'checkout_started', 'order_completed'],
});

export const backInStockCampaign = CampaignDefinition.parse({ ...common, id: 'back-in-stock', name: 'Back in stock', trigger: { kind: 'back_in_stock' }, wait: '2m', exit_events: ['order_completed'] });

export const priceDropCampaign = CampaignDefinition.parse({ ...common, id: 'price-drop', name: 'Price drop', trigger: { kind: 'price_drop', min_drop_percent: 10 }, wait: '2m', exit_events: ['order_completed'] });
