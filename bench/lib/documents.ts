// The documents every scenario sends: ~1 KiB e-commerce orders, validated against a schema shaped like real
// ones (nested objects, arrays, enums, patterns, formats, additionalProperties: false), so validation costs
// what it costs in production rather than what `{ type: object }` costs.

export const ORDER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Order',
  type: 'object',
  required: ['id', 'createdAt', 'status', 'currency', 'customer', 'items', 'totals'],
  additionalProperties: false,
  $defs: {
    // No `multipleOf: 0.01`: binary floating point makes 6.74 / 0.01 non-integral, so ajv would refuse
    // half of all real prices (measured: 593 of 1,000 documents).
    money: { type: 'number', minimum: 0, maximum: 1e9 },
    address: {
      type: 'object',
      required: ['line1', 'city', 'postalCode', 'country'],
      additionalProperties: false,
      properties: {
        line1: { type: 'string', minLength: 1, maxLength: 200 },
        line2: { type: 'string', maxLength: 200 },
        city: { type: 'string', minLength: 1, maxLength: 100 },
        region: { type: 'string', maxLength: 100 },
        postalCode: { type: 'string', pattern: '^[A-Z0-9 -]{3,10}$' },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
  },
  properties: {
    id: { type: 'string', pattern: '^ord_[0-9a-z]{8,32}$' },
    createdAt: { type: 'string', format: 'date-time' },
    status: { enum: ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'] },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    channel: { enum: ['web', 'ios', 'android', 'pos', 'api'] },
    customer: {
      type: 'object',
      required: ['id', 'email'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', format: 'uuid' },
        email: { type: 'string', format: 'email' },
        name: { type: 'string', maxLength: 200 },
        phone: { type: 'string', pattern: '^\\+[0-9]{6,15}$' },
        marketingOptIn: { type: 'boolean' },
      },
    },
    shipping: {
      type: 'object',
      required: ['method', 'address'],
      additionalProperties: false,
      properties: {
        method: { enum: ['standard', 'express', 'pickup'] },
        address: { $ref: '#/$defs/address' },
        cost: { $ref: '#/$defs/money' },
      },
    },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'unitPrice'],
        additionalProperties: false,
        properties: {
          sku: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{4,8}$' },
          name: { type: 'string', maxLength: 200 },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
          unitPrice: { $ref: '#/$defs/money' },
          imageUrl: { type: 'string', format: 'uri' },
        },
      },
    },
    totals: {
      type: 'object',
      required: ['subtotal', 'tax', 'total'],
      additionalProperties: false,
      properties: {
        subtotal: { $ref: '#/$defs/money' },
        tax: { $ref: '#/$defs/money' },
        discount: { $ref: '#/$defs/money' },
        total: { $ref: '#/$defs/money' },
      },
    },
    tags: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 40 }, uniqueItems: true },
    note: { type: 'string', maxLength: 1000 },
  },
} as const;

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Katherine Johnson', 'Margaret Hamilton', 'Radia Perlman'];
const CITIES = ['London', 'Arlington', 'White Sulphur Springs', 'Paoli', 'Portsmouth'];

/** Deterministic pseudo-random numbers, so every run sends the same documents. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

/** Document `index` of the deterministic stream (about 1 KiB once serialized). */
export function makeOrder(index: number): Record<string, unknown> {
  const rand = mulberry32(index + 1);
  const name = NAMES[index % NAMES.length]!;
  const items = [0, 1, 2].map((i) => ({
    sku: `SKU-${String(1000 + Math.floor(rand() * 90000)).padStart(5, '0')}`,
    name: `Item ${i + 1} of order ${index}`,
    quantity: 1 + Math.floor(rand() * 5),
    unitPrice: Math.round(rand() * 10000) / 100,
    imageUrl: `https://cdn.example.com/img/${hex(rand, 12)}.jpg`,
  }));
  const subtotal = Math.round(items.reduce((s, it) => s + it.quantity * it.unitPrice, 0) * 100) / 100;
  const tax = Math.round(subtotal * 20) / 100;
  return {
    id: `ord_${index.toString(36).padStart(10, '0')}`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    status: 'paid',
    currency: 'EUR',
    channel: 'web',
    customer: {
      id: `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-8${hex(rand, 3)}-${hex(rand, 12)}`,
      email: `${name.split(' ')[0]!.toLowerCase()}.${index}@example.com`,
      name,
      phone: `+44${String(Math.floor(rand() * 1e10)).padStart(10, '0')}`,
      marketingOptIn: rand() < 0.5,
    },
    shipping: {
      method: 'standard',
      address: {
        line1: `${1 + Math.floor(rand() * 200)} Analytical Engine Street`,
        city: CITIES[index % CITIES.length]!,
        postalCode: 'EC1A 1BB',
        country: 'GB',
      },
      cost: 4.99,
    },
    items,
    totals: { subtotal, tax, total: Math.round((subtotal + tax + 4.99) * 100) / 100 },
    tags: ['bench', index % 2 === 0 ? 'even' : 'odd'],
    note: 'Leave at the door if nobody answers; ring twice. Gift-wrap items 1 and 3, no invoice in the box.',
  };
}

/** `count` distinct documents, each serialized once: load generators cycle through them. */
export function orderPool(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify(makeOrder(offset + i)));
}

/** Bodies of `size` documents each: a JSON array, or NDJSON lines. */
export function batchBodies(bodies: number, size: number, format: 'array' | 'ndjson'): string[] {
  return Array.from({ length: bodies }, (_, b) => {
    const docs = orderPool(size, b * size);
    return format === 'array' ? `[${docs.join(',')}]` : `${docs.join('\n')}\n`;
  });
}
