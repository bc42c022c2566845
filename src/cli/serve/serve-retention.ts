/**
 * `flowlens serve --retention DAYS`: deletes flows and alerts older than DAYS days once at start
 * and then every hour while the server runs (FlowStore.applyRetention). A failed pass is logged
 * and tried again at the next; it never stops the server.
 */
import type { FlowStore } from '../../store/index.js';

const INTERVAL_MS = 3_600_000;

export interface RunningRetention {
  stop(): Promise<void>;
}

export async function startRetention(
  store: FlowStore,
  days: number,
  log: (message: string) => void,
): Promise<RunningRetention> {
  let pass: Promise<void> = Promise.resolve();
  const apply = () => {
    pass = pass.then(async () => {
      try {
        const result = await store.applyRetention(days);
        if (result.flowsDeleted + result.alertsDeleted > 0) {
          log(
            `retention ${days} days: deleted ${result.flowsDeleted} flows and ${result.alertsDeleted} alerts`,
          );
        }
      } catch (error) {
        log(`retention pass failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return pass;
  };
  await apply();
  const timer = setInterval(() => void apply(), INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}
