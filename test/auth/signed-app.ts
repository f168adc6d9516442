// An app serving test/fixtures/catalogs/signed.yaml with a sink that records what it would produce. The
// secrets are fixed, distinctive strings so that tests can look for them in logs and answers.
import { type App, buildApp } from '../../src/app.js';
import { type Config, defaultConfig } from '../../src/config.js';
import type { TributaryError } from '../../src/errors.js';
import type { DeliveryStore } from '../../src/ingest/deliveries.js';
import type { OutboundRecord } from '../../src/kafka/record.js';
import { capturedLogger, fixtureCatalog } from '../helpers.js';
import { githubHeaders } from './senders.js';

export const SECRETS = {
  SIG_STANDARD_OLD: 'whsec_T0xELXN0YW5kYXJkLXNlY3JldC1rZXk=',
  SIG_STANDARD: 'whsec_U1RBTkRBUkQtc2VjcmV0LWtleS0yMDI2',
  SIG_STRIPE: 'whsec_stripe_SECRET_d9c1e7a5',
  SIG_GITHUB: 'gh-SECRET-4b1f0c3e9a',
  SIG_SHOPIFY: 'shpss_SECRET_77aa01',
  SIG_SLACK: 'slack-SECRET-8f742231b10e',
  SIG_TWILIO: 'twilio-SECRET-authtoken-123',
  SIG_CUSTOM: 'custom-SECRET-0f0f0f',
  SIG_TOKEN: 'tok-SECRET-browser-5e5e',
} as const;

export const PUBLIC_URL = 'https://hooks.example.com';

export function setSecretEnv(): void {
  Object.assign(process.env, SECRETS);
}

export interface SignedApp {
  app: App;
  produced: OutboundRecord[][];
  lines: string[];
  /** Makes the sink fail with this error until cleared. */
  failWith(err: TributaryError | undefined): void;
  /** Holds every produce until the returned function is called. */
  hold(): () => void;
}

export async function signedApp(
  opts: { config?: Partial<Config>; deliveries?: DeliveryStore; logLevel?: string } = {},
): Promise<SignedApp> {
  setSecretEnv();
  const produced: OutboundRecord[][] = [];
  const { logger, lines } = capturedLogger(opts.logLevel ?? 'info');
  let failure: TributaryError | undefined;
  let gate: Promise<void> | undefined;
  const app = await buildApp({
    config: defaultConfig({ publicUrl: PUBLIC_URL, ...opts.config }),
    catalog: await fixtureCatalog('signed.yaml'),
    logger,
    deliveries: opts.deliveries,
    sink: {
      async produce(records) {
        await gate;
        if (failure) throw failure;
        produced.push(records);
      },
    },
  });
  return {
    app,
    produced,
    lines,
    failWith(err) {
      failure = err;
    },
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

/** A GitHub-signed delivery to the signed catalog's github binding: the status and parsed answer. */
export async function postGithub(t: SignedApp, delivery: string, body = '{"action":"opened"}') {
  const res = await t.app.fastify.inject({
    method: 'POST',
    url: '/test/signed/github',
    payload: body,
    headers: {
      'content-type': 'application/json',
      ...(await githubHeaders(SECRETS.SIG_GITHUB, body, delivery)),
    },
  });
  return { status: res.statusCode, body: res.json() };
}
