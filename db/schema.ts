/** The schema, one file per feature (db/schema/); this path stays for the imports written before the split. */
export * from './schema/index.ts';
