import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import type { GcpConfig } from './config.ts';

/**
 * One client of each kind per function instance, created on first use: cold starts pay only for
 * what a function needs, and every request of an instance shares connections.
 */
let pubsub: PubSub | undefined;
let firestore: Firestore | undefined;

export function getPubSub(config: GcpConfig): PubSub {
  return (pubsub ??= new PubSub({ projectId: config.projectId }));
}

export function getFirestore(config: GcpConfig): Firestore {
  return (firestore ??= new Firestore({ projectId: config.projectId, databaseId: config.firestoreDatabase, ignoreUndefinedProperties: true }));
}
