/** Length in characters as a person counts them (code points), not UTF-16 units. */
export function charLength(text: string): number {
  return [...text].length;
}
