import type { Instruction, RequestBody } from '../../api.ts';
import { card, columns } from '../../cards.ts';
import { field, h } from '../../dom.ts';
import { actionButton, actionForm } from '../actions.ts';
import type { TenantPage } from '../tenant.ts';

type Kind = RequestBody<'requestInstruction'>['kind'];

/** A tenant's instructions: give one, see where each stands, confirm or reject pending ones. */
export async function instructionsCard(page: TenantPage): Promise<HTMLElement> {
  const { api, t, tenant } = page;
  const { instructions } = await api.instructions(tenant);
  const kind = h(
    'select',
    {},
    ...Object.entries(t.kinds).map(([value, label]) => h('option', { value }, label)),
  );
  const details = h('textarea', { required: true, maxlength: 2000, rows: 2 });
  const form = actionForm(
    { 'aria-label': t.giveInstruction },
    async () => {
      // The options are the kinds the API takes (their labels are checked against them).
      await api.requestInstruction(tenant, { kind: kind.value as Kind, details: details.value });
      await page.render();
    },
    h('h3', {}, t.giveInstruction),
    h('div', { class: 'row' }, field(t.kind, kind), field(t.instructionDetails, details)),
    h('div', {}, h('button', { type: 'submit' }, t.giveInstruction)),
  );
  const decide = (i: Instruction, decision: 'confirm' | 'reject') =>
    actionButton(
      { class: decision === 'confirm' ? 'secondary' : 'danger' },
      async () => {
        await api.decideInstruction(tenant, i.instructionId, decision);
        await page.render();
      },
      decision === 'confirm' ? t.confirm : t.reject,
    );
  return card(
    t.instructions,
    instructions.length === 0
      ? h('p', { class: 'muted' }, t.noInstructions)
      : h(
          'table',
          { 'data-testid': 'instructions' },
          columns(t.kind, t.instructionDetails, t.requestedByLabel, t.status, ''),
          h(
            'tbody',
            {},
            ...instructions.map((i) =>
              h(
                'tr',
                { 'data-instruction': i.instructionId, 'data-status': i.status },
                h('td', {}, t.kinds[i.kind] ?? i.kind),
                h('td', {}, i.details),
                h('td', {}, i.requestedBy.name),
                h(
                  'td',
                  {},
                  t.statuses[i.status] ?? i.status,
                  ...(i.confirmBy && i.status === 'pending-confirmation'
                    ? [' · ', page.time(i.confirmBy)]
                    : []),
                ),
                h(
                  'td',
                  {},
                  ...(i.status === 'pending-confirmation'
                    ? [decide(i, 'confirm'), ' ', decide(i, 'reject')]
                    : []),
                ),
              ),
            ),
          ),
        ),
    form,
  );
}
