import type { Page } from '@playwright/test';

/** Records every request the page makes; `foreign()` lists those that left the app's origin. */
export function trackRequests(page: Page, origin: string) {
  const urls: string[] = [];
  page.on('request', (req) => urls.push(req.url()));
  return {
    urls,
    foreign: () => urls.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')),
  };
}

/** Where the walkthrough screenshots go: docs/walkthrough when VEM_WALKTHROUGH=1 (to refresh the docs on
 *  purpose), else test-results/walkthrough, so a test run leaves the tracked tree as it was. */
export const SHOTS_DIR = process.env.VEM_WALKTHROUGH === '1' ? 'docs/walkthrough' : 'test-results/walkthrough';
