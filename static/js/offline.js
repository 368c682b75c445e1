// The offline layer of the officer's phone: progressive enhancement, every page works without it.
// - registers the service worker (/sw.js), which keeps the pages needed at a door (see templates/offline/sw.js);
// - keeps a visit saved without a signal in IndexedDB, shows it as 待发送 and sends it when the signal is back,
//   once: the form's submission key makes a second send return the first visit (visits.services.visit_log);
// - clears all of it at logout.
// Turned on by <body data-offline-user="...">, which the server sets only for a user who logs visits; the value
// is an opaque key that keeps one user's saved visits from being shown or sent under another user's login.
//
// CSRF: a saved visit never keeps the form's token. It is sent with the token of the page that sends it (every
// signed-in page carries one in its logout form), which is always the current session's: a login in between
// rotates the token, and a page loaded after it has the new one. A refusal (403) keeps the visit waiting, and the
// next page load sends it with a fresh token.

const body = document.body;
const USER = body.dataset.offlineUser || "";
const DB_NAME = "jiafang-offline";
const STORE = "visits";
const PAGE_CACHE_PREFIX = "jiafang-pages-";
const VISIT_PAGE = /^\/visits\/\d+\/$/;
// Answered by the server with 204, or 401 once the login lapsed (jingshi_jiafang/offline.py: session_probe).
const SESSION_URL = "/offline/session/";
// A form rendered longer ago than this (a page kept by the service worker) gets the time of now.
const STALE_SECONDS = 10 * 60;

