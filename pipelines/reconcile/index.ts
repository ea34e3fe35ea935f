/** The reconcile stage: profiles against the event history, version-guarded fixes, daily snapshots. */
export { compareProfile, reconciledFields, type ProfileDiff, type ReconciledField } from './compare-profile.ts';
export { emptyHistory, PersonHistory, readPersonHistory } from './person-history.ts';
export { planFix, type FixPlan } from './plan-fix.ts';
export { ProfileSnapshotRow, snapshotRowOf } from './profile-snapshot-row.ts';
export { ReconciliationDiffRow, ReconciliationRunRow, DiffOutcome } from './reconciliation-rows.ts';
export { readHistoryEvents, refoldHistory } from './refold-history.ts';
export { reconcileDefaults, runReconciliation, type ReconcileDeps, type ReconcileOptions, type ReconcileProgress } from './run-reconciliation.ts';
