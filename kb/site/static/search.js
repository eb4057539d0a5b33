// Search page: a small UI over Pagefind's JS API (the bundles Pagefind wrote under the site).
// Relative to this script, so the site works from any folder of any static host.
const root = new URL("../", import.meta.url);
const FILTERS = [
  ["product", "Product"], ["release", "Release"], ["category", "Category"],
  ["status", "Status kind"], ["verification", "Verification"],
];
const PAGE = 20;
// Results shown from the first bundle before the others have answered.
const EARLY = 10;
const form = document.getElementById("search");
const input = document.getElementById("search-q");
const drawer = document.getElementById("filter-box");
const box = document.getElementById("filters");
const status = document.getElementById("search-status");
const list = document.getElementById("results");
const more = document.getElementById("more");
// One Pagefind instance per bundle, with the parts it must not show: those a newer layer holds
// a fresher copy of. Each is opened once (``ready``, a promise of Pagefind's instance API).
let instances = null;
// The filters named in the address, until the filter boxes exist.
let wanted = {};
let generation = 0;
// The search on screen: its results in order (an exact-id hit first), how many are shown.
let current = null;
// The filter counts of the last search, shown beside the filter values.
let latestCounts = null;

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

// Pagefind excerpts are HTML with <mark> around hits. Copy only text and <mark> across, so no
// article text can ever become markup here, whether or not the excerpt was escaped.
function safeExcerpt(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeName === "MARK") { const m = el("mark"); walk(child, m); into.append(m); }
      else walk(child, into);
    }
  };
  walk(tpl.content, out);
  return out;
}

function selected() {
  if (!box.querySelector("input[type=checkbox]")) {
    return Object.fromEntries(Object.entries(wanted).map(([k, values]) => [k, { any: values }]));
  }
  const chosen = {};
  for (const cb of box.querySelectorAll("input[type=checkbox]:checked")) {
    (chosen[cb.dataset.filter] ||= []).push(cb.value);
  }
  const filters = {};
  for (const [k, values] of Object.entries(chosen)) filters[k] = { any: values };
  return filters;
}

// One checkbox per value the site has; each search only updates the counts beside them, so
// a box being clicked is never replaced under the pointer.
function renderFilters(available, wanted) {
  box.replaceChildren();
  FILTERS.forEach(([key, label], i) => {
    const values = available[key];
    if (!values || !Object.keys(values).length) return;
    const set = el("fieldset");
    set.append(el("legend", {}, label));
    Object.keys(values).sort().forEach((value, j) => {
      const id = `f-${i}-${j}`;
      const cb = el("input", { type: "checkbox", id, value });
      cb.dataset.filter = key;
      if ((wanted[key] || []).includes(value)) cb.checked = true;
      cb.addEventListener("change", () => run());
      const lab = el("label", { for: id });
      lab.append(cb, ` ${value} `, el("span", { class: "n" }, `(${values[value]})`));
      set.append(lab);
    });
    box.append(set);
  });
  countSelected();
}

// The counts of the current query: how many of its results each value would leave.
function updateCounts(counts) {
  for (const cb of box.querySelectorAll("input[type=checkbox]")) {
    const n = (counts[cb.dataset.filter] || {})[cb.value] || 0;
    const label = cb.parentElement;
    label.querySelector(".n").textContent = `(${n})`;
    label.classList.toggle("none", n === 0 && !cb.checked);
  }
}

function countSelected() {
  const n = box.querySelectorAll("input[type=checkbox]:checked").length;
  drawer.querySelector("summary").textContent = n ? `Filters (${n} selected)` : "Filters";
}

function syncUrl(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [k, v] of Object.entries(filters)) for (const value of v.any) params.append(k, value);
  const url = `${location.pathname}${params.toString() ? "?" + params : ""}${location.hash}`;
  history.replaceState(null, "", url);
}

function first(values) {
  return Array.isArray(values) && values.length ? values[0] : "";
}