function idbRequest(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDb() {
  const request = indexedDB.open(DB_NAME, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore(STORE, { keyPath: "key" }).createIndex("user", "user");
  };
  return idbRequest(request);
}

async function withStore(mode, work) {
  const db = await openDb();
  try {
    return await idbRequest(work(db.transaction(STORE, mode).objectStore(STORE)));
  } finally {
    db.close();
  }
}

async function waitingVisits() {
  const items = await withStore("readonly", (store) => store.index("user").getAll(USER));
  return items.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}

const saveVisit = (item) => withStore("readwrite", (store) => store.put(item));
const dropVisit = (key) => withStore("readwrite", (store) => store.delete(key));

function pageToken() {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

// Where a form can go now: "online" (signed in), "signed-out" (the login lapsed: posting would land on the login
// page and lose the form) or "offline".
async function connection() {
  if (!navigator.onLine) return "offline";
  try {
    const response = await fetch(SESSION_URL, {
      method: "HEAD",
      cache: "no-store",
      credentials: "same-origin",
      redirect: "manual",
      signal: AbortSignal.timeout(5000),
    });
    return response.status === 204 ? "online" : "signed-out";
  } catch (error) {
    return "offline";
  }
}

function localMinute(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// The kind the server gives a form rendered at `date` (visits/visit_forms.py): 夜访 inside the night window, 昼访
// outside it; null for a form without the window (an organisation's: no kind; 结对走访 at a paired household).
function kindAt(select, date) {
  if (!select) return null;
  const { nightWeekdays, nightStart, nightEnd } = select.dataset;
  if (nightWeekdays === undefined) return null;
  const weekday = String((date.getDay() + 6) % 7); // Monday 0, as Python's weekday()
  const minute = localMinute(date).slice(11);
  const night = nightWeekdays.split(",").includes(weekday) && nightStart <= minute && minute <= nightEnd;
  return night ? "night" : "day";
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- Sending -------------------------------------------------------------------------------------------------

function refusalText(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const summary = page.querySelector('[data-testid="error-summary"] ul, .alert-danger');
  const text = summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
  return (text || "服务器没有接收这次走访。").slice(0, 300);
}

// One visit: what became of it. Only a response that lands on the visit's page removes it from the phone.
async function sendVisit(item, token) {
  const data = new URLSearchParams(item.fields);
  data.set("csrfmiddlewaretoken", token);
  let response;
  try {
    response = await fetch(item.action, { method: "POST", body: data, credentials: "same-origin" });
  } catch (error) {
    return { outcome: "offline" };
  }
  const path = new URL(response.url).pathname;
  if (response.ok && VISIT_PAGE.test(path)) return { outcome: "sent", url: path };
  if (response.redirected) return { outcome: "waiting", error: "登录已过期:请重新登录,登录后自动发送。" };
  if (response.status === 403) return { outcome: "waiting", error: "页面已过期,发送被拒绝:请刷新页面,刷新后自动发送。" };
  if (response.status === 404) return { outcome: "refused", error: "该户已不在您的联系范围内,这次走访不能记录。" };
  if (response.status === 400) return { outcome: "refused", error: refusalText(await response.text()) };
  return { outcome: "waiting", error: "服务器暂时无法接收,稍后自动重试。", retry: true };
}

let sending = false;
// The signal comes back in fits at a farmhouse ("online" fires before requests get through) and a server may
// be busy: what could not be sent is tried again, less and less often.
const RETRY_SECONDS = [3, 10, 30, 60];
let retries = 0;
let retryTimer = 0;

function retryLater() {
  clearTimeout(retryTimer);
  const seconds = RETRY_SECONDS[Math.min(retries, RETRY_SECONDS.length - 1)];
  retries += 1;
  retryTimer = setTimeout(sendWaitingOnce, seconds * 1000);
}

async function sendWaiting() {
  if (sending || !USER || !navigator.onLine) return;
  const token = pageToken();
  if (!token) return;
  sending = true;
  const sent = [];
  let again = false;
  try {
    for (const item of await waitingVisits()) {
      if (item.state !== "waiting") continue;
      const result = await sendVisit(item, token);
      again = again || Boolean(result.retry);
      if (result.outcome === "offline") {
        again = true;
        break;
      }
      if (result.outcome === "sent") {
        await dropVisit(item.key);
        sent.push(result.url);
      } else {
        await saveVisit({ ...item, state: result.outcome, error: result.error });
      }
    }
  } finally {
    sending = false;
  }
  if (again) retryLater();
  else retries = 0;
  if (sent.length) showSent(sent);
  await showQueue();
}

// Two tabs of the same phone never send at once (the server would still record each visit once).
function sendWaitingOnce() {
  if (navigator.locks) return navigator.locks.request("jiafang-offline-send", sendWaiting);
  return sendWaiting();
}

// --- Showing -------------------------------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function showSent(urls) {
  for (const box of document.querySelectorAll("[data-offline-sent]")) {
    box.replaceChildren(`手机上保存的 ${urls.length} 次走访已发送,已写入民情日记。`);
    const link = element("a", "alert-link ms-1", "查看走访");
    link.href = urls[urls.length - 1];
    box.append(link);
    box.hidden = false;
  }
}

function visitTime(item) {
  const field = item.fields.find(([name]) => name === "visited_at");
  return field ? field[1].replace("T", " ") : "";
}

function queueRow(item) {
  const row = element("li", "list-group-item");
  row.dataset.testid = "offline-item";
  const line = element("div", "d-flex justify-content-between align-items-start gap-2");
  line.append(element("span", "fw-semibold text-break", `${item.label} · ${visitTime(item)}`));
  const waiting = item.state === "waiting";
  line.append(element("span", `badge flex-shrink-0 ${waiting ? "text-bg-warning" : "text-bg-danger"}`, waiting ? "待发送" : "未能发送"));
  row.append(line);
  if (item.error) row.append(element("div", `small ${waiting ? "text-muted" : "text-danger"}`, item.error));
  if (!waiting) {
    const remove = element("button", "btn btn-sm btn-outline-danger mt-1", "删除这条记录");
    remove.type = "button";
    remove.addEventListener("click", async () => {
      if (!window.confirm("删除后这次走访不会发送,需要时请重新记录。确定删除吗?")) return;
      await dropVisit(item.key);
      await showQueue();
    });
    row.append(remove);
  }
  return row;
}

async function showQueue() {
  const items = await waitingVisits();
  // "Saved, waiting to send" holds only while something waits; what became of it then shows in the list.
  if (!items.some((item) => item.state === "waiting")) {
    for (const saved of document.querySelectorAll("[data-offline-saved]")) saved.hidden = true;
  }
  const boxes = document.querySelectorAll("[data-offline-queue]");
  for (const box of boxes) {
    box.querySelector("[data-offline-list]").replaceChildren(...items.map(queueRow));
    box.querySelector("[data-offline-count]").textContent = String(items.length);
    box.hidden = items.length === 0;
  }
}

// --- The visit form ------------------------------------------------------------------------------------------

function formError(form, text) {
  const box = form.querySelector("[data-offline-error]");
  box.textContent = text;
  box.hidden = !text;
  if (text) box.scrollIntoView({ block: "center" });
}

const WAITING_NOTE = { offline: "", "signed-out": "登录已失效:重新登录后自动发送。" };

async function keepOnPhone(form, reason) {
  // The server cannot check the form now: the browser checks what it can (required fields, the time window).
  if (!form.reportValidity()) return;
  // Full phone and ID numbers never stay on the phone: a correction of one is sent with a signal only.
  const personal = (form.dataset.personalFields || "").split(" ").filter((name) => name && form.elements[name]?.value.trim());
  if (personal.length) {
    const when = reason === "signed-out" ? "登录失效时" : "没有网络时";
    formError(form, `${when}不能保存电话号码或身份证号的更正(号码不存放在手机上)。请清空这些项目后再保存,之后再补正。`);
    return;
  }
  const fields = [];
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrfmiddlewaretoken") fields.push([name, String(value)]);
  }
  await saveVisit({
    key: form.elements.submission_key.value,
    user: USER,
    label: form.dataset.label,
    action: new URL(form.action, location.href).pathname,
    fields,
    savedAt: new Date().toISOString(),
    state: "waiting",
    error: WAITING_NOTE[reason],
  });
  formError(form, "");
  form.hidden = true;
  const saved = document.querySelector("[data-offline-saved]");
  for (const part of saved.querySelectorAll("[data-offline-reason]")) part.hidden = part.dataset.offlineReason !== reason;
  saved.hidden = false;
  saved.scrollIntoView({ block: "start" });
  await showQueue();
}

function enhanceVisitForm(form) {
  // A fresh key for every form shown: a form kept by the service worker is shown again for the next visit. A form
  // the browser restored (后退 after saving) keeps the key it was sent with: saving it again is the same visit.
  const key = form.elements.submission_key;
  const fresh = key.value === key.defaultValue;
  if (fresh) key.value = newKey();
  const visitedAt = form.elements.visited_at;
  const renderedAt = Number(form.dataset.renderedAt || 0);
  if (Date.now() / 1000 - renderedAt > STALE_SECONDS && !form.querySelector(".is-invalid")) {
    const date = new Date();
    const now = localMinute(date);
    visitedAt.max = now;
    visitedAt.value = now;
    // A form kept in the afternoon and opened at a door in the evening would offer 昼访 for a night visit (and the
    // night plan would go unkept): a fresh form's kind follows the time; a restored one keeps what was chosen.
    const kind = form.elements.kind;
    const chosen = kindAt(kind, date);
    if (fresh && chosen && kind.value !== chosen) {
      kind.value = chosen;
      kind.dispatchEvent(new Event("change"));
    }
  }
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      // Signed in with a signal, the form goes to the server as it does without JavaScript.
      const where = await connection();
      if (where === "online") {
        form.submit();
        return;
      }
      await keepOnPhone(form, where);
    } finally {
      button.disabled = false;
    }
  });
}

