/**
 * The element that shows the answer to a post (a confirmation, an error summary): the redirect
 * after every post names it in its fragment (`#post-result`), so without JavaScript the browser
 * scrolls there and a screen reader starts reading there; with JavaScript it receives focus
 * (src/components/PostResultFocus.astro). One per page at most.
 */
export const POST_RESULT_ID = 'post-result';

/** Put on a field that should get focus instead of the summary (an empty field the summary names). */
export const POST_FOCUS_ATTRIBUTE = 'data-post-focus';

/** Attributes for the element that shows this response's answer to a post; none when there is none. */
export function postResultAttributes(shown: boolean): Record<string, string> {
  return shown ? { id: POST_RESULT_ID, tabindex: '-1' } : {};
}

/** Attributes for a field to focus first after a refused post. */
export function postFocusAttributes(focus: boolean): Record<string, string> {
  return focus ? { [POST_FOCUS_ATTRIBUTE]: '' } : {};
}
