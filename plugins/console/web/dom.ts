// Building DOM nodes in code. Text always goes in as text nodes, never as HTML, so nothing the server
// returns (workspace names, job titles, agent output) can become markup.
type Child = Node | string | number | null | undefined | false;
type AttributeValue = string | number | boolean | null | undefined;
type Attributes = Record<string, AttributeValue | ((event: Event) => void)>;

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value !== undefined && value !== null && value !== false)
      element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false)
      element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
};

/** A `<time>` showing the local time of day, with the full date on hover. */
export const timeOf = (ms: number | null | undefined): HTMLElement => {
  if (ms === null || ms === undefined) return h("span", { class: "muted" }, "—");
  const date = new Date(ms);
  return h("time", { datetime: date.toISOString(), title: date.toLocaleString() }, date.toLocaleTimeString());
};

export const stateBadge = (state: string): HTMLElement => h("span", { class: `state state-${state}` }, state.replace("_", " "));

/** A message for everyone (role=status) or an error that interrupts (role=alert). */
export const notice = (text: string, kind: "info" | "error" = "info"): HTMLElement =>
  h("p", { class: kind === "error" ? "message error" : "message", role: kind === "error" ? "alert" : "status" }, text);

/** Runs a form's action with its button disabled, showing the outcome in `out`. */
export const submitting = (form: HTMLFormElement, out: HTMLElement, action: (data: FormData) => Promise<string | undefined>) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const done = await action(new FormData(form));
      out.replaceChildren(done ? notice(done) : "");
    } catch (error) {
      out.replaceChildren(notice(error instanceof Error ? error.message : String(error), "error"));
    } finally {
      if (button) button.disabled = false;
    }
  });
};

export const field = (data: FormData, name: string): string => {
  const value = data.get(name);
  return typeof value === "string" ? value.trim() : "";
};
