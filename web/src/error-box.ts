/** The page's one error box (#error, role=alert): what went wrong, in the API's own words. */

function box(): HTMLElement {
  return document.getElementById('error') as HTMLElement;
}

export function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  box().textContent = message;
  box().hidden = false;
}

export function clearError(): void {
  box().hidden = true;
  box().textContent = '';
}

/** Runs an action, showing any failure as the API's own detail; never a blank screen. */
export async function attempt(action: () => Promise<void>): Promise<void> {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}
