import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cartSendKey, cartTriggerKey } from './cart-trigger-key.ts';

const jacket = { product_id: 'jacket', name: null, price: null, quantity: 1, image_url: null, url: null, category: null };
const firstCart = { cart_id: 'default', items: [jacket], opened_after_event_id: null };
const afterOrder = { ...firstCart, opened_after_event_id: 'evt-order-1' };

describe('cart journey keys', () => {
  test('a cart with nothing in it has no journey', () => {
    assert.equal(cartTriggerKey(null), null);
    assert.equal(cartTriggerKey({ ...afterOrder, items: [] }), null);
    assert.notEqual(cartTriggerKey(firstCart), cartTriggerKey(afterOrder));
    assert.notEqual(cartTriggerKey(firstCart), cartTriggerKey({ ...firstCart, cart_id: 'c-2' }));
  });

  test('two shoppers\' first "default" carts get different send keys; one shopper\'s persons the same', () => {
    const ann = cartSendKey(firstCart, { email: 'ann@example.com', person_id: 'p-1' });
    assert.equal(cartSendKey(firstCart, { email: 'ann@example.com', person_id: 'p-2' }), ann, 'whoever survives the merge');
    assert.notEqual(cartSendKey(firstCart, { email: 'bob@example.com', person_id: 'p-1' }), ann);
    assert.ok(!ann.includes('ann@example.com'), 'no address in the key');
  });

  test('after an order or an emptying the closing event names the cart, whoever the recipient', () => {
    assert.equal(cartSendKey(afterOrder, { email: 'ann@example.com', person_id: 'p-1' }), cartSendKey(afterOrder, { email: 'new@example.com', person_id: 'p-2' }));
    assert.notEqual(cartSendKey(afterOrder, { email: 'ann@example.com', person_id: 'p-1' }), cartSendKey(firstCart, { email: 'ann@example.com', person_id: 'p-1' }));
  });

  test('without an address, people stay apart (their skips are separate decisions)', () => {
    assert.notEqual(cartSendKey(firstCart, { email: null, person_id: 'p-1' }), cartSendKey(firstCart, { email: null, person_id: 'p-2' }));
  });
});
