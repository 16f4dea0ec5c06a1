// Over-the-limit input and cancellation. The videos are made on the fly with the system ffmpeg.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'vem-e2e-'));
const make = (name: string, args: string[]) => {
  const out = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return out;
};

test('a video over the length limit is refused with the limit in the message', async ({ page }) => {
  // prettier-ignore
  const long = make('long.mp4', [
    '-f', 'lavfi', '-i', 'color=c=navy:s=64x64:r=2', '-t', '301',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
  ]);
  await page.goto('/');
  await page.getByTestId('video-input').setInputFiles(long);
  await expect(page.getByTestId('error-message')).toHaveText(/limit is 300 s/);
});

test('decoding can be cancelled and the next file still works', async ({ page }) => {
  // prettier-ignore
  const busy = make('busy.mp4', [
    '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30', '-t', '90',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
  ]);
  await page.goto('/');
  await page.getByTestId('video-input').setInputFiles(busy);
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect
    .poll(async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('error-message')).toHaveText(/cancelled/i);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'idle');
  await page.getByTestId('video-input').setInputFiles('e2e/fixtures/cuts-10s.mp4');
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
});
