import type { EndpointProfile, EndpointProfileInput } from '../../../../src/core/endpoints/profile';
import { endpointProfileSchema } from '../../../../src/core/endpoints/profile';

/** A generator profile with the Janus defaults; override what a test is about. */
export function aProfile(overrides: Partial<EndpointProfileInput> = {}): EndpointProfile {
  return endpointProfileSchema.parse({
    role: 'generator',
    baseUrl: 'http://127.0.0.1:1/v1',
    model: 'janus-test',
    format: 'mistral-instruct',
    sampling: { repetitionPenalty: 1.03 },
    ...overrides,
  });
}
