/**
 * A small history router: the path picks the page, the query string holds all view state
 * (range, filter, group-by, sort, page…), so every view is a shareable link.
 */
import { useSyncExternalStore } from 'react';

const subscribers = new Set<() => void>();
const notify = () => {
  for (const subscriber of subscribers) subscriber();
};
window.addEventListener('popstate', notify);

function subscribe(subscriber: () => void): () => void {
  subscribers.add(subscriber);
  return () => subscribers.delete(subscriber);
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and search; re-renders on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  notify();
  if (!options.replace) window.scrollTo(0, 0);
}

/** Sets or removes query parameters on the current page; undefined or '' removes one. */
export function setQuery(
  changes: Record<string, string | number | undefined>,
  options: { replace?: boolean } = {},
): void {
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') query.delete(key);
    else query.set(key, String(value));
  }
  const search = query.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, options);
}

/** Same-page links keep the range; a link's click navigates without reloading. */
export function linkClick(event: React.MouseEvent<HTMLAnchorElement>, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  event.preventDefault();
  navigate(href);
}
