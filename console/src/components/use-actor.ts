/** Who acts on a follow-up: the handle the shell gives, until GET /me names the person (on AWS `user:<name>`). */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { isRecord } from '../lib/types';

export function useActor(api: Api, handle: string): string {
  const [me, setMe] = useState(handle);
  useEffect(() => {
    api.get('/me').then(
      (body) => {
        if (isRecord(body) && typeof body.actor === 'string') setMe(body.actor);
      },
      () => undefined,
    );
  }, [api]);
  return me;
}
