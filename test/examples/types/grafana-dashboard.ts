// The dashboard as Grafana's own schema package types it: a missing required field (an annotation's
// datasource, name or iconColor) or a field of the wrong kind is a type error here.
import type { Dashboard } from '@grafana/schema';
import type { Loose } from './loose.js';
import dashboard from './peng-dashboard.json' with { type: 'json' };

export const checked: Loose<Dashboard> = dashboard;
