/**
 * Locally, who is working: the handle kept in this browser (lib/storage.ts),
 * and whether the person is changing it (the shell then asks again).
 */
import { useRef, useState } from 'preact/hooks';
import { storedHandle, storeHandle } from '../lib/storage';

export interface LocalHandle {
  handle: string | null;
  changing: boolean;
  /** The handle as it is now, for requests sent later (the API client is made once). */
  current(): string | null;
  /** Keeps a chosen handle and ends the change. */
  choose(handle: string): void;
  setChanging(changing: boolean): void;
}

export function useHandle(): LocalHandle {
  const [handle, setHandle] = useState<string | null>(storedHandle);
  const [changing, setChanging] = useState(false);
  const handleRef = useRef(handle);
  handleRef.current = handle;
  return {
    handle,
    changing,
    current: () => handleRef.current,
    choose: (chosen) => {
      storeHandle(chosen);
      setHandle(chosen);
      setChanging(false);
    },
    setChanging,
  };
}
