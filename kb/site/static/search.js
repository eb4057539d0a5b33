// Search page: a small UI over Pagefind's JS API (the bundle Pagefind wrote to <site>/pagefind/).
// Relative to this script, so the site works from any folder of any static host.
const root = new URL("../", import.meta.url);
const FILTERS = [
  ["product", "Product"], ["release", "Release"], ["category", "Category"],
  ["status", "Status kind"], ["verification", "Verification"],
];
const PAGE = 20;
const form = document.getElementById("search");
const input = document.getElementById("search-q");
const box = document.getElementById("filters");
const status = document.getElementById("search-status");
const list = document.getElementById("results");
let pagefind = null;
// The filter that hides stale copies of changed pages (null when the bundles are current).
let hidden = null;
let generation = 0;

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
      cb.addEventListener("change", run);
      const lab = el("label", { for: id });
      lab.append(cb, ` ${value} `, el("span", { class: "n" }, `(${values[value]})`));
      set.append(lab);
    });
    box.append(set);
  });
}

function syncUrl(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [k, v] of Object.entries(filters)) for (const value of v.any) params.append(k, value);
  const url = `${location.pathname}${params.toString() ? "?" + params : ""}${location.hash}`;
  history.replaceState(null, "", url);
}

async function run(event) {
  if (event) event.preventDefault();
  if (!pagefind) return;
  const mine = ++generation;
  const query = input.value.trim();
  const filters = selected();
  syncUrl(query, filters);
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    status.textContent = "Type a word, an article id (Q254893) or an event id (4120).";
    return;
  }
  status.textContent = "Searching…";
  const [search, exact] = await Promise.all([
    pagefind.search(query || null, { filters: hidden ? { ...filters, ...hidden } : filters }),
    exactArticle(query)]);
  if (mine !== generation) return;
  let shown = await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
  if (mine !== generation) return;
  // An article id typed as such (Q254893 or 254893) opens that article first: Pagefind ranks
  // numbers by text statistics, which cannot know that this number names a page.
  if (exact && !Object.keys(filters).length) {
    shown = [exact, ...shown.filter((d) => d.meta.id !== exact.meta.id)].slice(0, PAGE);
  }
  list.replaceChildren();
  for (const data of shown) {
    const li = el("li");
    const a = el("a", { href: data.url });
    const id = data.meta.id || "";
    a.append(el("span", { class: "id" }, id), ` ${data.meta.title || data.url}`);
    li.append(a);
    const p = el("p", { class: "excerpt" });
    p.append(safeExcerpt(data.excerpt || ""));
    li.append(p);
    list.append(li);
  }
  const n = search.results.length + (exact && !search.results.length ? 1 : 0);
  status.textContent = n === 0 ? "No articles found." :
    `${n} article${n === 1 ? "" : "s"} found${n > PAGE ? `, the first ${PAGE} shown` : ""}.`;
}

async function exactArticle(query) {
  const match = /^\s*q?(\d{4,7})\s*$/i.exec(query);
  if (!match) return null;
  const id = `Q${match[1]}`;
  const url = new URL(`${id}/index.html`, root).href;
  try {
    const reply = await fetch(url);
    if (!reply.ok) return null;
    // DOMParser documents are inert: no script runs, nothing loads.
    const doc = new DOMParser().parseFromString(await reply.text(), "text/html");
    const title = doc.querySelector("h1")?.textContent || id;
    const first = doc.querySelector("div.body p")?.textContent || "";
    const excerpt = first.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
    return { url, meta: { id, title }, excerpt: excerpt.slice(0, 300) };
  } catch (error) {
    return null;
  }
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

async function start() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  const wanted = {};
  for (const [key] of FILTERS) if (params.getAll(key).length) wanted[key] = params.getAll(key);
  try {
    // The bundle is sharded by the last digit of the article id (see kb/site/search_bundle.py):
    // the first is Pagefind's own /pagefind/, the others are merged into it. After small
    // rebuilds the changed pages are in small layer bundles, newest last; a page is shown only
    // from the newest layer holding its "part" (kb/site/search_plan.py).
    const described = await loadLayers();
    const bundles = described.bundles;
    if (!bundles.length) throw new Error("no search bundle");
    pagefind = await import(new URL(`${bundles[0]}/pagefind.js`, root).href);
    const layers = described.layers;
    const base = layers.length ? { mergeFilter: { layer: "base" } } : {};
    await pagefind.options({ baseUrl: root.pathname, ...base });
    for (const extra of bundles.slice(1)) {
      await pagefind.mergeIndex(new URL(`${extra}/`, root).href, { baseUrl: root.pathname, ...base });
    }
    for (const [i, layer] of layers.entries()) {
      if (!layer.bundle) continue;
      await pagefind.mergeIndex(new URL(`${layer.bundle}/`, root).href,
        { baseUrl: root.pathname, mergeFilter: { layer: `d${i}` } });
    }
    if (layers.length) hidden = freshest(layers);
    await pagefind.init();
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
  document.body.dataset.searchReady = "1";
  run();
}

start();