function resultItem(data) {
  const li = el("li");
  const a = el("a", { href: data.url });
  const id = data.meta.id || "";
  a.append(el("span", { class: "id" }, id), ` ${data.meta.title || data.url}`);
  li.append(a);
  // Status kind, verification and date of each result: what a support engineer sorts by.
  const facts = el("p", { class: "facts" });
  const kind = first(data.filters?.status);
  const verification = first(data.filters?.verification);
  if (kind) facts.append(el("span", { class: `kind kind-${kind}` }, kind));
  if (verification) facts.append(el("span", { class: `badge badge-${verification.replace(/ /g, "-")}` }, verification));
  if (data.meta.date) facts.append(el("time", { datetime: data.meta.date }, data.meta.date));
  if (facts.childNodes.length) li.append(facts);
  const p = el("p", { class: "excerpt" });
  p.append(safeExcerpt(data.excerpt || ""));
  li.append(p);
  return li;
}

// Show the next page of the current search (the first 20, then 20 more on each click).
async function showMore(mine) {
  const page = current.order.slice(current.shown, current.shown + PAGE);
  const datas = await Promise.all(page.map((r) => (typeof r.data === "function" ? r.data() : r.data)));
  if (mine !== generation) return;
  if (current.shown === 0) {
    list.replaceChildren();
    delete list.dataset.partial;
  }
  for (const data of datas) list.append(resultItem(data));
  current.shown += datas.length;
  const n = current.order.length;
  status.dataset.count = String(n);
  status.textContent = n === 0 ? "No articles found." :
    `${plural(n)} found${n > current.shown ? `, the first ${current.shown} shown` : ""}.`;
  more.hidden = current.shown >= n;
  more.textContent = `Show ${Math.min(PAGE, n - current.shown)} more`;
}

// The filters an instance searches with: the user's, minus the parts a newer layer holds.
function scoped(filters, instance) {
  if (!instance.hide.length) return filters;
  return { ...filters, all: [...(filters.all || []), { part: { none: instance.hide } }] };
}

function addCounts(into, counts) {
  for (const [key, values] of Object.entries(counts || {})) {
    const sums = (into[key] ||= {});
    for (const [value, n] of Object.entries(values)) sums[value] = (sums[value] || 0) + n;
  }
  return into;
}

// An article id as typed: Q254893 or 254893.
const ID = /^\s*q?(\d{4,8})\s*$/i;

// A filter value no page has: a search with it scores nothing but still counts the matches.
const NOWHERE = { part: "\u0000" };

// Whether a bundle's index holds a word (asked once per bundle and word).
function hasWord(instance, word) {
  const key = word.toLowerCase();
  if (!instance.words.has(key)) {
    instance.words.set(key, instance.ready.then((pf) => pf.search(word, { filters: NOWHERE }))
      .then((found) => found.unfilteredResultCount > 0));
  }
  return instance.words.get(key);
}

// Pagefind drops a query word its index does not hold, so a bundle without the word would
// answer for the other words alone, unlike one index over every page. So the words no bundle
// holds are dropped (as one index would drop them), and only the bundles holding every other
// word are asked. ``held`` is, per bundle, a promise of whether it holds each word.
function plan(words, held) {
  return Promise.all(held).then((rows) => {
    const known = words.filter((_, j) => rows.some((row) => row[j]));
    const asked = instances.filter((_, i) => words.every((w, j) => rows[i][j] || !known.includes(w)));
    // No bundle holds any word: one index would find nothing either.
    return { query: known.join(" "), asked: known.length ? asked : [] };
  });
}

// How many results a bundle has for a query and the filter counts, without its results: the
// search is filtered down to nothing, which skips ranking and listing every match (for a common
// word that is nearly all the work). Only for a bundle searched without filters: Pagefind counts
// the unfiltered matches. Null when the bundle needs the full search to count.
async function countOnly(instance, query, filters) {
  const wanted = scoped(filters, instance);
  if (Object.keys(wanted).length || !query) return null;
  const found = await (await instance.ready).search(query, { filters: NOWHERE });
  return { count: found.unfilteredResultCount, filters: found.totalFilters || {} };
}

function plural(n) {
  return `${n} article${n === 1 ? "" : "s"}`;
}

