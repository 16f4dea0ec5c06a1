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
