import {
  metrics,
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  type MeterProvider,
  type Observable,
} from '@opentelemetry/api';
import type { SelfMetricsIncrements } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import { isExportable, PENG_INSTRUMENTS } from './instruments.js';
import { PENG_VERSION } from '../../version.js';
import { ATTR_NETWORK_INTERFACE_NAME, PENG_SCOPE_NAME } from './semconv.js';

/** Options in the shape of OpenTelemetry contrib host-metrics. */
export interface PengMetricsConfig {
  /** Defaults to the global MeterProvider. */
  meterProvider?: MeterProvider;
  /** Meter name; defaults to `peng`. */
  name?: string;
}

/** What the callback observes for one interface, prepared by `update()`. */
interface InterfaceState {
  readonly attributes: Attributes;
  /** Aligned with PENG_INSTRUMENTS: the last window's value for gauges, the running total for counters. */
  readonly values: (number | undefined)[];
}

/**
 * Peng's instruments as observable gauges and counters on any MeterProvider, for use inside another Node
 * service. Observations carry the SDK's collection time, not the window's; the OTLP sink uses
 * WindowMetricProducer instead when points must carry the window's own start and end.
 */
export class PengMetrics {
  private readonly meter: Meter;
  private readonly interfaces = new Map<string, InterfaceState>();
  private observables: Observable[] = [];
  private callback: BatchObservableCallback | undefined;

  constructor(config: PengMetricsConfig = {}) {
    const provider = config.meterProvider ?? metrics.getMeterProvider();
    this.meter = provider.getMeter(config.name ?? PENG_SCOPE_NAME, PENG_VERSION);
  }

  /** Creates the instruments and registers one batch observable callback. Calling it twice is harmless. */
  start(): void {
    if (this.callback) return;
    // Entries sharing a name (probes by kind) share one instrument; their observations differ in an attribute.
    const byName = new Map<string, Observable>();
    this.observables = PENG_INSTRUMENTS.map((instrument) => {
      const known = byName.get(instrument.name);
      if (known) return known;
      const options = { description: instrument.description, unit: instrument.unit, valueType: instrument.valueType };
      const created = instrument.kind === 'gauge' ? this.meter.createObservableGauge(instrument.name, options) : this.meter.createObservableCounter(instrument.name, options);
      byName.set(instrument.name, created);
      return created;
    });
    this.callback = (observer) => this._batchUpdateInterfaces(observer);
    this.meter.addBatchObservableCallback(this.callback, [...new Set(this.observables)]);
  }

  /** Removes the callback; the instruments stay registered but report nothing new. */
  stop(): void {
    if (!this.callback) return;
    this.meter.removeBatchObservableCallback(this.callback, this.observables);
    this.callback = undefined;
  }

  /** Stores a finished window (and what the host service's own counters added): gauges take its values, counters add. */
  update(report: WindowReport, run: SelfMetricsIncrements = {}): void {
    let state = this.interfaces.get(report.interface);
    if (!state) {
      state = { attributes: { [ATTR_NETWORK_INTERFACE_NAME]: report.interface }, values: PENG_INSTRUMENTS.map(() => undefined) };
      this.interfaces.set(report.interface, state);
    }
    PENG_INSTRUMENTS.forEach((instrument, i) => {
      const value = instrument.read(report, run);
      if (!isExportable(instrument, value)) return;
      state.values[i] = instrument.kind === 'gauge' ? value : (state.values[i] ?? 0) + value;
    });
  }

  /**
   * Stops observing an interface that is no longer watched. With a delta reader it disappears at once; a
   * cumulative reader in sdk-metrics 2.x keeps re-exporting its last value (opentelemetry-js issue 4096).
   */
  remove(interfaceName: string): void {
    this.interfaces.delete(interfaceName);
  }

  /** Interfaces currently observed. */
  get interfaceNames(): string[] {
    return [...this.interfaces.keys()];
  }

  private _batchUpdateInterfaces(observer: Parameters<BatchObservableCallback>[0]): void {
    for (const state of this.interfaces.values()) {
      state.values.forEach((value, i) => {
        if (value === undefined) return;
        const extra = PENG_INSTRUMENTS[i]!.attribute;
        observer.observe(this.observables[i]!, value, extra ? { ...state.attributes, [extra.key]: extra.value } : state.attributes);
      });
    }
  }
}