// Show the first results as soon as one bundle has some (marked as partial), then count the
// matches in every bundle that can answer (cheap: no ranking) and show the exact count, then
// search them all in full; when all have answered, their results are merged by score and the
// counts (results and filters) are the exact sums.
//
// The first results come from the bundle opened first when it has any, else from whichever
// other bundle answers first with some: a query the first bundle has no page for (a rare word,
// two words no page of its own holds together) shows results before the last bundle has loaded.
// Only a bundle holding every word may answer alone: Pagefind drops a word its index lacks.
async function searchAll(text, filters, mine, early) {
  const words = (text || "").split(/\s+/).filter(Boolean);
  const holds = (i) => Promise.all(words.map((w) => hasWord(i, w)));
  // One bundle's full search, its results marked with the bundle they came from.
  const searchIn = async (instance, query) => {
    const found = await (await instance.ready).search(query || null, { filters: scoped(filters, instance) });
    for (const result of found.results) result.bundle = instance.bundle;
    return found;
  };
  // Each bundle's full search for the query as typed, run at most once (reused below).
  const answers = new Map();
  const answer = (instance) => {
    if (!answers.has(instance)) {
      answers.set(instance, (async () => {
        if (words.length > 1 && !(await holds(instance)).every(Boolean)) return null;
        return searchIn(instance, text);
      })());
    }
    return answers.get(instance);
  };
  let opening = await answer(opensFirst);
  if (mine !== generation) return null;
  if (!opening?.results.length && instances.length > 1) {
    firstAnswered();  // the others are needed now
    opening = await Promise.any(instances.filter((i) => i !== opensFirst).map((instance) => answer(instance)
      .then((found) => (found?.results.length ? found : Promise.reject(new Error("no results"))))))
      .catch(() => null);
    if (mine !== generation) return null;
  }
  if (early && opening && instances.length > 1) {
    // A screenful: each result shown costs a fragment fetched; the full page comes ranked.
    const datas = await Promise.all(opening.results.slice(0, EARLY).map((r) => r.data()));
    if (mine === generation) {
      list.replaceChildren(...datas.map(resultItem));
      list.dataset.partial = "1";
      status.textContent = `Searching… the first results, from 1 of ${instances.length} parts of the index.`;
    }
  }
  firstAnswered();
  const { query, asked } = words.length > 1 ? await plan(words, instances.map(holds))
    : { query: text, asked: instances };
  if (mine !== generation) return null;
  // A bundle searched in full above answers again from that search; only the query as typed.
  const full = (i) => (query === text ? answer(i) : searchIn(i, query));
  if (asked.length > 1) {
    const counted = await Promise.all(asked.map(async (i) => {
      const done = query === text && answers.has(i) ? await answers.get(i) : null;
      return done ? { count: done.unfilteredResultCount, filters: done.filters } : countOnly(i, query, filters);
    }));
    if (mine !== generation) return null;
    if (counted.every(Boolean)) {
      const n = counted.reduce((sum, c) => sum + c.count, 0);
      latestCounts = counted.reduce((sum, c) => addCounts(sum, c.filters), {});
      updateCounts(latestCounts);
      status.dataset.count = String(n);
      status.textContent = n === 0 ? "Searching…" :
        `${plural(n)} match; ranking them across ${asked.length} parts of the index…`;
    }
  }
  const all = await Promise.all(asked.map(full));
  const results = all.flatMap((found) => found.results);
  results.sort((a, b) => b.score - a.score);  // stable: bundle order breaks ties
  return { results, filters: all.reduce((sum, found) => addCounts(sum, found.filters), {}) };
}

async function run(event) {
  if (event) event.preventDefault();
  if (!instances) return;
  if (box.querySelector("input[type=checkbox]")) countSelected();
  const mine = ++generation;
  const query = input.value.trim();
  const filters = selected();
  syncUrl(query, filters);
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    more.hidden = true;
    current = null;
    status.textContent = "Type a word, an article id (Q254893) or an event id (4120).";
    return;
  }
  status.textContent = "Searching…";
  delete status.dataset.count;
  more.hidden = true;
  // An article id typed as such (Q254893 or 254893) shows that article first: Pagefind ranks
  // numbers by text statistics, which cannot know that this number names a page. Only the
  // bundles that can hold it are asked, and it shows before the full search is done.
  const exact = await exactArticle(query, filters);
  if (mine !== generation) return;
  if (exact) {
    list.replaceChildren(resultItem(exact.data));
    status.textContent = "Searching… the article with this id first.";
  }
  const search = await searchAll(query, filters, mine, !exact);
  if (mine !== generation || !search) return;
  const order = exact ? [exact, ...search.results.filter((r) => r.id !== exact.id || r.bundle !== exact.bundle)] : search.results;
  current = { order, shown: 0, done: true };
  latestCounts = search.filters;
  updateCounts(latestCounts);
  await showMore(mine);
}

