/** Every action is a public endpoint (`/_actions/<name>`): each one authorizes inside its handler. */
import { auth } from './auth.ts';
import { lesson } from './lesson.ts';
import { profile } from './profile.ts';
import { quiz } from './quiz.ts';

export const server = { auth, lesson, profile, quiz };
