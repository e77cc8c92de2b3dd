import { describe, expect, it } from 'vitest';
import { keyOrderOf } from './postgres-order.server.ts';

describe('keyOrderOf: readPages on PostgreSQL in one stable order', () => {
  it('orders by the id of a table with one', () => {
    expect(keyOrderOf('select t.rowid rid, t.email from users t left join departments d on d.id = t.department_id where true')).toBe(' order by t."id"');
    expect(keyOrderOf('select t.rowid rid from lesson_completions t join users u on u.id = t.user_id where true')).toBe(' order by t."id"');
  });

  it('orders by every column of a composite key, in the key’s order', () => {
    expect(keyOrderOf('select t.rowid rid from attempt_answers t join quiz_attempts q on q.id = t.attempt_id where true')).toBe(' order by t."attempt_id", t."question_id"');
  });

  it('adds nothing for a table it does not know or a query without `from … t`', () => {
    expect(keyOrderOf('select t.rowid rid from no_such_table t where true')).toBe('');
    expect(keyOrderOf('select 1 from users where true')).toBe('');
  });
});
