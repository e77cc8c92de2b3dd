import { afterEach, beforeEach, describe } from 'vitest';
import { tempDb, type TempDb } from '../../tests/helpers/db.ts';
import { unitContract } from '../../tests/helpers/unit-contract.ts';

describe('db.unit on SQLite: one transaction around several writes of a request', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
  });
  afterEach(() => t.cleanup());
  unitContract(() => t.db, 'unit.');
});
