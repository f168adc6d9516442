// The inspector (README "Inspector"): /_tributary/inspector, registered only when an admin token is configured.
// Thin: access is src/inspector/access.ts's, the data src/inspector/recorder.ts's, the page src/inspector/page.ts.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERRORS, TributaryError } from '../src/errors.js';
import { type AdminAccess, SESSION_COOKIE, SESSION_SECONDS } from '../src/inspector/access.js';
import { BASE, CSP, ICON, loginPage, PAGE, SCRIPT, STYLE } from '../src/inspector/page.js';
import type { InspectorRecorder } from '../src/inspector/recorder.js';

export async function inspectorRoutes(
  app: FastifyInstance,
  opts: { access: AdminAccess; recorder: InspectorRecorder },
): Promise<void> {
  const { access, recorder } = opts;
  // The login form only; 1 KiB is plenty for one token.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get(BASE, async (request, reply) =>
    access.allowed(request.headers) ? html(reply, 200, PAGE) : html(reply, 200, loginPage()),
  );
  app.post(BASE + '/login', async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const outcome = access.login(form.get('token') ?? '');
    if (outcome === 'throttled') return html(reply, 429, loginPage('Too many wrong tokens; wait a minute.'));
    if (outcome === 'wrong') return html(reply, 401, loginPage('That token is not the admin token.'));
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${outcome}; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`,
    );
    return reply.code(303).header('location', BASE).send();
  });
  app.post(BASE + '/logout', async (request, reply) => {
    access.logout(request.headers.cookie);
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.code(303).header('location', BASE).send();
  });
  app.get(BASE + '/app.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(SCRIPT),
  );
  app.get(BASE + '/icon.svg', async (_request, reply) => reply.type('image/svg+xml').send(ICON));
  app.get(BASE + '/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLE));
  app.get(BASE + '/api/state', async (request) => {
    if (!access.allowed(request.headers)) {
      throw new TributaryError(ERRORS.AUTH_MISSING_TOKEN, 'the inspector needs the admin token', {
        challenge: 'Bearer realm="tributary-inspector"',
      });
    }
    const query = request.query as Record<string, string | undefined>;
    const filter: { binding?: string; code?: string } = {};
    if (query['binding']) filter.binding = query['binding'];
    if (query['code']) filter.code = query['code'];
    return recorder.view(filter);
  });
}
