/** What every page of the portal gives the router. */
export interface View {
  /** The page's content, put into <main>. */
  el: HTMLElement;
  /** Focused after navigation, so keyboard and screen reader users start at the page's heading. */
  focus?: HTMLElement;
  /** Stops the page's timers when another page replaces it. */
  dispose(): void;
}
