// Calls to the API on this same origin. When the API answers 401 (http_api.auth.token
// is set), the token form is shown once; the token is kept in sessionStorage (this tab
// only) and sent as `Authorization: Bearer TOKEN` on every call from then on.
const TOKEN_KEY = 'sluice.api.token';
let asking = null;

export class ApiError extends Error {}

function askToken(wrong) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const dialog = document.getElementById('auth');
    const form = document.getElementById('auth-form');
    const input = document.getElementById('auth-token');
    document.getElementById('auth-why').textContent = wrong
      ? 'The API refused that token. Try again.'
      : "This server's API needs a token (http_api.auth.token).";
    input.value = '';
    form.addEventListener('submit', () => {
      const token = input.value.trim();
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      asking = null;
      resolve();
    }, { once: true });
    // Escape would close the dialog without a token: ask again.
    dialog.addEventListener('cancel', (ev) => ev.preventDefault(), { once: true });
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
  return asking;
}

/** The JSON answer of `path`; throws ApiError for a non-zero `code`. */
export async function api(path, method = 'GET') {
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const res = await fetch(path, { method, headers, cache: 'no-store' });
    if (res.status === 401) {
      // A stored token that no longer works is dropped before asking for another.
      if (token && sessionStorage.getItem(TOKEN_KEY) === token) sessionStorage.removeItem(TOKEN_KEY);
      await askToken(Boolean(token));
      continue;
    }
    let body;
    try {
      body = await res.json();
    } catch {
      throw new ApiError(`${path}: HTTP ${res.status}, not JSON`);
    }
    if (body.code !== 0) throw new ApiError(`${path}: code ${body.code}`);
    return body;
  }
}
