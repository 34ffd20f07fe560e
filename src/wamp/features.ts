// Feature announcement: what each role of this library really supports. Some routers (Bondy)
// refuse progressive_call_results without call_canceling, so both are announced together.

export type Role = 'caller' | 'callee' | 'publisher' | 'subscriber' | 'broker' | 'dealer';
export type RoleFeatures = Record<string, boolean>;

export function roleDetails(
  features: Partial<Record<Role, string[]>>,
): Record<string, { features: RoleFeatures }> {
  const out: Record<string, { features: RoleFeatures }> = {};
  for (const [role, names] of Object.entries(features)) {
    out[role] = { features: Object.fromEntries((names ?? []).map((n) => [n, true])) };
  }
  return out;
}

/** Whether a peer's HELLO/WELCOME details announce `feature` for `role`. */
export function peerHasFeature(details: Record<string, unknown>, role: Role, feature: string): boolean {
  const roles = details.roles as Record<string, { features?: Record<string, unknown> }> | undefined;
  return roles?.[role]?.features?.[feature] === true;
}
