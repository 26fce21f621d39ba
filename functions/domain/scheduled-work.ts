/**
 * What a one-time schedule asks the expiry function to do: three kinds, each naming its own
 * subject. `version` says which deadline of the grant a schedule was made for (an invocation for
 * an older one is stale); the times say when the work falls due. Payloads written before these
 * fields existed lack them, so every reader tolerates their absence.
 */
export type ScheduledWork =
  | {
      kind: 'expiry';
      tenantId: string;
      grantId: string;
      version?: number | undefined;
      expiresAt?: string | undefined;
    }
  | {
      kind: 'reminder';
      tenantId: string;
      grantId: string;
      version?: number | undefined;
      remindAt?: string | undefined;
    }
  | { kind: 'lapse'; tenantId: string; instructionId: string; confirmBy?: string | undefined };

export type ScheduledWorkKind = ScheduledWork['kind'];
