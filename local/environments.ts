import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp } from '../infra/app.ts';

/**
 * Each function's environment as the synthesized stack gives it. Plain values are taken as they
 * are; a value that names one of the stack's own resources (a `Ref`, `Fn::GetAtt`, `Fn::Join` or
 * dynamic reference) is replaced by the local resource of the same variable, from `local`.
 * A reference with no local counterpart fails the start, naming function and variable.
 */
export function synthesizedEnvironments(
  context: Record<string, string>,
  local: Record<string, string | undefined>,
): Record<string, Record<string, string>> {
  const { app, stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
  app.synth();
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
  >;
  const fns: Record<string, IFunction> = {
    expireGrant: stack.expiry.expiryFunction.fn,
    sweep: stack.expiry.sweepFunction.fn,
    notify: stack.notifications.notifier.fn,
    chainAudit: stack.auditChain.chainer.fn,
    recordChecks: stack.auditChain.recorder.fn,
    publishEvents: stack.eventBus.publisher.fn,
    deliverWebhooks: stack.webhooks.sender.fn,
    retryWebhooks: stack.webhooks.retrier.fn,
  };
  for (const [name, fn] of Object.entries(stack.api.functions)) fns[name] = fn.fn;
  const environments: Record<string, Record<string, string>> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const id = stack.getLogicalId(fn.node.defaultChild as never);
    const variables = resources[id]?.Properties?.Environment?.Variables ?? {};
    environments[name] = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => {
        if (typeof value === 'string' && !value.includes('{{resolve:')) return [key, value];
        const localValue = local[key];
        if (localValue === undefined)
          throw new Error(`${name}: ${key} names a stack resource that has no local counterpart`);
        return [key, localValue];
      }),
    );
  }
  return environments;
}
