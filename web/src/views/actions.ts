import { h } from '../dom.ts';
import { attempt } from '../error-box.ts';

type Props = Record<string, string>;

/** A form whose submit runs `act` in place (never a page load), any failure shown in the error box. */
export function actionForm(props: Props, act: () => Promise<void>, ...children: Node[]): HTMLFormElement {
  const onsubmit = (event: Event) => {
    event.preventDefault();
    void attempt(act);
  };
  return h('form', { ...props, onsubmit }, ...children);
}

/** A button that runs `act`, any failure shown in the error box. */
export function actionButton(props: Props, act: () => Promise<void>, label: string): HTMLButtonElement {
  return h('button', { type: 'button', ...props, onclick: () => void attempt(act) }, label);
}
