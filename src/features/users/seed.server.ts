/**
 * The demo organisation seeded on a fresh database outside production: a few departments
 * and one learner, one champion and one admin with random passwords, printed once.
 */
import type { Role } from './roles.ts';
import type { Db } from '../../platform/db.server.ts';
import { generatePassword, hashPassword } from '../auth/password.server.ts';
import { countUsers, createUser, ensureDepartment } from './users.server.ts';

export interface DemoAccount {
  email: string;
  password: string;
  role: Role;
  displayName: string;
  department: string;
}

const DEPARTMENTS = ['営業部', '人事部', '経理部', 'カスタマーサポート部', '情報システム部'];

const PEOPLE: Omit<DemoAccount, 'password'>[] = [
  { email: 'learner@manabi.example', displayName: '佐藤 花子', role: 'learner', department: '営業部' },
  { email: 'champion@manabi.example', displayName: '鈴木 一郎', role: 'champion', department: '営業部' },
  { email: 'admin@manabi.example', displayName: '高橋 真司', role: 'admin', department: '情報システム部' },
];

/** Seeds only an empty database; returns the accounts created (empty if there were users already). */
export async function seedDemo(db: Db): Promise<DemoAccount[]> {
  if ((await db.read(async (q) => await countUsers(q))) > 0) return [];
  // Hash outside the transaction: no await may sit inside a write transaction.
  const accounts = await Promise.all(
    PEOPLE.map(async (person) => {
      const password = generatePassword();
      return { ...person, password, passwordHash: await hashPassword(password) };
    }),
  );
  await db.write(async (tx) => {
    if ((await countUsers(tx)) > 0) return;
    for (const name of DEPARTMENTS) await ensureDepartment(tx, name);
    for (const account of accounts) {
      await createUser(tx, {
        email: account.email,
        displayName: account.displayName,
        role: account.role,
        departmentId: await ensureDepartment(tx, account.department),
        passwordHash: account.passwordHash,
      });
    }
  });
  return accounts.map(({ passwordHash: _hash, ...account }) => account);
}
