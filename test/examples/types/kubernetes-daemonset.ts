// The DaemonSet example as the Kubernetes API types it (kubernetes-types, generated from the OpenAPI spec):
// a misspelt or misplaced field's required neighbours, or a field of the wrong kind, is a type error here.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Loose } from './loose.js';
import daemonset from './peng-daemonset.json' with { type: 'json' };

export const checked: Loose<DaemonSet> = daemonset;
