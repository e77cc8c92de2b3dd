/** Every action is a public endpoint (`/_actions/<name>`): each one authorizes inside its handler. */
import { admin } from './admin.ts';
import { auth } from './auth.ts';
import { checkin } from './checkin.ts';
import { lesson } from './lesson.ts';
import { notificationAccount } from './notifications-account.ts';
import { policy } from './policy.ts';
import { practice } from './practice.ts';
import { profile } from './profile.ts';
import { quiz } from './quiz.ts';

export const server = { admin, auth, checkin, lesson, notificationAccount, policy, practice, profile, quiz };