// The article an id names, found in the search index itself (its page carries the id as a
// word, and the hidden "part" filter is the id's last three digits): no page is fetched, so
// an id that names no article costs no 404. Only the bundles that may hold it are searched:
// the base shard of its last digit and the layers holding its part, newest first.
async function exactArticle(query, filters) {
  const match = ID.exec(query);
  if (!match) return null;
  const id = `Q${match[1]}`;
  const part = id.slice(-3);
  const candidates = instances
    .filter((i) => (i.layer ? i.parts.includes(part) : i.suffixes.some((end) => id.endsWith(end))))
    .filter((i) => !i.hide.includes(part))
    .reverse();
  for (const instance of candidates) {
    // Only the bundle opened first (the id's own, for a page opened with an id) is ready early.
    if (instance !== opensFirst) firstAnswered();
    const found = await (await instance.ready).search(id, { filters: { ...scoped(filters, instance), part } });
    for (const result of found.results.slice(0, 8)) {
      const data = await result.data();
      if (data.meta.id === id) {
        firstAnswered();
        return { id: result.id, bundle: instance.bundle, data };
      }
    }
  }
  firstAnswered();
  return null;
}

// search-layers.json lists the bundles; a site built before it existed names them on the form.
async function loadLayers() {
  try {
    const reply = await fetch(new URL("search-layers.json", root).href);
    if (reply.ok) {
      const described = await reply.json();
      return { bundles: described.bundles || [], layers: described.layers || [], suffixes: described.suffixes };
    }
  } catch (error) { /* fall back to the form's list */ }
  return { bundles: (form.dataset.bundles || "").split(" ").filter(Boolean), layers: [] };
}

// The base bundles are sharded by the last digits of the article id (kb/site/search_bundle.py;
// search-layers.json names the id endings each holds). After small rebuilds the changed pages
// are in small layer bundles, newest last; a page is shown only from the newest bundle holding
// its "part", the id's last three digits (kb/site/search_plan.py).
function describeInstances(described) {
  const { bundles, layers } = described;
  const everyLayerPart = layers.flatMap((layer) => layer.parts);
  const out = bundles.map((bundle) => ({
    bundle, layer: false, parts: [], hide: everyLayerPart, words: new Map(),
    // A site built before the endings were listed: any base bundle may hold any id.
    suffixes: (described.suffixes || {})[bundle] || [""],
  }));
  layers.forEach((layer, i) => {
    if (!layer.bundle) return;
    const newer = layers.slice(i + 1).flatMap((l) => l.parts);
    out.push({ bundle: layer.bundle, layer: true, parts: layer.parts, hide: newer, suffixes: [], words: new Map() });
  });
  return out;
}

// Pagefind 1.5 searches in a web worker, one per copy of its module (pagefind.js), and the
// instances one module creates (createInstance) share its worker and its WebAssembly. Twenty
// bundles as twenty modules cost twenty workers, each loading its own script and WebAssembly
// before the first search; so the bundles share two workers (two copies of the module, from
// the first two bundles): a common word makes each bundle rank thousands of pages, in parallel
// across the two. Measured at 57,000 articles (20 bundles) on two loaded cores, opened cold:
// first results after a median 1.1 s with two workers, 1.7-2.4 s with four, 2.8 s with twenty.
// A worker's other instances are created once its first one has started: Pagefind's
// WebAssembly start-up is not safe to run twice at once in one worker.
const WORKERS = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 2));
// How many instances a worker loads at once. Measured at 57,000 articles on a quiet machine,
// "printer driver" (no page of the first bundle has both words) opened cold: first results after
// a median 0.82 s loading two at a time, 1.05 s all at once; the exact count of every query
// comes about 0.08 s later than all at once.
const LOADING = 2;

