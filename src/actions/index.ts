/** Every action is a public endpoint (`/_actions/<name>`): each one authorizes inside its handler. */
import { auth } from './auth.ts';

export const server = { auth };
