/* The site's listings (generator/site/listing.py): the indexes, the tracker and what each
   organization owes.

   Without this script every listing is complete: its rows are cut into pages linked by a pager.
   With it:
   - what is overdue is decided against the reader's today, not the day the site was built: every
     badge <span class="state" data-due="YYYY-MM-DD" data-open="…"> is redrawn;
   - a listing with data-source gets its filter form; on the first filter, sort (a column
     heading) or query in the address (?year=2024&sort=-date&page=2), the script loads the JSON
     of every row and filters, sorts and pages them all here, drawing the rows as the page does.
     Text from the JSON only ever goes into the page as text (textContent), never as HTML.

   The JSON files (written by indexes.py and tracker.py):
   circulars.json  {orgs: [[id, name, parent index]], rows: [[url, date, number, title,
                   [issuer index…], status, kind]]}
   tracker/requirements.json  {orgs: …, circulars: [[url, label, year, [issuer index…], rate]],
                   rows: [[circular index, number, label, deadline, responsible, due, done,
                   [[org index, metric, target, status, value, date, due]…]]]}
*/
(function () {
  "use strict";

  const OPEN_ANSWERS = 3; // more answers fold under a summary, as tracker.py does

  function isoToday() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
  }

  // as tracker.py's percent(): half up, and never 0 or 100 while some are done, or some not
  function percent(done, total) {
    if (!total) return null;
    if (done > 0 && done * 100 < total) return "<1";
    if (done < total && done * 100 > total * 99) return ">99";
    return String(Math.floor((200 * done + total) / (2 * total)));
  }

  function labelsOf(listing) {
    return listing && listing.dataset.labels ? JSON.parse(listing.dataset.labels) : {};
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  // --- overdue, against today --------------------------------------------------------------

  function markOverdue(scope, today) {
    for (const badge of scope.querySelectorAll(".state[data-due]")) {
      const overdue = badge.dataset.due < today;
      badge.classList.toggle("state-overdue", overdue);
      badge.classList.toggle("state-open", !overdue);
      badge.textContent = overdue ? labelsOf(badge.closest(".listing")).overdue || "" : badge.dataset.open;
    }
  }

  function stateBadge(labels, done, due, openText, today) {
    if (done) return el("span", { class: "state state-done" }, labels.done);
    if (!due) return el("span", { class: "state state-open" }, openText);
    const overdue = due < today;
    return el(
      "span",
      { class: `state state-${overdue ? "overdue" : "open"}`, "data-due": due, "data-open": openText },
      overdue ? labels.overdue : openText
    );
  }

  // --- the kinds of listing ------------------------------------------------------------------

  function isUnder(orgs, index, ancestor) {
    for (let i = index, guard = 0; i >= 0 && guard <= orgs.length; i = orgs[i][2], guard++) {
      if (i === ancestor) return true;
    }
    return false;
  }

  const KINDS = {
    circulars: {
      matches(data, row, filters) {
        const orgIndex = data.orgIndex;
        if (filters.issuer && !row[4].some((i) => isUnder(data.orgs, i, orgIndex[filters.issuer]))) return false;
        if (filters.year && row[1].slice(0, 4) !== filters.year) return false;
        if (filters.status && row[5] !== filters.status) return false;
        if (filters.kind && row[6] !== filters.kind) return false;
        return true;
      },
      sortKey: { date: (d, r) => r[1], number: (d, r) => r[2], title: (d, r) => r[3], status: (d, r) => r[5] },
      draw(data, row, ctx) {
        const [url, date, number, title, issuers, status] = row;
        return [
          date,
          number || "—",
          el("a", { href: ctx.root + url }, title),
          issuers.map((i) => data.orgs[i][1]).join("、"),
          el("span", { class: `status status-${status}` }, ctx.labels[`status-${status}`] || status),
        ];
      },
    },
    tracker: {
      matches(data, row, filters, today) {
        const circular = data.circulars[row[0]];
        const orgIndex = data.orgIndex;
        if (filters.issuer && !circular[3].some((i) => isUnder(data.orgs, i, orgIndex[filters.issuer]))) return false;
        if (filters.year && String(circular[2]) !== filters.year) return false;
        let answers = row[7];
        if (filters.responsible) {
          answers = answers.filter((a) => a[0] === orgIndex[filters.responsible]);
          if (!answers.length) return false;
        }
        if (filters.status) {
          const wanted = filters.status === "none" ? "" : filters.status;
          if (!answers.some((a) => a[3] === wanted)) return false;
        }
        if (filters.overdue && !(row[5] && row[5] < today)) return false;
        return true;
      },
      // the answers the completion rate counts: of the rows shown, the responsible body's own if chosen
      counted(data, row, filters) {
        const answers = row[7];
        return filters.responsible ? answers.filter((a) => a[0] === data.orgIndex[filters.responsible]) : answers;
      },
      sortKey: {
        deadline: (d, r) => r[3] || "9999",
        circular: (d, r) => d.circulars[r[0]][1],
        done: (d, r) => (r[7].length ? r[7].filter((a) => a[3] === "done").length / r[7].length : -1),
        due: (d, r) => (r[6] ? "9999z" : r[5] || "9999"),
      },
      draw(data, row, ctx) {
        const [c, number, label, deadline, responsible, due, done, answers] = row;
        const labels = ctx.labels;
        const [url, circularLabel, , , rate] = data.circulars[c];
        const circular = [el("a", { href: ctx.root + url }, circularLabel)];
        if (rate !== null) circular.push(" ", el("span", { class: "rate" }, format(labels.rate, { rate })));
        return [
          deadline || labels.no_deadline,
          el("a", { href: `${ctx.root}${url}#requirement-${number}` }, label),
          circular,
          responsible || "—",
          drawAnswers(data, answers, ctx),
          stateBadge(labels, Boolean(done), due, labels.open, ctx.today),
        ];
      },
    },
  };

  function drawAnswers(data, answers, ctx) {
    if (!answers.length) return "—";
    const labels = ctx.labels;
    const list = el("ul", { class: "returns" });
    for (const [org, metric, goal, status, value, date, due] of answers) {
      const item = el("li", {}, el("span", { class: "org" }, org >= 0 ? data.orgs[org][1] : ""));
      item.append(" ", el("span", { class: `return return-${status || "none"}` }, status ? labels[`status-${status}`] : labels.not_reported));
      if (metric || value) {
        const target = goal ? format(labels.target, { goal }) : "";
        item.append(" ", el("span", { class: "value" }, (metric ? `${metric}: ` : "") + (value || "—") + target));
      }
      if (date) item.append(" ", el("span", { class: "date" }, date));
      if (due) item.append(" ", stateBadge(labels, false, due, "", ctx.today));
      list.append(item);
    }
    if (answers.length <= OPEN_ANSWERS) return list;
    const doneCount = answers.filter((a) => a[3] === "done").length;
    return el("details", {}, el("summary", {}, format(labels.done_of, { done: doneCount, total: answers.length })), list);
  }

  // --- one listing ----------------------------------------------------------------------------

  function setUp(listing, today) {
    const kind = KINDS[listing.dataset.listing];
    const form = listing.querySelector("form.listing-filter");
    if (!kind || !form || !listing.dataset.source) return;
    const table = listing.querySelector("table");
    const headings = [...table.querySelectorAll("thead th")];
    const preset = JSON.parse(listing.dataset.preset || "{}");
    const pageSize = Number(listing.dataset.pageSize) || 100;
    const ctx = { labels: labelsOf(listing), root: listing.dataset.root || "", today };
    const query = new URLSearchParams(location.search);
    const state = { filters: {}, sort: query.get("sort") || listing.dataset.sort, page: Number(query.get("page")) || 1 };
    let data = null;

    for (const field of form.elements) {
      if (!field.name) continue;
      const value = query.get(field.name);
      if (value !== null) {
        if (field.type === "checkbox") field.checked = value === "1";
        else field.value = value;
      }
    }
    const readForm = () => {
      state.filters = { ...preset };
      for (const field of form.elements) {
        if (!field.name) continue;
        const value = field.type === "checkbox" ? (field.checked ? "1" : "") : field.value;
        if (value) state.filters[field.name] = value;
      }
    };

    // column headings that sort become buttons
    for (const th of headings) {
      if (!th.dataset.sort) continue;
      const button = el("button", { type: "button", class: "sort" }, th.textContent);
      th.replaceChildren(button);
      button.addEventListener("click", () => {
        const key = th.dataset.sort;
        state.sort = state.sort === key ? `-${key}` : key;
        state.page = 1;
        show();
      });
    }
    const markSort = () => {
      for (const th of headings) {
        const key = th.dataset.sort;
        if (!key) continue;
        const order = state.sort === key ? "ascending" : state.sort === `-${key}` ? "descending" : null;
        if (order) th.setAttribute("aria-sort", order);
        else th.removeAttribute("aria-sort");
      }
    };

    markSort();

    const load = () => {
      if (!data) {
        data = fetch(listing.dataset.source)
          .then((response) => {
            if (!response.ok) throw new Error(`${listing.dataset.source}: ${response.status}`);
            return response.json();
          })
          .then((loaded) => {
            loaded.orgIndex = Object.fromEntries(loaded.orgs.map((o, i) => [o[0], i]));
            return loaded;
          });
      }
      return data;
    };

    const show = () => {
      readForm();
      markSort();
      listing.setAttribute("aria-busy", "true");
      return load().then((loaded) => {
        draw(loaded);
        listing.removeAttribute("aria-busy");
      });
    };

    const draw = (loaded) => {
      let rows = loaded.rows.filter((row) => kind.matches(loaded, row, state.filters, today));
      const descending = state.sort.startsWith("-");
      const key = kind.sortKey[state.sort.replace(/^-/, "")];
      if (key) {
        const keyed = rows.map((row, i) => [key(loaded, row), i, row]);
        keyed.sort((a, b) => {
          const order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
          return (descending ? -order : order) || a[1] - b[1]; // ties keep the listing's order
        });
        rows = keyed.map((k) => k[2]);
      }
      const pages = Math.max(1, Math.ceil(rows.length / pageSize));
      state.page = Math.min(Math.max(1, state.page), pages);
      const first = (state.page - 1) * pageSize;
      const shown = rows.slice(first, first + pageSize);
      const body = table.tBodies[0];
      body.replaceChildren(
        ...shown.map((row) => {
          const tr = el("tr");
          kind.draw(loaded, row, ctx).forEach((content, i) => {
            const th = headings[i];
            const td = el("td", { class: th.className, "data-label": th.textContent });
            td.append(...[content].flat().map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
            tr.append(td);
          });
          return tr;
        })
      );
      const completion = document.querySelector("p.completion");
      if (completion && kind.counted) {
        const answers = rows.flatMap((row) => kind.counted(loaded, row, state.filters));
        const rate = percent(answers.filter((a) => a[3] === "done").length, answers.length);
        completion.textContent = rate === null ? "" : format(ctx.labels.rate, { rate });
      }
      const count = listing.querySelector(".listing-count");
      count.textContent = rows.length
        ? format(ctx.labels.shown, { first: first + 1, last: first + shown.length, total: rows.length })
        : ctx.labels.none;
      drawPager(pages);
      remember();
    };

    const drawPager = (pages) => {
      let pager = listing.querySelector("nav.pager");
      if (!pager) {
        pager = el("nav", { class: "pager", "aria-label": listing.querySelector("form").getAttribute("aria-label") });
        listing.append(pager);
      }
      pager.replaceChildren();
      pager.hidden = pages < 2;
      for (let n = 1; n <= pages; n++) {
        if (pages > 12 && n > 2 && n < pages - 1 && Math.abs(n - state.page) > 2) {
          if (!pager.lastChild || pager.lastChild.textContent !== "…") pager.append(el("span", {}, "…"));
          continue;
        }
        const button = el("button", { type: "button" }, String(n));
        if (n === state.page) button.setAttribute("aria-current", "page");
        button.addEventListener("click", () => {
          state.page = n;
          show().then(() => table.scrollIntoView({ block: "start" }));
        });
        pager.append(button);
      }
    };

    const remember = () => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(state.filters)) if (!(name in preset)) params.set(name, value);
      if (state.sort !== listing.dataset.sort) params.set("sort", state.sort);
      if (state.page > 1) params.set("page", String(state.page));
      const search = params.toString();
      history.replaceState(history.state, "", search ? `?${search}` : location.pathname);
    };

    form.addEventListener("change", () => {
      state.page = 1;
      show();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    form.hidden = false;
    listing.classList.add("is-live");
    if ([...query.keys()].length) show();
  }

  function start() {
    const today = isoToday();
    markOverdue(document, today);
    for (const note of document.querySelectorAll(".overdue-as-of[data-today]")) {
      note.textContent = format(note.dataset.today, { date: today });
    }
    for (const listing of document.querySelectorAll(".listing[data-source]")) setUp(listing, today);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
