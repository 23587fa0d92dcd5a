import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { PENG_VERSION } from '../../version.js';
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  PENG_SERVICE_NAME,
} from './semconv.js';

/** The namespace semantic conventions give for a UUIDv5 `service.instance.id`. */
export const SERVICE_INSTANCE_ID_NAMESPACE = '4d63009a-8d0f-11ee-aad7-4c796ed8e320';

/** RFC 9562 UUID version 5 (SHA-1 of namespace and name). */
export function uuidV5(name: string, namespace: string = SERVICE_INSTANCE_ID_NAMESPACE): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The machine id (systemd's /etc/machine-id, else D-Bus'), or the host name where neither exists. */
export function machineId(files: readonly string[] = ['/etc/machine-id', '/var/lib/dbus/machine-id']): string {
  for (const file of files) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // next candidate
    }
  }
  return `hostname:${hostname()}`;
}

/**
 * A `service.instance.id` that survives restarts, as semantic conventions suggest: UUIDv5 of the machine id
 * and what tells two Pengs on one host apart (`instanceKey`: the interfaces watched live, the capture file in
 * replay). A restarted Peng continues its own series; two Pengs on one host never share one.
 */
export function serviceInstanceId(instanceKey: string, machine: string = machineId()): string {
  return uuidV5(`${machine}\n${instanceKey}`);
}

/** The spec's limit on keys and values in OTEL_RESOURCE_ATTRIBUTES. */
const MAX_ENV_ATTRIBUTE_LENGTH = 255;

/**
 * Parses OTEL_RESOURCE_ATTRIBUTES (`key=value,...`, percent-encoded). Per the spec an invalid value is
 * discarded whole; the returned error says which entry was wrong.
 */
export function parseResourceAttributes(raw: string | undefined): { attributes: Attributes; error?: string } {
  const attributes: Attributes = {};
  if (raw === undefined || raw.trim() === '') return { attributes };
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const parts = entry.split('=');
    const key = parts[0].trim();
    if (parts.length !== 2 || key === '') {
      return { attributes: {}, error: `OTEL_RESOURCE_ATTRIBUTES ignored: "${entry}" is not key=value (percent-encode ',' and '=')` };
    }
    let decodedKey: string;
    let decodedValue: string;
    try {
      decodedKey = decodeURIComponent(key);
      decodedValue = decodeURIComponent(parts[1].trim());
    } catch {
      return { attributes: {}, error: `OTEL_RESOURCE_ATTRIBUTES ignored: "${entry}" has a broken percent-encoding` };
    }
    if (decodedKey.length > MAX_ENV_ATTRIBUTE_LENGTH || decodedValue.length > MAX_ENV_ATTRIBUTE_LENGTH) {
      return { attributes: {}, error: `OTEL_RESOURCE_ATTRIBUTES ignored: "${decodedKey}" is longer than ${MAX_ENV_ATTRIBUTE_LENGTH} characters` };
    }
    attributes[decodedKey] = decodedValue;
  }
  return { attributes };
}

/**
 * Peng's own resource attributes: service.name=peng, service.version and service.instance.id, then
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top (the environment wins, as users expect).
 */
export function pengResourceAttributes(env: NodeJS.ProcessEnv = process.env, log?: (message: string) => void, instanceKey = 'peng'): Attributes {
  const parsed = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  if (parsed.error) log?.(parsed.error);
  const attributes: Attributes = {
    [ATTR_SERVICE_NAME]: PENG_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: PENG_VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: serviceInstanceId(instanceKey),
    ...parsed.attributes,
  };
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  if (serviceName) attributes[ATTR_SERVICE_NAME] = serviceName;
  return attributes;
}

/**
 * The process detector without `process.command_args` and `process.command_line`: Peng's command line may
 * carry an InfluxDB token (-token), which must not travel to a collector.
 */
const processWithoutArguments: ResourceDetector = {
  detect(config) {
    const detected = processDetector.detect(config);
    const attributes = { ...detected.attributes };
    delete attributes['process.command_args'];
    delete attributes['process.command_line'];
    return { attributes };
  },
};

/**
 * The SDK's telemetry.sdk.* attributes, then the detectors' (host: host.name, host.arch, host.id from the
 * machine id; os; process without its arguments; env when `env` is the process' own), then Peng's
 * (service.*), then the environment's again so that OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win.
 * Some attributes (host.id) arrive asynchronously: await `waitForAsyncAttributes()` before serialising.
 */
export function createPengResource(env: NodeJS.ProcessEnv = process.env, log?: (message: string) => void, instanceKey = 'peng'): Resource {
  const detectors = [hostDetector, osDetector, processWithoutArguments, ...(env === process.env ? [envDetector] : [])];
  return defaultResource()
    .merge(resourceFromAttributes(pengResourceAttributes({}, undefined, instanceKey)))
    .merge(detectResources({ detectors }))
    .merge(resourceFromAttributes(pengResourceAttributes(env, log, instanceKey)));
}
