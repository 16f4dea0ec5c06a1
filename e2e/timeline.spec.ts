// The timeline in the built app: storyboards and transitions where their times say from the first paint
// and after a take (10 s and 180 s videos), zoom and scroll, hit points that the plan honours and the
// take carries, and cuts marked "not a beat".
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { longTestVideo, SHOTS_DIR } from './helpers.ts';

async function openVideo(page: Page, path: string): Promise<number> {
  await page.getByTestId('video-input').setInputFiles(path);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 300_000 });
  await expect(page.getByTestId('storyboard').first()).toBeAttached();
  return Number(await page.getByTestId('video-meta').getAttribute('data-duration-sec'));
}

/** Left edges of the markers with `testid` against where their `attr` time maps on the lane. */
async function edgeErrors(page: Page, testid: string, attr: string, durationSec: number): Promise<number[]> {
  const lane = (await page.getByTestId('timeline').boundingBox())!;
  const rows = await page
    .getByTestId(testid)
    .evaluateAll((els, a) => els.map((e) => [e.getBoundingClientRect().x, Number(e.getAttribute(a))]), attr);
  return rows.map(([x, t]) => Math.abs(x! - (lane.x + (t! / durationSec) * lane.width)));
}

async function expectLaidOut(page: Page, durationSec: number) {
  await expect
    .poll(async () => Math.max(0, ...(await edgeErrors(page, 'storyboard', 'data-start-sec', durationSec))), {
      timeout: 20_000,
    })
    .toBeLessThanOrEqual(2);
  const tr = await edgeErrors(page, 'transition', 'data-time-sec', durationSec);
  expect(tr.length).toBeGreaterThan(0);
  expect(Math.max(...tr)).toBeLessThanOrEqual(2);
  // the lane spans the whole video: the last storyboard ends at its right edge
  const lane = (await page.getByTestId('timeline').boundingBox())!;
  const last = page.getByTestId('storyboard').last();
  const box = (await last.boundingBox())!;
  expect(Math.abs(box.x + box.width - (lane.x + lane.width))).toBeLessThanOrEqual(3);
}

const nearest = (xs: number[], t: number) => Math.min(...xs.map((x) => Math.abs(x - t)));
const plannedBeats = (page: Page) =>
  page.getByTestId('planned-beat').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time-sec'))));

test('10 s video: laid out after parsing and after a take; a hit point gets a beat and the take carries it', async ({
  page,
}) => {
  test.setTimeout(400_000);
  await page.goto('/?ep=wasm&steps=2');
  const dur = await openVideo(page, 'e2e/fixtures/cuts-10s.mp4');
  await expectLaidOut(page, dur);

  // the plan is drawn before any take; a hit point at the playhead moves a beat onto it at once
  await expect(page.getByTestId('planned-beat').first()).toBeAttached();
  const at = 3.37;
  await page.getByTestId('video-player').evaluate((v: HTMLVideoElement, t) => {
    v.currentTime = t;
  }, at);
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.currentTime))
    .toBeCloseTo(at, 2);
  await page.getByTestId('add-hit-point').click();
  await expect(page.getByTestId('hit-point')).toHaveCount(1);
  const hp = Number(await page.getByTestId('hit-point').getAttribute('data-time-sec'));
  expect(Math.abs(hp - at)).toBeLessThan(0.01);
  await expect.poll(async () => nearest(await plannedBeats(page), hp)).toBeLessThanOrEqual(0.02);
  await expect(page.getByTestId('marker-detail')).toHaveAttribute('data-kind', 'hit');
  expect(Math.max(...(await edgeErrors(page, 'hit-point', 'data-time-sec', dur)))).toBeLessThanOrEqual(2);

  // a second one by double-clicking the lane at 7.8 s
  const lane = (await page.getByTestId('timeline').boundingBox())!;
  await page.mouse.dblclick(lane.x + (7.8 / dur) * lane.width, lane.y + lane.height * 0.45);
  await expect(page.getByTestId('hit-point')).toHaveCount(2);
  const hps = await page
    .getByTestId('hit-point')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time-sec'))));
  expect(Math.abs(hps[1]! - 7.8)).toBeLessThan(0.1);
  for (const h of hps) await expect.poll(async () => nearest(await plannedBeats(page), h)).toBeLessThanOrEqual(0.02);

  // a cut marked "not a beat"
  await page.getByTestId('transition').first().click();
  await expect(page.getByTestId('marker-detail')).toHaveAttribute('data-kind', 'cut');
  await page.getByTestId('toggle-not-beat').click();
  await expect(page.getByTestId('transition').first()).toHaveAttribute('data-not-beat', 'true');
  await page.getByTestId('toggle-not-beat').click();
  await expect(page.getByTestId('transition').first()).toHaveAttribute('data-not-beat', 'false');

  // the take made now carries both hit points, each with its planned beat
  await page.getByTestId('generate-button').click();
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="take"]').length > 0 ||
      document.querySelector('[data-testid="error-message"]') !== null,
    null,
    { timeout: 300_000, polling: 500 },
  );
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  const carried = page.getByTestId('take-hit-points');
  const takeHits = JSON.parse((await carried.getAttribute('data-hit-points'))!) as number[];
  const takeBeats = JSON.parse((await carried.getAttribute('data-planned-beats'))!) as number[];
  expect(takeHits).toEqual(hps);
  for (const h of hps) expect(nearest(takeBeats, h)).toBeLessThanOrEqual(0.02);
  await expectLaidOut(page, dur);
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.getByTestId('hit-point').last().click();
  await page
    .locator('section.timeline')
    .screenshot({ path: `${SHOTS_DIR}/02b-hit-points.jpg`, type: 'jpeg', quality: 80 });

  // the hit points survive a reload with the project
  await page.reload();
  await expect(page.getByTestId('hit-point')).toHaveCount(2, { timeout: 30_000 });

  // the keyboard path: the bar lists the hit points as buttons; pressing one selects it
  await page.getByRole('button', { name: `hit point at ${hps[1]!.toFixed(2)} seconds` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('marker-detail')).toContainText(`Hit point at ${hps[1]!.toFixed(2)} s`);
  // removing one updates the plan at once
  await page.getByTestId('hit-point').first().click();
  await page.getByTestId('remove-hit-point').click();
  await expect(page.getByTestId('hit-point')).toHaveCount(1);
  // H adds one at the playhead, also while a button has the focus (right after a click on one)
  await page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => {
    v.currentTime = 9.5;
  });
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.currentTime))
    .toBeCloseTo(9.5, 1);
  await page.getByTestId('add-hit-point').focus();
  await page.keyboard.press('h');
  await expect(page.getByTestId('hit-point')).toHaveCount(2);
});

