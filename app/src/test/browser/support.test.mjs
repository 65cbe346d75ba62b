// The harness itself: a page's problems must fail its test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { checkAccessibility, expectAnswer, launch, newPage, watchPage } from './support.mjs';
import { servePages } from './fixtures/pages.mjs';

let pages;
before(async () => {
  pages = await servePages();
});
after(() => pages.close());

/** Opens `path` in a fresh context and returns the watch's verdict (the error, or null). */
async function verdict(path, expected = []) {
  const context = await (await launch()).newContext();
  try {
    const page = await context.newPage();
    const watch = watchPage(page, expected);
    await page.goto(`${pages.url}${path}`, { waitUntil: 'load' });
    // console messages and page errors arrive asynchronously; let the page settle
    await page.waitForTimeout(200);
    watch.check();
    return null;
  } catch (error) {
    return error;
  } finally {
    await context.close();
  }
}

test('checkWhenThePageIsCleanThenPasses', async () => {
  assert.equal(await verdict('/clean'), null);
});

test('checkWhenAScriptThrowsThenFailsNamingTheError', async () => {
  const error = await verdict('/script-error');
  assert.match(String(error?.message), /uncaught script error: .*undefinedFunction/);
});

test('checkWhenThePageLogsAConsoleErrorThenFails', async () => {
  const error = await verdict('/console-error');
  assert.match(String(error?.message), /console error: something went wrong/);
});

test('checkWhenAResourceOfItsOwnOriginAnswers404ThenFails', async () => {
  const error = await verdict('/missing-image');
  assert.match(String(error?.message), /HTTP 404 answer: GET .*\/missing\.png/);
});

test('checkWhenThe404IsExpectedThenPasses', async () => {
  assert.equal(await verdict('/missing-image', [{ url: /\/missing\.png$/, status: 404 }]), null);
});

test('checkWhenTheAnswerIsExpectedAfterwardsThenPasses', async () => {
  const context = await (await launch()).newContext();
  try {
    const page = await context.newPage();
    const watch = watchPage(page);
    expectAnswer(page, { url: `${pages.url}/nowhere`, status: 404 });
    await page.goto(`${pages.url}/nowhere`, { waitUntil: 'load' });
    assert.equal(watch.problems.length, 1);
    watch.check();
  } finally {
    await context.close();
  }
});

test('checkWhenTheNavigationItselfAnswers404ThenFails', async () => {
  const error = await verdict('/nowhere');
  assert.match(String(error?.message), /HTTP 404 answer: GET .*\/nowhere/);
});

test('newPageWhenThePageFetchesFromBeyondThisMachineThenTheBrowserRefuses', async (t) => {
  const page = await newPage(t);
  await page.goto(`${pages.url}/clean`);
  const failed = page.waitForEvent('requestfailed');
  // TEST-NET-1 (RFC 5737): never anyone's address
  const outcome = await page.evaluate(() =>
    fetch('http://192.0.2.1/').then(
      () => 'answered',
      () => 'refused',
    ),
  );
  assert.equal(outcome, 'refused');
  assert.match(String((await failed).failure()?.errorText), /ERR_BLOCKED_BY_CLIENT/);
});

test('newPageWhenItsPageThrowsThenItsTestFails', async () => {
  // A run of its own of a test whose page throws: the test must fail, naming the error.
  const fixture = fileURLToPath(new URL('./fixtures/page-error.mjs', import.meta.url));
  // without the variable by which node:test would treat the run as a part of this one
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const { code, output } = await new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--test-reporter=spec', fixture],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error?.code ?? 0, output: stdout + stderr }),
    );
  });
  assert.notEqual(code, 0, output);
  assert.match(output, /uncaught script error: .*undefinedFunction/, output);
});

/** Audits `path` under the console's CSP; the audit's error (or null), and what it logged. */
async function audit(t, path) {
  const page = await newPage(t);
  await page.goto(`${pages.url}${path}`, { waitUntil: 'load' });
  const logged = [];
  t.mock.method(console, 'log', (...words) => logged.push(words.join(' ')));
  try {
    await checkAccessibility(page, path);
    return { error: null, logged };
  } catch (error) {
    return { error, logged };
  } finally {
    t.mock.restoreAll();
  }
}

test('checkAccessibilityWhenThePageMeetsWcagThenPassesUnderTheConsolesCsp', async (t) => {
  // newPage's watch fails the test if the CSP refused anything the audit did
  const { error, logged } = await audit(t, '/accessible');
  assert.equal(error, null);
  assert.deepEqual(logged, []);
});

test('checkAccessibilityWhenAnInputHasNoLabelThenFailsNamingTheRuleAndTheInput', async (t) => {
  const { error } = await audit(t, '/unlabeled-input');
  // once in each colour scheme
  assert.match(String(error?.message), /accessibility of \/unlabeled-input: 2 serious or critical/);
  assert.match(String(error?.message), /- label \(critical, dark colour scheme\): Form elements must have labels/);
  assert.match(String(error?.message), /- label \(critical, light colour scheme\): Form elements must have labels/);
  assert.match(String(error?.message), /#nameless/);
});

test('checkAccessibilityWhenAnImageHasNoAltThenFailsNamingTheRuleAndTheImage', async (t) => {
  const { error } = await audit(t, '/image-without-alt');
  assert.match(String(error?.message), /- image-alt \(critical, light colour scheme\): Images must have alternative text/);
  assert.match(String(error?.message), /#wordless/);
});

test('checkAccessibilityWhenOnlyTheDarkColourSchemeLacksContrastThenFailsAndLeavesTheLightOne', async (t) => {
  const page = await newPage(t);
  await page.goto(`${pages.url}/dark-contrast`, { waitUntil: 'load' });
  const error = await checkAccessibility(page, 'dark contrast').then(() => null, (failure) => failure);
  assert.match(String(error?.message), /: 1 serious or critical violation\(s\)/);
  assert.match(String(error?.message), /- color-contrast \(serious, dark colour scheme\): .*\n {6}#faint/);
  assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: light)').matches), true);
});

test('checkAccessibilityWhenTheViolationIsMinorThenLogsItAndPasses', async (t) => {
  const { error, logged } = await audit(t, '/minor-violation');
  assert.equal(error, null);
  assert.match(logged.join('\n'), /2 moderate or minor violation\(s\):\n {2}- aria-deprecated-role \(minor, dark colour scheme\)/);
});
