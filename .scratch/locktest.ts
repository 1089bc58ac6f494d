import Database from 'better-sqlite3';
const path = '/tmp/x.lock';
function take() {
  const db = new Database(path, { timeout: 0 });
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner; INSERT INTO owner VALUES (' + process.pid + '); COMMIT;');
  return db;
}
const mode = process.argv[2];
if (mode === 'hold') { const held = take(); console.log('held'); setTimeout(() => held.close(), 3000); }
else {
  try { take(); console.log('took'); } catch (e) { console.log('refused', (e as any).code, (e as Error).message); }
  try { take(); console.log('took again in-process'); } catch (e) { console.log('refused in-process', (e as any).code); }
}
