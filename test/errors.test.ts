import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  DiscoveryError,
  DiscoveryValidationError,
  ProfileNotFoundError,
  RunnerNotFoundError,
} from '../src/index.js';

describe('errors', () => {
  it.each([
    [new RunnerNotFoundError('r-1'), 'RUNNER_NOT_FOUND', 'RunnerNotFoundError', "Runner not found: 'r-1'"],
    [new ProfileNotFoundError('gpu'), 'PROFILE_NOT_FOUND', 'ProfileNotFoundError', "Profile not found: 'gpu'"],
    [new ProfileNotFoundError('gpu', 'r-1'), 'PROFILE_NOT_FOUND', 'ProfileNotFoundError', "Profile not found: 'gpu' on runner 'r-1'"],
    [new AuthenticationError(), 'UNAUTHENTICATED', 'AuthenticationError', 'Authentication failed'],
    [new DiscoveryError('boom'), 'DISCOVERY_ERROR', 'DiscoveryError', 'boom'],
  ])('%s has a stable code, name and message', (error, code, name, message) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toBeInstanceOf(Error);
  });

  it('carries its data', () => {
    expect(new RunnerNotFoundError('x').runnerId).toBe('x');
    const p = new ProfileNotFoundError('gpu');
    expect([p.profileName, p.runnerId]).toEqual(['gpu', undefined]);
    const v = new DiscoveryValidationError('listRunners', [{ field: 'gpuType', description: 'must not be blank' }]);
    expect(v.code).toBe('INVALID_ARGUMENT');
    expect(v.fieldViolations).toEqual([{ field: 'gpuType', description: 'must not be blank' }]);
    expect(v.message.startsWith('listRunners: 1 violation: gpuType')).toBe(true);
  });

  it('keeps instanceof exact within the family', () => {
    const e = new RunnerNotFoundError('x');
    expect(e).toBeInstanceOf(RunnerNotFoundError);
    expect(e instanceof ProfileNotFoundError).toBe(false);
    expect(e instanceof DiscoveryValidationError).toBe(false);
    expect(new Error('x') instanceof DiscoveryError).toBe(false);
    expect((null as unknown as object) instanceof DiscoveryError).toBe(false);
  });

  it('recognises an error thrown by another copy of the package (ESM beside CJS)', () => {
    const foreign = Object.assign(new Error("Runner not found: 'x'"), { code: 'RUNNER_NOT_FOUND', runnerId: 'x' });
    Object.defineProperty(foreign, Symbol.for('capmatch.errorKinds'), { value: ['RunnerNotFoundError', 'DiscoveryError'] });
    expect(foreign instanceof RunnerNotFoundError).toBe(true);
    expect(foreign instanceof DiscoveryError).toBe(true);
    expect(foreign instanceof ProfileNotFoundError).toBe(false);
  });

  it('request() names its own fields: gpu, not gpuCount', async () => {
    const { request } = await import('../src/index.js');
    try {
      request({ gpu: '1' } as never);
      throw new Error('expected a validation error');
    } catch (e) {
      expect(e).toBeInstanceOf(DiscoveryValidationError);
      expect((e as DiscoveryValidationError).fieldViolations.map((v) => v.field)).toEqual(['gpu']);
    }
  });
});
