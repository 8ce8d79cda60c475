/** What the shell gives the console's own pages beyond PageProps: the whole client and who is signed in. */
import type { Api } from './api';
import type { PageProps } from './http';

export interface ConsolePageProps extends PageProps {
  api: Api;
  /** The handle sent as x-redraw-actor. */
  handle: string;
}
