// The service worker of 警事家访 (served by jingshi_jiafang/offline.py at /sw.js, scope "/").
// It keeps the static files, and per signed-in visitor the pages an officer needs at a door, so that they open
// without a signal. Pages are network first: with a signal the officer always sees the server's page. A page is
// kept only under the user it was rendered for (the server names them in a response header), and meeting
// another user drops every page kept for anyone else. Visits saved offline are not here: static/js/offline.js
// keeps them, so that sending them does not depend on this worker.
"use strict";

const VERSION = {{ version|safe }};
const STATIC_CACHE = "jiafang-static-" + VERSION;
const PAGE_CACHE_PREFIX = "jiafang-pages-";
const META_CACHE = "jiafang-meta";
const CURRENT_USER_ENTRY = "/__jiafang_offline_user__";
const PRECACHE = {{ precache|safe }};
const DOOR_PAGES = {{ door_pages|safe }}.map((pattern) => new RegExp(pattern));
const OFFLINE_URL = {{ offline_url|safe }};
const FORM_RESULT_URL = {{ form_result_url|safe }};
const USER_HEADER = {{ user_header|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC_CACHE);
      // The offline page is the same for everyone: fetched without the officer's cookies.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: "omit" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith("jiafang-static-") && name !== STATIC_CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

async function currentUser() {
  const meta = await caches.open(META_CACHE);
  const entry = await meta.match(CURRENT_USER_ENTRY);
  return entry ? entry.text() : "";
}

// The user whose pages the phone may show now. Another visitor signing in on this phone drops every page kept
// for anyone else; a page for nobody (the login page) keeps them but shows none until that user is back.
// Responses arrive together: one at a time, in order, so that an older response never has the last word.
let userNoted = Promise.resolve();

function noteUser(user) {
  userNoted = userNoted.then(() => switchUser(user));
  return userNoted;
}

async function switchUser(user) {
  if ((await currentUser()) === user) return;
  const meta = await caches.open(META_CACHE);
  await meta.put(CURRENT_USER_ENTRY, new Response(user));
  if (!user) return;
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => name.startsWith(PAGE_CACHE_PREFIX) && name !== PAGE_CACHE_PREFIX + user)
      .map((name) => caches.delete(name)),
  );
}

function isDoorPage(url) {
  return DOOR_PAGES.some((pattern) => pattern.test(url.pathname));
}

async function keepPage(url, response) {
  const user = response.headers.get(USER_HEADER) || "";
  await noteUser(user);
  if (user && response.ok && !response.redirected && response.type === "basic" && isDoorPage(new URL(url))) {
    const cache = await caches.open(PAGE_CACHE_PREFIX + user);
    await cache.put(url, response);
  }
}

async function keptPage(url) {
  const user = await currentUser();
  if (!user) return undefined;
  const cache = await caches.open(PAGE_CACHE_PREFIX + user);
  return cache.match(url);
}

async function offlinePage() {
  return (await caches.match(OFFLINE_URL)) || Response.error();
}

async function formResultPage() {
  return (await caches.match(FORM_RESULT_URL)) || offlinePage();
}

async function navigate(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (request.method === "GET") event.waitUntil(keepPage(request.url, response.clone()));
    return response;
  } catch (error) {
    // The back button to the page a form's post returned: the browser asks for it from its cache only, and never
    // has it. The signal is fine; saying "no network" there sent people looking for one.
    if (request.method !== "GET" && request.cache === "only-if-cached") return formResultPage();
    // A form sent as the signal dropped (offline.js saves it when it knows the phone is offline): the offline
    // page says to go back and save again, which then keeps the visit on the phone.
    if (request.method !== "GET") return offlinePage();
    return (await keptPage(request.url)) || offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (request.method === "GET" && PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// The home page lists the households due a visit: offline.js asks to keep their pages and visit forms now, so
// that they open at the door even if the officer did not open them with a signal.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "keep-pages" || !Array.isArray(event.data.urls)) return;
  event.waitUntil(
    Promise.all(
      event.data.urls.slice(0, 40).map(async (path) => {
        const url = new URL(path, self.location.origin);
        if (url.origin !== self.location.origin || !isDoorPage(url)) return;
        try {
          // Not to the login page when the session has ended: rendering it would give the browser a new CSRF
          // cookie under the login form the person may be filling in.
          const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
          await keepPage(url.href, response);
        } catch (error) {
          // No signal now: the page is kept the next time it is opened with one.
        }
      }),
    ),
  );
});
