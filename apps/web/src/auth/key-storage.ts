/**
 * Where the dashboard keeps the API key between page loads: sessionStorage by default (gone
 * when the tab closes), localStorage when the user asked to be remembered on this device.
 * Only one of the two holds a key at a time.
 */
export const KEY_STORAGE_ITEM = 'scrape-jobs.api-key';

/** Storage can be missing or refuse access (privacy modes); the dashboard then forgets on reload. */
function storages(): { session: Storage | null; local: Storage | null } {
  const pick = (name: 'sessionStorage' | 'localStorage') => {
    try {
      return window[name];
    } catch {
      return null;
    }
  };
  return { session: pick('sessionStorage'), local: pick('localStorage') };
}

export function loadKey(): string | null {
  const { session, local } = storages();
  return session?.getItem(KEY_STORAGE_ITEM) || local?.getItem(KEY_STORAGE_ITEM) || null;
}

export function saveKey(key: string, remember: boolean): void {
  clearKey();
  const { session, local } = storages();
  try {
    (remember ? local : session)?.setItem(KEY_STORAGE_ITEM, key);
  } catch {
    /* storage full or refused: the key lives in memory for this page only */
  }
}

export function clearKey(): void {
  const { session, local } = storages();
  session?.removeItem(KEY_STORAGE_ITEM);
  local?.removeItem(KEY_STORAGE_ITEM);
}
