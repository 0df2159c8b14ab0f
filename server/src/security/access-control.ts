/**
 * The security layer's entry point for the engine and the APIs: resolves a security context into
 * `Access` (running Cube's `contextToGroups` hook, once per context object), and answers with the
 * caller's visible members. Enforcement itself is `secureQuery`, called by the engine.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { SecurityContext } from './access-types.ts';
import type { ContextToGroups } from '../config/cube-config-types.ts';
import { UserError, isUserError } from '../errors/user-error.ts';
import type { Access } from './access-types.ts';
import { defaultContextToGroups } from './context-groups.ts';
import { memberVisibility, type MemberVisibilityMask } from './member-visibility.ts';

/** Resolves callers and what they may see; one per server, shared by every API. */
export interface AccessControl {
  resolve(securityContext: SecurityContext): Promise<Access>;
  visibility(model: SemanticModel, access: Access): MemberVisibilityMask;
}

export interface AccessControlOptions {
  /** Cube's `contextToGroups` from `cube.config.ts`; default: the context's `groups` claim. */
  readonly contextToGroups?: ContextToGroups;
}

export function createAccessControl(options: AccessControlOptions = {}): AccessControl {
  const contextToGroups = options.contextToGroups ?? defaultContextToGroups;
  // Keyed by the context object: each request authenticates once and passes the same object along.
  const resolvedByContext = new WeakMap<object, Access>();
  return {
    async resolve(securityContext) {
      const known = resolvedByContext.get(securityContext);
      if (known) return known;
      const groups = await callHook(contextToGroups, securityContext);
      const access: Access = Object.freeze({ securityContext, groups: Object.freeze([...groups]) });
      resolvedByContext.set(securityContext, access);
      return access;
    },
    visibility: memberVisibility,
  };
}

async function callHook(hook: ContextToGroups, securityContext: SecurityContext): Promise<readonly string[]> {
  let groups: unknown;
  try {
    groups = await hook({ securityContext });
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError('ACCESS_DENIED', `contextToGroups rejected the security context: ${(error as Error).message}`);
  }
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
    throw new UserError('CONFIG_INVALID', 'contextToGroups must return an array of group names (strings)');
  }
  return groups;
}
