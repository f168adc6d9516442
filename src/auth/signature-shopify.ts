// Shopify: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
//   X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the body, keyed with the app's client secret. After a secret
//   rotation Shopify may sign with the old one for up to an hour: list both. No timestamp is signed: deduplicate
//   on X-Shopify-Event-Id (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates).
import { hmacPreset } from './signature-custom.js';

export const shopify = hmacPreset('shopify', {
  algorithm: 'sha256',
  header: 'X-Shopify-Hmac-Sha256',
  encoding: 'base64',
});