// The other bundles start loading once the first one has answered the query the page opened
// with (or there was none): on a small machine they would otherwise take the cores from it.
let firstAnswered = null;
const firstAnswer = new Promise((resolve) => {
  firstAnswered = resolve;
  setTimeout(resolve, 2000);  // at the latest: a slow first answer must not hold the rest back
});

function workerPool(bundle) {
  const module = import(new URL(`${bundle}/pagefind.js`, root).href);
  let started = null;
  // The instances of a worker load LOADING at a time, in the order asked. All at once, their
  // start-ups interleave in the one worker and every bundle is ready late; a few at a time, the
  // first are ready early (a rare query shows the results of the first that has any).
  let loading = 0;
  const waiting = [];
  const next = () => {
    if (waiting.length) waiting.shift()();
    else loading -= 1;
  };
  return async (instance, waits) => {
    const pf = await module;
    if (waits) await firstAnswer;
    // The worker's first instance is claimed before any other await: its WebAssembly start-up
    // must be over before another instance of the worker starts (see above).
    let begun = null;
    if (started) await started;
    else started = new Promise((resolve) => { begun = resolve; });
    if (loading < LOADING) loading += 1;
    else await new Promise((resolve) => waiting.push(resolve));
    const api = pf.createInstance({ basePath: new URL(`${instance.bundle}/`, root).pathname,
                                    baseUrl: root.pathname });
    // An empty search returns as soon as the instance has loaded its index and WebAssembly.
    const loaded = api.search("").catch(() => null).finally(next);
    if (begun) loaded.then(begun);
    return api;
  };
}

// Open every instance: ``first`` (the first bundle, or the one an id opened with names) at once
// in the first worker; the others in turn, spread over the workers.
let opensFirst = null;

function openAll(all, first) {
  const pools = all.slice(0, WORKERS).map((instance) => workerPool(instance.bundle));
  opensFirst = first;
  [first, ...all.filter((instance) => instance !== first)].forEach((instance, i) => {
    instance.ready = pools[i % pools.length](instance, i > 0);
    instance.ready.catch(() => null);  // reported where it is awaited
  });
  return all;
}

// Every value of every filter across the bundles, with the current query's counts beside it.
async function showFilters() {
  const all = await Promise.all(instances.map(async (i) => (await i.ready).filters()));
  const values = all.reduce((sum, counts) => addCounts(sum, counts), {});
  renderFilters(values, wanted);
  updateCounts(latestCounts || values);
}

async function start() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  for (const [key] of FILTERS) if (params.getAll(key).length) wanted[key] = params.getAll(key);
  // The filters start open on a wide screen and folded away on a phone.
  drawer.open = window.matchMedia("(min-width: 48em)").matches || Object.keys(wanted).length > 0;
  try {
    const described = await loadLayers();
    if (!described.bundles.length) throw new Error("no search bundle");
    const all = describeInstances(described);
    // A page opened with an article id searches the bundle of its id first.
    const id = ID.exec(input.value);
    const own = id && all.find((i) => !i.layer && i.suffixes.some((end) => `Q${id[1]}`.endsWith(end)));
    instances = openAll(all, own || all[0]);
    await opensFirst.ready;
  } catch (error) {
    instances = null;
    status.textContent = "The search index is missing: build the site without --no-search.";
    return;
  }
  // Typing searches after a pause; Enter searches at once and cancels the pending search, so
  // one query never runs twice and a finished result is not replaced by "Searching…" again.
  let timer = null;
  form.addEventListener("submit", (event) => { clearTimeout(timer); run(event); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  more.addEventListener("click", () => { if (current) showMore(generation); });
  // The query first, the filter lists after: a cold page shows results before it loads them.
  await run();
  firstAnswered();
  try {
    await showFilters();
  } catch (error) {
    status.textContent = "The search index is missing: build the site without --no-search.";
    return;
  }
  document.body.dataset.searchReady = "1";
}

start();
