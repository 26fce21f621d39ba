import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/**
 * The deploy-time guard of `activeIndexShards`: a custom resource whose one property is the
 * count. CloudFormation hands an update the old properties too, so a lower count than the one
 * deployed fails the resource — and with it the deploy, before any function is given the new
 * count (the functions depend on this resource). Raising, creating and deleting succeed.
 */
export function shardsDecision(
  event: CloudFormationCustomResourceEvent,
): CloudFormationCustomResourceResponse {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    PhysicalResourceId: event.RequestType === 'Create' ? 'active-index-shards' : event.PhysicalResourceId,
  };
  const next = Number(event.ResourceProperties.Shards);
  if (event.RequestType === 'Update') {
    const before = Number(event.OldResourceProperties.Shards);
    if (next < before)
      return {
        ...base,
        Status: 'FAILED',
        Reason:
          `activeIndexShards may only be raised: ${before} → ${next} would hide the grants written to the ` +
          `dropped shards. Set it back to ${before} or more (docs/deploy.md, "Settings").`,
      };
  }
  return { ...base, Status: 'SUCCESS', Data: { Shards: String(next) } };
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  let response: CloudFormationCustomResourceResponse;
  try {
    response = shardsDecision(event);
  } catch (error) {
    response = {
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: 'active-index-shards',
      Status: 'FAILED',
      Reason: String(error),
    };
  }
  // The pre-signed S3 URL takes the answer as is: no content type.
  const sent = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify(response),
  });
  if (!sent.ok) throw new Error(`CloudFormation did not take the answer: ${sent.status}`);
}
