import { openDatabase, rawSqlite } from '../src/platform/db.server.ts';
import { championView } from '../src/features/kpi/champion.server.ts';
import { buildCatalog } from '../src/features/curriculum/catalog.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { loadLearnerRecord } from '../src/features/progress/records.server.ts';
const catalog = buildCatalog(readCorpus('.test-builds/bench-content', process.cwd()).corpus);
const mode = process.argv[2];
const db = openDatabase('.test-builds/bench.db');
if (mode === 'cache') rawSqlite(db).pragma('cache_size = -65536');
if (mode === 'mmap') rawSqlite(db).pragma('mmap_size = 268435456');
if (mode === 'both') { rawSqlite(db).pragma('cache_size = -65536'); rawSqlite(db).pragma('mmap_size = 268435456'); }
for (let i = 0; i < 3; i++) await championView(db, catalog, 11, 'Asia/Tokyo');
let t = performance.now();
for (let i = 0; i < 20; i++) { await championView(db, catalog, 11, 'Asia/Tokyo'); for (let u = 0; u < 50; u++) await loadLearnerRecord(db, 1000 + u * 37); }
console.log(mode, 'championView+50 learners', ((performance.now() - t) / 20).toFixed(1), 'ms', 'rss', Math.round(process.memoryUsage().rss / 1e6));
