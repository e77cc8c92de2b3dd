/** Who the audit log names for a change made from the command line: no signed-in user, so `cli:<OS user>`. */
import os from 'node:os';
import { getConfig } from '../platform/config.server.ts';

export function cliActorLabel(): string {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers).
    name = getConfig().osUser ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return `cli:${name}`;
}
