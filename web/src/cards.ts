import { h } from './dom.ts';

/** One section of a page: a titled card, named for screen readers by its title. */
export function card(title: string, ...children: (Node | null | false)[]): HTMLElement {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...children);
}

/** A table head of column titles. */
export function columns(...titles: string[]): HTMLTableSectionElement {
  return h('thead', {}, h('tr', {}, ...titles.map((title) => h('th', { scope: 'col' }, title))));
}
