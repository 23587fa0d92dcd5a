import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { PENG_VERSION } from '../../version.js';
import {
  ATTR_HOST_NAME,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  PENG_SERVICE_NAME,
} from './semconv.js';

/** One id per process, as semconv asks of `service.instance.id`. */
export const SERVICE_INSTANCE_ID: string = randomUUID();

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
 * Peng's resource attributes: service.name=peng, service.version, service.instance.id and host.name, then
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top (the environment wins, as users expect).
 */
export function pengResourceAttributes(env: NodeJS.ProcessEnv = process.env, log?: (message: string) => void): Attributes {
  const parsed = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  if (parsed.error) log?.(parsed.error);
  const attributes: Attributes = {
    [ATTR_SERVICE_NAME]: PENG_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: PENG_VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: SERVICE_INSTANCE_ID,
    [ATTR_HOST_NAME]: hostname(),
    ...parsed.attributes,
  };
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  if (serviceName) attributes[ATTR_SERVICE_NAME] = serviceName;
  return attributes;
}

/** The SDK's telemetry.sdk.* attributes merged with Peng's (Peng's win). */
export function createPengResource(env: NodeJS.ProcessEnv = process.env, log?: (message: string) => void): Resource {
  return defaultResource().merge(resourceFromAttributes(pengResourceAttributes(env, log)));
}
