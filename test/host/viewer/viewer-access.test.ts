import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { startViewerServer, type ViewerServer } from '../../../src/host/viewer/viewer-server.js';
import { tokensEqual } from '../../../src/host/viewer/access.js';
import { FakeSource } from './fake-source.js';
import { http, upgradeOutcome } from './viewer-test-client.js';

const TOKEN = 's3cret-token_with+odd/chars';

async function withServer(token: string | undefined, fn: (s: ViewerServer, base: string) => Promise<void>): Promise<void> {
  const source = new FakeSource({ faultKinds: ['device-removed'] });
  const server = await startViewerServer({ source, port: 0, host: '127.0.0.1', ...(token !== undefined ? { token } : {}) });
  try {
    await fn(server, `http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

test('without_a_token_a_loopback_viewer_serves_the_page', () =>
  withServer(undefined, async (s, base) => {
    assert.equal(s.url, `${base}/`);
    const page = await http(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<section id="monitors"/);
    assert.match(page.body, /src="viewer\.js"/);
    assert.equal((await http(`${base}/novnc/core/rfb.js`)).status, 200, "noVNC's client is served beside the page");
    assert.equal((await http(`${base}/viewer.js`)).status, 200);
    assert.equal((await http(`${base}/viewer.css`)).status, 200);
    assert.equal((await http(`${base}/nope.js`)).status, 404);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`), 'open');
  }));

test('with_a_token_every_request_without_it_is_refused', () =>
  withServer(TOKEN, async (s, base) => {
    for (const path of ['/', '/index.html', '/viewer.js', '/viewer.css', '/novnc/core/rfb.js', '/api/stats', '/nope']) {
      assert.equal((await http(`${base}${path}`)).status, 401, `GET ${path} without a token`);
      assert.equal((await http(`${base}${path}?token=wrong`)).status, 401, `GET ${path} with a wrong token`);
    }
    const noToken = await http(`${base}/`);
    assert.match(String(noToken.headers['www-authenticate']), /^Bearer/);
    assert.equal((await http(`${base}/api/fault`, { method: 'POST', body: '{"kind":"device-removed"}' })).status, 401);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`), 401);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws?token=${TOKEN.slice(0, -1)}`), 401);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`, { authorization: 'Bearer nope' }), 401);
  }));

test('with_the_right_token_in_the_query_or_a_bearer_header_requests_pass', () =>
  withServer(TOKEN, async (s, base) => {
    const q = `?token=${encodeURIComponent(TOKEN)}`;
    assert.equal(s.url, `${base}/${q}`);
    const page = await http(s.url);
    assert.equal(page.status, 200);
    // the page's own assets carry the token too, or the browser's fetches of them would be refused
    assert.ok(page.body.includes(`src="viewer.js${q}"`));
    assert.ok(page.body.includes(`href="viewer.css${q}"`));
    assert.equal((await http(`${base}/viewer.js${q}`)).status, 200);
    // noVNC's modules import each other by relative URL: each import carries the token as well.
    const rfb = await http(`${base}/novnc/core/rfb.js${q}`);
    assert.equal(rfb.status, 200);
    assert.ok(rfb.body.includes(`from "./websock.js${q}"`), 'the import of websock.js carries the token');
    assert.equal((await http(`${base}/novnc/core/websock.js${q}`)).status, 200);
    assert.equal((await http(`${base}/api/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws${q}`), 'open');
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`, { authorization: `Bearer ${TOKEN}` }), 'open');
  }));

test('binding_a_non_loopback_address_without_a_token_refuses_to_start', async () => {
  const source = new FakeSource();
  for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.com']) {
    await assert.rejects(startViewerServer({ source, port: 0, host }), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /without a token/);
      assert.match(e.message, /--token/);
      return true;
    });
  }
  assert.equal(source.listenerCount, 0, 'a refused start leaves nothing subscribed');
  await assert.rejects(startViewerServer({ source, port: 0, host: '127.0.0.1', token: '' }), InvalidArgumentError);
});

test('without_a_token_requests_naming_another_host_or_origin_are_forbidden', () =>
  withServer(undefined, async (s, base) => {
    // DNS rebinding: a foreign name resolving to 127.0.0.1
    assert.equal((await http(`${base}/`, { headers: { host: `evil.example:${s.port}` } })).status, 403);
    assert.equal((await http(`${base}/`, { headers: { host: `localhost:${s.port}` } })).status, 200);
    // another site's page opening the socket or posting a fault from the user's browser
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`, { origin: 'http://evil.example' }), 403);
    assert.equal(await upgradeOutcome(`ws://127.0.0.1:${s.port}/ws`, { origin: `http://127.0.0.1:${s.port}` }), 'open');
    const post = await http(`${base}/api/fault`, { method: 'POST', headers: { origin: 'http://evil.example' }, body: '{"kind":"device-removed"}' });
    assert.equal(post.status, 403);
  }));

test('tokens_compare_equal_only_when_identical', () => {
  assert.equal(tokensEqual('abc', 'abc'), true);
  assert.equal(tokensEqual('abc', 'abd'), false);
  assert.equal(tokensEqual('abc', 'abcd'), false);
  assert.equal(tokensEqual('', 'abc'), false);
});
