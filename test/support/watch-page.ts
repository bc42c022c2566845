/**
 * What a dashboard page must not do, recorded as it happens: console errors, page errors,
 * failed requests (requests aborted by navigating away aside), HTTP errors, and, with `server`,
 * requests that leave it (`blob:` and `data:` URLs stay in the browser). `requests`, when
 * given, receives every request URL.
 */
import type { Browser, Page } from 'playwright-core';

export function watchPage(page: Page, server?: string, requests?: string[]): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    requests?.push(url);
    if (server !== undefined && !/^(blob|data):/.test(url) && !url.startsWith(server)) {
      problems.push(`left the server: ${url}`);
    }
  });
  return problems;
}

/** The viewport of the desktop pages and their screenshots. */
export const DESKTOP_VIEWPORT = { width: 1360, height: 900 };

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors, failed requests, HTTP errors and requests leaving the server. */
  problems: string[];
  /** Every request URL the page made. */
  requests: string[];
}

/**
 * A page in a new browser context (closed with `page.context().close()`), watched (watchPage,
 * with `server` as the only origin it may reach) from before it opens `server + url`.
 */
export async function openWatched(
  browser: Browser,
  server: string,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    acceptDownloads?: boolean;
    /** Called with the page before it navigates, e.g. to listen to its responses. */
    before?: (page: Page) => void;
  } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP_VIEWPORT,
    acceptDownloads: options.acceptDownloads ?? false,
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems = watchPage(page, server, requests);
  options.before?.(page);
  await page.goto(`${server}${url}`);
  return { page, problems, requests };
}

/** Waits until no request is in flight and no panel shows loading or stale table rows. */
export async function settlePage(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  // A function, not a string: the dashboard's Content-Security-Policy forbids eval.
  await page.waitForFunction(
    () =>
      !(
        globalThis as unknown as { document: { querySelector(selector: string): unknown } }
      ).document.querySelector('.loading, tbody.stale'),
  );
}
