// Talking to /v2: the key from the browser's storage (sent as a header, never in a URL),
// the Telnyx error envelope turned into plain words placed next to the field it names.

const KEY = "voicesmith.apiKey";

export const getKey = () => localStorage.getItem(KEY) || "";
export const setKey = (key) => localStorage.setItem(KEY, key);

export class ApiError extends Error {
  constructor(status, errors) {
    super(errors.map((e) => e.detail || e.title).join(" "));
    this.status = status;
    this.errors = errors;
  }
}

const STATUS_WORDS = {
  401: "The API key was not accepted: enter a valid key at the top of the page.",
  403: "This key may not do that (it is read-only).",
  429: "The server is busy; try again in a moment.",
};

async function failure(response) {
  let errors = [];
  try {
    const body = await response.json();
    errors = Array.isArray(body.errors) ? body.errors : [];
  } catch {
    // Not the envelope (a proxy's page, a dropped connection): the status says enough.
  }
  if (!errors.length || STATUS_WORDS[response.status]) {
    const detail = STATUS_WORDS[response.status] || `The server answered ${response.status}.`;
    errors = [{ detail, ...(errors[0] ? { source: errors[0].source } : {}) }];
  }
  return new ApiError(response.status, errors);
}

// fetch with the key. `json` and `form` are bodies; the Response is returned when ok.
export async function request(method, path, { json, form, signal } = {}) {
  // Without a key every call is a 401: say what to do instead of asking.
  if (!getKey()) throw new ApiError(401, [{ detail: STATUS_WORDS[401] }]);
  const headers = { Authorization: `Bearer ${getKey()}` };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(`/v2${path}`, { method, headers, body, signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, [{ detail: "The server could not be reached." }]);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function api(method, path, options) {
  const response = await request(method, path, options);
  return response.status === 204 ? null : response.json();
}

// An audio resource as an object URL for an <audio> element (it needs the key header).
export async function audioUrl(path) {
  const blob = await (await request("GET", path)).blob();
  return URL.createObjectURL(blob);
}

// Everything of a paginated list (the lab's lists are small; 250 is the largest page).
export async function listAll(path) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const sep = path.includes("?") ? "&" : "?";
    const body = await api("GET", `${path}${sep}page[number]=${page}&page[size]=250`);
    items.push(...body.data);
    if (!body.meta || page >= body.meta.total_pages) return items;
  }
}

const $ = (id) => document.getElementById(id);

export function clearErrors(root) {
  for (const el of root.querySelectorAll(".error")) el.textContent = "";
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

// Put each error next to the field its JSON pointer names (fields: pointer -> element id);
// what names no field goes to `fallback`. Returns the first field shown, to focus it.
export function showError(err, fields, fallback) {
  const errors = err instanceof ApiError ? err.errors : [{ detail: String(err.message || err) }];
  let first = null;
  for (const e of errors) {
    const pointer = e.source && (e.source.pointer ?? e.source.parameter);
    const id = pointer !== undefined && pointer !== null ? fields[pointer] : undefined;
    const field = id && $(id);
    const slot = id && $(`${id}-error`);
    const words = plainWords(e.detail || e.title || "Something went wrong.", pointer);
    if (field && slot) {
      const label = document.querySelector(`label[for="${id}"]`);
      const name = label ? label.textContent.trim() : pointer;
      field.setAttribute("aria-invalid", "true");
      slot.textContent = `${name}: ${words}`;
      first = first || field;
    } else {
      const target = $(fallback);
      target.textContent = target.textContent ? `${target.textContent} ${words}` : words;
    }
  }
  if (first) first.focus();
  return first;
}

// "/temperature: Input should be less than or equal to 2" -> "must be at most 2."
function plainWords(detail, pointer) {
  let text = detail;
  if (pointer && text.startsWith(`${pointer}: `)) text = text.slice(pointer.length + 2);
  const rules = [
    [/^Input should be less than or equal to (.+)$/, "must be at most $1."],
    [/^Input should be greater than or equal to (.+)$/, "must be at least $1."],
    [/^Input should be less than (.+)$/, "must be less than $1."],
    [/^Input should be greater than (.+)$/, "must be more than $1."],
    [/^Input should be a valid (integer|number).*$/, "must be a $1."],
    [/^String should have at least 1 character$/, "must not be empty."],
    [/^Field required$/, "is required."],
  ];
  for (const [re, out] of rules) if (re.test(text)) return text.replace(re, out);
  return text;
}

export const emit = (name) => document.dispatchEvent(new CustomEvent(name));
export const on = (name, fn) => document.addEventListener(name, fn);
