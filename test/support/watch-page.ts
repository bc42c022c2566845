/**
 * What a dashboard page must not do, recorded as it happens: console errors, page errors,
 * failed requests (requests aborted by navigating away aside), HTTP errors, and, with `server`,
 * requests that leave it (`blob:` and `data:` URLs stay in the browser). `requests`, when
 * given, receives every request URL.
 */
import type { Page } from 'playwright-core';

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