test('180 s video: laid out from the first paint, zoom scrolls with the playhead, beats thinned', async ({ page }) => {
  test.setTimeout(600_000);
  const path = longTestVideo(180);
  await page.goto('/?ep=wasm&steps=1');
  const dur = await openVideo(page, path);
  expect(dur).toBeGreaterThan(179);
  await expectLaidOut(page, dur);
  // the plan's beats are drawn, thinned so that the drawn ones stay ≥ 4 px apart
  const xs = await page.getByTestId('planned-beat').evaluateAll((els) =>
    els
      .filter((e) => (e as HTMLElement).style.display !== 'none')
      .map((e) => e.getBoundingClientRect().x)
      .sort((a, b) => a - b),
  );
  expect(xs.length).toBeGreaterThan(20);
  for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(3.5);

  // zoom in: the lane is wider than its box and scrolls; markers stay where their times say
  const box = (await page.getByTestId('timeline-scroll').boundingBox())!;
  for (let k = 0; k < 3; k++) await page.getByTestId('zoom-in').click();
  await expect(page.getByTestId('zoom-level')).toHaveText('8×');
  await expect
    .poll(async () => (await page.getByTestId('timeline').boundingBox())!.width)
    .toBeGreaterThan(7 * box.width);
  await expectLaidOut(page, dur);
  // seek to 150 s: the lane scrolls so that the playhead is in view
  await page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => {
    v.currentTime = 150;
  });
  await expect.poll(() => page.getByTestId('timeline-scroll').evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  const view = await page
    .getByTestId('timeline-scroll')
    .evaluate((el) => ({ left: el.scrollLeft, width: el.clientWidth, total: el.scrollWidth }));
  const x = (150 / dur) * view.total;
  expect(x).toBeGreaterThanOrEqual(view.left);
  expect(x).toBeLessThanOrEqual(view.left + view.width);

  // ctrl + wheel (a trackpad pinch arrives as the same) zooms around the pointer: the moment under it stays
  const sbox = (await page.getByTestId('timeline-scroll').boundingBox())!;
  const px = sbox.width * 0.6;
  const timeAt = () =>
    page.getByTestId('timeline-scroll').evaluate((el, p) => (el.scrollLeft + p) / el.scrollWidth, px);
  const before = (await timeAt()) * dur;
  await page.mouse.move(sbox.x + px, sbox.y + 30);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, 40);
  await page.keyboard.up('Control');
  await expect(page.getByTestId('zoom-level')).toHaveText('4×');
  await expect
    .poll(async () => Math.abs((await timeAt()) * dur - before) * (view.total / 2 / dur))
    .toBeLessThanOrEqual(3);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -40);
  await page.keyboard.up('Control');
  await expect(page.getByTestId('zoom-level')).toHaveText('8×');
  await expect.poll(async () => Math.abs((await timeAt()) * dur - before) * (view.total / dur)).toBeLessThanOrEqual(3);
  await page.mouse.wheel(0, 120); // a plain wheel scrolls and leaves the zoom alone
  await expect(page.getByTestId('zoom-level')).toHaveText('8×');
});
