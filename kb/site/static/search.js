// Search page: a small UI over Pagefind's JS API (the bundles Pagefind wrote under the site).
// Relative to this script, so the site works from any folder of any static host.
const root = new URL("../", import.meta.url);
const FILTERS = [
  ["product", "Product"], ["release", "Release"], ["category", "Category"],
  ["status", "Status kind"], ["verification", "Verification"],
];
const PAGE = 20;
const form = document.getElementById("search");
const input = document.getElementById("search-q");
const drawer = document.getElementById("filter-box");
const box = document.getElementById("filters");
const status = document.getElementById("search-status");
const list = document.getElementById("results");
const more = document.getElementById("more");
// The merged instance over every bundle (a promise until its indexes are merged).
let pagefind = null;
let ready = null;
// The filter that hides stale copies of changed pages (null when the bundles are current).
let hidden = null;
let generation = 0;
// The search on screen: its results in order (an exact-id hit first), how many are shown.
let current = null;

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
  if (current.shown === 0) list.replaceChildren();
  for (const data of datas) list.append(resultItem(data));
  current.shown += datas.length;
  const n = current.order.length;
  status.textContent = n === 0 ? "No articles found." :
    `${n} article${n === 1 ? "" : "s"} found${n > current.shown ? `, the first ${current.shown} shown` : ""}.`;
  more.hidden = current.shown >= n;
  more.textContent = `Show ${Math.min(PAGE, n - current.shown)} more`;
}

async function run(event) {
  if (event) event.preventDefault();
  if (!pagefind) return;
  countSelected();
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
  const all = hidden ? { ...filters, ...hidden } : filters;
  const [search, exact] = await Promise.all([
    pagefind.search(query || null, { filters: all }), exactArticle(pagefind, query, all)]);
  if (mine !== generation) return;
  // An article id typed as such (Q254893 or 254893) shows that article first: Pagefind ranks
  // numbers by text statistics, which cannot know that this number names a page.
  const order = exact ? [exact, ...search.results.filter((r) => r.id !== exact.id)] : search.results;
  current = { order, shown: 0 };
  updateCounts(search.filters || {});
  await showMore(mine);
}

// The article an id names, found in the search index itself (its page carries the id as a
// word, and the hidden "part" filter is the id's last three digits): no page is fetched, so
// an id that names no article costs no 404.
async function exactArticle(instance, query, filters) {
  const match = /^\s*q?(\d{4,8})\s*$/i.exec(query);
  if (!match) return null;
  const id = `Q${match[1]}`;
  const found = await instance.search(id, { filters: { ...filters, part: id.slice(-3) } });
  for (const result of found.results.slice(0, 8)) {
    const data = await result.data();
    if (data.meta.id === id) return { id: result.id, data };
  }
  return null;
}

// search-layers.json lists the bundles; a site built before it existed names them on the form.
async function loadLayers() {
  try {
    const reply = await fetch(new URL("search-layers.json", root).href);
    if (reply.ok) {
      const described = await reply.json();
      return { bundles: described.bundles || [], layers: described.layers || [] };
    }
  } catch (error) { /* fall back to the form's list */ }
  return { bundles: (form.dataset.bundles || "").split(" ").filter(Boolean), layers: [] };
}

// The filter that shows each page from the newest bundle holding its part: a layer's copy
// unless a newer layer holds the part, a base copy unless any layer does.
function freshest(layers) {
  const clauses = [];
  let newer = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    if (layers[i].bundle) {
      clauses.push(newer.length ? { all: [{ layer: `d${i}` }, { part: { none: newer } }] } : { layer: `d${i}` });
    }
    newer = newer.concat(layers[i].parts);
  }
  clauses.push({ all: [{ layer: "base" }, { part: { none: newer } }] });
  return { any: clauses };
}

// Every bundle merged into one instance: exact results and counts. The bundle is sharded by
// the last digit of the article id (kb/site/search_bundle.py): the first is Pagefind's own
// /pagefind/, the others are merged into it. After small rebuilds the changed pages are in
// small layer bundles, newest last; a page is shown only from the newest layer holding its
// "part" (kb/site/search_plan.py).
async function openAll(described) {
  const { bundles, layers } = described;
  const instance = await import(new URL(`${bundles[0]}/pagefind.js`, root).href);
  const base = layers.length ? { mergeFilter: { layer: "base" } } : {};
  await instance.options({ baseUrl: root.pathname, ...base });
  for (const extra of bundles.slice(1)) {
    await instance.mergeIndex(new URL(`${extra}/`, root).href, { baseUrl: root.pathname, ...base });
  }
  for (const [i, layer] of layers.entries()) {
    if (!layer.bundle) continue;
    await instance.mergeIndex(new URL(`${layer.bundle}/`, root).href,
      { baseUrl: root.pathname, mergeFilter: { layer: `d${i}` } });
  }
  await instance.init();
  return instance;
}

// The one bundle that can answer an id on its own (the shard of its last digit), when no
// layer may hold a newer copy: the article shows before the other bundles have loaded.
async function firstAnswer(described, query) {
  const match = /^\s*q?(\d{4,8})\s*$/i.exec(query);
  if (!match || described.layers.length || described.bundles.length < 2) return;
  const digit = match[1].slice(-1);
  const bundle = digit === "0" ? "pagefind" : `pagefind-${digit}`;
  if (bundle === described.bundles[0] || !described.bundles.includes(bundle)) return;
  const mine = generation;
  const shard = await import(new URL(`${bundle}/pagefind.js`, root).href);
  await shard.options({ baseUrl: root.pathname });
  const exact = await exactArticle(shard, query, {});
  if (!exact || mine !== generation || pagefind) return;
  list.replaceChildren(resultItem(exact.data));
  status.textContent = "Found the article; searching the rest of the knowledge base…";
}

async function start() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  const wanted = {};
  for (const [key] of FILTERS) if (params.getAll(key).length) wanted[key] = params.getAll(key);
  // The filters start open on a wide screen and folded away on a phone.
  drawer.open = window.matchMedia("(min-width: 48em)").matches || Object.keys(wanted).length > 0;
  let described;
  try {
    described = await loadLayers();
    if (!described.bundles.length) throw new Error("no search bundle");
    if (input.value) status.textContent = "Searching…";
    ready = openAll(described);
    firstAnswer(described, input.value).catch(() => {});
    const instance = await ready;
    if (described.layers.length) hidden = freshest(described.layers);
    pagefind = instance;
    renderFilters(hidden ? (await pagefind.search(null, { filters: hidden })).filters
      : await pagefind.filters(), wanted);
  } catch (error) {
    status.textContent = "The search index is missing: build the site without --no-search.";
    return;
  }
  // Typing searches after a pause; Enter searches at once and cancels the pending search, so
  // one query never runs twice and a finished result is not replaced by "Searching…" again.
  let timer = null;
  form.addEventListener("submit", (event) => { clearTimeout(timer); run(event); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  more.addEventListener("click", () => { if (current) showMore(generation); });
  document.body.dataset.searchReady = "1";
  run();
}

start();
