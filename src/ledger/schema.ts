import type { Migration } from './migrations/migration.ts';
import { MIGRATION_001 } from './migrations/001-events-subjects-batches.ts';
import { MIGRATION_002 } from './migrations/002-mappings.ts';
import { MIGRATION_003 } from './migrations/003-plans-scenarios.ts';
import { MIGRATION_004 } from './migrations/004-occurrence-numbers.ts';
import { MIGRATION_005 } from './migrations/005-counted-once.ts';
import { MIGRATION_006 } from './migrations/006-consumption-lines.ts';
import { MIGRATION_007 } from './migrations/007-line-amounts.ts';
import { MIGRATION_008 } from './migrations/008-consumption-carries-cost.ts';
import { MIGRATION_009 } from './migrations/009-exported-keys.ts';

export type { Migration } from './migrations/migration.ts';

/**
 * The ledger's schema as numbered migrations, one frozen file each (ledger/migrations/):
 * migration `n` brings a database from `user_version = n - 1` to `n`. ledger/db.ts runs them.
 */
export const MIGRATIONS: readonly Migration[] = [MIGRATION_001, MIGRATION_002, MIGRATION_003, MIGRATION_004, MIGRATION_005, MIGRATION_006, MIGRATION_007, MIGRATION_008, MIGRATION_009];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
