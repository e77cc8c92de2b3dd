/** A real SQLite file in a temp folder with the real migrations applied. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/platform/db.server.ts';
import { hashPassword } from '../../src/features/auth/password.server.ts';
import { createUser, ensureDepartment } from '../../src/features/users/users.server.ts';
import type { Role } from '../../src/features/users/roles.ts';

export interface TempDb {
  db: Db;
  file: string;
  dir: string;
  cleanup: () => void;
}

export function tempDir(prefix = 'manabi-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function tempDb(): TempDb {
  const dir = tempDir();
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  return {
    db,
    file,
    dir,
    cleanup: () => {
      void db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function addUser(db: Db, options: { email: string; password?: string; role?: Role; department?: string; name?: string }): Promise<number> {
  const passwordHash = options.password ? await hashPassword(options.password) : null;
  return db.write(
    async (tx) =>
      await createUser(tx, {
        email: options.email,
        displayName: options.name ?? options.email.split('@')[0]!,
        role: options.role ?? 'learner',
        departmentId: await ensureDepartment(tx, options.department ?? '営業部'),
        passwordHash,
      }),
  );
}
