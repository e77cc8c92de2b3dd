/**
 * Column types shared by the PostgreSQL schema files (not tables; not re-exported by index.ts).
 * They keep the SQLite schema's value semantics, so a data function reads the same values from
 * either database: timestamps are Unix milliseconds in a `bigint` (raw SQL compares and subtracts
 * them as numbers on both), read as `Date` like SQLite's `timestamp_ms` mode; bytes are `bytea`
 * read as `Buffer` like SQLite's `blob` buffer mode.
 */
import { sql } from 'drizzle-orm';
import { customType } from 'drizzle-orm/pg-core';

export const timestampMs = customType<{ data: Date; driverData: string | number }>({
  dataType: () => 'bigint',
  toDriver: (value) => value.getTime(),
  // node-postgres returns int8 as a string: exact up to 2^53, which epoch milliseconds are.
  fromDriver: (value) => new Date(Number(value)),
});

export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

/** The database's clock in epoch milliseconds, truncated like SQLite's `unixepoch('subsec') * 1000`. */
export const nowMs = sql`(floor(extract(epoch from now()) * 1000))::bigint`;

export const createdAt = () => timestampMs('created_at').notNull().default(nowMs);
