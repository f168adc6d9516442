// Slack's url_verification and ssl_check, GitHub's ping: answered without producing, only once the signature
// verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubHeaders, slackHeaders } from '../auth/senders.js';
import { SECRETS, type SignedApp, signedApp } from '../auth/signed-app.js';

let t: SignedApp;
beforeAll(async () => {
  t = await signedApp();
});
afterAll(() => t.app.fastify.close());

const post = (url: string, payload: string, headers: Record<string, string>) =>
  t.app.fastify.inject({ method: 'POST', url, payload, headers });

describe('sender handshakes', () => {
  it("echoes Slack's url_verification challenge once signed, and produces nothing", async () => {
    const body = JSON.stringify({
      token: 'legacy',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const res = await post('/test/signed/slack', body, {
      'content-type': 'application/json',
      ...slackHeaders(SECRETS.SIG_SLACK, body),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect(t.produced).toHaveLength(0);
  });

  it('does not echo an unsigned or forged challenge', async () => {
    const body = JSON.stringify({ challenge: 'attacker', type: 'url_verification' });
    const forged = await post('/test/signed/slack', body, {
      'content-type': 'application/json',
      ...slackHeaders('guess', body),
    });
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'TRIB_AUTH_SIGNATURE_MISMATCH']);
    expect(forged.body).not.toContain('attacker');
    const unsigned = await post('/test/signed/slack', body, { 'content-type': 'application/json' });
    expect([unsigned.statusCode, unsigned.json().code]).toEqual([401, 'TRIB_AUTH_SIGNATURE_MISSING']);
  });

  it("answers Slack's ssl_check with 200 and produces nothing", async () => {
    const body = 'ssl_check=1&token=legacy';
    const res = await post('/test/signed/slack', body, {
      'content-type': 'application/x-www-form-urlencoded',
      ...slackHeaders(SECRETS.SIG_SLACK, body),
    });
    expect([res.statusCode, res.json()]).toEqual([200, {}]);
    expect(t.produced).toHaveLength(0);
  });

  it("accepts GitHub's ping without producing it (decided: a ping is not an event), only when signed", async () => {
    const body = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
    const headers = {
      'content-type': 'application/json',
      ...(await githubHeaders(SECRETS.SIG_GITHUB, body, 'ping-1')),
      'x-github-event': 'ping',
    };
    const res = await post('/test/signed/github', body, headers);
    expect([res.statusCode, res.json()]).toEqual([200, { published: 0, webhookIds: [], ping: true }]);
    expect(t.produced).toHaveLength(0);
    const forged = await post('/test/signed/github', body, {
      ...headers,
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(forged.statusCode).toBe(401);
  });

  it('treats the same bodies as ordinary documents on bindings of other schemes', async () => {
    const body = JSON.stringify({ challenge: 'c', type: 'url_verification' });
    const res = await post('/test/browser/anyone', body, {
      'content-type': 'application/json',
      'x-github-event': 'ping',
    });
    expect([res.statusCode, res.json().published]).toEqual([200, 1]);
  });
});