// --- Logout --------------------------------------------------------------------------------------------------

async function clearPhone() {
  await idbRequest(indexedDB.deleteDatabase(DB_NAME));
  if (window.caches) {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PAGE_CACHE_PREFIX) || name === "jiafang-meta").map((name) => caches.delete(name)));
  }
}

function enhanceLogout(form) {
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    const waiting = (await waitingVisits()).length;
    if (waiting && !window.confirm(`还有 ${waiting} 次走访没有发送,退出后将从手机上删除。确定退出吗?`)) return;
    try {
      await clearPhone();
    } finally {
      form.submit();
    }
  });
}

// --- Start ---------------------------------------------------------------------------------------------------

function keepDuePages() {
  const links = document.querySelectorAll('[data-testid="todo-due_households"] a[data-testid="todo-item"]');
  const urls = [];
  for (const link of links) {
    const path = new URL(link.href).pathname;
    urls.push(path, `${path}visits/new/`);
  }
  if (urls.length && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "keep-pages", urls });
  }
}

async function start() {
  if (!USER || !window.indexedDB) return;
  for (const form of document.querySelectorAll("form[data-offline-logout]")) enhanceLogout(form);
  const visitForm = document.querySelector("form[data-offline-visit]");
  if (visitForm) enhanceVisitForm(visitForm);
  window.addEventListener("online", sendWaitingOnce);
  await showQueue();
  await sendWaitingOnce();
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" });
  } catch (error) {
    // No worker (a browser that refuses one, a page before the password change): the pages need a signal, and
    // visits saved without one are still kept and sent by this script.
    return;
  }
  if (navigator.onLine) keepDuePages();
}

start();
